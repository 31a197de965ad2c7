#include "runtime/client/runtime.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "runtime/client/header_list_recycler.h"
#include "runtime/client/hop_timing.h"
#include "runtime/client/layer_insertion.h"
#include "runtime/status/status_code.h"
#include "runtime/tunnel/h2_connect_layer.h"
#include "runtime/version/version.h"

namespace strata {
namespace {

// How often a request the server did not process is sent again. Each
// resend goes to a fresh connection, where it is the first stream (an h2c
// upgrade carries it as stream 1), so a server that answers one stream per
// connection (Apache mod_http2 after an upgrade) still serves it; the bound
// only stops a server that refuses everything.
constexpr int kMaxNotProcessedRetries = 8;
// When a body reader that said STRATA_AGAIN is asked again if the
// application never calls strata_transfer_resume.
constexpr uint64_t kPausedReaderRetryMs = 250;

bool MethodHasNoBody(const std::string& m) {
  return m == "GET" || m == "HEAD" || m == "DELETE" || m == "OPTIONS" || m == "TRACE";
}

bool IsDead(const Connection* c) { return c->state() == Connection::State::kDead; }
bool IsReady(const Connection* c) { return c->state() == Connection::State::kReady; }

std::string RenderHeaders(const Headers& headers) {
  std::string out;
  for (const Header& h : headers) {
    bool secret = absl::EqualsIgnoreCase(h.name, "Authorization") ||
                  absl::EqualsIgnoreCase(h.name, "Proxy-Authorization");
    absl::StrAppend(&out, h.name, ": ", secret ? "<redacted>" : h.value, "\n");
  }
  return out;
}

std::string VersionText(int32_t v) {
  if (v == 20) return "2";
  if (v == 30) return "3";
  if (v == 10) return "1.0";
  return "1.1";
}

}  // namespace

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Create(absl::string_view config_json) {
  absl::StatusOr<Config> config = ParseConfig(config_json);
  if (!config.ok()) return WithCode(config.status(), STRATA_E_CONFIG);
  std::unique_ptr<Runtime> rt(new Runtime());
  if (!rt->loop_.init_status().ok()) return rt->loop_.init_status();
  rt->config_ = *std::move(config);
  // A proxy list's URLs are checked now, as proxy.url's would fail the
  // first request: a typo in the third entry should not wait for the day
  // the first two are down.
  for (size_t i = 0; i < rt->config_.proxy.candidates.size(); ++i) {
    const std::string& entry = rt->config_.proxy.candidates[i];
    if (entry == kDirectCandidate) continue;
    if (absl::StatusOr<Url> url = ParseProxyUrl(entry); !url.ok()) {
      return WithCode(absl::InvalidArgumentError(absl::StrCat("configuration /proxy/url/", i, ": ",
                                                              url.status().message(), " (a proxy URL or \"direct\")")),
                      STRATA_E_CONFIG);
    }
  }
  // The proxy environment variables as they are now (reading the
  // environment for every request costs more than the request).
  std::map<std::string, std::string> proxy_env;
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy",
                           "NO_PROXY"}) {
    if (const char* value = std::getenv(name)) proxy_env[name] = value;
  }
  rt->registry_ = std::make_unique<PluginRegistry>(HostServicesTable());
  if (absl::Status s = rt->registry_->LoadConfigured(rt->config_); !s.ok()) return s;
  // Layers the runtime implements itself: h2-connect's peer is a stream of
  // another pooled connection, which only the runtime owns.
  if (absl::Status s = rt->registry_->AddBuiltinLayer(H2ConnectLayerType()); !s.ok()) {
    return WithCode(s, STRATA_E_CONFIG);
  }
  // Validate every template now: a typo should fail at start-up, not on the
  // first request that happens to use it.
  for (auto it = rt->config_.pipelines.begin(); it != rt->config_.pipelines.end();) {
    bool unavailable = false;
    for (const LayerSpec& spec : it->second.layers) unavailable |= rt->registry_->FindLayer(spec.layer) == nullptr;
    if (unavailable && it->second.from_defaults) {
      it = rt->config_.pipelines.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [name, pipeline] : rt->config_.pipelines) {
    for (size_t i = 0; i < pipeline.layers.size(); ++i) {
      const LayerSpec& spec = pipeline.layers[i];
      const LayerType* type = rt->registry_->FindLayer(spec.layer);
      if (!type) {
        std::string known;
        for (const LayerType& t : rt->registry_->layer_types()) {
          // Built-in layers (h2-connect) are no plugin's: this lists what plugins loaded.
          if (t.plugin_path == kBuiltinLayerPath) continue;
          absl::StrAppend(&known, known.empty() ? "" : ", ", t.name);
        }
        return WithCode(absl::NotFoundError(absl::StrCat("configuration ", spec.json_path,
                                                         ": no loaded plugin provides layer '", spec.layer,
                                                         "' (loaded layers: ", known.empty() ? "none" : known, ")")),
                        STRATA_E_UNKNOWN_LAYER);
      }
      if (type->kind == STRATA_LAYER_SESSION && i + 1 != pipeline.layers.size()) {
        return WithCode(absl::InvalidArgumentError(absl::StrCat("configuration ", spec.json_path, ": session layer '",
                                                                spec.layer, "' must be the last (top) layer")),
                        STRATA_E_CONFIG);
      }
    }
  }
  rt->planner_ = std::make_unique<HopPlanner>(&rt->config_, rt->registry_.get(), std::move(proxy_env));
  absl::StatusOr<std::unique_ptr<PolicySet>> policies = PolicySet::Create(rt->config_, *rt->registry_);
  if (!policies.ok()) return policies.status();
  rt->policies_ = *std::move(policies);
  rt->pool_ = std::make_unique<ConnectionPool>(&rt->loop_, &rt->config_.pool);
  return rt;
}


Runtime::~Runtime() {
  for (Transfer* t = active_head_; t != nullptr; t = t->active_next_) {
    CancelTimers(t);
    t->h_.conn = nullptr;
    t->runtime_ = nullptr;
  }
  ready_.clear();
  waiting_.clear();
  limited_.clear();
  pool_.reset();  // connections before the plugins that implement them
  policies_.reset();
  registry_.reset();
}

void Runtime::SetEventCallback(strata_event_fn fn, void* user, uint32_t mask) {
  event_fn_ = fn;
  event_user_ = user;
  event_mask_ = fn ? mask : 0;
}

void Runtime::Emit(int32_t type, int32_t hop, const std::string& layer, const std::string& message,
                   const std::string& url, int32_t status, int32_t reused, const std::string& chain,
                   uint64_t elapsed_us, const Transfer* t) {
  if (!Wants(type)) return;
  strata_event ev{};
  ev.struct_size = sizeof(ev);
  ev.type = type;
  ev.hop = hop;
  ev.layer = layer.c_str();
  ev.message = message.c_str();
  ev.url = url.c_str();
  ev.status = status;
  ev.reused = reused;
  ev.chain = chain.c_str();
  ev.elapsed_us = elapsed_us;
  if (t != nullptr) {
    ev.transfer_user = t->user();
    ev.transfer_id = t->id();
  }
  event_fn_(event_user_, &ev);
}

