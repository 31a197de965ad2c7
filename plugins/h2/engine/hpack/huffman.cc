#include "plugins/h2/engine/hpack/huffman.h"

#include <array>
#include <vector>

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

// Tables derived once from kCodeLength: the canonical codes for encoding and
// a binary tree for decoding (node 0 is the root; a child value >= 0 is a
// node index, < 0 is ~symbol).
struct Tables {
  std::array<HuffmanCode, kSymbols> codes;
  std::vector<std::array<int, 2>> tree;

  Tables() {
    uint32_t code = 0;
    int prev_len = 0;
    for (int len = 1; len <= 30; ++len) {
      for (int sym = 0; sym < kSymbols; ++sym) {
        if (kCodeLength[sym] != len) continue;
        code <<= (len - prev_len);
        prev_len = len;
        codes[sym] = HuffmanCode{code, static_cast<uint8_t>(len)};
        ++code;
      }
    }
    tree.push_back({0, 0});
    for (int sym = 0; sym < kSymbols; ++sym) {
      int node = 0;
      const HuffmanCode& c = codes[sym];
      for (int i = c.length - 1; i >= 0; --i) {
        int bit = (c.bits >> i) & 1;
        if (i == 0) {
          tree[node][bit] = ~sym;
        } else {
          if (tree[node][bit] == 0) {
            tree.push_back({0, 0});
            tree[node][bit] = static_cast<int>(tree.size() - 1);
          }
          node = tree[node][bit];
        }
      }
    }
    BuildNibbleSteps();
  }

  // Decoding walks four bits at a time: from each inner node (257 leaves,
  // 256 inner nodes, so an index fits a byte) and each nibble, the node
  // reached and the symbol completed on the way, if any (codes are 5 bits
  // or more, so a nibble completes at most one). Walking the tree bit by
  // bit was most of the cost of decoding a response head.
  static constexpr uint8_t kEmit = 1;
  static constexpr uint8_t kEosInData = 2;
  struct NibbleStep {
    uint8_t next;
    uint8_t symbol;
    uint8_t flags;
  };
  std::array<std::array<NibbleStep, 16>, 256> steps{};
  // Per inner node: bits read since the last complete symbol (its depth)
  // and whether they were all ones (a prefix of EOS): what the padding
  // rules check when the input ends there.
  std::array<uint8_t, 256> depth{};
  std::array<bool, 256> all_ones{};

  void BuildNibbleSteps() {
    all_ones[0] = true;
    // Children are created after their parents: one pass in index order.
    for (size_t n = 0; n < tree.size(); ++n) {
      for (int bit = 0; bit < 2; ++bit) {
        const int child = tree[n][bit];
        if (child <= 0) continue;
        depth[child] = static_cast<uint8_t>(depth[n] + 1);
        all_ones[child] = all_ones[n] && bit == 1;
      }
    }
    for (size_t n = 0; n < tree.size(); ++n) {
      for (int nibble = 0; nibble < 16; ++nibble) {
        int node = static_cast<int>(n);
        NibbleStep step{};
        for (int i = 3; i >= 0; --i) {
          const int next = tree[node][(nibble >> i) & 1];
          if (next < 0) {
            if (~next == kEos) {
              step.flags |= kEosInData;
            } else {
              step.flags |= kEmit;
              step.symbol = static_cast<uint8_t>(~next);
            }
            node = 0;
          } else {
            node = next;
          }
        }
        step.next = static_cast<uint8_t>(node);
        steps[n][nibble] = step;
      }
    }
  }
};

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
  // At most 8 symbols per 5 bytes (the shortest code is 5 bits). The output
  // is written through a pointer, without a branch per symbol: each step
  // stores its symbol and moves on by its kEmit bit (1), and the flags are
  // checked once at the end. push_back per symbol was a third of the cost.
  static_assert(Tables::kEmit == 1);
  const size_t old_size = out->size();
  out->resize(old_size + input.size() * 8 / 5 + 1);
  char* const begin = out->data() + old_size;
  char* p = begin;
  uint8_t node = 0;
  uint8_t seen = 0;
  for (unsigned char byte : input) {
    const Tables::NibbleStep& high = t.steps[node][byte >> 4];
    *p = static_cast<char>(high.symbol);
    p += high.flags & Tables::kEmit;
    seen |= high.flags;
    const Tables::NibbleStep& low = t.steps[high.next][byte & 0x0f];
    *p = static_cast<char>(low.symbol);
    p += low.flags & Tables::kEmit;
    seen |= low.flags;
    node = low.next;
  }
  out->resize(old_size + static_cast<size_t>(p - begin));
  if (seen & Tables::kEosInData) {
    return absl::InvalidArgumentError("Huffman data contains the EOS symbol");
  }
  if (t.depth[node] > 7) {
    return absl::InvalidArgumentError("Huffman padding longer than 7 bits");
  }
  if (!t.all_ones[node]) {
    return absl::InvalidArgumentError("Huffman padding is not a prefix of EOS");
  }
  return absl::OkStatus();
}

}  // namespace strata::h2::hpack
