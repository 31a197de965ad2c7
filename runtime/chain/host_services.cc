// host_services.cc — the host side of the plugin ABI: the services table
// every plugin receives, routed to the Connection that owns the calling
// layer instance.
#include <cstring>

#include "runtime/chain/connection.h"

#include "absl/strings/str_cat.h"
#include "runtime/loop/event_loop.h"

namespace strata {
namespace {
// STRATA_CONTROL_SEND_SEGMENTS is ABI 1.3.
constexpr uint32_t kSendSegmentsAbiMinor = 3;
}  // namespace

struct HostAccess {
  using Layer = Connection::Layer;

  static Connection::Layer* Self(strata_layer_ctx* ctx) {
    return ctx && ctx->conn && ctx->index < ctx->conn->layers_.size() ? &ctx->conn->layers_[ctx->index] : nullptr;
  }
  // Below returns the byte-stream layer under the caller, or nullptr.
  static Connection::Layer* Below(strata_layer_ctx* ctx) {
    if (!ctx || !ctx->conn || ctx->index == 0 || ctx->index > ctx->conn->layers_.size()) return nullptr;
    Layer* l = &ctx->conn->layers_[ctx->index - 1];
    return l->type->kind == STRATA_LAYER_BYTE_STREAM ? l : nullptr;
  }

  static void Log(strata_layer_ctx* ctx, int32_t level, const char* message) {
    Layer* self = Self(ctx);
    if (!self || !message) return;
    // In a chain of proxies the same layer type may talk to several of
    // them: the label says which ("proxy2:connect-tunnel").
    ctx->conn->listener_->OnLayerLog(
        ctx->conn, ctx->conn->ProxyCount() >= 2 ? ctx->conn->LayerLabel(ctx->index) : self->type->name, level, message);
  }
  static void SetError(strata_layer_ctx* ctx, strata_status status, const char* message) {
    Layer* self = Self(ctx);
    if (!self) return;
    // The first error set during a call is the root cause; layers above
    // that fail because of it must not overwrite it.
    LayerError& e = ctx->conn->pending_layer_error_;
    if (e.status != STRATA_OK) return;
    e.status = status;
    e.layer = ctx->conn->LayerLabel(ctx->index);
    e.message = message ? message : "";
    // In a chain, say which proxy failed: its place and URL (credentials
    // never appear in a label).
    const size_t proxies = ctx->conn->ProxyCount();
    const size_t k = proxies >= 2 ? ctx->conn->ProxyOf(ctx->index) : 0;
    if (k != 0) {
      const std::vector<ProxyPeer>& peers = ctx->conn->target().proxies;
      e.message = absl::StrCat("proxy ", k, " of ", proxies, k <= peers.size() ? absl::StrCat(" (", peers[k - 1].label, ")") : "",
                               ": ", e.message);
    }
  }
  static uint64_t NowMs() { return MonotonicMs(); }
  static void WakeAt(strata_layer_ctx* ctx, uint64_t deadline_ms) {
    Layer* self = Self(ctx);
    if (!self) return;
    self->wake_deadline_ms = deadline_ms;
    if (!ctx->conn->driving_) ctx->conn->ArmWakeTimer();
  }
  static strata_status WatchFd(strata_layer_ctx* ctx, int fd) {
    if (!Self(ctx) || fd < 0) return STRATA_E_INVALID_ARGUMENT;
    Connection* c = ctx->conn;
    if (!c->fds_.insert(fd).second) return STRATA_OK;
    absl::Status s = c->loop_->Watch(fd, c->interest_, c);
    if (!s.ok()) {
      c->fds_.erase(fd);
      return STRATA_E_IO;
    }
    return STRATA_OK;
  }
  static void UnwatchFd(strata_layer_ctx* ctx, int fd) {
    if (!Self(ctx)) return;
    if (ctx->conn->fds_.erase(fd)) ctx->conn->loop_->Unwatch(fd);
  }
  static strata_status OptionGet(strata_layer_ctx* ctx, const char* key, char* out, size_t* inout_len) {
    Layer* self = Self(ctx);
    if (!self || !key || !inout_len) return STRATA_E_INVALID_ARGUMENT;
    auto it = self->options.find(key);
    if (it == self->options.end()) return STRATA_E_UNSUPPORTED;
    std::string text = it->is_string() ? it->get<std::string>() : it->dump();
    if (!out || *inout_len < text.size() + 1) {
      *inout_len = text.size() + 1;
      return STRATA_E_BUFFER_TOO_SMALL;
    }
    std::memcpy(out, text.c_str(), text.size() + 1);
    *inout_len = text.size() + 1;
    return STRATA_OK;
  }

