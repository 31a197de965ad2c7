// host_clock.h — the engine's Clock on the host's now_ms() clock, so the
// session's deadlines and the host's wake_at() agree (and a test host's
// fake clock drives both).
#ifndef STRATA_PLUGINS_H2_LAYER_HOST_CLOCK_H_
#define STRATA_PLUGINS_H2_LAYER_HOST_CLOCK_H_

#include <cstdint>

#include "absl/time/time.h"
#include "plugins/h2/engine/session/clock.h"
#include "strata/sdk.hpp"

namespace strata::h2 {

class HostClock : public Clock {
 public:
  explicit HostClock(const sdk::LayerBase* layer) : layer_(layer) {}

  // Now is the host's now_ms(). Milliseconds are too coarse for a loopback
  // round trip, so when std::chrono::steady_clock reads the same millisecond
  // (it is the runtime's CLOCK_MONOTONIC) its finer reading is used; a host
  // with another clock (a test's fake one) gets whole milliseconds.
  absl::Time Now() override;

  // HostDeadlineMs converts a session deadline into now_ms() terms for
  // wake_at(), rounding up so the timer never fires early; 0 for never.
  uint64_t HostDeadlineMs(absl::Time deadline);

 private:
  const sdk::LayerBase* layer_;
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_LAYER_HOST_CLOCK_H_
