// strata/sdk.hpp — header-only C++ helper for plugin authors.
//
// Write a layer as a C++ class derived from ByteStreamLayer or SessionLayer,
// then emit the C descriptor with STRATA_SDK_PLUGIN. The helper builds the C
// vtables, and every hook runs behind a barrier that turns a C++ exception
// into a status code plus set_error(), so no exception crosses the C ABI.
//
//   class Tap : public strata::sdk::ByteStreamLayer {
//    public:
//     Tap(strata_layer_ctx* ctx, const strata_layer_config* cfg)
//         : ByteStreamLayer(ctx) {}
//     strata_status Send(const uint8_t* d, size_t n, size_t* w) override {
//       return LowerSend(d, n, w);
//     }
//     ...
//   };
//   STRATA_SDK_PLUGIN("tap", "1.0.0",
//                     strata::sdk::StreamLayerType<Tap>("tap", "records bytes"))
//
// Only this header, strata/plugin.h and strata/status.h are needed: a plugin
// never includes runtime headers.
#ifndef STRATA_SDK_HPP_
#define STRATA_SDK_HPP_

#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <utility>

#include "strata/plugin.h"

namespace strata::sdk {

// The host-services table, set by the plugin's init (STRATA_SDK_PLUGIN does
// it). Valid until deinit.
inline const strata_host_services*& HostServices() {
  static const strata_host_services* host = nullptr;
  return host;
}

// Error thrown inside a layer to fail the current hook with |status|.
class Error : public std::exception {
 public:
  Error(strata_status status, std::string message)
      : status_(status), message_(std::move(message)) {}
  strata_status status() const { return status_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  strata_status status_;
  std::string message_;
};

// Common helpers for both layer kinds: access to the host and the layer below.
class LayerBase {
 public:
  explicit LayerBase(strata_layer_ctx* ctx) : ctx_(ctx) {}
  virtual ~LayerBase() = default;
  LayerBase(const LayerBase&) = delete;
  LayerBase& operator=(const LayerBase&) = delete;

  strata_layer_ctx* ctx() const { return ctx_; }
  const strata_host_services& host() const { return *HostServices(); }

  // Fail records |message| with the host and returns |status|, so a hook
  // can `return Fail(STRATA_E_PROTOCOL, "...")`.
  strata_status Fail(strata_status status, const std::string& message) const {
    host().set_error(ctx_, status, message.c_str());
    return status;
  }
  void Log(int32_t level, const std::string& message) const {
    host().log(ctx_, level, message.c_str());
  }
  uint64_t NowMs() const { return host().now_ms(); }
  void WakeAt(uint64_t deadline_ms) const { host().wake_at(ctx_, deadline_ms); }

  // FindOption returns the option |key| as text, or std::nullopt when the
  // layer's options do not have it (Option cannot tell that from its
  // fallback).
  std::optional<std::string> FindOption(const char* key) const {
    char probe[1];
    size_t len = sizeof(probe);
    strata_status st = host().option_get(ctx_, key, probe, &len);
    if (st != STRATA_OK && st != STRATA_E_BUFFER_TOO_SMALL) return std::nullopt;
    return Option(key);
  }

  // Option returns the option |key| as text, or |fallback| when absent.
  std::string Option(const char* key, const std::string& fallback = "") const {
    char small[256];
    size_t len = sizeof(small);
    strata_status st = host().option_get(ctx_, key, small, &len);
    if (st == STRATA_OK) return std::string(small, len ? len - 1 : 0);
    if (st != STRATA_E_BUFFER_TOO_SMALL) return fallback;
    std::string big(len, '\0');
    if (host().option_get(ctx_, key, big.data(), &len) != STRATA_OK) return fallback;
    big.resize(len ? len - 1 : 0);
    return big;
  }

  strata_status LowerConnect(int* done) { return host().lower_connect(ctx_, done); }
  strata_status LowerSend(const uint8_t* d, size_t n, size_t* w) {
    return host().lower_send(ctx_, d, n, w);
  }
  strata_status LowerRecv(uint8_t* b, size_t cap, size_t* r) {
    return host().lower_recv(ctx_, b, cap, r);
  }
  uint32_t LowerPollInterest(uint32_t wants) {
    return host().lower_poll_interest(ctx_, wants);
  }
  bool LowerDataPending() { return host().lower_data_pending(ctx_) != 0; }
  strata_status LowerQuery(uint32_t q, void* out, size_t* len) {
    return host().lower_query(ctx_, q, out, len);
  }
  strata_status LowerControl(uint32_t c, const void* arg, size_t len) {
    return host().lower_control(ctx_, c, arg, len);
  }

