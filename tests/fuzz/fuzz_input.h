// fuzz_input.h — a small reader over a fuzz input, used by the fuzzers to
// take parameters (split points, flags, sizes) from the front of the input.
// Reading past the end yields zeros/empty, never an error.
#ifndef STRATA_TESTS_FUZZ_FUZZ_INPUT_H_
#define STRATA_TESTS_FUZZ_FUZZ_INPUT_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace strata::fuzz {

// Check traps (a crash libFuzzer reports) when an invariant is violated.
inline void Check(bool ok) {
  if (!ok) __builtin_trap();
}

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  size_t remaining() const { return size_ - pos_; }

  uint8_t U8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>((U8() << 8) | U8()); }
  uint32_t U32() { return (static_cast<uint32_t>(U16()) << 16) | U16(); }

  // Bytes takes up to |n| bytes.
  std::string_view Bytes(size_t n) {
    n = std::min(n, remaining());
    std::string_view v(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return v;
  }
  std::string_view Rest() { return Bytes(remaining()); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace strata::fuzz

#endif  // STRATA_TESTS_FUZZ_FUZZ_INPUT_H_