  static strata_status LowerConnect(strata_layer_ctx* ctx, int* out_done) {
    Layer* below = Below(ctx);
    if (!below) return STRATA_E_UNSUPPORTED;
    if (below->connected) {
      *out_done = 1;
      return STRATA_OK;
    }
    strata_status st = below->type->stream->connect(below->self, out_done);
    if (st == STRATA_OK && *out_done) ctx->conn->NoteLayerConnected(ctx->index - 1);
    return st;
  }
  static strata_status LowerSend(strata_layer_ctx* ctx, const uint8_t* data, size_t len, size_t* out_written) {
    Layer* below = Below(ctx);
    if (!below) return STRATA_E_UNSUPPORTED;
    strata_status st = below->type->stream->send(below->self, data, len, out_written);
    if (st == STRATA_OK && ctx->conn->session_ != nullptr && Self(ctx) == ctx->conn->session_) {
      ctx->conn->session_bytes_out_ += *out_written;
    }
    return st;
  }
  static strata_status LowerRecv(strata_layer_ctx* ctx, uint8_t* buf, size_t cap, size_t* out_read) {
    Layer* below = Below(ctx);
    if (!below) return STRATA_E_UNSUPPORTED;
    return below->type->stream->recv(below->self, buf, cap, out_read);
  }
  static uint32_t LowerPollInterest(strata_layer_ctx* ctx, uint32_t wants) {
    Layer* below = Below(ctx);
    if (!below) return wants;
    return below->type->stream->poll_interest(below->self, wants);
  }
  static int LowerDataPending(strata_layer_ctx* ctx) {
    Layer* below = Below(ctx);
    return below ? below->type->stream->data_pending(below->self) : 0;
  }
  static strata_status LowerQuery(strata_layer_ctx* ctx, uint32_t query, void* out, size_t* inout_len) {
    Layer* below = Below(ctx);
    if (!below) return STRATA_E_UNSUPPORTED;
    return below->type->stream->query(below->self, query, out, inout_len);
  }
  static strata_status LowerControl(strata_layer_ctx* ctx, uint32_t control, const void* arg, size_t len) {
    Layer* below = Below(ctx);
    if (!below) return STRATA_E_UNSUPPORTED;
    // A plugin built before ABI 1.3 does not know the control; an old
    // pass-through default would hand it further down, and the bottom layer
    // would cut the bytes of a layer that changed them into datagrams.
    if (control == STRATA_CONTROL_SEND_SEGMENTS && below->type->abi_minor < kSendSegmentsAbiMinor) {
      return STRATA_E_UNSUPPORTED;
    }
    return below->type->stream->control(below->self, control, arg, len);
  }
  static strata_status LowerShutdown(strata_layer_ctx* ctx, int* out_done) {
    Layer* below = Below(ctx);
    if (!below) return STRATA_E_UNSUPPORTED;
    return below->type->stream->shutdown(below->self, out_done);
  }

  static StreamSink* Sink(void* user) { return static_cast<StreamSink*>(user); }
  static strata_status StreamReadBody(strata_layer_ctx*, void* user, uint8_t* buf, size_t cap, size_t* out_read,
                                      int* out_eos) {
    if (!user || !out_read || !out_eos) return STRATA_E_INVALID_ARGUMENT;
    return Sink(user)->ReadBody(buf, cap, out_read, out_eos);
  }
  static strata_status StreamOnHead(strata_layer_ctx*, void* user, const strata_response_head* head) {
    if (!user || !head) return STRATA_E_INVALID_ARGUMENT;
    return Sink(user)->OnHead(*head);
  }
  static strata_status StreamOnData(strata_layer_ctx*, void* user, const uint8_t* data, size_t len) {
    if (!user) return STRATA_E_INVALID_ARGUMENT;
    return Sink(user)->OnData(data, len);
  }
  static void StreamOnEnd(strata_layer_ctx*, void* user, const strata_header* trailers, size_t count) {
    if (user) Sink(user)->OnEnd(trailers, count);
  }
  static void StreamOnError(strata_layer_ctx* ctx, void* user, strata_status status, const char* message) {
    if (!user) return;
    Layer* self = Self(ctx);
    // A layer below may have set the root cause during this call.
    LayerError root = ctx && ctx->conn ? ctx->conn->pending_layer_error_ : LayerError{};
    if (root.status != STRATA_OK && root.layer != (self ? self->type->name : "")) {
      Sink(user)->OnError(status, root.layer, root.message);
      return;
    }
    Sink(user)->OnError(status, self ? self->type->name : "session", message ? message : "");
  }
};

const strata_host_services* HostServicesTable() {
  static const strata_host_services table = {
      sizeof(strata_host_services),
      STRATA_ABI_MAJOR,
      STRATA_ABI_MINOR,
      &HostAccess::Log,
      &HostAccess::SetError,
      &HostAccess::NowMs,
      &HostAccess::WakeAt,
      &HostAccess::WatchFd,
      &HostAccess::UnwatchFd,
      &HostAccess::OptionGet,
      &HostAccess::LowerConnect,
      &HostAccess::LowerSend,
      &HostAccess::LowerRecv,
      &HostAccess::LowerPollInterest,
      &HostAccess::LowerDataPending,
      &HostAccess::LowerQuery,
      &HostAccess::LowerControl,
      &HostAccess::LowerShutdown,
      &HostAccess::StreamReadBody,
      &HostAccess::StreamOnHead,
      &HostAccess::StreamOnData,
      &HostAccess::StreamOnEnd,
      &HostAccess::StreamOnError,
  };
  return &table;
}

}  // namespace strata
