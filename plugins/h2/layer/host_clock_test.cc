#include "plugins/h2/layer/host_clock.h"

#include "gtest/gtest.h"

namespace strata::h2 {
namespace {

// TwoClocks is a host clock and a steady clock under the test's control,
// counting how often the steady one is read.
struct TwoClocks {
  uint64_t host_ms = 5000;
  int64_t steady_ns = 5000 * 1000000LL + 250000;  // 5000.25 ms
  int steady_reads = 0;

  HostClock::Sources sources() {
    return {[](void* a) { return static_cast<TwoClocks*>(a)->host_ms; },
            [](void* a) {
              auto* c = static_cast<TwoClocks*>(a);
              ++c->steady_reads;
              return c->steady_ns;
            },
            this};
  }
};

absl::Time Ms(double ms) { return absl::UnixEpoch() + absl::Microseconds(ms * 1000); }

TEST(HostClockTest, UsesTheSteadyReadingWhenBothAgreeOnTheMillisecond) {
  TwoClocks c;
  HostClock clock(c.sources());
  EXPECT_EQ(clock.Now(), Ms(5000.25));
}

TEST(HostClockTest, AnotherClockGivesWholeHostMilliseconds) {
  TwoClocks c;
  c.steady_ns = 77;  // a fake host clock: the two never agree
  HostClock clock(c.sources());
  EXPECT_EQ(clock.Now(), Ms(5000));
  c.host_ms = 5003;
  EXPECT_EQ(clock.Now(), Ms(5003));
}

TEST(HostClockTest, SteadyClockIsNotReadAgainWhileTheHostMillisecondStands) {
  TwoClocks c;
  HostClock clock(c.sources());
  EXPECT_EQ(clock.Now(), Ms(5000.25));
  c.steady_ns += 500000;  // the steady clock moves on inside the host's turn
  for (int i = 0; i < 10; ++i) EXPECT_EQ(clock.Now(), Ms(5000.25));
  EXPECT_EQ(c.steady_reads, 1);
  c.host_ms = 5001;  // next loop turn
  c.steady_ns = 5001 * 1000000LL + 100000;
  EXPECT_EQ(clock.Now(), Ms(5001.1));
  EXPECT_EQ(c.steady_reads, 2);
}

TEST(HostClockTest, PreciseNowReadsTheSteadyClockAndNowFollowsIt) {
  TwoClocks c;
  HostClock clock(c.sources());
  EXPECT_EQ(clock.Now(), Ms(5000.25));
  c.steady_ns += 400000;
  EXPECT_EQ(clock.PreciseNow(), Ms(5000.65));
  EXPECT_EQ(c.steady_reads, 2);
  EXPECT_EQ(clock.Now(), Ms(5000.65));  // never back to the cached reading
}

TEST(HostClockTest, NeverGoesBack) {
  TwoClocks c;
  HostClock clock(c.sources());
  const absl::Time first = clock.Now();  // 5000.25
  // The host's clock steps back (another clock than the steady one now).
  c.host_ms = 4990;
  c.steady_ns = 1;
  EXPECT_EQ(clock.Now(), first);
  EXPECT_EQ(clock.PreciseNow(), first);
  // A host millisecond behind the steady one (cached at the start of its
  // turn): whole host milliseconds, still not before what was returned.
  c.host_ms = 5002;
  c.steady_ns = 5003 * 1000000LL;
  EXPECT_EQ(clock.Now(), Ms(5002));
}

TEST(HostClockTest, HostDeadlineRoundsUpAndNeverCancels) {
  TwoClocks c;
  HostClock clock(c.sources());
  EXPECT_EQ(clock.HostDeadlineMs(absl::InfiniteFuture()), 0u);
  EXPECT_EQ(clock.HostDeadlineMs(Ms(5000.25) + absl::Microseconds(100)), 5001u);
  EXPECT_EQ(clock.HostDeadlineMs(Ms(4000)), 5000u);
  c.host_ms = 0;
  c.steady_ns = 0;
  HostClock at_zero(c.sources());
  EXPECT_EQ(at_zero.HostDeadlineMs(absl::UnixEpoch()), 1u);
}

}  // namespace
}  // namespace strata::h2
