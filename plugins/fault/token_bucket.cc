#include "plugins/fault/token_bucket.h"

#include <algorithm>

namespace strata::fault {

TokenBucket::TokenBucket(uint64_t bytes_per_second, uint64_t now_ms)
    : rate_(std::max<uint64_t>(bytes_per_second, 1)),
      capacity_(std::max<uint64_t>(rate_ / 10, 1)),
      milli_tokens_(capacity_ * 1000),
      last_ms_(now_ms) {}

uint64_t TokenBucket::Available(uint64_t now_ms) {
  if (now_ms > last_ms_) {
    const uint64_t elapsed = now_ms - last_ms_;
    const uint64_t full = capacity_ * 1000;
    // elapsed * rate_ is bytes*1000 per second*1000 = milli-bytes per ms.
    const uint64_t gained = elapsed > full / rate_ + 1 ? full : elapsed * rate_;
    milli_tokens_ = std::min(full, milli_tokens_ + gained);
    last_ms_ = now_ms;
  }
  return milli_tokens_ / 1000;
}

void TokenBucket::Take(uint64_t bytes) {
  const uint64_t milli = bytes * 1000;
  milli_tokens_ = milli >= milli_tokens_ ? 0 : milli_tokens_ - milli;
}

uint64_t TokenBucket::MsUntilAvailable() const {
  if (milli_tokens_ >= 1000) return 0;
  const uint64_t missing = 1000 - milli_tokens_;
  return std::max<uint64_t>((missing + rate_ - 1) / rate_, 1);
}

}  // namespace strata::fault