void Runtime::OnLayerLog(Connection* conn, const std::string& layer, int32_t level, const std::string& message) {
  if (level > STRATA_LOG_INFO || !Wants(STRATA_EVENT_TRACE)) return;
  // A connection being set up belongs to the transfer it is made for;
  // one that carries several has no one owner.
  // (While the runtime is destroyed the pool is gone: connections shutting
  // down still log.)
  PoolEntry* e = conn && pool_ ? pool_->Find(conn) : nullptr;
  Emit(STRATA_EVENT_TRACE, conn ? conn->target().hop : 0, layer, message, "", 0, 0, "", 0,
       e ? e->connecting_for : nullptr);
}

// A connection was driven. Only a change of its state concerns transfers
// other than those its session already told through their sinks.
void Runtime::OnActivity(Connection* conn) {
  dirty_ = true;  // announcements and the sweep of unusable connections
  PoolEntry* e = pool_->Find(conn);
  if (e == nullptr) {
    WakeUsersOf(conn);  // a low-level connection: its one or few transfers
    return;
  }
  // A shared HTTP/2 proxy connection: the tunnels waiting for it to be
  // ready look again.
  if (e->proxy_link.link && !e->proxy_link.link->waiting.empty()) WakeTunnelsWaitingOn(e->proxy_link.link.get());
  const Connection::State state = conn->state();
  // A multiplexed connection regained stream room without a transfer of
  // ours finishing (the server raised MAX_CONCURRENT_STREAMS, a cancelled
  // stream closed): the transfers waiting for room may go now.
  if (!waiting_.empty() && state == e->seen_state && IsReady(conn) && conn->Capacity() > 0) {
    WakeWaiting();
    return;
  }
  if (state == e->seen_state) return;
  e->seen_state = state;
  if (e->connecting_for) Wake(e->connecting_for);
  if (state == Connection::State::kDead) WakeUsersOf(conn);
  // Ready: a multiplexed connection takes the transfers that waited for it;
  // dead: they must make another.
  WakeWaiting();
}

void Runtime::Wake(Transfer* t) {
  if (t->queued_ || t->done()) return;
  t->queued_ = true;
  ready_.push_back(t);
  dirty_ = true;
}

void Runtime::WakeWaiting() {
  if (waiting_.empty()) return;
  std::vector<Transfer*> waiting;
  waiting.swap(waiting_);
  for (Transfer* t : waiting) {
    t->waiting_ = false;
    Wake(t);
  }
}

void Runtime::WakeUsersOf(Connection* conn) {
  for (Transfer* t = active_head_; t != nullptr; t = t->active_next_) {
    if (t->h_.conn == conn || t->pinned_ == conn) Wake(t);
  }
}

bool Runtime::FollowRedirects(const Request& request) const {
  return HopPlanner::Effective(request.options.follow_redirects, config_.redirect.follow ? 1 : 0) != 0;
}

int64_t Runtime::MaxBodyBytes(const Request& request) const {
  int64_t v = request.options.max_body_bytes;
  return v > 0 ? v : config_.limits.max_body_bytes;
}

namespace {

CookieUrl CookieUrlOf(const Url& url) { return CookieUrl{url.scheme, url.host, url.path}; }

int64_t UnixNow() { return absl::ToUnixSeconds(absl::Now()); }

}  // namespace

CookieStore& Runtime::Cookies() {
  if (!cookies_) cookies_ = std::make_unique<CookieStore>();
  return *cookies_;
}

void Runtime::EnableCookies(bool enabled) {
  if (enabled) Cookies();
  cookies_enabled_ = enabled;
}

bool Runtime::CredentialsMayGo(const Transfer* t, const Url& url) const {
  // The application's cookies and credentials are for the origin it asked
  // for; a redirect elsewhere gets none unless it trusts redirects
  // (curl's --location-trusted).
  if (t->request_.options.location_trusted == 1 ||
      (t->request_.options.location_trusted < 0 && config_.redirect.location_trusted)) {
    return true;
  }
  absl::StatusOr<Url> first = ParseUrl(t->request_.url);
  return first.ok() && first->SameOrigin(url);
}

void Runtime::StoreCookies(const Transfer* t, const FieldBlock& headers) {
  if (!cookies_enabled_) return;
  // The URL and the wall clock only for a response that sets a cookie.
  std::optional<CookieUrl> url;
  int64_t now = 0;
  for (FieldView h : headers) {
    if (!absl::EqualsIgnoreCase(h.name, "Set-Cookie")) continue;
    if (!url) {
      url = CookieUrlOf(t->hop_request_.url);
      now = UnixNow();
    }
    absl::Status s = cookies_->SetFromHeader(h.value, *url, now);
    // A refused cookie is the server's problem, not the transfer's: say
    // so in the trace, as browsers log it, and go on.
    if (!s.ok() && Wants(STRATA_EVENT_TRACE)) {
      Emit(STRATA_EVENT_TRACE, t->hop_, "cookies", absl::StrCat("cookie refused: ", s.message()),
           t->hop_request_.url.ToString(false), 0, 0, "", MonotonicUs() - t->started_us_, t);
    }
  }
}

DecodeLimits Runtime::DecodeLimitsFor(const Request& request) const {
  DecodeLimits limits;
  const RequestOptions& o = request.options;
  limits.max_bytes = o.max_decoded_bytes >= 0 ? o.max_decoded_bytes : config_.limits.max_decoded_bytes;
  limits.max_ratio = o.max_decode_ratio > 0 ? o.max_decode_ratio : config_.limits.max_decode_ratio;
  return limits;
}

int64_t Runtime::TimeoutMs() const {
  if (dirty_ || !ready_.empty()) return 0;
  return loop_.NextTimeoutMs();
}

std::unique_ptr<Transfer> Runtime::Submit(const Request& request, void* user) {
  return Submit(std::make_shared<const Request>(request), user);
}

