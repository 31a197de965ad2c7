// byte_range.h — "OFFSET:LEN" ranges of one direction's byte stream, and
// the two kinds of damage the fault layer does with them: flipping every
// byte of the range (corrupt_in / corrupt_out) and delivering the range a
// second time right after it (duplicate_in). Both work on a stream that
// arrives in pieces of any size: the caller says where a piece starts.
#ifndef STRATA_PLUGINS_FAULT_BYTE_RANGE_H_
#define STRATA_PLUGINS_FAULT_BYTE_RANGE_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace strata::fault {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;  // > 0
  uint64_t end() const { return offset + length; }
};

// ParseByteRange reads "OFFSET:LEN" (LEN >= 1). The message names |key|.
absl::StatusOr<ByteRange> ParseByteRange(const char* key, const std::string& text);
std::string FormatByteRange(const ByteRange& range);

// CorruptPiece flips (XOR 0xff) the bytes of |data| (|len| bytes starting at
// stream offset |stream_offset|) that fall inside |range|, and returns how
// many it flipped.
size_t CorruptPiece(const ByteRange& range, uint64_t stream_offset, uint8_t* data, size_t len);

// Duplicator rewrites a stream so that |range| appears twice in a row.
class Duplicator {
 public:
  explicit Duplicator(ByteRange range) : range_(range) {}
  // Feed appends the piece that starts at the next input offset (pieces
  // come in order) to |out|, with the copy inserted once the range is
  // complete. Returns true when this piece completed the range.
  bool Feed(const uint8_t* data, size_t len, std::string* out);

 private:
  ByteRange range_;
  uint64_t offset_ = 0;  // input bytes fed so far
  std::string copy_;
  bool done_ = false;
};

}  // namespace strata::fault

#endif  // STRATA_PLUGINS_FAULT_BYTE_RANGE_H_
