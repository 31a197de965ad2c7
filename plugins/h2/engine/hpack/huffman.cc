#include "plugins/h2/engine/hpack/huffman.h"

#include <array>
#include <cstring>

namespace strata::h2::hpack {
namespace {

constexpr int kEos = 256;
constexpr int kSymbols = 257;

// Code length in bits of each symbol 0..255 and EOS, from RFC 7541
// Appendix B. The RFC's table is a canonical Huffman code (codes of one
// length are consecutive in symbol order, shorter codes sort first), which
// the tests verify against a sample of the RFC's bit patterns.
constexpr std::array<uint8_t, kSymbols> kCodeLength = {
    // 0..31: control characters
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    // 32..63: ' ' ! " # $ % & ' ( ) * + , - . / 0-9 : ; < = > ?
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
    // 64..95: @ A-Z [ \ ] ^ _
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
    // 96..127: ` a-z { | } ~ DEL
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
    // 128..255
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
    // EOS
    30,
};

// Tables derived once from kCodeLength: the canonical codes for encoding,
// and for decoding a table of the codes of 8 bits or fewer by their first
// 8 bits, plus the canonical layout of the longer ones.
struct Tables {
  std::array<HuffmanCode, kSymbols> codes;

  // Decoding reads the bit stream through a 64-bit window. Every code
  // of 5 to 8 bits (the letters, digits and common punctuation of header
  // values) is found by one lookup of the window's first 8 bits: |length|
  // is its length, 0 when the bits begin a longer code. Walking a tree four
  // bits at a time cost two dependent lookups per input byte.
  struct Short {
    uint8_t symbol;
    uint8_t length;
  };
  std::array<Short, 256> first8{};
  // Longer codes (9 to 30 bits), canonical: the codes of one length are
  // consecutive from first[len], count[len] of them, and their symbols are
  // by_code[offset[len]...] in code order.
  std::array<uint32_t, 31> first{};
  std::array<uint16_t, 31> count{};
  std::array<uint16_t, 31> offset{};
  std::array<uint16_t, kSymbols> by_code{};

  Tables() {
    uint32_t code = 0;
    int prev_len = 0;
    uint16_t n = 0;
    for (int len = 1; len <= 30; ++len) {
      offset[len] = n;
      for (int sym = 0; sym < kSymbols; ++sym) {
        if (kCodeLength[sym] != len) continue;
        code <<= (len - prev_len);
        prev_len = len;
        if (count[len] == 0) first[len] = code;
        ++count[len];
        codes[sym] = HuffmanCode{code, static_cast<uint8_t>(len)};
        by_code[n++] = static_cast<uint16_t>(sym);
        ++code;
      }
    }
    for (int sym = 0; sym < kSymbols; ++sym) {
      const HuffmanCode& c = codes[sym];
      if (c.length > 8) continue;
      const uint32_t base = c.bits << (8 - c.length);
      for (uint32_t tail = 0; tail < (1u << (8 - c.length)); ++tail) {
        first8[base | tail] = Short{static_cast<uint8_t>(sym), c.length};
      }
    }
  }
};

// LoadBigEndian64 reads 8 bytes as a big-endian number.
inline uint64_t LoadBigEndian64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

const Tables& GetTables() {
  static const Tables* tables = new Tables();
  return *tables;
}

}  // namespace

HuffmanCode HuffmanCodeFor(int symbol) { return GetTables().codes[symbol]; }

size_t HuffmanEncodedLength(absl::string_view input) {
  uint64_t bits = 0;
  for (unsigned char c : input) bits += kCodeLength[c];
  return static_cast<size_t>((bits + 7) / 8);
}

void HuffmanEncode(absl::string_view input, std::string* out) {
  const Tables& t = GetTables();
  uint64_t acc = 0;  // pending bits, right-aligned
  int acc_bits = 0;
  for (unsigned char c : input) {
    const HuffmanCode& code = t.codes[c];
    acc = (acc << code.length) | code.bits;
    acc_bits += code.length;
    while (acc_bits >= 8) {
      acc_bits -= 8;
      out->push_back(static_cast<char>((acc >> acc_bits) & 0xff));
    }
  }
  if (acc_bits > 0) {
    // Pad with the high bits of EOS, which are all ones.
    int pad = 8 - acc_bits;
    acc = (acc << pad) | ((1u << pad) - 1);
    out->push_back(static_cast<char>(acc & 0xff));
  }
}

absl::Status HuffmanDecode(absl::string_view input, std::string* out) {
  const Tables& t = GetTables();
  // At most 8 symbols per 5 bytes (the shortest code is 5 bits); symbols
  // are written through a pointer and the string is cut to size at the end.
  const size_t old_size = out->size();
  out->resize(old_size + input.size() * 8 / 5 + 1);
  char* const begin = out->data() + old_size;
  char* p = begin;
  auto finish = [&](absl::Status status) {
    out->resize(old_size + static_cast<size_t>(p - begin));
    return status;
  };
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  const auto* const end = in + input.size();
  // The next |bits| bits of input, from bit 63 down (what follows them is
  // input not yet counted, or zeros).
  uint64_t window = 0;
  int bits = 0;
  for (;;) {
    if (end - in >= 8) {
      // Eight bytes at once, without a branch per byte: the window takes
      // as many whole bytes as fit (56 to 63 bits then). Bits of a byte
      // only partly taken are the same when it is taken again.
      window |= LoadBigEndian64(in) >> bits;
      in += (63 - bits) >> 3;
      // That many whole bytes: bits + 8 * ((63 - bits) / 8), which for
      // bits < 64 is bits with its three high bits (of six) set.
      bits |= 56;
    } else {
      while (bits <= 56 && in != end) {
        window |= static_cast<uint64_t>(*in++) << (56 - bits);
        bits += 8;
      }
    }
    // Short codes (8 bits at most) until a longer one or the end: six of
    // them fit in what one refill brings.
    int decoded = 0;
    for (; decoded < 6; ++decoded) {
      const Tables::Short s = t.first8[window >> 56];
      if (s.length == 0 || s.length > bits) break;
      *p++ = static_cast<char>(s.symbol);
      window <<= s.length;
      bits -= s.length;
    }
    if (decoded == 6) continue;
    // A long code may need more bits than the short ones left: refill.
    if (bits < 30 && in != end) continue;
    // A code longer than 8 bits, or the input ends inside a code (a short
    // code whose length exceeds the bits left cannot match: the zeros
    // after them are not data, and no shorter code is its prefix).
    int len = t.first8[window >> 56].length == 0 ? 9 : 31;
    int sym = -1;
    for (; len <= 30 && len <= bits; ++len) {
      const uint32_t index = static_cast<uint32_t>(window >> (64 - len)) - t.first[len];
      if (index < t.count[len]) {
        sym = t.by_code[t.offset[len] + index];
        break;
      }
    }
    if (sym < 0) break;  // no complete code left: padding
    if (sym == kEos) return finish(absl::InvalidArgumentError("Huffman data contains the EOS symbol"));
    *p++ = static_cast<char>(sym);
    window <<= len;
    bits -= len;
  }
  // What is left is padding: at most 7 bits, all ones (a prefix of EOS).
  if (bits > 7) return finish(absl::InvalidArgumentError("Huffman padding longer than 7 bits"));
  if (bits > 0 && (window >> (64 - bits)) != (uint64_t{1} << bits) - 1) {
    return finish(absl::InvalidArgumentError("Huffman padding is not a prefix of EOS"));
  }
  return finish(absl::OkStatus());
}

}  // namespace strata::h2::hpack
