// huffman.h — the static Huffman code of RFC 7541 §5.2 / Appendix B.
//
// Only the code lengths are spelled out (huffman.cc); the code is canonical,
// so the bit patterns follow from the lengths and symbol order. Decoding is
// strict: padding longer than 7 bits, padding that is not a prefix of EOS
// (all ones), and an EOS symbol inside the data are errors (RFC 7541 §5.2).
#ifndef STRATA_PLUGINS_H2_ENGINE_HPACK_HUFFMAN_H_
#define STRATA_PLUGINS_H2_ENGINE_HPACK_HUFFMAN_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace strata::h2::hpack {

// HuffmanEncodedLength is the number of bytes HuffmanEncode would append.
size_t HuffmanEncodedLength(absl::string_view input);

// HuffmanEncode appends the Huffman coding of |input| to |out|, padded with
// the most significant bits of EOS.
void HuffmanEncode(absl::string_view input, std::string* out);

// HuffmanDecode appends the decoding of |input| to |out|. Returns
// kInvalidArgument for bad padding or EOS in the data; |out| then holds a
// partial result.
absl::Status HuffmanDecode(absl::string_view input, std::string* out);

// HuffmanCode is one symbol's code, right-aligned in |bits|; exposed for
// tests that pin the table against the RFC.
struct HuffmanCode {
  uint32_t bits;
  uint8_t length;
};
HuffmanCode HuffmanCodeFor(int symbol);  // symbol 0..256 (256 = EOS)

}  // namespace strata::h2::hpack

#endif  // STRATA_PLUGINS_H2_ENGINE_HPACK_HUFFMAN_H_