std::unique_ptr<Transfer> Runtime::Submit(std::shared_ptr<const Request> shared, void* user) {
  // The transfer's start and its timers' deadlines from one clock reading
  // (each reading was about 1% of a small request's CPU).
  TurnClock clock;
  auto t = std::make_unique<Transfer>(this, std::move(shared), user);
  const Request& request = t->request_;
  t->hop_request_.method = request.method;
  t->hop_request_.headers = HeaderListRecycler::Take();  // storage from an earlier transfer
  t->hop_request_.headers = request.headers;
  t->hop_request_.has_body = request.body.kind != BodySource::Kind::kNone;
  absl::StatusOr<Url> url = request.parsed_url ? absl::StatusOr<Url>(*request.parsed_url) : ParseUrl(request.url);
  if (!url.ok()) {
    t->Fail(STRATA_E_URL, "runtime", absl::StrCat("bad URL: ", url.status().message()));
    PushDone(t.get());
    return t;
  }
  t->hop_request_.url = *url;
  if (url->scheme != "http" && url->scheme != "https") {
    t->Fail(STRATA_E_URL, "runtime", absl::StrCat("unsupported URL scheme '", url->scheme, "' (http and https only)"));
    PushDone(t.get());
    return t;
  }
  Headers& h = t->hop_request_.headers;
  h.reserve(h.size() + 3);
  // A default is added unless the application set the header or removed
  // it (strata_request_remove_header, curl's -H "Name:").
  const std::vector<std::string>& removed = t->request_.removed_headers;
  auto wanted = [&](absl::string_view name) {
    return !FindHeader(h, name) &&
           std::none_of(removed.begin(), removed.end(), [&](const std::string& r) { return absl::EqualsIgnoreCase(r, name); });
  };
  if (!url->userinfo.empty() && wanted("Authorization")) {
    h.push_back({"Authorization", absl::StrCat("Basic ", Base64Encode(PercentDecode(url->userinfo)))});
  }
  if (wanted("User-Agent")) h.push_back({"User-Agent", absl::StrCat("strata/", kStrataVersion)});
  if (wanted("Accept")) h.push_back({"Accept", "*/*"});
  const RequestOptions& ro = t->request_.options;
  if (ro.accept_encoding && wanted("Accept-Encoding")) {
    h.push_back({"Accept-Encoding", ro.accept_encoding->empty() ? kSupportedCodings : *ro.accept_encoding});
  }
  // Time conditions, as IMF-fixdate (RFC 9110 §5.6.7).
  for (auto [name, when] : {std::pair{"If-Modified-Since", ro.if_modified_since},
                            std::pair{"If-Unmodified-Since", ro.if_unmodified_since}}) {
    if (when >= 0 && wanted(name)) {
      h.push_back({name, absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", absl::FromUnixSeconds(when), absl::UTCTimeZone())});
    }
  }
  // Ranges and resume (an application's own Range header wins).
  if ((ro.resume_from > 0 || !ro.range.empty()) && !FindHeader(h, "Range")) {
    h.push_back({"Range", ro.resume_from > 0 ? absl::StrCat("bytes=", ro.resume_from, "-")
                                             : absl::StrCat("bytes=", ro.range)});
  }
  // Only a transfer that may be retried keeps its first hop to start over.
  if (t->request_.options.retry > 0) t->first_hop_request_ = t->hop_request_;
  t->NewHop();
  AddActive(t.get());
  pool_->NoteConcurrency(active_count_);
  ArmTimer(t.get());
  Wake(t.get());
  return t;
}

std::unique_ptr<Transfer> Runtime::SubmitOn(Connection* conn, const Request& request) {
  Request r = request;
  r.options.follow_redirects = 0;
  std::unique_ptr<Transfer> t = Submit(r, nullptr);
  t->pinned_ = conn;
  return t;
}

void Runtime::Cancel(Transfer* t) {
  if (t->done()) return;
  if (t->h_.conn && t->phase_ == Transfer::Phase::kStreaming) t->h_.conn->CancelStream(t->h_.stream_id);
  DetachConnection(t, false);
  t->Fail(STRATA_E_CANCELLED, "runtime", "transfer cancelled by the application");
  Complete(t);
}

void Runtime::Resume(Transfer* t, bool by_application) {
  if (t->done()) return;
  if (by_application) t->resume_seen_ = true;
  if (t->again_timer_) loop_.CancelTimer(t->again_timer_);
  t->again_timer_ = 0;
  if (t->phase_ != Transfer::Phase::kStreaming || !t->h_.conn) return;
  // The session asks paused readers again when it is driven; driving once
  // at the end of the next scheduling pass serves every resume of a turn.
  if (PoolEntry* e = pool_->Find(t->h_.conn)) {
    e->needs_drive = true;
  } else if (t->pinned_) {
    pinned_needs_drive_ = true;
  }
  dirty_ = true;
}

void Runtime::Forget(Transfer* t) {
  if (!t->done() && t->runtime_) Cancel(t);
  CancelTimers(t);
  RemoveActive(t);
  // The flags say which queues may hold |t|: no scan of queues it is not on.
  if (t->queued_) ready_.erase(std::remove(ready_.begin(), ready_.end(), t), ready_.end());
  if (t->waiting_) waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), t), waiting_.end());
  if (t->limited_) limited_.erase(std::remove(limited_.begin(), limited_.end(), t), limited_.end());
  // Usually taken from the done queue already (strata_runtime_next_done):
  // scanning the queue for each freed transfer was 1.5% of a -m100 run.
  if (t->in_done_) done_.erase(std::remove(done_.begin(), done_.end(), t), done_.end());
}

void Runtime::PushDone(Transfer* t) {
  t->in_done_ = true;
  done_.push_back(t);
}

Transfer* Runtime::NextDone() {
  if (done_.empty()) return nullptr;
  Transfer* t = done_.front();
  done_.pop_front();
  t->in_done_ = false;
  return t;
}

void Runtime::RunOnce(int64_t timeout_ms, size_t* out_running) {
  TurnClock turn;
  size_t done_before = done_.size();
  Schedule();
  // Wait only if scheduling finished nothing: a caller waiting for a
  // transfer must get control back as soon as one completes.
  if (!dirty_ && ready_.empty() && done_.size() == done_before) loop_.RunOnce(timeout_ms);
  Schedule();
  if (out_running) *out_running = active_count_;
}

absl::StatusOr<std::unique_ptr<Connection>> Runtime::OpenConnection(const std::string& pipeline,
                                                                    const std::string& host, uint16_t port) {
  auto it = config_.pipelines.find(pipeline);
  if (it == config_.pipelines.end()) {
    return WithCode(absl::NotFoundError(absl::StrCat("no pipeline template named '", pipeline, "' in the configuration")),
                    STRATA_E_CONFIG);
  }
  std::vector<nlohmann::json> options;
  for (size_t i = 0; i < it->second.layers.size(); ++i) {
    nlohmann::json o = it->second.layers[i].options;
    if (i == 0 && !o.contains("connect_timeout_ms")) o["connect_timeout_ms"] = config_.timeouts.connect_ms;
    options.push_back(std::move(o));
  }
  Target target{host, port, 0};
  return Connection::Create(&loop_, *registry_, it->second, options, target, this);
}

// ---------------------------------------------------------------------------
// Scheduling

void Runtime::Schedule() {
  if (scheduling_) return;
  scheduling_ = true;
  // Each pass may unblock more work (a finished exchange frees a connection
  // for a waiting transfer); bounded so a bug cannot spin forever.
  for (int i = 0; i < 64 && ScheduleOnce(); ++i) {
  }
  scheduling_ = false;
}

bool Runtime::ScheduleOnce() {
  dirty_ = false;
  AnnounceConnected();
  // Take the ready transfers; Step() may wake more, onto the (recycled)
  // other buffer, for the next pass.
  batch_.clear();
  batch_.swap(ready_);
  for (Transfer* t : batch_) t->queued_ = false;
  for (Transfer* t : batch_) Step(t);
  // Every stream opened (or body resumed) in this pass leaves in one flush.
  pool_->DriveMarked();
  DrivePinned();
  if (pool_->SweepUnusable()) WakeWaiting();
  return !ready_.empty() || dirty_;
}

void Runtime::AnnounceConnected() {
  for (PoolEntry& e : pool_->entries()) {
    if (e.announced || e.conn->state() != Connection::State::kReady) continue;
    e.announced = true;
    e.chain = e.conn->Describe();
    Emit(STRATA_EVENT_CONNECT, e.conn->target().hop, "runtime",
         absl::StrFormat("connected: %s in %.3f ms", e.chain,
                         (e.conn->connected_us() - e.conn->connect_started_us()) / 1000.0),
         "", 0, 0, e.chain, 0, e.connecting_for);
  }
}