  // AnswerText writes |text| as a query answer (NUL-terminated).
  static strata_status AnswerText(const std::string& text, void* out, size_t* len) {
    if (*len < text.size() + 1) {
      *len = text.size() + 1;
      return STRATA_E_BUFFER_TOO_SMALL;
    }
    std::memcpy(out, text.c_str(), text.size() + 1);
    *len = text.size() + 1;
    return STRATA_OK;
  }
  static strata_status AnswerInt(int value, void* out, size_t* len) {
    if (*len < sizeof(int)) {
      *len = sizeof(int);
      return STRATA_E_BUFFER_TOO_SMALL;
    }
    std::memcpy(out, &value, sizeof(int));
    *len = sizeof(int);
    return STRATA_OK;
  }

 private:
  strata_layer_ctx* ctx_;
};

// A byte-stream layer. Defaults pass everything to the layer below, so a
// layer writes only what it changes.
class ByteStreamLayer : public LayerBase {
 public:
  using LayerBase::LayerBase;
  virtual strata_status Connect(int* done) { return LowerConnect(done); }
  virtual strata_status Send(const uint8_t* d, size_t n, size_t* w) {
    return LowerSend(d, n, w);
  }
  virtual strata_status Recv(uint8_t* b, size_t cap, size_t* r) {
    return LowerRecv(b, cap, r);
  }
  virtual uint32_t PollInterest(uint32_t wants) { return LowerPollInterest(wants); }
  virtual bool DataPending() { return LowerDataPending(); }
  virtual strata_status Query(uint32_t q, void* out, size_t* len) {
    if (q == STRATA_QUERY_DESCRIBE) return STRATA_E_UNSUPPORTED;
    return LowerQuery(q, out, len);
  }
  // STRATA_CONTROL_SEND_SEGMENTS is refused, not passed down: a layer that
  // overrides Send() changes the bytes, and the layer below would cut them
  // into datagrams at the wrong places. A pass-through layer that keeps
  // Send() may pass it down itself.
  virtual strata_status Control(uint32_t c, const void* arg, size_t len) {
    if (c == STRATA_CONTROL_SEND_SEGMENTS) return STRATA_E_UNSUPPORTED;
    return LowerControl(c, arg, len);
  }
  virtual strata_status Shutdown(int* done) {
    *done = 1;
    return STRATA_OK;
  }
};

// A session layer: turns the byte stream below into HTTP exchanges.
class SessionLayer : public LayerBase {
 public:
  using LayerBase::LayerBase;
  virtual strata_status Connect(int* done) { return LowerConnect(done); }
  virtual uint32_t Capacity() = 0;
  virtual strata_status OpenStream(const strata_request_head* head, void* user,
                                   uint32_t* out_id) = 0;
  virtual strata_status CancelStream(uint32_t id) = 0;
  virtual strata_status Progress() = 0;
  virtual uint32_t PollInterest() = 0;
  virtual bool IsReusable() = 0;
  virtual strata_status Query(uint32_t q, void* out, size_t* len) {
    if (q == STRATA_QUERY_DESCRIBE) return STRATA_E_UNSUPPORTED;
    return LowerQuery(q, out, len);
  }
  virtual strata_status Control(uint32_t c, const void* arg, size_t len) {
    return LowerControl(c, arg, len);
  }
  virtual strata_status Shutdown(int* done) {
    *done = 1;
    return STRATA_OK;
  }

