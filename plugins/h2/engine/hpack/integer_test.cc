#include "plugins/h2/engine/hpack/integer.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace strata::h2::hpack {
namespace {

std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

TEST(Integer, Rfc7541_C1_Examples) {
  std::string out;
  EncodeInteger(0, 5, 10, &out);
  EXPECT_EQ(absl::BytesToHexString(out), "0a");
  out.clear();
  EncodeInteger(0, 5, 1337, &out);
  EXPECT_EQ(absl::BytesToHexString(out), "1f9a0a");
  out.clear();
  EncodeInteger(0, 8, 42, &out);
  EXPECT_EQ(absl::BytesToHexString(out), "2a");

  size_t pos = 0;
  absl::StatusOr<uint64_t> v = DecodeInteger(Unhex("1f9a0a"), &pos, 5, 1u << 20);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, 1337u);
  EXPECT_EQ(pos, 3u);
}

TEST(Integer, RoundTripsAtPrefixBoundaries) {
  for (int prefix = 1; prefix <= 8; ++prefix) {
    for (uint64_t value : {uint64_t{0}, (uint64_t{1} << prefix) - 2, (uint64_t{1} << prefix) - 1,
                           uint64_t{1} << prefix, uint64_t{4096}, uint64_t{0xffffffff}}) {
      std::string out;
      EncodeInteger(0, prefix, value, &out);
      size_t pos = 0;
      absl::StatusOr<uint64_t> v = DecodeInteger(out, &pos, prefix, 0xffffffff);
      ASSERT_TRUE(v.ok()) << prefix << " " << value;
      EXPECT_EQ(*v, value);
      EXPECT_EQ(pos, out.size());
    }
  }
}

// HOSTILE 51: long continuation runs and values beyond the limit.
TEST(Integer, Hostile51_LongContinuationRunIsRejected) {
  size_t pos = 0;
  EXPECT_FALSE(DecodeInteger(Unhex("1f808080808000"), &pos, 5, 0xffffffff).ok());
  pos = 0;
  EXPECT_FALSE(DecodeInteger(Unhex("ff" + std::string(200, '8') + "00"), &pos, 8, 0xffffffff).ok());
}

TEST(Integer, Hostile51_ValueAboveTheLimitIsRejected) {
  std::string out;
  EncodeInteger(0, 7, uint64_t{1} << 33, &out);
  size_t pos = 0;
  EXPECT_FALSE(DecodeInteger(out, &pos, 7, 0xffffffff).ok());
  pos = 0;
  EXPECT_FALSE(DecodeInteger(Unhex("1f"), &pos, 5, 100).ok()) << "truncated";
}

TEST(Integer, Hostile51_StringLongerThanTheBlockIsRejected) {
  std::string s;
  size_t pos = 0;
  EXPECT_FALSE(DecodeString(Unhex("05616263"), &pos, 100, &s).ok());
  pos = 0;
  EXPECT_FALSE(DecodeString(Unhex("03616263"), &pos, 2, &s).ok()) << "above max_length";
  pos = 0;
  ASSERT_TRUE(DecodeString(Unhex("03616263"), &pos, 3, &s).ok());
  EXPECT_EQ(s, "abc");
}

TEST(Integer, StringUsesHuffmanOnlyWhenShorter) {
  std::string out;
  EncodeString("no-cache", true, &out);
  EXPECT_EQ(absl::BytesToHexString(out), "86a8eb10649cbf");
  out.clear();
  EncodeString("{{", true, &out);  // 15-bit codes: longer than raw
  EXPECT_EQ(absl::BytesToHexString(out), "027b7b");
}

}  // namespace
}  // namespace strata::h2::hpack
