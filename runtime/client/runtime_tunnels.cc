// runtime_tunnels.cc — CONNECT over HTTP/2 (RFC 9113 §8.5): the origin
// chains whose bottom layer is h2-connect share one pooled connection to the
// proxy (socket → tls with ALPN h2 → h2-alpn), each tunnel one stream on it.
//
// The proxy connection is an ordinary pool entry under the hop plan's
// proxy_prefix_fingerprint; each tunnel counts as one of its active streams
// from the moment it is bound until its stream is over, so the pool never
// closes it under a live tunnel. The carrier below is how a tunnel reaches
// it: through the pool entry's ProxyLink, which the entry clears when it
// closes the connection.
#include "absl/strings/str_cat.h"
#include "runtime/client/runtime.h"
#include "runtime/tunnel/h2_connect_layer.h"

namespace strata {
namespace {

// As for requests the server did not process (runtime.cc).
constexpr int kMaxTunnelResends = 8;

// A connection that is still being set up can carry this many tunnels
// before its server's SETTINGS say how many it really takes (RFC 9113
// §6.5.2 recommends at least 100).
constexpr int kTunnelsBeforeSettings = 100;

}  // namespace

class PooledProxyCarrier : public TunnelCarrier {
 public:
  PooledProxyCarrier(Runtime* runtime, std::shared_ptr<ProxyLink> link, Connection* origin)
      : runtime_(runtime), link_(std::move(link)), origin_(origin), id_(link_->conn ? link_->conn->id() : 0) {}

  State state() override {
    if (!link_->conn) return State::kDead;
    switch (link_->conn->state()) {
      case Connection::State::kConnecting:
        return State::kConnecting;
      case Connection::State::kReady:
        return State::kReady;
      case Connection::State::kDead:
        break;
    }
    return State::kDead;
  }
  LayerError error() override {
    if (!link_->conn) return {STRATA_E_CLOSED, "runtime", "the proxy connection was closed"};
    return link_->conn->error();
  }
  int32_t HttpVersion() override { return link_->conn ? link_->conn->HttpVersion() : 0; }
  uint32_t Capacity() override { return link_->conn ? link_->conn->Capacity() : 0; }
  strata_status OpenStream(const strata_request_head& head, StreamSink* sink, uint32_t* out_id,
                           LayerError* error) override {
    if (!link_->conn) return STRATA_E_CLOSED;
    strata_status st = link_->conn->OpenStream(head, sink, out_id);
    if (st != STRATA_OK) *error = link_->conn->TakeLayerError();
    return st;
  }
  void CancelStream(uint32_t id) override {
    if (!link_->conn) return;
    link_->conn->CancelStream(id);
    DriveSoon();  // the RST_STREAM leaves with the next flush
  }
  void Consumed(uint32_t id, uint64_t n) override {
    if (!link_->conn) return;
    strata_stream_consumed arg{sizeof(arg), id, n};
    link_->conn->SessionControl(STRATA_CONTROL_STREAM_CONSUMED, &arg, sizeof(arg));
  }
  void DriveSoon() override {
    if (link_->conn) runtime_->DriveSoon(link_->conn);
  }
  void Waiting(bool waiting) override {
    if (waiting) {
      link_->waiting.insert(origin_);
    } else {
      link_->waiting.erase(origin_);
    }
  }
  strata_status Query(uint32_t query, void* out, size_t* inout_len) override {
    return link_->conn ? link_->conn->Query(query, out, inout_len) : STRATA_E_UNSUPPORTED;
  }
  void Ended() override { runtime_->TunnelEnded(link_.get()); }
  std::string Name() override { return absl::StrCat("#", id_); }

