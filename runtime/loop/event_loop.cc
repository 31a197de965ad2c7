#include "runtime/loop/event_loop.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

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
  timers_[id] = {deadline_ms, std::move(fn)};
  timer_order_.emplace(deadline_ms, id);
  return id;
}

void EventLoop::CancelTimer(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  auto range = timer_order_.equal_range(it->second.first);
  for (auto o = range.first; o != range.second; ++o) {
    if (o->second == id) {
      timer_order_.erase(o);
      break;
    }
  }
  timers_.erase(it);
}

int64_t EventLoop::NextTimeoutMs() const {
  if (timer_order_.empty()) return -1;
  uint64_t now = MonotonicMs();
  uint64_t first = timer_order_.begin()->first;
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
  const TimerId first_new = next_timer_id_;
  std::vector<TimerId> due;
  for (auto o = timer_order_.begin(); o != timer_order_.end() && o->first <= now; ++o) {
    if (o->second < first_new) due.push_back(o->second);
  }
  for (TimerId id : due) {
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;  // cancelled by an earlier timer
    auto range = timer_order_.equal_range(it->second.first);
    for (auto o = range.first; o != range.second; ++o) {
      if (o->second == id) {
        timer_order_.erase(o);
        break;
      }
    }
    std::function<void()> fn = std::move(it->second.second);
    timers_.erase(it);
    fn();
    ++ran;
  }
  return ran;
}

}  // namespace strata
