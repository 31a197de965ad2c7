#include "runtime/chain/connection.h"

#include <sys/epoll.h>

#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace strata {

namespace {
// STRATA_REQUEST_TUNNEL and STRATA_CONTROL_STREAM_CONSUMED are ABI 1.2.
constexpr uint32_t kTunnelAbiMinor = 2;
}  // namespace

uint64_t Connection::next_id_ = 1;

absl::StatusOr<std::unique_ptr<Connection>> Connection::Create(
    EventLoop* loop, const PluginRegistry& registry, const PipelineSpec& pipeline,
    const std::vector<nlohmann::json>& layer_options, const Target& target,
    ConnectionListener* listener) {
  std::unique_ptr<Connection> conn(new Connection());
  conn->id_ = next_id_++;
  conn->loop_ = loop;
  conn->listener_ = listener;
  conn->target_ = target;
  conn->pipeline_name_ = pipeline.name;
  conn->connect_started_us_ = MonotonicUs();
  conn->layers_.resize(pipeline.layers.size());
  for (size_t i = 0; i < pipeline.layers.size(); ++i) {
    const LayerSpec& spec = pipeline.layers[i];
    Layer& layer = conn->layers_[i];
    layer.type = registry.FindLayer(spec.layer);
    if (layer.type == nullptr) {
      return absl::NotFoundError(absl::StrCat("configuration ", spec.json_path, ": no loaded plugin provides layer '",
                                              spec.layer, "'"));
    }
    bool top = i + 1 == pipeline.layers.size();
    if (layer.type->kind == STRATA_LAYER_SESSION && !top) {
      return absl::InvalidArgumentError(absl::StrCat("configuration ", spec.json_path, ": session layer '",
                                                     spec.layer, "' must be the last (top) layer"));
    }
    layer.ctx = std::make_unique<strata_layer_ctx>(strata_layer_ctx{conn.get(), i});
    layer.options = i < layer_options.size() ? layer_options[i] : nlohmann::json::object();
    layer.options_text = layer.options.dump();
  }
  // Which peer each layer talks to: with a proxy, every layer below the
  // first tunnel layer (or every layer, when there is a proxy but no
  // tunnel: plain http through a proxy) talks to the first proxy; a tunnel
  // layer and those above it talk to what it reaches, the next proxy or
  // the origin.
  const size_t proxies = conn->ProxyCount();
  auto proxy_peer = [&](size_t k) -> std::pair<std::string, uint16_t> {
    if (!target.proxies.empty()) return {target.proxies[k].host, target.proxies[k].port};
    return {target.proxy_host, target.proxy_port};
  };
  // With --connect-to, the layer that opens the connection to the origin
  // (the tunnel to it through proxies, else the bottom one) goes elsewhere.
  size_t opener = proxies == 0 ? 0 : conn->layers_.size();
  size_t tunnels = 0;
  for (size_t i = 0; i < conn->layers_.size(); ++i) {
    Layer& layer = conn->layers_[i];
    if (layer.type->flags & STRATA_LAYER_FLAG_TUNNEL) {
      ++tunnels;
      if (tunnels == proxies) opener = i;
    }
    if (tunnels < proxies) {
      std::tie(layer.peer_host, layer.peer_port) = proxy_peer(tunnels);
    } else {
      layer.peer_host = target.host;
      layer.peer_port = target.port;
    }
    if (i == opener && !target.connect_host.empty()) {
      layer.peer_host = target.connect_host;
      layer.peer_port = target.connect_port;
    }
  }
  // Instances are created bottom first; each create() only records its
  // configuration, so order matters only for the log.
  for (size_t i = 0; i < conn->layers_.size(); ++i) {
    Layer& layer = conn->layers_[i];
    strata_layer_config cfg{};
    cfg.struct_size = sizeof(cfg);
    cfg.layer_name = layer.type->name.c_str();
    cfg.options_json = layer.options_text.c_str();
    cfg.host = layer.peer_host.c_str();
    cfg.port = layer.peer_port;
    cfg.hop = conn->target_.hop;
    strata_status st = layer.type->kind == STRATA_LAYER_SESSION
                           ? layer.type->session->create(layer.ctx.get(), &cfg, &layer.self)
                           : layer.type->stream->create(layer.ctx.get(), &cfg, &layer.self);
    if (st != STRATA_OK) {
      layer.self = nullptr;
      LayerError e = conn->TakeLayerError();
      return absl::InvalidArgumentError(absl::StrCat(
          layer.type->name, ": cannot create layer: ",
          e.message.empty() ? absl::StrCat("status ", st) : e.message));
    }
    if (layer.type->kind == STRATA_LAYER_SESSION) conn->session_ = &layer;
  }
  return conn;
}

