#include "runtime/client/runtime.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "runtime/client/proxy.h"
#include "runtime/status/status_code.h"

namespace strata {
namespace {

constexpr char kVersion[] = "0.1.0";
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
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy",
                           "NO_PROXY"}) {
    if (const char* value = std::getenv(name)) rt->proxy_env_[name] = value;
  }
  rt->registry_ = std::make_unique<PluginRegistry>(HostServicesTable());
  if (absl::Status s = rt->registry_->LoadConfigured(rt->config_); !s.ok()) return s;
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
        for (const LayerType& t : rt->registry_->layer_types()) absl::StrAppend(&known, known.empty() ? "" : ", ", t.name);
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
  return rt;
}

Runtime::~Runtime() {
  for (Transfer* t : active_) {
    if (t->timer_) loop_.CancelTimer(t->timer_);
    t->timer_ = 0;
    if (t->again_timer_) loop_.CancelTimer(t->again_timer_);
    t->again_timer_ = 0;
    t->conn_ = nullptr;
    t->runtime_ = nullptr;
  }
  for (PoolEntry& e : pool_) {
    if (e.idle_timer) loop_.CancelTimer(e.idle_timer);
  }
  pool_.clear();  // connections before the plugins that implement them
  registry_.reset();
}

void Runtime::SetEventCallback(strata_event_fn fn, void* user, uint32_t mask) {
  event_fn_ = fn;
  event_user_ = user;
  event_mask_ = fn ? mask : 0;
}

void Runtime::Emit(int32_t type, int32_t hop, const std::string& layer, const std::string& message,
                   const std::string& url, int32_t status, int32_t reused, const std::string& chain,
                   uint64_t elapsed_us) {
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
  event_fn_(event_user_, &ev);
}

void Runtime::OnLayerLog(Connection* conn, const std::string& layer, int32_t level, const std::string& message) {
  if (level > STRATA_LOG_INFO || !Wants(STRATA_EVENT_TRACE)) return;
  Emit(STRATA_EVENT_TRACE, conn ? conn->target().hop : 0, layer, message, "", 0, 0, "", 0);
}

void Runtime::OnActivity(Connection*) { dirty_ = true; }

bool Runtime::FollowRedirects(const Request& request) const {
  return Effective(request.options.follow_redirects, config_.redirect.follow ? 1 : 0) != 0;
}

int64_t Runtime::MaxBodyBytes(const Request& request) const {
  int64_t v = request.options.max_body_bytes;
  return v > 0 ? v : config_.limits.max_body_bytes;
}

int64_t Runtime::TimeoutMs() const {
  if (dirty_) return 0;
  return loop_.NextTimeoutMs();
}

std::unique_ptr<Transfer> Runtime::Submit(const Request& request, void* user) {
  auto t = std::make_unique<Transfer>(this, request, user);
  t->hop_request_.method = request.method;
  t->hop_request_.headers = request.headers;
  t->hop_request_.has_body = request.body.kind != BodySource::Kind::kNone;
  absl::StatusOr<Url> url = ParseUrl(request.url);
  if (!url.ok()) {
    t->Fail(STRATA_E_URL, "runtime", absl::StrCat("bad URL: ", url.status().message()));
    done_.push_back(t.get());
    return t;
  }
  t->hop_request_.url = *url;
  if (url->scheme != "http" && url->scheme != "https") {
    t->Fail(STRATA_E_URL, "runtime", absl::StrCat("unsupported URL scheme '", url->scheme, "' (http and https only)"));
    done_.push_back(t.get());
    return t;
  }
  Headers& h = t->hop_request_.headers;
  h.reserve(h.size() + 3);
  if (!url->userinfo.empty() && !FindHeader(h, "Authorization")) {
    h.push_back({"Authorization", absl::StrCat("Basic ", Base64Encode(PercentDecode(url->userinfo)))});
  }
  if (!FindHeader(h, "User-Agent")) h.push_back({"User-Agent", absl::StrCat("strata/", kVersion)});
  if (!FindHeader(h, "Accept")) h.push_back({"Accept", "*/*"});
  t->ResetHopState();
  active_.push_back(t.get());
  peak_active_ = std::max(peak_active_, active_.size());
  ArmTimer(t.get());
  dirty_ = true;
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
  if (t->conn_ && t->phase_ == Transfer::Phase::kStreaming) t->conn_->CancelStream(t->stream_id_);
  DetachConnection(t, false);
  t->Fail(STRATA_E_CANCELLED, "runtime", "transfer cancelled by the application");
  Complete(t);
}

