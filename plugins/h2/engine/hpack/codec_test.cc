#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "plugins/h2/engine/hpack/decoder.h"
#include "plugins/h2/engine/hpack/encoder.h"
#include "plugins/h2/engine/hpack/integer.h"

namespace strata::h2::hpack {
namespace {

std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

constexpr size_t kNoLimit = 1 << 30;

HeaderList Decode(Decoder* d, absl::string_view hex, absl::Status* status = nullptr) {
  HeaderList out;
  absl::Status st = d->DecodeBlock(Unhex(hex), kNoLimit, &out);
  if (status) *status = st;
  else EXPECT_TRUE(st.ok()) << st;
  return out;
}

TEST(Decoder, Rfc7541_C3_RequestsWithoutHuffman) {
  Decoder d;
  HeaderList l = Decode(&d, "828684410f7777772e6578616d706c652e636f6d");
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[3].value, "www.example.com");
  EXPECT_EQ(d.table().size(), 57u);
  l = Decode(&d, "828684be58086e6f2d6361636865");
  ASSERT_EQ(l.size(), 5u);
  EXPECT_EQ(l[3].value, "www.example.com");
  EXPECT_EQ(l[4].value, "no-cache");
  l = Decode(&d, "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565");
  ASSERT_EQ(l.size(), 5u);
  EXPECT_EQ(l[4].name, "custom-key");
  EXPECT_EQ(d.table().size(), 164u);
}

TEST(Decoder, Rfc7541_C6_ResponsesWithHuffmanAndEviction) {
  Decoder d(256);
  HeaderList l = Decode(&d,
                        "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff"
                        "6e919d29ad171863c78f0b97c8e9ae82ae43d3");
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0].value, "302");
  EXPECT_EQ(d.table().size(), 222u);
  l = Decode(&d, "4883640effc1c0bf");
  ASSERT_EQ(l.size(), 4u);
  EXPECT_EQ(l[0].value, "307");
  EXPECT_EQ(d.table().size(), 222u);
}

TEST(Decoder, NeverIndexedLiteralIsReported) {
  Decoder d;
  HeaderList l = Decode(&d, "100870617373776f726406736563726574");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_TRUE(l[0].never_index);
  EXPECT_EQ(d.table().count(), 0u);
}

// HOSTILE 48: index 0 and indexes beyond both tables.
TEST(Decoder, Hostile48_IndexZeroIsACompressionError) {
  Decoder d;
  absl::Status st;
  Decode(&d, "80", &st);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
}

TEST(Decoder, Hostile48_IndexBeyondTheTablesIsACompressionError) {
  Decoder d;
  absl::Status st;
  Decode(&d, "be", &st);  // 62 with an empty dynamic table
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  Decoder d2;
  Decode(&d2, "7e0161", &st);  // literal with name index 62
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
}

// HOSTILE 49: size updates above our setting, after a field, or missing.
TEST(Decoder, Hostile49_SizeUpdateAboveOurSettingIsRejected) {
  Decoder d(4096);
  absl::Status st;
  std::string block;
  EncodeInteger(0x20, 5, 4097, &block);
  HeaderList out;
  EXPECT_EQ(d.DecodeBlock(block, kNoLimit, &out).code(), absl::StatusCode::kInvalidArgument);
}

TEST(Decoder, Hostile49_SizeUpdateAfterAFieldIsRejected) {
  Decoder d;
  absl::Status st;
  Decode(&d, "8220", &st);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  Decoder d2;
  Decode(&d2, "203f e11f82", &st);  // two updates first are fine (0, then 4096)
}

TEST(Decoder, Hostile49_RequiredSizeUpdateAfterWeLowerOurSetting) {
  Decoder d;
  Decode(&d, "4001610162");  // a: b added
  d.SetTableSizeSetting(0);
  absl::Status st;
  Decode(&d, "82", &st);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);

  Decoder d2;
  Decode(&d2, "4001610162");
  d2.SetTableSizeSetting(0);
  HeaderList l = Decode(&d2, "2082");
  EXPECT_EQ(d2.table().count(), 0u);
  ASSERT_EQ(l.size(), 1u);
}

// HOSTILE 32: the decoded list size is enforced while decoding; the table
// stays in sync so the next block still decodes.
TEST(Decoder, Hostile32_HpackBombFailsOnlyThatBlock) {
  Decoder d;
  std::string block;
  block += Unhex("40");  // literal with incremental indexing, new name
  EncodeString("bomb", false, &block);
  EncodeString(std::string(4000, 'x'), false, &block);
  for (int i = 0; i < 1000; ++i) block += Unhex("be");  // the 4 KB entry again and again
  HeaderList out;
  absl::Status st = d.DecodeBlock(block, 64 * 1024, &out);
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_LE(out.size(), 17u);
  HeaderList next;
  ASSERT_TRUE(d.DecodeBlock(Unhex("be"), 64 * 1024, &next).ok());
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].name, "bomb");
}