// Step moves one woken transfer as far as it can go now.
void Runtime::Step(Transfer* t) {
  if (t->done()) return;
  switch (t->phase_) {
    case Transfer::Phase::kPending:
      StartHop(t);
      break;
    case Transfer::Phase::kConnecting: {
      if (t->h_.race) {
        AdvanceRace(t);
        if (t->done() || t->h_.race || !t->h_.conn) break;
      }
      Connection* c = t->h_.conn;
      if (c->state() != Connection::State::kConnecting) {
        NoteConnectStatuses(t, c);
      }
      if (IsReady(c)) {
        PoolEntry* e = pool_->Find(c);
        // curl counts connections made, not attempted (a refused one is 0).
        if (e && e->connecting_for == t) t->response_.num_connects++;
        if (e) e->connecting_for = nullptr;
        if (e || t->pinned_) OpenStreamOn(t, e);
        // The connection is usable by others now (a multiplexed one may
        // take every transfer that waited for it).
        WakeWaiting();
      } else if (IsDead(c)) {
        if (RetryTunnel(t, c)) break;
        if (ForgetFailedWinner(t, c)) break;
        AddHop(t->h_, c, &t->response_);
        LayerError err = c->error();
        DetachConnection(t, false);
        t->Fail(err.status, err.layer, err.message);
        Complete(t);
      }
      break;
    }
    case Transfer::Phase::kStreaming:
      if (t->h_.finished || t->h_.failed) {
        AfterHop(t);
      } else if (t->h_.conn && IsDead(t->h_.conn)) {
        // The session died without reporting this stream: report it now.
        t->h_.failed = true;
        if (t->h_.error.status == STRATA_OK) t->h_.error = t->h_.conn->error();
        AfterHop(t);
      } else if (t->h_.body_again) {
        // The body reader had nothing: it is paused until the application
        // calls strata_transfer_resume (Resume()). Applications written
        // before that call existed never resume: ask them again after a
        // while, as before, only much less often than a poll.
        t->h_.body_again = false;
        if (!t->resume_seen_) {
          if (t->again_timer_) loop_.CancelTimer(t->again_timer_);
          t->again_timer_ = loop_.AddTimer(MonotonicMs() + kPausedReaderRetryMs, [this, t] {
            t->again_timer_ = 0;
            Resume(t);
          });
        }
      }
      break;
    case Transfer::Phase::kDone:
      break;
  }
}

void Runtime::StartHop(Transfer* t) {
  if (t->pinned_) {
    t->h_.conn = t->pinned_;
    t->phase_ = Transfer::Phase::kConnecting;
    Wake(t);
    return;
  }
  // HTTP/3 raced against TCP (--http3, or an Alt-Svc h3 alternative).
  if (!t->h_.plan && !PlanH3Race(t)) return;
  if (!t->h_.plan) {
    // A proxy list: a remembered winner, or a race between its entries.
    if (const std::vector<std::string>& list = planner_->ProxyCandidates(t->request_.options); !list.empty()) {
      if (!PlanCandidates(t, list)) return;
    }
  }
  if (!t->h_.plan) {
    absl::StatusOr<PlanPtr> plan = PlanHop(t);
    if (!plan.ok()) {
      t->Fail(STRATA_E_CONFIG, "runtime", std::string(plan.status().message()));
      Complete(t);
      return;
    }
    t->h_.plan = *std::move(plan);
    if (const std::string& layer = t->request_.options.layer_above_bottom; !layer.empty()) {
      InsertAboveBottom(layer, MutablePlan(&t->h_.plan));
    }
    if (!policies_->empty() && !ApplyHopPolicies(t)) return;
  }
  const HopPlan& plan = *t->h_.plan;
  t->h_.absolute_form = plan.absolute_form;
  t->h_.proxy_authorization = plan.absolute_form ? plan.proxy_auth : "";
  if (!t->force_new_connection_) {
    for (PoolEntry& e : pool_->entries()) {
      if (e.fingerprint != plan.fingerprint || e.connecting_for != nullptr) continue;
      if (t->avoid_connection_ != 0 && e.conn->id() == t->avoid_connection_) continue;
      // An idle connection may have received a close or stray bytes since
      // the loop last looked (docs/hostile-peers.md 68): let its session read them now,
      // so a dead or desynchronised connection is never handed out. Not
      // needed for one driven in this same turn of the loop (it has just
      // read what there was), nor for HTTP/2 or HTTP/3, where every frame
      // names its stream so nothing can be taken for the next response, and
      // a close found on use is retried like any other (both cases were a
      // recv that only said EAGAIN: 0.1 per request at -c10 -m10).
      if (e.active == 0 && IsReady(e.conn.get()) && e.conn->driven_us() != MonotonicUs() &&
          !e.conn->Multiplexes()) {
        e.conn->Drive();
      }
      if (IsReady(e.conn.get()) && e.conn->Capacity() > 0) {
        // Reused: it carried an exchange before, or carries one now
        // (multiplexed); either way this transfer did not make it.
        t->h_.conn_reused = e.used || e.active > 0;
        OpenStreamOn(t, &e);
        return;
      }
    }
    // A chain that may multiplex (HTTP/2) and is still being set up (or
    // is set up but not yet used by the transfer it was made for) will
    // probably carry this request too, and one that multiplexes but is at
    // its stream limit will have room again soon: wait for them rather
    // than open another connection (RFC 9113 §9.1: one connection per
    // origin). A change of either wakes the waiting (WakeWaiting).
    // But once a connection of this chain is up and its server picked
    // HTTP/1.1 (ALPN), waiting would only set the others up one at a time.
    if (plan.multiplexed) {
      bool wait = false, server_picked_h1 = false;
      for (PoolEntry& e : pool_->entries()) {
        if (e.fingerprint != plan.fingerprint) continue;
        if (t->avoid_connection_ != 0 && e.conn->id() == t->avoid_connection_) continue;
        const bool ready = IsReady(e.conn.get());
        // HTTP/2 and HTTP/3 multiplex (an h3 connection ready in 0-RTT is
        // ready before any other transfer was planned).
        const bool multiplexing = e.conn->Multiplexes();
        if (ready && !multiplexing) server_picked_h1 = true;
        const bool setting_up = e.conn->state() == Connection::State::kConnecting || e.connecting_for != nullptr;
        // At its limit even with no stream of ours open (the server
        // lowered MAX_CONCURRENT_STREAMS to 0): queue, never exceed the
        // limit nor go around it (docs/hostile-peers.md 25); the limit's rise wakes
        // the queue (OnActivity), the transfer's timeouts bound the wait.
        const bool full = ready && e.conn->IsReusable() && multiplexing;
        if (setting_up || full) wait = true;
      }
      if (wait && !server_picked_h1) {
        if (!t->waiting_) {
          t->waiting_ = true;
          waiting_.push_back(t);
        }
        return;
      }
    }
  }
  // At the configured number of connections for this chain: wait for one
  // to be released (DetachConnection wakes the waiting) rather than open
  // another. A retry that must not reuse a connection waits too.
  if (config_.pool.max_connections_per_origin > 0) {
    int64_t open = 0;
    PoolEntry* idle = nullptr;  // the oldest idle one, if any
    for (PoolEntry& e : pool_->entries()) {
      if (e.fingerprint != plan.fingerprint || IsDead(e.conn.get())) continue;
      ++open;
      if (!idle && e.active == 0 && e.connecting_for == nullptr) idle = &e;
    }
    // A transfer that may not reuse one (a retry after a stale connection)
    // closes an idle connection to make room, as curl does; nothing would
    // ever release an idle one for it.
    if (open >= config_.pool.max_connections_per_origin && idle) {
      pool_->Remove(idle);
      --open;
    }
    if (open >= config_.pool.max_connections_per_origin) {
      if (!t->limited_) {
        t->limited_ = true;
        limited_.push_back(t);
      }
      return;
    }
  }
  t->force_new_connection_ = false;
  absl::StatusOr<std::unique_ptr<Connection>> conn = Connection::Create(
      &loop_, *registry_, plan.pipeline(), planner_->LayerOptions(plan, t->request_.options), plan.target, this);
  if (!conn.ok()) {
    t->Fail(STRATA_E_CONFIG, "runtime", std::string(conn.status().message()));
    Complete(t);
    return;
  }
  PoolEntry* e = pool_->Add(*std::move(conn), plan.fingerprint);
  e->connecting_for = t;
  t->h_.conn = e->conn.get();
  t->h_.conn_reused = false;
  t->phase_ = Transfer::Phase::kConnecting;
  if (plan.proxy_prefix && !BindTunnel(t, e)) return;
  Emit(STRATA_EVENT_TRACE, t->hop_, "runtime",
       absl::StrCat("connecting to ", plan.target.host, " port ", plan.target.port,
                    plan.target.proxy_host.empty()
                        ? std::string()
                        : absl::StrCat(" via proxy ", plan.target.proxy_host, ":", plan.target.proxy_port),
                    plan.target.connect_host.empty()
                        ? std::string()
                        : absl::StrCat(" (connect-to ", plan.target.connect_host, ":", plan.target.connect_port, ")"),
                    " through pipeline '", plan.pipeline().name, "'"),
       t->hop_request_.url.ToString(false), 0, 0, "", MonotonicUs() - t->started_us_, t);
  ArmTimer(t);
  e->conn->Drive();
}

