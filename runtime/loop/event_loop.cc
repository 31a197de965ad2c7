#include "runtime/loop/event_loop.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace strata {

namespace {

uint64_t ReadClockUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

thread_local int turn_depth = 0;
thread_local uint64_t turn_us = 0;

}  // namespace

uint64_t MonotonicUs() { return turn_depth > 0 ? turn_us : ReadClockUs(); }

uint64_t MonotonicMs() { return MonotonicUs() / 1000u; }

TurnClock::TurnClock() {
  if (turn_depth++ == 0) turn_us = ReadClockUs();
}

TurnClock::~TurnClock() { --turn_depth; }

void TurnClock::Refresh() {
  if (turn_depth > 0) turn_us = ReadClockUs();
}

EventLoop::EventLoop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) {
    init_status_ = absl::InternalError(absl::StrCat("epoll_create1: ", strerror(errno)));
  }
}

EventLoop::~EventLoop() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

absl::Status EventLoop::Watch(int fd, uint32_t events, IoHandler* handler) {
  auto it = fds_.find(fd);
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (it == fds_.end()) {
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      return absl::InternalError(absl::StrCat("epoll_ctl(ADD, fd ", fd, "): ", strerror(errno)));
    }
    fds_[fd] = Registration{handler, events};
    return absl::OkStatus();
  }
  it->second.handler = handler;
  if (it->second.events != events) {
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0) {
      return absl::InternalError(absl::StrCat("epoll_ctl(MOD, fd ", fd, "): ", strerror(errno)));
    }
    it->second.events = events;
  }
  return absl::OkStatus();
}

void EventLoop::Unwatch(int fd) {
  if (fds_.erase(fd)) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

EventLoop::TimerId EventLoop::AddTimer(uint64_t deadline_ms, std::function<void()> fn) {
  TimerId id = next_timer_id_++;
  timers_.emplace(id, std::move(fn));
  timer_heap_.push_back({deadline_ms, id});
  std::push_heap(timer_heap_.begin(), timer_heap_.end(), Later);
  return id;
}

void EventLoop::CancelTimer(TimerId id) {
  if (timers_.erase(id) == 0) return;
  DropStaleTop();
  if (timer_heap_.size() > 64 && timer_heap_.size() > 2 * timers_.size()) CompactTimers();
}

void EventLoop::DropStaleTop() const {
  while (!timer_heap_.empty() && !timers_.contains(timer_heap_.front().id)) {
    std::pop_heap(timer_heap_.begin(), timer_heap_.end(), Later);
    timer_heap_.pop_back();
  }
}

void EventLoop::CompactTimers() {
  timer_heap_.erase(std::remove_if(timer_heap_.begin(), timer_heap_.end(),
                                   [this](const HeapEntry& e) { return !timers_.contains(e.id); }),
                    timer_heap_.end());
  std::make_heap(timer_heap_.begin(), timer_heap_.end(), Later);
}

int64_t EventLoop::NextTimeoutMs() const {
  DropStaleTop();
  if (timer_heap_.empty()) return -1;
  uint64_t now = MonotonicMs();
  uint64_t first = timer_heap_.front().deadline_ms;
  return first <= now ? 0 : static_cast<int64_t>(first - now);
}

int EventLoop::RunOnce(int64_t timeout_ms) {
  int64_t wait = NextTimeoutMs();
  if (timeout_ms >= 0 && (wait < 0 || timeout_ms < wait)) wait = timeout_ms;
  if (wait > 1000000) wait = 1000000;
  epoll_event events[64];
  int n = epoll_wait(epoll_fd_, events, 64, static_cast<int>(wait));
  TurnClock::Refresh();  // time passed while waiting (and while scheduling before it)
  int ran = 0;
  for (int i = 0; i < n; ++i) {
    int fd = events[i].data.fd;
    auto it = fds_.find(fd);
    if (it == fds_.end()) continue;  // unwatched by an earlier handler in this batch
    uint32_t ev = events[i].events;
    if (ev & (EPOLLERR | EPOLLHUP)) ev |= EPOLLIN | EPOLLOUT;
    it->second.handler->OnIo(fd, ev & (EPOLLIN | EPOLLOUT));
    ++ran;
  }
  // Timers due now. Only those that existed before this pass run: a timer
  // added by one of them (a layer yielding its read budget asks to be woken
  // "now") waits for the next turn, after the next look at the descriptors,
  // so a busy connection cannot keep the loop in its timer phase forever.
  // A timer may cancel others, so each is looked up again before it runs.
  uint64_t now = MonotonicMs();
  DropStaleTop();
  if (timer_heap_.empty() || timer_heap_.front().deadline_ms > now) return ran;
  std::vector<HeapEntry> due;
  due.reserve(timer_heap_.size());  // no allocation while entries are off the heap
  while (!timer_heap_.empty() && timer_heap_.front().deadline_ms <= now) {
    due.push_back(timer_heap_.front());
    std::pop_heap(timer_heap_.begin(), timer_heap_.end(), Later);
    timer_heap_.pop_back();
  }
  size_t next = 0;
  try {
    for (; next < due.size(); ++next) {
      auto it = timers_.find(due[next].id);
      if (it == timers_.end()) continue;  // cancelled (perhaps by an earlier timer)
      std::function<void()> fn = std::move(it->second);
      timers_.erase(it);
      fn();
      ++ran;
    }
  } catch (...) {
    // A callback threw (the runtime's caller catches it and goes on): the
    // timers after it go back on the heap, to run on the next turn rather
    // than be lost.
    for (++next; next < due.size(); ++next) {
      timer_heap_.push_back(due[next]);
      std::push_heap(timer_heap_.begin(), timer_heap_.end(), Later);
    }
    throw;
  }
  return ran;
}

}  // namespace strata
