#include "plugins/fault/byte_range.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace strata::fault {

absl::StatusOr<ByteRange> ParseByteRange(const char* key, const std::string& text) {
  size_t colon = text.find(':');
  ByteRange r;
  const bool digits = !text.empty() && text.find_first_not_of("0123456789:") == std::string::npos;
  if (colon == std::string::npos || !digits || !absl::SimpleAtoi(text.substr(0, colon), &r.offset) ||
      !absl::SimpleAtoi(text.substr(colon + 1), &r.length) || r.length == 0 ||
      r.offset > UINT64_MAX - r.length) {
    return absl::InvalidArgumentError(absl::StrCat(
        "option '", key, "' must be \"OFFSET:LEN\" (whole numbers, LEN >= 1) or \"random\", found \"", text, "\""));
  }
  return r;
}

std::string FormatByteRange(const ByteRange& range) { return absl::StrCat(range.offset, ":", range.length); }

size_t CorruptPiece(const ByteRange& range, uint64_t stream_offset, uint8_t* data, size_t len) {
  const uint64_t begin = std::max(range.offset, stream_offset);
  const uint64_t end = std::min(range.end(), stream_offset + len);
  if (begin >= end) return 0;
  for (uint64_t p = begin; p < end; ++p) data[p - stream_offset] ^= 0xff;
  return static_cast<size_t>(end - begin);
}

bool Duplicator::Feed(const uint8_t* data, size_t len, std::string* out) {
  const char* text = reinterpret_cast<const char*>(data);
  const uint64_t start = offset_;
  offset_ += len;
  if (done_) {
    out->append(text, len);
    return false;
  }
  const uint64_t begin = std::max(range_.offset, start);
  const uint64_t end = std::min(range_.end(), offset_);
  if (begin < end) copy_.append(text + (begin - start), end - begin);
  if (offset_ < range_.end()) {
    out->append(text, len);
    return false;
  }
  // The range ends inside this piece: its bytes, the copy, then the rest.
  const size_t split = static_cast<size_t>(range_.end() - start);
  out->append(text, split);
  out->append(copy_);
  out->append(text + split, len - split);
  copy_.clear();
  done_ = true;
  return true;
}

}  // namespace strata::fault