  // Callbacks into the host for stream |user|.
  strata_status ReadBody(void* user, uint8_t* buf, size_t cap, size_t* n, int* eos) {
    return host().stream_read_body(ctx(), user, buf, cap, n, eos);
  }
  strata_status DeliverHead(void* user, const strata_response_head* head) {
    return host().stream_on_head(ctx(), user, head);
  }
  strata_status DeliverData(void* user, const uint8_t* d, size_t n) {
    return host().stream_on_data(ctx(), user, d, n);
  }
  void DeliverEnd(void* user, const strata_header* trailers, size_t count) {
    host().stream_on_end(ctx(), user, trailers, count);
  }
  void DeliverError(void* user, strata_status status, const std::string& msg) {
    host().stream_on_error(ctx(), user, status, msg.c_str());
  }
};

namespace internal {

// Barrier runs |fn| and converts any exception into a status, after
// recording the message with the host.
template <typename Fn>
strata_status Barrier(strata_layer_ctx* ctx, Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const Error& e) {
    if (HostServices() && ctx) HostServices()->set_error(ctx, e.status(), e.what());
    return e.status();
  } catch (const std::bad_alloc&) {
    if (HostServices() && ctx) HostServices()->set_error(ctx, STRATA_E_NO_MEMORY, "out of memory");
    return STRATA_E_NO_MEMORY;
  } catch (const std::exception& e) {
    if (HostServices() && ctx) HostServices()->set_error(ctx, STRATA_E_INTERNAL, e.what());
    return STRATA_E_INTERNAL;
  } catch (...) {
    if (HostServices() && ctx) HostServices()->set_error(ctx, STRATA_E_INTERNAL, "unknown exception");
    return STRATA_E_INTERNAL;
  }
}

template <typename T>
T* Self(void* self) {
  return static_cast<T*>(self);
}

template <typename T>
strata_status Create(strata_layer_ctx* ctx, const strata_layer_config* config,
                     void** out_self) {
  return Barrier(ctx, [&]() -> strata_status {
    *out_self = new T(ctx, config);
    return STRATA_OK;
  });
}

template <typename T>
void Destroy(void* self) {
  try {
    delete Self<T>(self);
  } catch (...) {
  }
}

}  // namespace internal

template <typename T>
const strata_stream_layer_vtable* StreamVtable() {
  using internal::Barrier;
  using internal::Self;
  static const strata_stream_layer_vtable vtable = {
      sizeof(strata_stream_layer_vtable),
      &internal::Create<T>,
      &internal::Destroy<T>,
      [](void* s, int* done) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Connect(done); });
      },
      [](void* s, const uint8_t* d, size_t n, size_t* w) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Send(d, n, w); });
      },
      [](void* s, uint8_t* b, size_t cap, size_t* r) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Recv(b, cap, r); });
      },
      [](void* s, uint32_t wants) -> uint32_t {
        try {
          return Self<T>(s)->PollInterest(wants);
        } catch (...) {
          return STRATA_POLL_READ;
        }
      },
      [](void* s) -> int {
        try {
          return Self<T>(s)->DataPending() ? 1 : 0;
        } catch (...) {
          return 0;
        }
      },
      [](void* s, uint32_t q, void* out, size_t* len) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Query(q, out, len); });
      },
      [](void* s, uint32_t c, const void* arg, size_t len) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Control(c, arg, len); });
      },
      [](void* s, int* done) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Shutdown(done); });
      },
  };
  return &vtable;
}

template <typename T>
const strata_session_layer_vtable* SessionVtable() {
  using internal::Barrier;
  using internal::Self;
  static const strata_session_layer_vtable vtable = {
      sizeof(strata_session_layer_vtable),
      &internal::Create<T>,
      &internal::Destroy<T>,
      [](void* s, int* done) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Connect(done); });
      },
      [](void* s) -> uint32_t {
        try {
          return Self<T>(s)->Capacity();
        } catch (...) {
          return 0;
        }
      },
      [](void* s, const strata_request_head* h, void* u, uint32_t* id) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->OpenStream(h, u, id); });
      },
      [](void* s, uint32_t id) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->CancelStream(id); });
      },
      [](void* s) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Progress(); });
      },
      [](void* s) -> uint32_t {
        try {
          return Self<T>(s)->PollInterest();
        } catch (...) {
          return STRATA_POLL_READ;
        }
      },
      [](void* s) -> int {
        try {
          return Self<T>(s)->IsReusable() ? 1 : 0;
        } catch (...) {
          return 0;
        }
      },
      [](void* s, uint32_t q, void* out, size_t* len) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Query(q, out, len); });
      },
      [](void* s, uint32_t c, const void* arg, size_t len) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Control(c, arg, len); });
      },
      [](void* s, int* done) {
        return Barrier(Self<T>(s)->ctx(), [&] { return Self<T>(s)->Shutdown(done); });
      },
  };
  return &vtable;
}

