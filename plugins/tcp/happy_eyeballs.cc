#include "plugins/tcp/happy_eyeballs.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "plugins/tcp/errno_text.h"

namespace strata::tcp {

std::vector<SocketAddress> InterleaveFamilies(const std::vector<SocketAddress>& addresses) {
  if (addresses.empty()) return {};
  const int first_family = addresses.front().family();
  std::vector<SocketAddress> first, other;
  for (const SocketAddress& a : addresses) {
    (a.family() == first_family ? first : other).push_back(a);
  }
  std::vector<SocketAddress> out;
  out.reserve(addresses.size());
  for (size_t i = 0; i < first.size() || i < other.size(); ++i) {
    if (i < first.size()) out.push_back(first[i]);
    if (i < other.size()) out.push_back(other[i]);
  }
  return out;
}

ConnectionRace::ConnectionRace(std::vector<SocketAddress> addresses, uint64_t delay_ms,
                               Hooks hooks)
    : addresses_(std::move(addresses)), delay_ms_(delay_ms), hooks_(std::move(hooks)) {}

ConnectionRace::~ConnectionRace() {
  for (Attempt& attempt : attempts_) CloseAttempt(attempt);
  if (winner_fd_ >= 0) {
    hooks_.unwatch(winner_fd_);
    close(winner_fd_);
  }
}

ConnectionRace::Outcome ConnectionRace::Step(uint64_t now_ms) {
  if (winner_) return Outcome::kConnected;
  CheckAttempts(now_ms);
  // Start every attempt that is due: the first one, one per delay, and one
  // right away whenever the previous attempt failed (RFC 8305 §5).
  while (!winner_ && next_address_ < addresses_.size() &&
         (attempts_.empty() || now_ms >= next_attempt_ms_)) {
    StartNextAttempt(now_ms);
  }
  if (winner_) return Outcome::kConnected;
  if (attempts_.empty() && next_address_ >= addresses_.size()) return Outcome::kAllFailed;
  return Outcome::kInProgress;
}

uint64_t ConnectionRace::NextAttemptMs() const {
  if (winner_ || next_address_ >= addresses_.size()) return 0;
  return next_attempt_ms_;
}

void ConnectionRace::StartNextAttempt(uint64_t now_ms) {
  const SocketAddress& address = addresses_[next_address_++];
  tried_.push_back(address);
  hooks_.log("trying " + address.ToString());
  auto started = std::chrono::steady_clock::now();
  int fd = socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    // E.g. EAFNOSUPPORT on a host without IPv6: fall through to the next
    // address at once, as for a failed connect.
    failures_.push_back({address, errno});
    hooks_.log("socket for " + address.ToString() + " failed: " + ErrnoText(errno));
    return;
  }
  if (hooks_.bind) {
    if (std::optional<std::string> error = hooks_.bind(fd, address.family())) {
      close(fd);
      failures_.push_back({address, EADDRNOTAVAIL});
      bind_failure_ = *error;
      hooks_.log(*error);
      return;
    }
  }
  // On a non-blocking socket EINTR, like EINPROGRESS, means the connect
  // goes on in the background; retrying would fail with EALREADY.
  int rc = connect(fd, address.get(), address.size());
  if (rc < 0 && errno != EINPROGRESS && errno != EINTR) {
    int error = errno;
    close(fd);
    failures_.push_back({address, error});
    hooks_.log("connect to " + address.ToString() + " failed: " + ErrnoText(error));
    return;
  }
  hooks_.watch(fd);
  attempts_.push_back({fd, address, started});
  next_attempt_ms_ = now_ms + delay_ms_;
  if (rc == 0) Win(attempts_.size() - 1);
}

void ConnectionRace::CheckAttempts(uint64_t now_ms) {
  if (attempts_.empty()) return;
  std::vector<pollfd> fds(attempts_.size());
  for (size_t i = 0; i < attempts_.size(); ++i) fds[i] = {attempts_[i].fd, POLLOUT, 0};
  // A zero timeout: this only asks which attempts have finished.
  if (poll(fds.data(), fds.size(), 0) <= 0) return;
  std::vector<Attempt> still_running;
  std::optional<size_t> won;
  for (size_t i = 0; i < attempts_.size(); ++i) {
    Attempt& attempt = attempts_[i];
    if (fds[i].revents == 0 || won) {
      still_running.push_back(attempt);
      continue;
    }
    int error = 0;
    socklen_t len = sizeof(error);
    if (getsockopt(attempt.fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0) error = errno;
    if (error == 0 && (fds[i].revents & POLLOUT)) {
      won = still_running.size();
      still_running.push_back(attempt);
      continue;
    }
    if (error == 0) error = ECONNREFUSED;  // POLLERR/POLLHUP without a reason
    failures_.push_back({attempt.address, error});
    hooks_.log("connect to " + attempt.address.ToString() + " failed: " + ErrnoText(error));
    CloseAttempt(attempt);
    // A failure frees the next address to go now rather than after the delay.
    next_attempt_ms_ = now_ms;
  }
  attempts_ = std::move(still_running);
  if (won) Win(*won);
}

void ConnectionRace::Win(size_t attempt_index) {
  Attempt winner = attempts_[attempt_index];
  auto elapsed = std::chrono::steady_clock::now() - winner.started;
  double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  char when[32];
  std::snprintf(when, sizeof(when), "%.1f", ms);
  for (size_t i = 0; i < attempts_.size(); ++i) {
    if (i != attempt_index) CloseAttempt(attempts_[i]);
  }
  attempts_.clear();
  winner_fd_ = winner.fd;
  winner_ = winner.address;
  hooks_.log("connected to " + winner.address.ToString() + " in " + when + " ms");
}

void ConnectionRace::CloseAttempt(Attempt& attempt) {
  if (attempt.fd < 0) return;
  hooks_.unwatch(attempt.fd);
  close(attempt.fd);
  attempt.fd = -1;
}

int ConnectionRace::TakeWinner() {
  int fd = winner_fd_;
  winner_fd_ = -1;
  return fd;
}

const SocketAddress* ConnectionRace::winner_address() const {
  return winner_ ? &*winner_ : nullptr;
}

std::string ConnectionRace::TriedList() const { return JoinEndpoints(tried_); }

std::string ConnectionRace::FailureSummary() const {
  if (failures_.empty()) return "no address to try";
  bool same = true;
  for (const Failure& f : failures_) same = same && f.error == failures_.front().error;
  std::string out = ErrnoText(failures_.back().error) + " (tried ";
  if (same) {
    out += TriedList();
  } else {
    for (size_t i = 0; i < failures_.size(); ++i) {
      if (i > 0) out += ", ";
      out += failures_[i].address.ToString() + ": " + ErrnoText(failures_[i].error);
    }
  }
  return out + ")";
}

}  // namespace strata::tcp
