#include "plugins/fault/prng.h"

namespace strata::fault {

uint64_t Prng::Next() {
  // SplitMix64 (Steele, Lea, Flood 2014): a Weyl sequence through a
  // 64-bit finaliser; every seed, 0 included, gives a full-period stream.
  state_ += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Prng::Uniform(uint64_t lo, uint64_t hi) {
  if (hi <= lo) return lo;
  const uint64_t span = hi - lo + 1;
  if (span == 0) return Next();  // [0, 2^64 - 1]
  // Rejection sampling keeps the draw exactly uniform.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t x;
  do {
    x = Next();
  } while (x >= limit);
  return lo + x % span;
}

}  // namespace strata::fault
