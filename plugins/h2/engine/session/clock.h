// clock.h — the time source the session reads. The session never sleeps or
// arms timers itself: it reports NextDeadline() and expects OnTimer() to be
// called once that time has come. Tests pass a fake clock.
#ifndef STRATA_PLUGINS_H2_ENGINE_SESSION_CLOCK_H_
#define STRATA_PLUGINS_H2_ENGINE_SESSION_CLOCK_H_

#include "absl/time/time.h"

namespace strata::h2 {

class Clock {
 public:
  virtual ~Clock() = default;
  // Now is a monotonic time; only differences matter. It may be as coarse as
  // the owner's event-loop turn (deadlines are armed in milliseconds anyway).
  virtual absl::Time Now() = 0;
  // PreciseNow is Now read as finely as the clock can, for the round-trip
  // measurement (a loopback RTT is a fraction of a millisecond). Never
  // before an earlier Now() or PreciseNow().
  virtual absl::Time PreciseNow() { return Now(); }
};

// FakeClock is a Clock that moves only when told to.
class FakeClock : public Clock {
 public:
  absl::Time Now() override { return now_; }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_ = absl::UnixEpoch() + absl::Hours(1);
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ENGINE_SESSION_CLOCK_H_