void Runtime::OpenStreamOn(Transfer* t, PoolEntry* e) {
  Connection* c = e ? e->conn.get() : t->pinned_;
  if (policies_->checks_handshakes() && !t->h_.handshake_checked && !PassesHandshakePolicies(t, c, e)) return;
  if (t->response_.time_connect_us == 0 && !t->h_.conn_reused) {
    t->response_.time_connect_us = MonotonicUs() - t->started_us_;
  }
  const HopRequest& hr = t->hop_request_;
  // The fields as sent: Proxy-Authorization only ever to a forwarding
  // proxy. Lent to open_stream, which encodes them during the call.
  std::vector<strata_header>& headers = head_scratch_;
  headers.clear();
  const bool add_proxy_auth = t->h_.absolute_form && !t->h_.proxy_authorization.empty() &&
                              !FindHeader(hr.headers, "Proxy-Authorization");
  for (const Header& h : hr.headers) {
    if (!t->h_.absolute_form && absl::EqualsIgnoreCase(h.name, "Proxy-Authorization")) continue;
    headers.push_back({h.name.data(), h.name.size(), h.value.data(), h.value.size()});
  }
  static const std::string kProxyAuthorization = "Proxy-Authorization";
  if (add_proxy_auth) {
    headers.push_back({kProxyAuthorization.data(), kProxyAuthorization.size(), t->h_.proxy_authorization.data(),
                       t->h_.proxy_authorization.size()});
  }
  // Cookies: the store's for this hop's URL, then the request's own
  // (STRATA_OPT_COOKIE), in one field. A Cookie header the application
  // set itself is sent as it is, alone.
  static const std::string kCookie = "Cookie";
  absl::string_view extra = t->request_.options.cookie;
  if (!extra.empty() && t->hop_ > 1 && !CredentialsMayGo(t, hr.url)) extra = {};
  if (t->h_.strip_cookies) extra = {};
  if ((cookies_enabled_ || !extra.empty()) && !t->h_.strip_cookies && !FindHeader(hr.headers, kCookie)) {
    std::string& value = t->h_.cookie_header;
    value = cookies_enabled_ ? cookies_->CookieHeaderFor(CookieUrlOf(hr.url), UnixNow()) : std::string();
    if (!extra.empty()) absl::StrAppend(&value, value.empty() ? "" : "; ", extra);
    if (!value.empty()) headers.push_back({kCookie.data(), kCookie.size(), value.data(), value.size()});
  }
  std::string authority = hr.url.Authority();
  strata_request_head head{};
  head.struct_size = sizeof(head);
  head.method = hr.method.c_str();
  head.scheme = hr.url.scheme.c_str();
  head.authority = authority.c_str();
  head.path = hr.url.path.c_str();
  head.headers = headers.data();
  head.header_count = headers.size();
  if (t->h_.absolute_form) head.flags |= STRATA_REQUEST_ABSOLUTE_FORM;
  const BodySource& body = t->request_.body;
  if (t->body_dropped_ || body.kind == BodySource::Kind::kNone) {
    head.content_length = 0;
    if (MethodHasNoBody(hr.method)) head.flags |= STRATA_REQUEST_NO_BODY;
  } else if (body.kind == BodySource::Kind::kMemory) {
    head.content_length = static_cast<int64_t>(body.data.size());
  } else {
    head.content_length = body.length;
  }
  t->h_.conn = c;
  t->phase_ = Transfer::Phase::kStreaming;
  t->h_.stream_opened_us = MonotonicUs();
  t->h_.session_bytes_at_open = c->session_bytes_out();
  t->h_.request_head_size =
      RequestHeadSize(head, t->h_.absolute_form ? hr.url.ToString(false).size() : hr.url.path.size());
  t->last_progress_ms_ = MonotonicMs();
  if (e) pool_->Acquire(e);
  if (Wants(STRATA_EVENT_DATA_OUT)) {
    Headers sent;
    for (const strata_header& h : headers) {
      sent.push_back({std::string(h.name, h.name_len), std::string(h.value, h.value_len)});
    }
    std::string target = t->h_.absolute_form ? hr.url.ToString(false) : hr.url.path;
    const int32_t version = c->HttpVersion();
    std::string text = absl::StrCat(hr.method, " ", target, " HTTP/", VersionText(version), "\n",
                                    "Host: ", authority, "\n", RenderHeaders(sent));
    // The framing field an HTTP/1 session adds (plugins/h1 request_writer),
    // so -v and --trace show what went on the wire.
    if (version != 20) {
      if (head.content_length < 0 && !(head.flags & STRATA_REQUEST_NO_BODY)) {
        text += "Transfer-Encoding: chunked\n";
      } else if (head.content_length > 0) {
        absl::StrAppend(&text, "Content-Length: ", head.content_length, "\n");
      } else if (!MethodHasNoBody(hr.method) && hr.method != "CONNECT") {
        text += "Content-Length: 0\n";
      }
    }
    Emit(STRATA_EVENT_DATA_OUT, t->hop_, "runtime", text, hr.url.ToString(false), 0, t->h_.conn_reused, "",
         MonotonicUs() - t->started_us_, t);
  }
  strata_status st = c->OpenStream(head, t, &t->h_.stream_id);
  if (st != STRATA_OK) {
    LayerError err = c->TakeLayerError();
    if (err.status == STRATA_OK) err = {st, "runtime", absl::StrCat("could not open a stream (", strata_status_name(st), ")")};
    t->h_.failed = true;
    t->h_.error = err;
    Wake(t);
    return;
  }
  ArmTimer(t);
  if (e) {
    e->needs_drive = true;  // DriveMarked() flushes every stream opened in this pass at once
    dirty_ = true;
  } else {
    c->Drive();
  }
}

