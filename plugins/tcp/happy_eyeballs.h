// happy_eyeballs.h — RFC 8305 connection racing: the address order (§4) and
// the staggered, non-blocking connection attempts (§5).
//
// A ConnectionRace owns one non-blocking socket per running attempt. It is
// driven by Step() whenever an attempt socket is writable or the next
// attempt is due; it never blocks and never sleeps.
#ifndef STRATA_PLUGINS_TCP_HAPPY_EYEBALLS_H_
#define STRATA_PLUGINS_TCP_HAPPY_EYEBALLS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "plugins/tcp/socket_address.h"

namespace strata::tcp {

// InterleaveFamilies orders addresses for connection attempts (RFC 8305 §4,
// "First Address Family Count" 1): the family of the first address, then the
// other family, alternating; within a family the given order is kept, and
// once one family runs out the rest of the other follows.
std::vector<SocketAddress> InterleaveFamilies(const std::vector<SocketAddress>& addresses);

class ConnectionRace {
 public:
  // Hooks connect the race to its owner. watch/unwatch are called for every
  // attempt socket (unwatch always before close). log receives one line per
  // step ("trying 127.0.0.1:80").
  struct Hooks {
    std::function<void(int fd)> watch;
    std::function<void(int fd)> unwatch;
    std::function<void(const std::string& line)> log;
    // bind, when set, prepares each attempt socket before connect() (the
    // local address and port); it returns an error text when it cannot,
    // and the attempt fails without connecting.
    std::function<std::optional<std::string>(int fd, int family)> bind;
  };

  enum class Outcome { kInProgress, kConnected, kAllFailed };

  // |addresses| are tried in the given order (pass them through
  // InterleaveFamilies first); a new attempt starts every |delay_ms| or as
  // soon as one fails.
  ConnectionRace(std::vector<SocketAddress> addresses, uint64_t delay_ms, Hooks hooks);
  // Unwatches and closes every socket still owned.
  ~ConnectionRace();
  ConnectionRace(const ConnectionRace&) = delete;
  ConnectionRace& operator=(const ConnectionRace&) = delete;

  // Step finishes attempts that completed, starts those that are due at
  // |now_ms| and reports where the race stands. Once kConnected, the losing
  // sockets have been unwatched and closed.
  Outcome Step(uint64_t now_ms);

  // NextAttemptMs is when the next attempt is due (for a wake-up), or 0 when
  // no address is left to try.
  uint64_t NextAttemptMs() const;

  // TakeWinner hands the connected socket to the caller, still watched.
  // Only after Step() returned kConnected; returns -1 otherwise.
  int TakeWinner();
  const SocketAddress* winner_address() const;

  // FailureSummary describes why nothing connected:
  // "connection refused (tried [::1]:1, 127.0.0.1:1)". When the attempts
  // failed differently each address gets its own reason.
  std::string FailureSummary() const;
  // BindFailure is the last error the bind hook gave, or "" when every
  // socket could be bound: then a failed race is the local end's fault.
  const std::string& BindFailure() const { return bind_failure_; }
  // TriedList is every address an attempt was started for: "[::1]:1, ...".
  std::string TriedList() const;

 private:
  struct Attempt {
    int fd;
    SocketAddress address;
    std::chrono::steady_clock::time_point started;
  };
  struct Failure {
    SocketAddress address;
    int error;  // errno value
  };

  void StartNextAttempt(uint64_t now_ms);
  void CheckAttempts(uint64_t now_ms);
  void Win(size_t attempt_index);
  void CloseAttempt(Attempt& attempt);

  std::vector<SocketAddress> addresses_;
  size_t next_address_ = 0;
  uint64_t delay_ms_;
  uint64_t next_attempt_ms_ = 0;
  Hooks hooks_;
  std::vector<Attempt> attempts_;  // running attempts, in start order
  std::vector<SocketAddress> tried_;
  std::vector<Failure> failures_;
  int winner_fd_ = -1;
  std::optional<SocketAddress> winner_;
  std::string bind_failure_;
};

}  // namespace strata::tcp

#endif  // STRATA_PLUGINS_TCP_HAPPY_EYEBALLS_H_