TEST(Encoder, SensitiveFieldsAreNeverIndexed) {
  Encoder e;
  HeaderList fields = {{"authorization", "Bearer x"},
                       {"cookie", "a=b"},
                       {"proxy-authorization", "Basic y"},
                       {"x-secret", "z", true}};
  std::string block;
  e.EncodeBlock(fields, &block);
  EXPECT_EQ(e.table().count(), 0u);
  Decoder d;
  HeaderList out;
  ASSERT_TRUE(d.DecodeBlock(block, kNoLimit, &out).ok());
  ASSERT_EQ(out.size(), 4u);
  for (const HeaderField& f : out) EXPECT_TRUE(f.never_index) << f.name;
}

TEST(Encoder, RepeatedFieldsBecomeIndexes) {
  Encoder e;
  HeaderList fields = {{":method", "GET"}, {":authority", "example.com"}, {"user-agent", "strata"}};
  std::string first, second;
  e.EncodeBlock(fields, &first);
  e.EncodeBlock(fields, &second);
  EXPECT_EQ(second.size(), 3u);
  Decoder d;
  HeaderList a, b;
  ASSERT_TRUE(d.DecodeBlock(first, kNoLimit, &a).ok());
  ASSERT_TRUE(d.DecodeBlock(second, kNoLimit, &b).ok());
  EXPECT_EQ(a, fields);
  EXPECT_EQ(b, fields);
}

// A request as the layer sends it, again and again: static matches are one
// byte, :path (changes every time) and cookie (sensitive) never enter the
// dynamic table, the rest become dynamic indexes.
TEST(Encoder, RequestFieldsAcrossRequests) {
  Encoder e;
  Decoder d;
  for (int n = 0; n < 3; ++n) {
    HeaderList fields = {{":method", "GET"},
                         {":scheme", "https"},
                         {":authority", "example.com"},
                         {":path", "/r" + std::to_string(n)},
                         {"user-agent", "strata"},
                         {"cookie", "a=b"},
                         {"content-length", "0"}};
    std::string block;
    e.EncodeBlock(fields, &block);
    ASSERT_GE(block.size(), 2u);
    EXPECT_EQ(block.substr(0, 2), Unhex("8287"));  // GET, https: static indexes
    EXPECT_EQ(e.table().count(), 2u) << "only :authority and user-agent are indexed";
    if (n > 0) {
      // :authority from the dynamic table, then :path as a literal without
      // indexing on its static name (4); cookie never indexed on its
      // static name (32): 0x1f 0x11.
      EXPECT_EQ(block.substr(2, 2), Unhex("bf04"));
      EXPECT_NE(block.find(Unhex("1f11")), std::string::npos);
    }
    HeaderList decoded;
    ASSERT_TRUE(d.DecodeBlock(block, kNoLimit, &decoded).ok());
    EXPECT_EQ(decoded, fields);
    EXPECT_TRUE(decoded[5].never_index);
  }
}

TEST(Decoder, ReusedListHoldsExactlyTheLastBlock) {
  // A session decodes every head into one list: each block replaces what
  // the list held, longer or shorter, and the field storage is reused.
  Encoder e;
  Decoder d;
  const HeaderList big = {{":status", "200"}, {"server", "a-long-server-name/1.2.3 (with words)"},
                          {"x-one", "1"}, {"x-two", "2"}};
  const HeaderList small = {{":status", "404"}, {"server", "short"}};
  std::string a, b, c;
  e.EncodeBlock(big, &a);
  e.EncodeBlock(small, &b);
  e.EncodeBlock(big, &c);
  HeaderList list;
  ASSERT_TRUE(d.DecodeBlock(a, kNoLimit, &list).ok());
  EXPECT_EQ(list, big);
  const std::string* storage = &list[1].value;
  ASSERT_TRUE(d.DecodeBlock(b, kNoLimit, &list).ok());
  EXPECT_EQ(list, small);
  ASSERT_TRUE(d.DecodeBlock(c, kNoLimit, &list).ok());
  EXPECT_EQ(list, big);
  EXPECT_EQ(&list[1].value, storage);  // same element, no new list
  // Over the size limit: the list holds the fields that fit, nothing stale.
  ASSERT_EQ(d.DecodeBlock(b, 50, &list).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(list, HeaderList({{":status", "404"}}));
}

TEST(Encoder, EmitsSizeUpdatesAfterThePeerLowersItsSetting) {
  Encoder e;
  Decoder d;
  HeaderList fields = {{"x-a", "1"}};
  std::string block;
  e.EncodeBlock(fields, &block);
  HeaderList out;
  ASSERT_TRUE(d.DecodeBlock(block, kNoLimit, &out).ok());
  // The peer lowers to 0, then raises to 4096 before our next block.
  e.SetPeerTableSizeSetting(0);
  d.SetTableSizeSetting(0);
  e.SetPeerTableSizeSetting(4096);
  d.SetTableSizeSetting(4096);
  block.clear();
  e.EncodeBlock(fields, &block);
  EXPECT_EQ(absl::BytesToHexString(block.substr(0, 3)), "203fe1");
  out.clear();
  ASSERT_TRUE(d.DecodeBlock(block, kNoLimit, &out).ok());
  EXPECT_EQ(out, fields);
}

}  // namespace
}  // namespace strata::h2::hpack