void Runtime::DrivePinned() {
  if (!pinned_needs_drive_) return;
  pinned_needs_drive_ = false;
  std::vector<Connection*> pinned;
  for (Transfer* t = active_head_; t != nullptr; t = t->active_next_) {
    if (t->pinned_ && t->phase_ == Transfer::Phase::kStreaming) pinned.push_back(t->pinned_);
  }
  for (Connection* c : pinned) c->Drive();
}

void Runtime::DetachConnection(Transfer* t, bool reusable) {
  EndRace(t);  // a race cut short (a timeout, a cancel) closes its candidates
  Connection* c = t->h_.conn;
  t->h_.conn = nullptr;
  if (!c || t->pinned_) return;
  PoolEntry* e = pool_->Find(c);
  if (!e) return;
  if (e->connecting_for == t) e->connecting_for = nullptr;
  const std::string fingerprint = limited_.empty() ? std::string() : e->fingerprint;
  pool_->Release(e, t->phase_ == Transfer::Phase::kStreaming, reusable);
  WakeWaiting();  // a stream slot or a connection is free (or gone: make another)
  // One connection of this chain is free or gone: the first transfer held
  // back by max_connections_per_origin for it may go (one, not all: the
  // others would only find the limit again).
  for (auto it = limited_.begin(); it != limited_.end(); ++it) {
    Transfer* w = *it;
    if (w->done() || (w->h_.plan && w->h_.plan->fingerprint == fingerprint)) {
      limited_.erase(it);
      w->limited_ = false;
      Wake(w);
      break;
    }
  }
}

void Runtime::AfterHop(Transfer* t) {
  Connection* c = t->h_.conn;
  AddHop(t->h_, c, &t->response_);
  // Describing asks every layer, too much work per exchange: describe the
  // chain after its first exchange (which may change it, e.g. an h2c
  // upgrade) and reuse that afterwards.
  PoolEntry* entry = c ? pool_->Find(c) : nullptr;
  if (entry && (!entry->used || entry->chain.empty())) entry->chain = c->Describe();
  std::string chain = entry ? entry->chain : (c ? c->Describe() : "");
  if (t->h_.failed) {
    OnHopFailed(t, chain);
    return;
  }
  if (Wants(STRATA_EVENT_HOP)) {
    std::string url = t->hop_request_.url.ToString(false);
    std::string timings = c && !t->h_.conn_reused ? absl::StrCat("; ready: ", c->Timings()) : "";
    Emit(STRATA_EVENT_HOP, t->hop_, "runtime",
         absl::StrCat("hop ", t->hop_, ": ", t->hop_request_.method, " ", url, " → ", t->h_.status, " (", chain,
                      ", ", t->h_.conn_reused ? "reused connection" : "new connection", timings, ")"),
         url, t->h_.status, t->h_.conn_reused ? 1 : 0, chain, MonotonicUs() - t->started_us_, t);
  }
  t->response_.chain = std::move(chain);
  DetachConnection(t, c && c->IsReusable());
  if (t->h_.is_redirect) {
    OnRedirect(t);
  } else {
    OnHopDone(t);
  }
}

void Runtime::OnHopFailed(Transfer* t, const std::string& chain) {
  LayerError err = t->h_.error;
  const std::string url = t->hop_request_.url.ToString(false);
  bool replayable = t->request_.body.kind != BodySource::Kind::kReader || t->h_.body_sent == 0;
  // A pooled connection the server closed just before we used it: retry
  // once on a new connection if nothing of the response arrived.
  bool retry = t->h_.conn_reused && !t->h_.head_seen && !t->retried_ && replayable && !t->pinned_ &&
               (err.status == STRATA_E_CLOSED || err.status == STRATA_E_IO || err.status == STRATA_E_TRUNCATED);
  // The server said it never processed the request (HTTP/2 GOAWAY above
  // its last stream id, REFUSED_STREAM): send it again, a bounded number
  // of times, even if it is a POST (RFC 9113 §8.7).
  bool resend = err.status == STRATA_E_NOT_PROCESSED && !t->pinned_ && replayable &&
                t->not_processed_retries_ < kMaxNotProcessedRetries;
  // A failed exchange leaves an HTTP/1 connection in an unknown state, so
  // it is closed. On HTTP/2 and HTTP/3 a failed stream (RST_STREAM, REFUSED_STREAM,
  // or one we cancelled: a body writer's error, a refused resume, a
  // limit) ends that stream only: the session stays healthy for the
  // streams that share it and for later requests, unless it says itself
  // that it failed or is going away (IsReusable), as curl and nghttp2
  // keep it.
  Connection* conn = t->h_.conn;
  const uint64_t conn_id = conn ? conn->id() : 0;  // |conn| may be gone after the detach
  DetachConnection(t, conn && !IsDead(conn) && conn->Multiplexes() && conn->IsReusable());
  if (resend) {
    t->not_processed_retries_++;
    Emit(STRATA_EVENT_TRACE, t->hop_, "runtime",
         absl::StrCat("the server did not process the request (", err.message,
                      "); sending it again on a new connection (attempt ", t->not_processed_retries_ + 1, ")"),
         url, 0, 0, chain, MonotonicUs() - t->started_us_, t);
    // Never back onto the connection that refused it (RFC 9113 §8.7). The
    // first resend may go onto any other of the chain, one being set up for
    // others included: when a GOAWAY leaves a hundred streams unprocessed,
    // they share one new connection instead of opening a hundred. A request
    // refused again opens its own: some servers (Apache's mpm_event after
    // an h2c upgrade) serve only the first stream of each connection.
    t->avoid_connection_ = conn_id;
    if (t->not_processed_retries_ > 1) t->force_new_connection_ = true;
    t->NewHop();
    Wake(t);
    return;
  }
  if (retry) {
    Emit(STRATA_EVENT_TRACE, t->hop_, "runtime",
         absl::StrCat("reused connection failed (", err.message, "); retrying on a new connection"), url, 0, 0, chain,
         MonotonicUs() - t->started_us_, t);
    t->retried_ = true;
    t->force_new_connection_ = true;
    t->NewHop();
    Wake(t);
    return;
  }
  if (err.status >= 0) err.status = STRATA_E_INTERNAL;
  t->Fail(err.status, err.layer.empty() ? "runtime" : err.layer, err.message);
  Complete(t);
}

void Runtime::OnRedirect(Transfer* t) {
  absl::StatusOr<std::optional<RedirectPlan>> plan = PlanRedirect(
      t->hop_request_, t->h_.status, &t->h_.redirect_location, planner_->Policy(t->request_.options),
      t->response_.num_redirects);
  if (!plan.ok()) {
    t->Fail(STRATA_E_REDIRECT, "redirect", std::string(plan.status().message()));
    Complete(t);
    return;
  }
  if (!plan->has_value()) {
    OnHopDone(t);
    return;
  }
  RedirectPlan& p = **plan;
  bool reader_body = t->request_.body.kind == BodySource::Kind::kReader && !t->body_dropped_ && !p.drop_body;
  if (reader_body) {
    t->Fail(STRATA_E_REDIRECT, "redirect",
            absl::StrCat(t->h_.status, " redirect to ", p.next.url.ToString(false),
                         " needs the request body again, but it came from a reader that cannot be replayed"));
    Complete(t);
    return;
  }
  // A loop: this exact request was made before. Report the hops rather
  // than spinning until the hop limit.
  std::string here = absl::StrCat(t->hop_request_.method, " ", t->hop_request_.url.ToString(false));
  std::string next = absl::StrCat(p.next.method, " ", p.next.url.ToString(false));
  if (t->visited_.empty()) t->visited_.push_back(here);
  if (std::find(t->visited_.begin(), t->visited_.end(), next) != t->visited_.end()) {
    std::string hops;
    for (const std::string& v : t->visited_) absl::StrAppend(&hops, v, " → ");
    t->Fail(STRATA_E_REDIRECT, "redirect", absl::StrCat("redirect loop after ", t->visited_.size(), " hops: ", hops, next));
    Complete(t);
    return;
  }
  t->visited_.push_back(next);
  t->previous_url_ = t->hop_request_.url.ToString(false);
  t->previous_status_ = t->h_.status;
  if (p.drop_body) t->body_dropped_ = true;
  t->hop_request_ = std::move(p.next);
  t->response_.num_redirects++;
  t->response_.time_redirect_us = MonotonicUs() - t->started_us_;
  t->hop_++;
  t->NewHop();
  Wake(t);
}