Connection::~Connection() {
  if (wake_timer_) loop_->CancelTimer(wake_timer_);
  // A healthy connection is closed politely, top first (TLS sends its
  // close_notify, TCP its FIN), without waiting: shutdown is best effort
  // and never blocks the loop.
  if (state_ == State::kReady) {
    for (size_t i = layers_.size(); i-- > 0;) {
      Layer& layer = layers_[i];
      int done = 0;
      if (layer.type->kind == STRATA_LAYER_SESSION) {
        layer.type->session->shutdown(layer.self, &done);
      } else {
        layer.type->stream->shutdown(layer.self, &done);
      }
    }
  }
  // Top first: upper layers may still talk to lower ones while closing.
  for (size_t i = layers_.size(); i-- > 0;) {
    Layer& layer = layers_[i];
    if (!layer.self) continue;
    if (layer.type->kind == STRATA_LAYER_SESSION) {
      layer.type->session->destroy(layer.self);
    } else {
      layer.type->stream->destroy(layer.self);
    }
    layer.self = nullptr;
  }
  for (int fd : fds_) loop_->Unwatch(fd);
}

void Connection::OnIo(int, uint32_t) { Drive(); }

strata_status Connection::TopConnect(int* done) {
  Layer& top = layers_.back();
  strata_status st = top.type->kind == STRATA_LAYER_SESSION
                         ? top.type->session->connect(top.self, done)
                         : top.type->stream->connect(top.self, done);
  if (st == STRATA_OK && *done) NoteLayerConnected(layers_.size() - 1);
  return st;
}

void Connection::NoteLayerConnected(size_t index) {
  // Lower layers finish first: mark everything at or below |index|.
  for (size_t i = 0; i <= index && i < layers_.size(); ++i) {
    Layer& layer = layers_[i];
    if (layer.connected) continue;
    layer.connected = true;
    layer.connected_us = MonotonicUs();
    listener_->OnLayerLog(this, layer.type->name, STRATA_LOG_INFO,
                          absl::StrFormat("layer ready after %.3f ms",
                                          (layer.connected_us - connect_started_us_) / 1000.0));
  }
}

void Connection::Drive() {
  if (driving_) return;  // a plugin callback re-entered; the outer call finishes the work
  driving_ = true;
  if (state_ == State::kConnecting) {
    int done = 0;
    strata_status st = TopConnect(&done);
    if (st < 0) {
      LayerError e = TakeLayerError();
      if (e.status == STRATA_OK) e = {st, layers_.back().type->name, "connection setup failed"};
      if (e.status != st && st < 0) e.status = st;
      Fail(e);
    } else if (st == STRATA_OK && done) {
      state_ = State::kReady;
      connected_us_ = MonotonicUs();
      TraceTunnels();
    }
  }
  if (state_ == State::kReady && session_) {
    strata_status st = session_->type->session->progress(session_->self);
    if (st < 0) {
      LayerError e = TakeLayerError();
      if (e.status == STRATA_OK) e = {st, session_->type->name, "connection failed"};
      Fail(e);
    }
  }
  UpdateInterest();
  driving_ = false;
  driven_us_ = MonotonicUs();
  listener_->OnActivity(this);
}

void Connection::Fail(const LayerError& error) {
  if (state_ == State::kDead) return;
  const bool was_connecting = state_ == State::kConnecting;
  state_ = State::kDead;
  error_ = error;
  if (was_connecting) TraceTunnels();
  UpdateInterest();
}

uint32_t Connection::TopInterest() {
  Layer& top = layers_.back();
  if (state_ == State::kConnecting) {
    // A layer still connecting asks for what its handshake needs.
    return top.type->kind == STRATA_LAYER_SESSION ? top.type->session->poll_interest(top.self)
                                                  : top.type->stream->poll_interest(top.self, STRATA_POLL_WRITE);
  }
  if (session_) return session_->type->session->poll_interest(session_->self);
  return raw_wants_ ? top.type->stream->poll_interest(top.self, raw_wants_) : 0;
}

