#include "plugins/h2/engine/hpack/integer.h"

#include "absl/strings/str_cat.h"
#include "plugins/h2/engine/hpack/huffman.h"

namespace strata::h2::hpack {

void EncodeInteger(uint8_t high_bits, int prefix_bits, uint64_t value, std::string* out) {
  const uint64_t max_prefix = (uint64_t{1} << prefix_bits) - 1;
  if (value < max_prefix) {
    out->push_back(static_cast<char>(high_bits | value));
    return;
  }
  out->push_back(static_cast<char>(high_bits | max_prefix));
  value -= max_prefix;
  while (value >= 128) {
    out->push_back(static_cast<char>(0x80 | (value & 0x7f)));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

absl::StatusOr<uint64_t> DecodeInteger(absl::string_view input, size_t* pos, int prefix_bits,
                                       uint64_t max_value) {
  if (*pos >= input.size()) return absl::InvalidArgumentError("HPACK integer truncated");
  const uint64_t max_prefix = (uint64_t{1} << prefix_bits) - 1;
  uint64_t value = static_cast<uint8_t>(input[*pos]) & max_prefix;
  ++*pos;
  if (value == max_prefix) {
    int shift = 0;
    for (int n = 0;; ++n) {
      if (n == kMaxIntegerContinuationBytes) {
        return absl::InvalidArgumentError("HPACK integer encoding too long");
      }
      if (*pos >= input.size()) return absl::InvalidArgumentError("HPACK integer truncated");
      uint8_t b = static_cast<uint8_t>(input[*pos]);
      ++*pos;
      value += static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) break;
    }
  }
  if (value > max_value) {
    return absl::InvalidArgumentError(
        absl::StrCat("HPACK integer ", value, " exceeds the limit ", max_value));
  }
  return value;
}

void EncodeString(absl::string_view value, bool allow_huffman, std::string* out) {
  if (allow_huffman) {
    size_t huffman_len = HuffmanEncodedLength(value);
    if (huffman_len < value.size()) {
      EncodeInteger(0x80, 7, huffman_len, out);
      HuffmanEncode(value, out);
      return;
    }
  }
  EncodeInteger(0x00, 7, value.size(), out);
  out->append(value.data(), value.size());
}

absl::Status DecodeString(absl::string_view input, size_t* pos, size_t max_length,
                          std::string* out, HuffmanMemo* memo, size_t memo_slot) {
  if (*pos >= input.size()) return absl::InvalidArgumentError("HPACK string truncated");
  const bool huffman = (static_cast<uint8_t>(input[*pos]) & 0x80) != 0;
  absl::StatusOr<uint64_t> len = DecodeInteger(input, pos, 7, max_length);
  if (!len.ok()) return len.status();
  if (*len > input.size() - *pos) {
    return absl::InvalidArgumentError("HPACK string runs past the end of the block");
  }
  absl::string_view raw = input.substr(*pos, static_cast<size_t>(*len));
  *pos += static_cast<size_t>(*len);
  out->clear();
  if (!huffman) {
    out->assign(raw.data(), raw.size());
    return absl::OkStatus();
  }
  return memo != nullptr ? memo->Decode(raw, memo_slot, out) : HuffmanDecode(raw, out);
}

}  // namespace strata::h2::hpack
