#include "plugins/h2/engine/hpack/huffman.h"

#include <map>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace strata::h2::hpack {
namespace {

std::string Unhex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

// The derived canonical code must reproduce the RFC's bit patterns.
TEST(Huffman, Rfc7541_AppendixB_CodesMatchTheRfc) {
  struct Sample {
    int symbol;
    uint32_t bits;
    int length;
  } samples[] = {
      {0, 0x1ff8, 13},      {1, 0x7fffd8, 23},   {2, 0xfffffe2, 28},   {9, 0xffffea, 24},
      {10, 0x3ffffffc, 30}, {' ', 0x14, 6},      {'0', 0x0, 5},        {'a', 0x3, 5},
      {'z', 0x7b, 7},       {'~', 0x1ffd, 13},   {127, 0xffffffc, 28}, {128, 0xfffe6, 20},
      {192, 0x3ffffe0, 26}, {220, 0xffffffd, 28}, {254, 0x7fffff0, 27}, {255, 0x3ffffee, 26},
      {256, 0x3fffffff, 30},
  };
  for (const Sample& s : samples) {
    HuffmanCode c = HuffmanCodeFor(s.symbol);
    EXPECT_EQ(c.bits, s.bits) << "symbol " << s.symbol;
    EXPECT_EQ(c.length, s.length) << "symbol " << s.symbol;
  }
  // A complete prefix code: the Kraft sum is exactly 1.
  uint64_t kraft = 0;
  for (int sym = 0; sym <= 256; ++sym) kraft += uint64_t{1} << (30 - HuffmanCodeFor(sym).length);
  EXPECT_EQ(kraft, uint64_t{1} << 30);
}

TEST(Huffman, Rfc7541_C4_Examples) {
  struct Example {
    const char* text;
    const char* hex;
  } examples[] = {
      {"www.example.com", "f1e3c2e5f23a6ba0ab90f4ff"},
      {"no-cache", "a8eb10649cbf"},
      {"custom-key", "25a849e95ba97d7f"},
      {"custom-value", "25a849e95bb8e8b4bf"},
      {"302", "6402"},
      {"private", "aec3771a4b"},
      {"Mon, 21 Oct 2013 20:13:21 GMT", "d07abe941054d444a8200595040b8166e082a62d1bff"},
  };
  for (const Example& e : examples) {
    std::string encoded;
    HuffmanEncode(e.text, &encoded);
    EXPECT_EQ(absl::BytesToHexString(encoded), e.hex);
    EXPECT_EQ(HuffmanEncodedLength(e.text), encoded.size());
    std::string decoded;
    ASSERT_TRUE(HuffmanDecode(encoded, &decoded).ok());
    EXPECT_EQ(decoded, e.text);
  }
}

TEST(Huffman, AllBytesRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string encoded, decoded;
  HuffmanEncode(all, &encoded);
  ASSERT_TRUE(HuffmanDecode(encoded, &decoded).ok());
  EXPECT_EQ(decoded, all);
}

// HOSTILE 50: padding > 7 bits, padding not all ones, EOS in the data.
TEST(Huffman, Hostile50_PaddingLongerThanSevenBitsIsRejected) {
  // 'a' (00011) then 11 one bits of padding: a full 0xff byte of padding.
  std::string decoded;
  EXPECT_FALSE(HuffmanDecode(Unhex("1fff"), &decoded).ok());
  // A lone 0xff byte is 8 bits of padding.
  EXPECT_FALSE(HuffmanDecode(Unhex("ff"), &decoded).ok());
}

TEST(Huffman, Hostile50_PaddingThatIsNotOnesIsRejected) {
  // 'a' = 00011 followed by 000 instead of 111.
  std::string decoded;
  EXPECT_FALSE(HuffmanDecode(Unhex("18"), &decoded).ok());
  decoded.clear();
  EXPECT_TRUE(HuffmanDecode(Unhex("1f"), &decoded).ok());
  EXPECT_EQ(decoded, "a");
}

TEST(Huffman, Hostile50_EosInTheDataIsRejected) {
  // 30 one bits (EOS) followed by two padding ones.
  std::string decoded;
  EXPECT_FALSE(HuffmanDecode(Unhex("ffffffff"), &decoded).ok());
}

// ReferenceDecode is RFC 7541 §5.2 read bit by bit from the canonical codes
// (the way the decoder worked before its lookup tables): the same output
// and the same verdict for any input.
absl::Status ReferenceDecode(absl::string_view input, std::string* out) {
  uint32_t code = 0;
  int len = 0;
  for (unsigned char byte : input) {
    for (int i = 7; i >= 0; --i) {
      code = (code << 1) | ((byte >> i) & 1);
      ++len;
      static const std::map<std::pair<int, uint32_t>, int>* const kSymbolOf = [] {
        auto* m = new std::map<std::pair<int, uint32_t>, int>();
        for (int sym = 0; sym <= 256; ++sym) {
          const HuffmanCode c = HuffmanCodeFor(sym);
          (*m)[{c.length, c.bits}] = sym;
        }
        return m;
      }();
      auto it = kSymbolOf->find({len, code});
      if (it == kSymbolOf->end()) continue;
      if (it->second == 256) return absl::InvalidArgumentError("Huffman data contains the EOS symbol");
      out->push_back(static_cast<char>(it->second));
      code = 0;
      len = 0;
    }
  }
  if (len > 7) return absl::InvalidArgumentError("Huffman padding longer than 7 bits");
  if (code != (1u << len) - 1) {
    return absl::InvalidArgumentError("Huffman padding is not a prefix of EOS");
  }
  return absl::OkStatus();
}

void ExpectSameAsReference(const std::string& in) {
  std::string got = "prefix:", want = "prefix:";
  const absl::Status got_st = HuffmanDecode(in, &got);
  const absl::Status want_st = ReferenceDecode(in, &want);
  EXPECT_EQ(got_st, want_st) << absl::BytesToHexString(in);
  if (want_st.ok()) {
    EXPECT_EQ(got, want) << absl::BytesToHexString(in);
  }
}

TEST(Huffman, DecodeMatchesBitByBitReadingOfEveryShortInput) {
  for (int a = 0; a < 256; ++a) {
    ExpectSameAsReference(std::string(1, static_cast<char>(a)));
    for (int b = 0; b < 256; ++b) {
      ExpectSameAsReference(std::string{static_cast<char>(a), static_cast<char>(b)});
    }
  }
}

TEST(Huffman, DecodeMatchesBitByBitReadingOfLongerInputs) {
  uint32_t x = 12345;
  auto next = [&x] {
    x = x * 1103515245u + 12345u;
    return static_cast<char>(x >> 16);
  };
  for (int n = 0; n < 3000; ++n) {
    std::string in;
    // Mostly valid encodings of random text (cut short now and then),
    // some plain random bytes.
    if (n % 3 != 0) {
      std::string text;
      for (int i = 0, len = n % 40; i < len; ++i) text.push_back(next());
      HuffmanEncode(text, &in);
      if (n % 7 == 0 && !in.empty()) in.pop_back();
    } else {
      for (int i = 0, len = n % 12; i < len; ++i) in.push_back(next());
    }
    ExpectSameAsReference(in);
  }
}

}  // namespace
}  // namespace strata::h2::hpack