void Runtime::Resume(Transfer* t, bool by_application) {
  if (t->done()) return;
  if (by_application) t->resume_seen_ = true;
  if (t->again_timer_) loop_.CancelTimer(t->again_timer_);
  t->again_timer_ = 0;
  if (t->phase_ != Transfer::Phase::kStreaming || !t->conn_) return;
  // The session asks paused readers again when it is driven; driving once
  // at the end of the next scheduling pass serves every resume of a turn.
  if (PoolEntry* e = EntryFor(t->conn_)) {
    e->needs_drive = true;
  } else if (t->pinned_) {
    pinned_needs_drive_ = true;
  }
  dirty_ = true;
}

void Runtime::Forget(Transfer* t) {
  if (!t->done() && t->runtime_) Cancel(t);
  if (t->timer_) loop_.CancelTimer(t->timer_);
  t->timer_ = 0;
  if (t->again_timer_) loop_.CancelTimer(t->again_timer_);
  t->again_timer_ = 0;
  active_.remove(t);
  done_.erase(std::remove(done_.begin(), done_.end(), t), done_.end());
}

Transfer* Runtime::NextDone() {
  if (done_.empty()) return nullptr;
  Transfer* t = done_.front();
  done_.pop_front();
  return t;
}

void Runtime::RunOnce(int64_t timeout_ms, size_t* out_running) {
  TurnClock turn;
  size_t done_before = done_.size();
  Schedule();
  // Wait only if scheduling finished nothing: a caller waiting for a
  // transfer must get control back as soon as one completes.
  if (!dirty_ && done_.size() == done_before) loop_.RunOnce(timeout_ms);
  Schedule();
  if (out_running) *out_running = active_.size();
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
  // for a queued transfer); bounded so a bug cannot spin forever.
  for (int i = 0; i < 64 && ScheduleOnce(); ++i) {
  }
  scheduling_ = false;
}

