#include "plugins/h2/layer/host_clock.h"

#include <algorithm>
#include <chrono>

namespace strata::h2 {
namespace {

uint64_t LayerNowMs(void* layer) { return static_cast<const sdk::LayerBase*>(layer)->NowMs(); }

int64_t SteadyNs(void*) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

HostClock::HostClock(const sdk::LayerBase* layer)
    : sources_{&LayerNowMs, &SteadyNs, const_cast<sdk::LayerBase*>(layer)} {}

absl::Time HostClock::Now() {
  const uint64_t host_ms = sources_.host_ms(sources_.arg);
  if (host_ms == last_host_ms_) return last_;
  return Read(host_ms);
}

absl::Time HostClock::PreciseNow() { return Read(sources_.host_ms(sources_.arg)); }

absl::Time HostClock::Read(uint64_t host_ms) {
  // The steady clock is read after the host's (which the host may have read
  // earlier in its loop turn): a disagreement can only mean the host clock
  // is behind (or is another clock), and the result never goes back.
  const int64_t steady_ns = sources_.steady_ns(sources_.arg);
  absl::Time t = steady_ns >= 0 && static_cast<uint64_t>(steady_ns / 1000000) == host_ms
                     ? absl::UnixEpoch() + absl::Nanoseconds(steady_ns)
                     : absl::UnixEpoch() + absl::Milliseconds(static_cast<int64_t>(host_ms));
  t = std::max(t, last_);
  last_ = t;
  last_host_ms_ = host_ms;
  return t;
}

uint64_t HostClock::HostDeadlineMs(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return 0;
  const absl::Time now = Now();
  const uint64_t host_now = sources_.host_ms(sources_.arg);
  // 0 would cancel the wake-up: a due deadline asks for "now" (at least 1).
  if (deadline <= now) return std::max<uint64_t>(host_now, 1);
  const int64_t ms = absl::ToInt64Milliseconds(absl::Ceil(deadline - now, absl::Milliseconds(1)));
  return host_now + static_cast<uint64_t>(ms);
}

}  // namespace strata::h2