void Connection::UpdateInterest() {
  uint32_t interest = state_ == State::kDead ? 0 : TopInterest();
  uint32_t events = 0;
  if (interest & STRATA_POLL_READ) events |= EPOLLIN;
  if (interest & STRATA_POLL_WRITE) events |= EPOLLOUT;
  interest_ = events;
  for (int fd : fds_) {
    // Watch with no events keeps the registration (errors still arrive).
    loop_->Watch(fd, events, this).IgnoreError();
  }
  ArmWakeTimer();
}

void Connection::ArmWakeTimer() {
  uint64_t earliest = 0;
  if (state_ != State::kDead) {
    for (const Layer& l : layers_) {
      if (l.wake_deadline_ms && (!earliest || l.wake_deadline_ms < earliest)) earliest = l.wake_deadline_ms;
    }
  }
  if (earliest == wake_timer_deadline_ && (wake_timer_ || !earliest)) return;
  if (wake_timer_) loop_->CancelTimer(wake_timer_);
  wake_timer_ = 0;
  wake_timer_deadline_ = earliest;
  if (!earliest) return;
  wake_timer_ = loop_->AddTimer(earliest, [this] {
    wake_timer_ = 0;
    wake_timer_deadline_ = 0;
    uint64_t now = MonotonicMs();
    for (Layer& l : layers_) {
      if (l.wake_deadline_ms && l.wake_deadline_ms <= now) l.wake_deadline_ms = 0;
    }
    Drive();
  });
}

uint32_t Connection::Capacity() {
  if (state_ != State::kReady || !session_) return 0;
  return session_->type->session->capacity(session_->self);
}

strata_status Connection::OpenStream(const strata_request_head& head, StreamSink* sink, uint32_t* out_id) {
  if (state_ != State::kReady || !session_) return STRATA_E_STATE;
  // No interest update here: the caller drives the connection after it has
  // opened every stream of this turn, and Drive() sets the interest once
  // the output is flushed (switching write interest on and off around each
  // request cost two epoll_ctl calls per request).
  if ((head.flags & STRATA_REQUEST_TUNNEL) != 0 && session_->type->abi_minor < kTunnelAbiMinor) {
    // A session plugin built before ABI 1.2 does not know the flag and would
    // send CONNECT as an ordinary request with a body.
    pending_layer_error_ = LayerError{
        STRATA_E_UNSUPPORTED, session_->type->name,
        absl::StrCat("layer '", session_->type->name, "' (", session_->type->plugin_path, ", plugin ABI ",
                     STRATA_ABI_MAJOR, ".", session_->type->abi_minor, ") cannot carry CONNECT tunnels: they need ABI ",
                     STRATA_ABI_MAJOR, ".", kTunnelAbiMinor)};
    return STRATA_E_UNSUPPORTED;
  }
  return session_->type->session->open_stream(session_->self, &head, sink, out_id);
}

void Connection::CancelStream(uint32_t stream_id) {
  if (session_ && state_ != State::kDead) {
    session_->type->session->cancel_stream(session_->self, stream_id);
    UpdateInterest();
  }
}

bool Connection::IsReusable() {
  return state_ == State::kReady && session_ && session_->type->session->is_reusable(session_->self) != 0;
}

int32_t Connection::HttpVersion() {
  if (!session_) return 0;
  int v = 0;
  size_t len = sizeof(v);
  if (session_->type->session->query(session_->self, STRATA_QUERY_HTTP_VERSION, &v, &len) == STRATA_OK &&
      len == sizeof(v)) {
    return v;
  }
  return 11;
}

strata_status Connection::SessionControl(uint32_t control, const void* arg, size_t len) {
  if (state_ == State::kDead || !session_) return STRATA_E_STATE;
  strata_status st = session_->type->session->control(session_->self, control, arg, len);
  TakeLayerError();  // a refused control is the caller's business, not the connection's death
  return st;
}

strata_status Connection::Query(uint32_t query, void* out, size_t* inout_len) {
  Layer& top = layers_.back();
  strata_status st = top.type->kind == STRATA_LAYER_SESSION ? top.type->session->query(top.self, query, out, inout_len)
                                                             : top.type->stream->query(top.self, query, out, inout_len);
  TakeLayerError();
  return st;
}

strata_status Connection::Send(const uint8_t* data, size_t len, size_t* out_written) {
  if (state_ != State::kReady || session_) return STRATA_E_STATE;
  Layer& top = layers_.back();
  strata_status st = top.type->stream->send(top.self, data, len, out_written);
  if (st < 0) {
    LayerError e = TakeLayerError();
    if (e.status == STRATA_OK) e = {st, top.type->name, "send failed"};
    Fail(e);
  }
  return st;
}