template <typename T>
const strata_layer_type* StreamLayerType(const char* name, const char* description,
                                         uint32_t flags = 0) {
  static const strata_layer_type type = {sizeof(strata_layer_type), name,
                                         STRATA_LAYER_BYTE_STREAM,
                                         StreamVtable<T>(), nullptr, description, flags};
  return &type;
}

template <typename T>
const strata_layer_type* SessionLayerType(const char* name, const char* description,
                                          uint32_t flags = 0) {
  static const strata_layer_type type = {sizeof(strata_layer_type), name,
                                         STRATA_LAYER_SESSION, nullptr,
                                         SessionVtable<T>(), description, flags};
  return &type;
}

// ---------------------------------------------------------------------------
// Policies (ABI 1.1). Derive from Policy, override the checks you need, and
// emit the descriptor with STRATA_SDK_POLICY_PLUGIN:
//
//   class OnlyHttps : public strata::sdk::Policy {
//    public:
//     explicit OnlyHttps(const std::string& options_json) {}
//     void CheckHop(const strata_policy_hop& hop, Actions& act) override {
//       if (std::strncmp(hop.url, "https:", 6) != 0) act.Deny("only https");
//     }
//   };
//   STRATA_SDK_POLICY_PLUGIN("only-https", "1.0.0",
//       strata::sdk::PolicyType<OnlyHttps>("only-https", "refuses http"))
//
// The constructor receives the configuration's options as JSON text and
// throws Error to refuse them; a check that throws denies the hop with the
// exception's message.
// ---------------------------------------------------------------------------

// Actions wraps strata_policy_actions for one check.
class Actions {
 public:
  explicit Actions(const strata_policy_actions* a) : a_(a) {}
  void Deny(const std::string& message, strata_status status = 0) const {
    a_->deny(a_->host_self, status, message.c_str());
  }
  void Log(const std::string& message, int32_t level = STRATA_LOG_INFO) const {
    a_->log(a_->host_self, level, message.c_str());
  }
  strata_status AddHeader(const std::string& name, const std::string& value) const {
    return a_->add_header(a_->host_self, name.c_str(), value.c_str());
  }
  strata_status RemoveHeader(const std::string& name) const {
    return a_->remove_header(a_->host_self, name.c_str());
  }
  strata_status UsePipeline(const std::string& name) const {
    return a_->use_pipeline(a_->host_self, name.c_str());
  }
  strata_status SetLayerOption(const std::string& layer, const std::string& key,
                               const std::string& json_value) const {
    return a_->set_layer_option(a_->host_self, layer.c_str(), key.c_str(), json_value.c_str());
  }
  strata_status StripCredentials() const { return a_->strip_credentials(a_->host_self); }

 private:
  const strata_policy_actions* a_;
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual void CheckHop(const strata_policy_hop& hop, Actions& actions) {
    (void)hop;
    (void)actions;
  }
  virtual void CheckHandshake(const strata_policy_handshake& handshake, Actions& actions) {
    (void)handshake;
    (void)actions;
  }
};

namespace internal {

inline void CopyMessage(const char* message, char* out, size_t cap) {
  if (!out || cap == 0) return;
  std::strncpy(out, message, cap - 1);
  out[cap - 1] = '\0';
}

// PolicyBarrier runs a check; an exception denies the hop with its message.
template <typename Fn>
strata_status PolicyBarrier(const strata_policy_actions* a, Fn&& fn) noexcept {
  try {
    fn();
    return STRATA_OK;
  } catch (const Error& e) {
    a->deny(a->host_self, e.status(), e.what());
    return e.status();
  } catch (const std::exception& e) {
    a->deny(a->host_self, STRATA_E_INTERNAL, e.what());
    return STRATA_E_INTERNAL;
  } catch (...) {
    a->deny(a->host_self, STRATA_E_INTERNAL, "unknown exception in a policy");
    return STRATA_E_INTERNAL;
  }
}

template <typename T>
strata_status CreatePolicy(const char* options_json, void** out_self, char* error, size_t error_cap) noexcept {
  try {
    *out_self = static_cast<Policy*>(new T(std::string(options_json ? options_json : "{}")));
    return STRATA_OK;
  } catch (const Error& e) {
    CopyMessage(e.what(), error, error_cap);
    return e.status();
  } catch (const std::bad_alloc&) {
    CopyMessage("out of memory", error, error_cap);
    return STRATA_E_NO_MEMORY;
  } catch (const std::exception& e) {
    CopyMessage(e.what(), error, error_cap);
    return STRATA_E_CONFIG;
  } catch (...) {
    CopyMessage("unknown exception", error, error_cap);
    return STRATA_E_INTERNAL;
  }
}

}  // namespace internal

