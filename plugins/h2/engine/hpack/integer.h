// integer.h — HPACK prefix integers (RFC 7541 §5.1) and string literals
// (§5.2), with the limits a decoder needs against hostile input (§7.4).
#ifndef STRATA_PLUGINS_H2_ENGINE_HPACK_INTEGER_H_
#define STRATA_PLUGINS_H2_ENGINE_HPACK_INTEGER_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plugins/h2/engine/hpack/huffman_memo.h"

namespace strata::h2::hpack {

// kMaxIntegerContinuationBytes bounds the 7-bit continuation bytes of one
// integer: 5 carry 35 bits, enough for any value below 2^32. Longer runs
// (e.g. a prefix followed by endless 0x80 bytes) are rejected.
inline constexpr int kMaxIntegerContinuationBytes = 5;

// EncodeInteger appends |value| with a |prefix_bits|-bit prefix (1..8);
// |high_bits| are OR-ed into the first byte above the prefix.
void EncodeInteger(uint8_t high_bits, int prefix_bits, uint64_t value, std::string* out);

// DecodeInteger reads an integer with a |prefix_bits|-bit prefix at
// input[*pos], advancing *pos past it. Returns kInvalidArgument when the
// input ends early, the encoding is too long, or the value exceeds
// |max_value|.
absl::StatusOr<uint64_t> DecodeInteger(absl::string_view input, size_t* pos, int prefix_bits,
                                       uint64_t max_value);

// EncodeString appends a string literal, Huffman-coded when that is
// strictly shorter and |allow_huffman| is set.
void EncodeString(absl::string_view value, bool allow_huffman, std::string* out);

// DecodeString reads a string literal at input[*pos] into *out (replacing
// it), advancing *pos. The encoded length must not exceed |max_length| and
// the literal must fit in |input|; Huffman errors are reported as from
// HuffmanDecode. All errors are kInvalidArgument. Huffman-coded strings go
// through |memo|, in slot |memo_slot|, when a memo is given.
absl::Status DecodeString(absl::string_view input, size_t* pos, size_t max_length,
                          std::string* out, HuffmanMemo* memo = nullptr, size_t memo_slot = 0);

}  // namespace strata::h2::hpack

#endif  // STRATA_PLUGINS_H2_ENGINE_HPACK_INTEGER_H_
