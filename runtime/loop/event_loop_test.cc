#include "runtime/loop/event_loop.h"

#include <functional>
#include <stdexcept>

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <vector>

namespace strata {
namespace {

class Recorder : public IoHandler {
 public:
  void OnIo(int fd, uint32_t events) override { calls.push_back({fd, events}); }
  std::vector<std::pair<int, uint32_t>> calls;
};

TEST(EventLoop, DispatchesReadableDescriptor) {
  EventLoop loop;
  ASSERT_TRUE(loop.init_status().ok());
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  Recorder r;
  ASSERT_TRUE(loop.Watch(p[0], EPOLLIN, &r).ok());
  EXPECT_EQ(loop.RunOnce(0), 0);
  ASSERT_EQ(write(p[1], "x", 1), 1);
  EXPECT_EQ(loop.RunOnce(100), 1);
  ASSERT_EQ(r.calls.size(), 1u);
  EXPECT_EQ(r.calls[0].first, p[0]);
  EXPECT_TRUE(r.calls[0].second & EPOLLIN);
  loop.Unwatch(p[0]);
  EXPECT_EQ(loop.RunOnce(0), 0);
  close(p[0]);
  close(p[1]);
}

TEST(EventLoop, TimersRunInDeadlineOrderAndCanBeCancelled) {
  EventLoop loop;
  std::vector<int> order;
  uint64_t now = MonotonicMs();
  loop.AddTimer(now + 20, [&] { order.push_back(2); });
  loop.AddTimer(now + 1, [&] { order.push_back(1); });
  EventLoop::TimerId cancelled = loop.AddTimer(now + 5, [&] { order.push_back(99); });
  loop.CancelTimer(cancelled);
  EXPECT_GE(loop.NextTimeoutMs(), 0);
  uint64_t start = MonotonicMs();
  while (order.size() < 2 && MonotonicMs() - start < 2000) loop.RunOnce(-1);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(loop.NextTimeoutMs(), -1);
}

// Timers armed and cancelled by the thousand (a transfer's deadlines, one
// or two per request) must not pile up while one far-off timer lives, and
// cancelling must never run or lose the others; equal deadlines run in the
// order they were added.
TEST(EventLoop, CancelledTimersDoNotPileUp) {
  EventLoop loop;
  TurnClock turn;
  std::vector<int> order;
  const uint64_t now = MonotonicMs();
  // The live one is due first, so the cancelled ones are never at the top
  // (where they would be dropped at once): only compaction bounds them.
  loop.AddTimer(now + 100000, [&] { order.push_back(-1); });
  for (int i = 0; i < 20000; ++i) {
    EventLoop::TimerId id = loop.AddTimer(now + 300000 + static_cast<uint64_t>(i % 7), [&] { order.push_back(99); });
    loop.CancelTimer(id);
    loop.CancelTimer(id);  // twice: a no-op
  }
  EXPECT_LE(loop.TimerEntries(), 130u);
  EXPECT_GT(loop.NextTimeoutMs(), 90000);  // the live one is next
  for (int k = 0; k < 3; ++k) loop.AddTimer(now, [&order, k] { order.push_back(k); });
  EventLoop::TimerId gone = loop.AddTimer(now, [&] { order.push_back(98); });
  loop.CancelTimer(gone);
  loop.RunOnce(0);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
  EXPECT_LE(loop.TimerEntries(), 130u);
  EXPECT_GT(loop.NextTimeoutMs(), 90000);
}

// A timer that cancels one due in the same pass keeps it from running.
TEST(EventLoop, ATimerMayCancelAnotherDueNow) {
  EventLoop loop;
  TurnClock turn;
  int fired = 0;
  EventLoop::TimerId second = 0;
  loop.AddTimer(MonotonicMs(), [&] {
    ++fired;
    loop.CancelTimer(second);
  });
  second = loop.AddTimer(MonotonicMs(), [&] { fired += 100; });
  loop.RunOnce(0);
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(loop.NextTimeoutMs(), -1);
}

// A callback that throws (the C API's caller catches it and goes on) must
// not take the other timers due in the same pass with it.
TEST(EventLoop, ATimerThatThrowsLeavesTheOthersDue) {
  EventLoop loop;
  TurnClock turn;
  std::vector<int> order;
  loop.AddTimer(MonotonicMs(), [&] { order.push_back(1); });
  loop.AddTimer(MonotonicMs(), [&] {
    order.push_back(2);
    throw std::runtime_error("callback failed");
  });
  loop.AddTimer(MonotonicMs(), [&] { order.push_back(3); });
  EXPECT_THROW(loop.RunOnce(0), std::runtime_error);
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
  EXPECT_EQ(loop.NextTimeoutMs(), 0);
  loop.RunOnce(0);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(loop.NextTimeoutMs(), -1);
}

TEST(EventLoop, TimerMayAddTimer) {
  EventLoop loop;
  int fired = 0;
  loop.AddTimer(0, [&] {
    ++fired;
    loop.AddTimer(0, [&] { ++fired; });
  });
  loop.RunOnce(0);
  EXPECT_EQ(fired, 1);  // the timer it added waits for the next turn
  loop.RunOnce(0);
  EXPECT_EQ(fired, 2);
}

TEST(EventLoop, TimerThatRearmsItselfNowCannotHoldTheLoop) {
  // A layer that yields its read budget asks to be woken "now" from inside
  // its wake-up: each turn must run it once and go back to the descriptors.
  EventLoop loop;
  TurnClock turn;  // the clock stands still within a turn, as in the runtime
  int fired = 0;
  std::function<void()> rearm = [&] {
    ++fired;
    loop.AddTimer(MonotonicMs(), rearm);
  };
  loop.AddTimer(MonotonicMs(), rearm);
  for (int i = 0; i < 5; ++i) loop.RunOnce(0);
  EXPECT_EQ(fired, 5);
}

}  // namespace
}  // namespace strata
