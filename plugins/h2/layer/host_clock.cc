#include "plugins/h2/layer/host_clock.h"

#include <algorithm>
#include <chrono>

namespace strata::h2 {

absl::Time HostClock::Now() {
  // Read the steady clock first: then a disagreement can only mean the host
  // clock moved on (or is another clock), and the result never goes back.
  const int64_t steady_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                std::chrono::steady_clock::now().time_since_epoch())
                                .count();
  const uint64_t host_ms = layer_->NowMs();
  absl::Time t = steady_ns >= 0 && static_cast<uint64_t>(steady_ns / 1000000) == host_ms
                     ? absl::UnixEpoch() + absl::Nanoseconds(steady_ns)
                     : absl::UnixEpoch() + absl::Milliseconds(static_cast<int64_t>(host_ms));
  t = std::max(t, last_);
  last_ = t;
  return t;
}

uint64_t HostClock::HostDeadlineMs(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return 0;
  const absl::Time now = Now();
  const uint64_t host_now = layer_->NowMs();
  // 0 would cancel the wake-up: a due deadline asks for "now" (at least 1).
  if (deadline <= now) return std::max<uint64_t>(host_now, 1);
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(deadline - now, absl::Milliseconds(1)));
  return host_now + static_cast<uint64_t>(ms);
}

}  // namespace strata::h2
