// runtime.h — the strata runtime: configuration, plugins, the event loop,
// the connection pool and the scheduler that moves transfers through their
// hops. The C API (runtime/capi) is a thin layer over this class.
//
// Scheduling model: event-driven. Plugin callbacks (stream events, layer
// logs) only record facts and put the transfer concerned on the ready queue
// (Wake); a connection whose state changed wakes the transfers it concerns.
// Schedule() then acts on the ready transfers only — opening streams,
// pooling or closing connections, following redirects, finishing transfers
// — so no structure changes underneath a plugin call and a turn's work is
// proportional to what happened, not to how many transfers exist.
//
// Parts with one job each: HopPlanner decides a hop (hop_planner.h),
// ConnectionPool keeps connections (connection_pool.h), HopState holds a
// hop's progress (transfer.h); the Runtime ties them to the loop.
#ifndef STRATA_RUNTIME_CLIENT_RUNTIME_H_
#define STRATA_RUNTIME_CLIENT_RUNTIME_H_

#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/chain/connection.h"
#include "runtime/client/connection_pool.h"
#include "runtime/client/hop_planner.h"
#include "runtime/client/plan_memo.h"
#include "runtime/policy/policy_set.h"
#include "runtime/client/retry_policy.h"
#include "runtime/client/transfer.h"
#include "runtime/client/winner_memory.h"
#include "runtime/config/config.h"
#include "runtime/altsvc/alt_svc_cache.h"
#include "runtime/cookies/cookie_store.h"
#include "runtime/decoding/decoder_stack.h"
#include "runtime/loop/event_loop.h"
#include "runtime/plugin/registry.h"
#include "strata/strata.h"

namespace strata {

class Runtime : public ConnectionListener {
 public:
  static absl::StatusOr<std::unique_ptr<Runtime>> Create(absl::string_view config_json);
  ~Runtime() override;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Config& config() const { return config_; }
  const PluginRegistry& registry() const { return *registry_; }
  EventLoop& loop() { return loop_; }

  // Submit starts |request|. The transfer is owned by the caller, who must
  // call Forget() before deleting it. The first form copies |request|; the
  // second shares it (it must not change while the transfer lives: the C
  // API copies a request on write).
  std::unique_ptr<Transfer> Submit(const Request& request, void* user);
  std::unique_ptr<Transfer> Submit(std::shared_ptr<const Request> request, void* user);
  // SubmitOn runs |request| on |conn| (low-level API: no pool, no redirects).
  std::unique_ptr<Transfer> SubmitOn(Connection* conn, const Request& request);
  void Cancel(Transfer* transfer);
  void Forget(Transfer* transfer);
  // Resume asks a body reader that returned STRATA_AGAIN again, on the next
  // scheduling pass (strata_transfer_resume). The application's call marks
  // the transfer as one that resumes itself (no retry timer from then on).
  void Resume(Transfer* transfer, bool by_application = false);

  // RunOnce waits at most |timeout_ms| for events (-1: until one) and
  // schedules. *out_running: transfers not done yet.
  void RunOnce(int64_t timeout_ms, size_t* out_running);
  Transfer* NextDone();
  int fd() const { return loop_.fd(); }
  int64_t TimeoutMs() const;

  void SetEventCallback(strata_event_fn fn, void* user, uint32_t mask);

  // OpenConnection builds pipeline |pipeline| to host:port, not pooled, and
  // returns it still connecting; the caller drives the loop.
  absl::StatusOr<std::unique_ptr<Connection>> OpenConnection(const std::string& pipeline,
                                                             const std::string& host, uint16_t port);

  // For Transfer.
  void EmitResponseHead(Transfer* transfer, const strata_response_head& head);
  bool FollowRedirects(const Request& request) const;
  int64_t MaxBodyBytes(const Request& request) const;
  // WillRetryStatus: a final response with |status| ends this attempt of
  // |t| and another follows (STRATA_OPT_RETRY); |retry_after_s| is the
  // response's Retry-After.
  bool WillRetryStatus(const Transfer* t, int status, std::optional<int64_t> retry_after_s) const;
  // Cookies (strata_cookies_*): the store exists once first used; while
  // enabled, hops send and store cookies (OpenStreamOn, StoreCookies).
  CookieStore& Cookies();
  void EnableCookies(bool enabled);
  // StoreCookies takes the Set-Cookie fields of a response |t| received
  // on its current hop.
  void StoreCookies(const Transfer* t, const FieldBlock& headers);
  // Alternative services (strata_alt_svc_*, RFC 7838): the cache exists
  // once first used; while enabled, https responses' Alt-Svc fields fill
  // it (StoreAltSvc, runtime_alt_svc.cc).
  AltSvcCache& AltSvc();
  void EnableAltSvc(bool enabled);
  void StoreAltSvc(const Transfer* t, const FieldBlock& headers);
  // CredentialsMayGo: the request's own cookies (STRATA_OPT_COOKIE) may be
  // sent to |url|, a later hop of |t|: same origin as the first, or
  // redirects trusted.
  bool CredentialsMayGo(const Transfer* t, const Url& url) const;
  // DecodeLimitsFor: the request's decoding limits over the configuration's.
  DecodeLimits DecodeLimitsFor(const Request& request) const;
  // Wake puts |transfer| on the ready queue (safe inside plugin callbacks).
  void Wake(Transfer* transfer);