strata_status Connection::Recv(uint8_t* buf, size_t cap, size_t* out_read) {
  if (state_ != State::kReady || session_) return STRATA_E_STATE;
  Layer& top = layers_.back();
  strata_status st = top.type->stream->recv(top.self, buf, cap, out_read);
  if (st < 0) {
    LayerError e = TakeLayerError();
    if (e.status == STRATA_OK) e = {st, top.type->name, "receive failed"};
    Fail(e);
  }
  return st;
}

bool Connection::DataPending() {
  if (state_ != State::kReady || session_) return false;
  Layer& top = layers_.back();
  return top.type->stream->data_pending(top.self) != 0;
}

void Connection::SetRawWants(uint32_t wants) {
  raw_wants_ = wants;
  UpdateInterest();
}

std::string Connection::Describe() {
  std::string out;
  for (Layer& l : layers_) {
    char buf[256];
    size_t len = sizeof(buf);
    strata_status st = l.type->kind == STRATA_LAYER_SESSION
                           ? l.type->session->query(l.self, STRATA_QUERY_DESCRIBE, buf, &len)
                           : l.type->stream->query(l.self, STRATA_QUERY_DESCRIBE, buf, &len);
    std::string part = (st == STRATA_OK && len > 0 && len <= sizeof(buf)) ? std::string(buf, strnlen(buf, len))
                                                                            : l.type->name;
    if (!out.empty()) out += " → ";
    out += part;
  }
  return out;
}

std::string Connection::Timings() const {
  std::string out;
  for (const Layer& l : layers_) {
    if (!l.connected) continue;
    if (!out.empty()) out += ", ";
    out += absl::StrFormat("%s %.3f ms", l.type->name, (l.connected_us - connect_started_us_) / 1000.0);
  }
  return out;
}

bool Connection::QueryInt(uint32_t query, int* out) {
  Layer& top = layers_.back();
  int value = 0;
  size_t len = sizeof(value);
  strata_status st = top.type->kind == STRATA_LAYER_SESSION ? top.type->session->query(top.self, query, &value, &len)
                                                             : top.type->stream->query(top.self, query, &value, &len);
  TakeLayerError();  // an unanswered query is not a failure of the connection
  if (st != STRATA_OK || len != sizeof(value)) return false;
  *out = value;
  return true;
}

LayerError Connection::TakeLayerError() {
  LayerError e = std::move(pending_layer_error_);
  pending_layer_error_ = LayerError{};
  return e;
}

namespace {

// SplitHostPort splits "127.0.0.1:8080" or "[::1]:8080" into an address
// without brackets and a port (0 if there is none).
void SplitHostPort(const std::string& text, std::string* ip, int32_t* port) {
  size_t colon = text.rfind(':');
  std::string host = colon == std::string::npos ? text : text.substr(0, colon);
  int value = 0;
  if (colon != std::string::npos) {
    for (char c : text.substr(colon + 1)) {
      if (c < '0' || c > '9' || value > 65535) {
        value = 0;
        break;
      }
      value = value * 10 + (c - '0');
    }
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  *ip = host;
  *port = value;
}

}  // namespace

std::string Connection::LayerLabel(size_t index) const {
  if (index >= layers_.size()) return "";
  const LayerType* type = layers_[index].type;
  const size_t proxies = ProxyCount();
  if (proxies == 0) return type->name;
  if (proxies >= 2) {
    // A chain: each layer says which proxy it talks to ("proxy2:tls").
    const size_t k = ProxyOf(index);
    return k == 0 ? type->name : absl::StrCat("proxy", k, ":", type->name);
  }
  size_t tunnel = layers_.size();  // the topmost tunnel layer, if any
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].type->flags & STRATA_LAYER_FLAG_TUNNEL) tunnel = i;
  }
  const bool to_proxy = tunnel < layers_.size() ? index < tunnel : type->kind == STRATA_LAYER_BYTE_STREAM;
  return to_proxy ? absl::StrCat("proxy:", type->name) : type->name;
}

size_t Connection::ProxyCount() const {
  if (!target_.proxies.empty()) return target_.proxies.size();
  return target_.proxy_host.empty() ? 0 : 1;
}

