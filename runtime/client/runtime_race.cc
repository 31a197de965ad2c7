// runtime_race.cc — a hop raced between candidate chains: the entries of a
// proxy list (proxy.url given as a list, PAC-style). CandidateRace
// (candidate_race.h) decides what starts when and who won; this file turns
// its decisions into connections and its outcome into trace events, and
// remembers winners per origin (WinnerMemory, proxy.remember_ms).
//
// While a race runs the transfer is connecting with no connection of its
// own (h_.conn is null): each started candidate has a pooled connection set
// up for the transfer (connecting_for), so its state changes wake the
// transfer like any connection being set up. The first whose whole chain is
// ready (and passes the handshake policies) becomes h_.conn and h_.plan;
// the others are closed. Everything happens in Step, outside plugin calls.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "runtime/client/layer_insertion.h"
#include "runtime/client/runtime.h"

namespace strata {
namespace {

bool IsReadyConn(const Connection* c) { return c->state() == Connection::State::kReady; }
bool IsDeadConn(const Connection* c) { return c->state() == Connection::State::kDead; }

// LossOf sorts a candidate's failure: the peer said no, the wait ran out,
// or anything else.
CandidateState LossOf(strata_status status) {
  if (status == STRATA_E_TIMEOUT) return CandidateState::kTimedOut;
  if (status == STRATA_E_CONNECT || status == STRATA_E_PROXY) return CandidateState::kRefused;
  if (status == STRATA_E_POLICY_DENIED) return CandidateState::kPolicyRefused;
  return CandidateState::kFailed;
}

std::string Describe(const LayerError& e) {
  if (e.message.empty()) return strata_status_name(e.status);
  return e.layer.empty() ? e.message : absl::StrCat(e.layer, ": ", e.message);
}

std::string Ordinal(size_t i, size_t n) { return absl::StrCat("candidate ", i + 1, " of ", n); }

}  // namespace

void Runtime::EmitRace(Transfer* t, const std::string& message) {
  if (!Wants(STRATA_EVENT_TRACE)) return;
  Emit(STRATA_EVENT_TRACE, t->hop_, "race", message, t->hop_request_.url.ToString(false), 0, 0, "",
       MonotonicUs() - t->started_us_, t);
}

bool Runtime::PlanCandidates(Transfer* t, const std::vector<std::string>& list) {
  const Url& url = t->hop_request_.url;
  std::vector<HopRace::Candidate> candidates;
  std::vector<std::string> planning_errors(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    HopRace::Candidate c;
    absl::StatusOr<HopPlan> plan = planner_->Plan(url, t->request_.options, t->hop_, &list[i]);
    if (plan.ok()) {
      InsertAboveBottom(t->request_.options.layer_above_bottom, &*plan);
      c.label = plan->proxy_url.empty() ? std::string(kDirectCandidate) : plan->proxy_url;
      c.plan = *std::move(plan);
    } else {
      c.label = absl::StrCat("entry ", i + 1);
      planning_errors[i] = std::string(plan.status().message());
    }
    candidates.push_back(std::move(c));
  }
  // The winner is remembered per origin and per list: another list (a
  // configuration change) races anew.
  const std::string key = absl::StrCat(url.scheme, "://", url.HostPort(), "\n", absl::StrJoin(list, "\n"));
  const uint64_t now = MonotonicMs();
  if (std::optional<WinnerMemory::Recall> recall = winners_.Lookup(key, now);
      recall && recall->index < candidates.size() && candidates[recall->index].plan) {
    HopRace::Candidate& c = candidates[recall->index];
    HopDenial denial;
    if (policies_->empty() || CheckHopPolicies(t, &*c.plan, &denial)) {
      EmitRace(t, absl::StrCat("remembered winner: ", Ordinal(recall->index, candidates.size()), " (", c.label,
                               ") for ", url.scheme, "://", url.HostPort(), ", for ", recall->expires_ms - now,
                               " ms more; no race"));
      t->h_.plan = std::make_shared<const HopPlan>(*std::move(c.plan));
      t->h_.remembered_key = key;
      return true;
    }
    winners_.Forget(key);
    EmitRace(t, absl::StrCat("remembered winner ", c.label, " is refused by a policy now (", denial.message,
                             "); racing again"));
  }
  // One way only (no_proxy sent every entry direct, or a list of one): no
  // race, and nothing to remember.
  bool one_way = candidates.front().plan.has_value();
  for (const HopRace::Candidate& c : candidates) {
    one_way = one_way && c.plan && c.plan->fingerprint == candidates.front().plan->fingerprint;
  }
  if (one_way) {
    t->h_.plan = std::make_shared<const HopPlan>(*std::move(candidates.front().plan));
    return policies_->empty() || ApplyHopPolicies(t);
  }
  auto race = std::make_unique<HopRace>(std::move(candidates), static_cast<uint64_t>(config_.proxy.stagger_ms), key);
  race->remember_ms = static_cast<uint64_t>(config_.proxy.remember_ms);
  StartRace(t, std::move(race), planning_errors);
  return false;
}

void Runtime::StartRace(Transfer* t, std::unique_ptr<HopRace> race, const std::vector<std::string>& planning_errors) {
  const Url& url = t->hop_request_.url;
  const uint64_t now = MonotonicMs();
  const size_t n = race->candidates.size();
  t->h_.race = std::move(race);
  HopRace& r = *t->h_.race;
  r.started_ms = now;
  for (size_t i = 0; i < n; ++i) {
    HopRace::Candidate& c = r.candidates[i];
    if (!c.plan) {
      r.race.Refuse(i, CandidateState::kFailed, i < planning_errors.size() ? planning_errors[i] : "", now);
      c.status = STRATA_E_CONFIG;
      continue;
    }
    // Every candidate's chain is put to the policies, not only the winner's:
    // a denied one never starts.
    HopDenial denial;
    if (!policies_->empty() && !CheckHopPolicies(t, &*c.plan, &denial)) {
      r.race.Refuse(i, CandidateState::kPolicyRefused, absl::StrCat(denial.layer, ": ", denial.message), now);
      c.status = denial.status;
      EmitRace(t, absl::StrCat(Ordinal(i, n), " (", c.label, ") lost: policy refused (", denial.layer, ": ",
                               denial.message, ")"));
    }
  }
  EmitRace(t, absl::StrCat("racing ", n, " ways to ", url.scheme, "://", url.HostPort(), " (stagger ",
                           r.stagger_ms, " ms)"));
  t->phase_ = Transfer::Phase::kConnecting;
  ArmTimer(t);
  AdvanceRace(t);
}

void Runtime::AdvanceRace(Transfer* t) {
  HopRace& r = *t->h_.race;
  const size_t n = r.candidates.size();
  const uint64_t now = MonotonicMs();
  // What happened to the started ones. The most preferred of those ready
  // wins, so a tie goes to the list's order.
  std::optional<size_t> winner;
  for (size_t i = 0; i < n; ++i) {
    HopRace::Candidate& c = r.candidates[i];
    if (!c.conn || r.race.candidates()[i].state != CandidateState::kConnecting) continue;
    if (IsReadyConn(c.conn)) {
      if (policies_->checks_handshakes()) {
        PolicyVerdict v = HandshakeVerdict(t, c.conn, pool_->Find(c.conn));
        if (v.denied) {
          const std::string why = absl::StrCat(v.policy == "runtime" ? "policy" : "policy:" + v.policy, ": ", v.message);
          r.race.Lost(i, CandidateState::kPolicyRefused, why, now);
          c.status = v.status < 0 ? v.status : STRATA_E_POLICY_DENIED;
          EmitRace(t, absl::StrCat(Ordinal(i, n), " (", c.label, ") lost: policy refused its handshake (", why, ")"));
          CloseCandidate(&c);
          continue;
        }
      }
      if (!winner) winner = i;
    } else if (IsDeadConn(c.conn)) {
      const LayerError err = c.conn->error();
      const CandidateState loss = LossOf(err.status);
      c.status = err.status < 0 ? err.status : STRATA_E_CONNECT;
      r.race.Lost(i, loss, Describe(err), now);
      EmitRace(t, absl::StrCat(Ordinal(i, n), " (", c.label, ") lost: ", CandidateStateName(loss), " after ",
                               now - r.race.candidates()[i].started_ms, " ms (", Describe(err), ")"));
      NoteCandidateLost(t, c, loss);
      CloseCandidate(&c);
    }
  }
  if (winner) {
    FinishRace(t, *winner);
    return;
  }
  // Start what is due; a start that fails at once makes the next due.
  for (std::vector<size_t> due = r.race.DueStarts(now); !due.empty(); due = r.race.DueStarts(now)) {
    for (size_t i : due) StartCandidate(t, i);
  }
  if (r.race.over()) {
    FailRace(t);
    return;
  }
  if (r.timer) loop_.CancelTimer(r.timer);
  r.timer = 0;
  if (std::optional<uint64_t> next = r.race.NextStartMs()) {
    r.timer = loop_.AddTimer(std::max(*next, now), [this, t] {
      if (t->h_.race) t->h_.race->timer = 0;
      Wake(t);
    });
  }
}

void Runtime::StartCandidate(Transfer* t, size_t i) {
  HopRace& r = *t->h_.race;
  HopRace::Candidate& c = r.candidates[i];
  const HopPlan& plan = *c.plan;
  const size_t n = r.candidates.size();
  absl::StatusOr<std::unique_ptr<Connection>> conn = Connection::Create(
      &loop_, *registry_, plan.pipeline(), planner_->LayerOptions(plan, t->request_.options), plan.target, this);
  if (!conn.ok()) {
    r.race.Lost(i, CandidateState::kFailed, std::string(conn.status().message()), MonotonicMs());
    c.status = STRATA_E_CONFIG;
    EmitRace(t, absl::StrCat(Ordinal(i, n), " (", c.label, ") lost: failed (", conn.status().message(), ")"));
    return;
  }
  PoolEntry* e = pool_->Add(*std::move(conn), plan.fingerprint);
  e->connecting_for = t;
  c.conn = e->conn.get();
  EmitRace(t, absl::StrCat(Ordinal(i, n), " (", c.label, ") started after ", MonotonicMs() - r.started_ms,
                           " ms: connecting to ", plan.target.host, " port ", plan.target.port,
                           plan.target.proxy_host.empty()
                               ? std::string()
                               : absl::StrCat(" via proxy ", plan.target.proxy_host, ":", plan.target.proxy_port),
                           " through pipeline '", plan.pipeline().name, "'"));
  e->conn->Drive();
}

void Runtime::CloseCandidate(HopRace::Candidate* c) {
  if (c->conn == nullptr) return;
  if (PoolEntry* e = pool_->Find(c->conn)) pool_->Remove(e);
  c->conn = nullptr;
  WakeWaiting();  // a connection of this chain is gone: those waiting for it make their own
}

void Runtime::FinishRace(Transfer* t, size_t winner) {
  std::unique_ptr<HopRace> race = std::move(t->h_.race);
  HopRace& r = *race;
  const size_t n = r.candidates.size();
  const uint64_t now = MonotonicMs();
  if (r.timer) loop_.CancelTimer(r.timer);
  r.timer = 0;
  for (size_t k : r.race.Won(winner, now)) {
    HopRace::Candidate& c = r.candidates[k];
    EmitRace(t, absl::StrCat(Ordinal(k, n), " (", c.label, ") lost: cancelled, still connecting after ",
                             now - r.race.candidates()[k].started_ms, " ms when ", Ordinal(winner, n), " won"));
    CloseCandidate(&c);
  }
  HopRace::Candidate& w = r.candidates[winner];
  winners_.Remember(r.memory_key, winner, now, r.remember_ms);
  EmitRace(t, absl::StrCat(Ordinal(winner, n), " (", w.label, ") won after ", now - r.started_ms,
                           " ms; remembered for ", r.remember_ms, " ms (", RaceSummary(r), ")"));
  t->h_.plan = std::make_shared<const HopPlan>(*std::move(w.plan));
  t->h_.conn = w.conn;
  t->h_.conn_reused = false;
  t->h_.handshake_checked = policies_->checks_handshakes();
  t->h_.absolute_form = t->h_.plan->absolute_form;
  t->h_.proxy_authorization = t->h_.plan->absolute_form ? t->h_.plan->proxy_auth : "";
  w.conn = nullptr;  // the transfer's now
}

std::string Runtime::RaceSummary(const HopRace& r) const {
  std::vector<std::string> parts;
  const size_t n = r.candidates.size();
  for (size_t i = 0; i < n; ++i) {
    const CandidateStatus& s = r.race.candidates()[i];
    std::string part = absl::StrCat(i + 1, " ", r.candidates[i].label, ": ", CandidateStateName(s.state));
    if (!s.reason.empty()) absl::StrAppend(&part, " (", s.reason, ")");
    parts.push_back(std::move(part));
  }
  return absl::StrJoin(parts, "; ");
}

void Runtime::FailRace(Transfer* t) {
  std::unique_ptr<HopRace> race = std::move(t->h_.race);
  const HopRace& r = *race;
  if (r.timer) loop_.CancelTimer(r.timer);
  for (HopRace::Candidate& c : race->candidates) CloseCandidate(&c);
  // The most preferred candidate's failure gives the status (curl's exit
  // code, a refused connection's 7); the message names every candidate's
  // cause.
  strata_status status = STRATA_E_CONNECT;
  for (const HopRace::Candidate& c : r.candidates) {
    if (c.status != STRATA_OK) {
      status = c.status;
      break;
    }
  }
  const Url& url = t->hop_request_.url;
  t->Fail(status, "race",
          absl::StrCat("no way in ", r.what, " could connect to ", url.scheme, "://", url.HostPort(), ": ",
                       RaceSummary(r)));
  Complete(t);
}

void Runtime::EndRace(Transfer* t) {
  if (!t->h_.race) return;
  std::unique_ptr<HopRace> race = std::move(t->h_.race);
  if (race->timer) loop_.CancelTimer(race->timer);
  for (HopRace::Candidate& c : race->candidates) CloseCandidate(&c);
}

bool Runtime::ForgetFailedWinner(Transfer* t, Connection* c) {
  if (t->h_.remembered_key.empty()) return false;
  winners_.Forget(t->h_.remembered_key);
  EmitRace(t, absl::StrCat("remembered winner ",
                           t->h_.plan && !t->h_.plan->proxy_url.empty() ? t->h_.plan->proxy_url : kDirectCandidate,
                           " failed (", Describe(c->error()), "); forgetting it and racing again"));
  DetachConnection(t, false);
  t->NewHop();
  Wake(t);
  return true;
}

}  // namespace strata