  // ConnectionListener.
  void OnLayerLog(Connection* conn, const std::string& layer, int32_t level, const std::string& message) override;
  void OnActivity(Connection* conn) override;

 private:
  friend class PooledProxyCarrier;
  Runtime() = default;
  // Emit sends an event; |t| is the transfer it belongs to (nullptr: none).
  void Emit(int32_t type, int32_t hop, const std::string& layer, const std::string& message,
            const std::string& url, int32_t status, int32_t reused, const std::string& chain,
            uint64_t elapsed_us, const Transfer* t = nullptr);
  bool Wants(int32_t type) const { return event_fn_ && (event_mask_ & (1u << type)); }

  void Schedule();
  bool ScheduleOnce();
  void Step(Transfer* t);
  void AnnounceConnected();
  // WakeWaiting moves every transfer waiting for capacity to the ready
  // queue (a stream ended, a connection became ready or went away).
  void WakeWaiting();
  // WakeUsersOf wakes every transfer on |conn| (it died, or it is pinned).
  void WakeUsersOf(Connection* conn);

  void StartHop(Transfer* t);
  // Policies (runtime_policies.cc). ApplyHopPolicies asks them about |t|'s
  // planned hop and applies their amendments; false when one denied it
  // (|t| is then complete). PassesHandshakePolicies asks them about |c|'s
  // TLS before |t|'s request goes out; false when one denied it (|t| is
  // then complete and |c| no longer used).
  bool ApplyHopPolicies(Transfer* t);
  bool PassesHandshakePolicies(Transfer* t, Connection* c, PoolEntry* e);
  // CheckHopPolicies asks the policies about |plan| (|t|'s hop, or one
  // candidate of its race) and applies their amendments to it; false and
  // *denial when one denied it. HandshakeVerdict asks them about |c|'s TLS.
  struct HopDenial {
    strata_status status = STRATA_OK;
    std::string layer;
    std::string message;
  };
  bool CheckHopPolicies(Transfer* t, HopPlan* plan, HopDenial* denial);
  PolicyVerdict HandshakeVerdict(Transfer* t, Connection* c, PoolEntry* e);
  // Races between candidate chains (runtime_race.cc). PlanCandidates plans
  // |t|'s hop when a proxy list applies: a remembered winner or a single
  // way sets the plan (true: go on as usual); otherwise it starts a race
  // (false: |t| is connecting, or complete if it failed). AdvanceRace looks
  // at the race's connections and starts the candidates due.
  // EndRace closes what is left of a race; ForgetFailedWinner races again
  // when a remembered winner's connection |c| failed (true if so).
  bool PlanCandidates(Transfer* t, const std::vector<std::string>& list);
  // PlanH3Race (runtime_h3_race.cc): for an https hop with
  // STRATA_HTTP_VERSION_3, or an Alt-Svc h3 alternative in the cache, a
  // race of HTTP/3 against the TCP chain; same contract as PlanCandidates.
  bool PlanH3Race(Transfer* t);
  // StartRace runs |race| for |t| (policies checked for every candidate).
  void StartRace(Transfer* t, std::unique_ptr<HopRace> race, const std::vector<std::string>& planning_errors);
  // NoteCandidateLost: an HTTP/3 candidate that failed marks its
  // alternative broken for a while (kAltSvcBrokenSeconds).
  void NoteCandidateLost(Transfer* t, const HopRace::Candidate& c, CandidateState how);
  void AdvanceRace(Transfer* t);
  void StartCandidate(Transfer* t, size_t i);
  void CloseCandidate(HopRace::Candidate* c);
  void FinishRace(Transfer* t, size_t winner);
  void FailRace(Transfer* t);
  void EndRace(Transfer* t);
  std::string RaceSummary(const HopRace& race) const;
  void EmitRace(Transfer* t, const std::string& message);
  bool ForgetFailedWinner(Transfer* t, Connection* c);
  // PolicyLog turns a policy's log lines into trace events of |t|'s hop.
  PolicySet::Log PolicyLog(Transfer* t, const std::string& url);
  void OpenStreamOn(Transfer* t, PoolEntry* entry);
  // HTTP/2 proxy tunnels (runtime_tunnels.cc). PlanHop plans |t|'s hop
  // (an HTTP/2 proxy that chose HTTP/1.1 gets the HTTP/1.1 tunnel).
  // BindTunnel attaches the h2-connect layer of the new connection |origin|
  // to a shared proxy connection (found or made); false when that failed
  // (|t| is then complete). RetryTunnel resends a hop whose tunnel the
  // proxy did not process (GOAWAY, REFUSED_STREAM, HTTP/1.1 fallback) on a
  // new tunnel; false if it is not such a failure.
  absl::StatusOr<PlanPtr> PlanHop(Transfer* t);
  bool BindTunnel(Transfer* t, PoolEntry* origin);
  PoolEntry* ProxyConnectionFor(Transfer* t, const HopPlan& plan, bool* reused);
  bool RetryTunnel(Transfer* t, Connection* c);
  // DriveSoon marks |c| to be driven at the end of this scheduling pass.
  void DriveSoon(Connection* c);
  // TunnelEnded: a tunnel on |link|'s proxy connection is over.
  void TunnelEnded(ProxyLink* link);
  void WakeTunnelsWaitingOn(ProxyLink* link);
  void DrivePinned();
  // The end of a hop, by outcome.
  void AfterHop(Transfer* t);
  void OnHopFailed(Transfer* t, const std::string& chain);
  void OnRedirect(Transfer* t);
  void OnHopDone(Transfer* t);
  void DetachConnection(Transfer* t, bool reusable);
  void Complete(Transfer* t);
  // PushDone puts a finished transfer on the done queue (NextDone).
  void PushDone(Transfer* t);
  // Retries: CanRetry holds what every retry needs (attempts and time
  // left, a replayable request, nothing delivered); MaybeRetry starts the
  // next attempt of a finished |t| after its wait, or returns false.
  bool CanRetry(const Transfer* t) const;
  bool MaybeRetry(Transfer* t);
  RetryOptions RetryOptionsFor(const Request& request) const;
  void ArmTimer(Transfer* t);
  void NoteConnectStatuses(Transfer* t, Connection* c);
  void OnTimer(Transfer* t);
  void CancelTimers(Transfer* t);