size_t Connection::ProxyOf(size_t index) const {
  const size_t proxies = ProxyCount();
  size_t below = 0;  // tunnel layers under |index|
  for (size_t i = 0; i < index && i < layers_.size(); ++i) {
    if (layers_[i].type->flags & STRATA_LAYER_FLAG_TUNNEL) ++below;
  }
  // A tunnel layer speaks to the proxy below it, as the layers under it do.
  return below < proxies ? below + 1 : 0;
}

std::vector<int> Connection::ConnectStatuses() {
  std::vector<int> statuses;
  for (Layer& l : layers_) {
    if (!(l.type->flags & STRATA_LAYER_FLAG_TUNNEL) || l.type->kind != STRATA_LAYER_BYTE_STREAM || !l.self) continue;
    // Tunnel layers answer this query themselves (never passing it down),
    // so asking each one directly gives each proxy's own reply.
    int value = 0;
    size_t len = sizeof(value);
    strata_status st = l.type->stream->query(l.self, STRATA_QUERY_CONNECT_STATUS, &value, &len);
    statuses.push_back(st == STRATA_OK && len == sizeof(value) ? value : 0);
  }
  TakeLayerError();  // an unanswered query is not a failure
  return statuses;
}

std::string Connection::SetupWait() const {
  const size_t proxies = ProxyCount();
  if (proxies < 2 || state_ != State::kConnecting) return "";
  // Layers are marked ready bottom up: the lowest one not ready is where
  // the setup stands.
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].connected) continue;
    const size_t k = ProxyOf(i);
    if (k == 0) return "";
    const std::string label = k <= target_.proxies.size() ? absl::StrCat(" (", target_.proxies[k - 1].label, ")") : "";
    return absl::StrCat(" (waiting for proxy ", k, " of ", proxies, label, ": ", layers_[i].type->name, ")");
  }
  return "";
}

void Connection::TraceTunnels() {
  if (tunnels_traced_ || ProxyCount() == 0) return;
  tunnels_traced_ = true;
  std::vector<int> statuses = ConnectStatuses();
  size_t t = 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& l = layers_[i];
    if (!(l.type->flags & STRATA_LAYER_FLAG_TUNNEL) || t >= statuses.size()) continue;
    const size_t k = ProxyOf(i);
    const int status = statuses[t++];
    // A tunnel whose lower layers never came up never started.
    if (k == 0 || (status == 0 && !l.connected && i > 0 && !layers_[i - 1].connected)) continue;
    const std::string label = k <= target_.proxies.size() ? target_.proxies[k - 1].label : std::string();
    const bool v6 = l.peer_host.find(':') != std::string::npos;
    const std::string reached = absl::StrCat(v6 ? "[" : "", l.peer_host, v6 ? "]" : "", ":", l.peer_port);
    std::string line = absl::StrCat("proxy ", k, label.empty() ? "" : absl::StrCat(" (", label, ")"));
    if (status != 0) {
      absl::StrAppend(&line, " CONNECT ", reached, " → ", status);
    } else if (!l.connected) {
      absl::StrAppend(&line, " tunnel to ", reached, " failed");
    } else {
      absl::StrAppend(&line, " tunnel to ", reached, " open");
    }
    listener_->OnLayerLog(this, LayerLabel(i), STRATA_LOG_INFO, line);
  }
}

