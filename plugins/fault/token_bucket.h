// token_bucket.h — a byte-rate cap for one direction of the fault layer.
// The bucket holds at most a tenth of a second's worth of bytes (at least
// one), starts full and refills continuously; time comes from the caller
// (the host's now_ms clock), so tests move it by hand.
#ifndef STRATA_PLUGINS_FAULT_TOKEN_BUCKET_H_
#define STRATA_PLUGINS_FAULT_TOKEN_BUCKET_H_

#include <cstdint>

namespace strata::fault {

class TokenBucket {
 public:
  // |bytes_per_second| > 0; |now_ms| is when the bucket starts full.
  TokenBucket(uint64_t bytes_per_second, uint64_t now_ms);

  // Available refills up to |now_ms| and returns the whole bytes that may
  // pass now.
  uint64_t Available(uint64_t now_ms);
  // Take spends |bytes| (at most what Available returned).
  void Take(uint64_t bytes);
  // MsUntilAvailable is how long from the last refill until one byte may
  // pass (0 if one may pass now); at least 1 when none may.
  uint64_t MsUntilAvailable() const;
  uint64_t capacity() const { return capacity_; }

 private:
  uint64_t rate_;
  uint64_t capacity_;       // bytes
  uint64_t milli_tokens_;   // bytes * 1000, so sub-byte refills add up
  uint64_t last_ms_;
};

}  // namespace strata::fault

#endif  // STRATA_PLUGINS_FAULT_TOKEN_BUCKET_H_
