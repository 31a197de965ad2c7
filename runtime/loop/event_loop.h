// event_loop.h — one epoll loop with timers; everything in a runtime runs on it.
//
// Descriptors are level-triggered. A handler is looked up by descriptor at
// dispatch time, so a handler removed while a batch of events is being
// dispatched is never called afterwards.
#ifndef STRATA_RUNTIME_LOOP_EVENT_LOOP_H_
#define STRATA_RUNTIME_LOOP_EVENT_LOOP_H_

#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"

namespace strata {

// MonotonicMs / MonotonicUs: the clock every timeout in strata uses. Inside
// a turn (see TurnClock) they answer from the turn's one reading.
uint64_t MonotonicMs();
uint64_t MonotonicUs();

// TurnClock marks one turn of the runtime (scheduling, I/O dispatch,
// timers): the clock is read when the turn starts and again after each wait
// for events, and every MonotonicUs/Ms call in between answers from that
// reading. A request used to read the clock a dozen times (timings,
// deadlines, progress marks); a turn reads it twice. Nested turns share the
// outer one. Not shared between threads.
class TurnClock {
 public:
  TurnClock();
  ~TurnClock();
  TurnClock(const TurnClock&) = delete;
  TurnClock& operator=(const TurnClock&) = delete;
  // Refresh takes a new reading if a turn is running (after a wait).
  static void Refresh();
};

class IoHandler {
 public:
  virtual ~IoHandler() = default;
  // OnIo is called when |fd| is ready for some of the events it was
  // registered with (EPOLLIN/EPOLLOUT bits; errors and hang-ups are reported
  // as both, so the owner's next read or write sees them).
  virtual void OnIo(int fd, uint32_t events) = 0;
};

class EventLoop {
 public:
  using TimerId = uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  absl::Status init_status() const { return init_status_; }
  int fd() const { return epoll_fd_; }

  // Watch registers |fd| for |events| (EPOLLIN|EPOLLOUT bits) or changes
  // the events of an fd already watched. The handler is borrowed.
  absl::Status Watch(int fd, uint32_t events, IoHandler* handler);
  void Unwatch(int fd);

  // AddTimer runs |fn| once at |deadline_ms| (MonotonicMs clock).
  TimerId AddTimer(uint64_t deadline_ms, std::function<void()> fn);
  void CancelTimer(TimerId id);

  // NextTimeoutMs: ms until the earliest timer (0 if due), -1 if none.
  int64_t NextTimeoutMs() const;
  // TimerEntries is how many timer entries the loop holds, live or
  // cancelled and not yet dropped (for tests: it stays within a small
  // multiple of the live timers).
  size_t TimerEntries() const { return timer_heap_.size(); }

  // RunOnce waits at most |timeout_ms| (-1: no limit other than timers) for
  // events, dispatches them and runs due timers. Returns the number of
  // handlers and timers run.
  int RunOnce(int64_t timeout_ms);

 private:
  struct Registration {
    IoHandler* handler;
    uint32_t events;
  };
  // Timers: a min-heap of (deadline, id) and the callbacks of the live ones
  // by id. A transfer arms and cancels a timer or two per request, so
  // neither may allocate per timer (the tree and node map they replace made
  // four allocations per request with a timeout set). Cancelling only drops
  // the callback; its heap entry is skipped when it comes up, and the heap
  // is rebuilt from the live entries when stale ones are the majority.
  // Ids grow, so equal deadlines keep the order the timers were added in.
  struct HeapEntry {
    uint64_t deadline_ms;
    TimerId id;
  };
  static bool Later(const HeapEntry& a, const HeapEntry& b) {
    return a.deadline_ms != b.deadline_ms ? a.deadline_ms > b.deadline_ms : a.id > b.id;
  }
  // DropStaleTop pops cancelled entries off the top of the heap.
  void DropStaleTop() const;
  void CompactTimers();

  int epoll_fd_ = -1;
  absl::Status init_status_;
  std::unordered_map<int, Registration> fds_;
  mutable std::vector<HeapEntry> timer_heap_;
  absl::flat_hash_map<TimerId, std::function<void()>> timers_;
  TimerId next_timer_id_ = 1;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_LOOP_EVENT_LOOP_H_
