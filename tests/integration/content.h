// content.h — deterministic test bodies that are cheap to regenerate, so a
// 64 MiB body can be written and checked without holding it in memory.
#ifndef STRATA_TESTS_INTEGRATION_CONTENT_H_
#define STRATA_TESTS_INTEGRATION_CONTENT_H_

#include <cstdint>
#include <fstream>
#include <string>

namespace strata::test {

// PatternBlock returns |len| pseudo-random bytes for block |index|: every
// byte value occurs (NUL, CR, LF included) and no two blocks are equal, so
// a dropped, repeated or reordered block changes the result.
inline std::string PatternBlock(uint64_t index, size_t len) {
  std::string out(len, '\0');
  uint64_t x = index * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
  for (size_t i = 0; i < len; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = static_cast<char>(x >> 24);
  }
  return out;
}

constexpr size_t kPatternBlockSize = 1 << 20;

// WritePatternFile writes |blocks| pattern blocks to |path|.
inline bool WritePatternFile(const std::string& path, size_t blocks) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (size_t b = 0; b < blocks; ++b) {
    std::string block = PatternBlock(b, kPatternBlockSize);
    out.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
  return static_cast<bool>(out);
}

// Fnv1a64 is a streaming checksum: Update with consecutive pieces.
struct Fnv1a64 {
  uint64_t hash = 0xcbf29ce484222325ull;
  void Update(const void* data, size_t len) {
    const unsigned char* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < len; ++i) {
      hash ^= p[i];
      hash *= 0x100000001b3ull;
    }
  }
};

// FileChecksum returns the checksum and size of |path|'s content.
inline Fnv1a64 FileChecksum(const std::string& path, uint64_t* out_size) {
  Fnv1a64 sum;
  *out_size = 0;
  std::ifstream in(path, std::ios::binary);
  std::string buf(1 << 16, '\0');
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    sum.Update(buf.data(), static_cast<size_t>(n));
    *out_size += static_cast<uint64_t>(n);
  }
  return sum;
}

}  // namespace strata::test

#endif  // STRATA_TESTS_INTEGRATION_CONTENT_H_
