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
  // Sources reads the two clocks; tests give their own.
  struct Sources {
    uint64_t (*host_ms)(void* arg) = nullptr;  // the host's now_ms()
    int64_t (*steady_ns)(void* arg) = nullptr;  // CLOCK_MONOTONIC in ns
    void* arg = nullptr;
  };
  explicit HostClock(const sdk::LayerBase* layer);
  explicit HostClock(const Sources& sources) : sources_(sources) {}

  // Now is the host's now_ms(). Milliseconds are too coarse for a loopback
  // round trip, so when std::chrono::steady_clock reads the same millisecond
  // (it is the runtime's CLOCK_MONOTONIC) its finer reading is used; a host
  // with another clock (a test's fake one) gets whole milliseconds.
  // The steady clock is read only when the host's millisecond moved since
  // the last call: the host caches now_ms() per loop turn, and a vdso read
  // per call (per stream closed, per deadline) showed in profiles; within
  // one host millisecond Now() returns the time it returned before.
  absl::Time Now() override;
  // PreciseNow reads the steady clock whatever the host's millisecond (for
  // the RTT).
  absl::Time PreciseNow() override;

  // HostDeadlineMs converts a session deadline into now_ms() terms for
  // wake_at(), rounding up so the timer never fires early; 0 for never.
  uint64_t HostDeadlineMs(absl::Time deadline);

 private:
  absl::Time Read(uint64_t host_ms);

  Sources sources_;
  absl::Time last_ = absl::InfinitePast();
  uint64_t last_host_ms_ = UINT64_MAX;  // no call yet
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_LAYER_HOST_CLOCK_H_