const ConnectionFacts& Connection::Facts() {
  if (facts_) return *facts_;
  static const ConnectionFacts kNone;
  if (state_ != State::kReady || layers_.empty()) return kNone;
  ConnectionFacts f;
  // Address queries go to the bottom layer itself: the address a tunnel
  // reaches is the proxy's socket, as curl reports it.
  Layer& bottom = layers_.front();
  auto text = [&](uint32_t query) {
    char buf[128];
    size_t len = sizeof(buf);
    strata_status st = bottom.type->stream->query(bottom.self, query, buf, &len);
    return st == STRATA_OK && len > 0 && len <= sizeof(buf) ? std::string(buf, strnlen(buf, len)) : std::string();
  };
  SplitHostPort(text(STRATA_QUERY_PEER_ADDRESS), &f.remote_ip, &f.remote_port);
  SplitHostPort(text(STRATA_QUERY_LOCAL_ADDRESS), &f.local_ip, &f.local_port);
  int64_t lookup = 0;
  size_t len = sizeof(lookup);
  if (bottom.type->stream->query(bottom.self, STRATA_QUERY_NAMELOOKUP_US, &lookup, &len) == STRATA_OK &&
      len == sizeof(lookup) && lookup > 0) {
    f.namelookup_us = lookup;
  }
  int verify = 0;
  if (QueryInt(STRATA_QUERY_TLS_VERIFY_RESULT, &verify)) f.tls_verify_result = verify;
  TakeLayerError();
  f.bottom_ready_us = bottom.connected_us;
  size_t tunnel_top = 0;  // index of the topmost tunnel layer + 1 (0: none)
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].type->flags & STRATA_LAYER_FLAG_TUNNEL) tunnel_top = i + 1;
    if (layers_[i].type->flags & STRATA_LAYER_FLAG_SECURE) f.secure_ready_us = layers_[i].connected_us;
  }
  if (tunnel_top >= 2) {
    // The layer right under the tunnel answers for the proxy's leg (a TLS
    // layer there, or one below it, passes the query down to one).
    Layer& under = layers_[tunnel_top - 2];
    int value = 0;
    size_t value_len = sizeof(value);
    if (under.type->stream->query(under.self, STRATA_QUERY_TLS_VERIFY_RESULT, &value, &value_len) == STRATA_OK &&
        value_len == sizeof(value)) {
      f.proxy_tls_verify_result = value;
    }
    TakeLayerError();
  }
  for (size_t i = 0; i < layers_.size(); ++i) {
    std::string name = ProxyCount() >= 2         ? LayerLabel(i)
                       : i + 1 < tunnel_top ? absl::StrCat("proxy:", layers_[i].type->name)
                                            : layers_[i].type->name;
    f.layer_ready_us.emplace_back(std::move(name), layers_[i].connected_us);
  }
  facts_ = std::move(f);
  return *facts_;
}

}  // namespace strata

namespace strata {

const std::vector<SecureFacts>& Connection::SecureLayers() {
  if (secure_) return *secure_;
  static const std::vector<SecureFacts> kNone;
  if (state_ != State::kReady) return kNone;
  std::vector<SecureFacts> all;
  for (size_t index = 0; index < layers_.size(); ++index) {
    Layer& l = layers_[index];
    // A session layer that does its own TLS (h3: QUIC) is flagged secure
    // too and answers the same queries.
    if (!(l.type->flags & STRATA_LAYER_FLAG_SECURE)) continue;
    SecureFacts f;
    f.label = LayerLabel(index);
    f.host = l.peer_host;
    f.port = l.peer_port;
    auto query = [&](uint32_t q, void* out, size_t* len) {
      return l.type->kind == STRATA_LAYER_SESSION ? l.type->session->query(l.self, q, out, len)
                                                  : l.type->stream->query(l.self, q, out, len);
    };
    auto ask = [&](uint32_t q, std::string* out) {
      size_t len = 0;
      // Ask for the size first: a certificate chain has no fixed bound.
      strata_status st = query(q, nullptr, &len);
      if (st != STRATA_E_BUFFER_TOO_SMALL && st != STRATA_OK) return false;
      out->assign(len, '\0');
      if (len == 0) return st == STRATA_OK;
      st = query(q, out->data(), &len);
      if (st != STRATA_OK || len > out->size()) return false;
      out->resize(len);
      return true;
    };
    auto text = [&](uint32_t q) {
      std::string s;
      if (!ask(q, &s)) return std::string();
      return std::string(s.c_str());  // up to the NUL
    };
    f.tls_version = text(STRATA_QUERY_TLS_VERSION);
    f.alpn = text(STRATA_QUERY_ALPN);
    int resumed = 0;
    size_t len = sizeof(resumed);
    f.resumed = query(STRATA_QUERY_TLS_RESUMED, &resumed, &len) == STRATA_OK && resumed;
    std::string framed;
    if (ask(STRATA_QUERY_TLS_PEER_CHAIN, &framed)) {
      size_t at = 0;
      while (at + 4 <= framed.size()) {
        const auto* p = reinterpret_cast<const unsigned char*>(framed.data() + at);
        const size_t n = (size_t{p[0]} << 24) | (size_t{p[1]} << 16) | (size_t{p[2]} << 8) | p[3];
        if (n > framed.size() - at - 4) break;  // a malformed answer ends the list
        f.chain.emplace_back(framed, at + 4, n);
        at += 4 + n;
      }
    }
    TakeLayerError();
    all.push_back(std::move(f));
  }
  secure_ = std::move(all);
  return *secure_;
}
}  // namespace strata
