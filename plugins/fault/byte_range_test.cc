#include "plugins/fault/byte_range.h"

#include <string>

#include "gtest/gtest.h"

namespace strata::fault {
namespace {

TEST(ByteRange, ParsesOffsetAndLength) {
  absl::StatusOr<ByteRange> r = ParseByteRange("corrupt_in", "100:16");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->offset, 100u);
  EXPECT_EQ(r->length, 16u);
  EXPECT_EQ(FormatByteRange(*r), "100:16");
}

TEST(ByteRange, RefusesMalformedRangesNamingTheKey) {
  for (const char* bad : {"", "5", "5:", ":5", "5:0", "-1:2", "a:b", "1:2:3", "18446744073709551615:2"}) {
    absl::StatusOr<ByteRange> r = ParseByteRange("corrupt_out", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("corrupt_out"), std::string::npos) << r.status();
  }
}

TEST(ByteRange, CorruptFlipsOnlyTheRangeAcrossPieces) {
  const std::string original = "0123456789abcdef";
  std::string data = original;
  ByteRange range{5, 4};  // bytes 5..8
  // In three pieces: 0..3, 4..6, 7..15.
  size_t flipped = CorruptPiece(range, 0, reinterpret_cast<uint8_t*>(data.data()), 4);
  flipped += CorruptPiece(range, 4, reinterpret_cast<uint8_t*>(data.data() + 4), 3);
  flipped += CorruptPiece(range, 7, reinterpret_cast<uint8_t*>(data.data() + 7), 9);
  EXPECT_EQ(flipped, 4u);
  for (size_t i = 0; i < data.size(); ++i) {
    if (i >= 5 && i < 9) {
      EXPECT_EQ(static_cast<uint8_t>(data[i]), static_cast<uint8_t>(original[i] ^ 0xff)) << i;
    } else {
      EXPECT_EQ(data[i], original[i]) << i;
    }
  }
}

TEST(ByteRange, CorruptOutsideThePieceChangesNothing) {
  std::string data = "abc";
  EXPECT_EQ(CorruptPiece(ByteRange{10, 5}, 0, reinterpret_cast<uint8_t*>(data.data()), 3), 0u);
  EXPECT_EQ(data, "abc");
}

std::string FeedAll(Duplicator* d, const std::string& in, size_t piece) {
  std::string out;
  for (size_t i = 0; i < in.size(); i += piece) {
    std::string p = in.substr(i, piece);
    d->Feed(reinterpret_cast<const uint8_t*>(p.data()), p.size(), &out);
  }
  return out;
}

TEST(ByteRange, DuplicateDeliversTheRangeTwiceWhateverThePieces) {
  for (size_t piece : {1, 2, 3, 7, 100}) {
    Duplicator d(ByteRange{2, 3});  // "234"
    EXPECT_EQ(FeedAll(&d, "0123456789", piece), "01234234" "56789") << piece;
  }
}

TEST(ByteRange, DuplicateOfARangePastTheEndChangesNothing) {
  Duplicator d(ByteRange{50, 3});
  EXPECT_EQ(FeedAll(&d, "0123456789", 4), "0123456789");
}

}  // namespace
}  // namespace strata::fault
