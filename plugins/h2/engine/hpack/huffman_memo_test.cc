// HuffmanMemo gives exactly what HuffmanDecode gives, for repeated strings
// (answered from the memo), strings that share a slot, strings too long to
// keep, and invalid ones (never kept).
#include "plugins/h2/engine/hpack/huffman_memo.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugins/h2/engine/hpack/huffman.h"

namespace strata::h2::hpack {
namespace {

std::string Coded(const std::string& text) {
  std::string out;
  HuffmanEncode(text, &out);
  return out;
}

void ExpectSame(HuffmanMemo* memo, const std::string& coded, size_t slot = 5) {
  std::string got = "prefix:", want = "prefix:";
  const absl::Status got_st = memo->Decode(coded, slot, &got);
  const absl::Status want_st = HuffmanDecode(coded, &want);
  ASSERT_EQ(got_st, want_st);
  if (want_st.ok()) {
    ASSERT_EQ(got, want);
  }
}

TEST(HuffmanMemo, ARepeatedStringIsAnsweredFromTheMemo) {
  HuffmanMemo memo;
  const std::string coded = Coded("Mon, 07 Dec 2026 21:04:11 GMT");
  ExpectSame(&memo, coded);
  EXPECT_EQ(memo.hits(), 0u);
  ExpectSame(&memo, coded);
  ExpectSame(&memo, coded);
  EXPECT_EQ(memo.hits(), 2u);
}

TEST(HuffmanMemo, AnotherStringOfTheSameLengthInTheSlotIsDecodedAnew) {
  // date and last-modified: same length, same first bytes, one slot.
  const std::string date = Coded("Tue, 08 Dec 2026 04:31:07 GMT");
  const std::string modified = Coded("Tue, 08 Dec 2026 00:56:12 GMT");
  ASSERT_EQ(date.size(), modified.size());
  ASSERT_NE(date, modified);
  HuffmanMemo memo;
  ExpectSame(&memo, date);
  ExpectSame(&memo, modified);
  ExpectSame(&memo, date);
  EXPECT_EQ(memo.hits(), 0u);
  ExpectSame(&memo, date);
  EXPECT_EQ(memo.hits(), 1u);
}

TEST(HuffmanMemo, EachSlotKeepsItsOwnString) {
  // As the decoder uses it: one slot per field position, all hits after
  // the first block.
  const std::vector<std::string> block = {Coded("nginx/1.22.1"), Coded("Tue, 08 Dec 2026 04:31:07 GMT"),
                                          Coded("text/plain"), Coded("Tue, 08 Dec 2026 00:56:12 GMT"),
                                          Coded("etag"), Coded("\"6930d3b4-400\""), Coded("accept-ranges"),
                                          Coded("bytes")};
  HuffmanMemo memo;
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < block.size(); ++i) ExpectSame(&memo, block[i], i);
  }
  EXPECT_EQ(memo.hits(), 2 * block.size());
  // Slots wrap: slot kSlots + 1 is slot 1.
  ExpectSame(&memo, block[1], HuffmanMemo::kSlots + 1);
  EXPECT_EQ(memo.hits(), 2 * block.size() + 1);
}

TEST(HuffmanMemo, InvalidStringsAreNeverKept) {
  HuffmanMemo memo;
  const std::string padding_not_ones = Coded("a") + std::string(1, '\0');  // 8+ bits of zeros
  const std::string eos(4, '\xff');  // 30 ones: EOS in the data
  for (int i = 0; i < 3; ++i) {
    ExpectSame(&memo, padding_not_ones);
    ExpectSame(&memo, eos);
  }
  EXPECT_EQ(memo.hits(), 0u);
  std::string out;
  EXPECT_FALSE(memo.Decode(eos, 5, &out).ok());
}

TEST(HuffmanMemo, LongStringsAreDecodedEachTime) {
  HuffmanMemo memo;
  const std::string coded = Coded(std::string(200, 'x'));  // 7 bits each: 175 bytes
  ASSERT_GT(coded.size(), HuffmanMemo::kMaxCoded);
  ExpectSame(&memo, coded);
  ExpectSame(&memo, coded);
  EXPECT_EQ(memo.hits(), 0u);
  const std::string longest = Coded(std::string(HuffmanMemo::kMaxCoded * 8 / 5, '0'));  // 5 bits each
  ASSERT_EQ(longest.size(), HuffmanMemo::kMaxCoded);
  ExpectSame(&memo, longest);
  ExpectSame(&memo, longest);
  EXPECT_EQ(memo.hits(), 1u);
}

TEST(HuffmanMemo, ManyStringsSharingSlotsMatchPlainDecoding) {
  // A pool larger than the memo (slots are shared and replaced), drawn at
  // random, with valid, cut and arbitrary byte strings of every length.
  uint32_t x = 777;
  auto next = [&x] {
    x = x * 1103515245u + 12345u;
    return x >> 16;
  };
  std::vector<std::string> pool;
  for (int i = 0; i < 60; ++i) {
    std::string text;
    for (int j = 0, len = static_cast<int>(next() % 40); j < len; ++j) text.push_back(static_cast<char>(next()));
    std::string coded = Coded(text);
    if (i % 5 == 0 && !coded.empty()) coded.pop_back();  // cut short: often invalid
    if (i % 7 == 0) {
      coded.clear();
      for (int j = 0, len = static_cast<int>(next() % 50); j < len; ++j) coded.push_back(static_cast<char>(next()));
    }
    pool.push_back(coded);
  }
  HuffmanMemo memo;
  for (int i = 0; i < 20000; ++i) {
    const std::string& coded = pool[next() % pool.size()];
    ExpectSame(&memo, coded, next() % 40);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(memo.hits(), 100u);
}

}  // namespace
}  // namespace strata::h2::hpack
