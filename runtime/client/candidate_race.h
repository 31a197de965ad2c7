// candidate_race.h — racing candidate chains for one hop, Happy-Eyeballs
// style (RFC 8305 §5's idea, for whole chains rather than addresses).
//
// A hop may have several ways to reach its origin: the entries of a proxy
// list (proxy.url given as a list), and later an HTTP/3 chain against a TCP
// one. The race starts them in order of preference, each |stagger_ms| after
// the previous unless an earlier one already connected; one that fails
// lets the next start at once. The first to finish connecting (its whole
// chain: sockets, TLS, CONNECT, SOCKS, handshake policies) wins and carries
// the request; the others are cancelled. It knows nothing of proxies,
// sockets or clocks: the runtime (runtime_race.cc) tells it what happened
// and when, and asks it what to start, so it is tested without a socket.
#ifndef STRATA_RUNTIME_CLIENT_CANDIDATE_RACE_H_
#define STRATA_RUNTIME_CLIENT_CANDIDATE_RACE_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace strata {

// Why a candidate stands where it does.
enum class CandidateState {
  kWaiting,        // not started yet
  kConnecting,     // started, its chain not ready yet
  kWon,            // connected first: it carries the request
  kRefused,        // its peer refused it (connection refused, a proxy's non-2xx)
  kFailed,         // failed otherwise (TLS, DNS, a reset...)
  kTimedOut,       // a connect timeout expired while it was connecting
  kCancelled,      // still connecting (or never started) when another won
  kPolicyRefused,  // a policy denied its plan or its handshake
};

// CandidateStateName: "refused", "timed out", ... for traces and errors.
const char* CandidateStateName(CandidateState state);

struct CandidateStatus {
  CandidateState state = CandidateState::kWaiting;
  uint64_t started_ms = 0;  // 0 until started
  uint64_t ended_ms = 0;    // when it won or lost
  std::string reason;       // why it lost (the error), "" otherwise
};

class CandidateRace {
 public:
  // |count| candidates, most preferred first; |stagger_ms| between starts
  // (0 starts them all at once).
  CandidateRace(size_t count, uint64_t stagger_ms);

  // Refuse takes candidate |i| out before it starts (a policy denied its
  // plan). No effect once it started.
  void Refuse(size_t i, CandidateState state, std::string reason, uint64_t now_ms);
  // DueStarts marks connecting, and returns, the candidates to start at
  // |now_ms|: the next waiting one when none is connecting or the last
  // start was |stagger_ms| ago (repeatedly, so a stagger of 0 starts all).
  std::vector<size_t> DueStarts(uint64_t now_ms);
  // Lost: connecting candidate |i| failed (|state| says how); the next
  // waiting one is due at once.
  void Lost(size_t i, CandidateState state, std::string reason, uint64_t now_ms);
  // Won: candidate |i| connected first. Every other connecting or waiting
  // candidate is cancelled; returns those that were connecting (their
  // chains are to be closed).
  std::vector<size_t> Won(size_t i, uint64_t now_ms);
  // TimeOut: the hop's connect timeout expired; every connecting candidate
  // timed out and the waiting ones are cancelled.
  void TimeOut(uint64_t now_ms, const std::string& reason);

  std::optional<size_t> winner() const { return winner_; }
  // Over: won, or nothing is connecting or left to start (all lost).
  bool over() const;
  // NextStartMs: when the next waiting candidate is due if nothing else
  // happens, or nullopt (none left, or won).
  std::optional<uint64_t> NextStartMs() const;
  const std::vector<CandidateStatus>& candidates() const { return candidates_; }

 private:
  std::optional<size_t> NextWaiting() const;
  size_t Connecting() const;

  std::vector<CandidateStatus> candidates_;
  uint64_t stagger_ms_;
  std::optional<uint64_t> last_start_ms_;
  std::optional<size_t> winner_;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_CANDIDATE_RACE_H_
