// token_bucket.h — a token bucket for rate limits on what a peer makes us
// do (glitches, resets) and on what we do to a peer (cancels).
#ifndef STRATA_PLUGINS_H2_ENGINE_SESSION_TOKEN_BUCKET_H_
#define STRATA_PLUGINS_H2_ENGINE_SESSION_TOKEN_BUCKET_H_

#include <algorithm>
#include <cstdint>

#include "absl/time/time.h"

namespace strata::h2 {

class TokenBucket {
 public:
  // |burst| tokens at first, refilled at |per_second| up to |burst|.
  TokenBucket(uint32_t burst, double per_second, absl::Time now)
      : burst_(burst), per_second_(per_second), tokens_(burst), last_(now) {}

  // TryTake takes one token; false when the bucket is empty.
  bool TryTake(absl::Time now) {
    Refill(now);
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
  }

  // NextTokenAt is when at least one token will be available.
  absl::Time NextTokenAt(absl::Time now) {
    Refill(now);
    if (tokens_ >= 1.0 || per_second_ <= 0) return tokens_ >= 1.0 ? now : absl::InfiniteFuture();
    return now + absl::Seconds((1.0 - tokens_) / per_second_);
  }

 private:
  void Refill(absl::Time now) {
    if (now > last_) {
      tokens_ = std::min<double>(burst_, tokens_ + absl::ToDoubleSeconds(now - last_) * per_second_);
      last_ = now;
    }
  }

  double burst_;
  double per_second_;
  double tokens_;
  absl::Time last_;
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ENGINE_SESSION_TOKEN_BUCKET_H_