bool Runtime::ScheduleOnce() {
  dirty_ = false;
  bool changed = false;
  // Connections: announce the newly connected, retire the dead.
  for (PoolEntry& e : pool_) {
    if (!e.announced && e.conn->state() == Connection::State::kReady) {
      e.announced = true;
      e.chain = e.conn->Describe();
      const std::string& chain = e.chain;
      Emit(STRATA_EVENT_CONNECT, e.conn->target().hop, "runtime",
           absl::StrFormat("connected: %s in %.3f ms", chain,
                           (e.conn->connected_us() - e.conn->connect_started_us()) / 1000.0),
           "", 0, 0, chain, 0);
    }
  }
  // Transfers.
  std::vector<Transfer*> snapshot(active_.begin(), active_.end());
  for (Transfer* t : snapshot) {
    if (t->done()) continue;
    switch (t->phase_) {
      case Transfer::Phase::kPending:
        StartHop(t);
        // Still pending means it waits for a connection being set up.
        changed |= t->phase_ != Transfer::Phase::kPending;
        break;
      case Transfer::Phase::kConnecting: {
        Connection* c = t->conn_;
        if (c->state() != Connection::State::kConnecting) {
          int connect_status = 0;
          if (c->QueryInt(STRATA_QUERY_CONNECT_STATUS, &connect_status)) t->response_.http_connect = connect_status;
        }
        if (c->state() == Connection::State::kReady) {
          PoolEntry* e = EntryFor(c);
          if (e) e->connecting_for = nullptr;
          if (e) {
            OpenStreamOn(t, e);
          } else if (t->pinned_) {
            OpenStreamOn(t, nullptr);
          }
          changed = true;
        } else if (c->state() == Connection::State::kDead) {
          LayerError err = c->error();
          DetachConnection(t, false);
          t->Fail(err.status, err.layer, err.message);
          Complete(t);
          changed = true;
        }
        break;
      }
      case Transfer::Phase::kStreaming:
        if (t->hop_finished_ || t->hop_failed_) {
          AfterHop(t);
          changed = true;
        } else if (t->conn_ && t->conn_->state() == Connection::State::kDead) {
          // The session died without reporting this stream: report it now.
          t->hop_failed_ = true;
          if (t->hop_error_.status == STRATA_OK) t->hop_error_ = t->conn_->error();
          AfterHop(t);
          changed = true;
        } else if (t->body_again_) {
          // The body reader had nothing: it is paused until the application
          // calls strata_transfer_resume (Resume()). Applications written
          // before that call existed never resume: ask them again after a
          // while, as before, only much less often than a poll.
          t->body_again_ = false;
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
  DriveOpened();
  // Dead or unusable connections nobody uses any more.
  for (auto it = pool_.begin(); it != pool_.end();) {
    PoolEntry& e = *it;
    bool dead = e.conn->state() == Connection::State::kDead;
    bool idle = e.active == 0 && e.connecting_for == nullptr;
    if (idle && (dead || (e.used && !e.conn->IsReusable()))) {
      if (e.idle_timer) loop_.CancelTimer(e.idle_timer);
      it = pool_.erase(it);
      changed = true;
    } else {
      ++it;
    }
  }
  return changed || dirty_;
}

std::string Runtime::TemplateFor(const std::string& scheme, int64_t http_version) const {
  if (http_version == STRATA_HTTP_VERSION_2) return scheme == "https" ? "https+h2" : "http+h2c";
  if (http_version == STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE) return scheme == "https" ? "https+h2" : "http+h2-prior";
  return scheme;
}

absl::StatusOr<PipelineSpec> Runtime::ComposeProxyPipeline(const std::string& scheme,
                                                           const std::string& proxy_scheme, bool tunnel) {
  // An explicit template wins: "https+proxy", "https+https-proxy",
  // "http+proxy" (tunnelled plain http), "http+forward" (absolute form)...
  std::string kind = tunnel ? (proxy_scheme == "https" ? "https-proxy" : "proxy")
                            : (proxy_scheme == "https" ? "https-forward" : "forward");
  std::string name = absl::StrCat(scheme, "+", kind);
  auto it = config_.pipelines.find(name);
  if (it != config_.pipelines.end()) return it->second;
  auto base = config_.pipelines.find(scheme);
  if (base == config_.pipelines.end()) {
    return absl::NotFoundError(absl::StrCat("no pipeline template '", scheme, "' (nor '", name, "') for this URL"));
  }
  // Otherwise derive it from the scheme's template: after the bottom
  // (socket) layer, TLS to an https proxy, then the CONNECT tunnel.
  PipelineSpec composed;
  composed.name = name;
  composed.layers.push_back(base->second.layers.front());
  if (proxy_scheme == "https") {
    if (!registry_->FindLayer("tls")) {
      return absl::FailedPreconditionError("an https:// proxy needs the tls plugin (add \"tls\" to \"plugins\")");
    }
    nlohmann::json options = config_.proxy.tls;
    if (!options.contains("alpn")) options["alpn"] = nlohmann::json::array({"http/1.1"});
    composed.layers.push_back(LayerSpec{"tls", options, "/proxy/tls"});
  }
  if (tunnel) {
    if (!registry_->FindLayer("connect-tunnel")) {
      return absl::FailedPreconditionError(
          "this proxy needs a CONNECT tunnel but the connect-tunnel plugin is not loaded (add \"connect-tunnel\" "
          "to \"plugins\")");
    }
    composed.layers.push_back(LayerSpec{"connect-tunnel", nlohmann::json::object(), "/proxy"});
  }
  for (size_t i = 1; i < base->second.layers.size(); ++i) composed.layers.push_back(base->second.layers[i]);
  return composed;
}

absl::StatusOr<Runtime::HopPlan> Runtime::PlanHop(Transfer* t) {
  HopPlan plan;
  const Url& url = t->hop_request_.url;
  const RequestOptions& ro = t->request_.options;
  ProxyInputs inputs;
  inputs.request_url = ro.proxy;
  inputs.request_credentials = ro.proxy_credentials;
  inputs.request_no_proxy = ro.no_proxy;
  inputs.request_tunnel = ro.proxy_tunnel;
  inputs.config_url = config_.proxy.url;
  inputs.config_credentials = config_.proxy.credentials;
  inputs.config_no_proxy = config_.proxy.no_proxy;
  inputs.config_tunnel = config_.proxy.tunnel;
  inputs.from_env = config_.proxy.from_env;
  inputs.getenv = [this](const char* name) -> const char* {
    auto it = proxy_env_.find(name);
    return it == proxy_env_.end() ? nullptr : it->second.c_str();
  };
  absl::StatusOr<std::optional<ProxyChoice>> proxy = ChooseProxy(url, inputs);
  if (!proxy.ok()) return proxy.status();

  plan.target = Target{url.host, url.port, t->hop_};
  if (!ro.pipeline.empty()) {
    auto it = config_.pipelines.find(ro.pipeline);
    if (it == config_.pipelines.end()) {
      return absl::NotFoundError(absl::StrCat("no pipeline template '", ro.pipeline, "' in the configuration"));
    }
    plan.configured = &it->second;
  } else if (proxy->has_value()) {
    // Through a proxy, h2c (an HTTP/1.1 Upgrade) and prior knowledge on
    // cleartext make no sense; https keeps its ALPN choice inside the tunnel.
    int64_t version = ro.http_version;
    if (url.scheme == "http" && !(*proxy)->tunnel) version = STRATA_HTTP_VERSION_DEFAULT;
    absl::StatusOr<PipelineSpec> composed =
        ComposeProxyPipeline(TemplateFor(url.scheme, version), (*proxy)->url.scheme, (*proxy)->tunnel);
    if (!composed.ok()) return composed.status();
    plan.composed = *std::move(composed);
  } else {
    std::string name = TemplateFor(url.scheme, ro.http_version);
    auto it = config_.pipelines.find(name);
    if (it == config_.pipelines.end()) {
      return absl::NotFoundError(absl::StrCat(
          "no pipeline template '", name, "' for this URL (configure \"pipelines\": {\"", name,
          "\": [...]}", url.scheme == "https" ? " and load the tls plugin" : "",
          name != url.scheme ? " and the HTTP/2 plugins" : "", ")"));
    }
    plan.configured = &it->second;
  }
  if (proxy->has_value()) {
    const ProxyChoice& p = **proxy;
    plan.target.proxy_host = p.url.host;
    plan.target.proxy_port = p.url.port;
    if (!p.credentials.empty()) plan.proxy_auth = absl::StrCat("Basic ", Base64Encode(p.credentials));
    plan.absolute_form = !p.tunnel;
  }
  plan.connect_ms = Effective(ro.connect_timeout_ms, config_.timeouts.connect_ms);
  // A template's own options never change, so its name stands for them;
  // what a request adds is spelled out.
  plan.fingerprint = absl::StrCat(plan.pipeline().name, "\n", url.HostPort(), "\nproxy=", plan.target.proxy_host, ":",
                                  plan.target.proxy_port, "\n", plan.proxy_auth, "\nconnect=", plan.connect_ms,
                                  "\nresolve=", absl::StrJoin(ro.resolve, ","));
  if (!ro.layer_options.empty()) absl::StrAppend(&plan.fingerprint, "\n", ro.layer_options.dump());
  return plan;
}

std::vector<nlohmann::json> Runtime::LayerOptions(const HopPlan& plan, const Transfer* t) const {
  const RequestOptions& ro = t->request_.options;
  std::vector<nlohmann::json> all;
  for (size_t i = 0; i < plan.pipeline().layers.size(); ++i) {
    const LayerSpec& spec = plan.pipeline().layers[i];
    nlohmann::json o = spec.options;
    // The request's overrides: by layer name, or "proxy:tls" for the TLS
    // layer to an https proxy (the one ComposeProxyPipeline inserted).
    std::string key = spec.json_path == "/proxy/tls" ? "proxy:" + spec.layer : spec.layer;
    auto override_it = ro.layer_options.find(key);
    if (override_it != ro.layer_options.end() && override_it->is_object()) o.update(*override_it);
    if (i == 0) {
      // The bottom layer opens the socket: it gets the hop's address
      // overrides and connect timeout.
      if (!o.contains("connect_timeout_ms")) o["connect_timeout_ms"] = plan.connect_ms;
      if (!ro.resolve.empty() && !o.contains("resolve")) o["resolve"] = ro.resolve;
    }
    const LayerType* type = registry_->FindLayer(spec.layer);
    if (type && (type->flags & STRATA_LAYER_FLAG_TUNNEL)) {
      // Proxy credentials go to the tunnel only, never to the origin.
      if (!plan.proxy_auth.empty() && !o.contains("proxy_authorization")) o["proxy_authorization"] = plan.proxy_auth;
      if (!o.contains("connect_timeout_ms")) o["connect_timeout_ms"] = plan.connect_ms;
    }
    all.push_back(std::move(o));
  }
  return all;
}

void Runtime::StartHop(Transfer* t) {
  if (t->pinned_) {
    t->conn_ = t->pinned_;
    t->phase_ = Transfer::Phase::kConnecting;
    return;
  }
  absl::StatusOr<HopPlan> plan = PlanHop(t);
  if (!plan.ok()) {
    t->Fail(STRATA_E_CONFIG, "runtime", std::string(plan.status().message()));
    Complete(t);
    return;
  }
  t->absolute_form_ = plan->absolute_form;
  t->proxy_authorization_ = plan->absolute_form ? plan->proxy_auth : "";
  if (!t->force_new_connection_) {
    for (PoolEntry& e : pool_) {
      if (e.fingerprint != plan->fingerprint || e.connecting_for != nullptr) continue;
      // An idle connection may have received a close or stray bytes since
      // the loop last looked (HOSTILE.md 68): let its session read them now,
      // so a dead or desynchronised connection is never handed out.
      if (e.active == 0 && e.conn->state() == Connection::State::kReady) e.conn->Drive();
      if (e.conn->state() == Connection::State::kReady && e.conn->Capacity() > 0) {
        // Reused: it carried an exchange before, or carries one now
        // (multiplexed); either way this transfer did not make it.
        t->conn_reused_ = e.used || e.active > 0;
        OpenStreamOn(t, &e);
        return;
      }
    }
  }
  // A chain that may multiplex (HTTP/2) and is still being set up will
  // probably carry this request too, and one that multiplexes but is at
  // its stream limit will have room again soon: wait for them rather than
  // open another connection (RFC 9113 §9.1: one connection per origin).
  if (!t->force_new_connection_) {
    const LayerType* top = registry_->FindLayer(plan->pipeline().layers.back().layer);
    if (top && (top->flags & STRATA_LAYER_FLAG_MULTIPLEX)) {
      for (PoolEntry& e : pool_) {
        if (e.fingerprint != plan->fingerprint) continue;
        if (e.conn->state() == Connection::State::kConnecting) return;
        if (e.conn->state() == Connection::State::kReady && e.active > 0 && e.conn->IsReusable() &&
            e.conn->HttpVersion() == 20) {
          return;
        }
      }
    }
  }
  t->force_new_connection_ = false;
  absl::StatusOr<std::unique_ptr<Connection>> conn =
      Connection::Create(&loop_, *registry_, plan->pipeline(), LayerOptions(*plan, t), plan->target, this);
  if (!conn.ok()) {
    t->Fail(STRATA_E_CONFIG, "runtime", std::string(conn.status().message()));
    Complete(t);
    return;
  }
  pool_.push_back(PoolEntry{});
  PoolEntry& e = pool_.back();
  e.conn = *std::move(conn);
  e.fingerprint = plan->fingerprint;
  e.connecting_for = t;
  t->conn_ = e.conn.get();
  t->conn_reused_ = false;
  t->phase_ = Transfer::Phase::kConnecting;
  t->response_.num_connects++;
  Emit(STRATA_EVENT_TRACE, t->hop_, "runtime",
       absl::StrCat("connecting to ", plan->target.host, " port ", plan->target.port,
                    plan->target.proxy_host.empty()
                        ? std::string()
                        : absl::StrCat(" via proxy ", plan->target.proxy_host, ":", plan->target.proxy_port),
                    " through pipeline '", plan->pipeline().name, "'"),
       t->hop_request_.url.ToString(false), 0, 0, "", MonotonicUs() - t->started_us_);
  ArmTimer(t);
  e.conn->Drive();
}

void Runtime::OpenStreamOn(Transfer* t, PoolEntry* e) {
  Connection* c = e ? e->conn.get() : t->pinned_;
  if (e && e->idle_timer) {
    loop_.CancelTimer(e->idle_timer);
    e->idle_timer = 0;
  }
  if (t->response_.time_connect_us == 0 && !t->conn_reused_) {
    t->response_.time_connect_us = MonotonicUs() - t->started_us_;
  }
  const HopRequest& hr = t->hop_request_;
  Headers sent = hr.headers;
  if (t->absolute_form_ && !t->proxy_authorization_.empty() && !FindHeader(sent, "Proxy-Authorization")) {
    sent.push_back({"Proxy-Authorization", t->proxy_authorization_});
  }
  if (!t->absolute_form_) RemoveHeader(&sent, "Proxy-Authorization");  // only ever for a proxy
  std::vector<strata_header> headers;
  headers.reserve(sent.size());
  for (const Header& h : sent) headers.push_back({h.name.data(), h.name.size(), h.value.data(), h.value.size()});
  std::string authority = hr.url.Authority();
  strata_request_head head{};
  head.struct_size = sizeof(head);
  head.method = hr.method.c_str();
  head.scheme = hr.url.scheme.c_str();
  head.authority = authority.c_str();
  head.path = hr.url.path.c_str();
  head.headers = headers.data();
  head.header_count = headers.size();
  if (t->absolute_form_) head.flags |= STRATA_REQUEST_ABSOLUTE_FORM;
  const BodySource& body = t->request_.body;
  if (t->body_dropped_ || body.kind == BodySource::Kind::kNone) {
    head.content_length = 0;
    if (MethodHasNoBody(hr.method)) head.flags |= STRATA_REQUEST_NO_BODY;
  } else if (body.kind == BodySource::Kind::kMemory) {
    head.content_length = static_cast<int64_t>(body.data.size());
  } else {
    head.content_length = body.length;
  }
  t->conn_ = c;
  t->phase_ = Transfer::Phase::kStreaming;
  t->stream_opened_us_ = MonotonicUs();
  t->last_progress_ms_ = MonotonicMs();
  if (e) {
    e->active++;
  }
  if (Wants(STRATA_EVENT_DATA_OUT)) {
    std::string target = t->absolute_form_ ? hr.url.ToString(false) : hr.url.path;
    std::string text = absl::StrCat(hr.method, " ", target, " HTTP/", VersionText(c->HttpVersion()), "\n",
                                    "Host: ", authority, "\n", RenderHeaders(sent));
    Emit(STRATA_EVENT_DATA_OUT, t->hop_, "runtime", text, hr.url.ToString(false), 0, t->conn_reused_, "",
         MonotonicUs() - t->started_us_);
  }
  strata_status st = c->OpenStream(head, t, &t->stream_id_);
  if (st != STRATA_OK) {
    LayerError err = c->TakeLayerError();
    if (err.status == STRATA_OK) err = {st, "runtime", absl::StrCat("could not open a stream (", strata_status_name(st), ")")};
    t->hop_failed_ = true;
    t->hop_error_ = err;
    dirty_ = true;
    return;
  }
  ArmTimer(t);
  if (e) {
    e->needs_drive = true;  // DriveOpened() flushes every stream opened in this pass at once
    dirty_ = true;
  } else {
    c->Drive();
  }
}

void Runtime::DriveOpened() {
  for (PoolEntry& e : pool_) {
    if (!e.needs_drive) continue;
    e.needs_drive = false;
    e.conn->Drive();
  }
  if (pinned_needs_drive_) {
    pinned_needs_drive_ = false;
    std::vector<Connection*> pinned;
    for (Transfer* t : active_) {
      if (t->pinned_ && t->phase_ == Transfer::Phase::kStreaming) pinned.push_back(t->pinned_);
    }
    for (Connection* c : pinned) c->Drive();
  }
}

void Runtime::DetachConnection(Transfer* t, bool reusable) {
  Connection* c = t->conn_;
  t->conn_ = nullptr;
  if (!c || t->pinned_) return;
  PoolEntry* e = EntryFor(c);
  if (!e) return;
  if (e->connecting_for == t) e->connecting_for = nullptr;
  if (t->phase_ == Transfer::Phase::kStreaming && e->active > 0) e->active--;
  e->used = true;
  if (!reusable || !c->IsReusable()) {
    if (e->active == 0 && e->connecting_for == nullptr) RemoveEntry(e);
    return;
  }
  if (e->active == 0) {
    e->idle_since_ms = MonotonicMs();
    if (config_.pool.idle_timeout_ms > 0) {
      e->idle_timer = loop_.AddTimer(e->idle_since_ms + config_.pool.idle_timeout_ms, [this, c] {
        PoolEntry* entry = EntryFor(c);
        if (entry && entry->active == 0) {
          entry->idle_timer = 0;
          RemoveEntry(entry);
        }
      });
    }
    TrimIdle(e->fingerprint);
  }
}

void Runtime::TrimIdle(const std::string& fingerprint) {
  std::vector<PoolEntry*> idle;
  for (PoolEntry& e : pool_) {
    if (e.fingerprint == fingerprint && e.active == 0 && !e.connecting_for) idle.push_back(&e);
  }
  // The pool follows the concurrency the application asks for: after N
  // transfers ran at once, up to N idle connections are kept (until their
  // idle timeout), or the connection a finished transfer leaves is closed
  // just before the next transfer needs one: 10,000 requests at
  // parallelism 100 opened 7,651 connections, because completions come in
  // bursts and the running count dips between them. The configured figure
  // is the floor.
  const int64_t limit = std::max<int64_t>(config_.pool.max_idle_per_origin, static_cast<int64_t>(peak_active_));
  if (static_cast<int64_t>(idle.size()) <= limit) return;
  std::sort(idle.begin(), idle.end(), [](PoolEntry* a, PoolEntry* b) { return a->idle_since_ms < b->idle_since_ms; });
  size_t excess = idle.size() - static_cast<size_t>(limit);
  for (size_t i = 0; i < excess; ++i) RemoveEntry(idle[i]);
}

Runtime::PoolEntry* Runtime::EntryFor(Connection* conn) {
  for (PoolEntry& e : pool_) {
    if (e.conn.get() == conn) return &e;
  }
  return nullptr;
}

void Runtime::RemoveEntry(PoolEntry* entry) {
  if (entry->idle_timer) loop_.CancelTimer(entry->idle_timer);
  for (auto it = pool_.begin(); it != pool_.end(); ++it) {
    if (&*it == entry) {
      pool_.erase(it);
      return;
    }
  }
}

void Runtime::AfterHop(Transfer* t) {
  Connection* c = t->conn_;
  // Describing asks every layer, too much work per exchange: describe the
  // chain after its first exchange (which may change it, e.g. an h2c
  // upgrade) and reuse that afterwards.
  PoolEntry* entry = c ? EntryFor(c) : nullptr;
  if (entry && (!entry->used || entry->chain.empty())) entry->chain = c->Describe();
  std::string chain = entry ? entry->chain : (c ? c->Describe() : "");
  std::string url = t->hop_request_.url.ToString(false);
  if (t->hop_failed_) {
    LayerError err = t->hop_error_;
    bool replayable = t->request_.body.kind != BodySource::Kind::kReader || t->body_sent_ == 0;
    // A pooled connection the server closed just before we used it: retry
    // once on a new connection if nothing of the response arrived.
    bool retry = t->conn_reused_ && !t->head_seen_ && !t->retried_ && replayable && !t->pinned_ &&
                 (err.status == STRATA_E_CLOSED || err.status == STRATA_E_IO || err.status == STRATA_E_TRUNCATED);
    // The server said it never processed the request (HTTP/2 GOAWAY above
    // its last stream id, REFUSED_STREAM): send it again, a bounded number
    // of times, even if it is a POST (RFC 9113 §8.7).
    bool resend = err.status == STRATA_E_NOT_PROCESSED && !t->pinned_ && replayable &&
                  t->not_processed_retries_ < kMaxNotProcessedRetries;
    DetachConnection(t, false);
    if (resend) {
      t->not_processed_retries_++;
      Emit(STRATA_EVENT_TRACE, t->hop_, "runtime",
           absl::StrCat("the server did not process the request (", err.message,
                        "); sending it again on a new connection (attempt ", t->not_processed_retries_ + 1, ")"),
           url, 0, 0, "", MonotonicUs() - t->started_us_);
      t->ResetHopState();
      // Never back onto a connection that is going away, nor onto one being
      // set up for others: this request opens its own (RFC 9113 §8.7).
      t->force_new_connection_ = true;
      t->phase_ = Transfer::Phase::kPending;
      return;
    }
    if (retry) {
      Emit(STRATA_EVENT_TRACE, t->hop_, "runtime",
           absl::StrCat("reused connection failed (", err.message, "); retrying on a new connection"), url, 0, 0, "",
           MonotonicUs() - t->started_us_);
      t->retried_ = true;
      t->ResetHopState();
      t->force_new_connection_ = true;
      t->phase_ = Transfer::Phase::kPending;
      return;
    }
    if (err.status >= 0) err.status = STRATA_E_INTERNAL;
    t->Fail(err.status, err.layer.empty() ? "runtime" : err.layer, err.message);
    Complete(t);
    return;
  }
  // The hop finished.
  bool reusable = c && c->IsReusable();
  if (Wants(STRATA_EVENT_HOP)) {
    std::string timings = c && !t->conn_reused_ ? absl::StrCat("; ready: ", c->Timings()) : "";
    Emit(STRATA_EVENT_HOP, t->hop_, "runtime",
         absl::StrCat("hop ", t->hop_, ": ", t->hop_request_.method, " ", url, " → ", t->hop_status_, " (", chain,
                      ", ", t->conn_reused_ ? "reused connection" : "new connection", timings, ")"),
         url, t->hop_status_, t->conn_reused_ ? 1 : 0, chain, MonotonicUs() - t->started_us_);
  }
  t->response_.chain = chain;
  DetachConnection(t, reusable);
  if (t->hop_is_redirect_) {
    RedirectPolicy policy = PolicyFor(t->request_);
    absl::StatusOr<std::optional<RedirectPlan>> plan =
        PlanRedirect(t->hop_request_, t->hop_status_, &t->redirect_location_, policy, t->response_.num_redirects);
    if (!plan.ok()) {
      t->Fail(STRATA_E_REDIRECT, "redirect", std::string(plan.status().message()));
      Complete(t);
      return;
    }
    if (plan->has_value()) {
      RedirectPlan& p = **plan;
      bool reader_body = t->request_.body.kind == BodySource::Kind::kReader && !t->body_dropped_ && !p.drop_body;
      if (reader_body) {
        t->Fail(STRATA_E_REDIRECT, "redirect",
                absl::StrCat(t->hop_status_, " redirect to ", p.next.url.ToString(false),
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
        t->Fail(STRATA_E_REDIRECT, "redirect",
                absl::StrCat("redirect loop after ", t->visited_.size(), " hops: ", hops, next));
        Complete(t);
        return;
      }
      t->visited_.push_back(next);
      if (p.drop_body) t->body_dropped_ = true;
      t->hop_request_ = std::move(p.next);
      t->response_.num_redirects++;
      t->hop_++;
      t->ResetHopState();
      t->phase_ = Transfer::Phase::kPending;
      return;
    }
  }
  if (t->request_.options.fail_on_http_error && t->response_.status >= 400) {
    t->Fail(STRATA_E_HTTP_STATUS, "http",
            absl::StrCat("the server answered ", t->response_.status, " ", t->response_.reason));
    Complete(t);
    return;
  }
  t->Succeed();
  Complete(t);
}

RedirectPolicy Runtime::PolicyFor(const Request& request) const {
  const RequestOptions& o = request.options;
  RedirectPolicy policy;
  policy.follow = true;
  policy.max_redirects = Effective(o.max_redirects, config_.redirect.max);
  policy.allow_https_to_http = Effective(o.unsafe_redirect, config_.redirect.unsafe ? 1 : 0) != 0;
  policy.location_trusted = Effective(o.location_trusted, config_.redirect.location_trusted ? 1 : 0) != 0;
  policy.keep_post_301 = o.post301 > 0;
  policy.keep_post_302 = o.post302 > 0;
  policy.keep_post_303 = o.post303 > 0;
  return policy;
}

void Runtime::Complete(Transfer* t) {
  t->phase_ = Transfer::Phase::kDone;
  if (t->timer_) loop_.CancelTimer(t->timer_);
  t->timer_ = 0;
  if (t->again_timer_) loop_.CancelTimer(t->again_timer_);
  t->again_timer_ = 0;
  auto it = std::find(active_.begin(), active_.end(), t);
  if (it != active_.end()) {
    active_.erase(it);
    done_.push_back(t);
  }
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
       t->conn_reused_, "", MonotonicUs() - t->started_us_);
}

// ---------------------------------------------------------------------------
// Timeouts

void Runtime::ArmTimer(Transfer* t) {
  if (t->timer_) loop_.CancelTimer(t->timer_);
  t->timer_ = 0;
  if (t->done()) return;
  uint64_t deadline = 0;
  auto consider = [&](uint64_t d) {
    if (d && (!deadline || d < deadline)) deadline = d;
  };
  int64_t total = Effective(t->request_.options.timeout_ms, config_.timeouts.total_ms);
  if (total > 0) consider(t->started_us_ / 1000 + total);
  if (t->phase_ == Transfer::Phase::kConnecting) {
    int64_t c = Effective(t->request_.options.connect_timeout_ms, config_.timeouts.connect_ms);
    if (c > 0) consider(t->hop_started_us_ / 1000 + c);
  }
  if (t->phase_ == Transfer::Phase::kStreaming) {
    int64_t fb = Effective(t->request_.options.first_byte_timeout_ms, config_.timeouts.first_byte_ms);
    if (fb > 0 && !t->head_seen_) consider(t->stream_opened_us_ / 1000 + fb);
    int64_t idle = Effective(t->request_.options.idle_timeout_ms, config_.timeouts.idle_ms);
    if (idle > 0) consider(t->last_progress_ms_ + idle);
  }
  if (!deadline) return;
  t->timer_ = loop_.AddTimer(deadline, [this, t] {
    t->timer_ = 0;
    OnTimer(t);
  });
}

void Runtime::OnTimer(Transfer* t) {
  if (t->done()) return;
  uint64_t now = MonotonicMs();
  std::string what;
  std::string layer = "runtime";
  int64_t total = Effective(t->request_.options.timeout_ms, config_.timeouts.total_ms);
  if (total > 0 && now >= t->started_us_ / 1000 + total) {
    what = absl::StrCat("transfer timed out after ", total, " ms");
  } else if (t->phase_ == Transfer::Phase::kConnecting) {
    int64_t c = Effective(t->request_.options.connect_timeout_ms, config_.timeouts.connect_ms);
    if (c > 0 && now >= t->hop_started_us_ / 1000 + c) {
      what = absl::StrCat("connection setup timed out after ", c, " ms");
      if (t->conn_) {
        LayerError e = t->conn_->TakeLayerError();
        if (!e.message.empty()) absl::StrAppend(&what, " (", e.layer, ": ", e.message, ")");
      }
    }
  } else if (t->phase_ == Transfer::Phase::kStreaming) {
    int64_t fb = Effective(t->request_.options.first_byte_timeout_ms, config_.timeouts.first_byte_ms);
    int64_t idle = Effective(t->request_.options.idle_timeout_ms, config_.timeouts.idle_ms);
    if (fb > 0 && !t->head_seen_ && now >= t->stream_opened_us_ / 1000 + fb) {
      what = absl::StrCat("no response within ", fb, " ms after the request was sent");
    } else if (idle > 0 && now >= t->last_progress_ms_ + idle) {
      what = absl::StrCat("no data for ", idle, " ms");
    }
  }
  if (what.empty()) {
    ArmTimer(t);  // progress moved a deadline; re-arm at the new one
    return;
  }
  if (t->conn_ && t->phase_ == Transfer::Phase::kStreaming) t->conn_->CancelStream(t->stream_id_);
  // A multiplexed connection carries other exchanges: cancelling this
  // stream is enough. Anything else is closed (an HTTP/1.1 connection with
  // a half-read response cannot be reused).
  bool multiplexed = t->conn_ && t->phase_ == Transfer::Phase::kStreaming && t->conn_->HttpVersion() == 20;
  if (t->conn_ && !t->pinned_ && !multiplexed) t->conn_->Fail({STRATA_E_TIMEOUT, layer, what});
  DetachConnection(t, false);
  t->Fail(STRATA_E_TIMEOUT, layer, what);
  Complete(t);
  dirty_ = true;
}

}  // namespace strata
