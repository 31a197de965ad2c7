#include "runtime/loop/event_loop.h"

#include <functional>

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