void Runtime::OnHopDone(Transfer* t) {
  if (t->request_.options.fail_on_http_error && t->response_.status >= 400) {
    t->Fail(STRATA_E_HTTP_STATUS, "http",
            absl::StrCat("the server answered ", t->response_.status, " ", t->response_.reason));
    Complete(t);
    return;
  }
  t->Succeed();
  Complete(t);
}

void Runtime::CancelTimers(Transfer* t) {
  if (t->timer_) loop_.CancelTimer(t->timer_);
  t->timer_ = 0;
  if (t->retry_timer_) loop_.CancelTimer(t->retry_timer_);
  t->retry_timer_ = 0;
  if (t->again_timer_) loop_.CancelTimer(t->again_timer_);
  t->again_timer_ = 0;
  if (t->h_.race && t->h_.race->timer) loop_.CancelTimer(t->h_.race->timer);
  if (t->h_.race) t->h_.race->timer = 0;
}

RetryOptions Runtime::RetryOptionsFor(const Request& request) const {
  const RequestOptions& o = request.options;
  RetryOptions r;
  r.retries = o.retry;
  r.delay_ms = o.retry_delay_ms;
  r.max_time_ms = o.retry_max_time_ms;
  if (o.retry_on >= 0) r.on = o.retry_on;
  return r;
}

bool Runtime::CanRetry(const Transfer* t) const {
  const RequestOptions& o = t->request_.options;
  if (o.retry <= 0 || t->pinned_ || !t->first_hop_request_) return false;
  if (t->attempt_ > o.retry) return false;
  if (!(RetryOptionsFor(t->request_).on & STRATA_RETRY_NON_IDEMPOTENT) && !IdempotentMethod(t->request_.method)) {
    return false;
  }
  // A reader's body cannot be sent twice; bytes in the application's
  // writer cannot be taken back.
  if (t->request_.body.kind == BodySource::Kind::kReader && (t->h_.body_sent > 0 || t->body_dropped_)) return false;
  if (t->delivered_ > 0) return false;
  if (o.retry_max_time_ms > 0 &&
      static_cast<int64_t>((MonotonicUs() - t->first_started_us_) / 1000) >= o.retry_max_time_ms) {
    return false;
  }
  return true;
}

bool Runtime::WillRetryStatus(const Transfer* t, int status, std::optional<int64_t> retry_after_s) const {
  if (!RetryableStatus(status) || !CanRetry(t)) return false;
  const RequestOptions& o = t->request_.options;
  if (!(RetryOptionsFor(t->request_).on & (STRATA_RETRY_ON_HTTP | STRATA_RETRY_ON_ALL_ERRORS))) return false;
  // A server asking for a wait past the retry time limit gets no new
  // attempt: its answer stands (as curl decides).
  if (o.retry_max_time_ms > 0 && retry_after_s) {
    int64_t elapsed_ms = static_cast<int64_t>((MonotonicUs() - t->first_started_us_) / 1000);
    if (elapsed_ms + *retry_after_s * 1000 > o.retry_max_time_ms) return false;
  }
  return true;
}

bool Runtime::MaybeRetry(Transfer* t) {
  if (t->request_.options.retry <= 0) return false;
  const RetryOptions options = RetryOptionsFor(t->request_);
  std::string cause;
  int32_t status = t->result_;
  if (t->h_.retry_status) {
    // Decided when the head arrived (its body was dropped for it).
    cause = absl::StrCat("the server answered ", t->response_.status, " ", t->response_.reason);
    status = t->response_.status;
  } else if (t->result_ < 0) {
    bool response_started = t->h_.head_seen || t->response_.size_download > 0;
    if (!FailureRetryClass(t->result_, response_started, options.on) || !CanRetry(t)) return false;
    cause = t->error().message;
  } else {
    return false;
  }
  double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(jitter_rng_);
  int64_t wait = RetryWaitMs(options, t->attempt_, t->h_.retry_after_s, jitter);
  if (options.max_time_ms > 0) {
    int64_t left = options.max_time_ms - static_cast<int64_t>((MonotonicUs() - t->first_started_us_) / 1000);
    // A computed wait is shortened to fit (a Retry-After past the limit
    // was refused when the head arrived: WillRetryStatus).
    wait = std::clamp<int64_t>(wait, 0, std::max<int64_t>(left, 0));
  }
  // Counting the one announced, as curl words it ("3 retries left").
  int32_t retries_left = static_cast<int32_t>(options.retries - t->attempt_ + 1);
  if (Wants(STRATA_EVENT_RETRY)) {
    std::string url = t->hop_request_.url.ToString(false);
    strata_event ev{};
    ev.struct_size = sizeof(ev);
    ev.type = STRATA_EVENT_RETRY;
    ev.hop = t->hop_;
    ev.layer = "retry";
    ev.message = cause.c_str();
    ev.url = url.c_str();
    ev.status = status;
    ev.chain = "";
    ev.elapsed_us = MonotonicUs() - t->first_started_us_;
    ev.attempt = t->attempt_;
    ev.retries_left = retries_left;
    ev.retry_delay_ms = wait;
    ev.transfer_user = t->user();
    ev.transfer_id = t->id();
    event_fn_(event_user_, &ev);
  }
  // Start over from the first hop: a fresh response, hop count and error;
  // the transfer's deadlines run again from the next attempt's start.
  CancelTimers(t);
  t->attempt_++;
  t->error_.reset();
  t->result_ = STRATA_AGAIN;
  t->response_ = Response{};
  t->hop_ = 1;
  t->hop_request_ = *t->first_hop_request_;
  t->visited_.clear();
  t->body_dropped_ = false;
  t->retried_ = false;
  t->not_processed_retries_ = 0;
  t->force_new_connection_ = false;
  t->avoid_connection_ = 0;
  t->delivered_ = 0;
  t->NewHop();
  t->retry_timer_ = loop_.AddTimer(MonotonicMs() + static_cast<uint64_t>(wait), [this, t] {
    t->retry_timer_ = 0;
    t->started_us_ = MonotonicUs();
    t->h_.started_us = t->started_us_;
    ArmTimer(t);
    Wake(t);
  });
  return true;
}

void Runtime::Complete(Transfer* t) {
  if (MaybeRetry(t)) return;
  t->phase_ = Transfer::Phase::kDone;
  CancelTimers(t);
  if (t->in_active_) {
    RemoveActive(t);
    PushDone(t);
  }
}

