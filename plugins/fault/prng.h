// prng.h — the fault layer's seeded pseudo-random generator (SplitMix64).
// Not for cryptography: its only job is to make every "random" choice and
// every jitter draw replay exactly from one seed, on every platform.
#ifndef STRATA_PLUGINS_FAULT_PRNG_H_
#define STRATA_PLUGINS_FAULT_PRNG_H_

#include <cstdint>

namespace strata::fault {

class Prng {
 public:
  explicit Prng(uint64_t seed = 0) : state_(seed) {}

  // Next returns the next 64 pseudo-random bits.
  uint64_t Next();
  // Uniform returns a value in [lo, hi] (inclusive); lo when hi <= lo.
  uint64_t Uniform(uint64_t lo, uint64_t hi);

 private:
  uint64_t state_;
};

}  // namespace strata::fault

#endif  // STRATA_PLUGINS_FAULT_PRNG_H_
