#include "runtime/tunnel/h2_connect_layer.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "strata/strata.h"

namespace strata {
namespace {

std::string ReasonFor(int32_t status) {
  switch (status) {
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 407: return "Proxy Authentication Required";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

}  // namespace

H2ConnectTunnel::H2ConnectTunnel(strata_layer_ctx* ctx, std::string authority, std::string proxy_authorization,
                                 std::string proxy)
    : ctx_(ctx),
      authority_(std::move(authority)),
      proxy_authorization_(std::move(proxy_authorization)),
      proxy_(std::move(proxy)) {}

H2ConnectTunnel::~H2ConnectTunnel() {
  if (!carrier_) return;
  // A tunnel whose chain goes away while the stream lives is reset
  // (CANCEL): the proxy frees it at once, and the session never calls
  // back into this object again.
  if (stream_live_) carrier_->CancelStream(stream_id_);
  stream_live_ = false;
  carrier_->Waiting(false);
  EndStream();
}

void H2ConnectTunnel::Bind(std::unique_ptr<TunnelCarrier> carrier, std::function<void()> wake) {
  carrier_ = std::move(carrier);
  wake_ = std::move(wake);
  phase_ = Phase::kWaitingCarrier;
  carrier_->Waiting(true);
}

void H2ConnectTunnel::EndStream() {
  if (ended_ || !carrier_) return;
  ended_ = true;
  carrier_->Ended();
}

strata_status H2ConnectTunnel::Fail(strata_status status, std::string message) {
  if (phase_ != Phase::kFailed) {
    phase_ = Phase::kFailed;
    error_status_ = status;
    error_message_ = std::move(message);
    if (carrier_) carrier_->Waiting(false);
  }
  return Failed();
}

strata_status H2ConnectTunnel::Failed() {
  HostServicesTable()->set_error(ctx_, error_status_, error_message_.c_str());
  return error_status_;
}

strata_status H2ConnectTunnel::Connect(int* done) {
  *done = 0;
  switch (phase_) {
    case Phase::kUnbound:
      return Fail(STRATA_E_INTERNAL, "h2-connect: the tunnel was never bound to a proxy connection");
    case Phase::kFailed:
      return Failed();
    case Phase::kAwaitingHead:
      return STRATA_AGAIN;
    case Phase::kOpen:
      *done = 1;
      return STRATA_OK;
    case Phase::kWaitingCarrier:
      break;
  }
  switch (carrier_->state()) {
    case TunnelCarrier::State::kConnecting:
      return STRATA_AGAIN;
    case TunnelCarrier::State::kDead: {
      LayerError e = carrier_->error();
      // A proxy connection refused before it carried our stream: the hop
      // may go again on another (STRATA_E_NOT_PROCESSED is resent).
      return Fail(e.status < 0 ? e.status : STRATA_E_PROXY,
                  absl::StrCat("the HTTP/2 connection to proxy ", proxy_, " failed before the tunnel to ", authority_,
                               " opened: ", e.layer.empty() ? "" : absl::StrCat(e.layer, ": "), e.message));
    }
    case TunnelCarrier::State::kReady:
      break;
  }
  if (carrier_->HttpVersion() != 20) {
    // ALPN picked http/1.1: the hop is planned again with the HTTP/1.1
    // CONNECT tunnel (curl does the same with --proxy-http2).
    fell_back_to_http1_ = true;
    return Fail(STRATA_E_NOT_PROCESSED,
                absl::StrCat("proxy ", proxy_, " chose HTTP/1.1 (ALPN); using an HTTP/1.1 CONNECT tunnel instead"));
  }
  if (carrier_->Capacity() == 0) {
    // The proxy's SETTINGS_MAX_CONCURRENT_STREAMS turned out lower than
    // the tunnels bound while it connected. Idle origin connections keep
    // their tunnels open, so a slot may not free for a long time: the hop
    // goes again, onto a proxy connection with room (or a new one).
    return Fail(STRATA_E_NOT_PROCESSED, absl::StrCat("proxy connection ", carrier_->Name(), " to ", proxy_,
                                                     " has no stream left for a tunnel to ", authority_,
                                                     " (SETTINGS_MAX_CONCURRENT_STREAMS)"));
  }
  return OpenStream();
}

strata_status H2ConnectTunnel::OpenStream() {
  static const std::string kProxyAuthorization = "proxy-authorization";
  strata_header fields[1];
  size_t count = 0;
  if (!proxy_authorization_.empty()) {
    fields[count++] = strata_header{kProxyAuthorization.data(), kProxyAuthorization.size(),
                                    proxy_authorization_.data(), proxy_authorization_.size()};
  }
  strata_request_head head{};
  head.struct_size = sizeof(head);
  head.method = "CONNECT";
  head.scheme = "";
  head.authority = authority_.c_str();
  head.path = "";
  head.headers = fields;
  head.header_count = count;
  head.content_length = -1;
  head.flags = STRATA_REQUEST_TUNNEL;
  LayerError e;
  strata_status st = carrier_->OpenStream(head, this, &stream_id_, &e);
  if (st != STRATA_OK) {
    return Fail(st < 0 ? st : STRATA_E_PROXY,
                absl::StrCat("could not open a CONNECT stream to ", authority_, " on proxy connection ",
                             carrier_->Name(), ": ", e.message.empty() ? strata_status_name(st) : e.message));
  }
  stream_live_ = true;
  carrier_->Waiting(false);
  phase_ = Phase::kAwaitingHead;
  carrier_->DriveSoon();
  return STRATA_AGAIN;
}

strata_status H2ConnectTunnel::Send(const uint8_t* data, size_t len, size_t* out_written) {
  *out_written = 0;
  if (phase_ == Phase::kFailed) return Failed();
  if (phase_ != Phase::kOpen || upstream_eos_ || !stream_live_) {
    return Fail(STRATA_E_STATE, absl::StrCat("h2-connect: the tunnel to ", authority_, " is not open for sending"));
  }
  const size_t pending = upstream_.size() - upstream_pos_;
  if (pending >= kUpstreamLimit) {
    upstream_full_ = true;
    return STRATA_AGAIN;
  }
  const size_t n = std::min(len, kUpstreamLimit - pending);
  if (upstream_pos_ > 0 && upstream_pos_ == upstream_.size()) {
    upstream_.clear();
    upstream_pos_ = 0;
  }
  upstream_.append(reinterpret_cast<const char*>(data), n);
  *out_written = n;
  carrier_->DriveSoon();
  return STRATA_OK;
}

strata_status H2ConnectTunnel::Recv(uint8_t* buf, size_t cap, size_t* out_read) {
  *out_read = 0;
  const size_t available = downstream_.size() - downstream_pos_;
  if (available > 0 && cap > 0) {
    const size_t n = std::min(cap, available);
    std::memcpy(buf, downstream_.data() + downstream_pos_, n);
    downstream_pos_ += n;
    if (downstream_pos_ == downstream_.size()) {
      downstream_.clear();
      downstream_pos_ = 0;
    }
    *out_read = n;
    if (stream_live_) {
      carrier_->Consumed(stream_id_, n);
      carrier_->DriveSoon();
    }
    return STRATA_OK;
  }
  if (downstream_eof_) return STRATA_OK;  // orderly end: the proxy's END_STREAM
  if (phase_ == Phase::kFailed) return Failed();
  return STRATA_AGAIN;
}

bool H2ConnectTunnel::DataPending() const { return downstream_.size() > downstream_pos_ || downstream_eof_; }

strata_status H2ConnectTunnel::Query(uint32_t query, void* out, size_t* inout_len) {
  auto answer_text = [&](const std::string& text) {
    if (!out || *inout_len < text.size() + 1) {
      *inout_len = text.size() + 1;
      return STRATA_E_BUFFER_TOO_SMALL;
    }
    std::memcpy(out, text.c_str(), text.size() + 1);
    *inout_len = text.size() + 1;
    return STRATA_OK;
  };
  switch (query) {
    case STRATA_QUERY_DESCRIBE:
      return answer_text(carrier_ ? absl::StrCat("h2-connect(", authority_, " via ", proxy_, " conn ",
                                                 carrier_->Name(), " stream ", stream_id_, ")")
                                  : absl::StrCat("h2-connect(", authority_, ")"));
    case STRATA_QUERY_CONNECT_STATUS:
      if (connect_status_ == 0) return STRATA_E_UNSUPPORTED;
      if (!out || *inout_len < sizeof(int)) return STRATA_E_BUFFER_TOO_SMALL;
      *static_cast<int*>(out) = connect_status_;
      *inout_len = sizeof(int);
      return STRATA_OK;
    case STRATA_QUERY_ALPN:
      // The proxy's ALPN (h2) is not the origin's: hide it, as the
      // connect-tunnel layer does.
      return answer_text("");
    case STRATA_QUERY_PEER_ADDRESS:
    case STRATA_QUERY_LOCAL_ADDRESS:
    case STRATA_QUERY_NAMELOOKUP_US:
      // The socket is the proxy connection's (curl reports the proxy's
      // address too).
      return carrier_ ? carrier_->Query(query, out, inout_len) : STRATA_E_UNSUPPORTED;
    default:
      return STRATA_E_UNSUPPORTED;
  }
}

strata_status H2ConnectTunnel::Shutdown(int* done) {
  *done = 1;
  if (stream_live_ && !upstream_eos_) {
    upstream_eos_ = true;
    carrier_->DriveSoon();
  }
  return STRATA_OK;
}

strata_status H2ConnectTunnel::ReadBody(uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) {
  *out_read = 0;
  *out_eos = 0;
  const size_t pending = upstream_.size() - upstream_pos_;
  if (pending == 0) {
    if (upstream_eos_) {
      *out_eos = 1;
      return STRATA_OK;
    }
    return STRATA_AGAIN;  // the session asks again when the proxy connection is driven
  }
  const size_t n = std::min(cap, pending);
  std::memcpy(buf, upstream_.data() + upstream_pos_, n);
  upstream_pos_ += n;
  *out_read = n;
  if (upstream_pos_ == upstream_.size() && upstream_eos_) *out_eos = 1;
  if (upstream_full_) {
    upstream_full_ = false;
    Wake();  // the chain may send again
  }
  return STRATA_OK;
}

strata_status H2ConnectTunnel::OnHead(const strata_response_head& head) {
  if (head.status < 200) return STRATA_OK;  // 1xx: the final answer follows
  connect_status_ = head.status;
  Wake();
  if (head.status < 300) {
    phase_ = Phase::kOpen;
    return STRATA_OK;
  }
  std::string reason = ReasonFor(head.status);
  Fail(STRATA_E_PROXY, absl::StrCat("proxy ", proxy_, " refused the tunnel to ", authority_, " (HTTP/2 CONNECT): ",
                                    head.status, reason.empty() ? "" : " ", reason));
  // A refused CONNECT's body is of no use: the session resets the stream.
  return STRATA_E_PROXY;
}

strata_status H2ConnectTunnel::OnData(const uint8_t* data, size_t len) {
  if (phase_ == Phase::kFailed) return error_status_;
  // Drop what Recv() has read once it is at least as much as what is left,
  // so the buffer holds at most about one stream window (credit returns
  // only as Recv() reads) and each byte is moved at most once more. It was
  // dropped only when everything had been read, so under steady traffic it
  // kept every byte of the download: 64 MiB through a tunnel cost 5x
  // curl's CPU in reallocation copies.
  if (downstream_pos_ > 0 && downstream_pos_ >= downstream_.size() - downstream_pos_) {
    downstream_.erase(0, downstream_pos_);
    downstream_pos_ = 0;
  }
  downstream_.append(reinterpret_cast<const char*>(data), len);
  Wake();
  return STRATA_OK;
}

void H2ConnectTunnel::OnEnd(const strata_header*, size_t) {
  stream_live_ = false;
  if (phase_ == Phase::kAwaitingHead) {
    Fail(STRATA_E_PROXY, absl::StrCat("proxy ", proxy_, " ended the CONNECT stream to ", authority_,
                                      " without a final answer"));
  }
  downstream_eof_ = true;
  EndStream();
  Wake();
}

void H2ConnectTunnel::OnError(strata_status status, const std::string& layer, const std::string& message) {
  stream_live_ = false;
  EndStream();
  Wake();
  if (phase_ == Phase::kFailed) return;  // our own refusal (OnHead) came back
  const bool opened = phase_ == Phase::kOpen;
  std::string what = status == STRATA_E_STREAM_RESET ? "the proxy reset the tunnel"
                     : status == STRATA_E_NOT_PROCESSED
                         ? "the proxy did not process the CONNECT (GOAWAY or REFUSED_STREAM)"
                         : "the tunnel failed";
  Fail(status, absl::StrCat(what, " to ", authority_, " on proxy connection ", carrier_ ? carrier_->Name() : "",
                            " (", proxy_, opened ? "" : ", before it opened", "): ",
                            layer.empty() ? "" : absl::StrCat(layer, ": "), message));
}

// ---------------------------------------------------------------------------
// The built-in layer type.

namespace {

H2ConnectTunnel* Self(void* self) { return static_cast<H2ConnectTunnel*>(self); }

strata_status Create(strata_layer_ctx* ctx, const strata_layer_config* config, void** out_self) {
  nlohmann::json options = nlohmann::json::parse(config->options_json ? config->options_json : "{}", nullptr,
                                                 /*allow_exceptions=*/false);
  if (!options.is_object()) options = nlohmann::json::object();
  auto text = [&](const char* key) {
    auto it = options.find(key);
    return it != options.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string host = config->host ? config->host : "";
  const bool ipv6 = host.find(':') != std::string::npos;
  std::string authority = absl::StrCat(ipv6 ? "[" : "", host, ipv6 ? "]" : "", ":", config->port);
  *out_self = new H2ConnectTunnel(ctx, std::move(authority), text("proxy_authorization"), text("proxy"));
  return STRATA_OK;
}

void Destroy(void* self) { delete Self(self); }
strata_status Connect(void* self, int* done) { return Self(self)->Connect(done); }
strata_status Send(void* self, const uint8_t* data, size_t len, size_t* written) {
  return Self(self)->Send(data, len, written);
}
strata_status Recv(void* self, uint8_t* buf, size_t cap, size_t* read) { return Self(self)->Recv(buf, cap, read); }
// No descriptor: wake-ups come from the carrier's callbacks.
uint32_t PollInterest(void*, uint32_t) { return 0; }
int DataPending(void* self) { return Self(self)->DataPending() ? 1 : 0; }
strata_status Query(void* self, uint32_t query, void* out, size_t* len) { return Self(self)->Query(query, out, len); }
strata_status Control(void*, uint32_t, const void*, size_t) { return STRATA_E_UNSUPPORTED; }
strata_status Shutdown(void* self, int* done) { return Self(self)->Shutdown(done); }

const strata_stream_layer_vtable kVtable = {
    sizeof(strata_stream_layer_vtable), &Create, &Destroy, &Connect, &Send, &Recv, &PollInterest, &DataPending,
    &Query, &Control, &Shutdown,
};

}  // namespace

LayerType H2ConnectLayerType() {
  LayerType type;
  type.name = kH2ConnectLayer;
  type.kind = STRATA_LAYER_BYTE_STREAM;
  type.stream = &kVtable;
  type.description = "CONNECT tunnel on a shared HTTP/2 proxy connection (RFC 9113 §8.5), built in";
  type.flags = STRATA_LAYER_FLAG_TUNNEL;
  return type;
}

H2ConnectTunnel* TunnelOf(const Connection& conn, size_t index) {
  const LayerType* type = conn.LayerTypeAt(index);
  if (type == nullptr || type->stream != &kVtable) return nullptr;
  return Self(conn.LayerSelf(index));
}

}  // namespace strata
