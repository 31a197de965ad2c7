// huffman_memo.h — a small memo of the Huffman-coded strings one HPACK
// decoder has decoded, with their decodings.
//
// Servers send the same values as literals in every response: nginx sends
// server, date, content-type, last-modified, etag and accept-ranges
// Huffman-coded each time and never refers to a copy in the dynamic table.
// So a connection decodes the same few strings again and again. Decoding
// is a function of the coded bytes alone: a string seen before is answered
// by comparing its bytes and copying its decoding.
//
// Each string has a slot chosen by the caller: the decoder uses the
// field's position in the block (name and value apart), so a server that
// sends its fields in the same order finds each in its own slot. A string
// replaces the one in its slot. Only strings that decoded without error
// and are at most kMaxCoded bytes long are kept. The slots are allocated on
// the first use (under 3 KiB).
#ifndef STRATA_PLUGINS_H2_ENGINE_HPACK_HUFFMAN_MEMO_H_
#define STRATA_PLUGINS_H2_ENGINE_HPACK_HUFFMAN_MEMO_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace strata::h2::hpack {

class HuffmanMemo {
 public:
  static constexpr size_t kSlots = 32;
  static constexpr size_t kMaxCoded = 32;

  // Decode appends the decoding of |coded| to |out|, as HuffmanDecode does
  // (same result, same errors), from slot |slot| % kSlots when that holds
  // |coded|, and leaves it there otherwise.
  absl::Status Decode(absl::string_view coded, size_t slot, std::string* out);

  // Hits counts the decodings answered from the memo (for tests).
  uint64_t hits() const { return hits_; }

 private:
  struct Slot {
    uint8_t coded_len = 0;  // 0: empty (an empty string is not kept)
    uint8_t plain_len = 0;
    char coded[kMaxCoded];
    char plain[kMaxCoded * 8 / 5 + 1];
  };

  std::unique_ptr<Slot[]> slots_;
  uint64_t hits_ = 0;
};

}  // namespace strata::h2::hpack

#endif  // STRATA_PLUGINS_H2_ENGINE_HPACK_HUFFMAN_MEMO_H_