  Config config_;
  EventLoop loop_;
  std::unique_ptr<PluginRegistry> registry_;
  std::unique_ptr<HopPlanner> planner_;
  PlanMemo plan_memo_;  // PlanHop's plans of recent simple hops
  std::unique_ptr<PolicySet> policies_;
  std::unique_ptr<ConnectionPool> pool_;
  // Transfers submitted and not yet done, in submission order: an
  // intrusive list through Transfer (no allocation per transfer, O(1)
  // removal).
  Transfer* active_head_ = nullptr;
  Transfer* active_tail_ = nullptr;
  size_t active_count_ = 0;
  void AddActive(Transfer* t);
  void RemoveActive(Transfer* t);
  std::deque<Transfer*> done_;
  std::vector<Transfer*> ready_;    // transfers with something to act on
  std::vector<Transfer*> batch_;    // the ready transfers a pass works on
  std::vector<strata_header> head_scratch_;  // a request head's fields, lent to open_stream
  std::vector<Transfer*> waiting_;  // pending transfers waiting for capacity
  // Pending transfers held back by pool.max_connections_per_origin, in
  // arrival order; DetachConnection lets one go per connection freed.
  std::vector<Transfer*> limited_;
  bool dirty_ = false;              // Schedule() has work
  bool pinned_needs_drive_ = false;  // a transfer on a low-level connection was resumed
  bool scheduling_ = false;
  strata_event_fn event_fn_ = nullptr;
  void* event_user_ = nullptr;
  uint32_t event_mask_ = 0;
  std::mt19937_64 jitter_rng_{std::random_device{}()};
  std::unique_ptr<CookieStore> cookies_;
  std::unique_ptr<AltSvcCache> alt_svc_;
  bool alt_svc_enabled_ = false;
  // HTTP/2 proxies ("https://host:port") that chose HTTP/1.1: their
  // tunnels use HTTP/1.1 CONNECT from then on.
  std::set<std::string> http1_proxies_;
  // The winners of proxy-list races, per origin and list (proxy.remember_ms).
  WinnerMemory winners_;
  bool cookies_enabled_ = false;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_RUNTIME_H_