 private:
  Runtime* runtime_;
  std::shared_ptr<ProxyLink> link_;
  Connection* origin_;
  uint64_t id_;
};

absl::StatusOr<PlanPtr> Runtime::PlanHop(Transfer* t) {
  const Url& url = t->hop_request_.url;
  const RequestOptions& options = t->request_.options;
  const bool memoizable = PlanMemo::Memoizable(options);
  if (memoizable) {
    if (PlanPtr kept = plan_memo_.Find(url, options)) {
      if (kept->target.hop != t->hop_) MutablePlan(&kept)->target.hop = t->hop_;
      return kept;
    }
  }
  absl::StatusOr<HopPlan> plan = planner_->Plan(url, options, t->hop_);
  if (!plan.ok()) return plan.status();
  PlanPtr shared = std::make_shared<const HopPlan>(*std::move(plan));
  // A plan with an HTTP/2 proxy connection depends on what that proxy chose
  // before (http1_proxies_ below), which changes as the runtime runs.
  if (memoizable && !shared->proxy_prefix) plan_memo_.Put(url, options, shared);
  if (!shared->proxy_prefix || !http1_proxies_.count(shared->proxy_url)) return shared;
  // This proxy chose HTTP/1.1 before (ALPN): the HTTP/1.1 tunnel, as curl.
  RequestOptions http1 = options;
  http1.proxy_http2 = 0;
  absl::StatusOr<HopPlan> http1_plan = planner_->Plan(url, http1, t->hop_);
  if (!http1_plan.ok()) return http1_plan.status();
  return std::make_shared<const HopPlan>(*std::move(http1_plan));
}

PoolEntry* Runtime::ProxyConnectionFor(Transfer* t, const HopPlan& plan, bool* reused) {
  *reused = true;
  for (PoolEntry& e : pool_->entries()) {
    if (e.fingerprint != plan.proxy_prefix_fingerprint || !e.proxy_link.link) continue;
    Connection* c = e.conn.get();
    const size_t waiting = e.proxy_link.link->waiting.size();
    if (c->state() == Connection::State::kDead) continue;
    if (c->state() == Connection::State::kReady) {
      // Never one going away (GOAWAY: its unprocessed tunnels are being
      // resent), nor one at the proxy's stream limit counting the tunnels
      // already waiting for a slot on it.
      if (!c->IsReusable() || c->HttpVersion() != 20 || c->Capacity() <= waiting) continue;
    } else if (e.active >= kTunnelsBeforeSettings) {
      continue;
    }
    return &e;
  }
  *reused = false;
  HopPlan prefix = planner_->PrefixPlan(plan);
  absl::StatusOr<std::unique_ptr<Connection>> conn = Connection::Create(
      &loop_, *registry_, prefix.pipeline(), planner_->LayerOptions(prefix, t->request_.options), prefix.target, this);
  if (!conn.ok()) {
    t->Fail(STRATA_E_CONFIG, "runtime", absl::StrCat("proxy connection: ", conn.status().message()));
    return nullptr;
  }
  PoolEntry* e = pool_->Add(*std::move(conn), prefix.fingerprint);
  e->proxy_link.link = std::make_shared<ProxyLink>();
  e->proxy_link.link->conn = e->conn.get();
  return e;
}

bool Runtime::BindTunnel(Transfer* t, PoolEntry* origin) {
  H2ConnectTunnel* tunnel = TunnelOf(*origin->conn, 0);
  if (tunnel == nullptr) return true;  // a template of the application's own, without h2-connect at the bottom
  const HopPlan& plan = *t->h_.plan;
  bool reused = false;
  PoolEntry* proxy = ProxyConnectionFor(t, plan, &reused);
  if (proxy == nullptr) {
    DetachConnection(t, false);
    Complete(t);
    return false;
  }
  pool_->Acquire(proxy);  // the tunnel is one of its streams until it ends
  origin->via_proxy = proxy->proxy_link.link;
  Connection* origin_conn = origin->conn.get();
  tunnel->Bind(std::make_unique<PooledProxyCarrier>(this, proxy->proxy_link.link, origin_conn),
               [this, origin_conn] { DriveSoon(origin_conn); });
  if (Wants(STRATA_EVENT_TRACE)) {
    Emit(STRATA_EVENT_TRACE, t->hop_, "runtime",
         absl::StrCat(reused ? "reusing" : "opening", " HTTP/2 proxy connection #", proxy->conn->id(), " to ",
                      plan.target.proxy_host, ":", plan.target.proxy_port, " for a tunnel to ",
                      plan.target.connect_host.empty() ? plan.target.host : plan.target.connect_host, ":",
                      plan.target.connect_host.empty() ? plan.target.port : plan.target.connect_port,
                      reused ? absl::StrCat(" (", proxy->active - 1, " other tunnels on it)") : std::string()),
         t->hop_request_.url.ToString(false), 0, reused ? 1 : 0, "", MonotonicUs() - t->started_us_, t);
  }
  if (!reused) proxy->conn->Drive();
  return true;
}

bool Runtime::RetryTunnel(Transfer* t, Connection* c) {
  if (!t->h_.plan || !t->h_.plan->proxy_prefix) return false;
  const LayerError err = c->error();
  if (err.status != STRATA_E_NOT_PROCESSED || t->not_processed_retries_ >= kMaxTunnelResends) return false;
  H2ConnectTunnel* tunnel = TunnelOf(*c, 0);
  const bool fallback = tunnel != nullptr && tunnel->fell_back_to_http1();
  if (fallback) http1_proxies_.insert(t->h_.plan->proxy_url);
  t->not_processed_retries_++;
  Emit(STRATA_EVENT_TRACE, t->hop_, "runtime",
       absl::StrCat(err.message, fallback ? "" : "; opening the tunnel again on another proxy connection"),
       t->hop_request_.url.ToString(false), 0, 0, "", MonotonicUs() - t->started_us_, t);
  DetachConnection(t, false);
  t->NewHop();
  Wake(t);
  return true;
}

void Runtime::DriveSoon(Connection* c) {
  if (!pool_) return;  // the runtime is going away
  if (PoolEntry* e = pool_->Find(c)) {
    e->needs_drive = true;
    dirty_ = true;
  }
}

void Runtime::TunnelEnded(ProxyLink* link) {
  if (!pool_ || !link->conn) return;
  if (PoolEntry* e = pool_->Find(link->conn)) {
    pool_->EndTunnel(e);
    dirty_ = true;
  }
  WakeTunnelsWaitingOn(link);
}

void Runtime::WakeTunnelsWaitingOn(ProxyLink* link) {
  for (Connection* origin : link->waiting) DriveSoon(origin);
}

}  // namespace strata
