#include "runtime/client/candidate_race.h"

#include <string>
#include <utility>

namespace strata {

const char* CandidateStateName(CandidateState state) {
  switch (state) {
    case CandidateState::kWaiting:
      return "not started";
    case CandidateState::kConnecting:
      return "connecting";
    case CandidateState::kWon:
      return "won";
    case CandidateState::kRefused:
      return "refused";
    case CandidateState::kFailed:
      return "failed";
    case CandidateState::kTimedOut:
      return "timed out";
    case CandidateState::kCancelled:
      return "cancelled";
    case CandidateState::kPolicyRefused:
      return "policy refused";
  }
  return "unknown";
}

CandidateRace::CandidateRace(size_t count, uint64_t stagger_ms) : candidates_(count), stagger_ms_(stagger_ms) {}

std::optional<size_t> CandidateRace::NextWaiting() const {
  for (size_t i = 0; i < candidates_.size(); ++i) {
    if (candidates_[i].state == CandidateState::kWaiting) return i;
  }
  return std::nullopt;
}

size_t CandidateRace::Connecting() const {
  size_t n = 0;
  for (const CandidateStatus& c : candidates_) n += c.state == CandidateState::kConnecting;
  return n;
}

void CandidateRace::Refuse(size_t i, CandidateState state, std::string reason, uint64_t now_ms) {
  if (i >= candidates_.size() || candidates_[i].state != CandidateState::kWaiting) return;
  candidates_[i].state = state;
  candidates_[i].reason = std::move(reason);
  candidates_[i].ended_ms = now_ms;
}

std::vector<size_t> CandidateRace::DueStarts(uint64_t now_ms) {
  std::vector<size_t> due;
  if (winner_) return due;
  while (std::optional<size_t> next = NextWaiting()) {
    // An earlier candidate still connecting gets its stagger; one that
    // failed gives way at once (nothing is left to wait for).
    const bool waited = last_start_ms_ && now_ms >= *last_start_ms_ + stagger_ms_;
    if (Connecting() > 0 && !waited) break;
    CandidateStatus& c = candidates_[*next];
    c.state = CandidateState::kConnecting;
    c.started_ms = now_ms;
    last_start_ms_ = now_ms;
    due.push_back(*next);
  }
  return due;
}

void CandidateRace::Lost(size_t i, CandidateState state, std::string reason, uint64_t now_ms) {
  if (i >= candidates_.size() || candidates_[i].state != CandidateState::kConnecting) return;
  candidates_[i].state = state;
  candidates_[i].reason = std::move(reason);
  candidates_[i].ended_ms = now_ms;
}

std::vector<size_t> CandidateRace::Won(size_t i, uint64_t now_ms) {
  std::vector<size_t> cancelled;
  if (winner_ || i >= candidates_.size() || candidates_[i].state != CandidateState::kConnecting) return cancelled;
  winner_ = i;
  candidates_[i].state = CandidateState::kWon;
  candidates_[i].ended_ms = now_ms;
  for (size_t k = 0; k < candidates_.size(); ++k) {
    CandidateStatus& c = candidates_[k];
    if (c.state != CandidateState::kConnecting && c.state != CandidateState::kWaiting) continue;
    const bool connecting = c.state == CandidateState::kConnecting;
    if (connecting) cancelled.push_back(k);
    c.state = CandidateState::kCancelled;
    c.reason = connecting ? "still connecting when candidate " + std::to_string(i + 1) + " won"
                          : "not started: candidate " + std::to_string(i + 1) + " won first";
    c.ended_ms = now_ms;
  }
  return cancelled;
}

void CandidateRace::TimeOut(uint64_t now_ms, const std::string& reason) {
  for (CandidateStatus& c : candidates_) {
    if (c.state == CandidateState::kConnecting) {
      c.state = CandidateState::kTimedOut;
      c.reason = reason;
    } else if (c.state == CandidateState::kWaiting) {
      c.state = CandidateState::kCancelled;
      c.reason = "not started before the connect timeout";
    } else {
      continue;
    }
    c.ended_ms = now_ms;
  }
}

bool CandidateRace::over() const { return winner_.has_value() || (Connecting() == 0 && !NextWaiting()); }

std::optional<uint64_t> CandidateRace::NextStartMs() const {
  if (winner_ || !NextWaiting()) return std::nullopt;
  if (!last_start_ms_ || Connecting() == 0) return 0;  // due now
  return *last_start_ms_ + stagger_ms_;
}

}  // namespace strata