void Runtime::AddActive(Transfer* t) {
  t->in_active_ = true;
  t->active_prev_ = active_tail_;
  t->active_next_ = nullptr;
  (active_tail_ ? active_tail_->active_next_ : active_head_) = t;
  active_tail_ = t;
  ++active_count_;
}

void Runtime::RemoveActive(Transfer* t) {
  if (!t->in_active_) return;
  (t->active_prev_ ? t->active_prev_->active_next_ : active_head_) = t->active_next_;
  (t->active_next_ ? t->active_next_->active_prev_ : active_tail_) = t->active_prev_;
  t->active_prev_ = t->active_next_ = nullptr;
  t->in_active_ = false;
  --active_count_;
}

void Runtime::EmitResponseHead(Transfer* t, const strata_response_head& head) {
  if (!Wants(STRATA_EVENT_DATA_IN)) return;
  Headers headers;
  for (size_t i = 0; i < head.header_count; ++i) {
    headers.push_back({std::string(head.headers[i].name, head.headers[i].name_len),
                       std::string(head.headers[i].value, head.headers[i].value_len)});
  }
  std::string text = absl::StrCat("HTTP/", VersionText(head.http_version), " ", head.status, " ",
                                  absl::string_view(head.reason ? head.reason : "", head.reason ? head.reason_len : 0),
                                  "\n", RenderHeaders(headers));
  Emit(STRATA_EVENT_DATA_IN, t->hop_, "runtime", text, t->hop_request_.url.ToString(false), head.status,
       t->h_.conn_reused, "", MonotonicUs() - t->started_us_, t);
}

// ---------------------------------------------------------------------------
// Timeouts

void Runtime::ArmTimer(Transfer* t) {
  if (t->timer_) loop_.CancelTimer(t->timer_);
  t->timer_ = 0;
  if (t->done()) return;
  using HP = HopPlanner;
  uint64_t deadline = 0;
  auto consider = [&](uint64_t d) {
    if (d && (!deadline || d < deadline)) deadline = d;
  };
  int64_t total = HP::Effective(t->request_.options.timeout_ms, config_.timeouts.total_ms);
  if (total > 0) consider(t->started_us_ / 1000 + total);
  if (t->phase_ == Transfer::Phase::kConnecting) {
    int64_t c = HP::Effective(t->request_.options.connect_timeout_ms, config_.timeouts.connect_ms);
    if (c > 0) consider(t->h_.started_us / 1000 + c);
  }
  if (t->phase_ == Transfer::Phase::kStreaming) {
    int64_t fb = HP::Effective(t->request_.options.first_byte_timeout_ms, config_.timeouts.first_byte_ms);
    if (fb > 0 && !t->h_.head_seen) consider(t->h_.stream_opened_us / 1000 + fb);
    int64_t idle = HP::Effective(t->request_.options.idle_timeout_ms, config_.timeouts.idle_ms);
    if (idle > 0) consider(t->last_progress_ms_ + idle);
  }
  if (!deadline) return;
  t->timer_ = loop_.AddTimer(deadline, [this, t] {
    t->timer_ = 0;
    OnTimer(t);
  });
}

// NoteConnectStatuses records each tunnel's own reply once a connection's
// setup ended: in a chain of proxies the topmost tunnel may never have asked
// (an earlier proxy refused), so http_connect is the last one that answered.
void Runtime::NoteConnectStatuses(Transfer* t, Connection* c) {
  const std::vector<int> statuses = c->ConnectStatuses();
  if (statuses.empty()) return;
  t->response_.http_connects = absl::StrJoin(statuses, " ");
  for (int status : statuses) {
    if (status != 0) t->response_.http_connect = status;
  }
}

void Runtime::OnTimer(Transfer* t) {
  if (t->done()) return;
  using HP = HopPlanner;
  uint64_t now = MonotonicMs();
  std::string what;
  std::string layer = "runtime";
  int64_t total = HP::Effective(t->request_.options.timeout_ms, config_.timeouts.total_ms);
  if (total > 0 && now >= t->started_us_ / 1000 + total) {
    what = absl::StrCat("transfer timed out after ", total, " ms");
  } else if (t->phase_ == Transfer::Phase::kConnecting) {
    int64_t c = HP::Effective(t->request_.options.connect_timeout_ms, config_.timeouts.connect_ms);
    if (c > 0 && now >= t->h_.started_us / 1000 + c) {
      what = absl::StrCat("connection setup timed out after ", c, " ms");
      if (t->h_.conn) {
        LayerError e = t->h_.conn->TakeLayerError();
        if (!e.message.empty()) absl::StrAppend(&what, " (", e.layer, ": ", e.message, ")");
        absl::StrAppend(&what, t->h_.conn->SetupWait());
        NoteConnectStatuses(t, t->h_.conn);
      }
      if (t->h_.race) {
        // Every candidate still connecting timed out with the hop, each
        // saying what it was waiting for.
        HopRace& r = *t->h_.race;
        for (size_t i = 0; i < r.candidates.size(); ++i) {
          if (r.candidates[i].conn == nullptr) continue;
          r.race.Lost(i, CandidateState::kTimedOut,
                      absl::StrCat("still connecting at the connect timeout", r.candidates[i].conn->SetupWait()), now);
          r.candidates[i].status = STRATA_E_TIMEOUT;
        }
        r.race.TimeOut(now, "still connecting at the connect timeout");
        absl::StrAppend(&what, absl::StrCat(" (no way in ", t->h_.race->what, " connected: "), RaceSummary(*t->h_.race), ")");
      }
    }
  } else if (t->phase_ == Transfer::Phase::kStreaming) {
    int64_t fb = HP::Effective(t->request_.options.first_byte_timeout_ms, config_.timeouts.first_byte_ms);
    int64_t idle = HP::Effective(t->request_.options.idle_timeout_ms, config_.timeouts.idle_ms);
    if (fb > 0 && !t->h_.head_seen && now >= t->h_.stream_opened_us / 1000 + fb) {
      what = absl::StrCat("no response within ", fb, " ms after the request was sent");
    } else if (idle > 0 && now >= t->last_progress_ms_ + idle) {
      what = absl::StrCat("no data for ", idle, " ms");
    }
  }
  if (what.empty()) {
    ArmTimer(t);  // progress moved a deadline; re-arm at the new one
    return;
  }
  Connection* c = t->h_.conn;
  if (c && t->phase_ == Transfer::Phase::kStreaming) c->CancelStream(t->h_.stream_id);
  // A multiplexed connection carries other exchanges: cancelling this
  // stream is enough, and the connection stays pooled for the next request
  // (as curl and nghttp2 keep it) unless it says it is not reusable.
  // Anything else is closed (an HTTP/1.1 connection with a half-read
  // response cannot be reused).
  bool multiplexed = c && t->phase_ == Transfer::Phase::kStreaming && c->Multiplexes();
  if (c && !t->pinned_ && !multiplexed) c->Fail({STRATA_E_TIMEOUT, layer, what});
  if (t->waiting_) {
    t->waiting_ = false;
    waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), t), waiting_.end());
  }
  if (t->limited_) {
    t->limited_ = false;
    limited_.erase(std::remove(limited_.begin(), limited_.end(), t), limited_.end());
  }
  DetachConnection(t, multiplexed && !t->pinned_);
  t->Fail(STRATA_E_TIMEOUT, layer, what);
  Complete(t);
  dirty_ = true;
}

}  // namespace strata