template <typename T>
const strata_policy_vtable* PolicyVtable() {
  static const strata_policy_vtable vtable = {
      sizeof(strata_policy_vtable),
      &internal::CreatePolicy<T>,
      [](void* self) {
        try {
          delete static_cast<Policy*>(self);
        } catch (...) {
        }
      },
      [](void* self, const strata_policy_hop* hop, const strata_policy_actions* a) -> strata_status {
        return internal::PolicyBarrier(a, [&] {
          Actions actions(a);
          static_cast<Policy*>(self)->CheckHop(*hop, actions);
        });
      },
      [](void* self, const strata_policy_handshake* hs, const strata_policy_actions* a) -> strata_status {
        return internal::PolicyBarrier(a, [&] {
          Actions actions(a);
          static_cast<Policy*>(self)->CheckHandshake(*hs, actions);
        });
      },
  };
  return &vtable;
}

template <typename T>
const strata_policy_type* PolicyType(const char* name, const char* description) {
  static const strata_policy_type type = {sizeof(strata_policy_type), name, PolicyVtable<T>(), description};
  return &type;
}

}  // namespace strata::sdk

// STRATA_SDK_DESCRIPTOR_ defines strata_plugin_entry() returning a
// descriptor with the given layer and policy tables (internal: use the two
// macros below).
#define STRATA_SDK_DESCRIPTOR_(plugin_name, plugin_version, layers, layer_count,    \
                               policies, policy_count)                         \
  extern "C" STRATA_PLUGIN_EXPORT const strata_plugin_descriptor*              \
  strata_plugin_entry(void) {                                                   \
    static const strata_plugin_descriptor descriptor = {                       \
        sizeof(strata_plugin_descriptor),                                      \
        STRATA_ABI_MAJOR,                                                      \
        STRATA_ABI_MINOR,                                                      \
        plugin_name,                                                           \
        plugin_version,                                                        \
        layers,                                                                \
        layer_count,                                                           \
        [](const strata_host_services* host) -> strata_status {                \
          ::strata::sdk::HostServices() = host;                                \
          return STRATA_OK;                                                    \
        },                                                                     \
        [] { ::strata::sdk::HostServices() = nullptr; },                       \
        policies,                                                              \
        policy_count,                                                          \
    };                                                                         \
    return &descriptor;                                                        \
  }

// STRATA_SDK_PLUGIN defines strata_plugin_entry() for a plugin named
// |plugin_name| that provides the layer types given (StreamLayerType<T>(...),
// SessionLayerType<T>(...)).
#define STRATA_SDK_PLUGIN(plugin_name, plugin_version, ...)                       \
  namespace { const strata_layer_type* const strata_sdk_layer_types_[] = {__VA_ARGS__}; } \
  STRATA_SDK_DESCRIPTOR_(plugin_name, plugin_version, strata_sdk_layer_types_,    \
                         sizeof(strata_sdk_layer_types_) / sizeof(strata_sdk_layer_types_[0]), \
                         nullptr, 0)

// STRATA_SDK_POLICY_PLUGIN defines strata_plugin_entry() for a plugin that
// provides only policies (pass strata::sdk::PolicyType<T>(...) values).
#define STRATA_SDK_POLICY_PLUGIN(plugin_name, plugin_version, ...)                \
  namespace { const strata_policy_type* const strata_sdk_policy_types_[] = {__VA_ARGS__}; } \
  STRATA_SDK_DESCRIPTOR_(plugin_name, plugin_version, nullptr, 0, strata_sdk_policy_types_, \
                         sizeof(strata_sdk_policy_types_) / sizeof(strata_sdk_policy_types_[0]))

#endif  // STRATA_SDK_HPP_
