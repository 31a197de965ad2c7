/*
 * strata/plugin.h — the plugin ABI, version 1.
 *
 * A plugin is a shared object that exports exactly one symbol,
 * `strata_plugin_entry`, returning a strata_plugin_descriptor. The descriptor
 * lists the layer types the plugin provides. A layer type is either
 *   - a byte-stream layer (tcp, tls, connect-tunnel): moves bytes, or
 *   - a session layer (h1, h2): turns a byte stream into HTTP exchanges.
 * The host (the strata runtime) chains layer instances per connection: the
 * bottom layer owns the socket, every other layer reaches the layer below it
 * only through the host-services table (`lower_*`), so the host can trace,
 * time and test every crossing.
 *
 * Versioning: the host refuses a plugin whose abi_major differs from
 * STRATA_ABI_MAJOR or whose abi_minor is newer than the host's. Every struct
 * starts with struct_size; structs and tables only grow at the end, and a
 * reader checks that a field lies within struct_size before reading it
 * (STRATA_HAS_FIELD). Ids (status codes, queries, controls, kinds) are
 * explicit and never reused. A changed signature gets a new name.
 *
 * Non-blocking: no call may block. A call that cannot make progress returns
 * STRATA_AGAIN; the host calls again once the layer's poll interest (read
 * and/or write readiness of the watched descriptors) is met, or at the
 * deadline the layer asked for with wake_at.
 *
 * Errors: a failing call returns a negative strata_status and should first
 * call host->set_error(ctx, status, "message a user can act on"). No C++
 * exception may cross this boundary.
 *
 * OWNERSHIP: pointers passed into a call are borrowed for the duration of that
 * call only, unless stated otherwise. Objects a plugin creates (the `self`
 * pointers) are owned by the plugin and released in destroy(). The descriptor
 * and everything it points to are static and must outlive the plugin's use.
 *
 * A plugin may also provide policies (ABI 1.1): per-hop rules a configuration
 * names in its "policies" list, asked before each hop connects and once its
 * TLS handshake is done (see "Policies" below).
 *
 * Pure C11, standard library only.
 */
#ifndef STRATA_PLUGIN_H_
#define STRATA_PLUGIN_H_

#include <stddef.h>
#include <stdint.h>

#include "strata/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define STRATA_ABI_MAJOR 1
#define STRATA_ABI_MINOR 3
/* History: 1.0 layers and sessions; 1.1 policies and
 * STRATA_QUERY_TLS_PEER_CHAIN; 1.2 HTTP/2 CONNECT tunnels
 * (STRATA_REQUEST_TUNNEL, STRATA_CONTROL_STREAM_CONSUMED); 1.3 datagram
 * batches (STRATA_CONTROL_SEND_SEGMENTS, UDP GSO). The host asks a plugin
 * only for what its abi_minor has. */

/* The name of the one symbol a plugin exports. */
#define STRATA_PLUGIN_ENTRY_SYMBOL "strata_plugin_entry"

/* STRATA_HAS_FIELD is true when the struct pointed to by |ptr|, whose
 * struct_size the other side filled in, is large enough to hold |field|. */
#define STRATA_HAS_FIELD(ptr, type, field) \
  ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* ---------------------------------------------------------------------------
 * Common types
 * ------------------------------------------------------------------------- */

/* strata_layer_ctx is the host's handle for one layer instance. Opaque; owned
 * by the host; valid from create() until destroy() returns. */
typedef struct strata_layer_ctx strata_layer_ctx;

/* Poll interest bits. */
enum {
  STRATA_POLL_READ = 1u,
  STRATA_POLL_WRITE = 2u
};

/* Log levels for strata_host_services.log. */
enum {
  STRATA_LOG_ERROR = 1,
  STRATA_LOG_WARN = 2,
  STRATA_LOG_INFO = 3,  /* shown by `strata -v` */
  STRATA_LOG_DEBUG = 4
};

/* Layer kinds. */
enum {
  STRATA_LAYER_BYTE_STREAM = 1,
  STRATA_LAYER_SESSION = 2
};

/* Query ids (layer->query / host->lower_query). The answer goes into |out|,
 * whose capacity is *inout_len on entry; on success *inout_len is the number
 * of bytes written. Text answers are NUL-terminated and the NUL is counted.
 * A layer that does not know a query passes it to the layer below; the bottom
 * layer answers STRATA_E_UNSUPPORTED. */
enum {
  STRATA_QUERY_ALPN = 1,          /* text: negotiated protocol, "" if none */
  STRATA_QUERY_SOCKET_FD = 2,     /* int */
  STRATA_QUERY_PEER_ADDRESS = 3,  /* text: "127.0.0.1:8080" or "[::1]:8080" */
  STRATA_QUERY_LOCAL_ADDRESS = 4, /* text */
  STRATA_QUERY_TLS_VERSION = 5,   /* text: "TLSv1.3" */
  STRATA_QUERY_TLS_RESUMED = 6,   /* int: 1 if the session was resumed */
  STRATA_QUERY_DESCRIBE = 7,      /* text: this layer alone, for traces:
                                     "tcp(127.0.0.1:8080)"; NOT passed down */
  STRATA_QUERY_HTTP_VERSION = 8,  /* int: 11, 20 or (ABI 1.2, the h3 layer)
                                     30 (session layers) */
  STRATA_QUERY_CONNECT_STATUS = 9, /* int: the proxy's CONNECT reply status
                                     (tunnel layers), also after a failure */
  STRATA_QUERY_NAMELOOKUP_US = 10, /* int64_t: microseconds this connection's
                                     name lookup took (bottom layer); 0 when
                                     there was none (an address literal) */
  STRATA_QUERY_TLS_VERIFY_RESULT = 11, /* int: the X.509 verification result
                                     of the topmost TLS layer (0: verified;
                                     set even when verification is off) */
  STRATA_QUERY_TLS_PEER_CHAIN = 12 /* bytes (ABI 1.1): the peer's certificate
                                     chain as the topmost TLS layer received
                                     it, leaf first; each certificate is a
                                     4-byte big-endian length, then its DER */
};

/* Control ids (layer->control / host->lower_control). Unknown ids are
 * passed down; the bottom layer answers STRATA_E_UNSUPPORTED. */
enum {
  /* The layers above consider the connection idle (pooled). No argument. */
  STRATA_CONTROL_IDLE = 1,
  /* ABI 1.2, session layers: the host consumed bytes delivered by
   * stream_on_data on a stream opened with STRATA_REQUEST_TUNNEL. Argument:
   * strata_stream_consumed. Unknown or finished streams are ignored. */
  STRATA_CONTROL_STREAM_CONSUMED = 2,
  /* ABI 1.3, datagram byte-stream layers (udp): the NEXT send() call on
   * this layer carries several datagrams back to back, each
   * strata_send_segments.segment_size bytes long except the last, which may
   * be shorter (UDP GSO: one sendmsg with UDP_SEGMENT). It applies to that
   * one send() only, whatever it returns. The layer sends whole datagrams
   * only: *out_written is a multiple of segment_size, or len. STRATA_OK:
   * the layer will do so; STRATA_E_UNSUPPORTED: it will not (no GSO, turned
   * off, or not a datagram layer), and the caller sends one datagram per
   * send() as before. A layer that changes the bytes it sends must not pass
   * this control down (the C++ SDK's default refuses it), and the host never
   * passes it to a layer whose plugin was built against ABI 1.2 or older.
   * Argument: strata_send_segments. */
  STRATA_CONTROL_SEND_SEGMENTS = 3
};

/* The argument of STRATA_CONTROL_STREAM_CONSUMED. */
typedef struct strata_stream_consumed {
  size_t struct_size;
  uint32_t stream_id;  /* as open_stream returned it */
  uint64_t bytes;
} strata_stream_consumed;

/* The argument of STRATA_CONTROL_SEND_SEGMENTS (ABI 1.3). */
typedef struct strata_send_segments {
  size_t struct_size;
  size_t segment_size;  /* bytes per datagram, > 0 */
} strata_send_segments;

/* One header field. Not NUL-terminated: use the lengths. */
typedef struct strata_header {
  const char* name;
  size_t name_len;
  const char* value;
  size_t value_len;
} strata_header;

/* strata_layer_config describes the layer instance being created.
 * OWNERSHIP: borrowed for the create() call; copy what you keep. */
typedef struct strata_layer_config {
  size_t struct_size;
  const char* layer_name;   /* the name this layer type was chosen by */
  /* The layer's options: a JSON object text, the pipeline template's options
   * for this layer merged with the values the runtime fills in per hop. */
  const char* options_json;
  /* The peer this layer talks to (no brackets): the origin, or for layers
   * below a tunnel layer (STRATA_LAYER_FLAG_TUNNEL) the proxy. */
  const char* host;
  uint16_t port;
  int32_t hop;              /* redirect hop number, 1-based */
} strata_layer_config;

/* ---------------------------------------------------------------------------
 * HTTP messages (session layers)
 * ------------------------------------------------------------------------- */

/* Request flags. */
enum {
  /* Send the request target in absolute form (plain http through a proxy). */
  STRATA_REQUEST_ABSOLUTE_FORM = 1u,
  /* The request has no body (GET/HEAD without one); content_length is 0. */
  STRATA_REQUEST_NO_BODY = 2u,
  /* ABI 1.2: an HTTP/2 CONNECT tunnel (RFC 9113 §8.5; method "CONNECT",
   * authority "host:port", content_length -1). The request body is the
   * tunnel's upstream bytes and ends (END_STREAM) only when the host's
   * stream_read_body says eos; a 2xx head opens the tunnel and the body
   * that follows is the downstream bytes. The host acknowledges delivered
   * body bytes once it has consumed them with STRATA_CONTROL_STREAM_CONSUMED,
   * so the peer's window is reopened as the consumer reads, not on
   * delivery. Session layers that cannot tunnel refuse the stream with
   * STRATA_E_UNSUPPORTED; the host never sets the flag for a session layer
   * whose plugin was built against ABI 1.0 or 1.1. */
  STRATA_REQUEST_TUNNEL = 4u
};

/* strata_request_head: what a session layer needs to send a request.
 * OWNERSHIP: borrowed for the open_stream() call; copy what you keep. */
typedef struct strata_request_head {
  size_t struct_size;
  const char* method;     /* NUL-terminated, e.g. "GET" */
  const char* scheme;     /* "http" or "https" */
  const char* authority;  /* host[:port] as for the Host header */
  const char* path;       /* origin-form target: "/a?b" */
  const strata_header* headers;  /* application headers (no Host) */
  size_t header_count;
  int64_t content_length; /* bytes of request body, -1 if unknown */
  uint32_t flags;         /* STRATA_REQUEST_* */
} strata_request_head;

/* strata_response_head: a response head delivered by a session layer.
 * OWNERSHIP: borrowed for the stream_on_head() call. */
typedef struct strata_response_head {
  size_t struct_size;
  int32_t status;         /* 100..999 */
  int32_t http_version;   /* 10, 11, 20 or (ABI 1.2, HTTP/3) 30 */
  const char* reason;     /* reason phrase (may be empty), not NUL-terminated */
  size_t reason_len;
  const strata_header* headers;
  size_t header_count;
} strata_response_head;

/* ---------------------------------------------------------------------------
 * Host services: what the host offers every plugin.
 * Passed to init(); valid until deinit() returns. Only grows at the end.
 * ------------------------------------------------------------------------- */
typedef struct strata_host_services {
  size_t struct_size;
  uint32_t abi_major;  /* the host's ABI version */
  uint32_t abi_minor;

  /* log writes a diagnostic line attributed to the layer (ctx may be NULL). */
  void (*log)(strata_layer_ctx* ctx, int32_t level, const char* message);
  /* set_error records why the next negative status is returned. The message
   * should say what failed and what to do; the host adds layer, hop and URL. */
  void (*set_error)(strata_layer_ctx* ctx, strata_status status,
                    const char* message);
  /* now_ms returns a monotonic clock in milliseconds. */
  uint64_t (*now_ms)(void);
  /* wake_at asks the host to drive this layer again at |deadline_ms| (on the
   * now_ms clock) even if no descriptor is ready. 0 cancels. One per layer. */
  void (*wake_at)(strata_layer_ctx* ctx, uint64_t deadline_ms);
  /* watch_fd / unwatch_fd tell the host which descriptors this layer owns;
   * the host polls them with the connection's poll interest. The layer keeps
   * ownership of the descriptor and must unwatch it before closing it. */
  strata_status (*watch_fd)(strata_layer_ctx* ctx, int fd);
  void (*unwatch_fd)(strata_layer_ctx* ctx, int fd);
  /* option_get copies the value of top-level key |key| of this layer's
   * options into |out| (capacity *inout_len, set to the length written
   * including the NUL): strings without quotes, other values as JSON text.
   * STRATA_E_UNSUPPORTED if absent; STRATA_E_BUFFER_TOO_SMALL sets the
   * needed size in *inout_len. */
  strata_status (*option_get)(strata_layer_ctx* ctx, const char* key,
                              char* out, size_t* inout_len);

  /* The layer below. Same contracts as the byte-stream vtable entries of the
   * same names. Calling these from the bottom layer returns
   * STRATA_E_UNSUPPORTED. */
  strata_status (*lower_connect)(strata_layer_ctx* ctx, int* out_done);
  strata_status (*lower_send)(strata_layer_ctx* ctx, const uint8_t* data,
                              size_t len, size_t* out_written);
  strata_status (*lower_recv)(strata_layer_ctx* ctx, uint8_t* buf, size_t cap,
                              size_t* out_read);
  uint32_t (*lower_poll_interest)(strata_layer_ctx* ctx, uint32_t wants);
  int (*lower_data_pending)(strata_layer_ctx* ctx);
  strata_status (*lower_query)(strata_layer_ctx* ctx, uint32_t query,
                               void* out, size_t* inout_len);
  strata_status (*lower_control)(strata_layer_ctx* ctx, uint32_t control,
                                 const void* arg, size_t arg_len);
  strata_status (*lower_shutdown)(strata_layer_ctx* ctx, int* out_done);

  /* Session-layer callbacks, for the stream opened with |stream_user|.
   *
   * stream_read_body pulls request body bytes: fills up to |cap| bytes,
   * sets *out_read and *out_eos (1 after the last byte). STRATA_AGAIN when
   * the application has none ready yet (the host wakes the layer later). */
  strata_status (*stream_read_body)(strata_layer_ctx* ctx, void* stream_user,
                                    uint8_t* buf, size_t cap,
                                    size_t* out_read, int* out_eos);
  /* stream_on_head delivers a response head; 1xx heads are delivered too
   * (the host skips them). A negative return aborts the stream. */
  strata_status (*stream_on_head)(strata_layer_ctx* ctx, void* stream_user,
                                  const strata_response_head* head);
  /* stream_on_data delivers response body bytes. A negative return aborts
   * the stream. */
  strata_status (*stream_on_data)(strata_layer_ctx* ctx, void* stream_user,
                                  const uint8_t* data, size_t len);
  /* stream_on_end: the response is complete; trailers may be empty. After
   * this call the layer never mentions |stream_user| again. */
  void (*stream_on_end)(strata_layer_ctx* ctx, void* stream_user,
                        const strata_header* trailers, size_t trailer_count);
  /* stream_on_error: the exchange failed; final for |stream_user|. */
  void (*stream_on_error)(strata_layer_ctx* ctx, void* stream_user,
                          strata_status status, const char* message);
} strata_host_services;

/* ---------------------------------------------------------------------------
 * Byte-stream layers (hooks the plugin implements)
 * ------------------------------------------------------------------------- */
typedef struct strata_stream_layer_vtable {
  size_t struct_size;

  /* create makes one instance for one connection. *out_self is passed to
   * every other hook. Must not block or do I/O. */
  strata_status (*create)(strata_layer_ctx* ctx,
                          const strata_layer_config* config, void** out_self);
  /* destroy releases the instance (unwatch and close descriptors). Never
   * fails. Called exactly once per successful create(). */
  void (*destroy)(void* self);
  /* connect drives connection setup (including the layers below, through
   * lower_connect) and sets *out_done to 1 once this layer can carry data.
   * STRATA_AGAIN: call again when poll interest is met. */
  strata_status (*connect)(void* self, int* out_done);
  /* send writes up to |len| bytes, sets *out_written (> 0 on STRATA_OK).
   * STRATA_AGAIN: nothing accepted now. */
  strata_status (*send)(void* self, const uint8_t* data, size_t len,
                        size_t* out_written);
  /* recv reads up to |cap| bytes into |buf|. STRATA_OK with *out_read == 0
   * means orderly end of stream. STRATA_AGAIN: nothing available now. */
  strata_status (*recv)(void* self, uint8_t* buf, size_t cap,
                        size_t* out_read);
  /* poll_interest maps what the caller wants from this layer (STRATA_POLL_*
   * bits) to what is needed from the descriptors, e.g. TLS may need to read
   * to be able to write. Layers above the bottom pass the result of
   * lower_poll_interest. */
  uint32_t (*poll_interest)(void* self, uint32_t wants);
  /* data_pending is non-zero when recv would return bytes without waiting
   * for the descriptor (bytes buffered inside this layer or below). */
  int (*data_pending)(void* self);
  /* query answers STRATA_QUERY_* (see above). */
  strata_status (*query)(void* self, uint32_t query, void* out,
                         size_t* inout_len);
  /* control receives STRATA_CONTROL_* events. */
  strata_status (*control)(void* self, uint32_t control, const void* arg,
                           size_t arg_len);
  /* shutdown starts an orderly close of this layer only (e.g. TLS
   * close_notify); *out_done = 1 when finished. The host shuts layers down
   * from the top and then destroys them; layers never chain shutdown. */
  strata_status (*shutdown)(void* self, int* out_done);
} strata_stream_layer_vtable;

/* ---------------------------------------------------------------------------
 * Session layers (hooks the plugin implements)
 * ------------------------------------------------------------------------- */
typedef struct strata_session_layer_vtable {
  size_t struct_size;

  strata_status (*create)(strata_layer_ctx* ctx,
                          const strata_layer_config* config, void** out_self);
  void (*destroy)(void* self);
  /* connect drives setup (the byte stream below through lower_connect, then
   * e.g. the HTTP/2 preface); *out_done = 1 when streams may be opened. */
  strata_status (*connect)(void* self, int* out_done);
  /* capacity returns how many more exchanges can be opened right now
   * (0 while busy or closing). */
  uint32_t (*capacity)(void* self);
  /* open_stream starts an exchange. |stream_user| identifies it in the host
   * callbacks. The layer pulls the body with stream_read_body. */
  strata_status (*open_stream)(void* self, const strata_request_head* head,
                               void* stream_user, uint32_t* out_stream_id);
  /* cancel_stream abandons an exchange; no further callbacks for it. */
  strata_status (*cancel_stream)(void* self, uint32_t stream_id);
  /* progress does all I/O it can without blocking (send pending bytes,
   * read and dispatch) and delivers events through the stream_* callbacks.
   * STRATA_OK or STRATA_AGAIN: keep polling; negative: the connection is
   * dead, and every open stream has already received stream_on_error. */
  strata_status (*progress)(void* self);
  /* poll_interest: descriptor readiness needed, STRATA_POLL_* bits. */
  uint32_t (*poll_interest)(void* self);
  /* is_reusable: non-zero if, once open exchanges finish, the connection
   * can carry another (keep-alive, no framing doubt, no GOAWAY). */
  int (*is_reusable)(void* self);
  strata_status (*query)(void* self, uint32_t query, void* out,
                         size_t* inout_len);
  strata_status (*control)(void* self, uint32_t control, const void* arg,
                           size_t arg_len);
  strata_status (*shutdown)(void* self, int* out_done);
} strata_session_layer_vtable;

/* ---------------------------------------------------------------------------
 * Policies (ABI 1.1)
 *
 * A policy is a rule over hops. A configuration lists the policies to apply,
 * in order ("policies": [{"plugin": "policy-pin", "options": {...}}]); the
 * runtime makes one instance of each per runtime and asks every instance,
 * in that order:
 *   - check_hop: once per hop, after the hop is planned (URL, pipeline,
 *     proxies, TLS settings) and before anything connects. The policy may
 *     allow (return STRATA_OK and do nothing), deny (actions->deny), or
 *     amend the hop through the bounded set of actions below;
 *   - check_handshake: once per TLS layer (STRATA_LAYER_FLAG_SECURE) of the
 *     hop's connection, an https proxy's first, when the connection is
 *     ready (new or reused) and before any byte of the request is sent.
 *     Only deny and log are allowed there. An https hop whose chain has no
 *     such layer to the origin is refused when any policy checks
 *     handshakes, so such a check is never skipped unseen.
 * A deny ends the transfer with the policy's status and message (the host
 * adds the policy's name, the hop and the URL); the policies after it are
 * not asked. A negative return without deny counts as a deny.
 * Calls happen on the runtime's thread, never concurrently for a runtime.
 * OWNERSHIP: everything passed in is borrowed for the call only.
 * ------------------------------------------------------------------------- */

/* strata_policy_hop: the hop as planned. */
typedef struct strata_policy_hop {
  size_t struct_size;
  int32_t hop;                /* 1-based */
  const char* method;         /* "GET" */
  const char* url;            /* the hop's URL, without credentials */
  const char* previous_url;   /* the hop before this one; NULL on the first */
  int32_t previous_status;    /* its response status; 0 on the first hop */
  const char* pipeline_name;  /* the pipeline template chosen ("https") */
  /* The chain as it will be built, bottom first, as JSON text:
   * [{"layer":"tcp","options":{...}}, ...]. */
  const char* pipeline_json;
  /* The proxies on the way, as JSON text: [] or
   * [{"url":"http://proxy:3128","credentials":true}] (never the secret). */
  const char* proxies_json;
  /* The options of the TLS layer to the origin, as JSON text; "null" when
   * the hop has no TLS to the origin. */
  const char* tls_json;
  /* The request's fields for this hop; the values of Authorization,
   * Proxy-Authorization and Cookie read "(redacted)". */
  const strata_header* headers;
  size_t header_count;
} strata_policy_hop;

/* strata_policy_handshake: a ready connection's TLS facts. */
typedef struct strata_policy_handshake {
  size_t struct_size;
  int32_t hop;
  const char* url;            /* the hop's URL, without credentials */
  const char* host;           /* the peer the TLS layer authenticated */
  uint16_t port;
  int32_t to_proxy;           /* 1: that TLS layer talks to a proxy */
  const char* tls_version;    /* "TLSv1.3" */
  const char* alpn;           /* "h2", "" if none */
  int32_t resumed;            /* 1: the TLS session was resumed */
  const uint8_t* const* certs;  /* the peer's chain, leaf first, DER */
  const size_t* cert_lens;
  size_t cert_count;
} strata_policy_handshake;

/* strata_policy_actions: what a policy may do about the hop it is asked
 * about. Pass host_self back as the first argument. Amendments (the
 * functions after log) return STRATA_E_STATE from check_handshake, and
 * STRATA_E_INVALID_ARGUMENT for a malformed argument. */
typedef struct strata_policy_actions {
  size_t struct_size;
  void* host_self;
  /* deny refuses the hop: |status| (negative; 0 means
   * STRATA_E_POLICY_DENIED) and a message a user can act on. */
  void (*deny)(void* host_self, strata_status status, const char* message);
  /* log writes a line to the hop's trace (shown by strata -v). */
  void (*log)(void* host_self, int32_t level, const char* message);
  /* add_header adds a request field to this hop (and, like the
   * application's own fields, to the hops that follow it). */
  strata_status (*add_header)(void* host_self, const char* name,
                              const char* value);
  /* remove_header removes every field named |name| (any case). */
  strata_status (*remove_header)(void* host_self, const char* name);
  /* use_pipeline plans the hop again with the named template. */
  strata_status (*use_pipeline)(void* host_self, const char* template_name);
  /* set_layer_option sets option |key| of every layer named |layer| in
   * this hop's chain ("proxy:tls" names the TLS layer to an https proxy)
   * to |json_value|, a JSON text ("\"1.3\"", "true", "[...]"). The layer
   * checks it when the chain is built. */
  strata_status (*set_layer_option)(void* host_self, const char* layer,
                                    const char* key, const char* json_value);
  /* strip_credentials removes Authorization and Cookie fields, the URL's
   * user info and the cookie store's cookies from this hop. Proxy
   * credentials stay (they go to the proxy, not the origin). */
  strata_status (*strip_credentials)(void* host_self);
} strata_policy_actions;

typedef struct strata_policy_vtable {
  size_t struct_size;
  /* create makes an instance from the configuration's options (a JSON
   * object text). On failure write a message into |error| (capacity
   * |error_cap|, NUL-terminated) and return a negative status. */
  strata_status (*create)(const char* options_json, void** out_self,
                          char* error, size_t error_cap);
  void (*destroy)(void* self);
  /* Either check may be NULL. */
  strata_status (*check_hop)(void* self, const strata_policy_hop* hop,
                             const strata_policy_actions* actions);
  strata_status (*check_handshake)(void* self,
                                   const strata_policy_handshake* handshake,
                                   const strata_policy_actions* actions);
} strata_policy_vtable;

typedef struct strata_policy_type {
  size_t struct_size;
  const char* name;  /* unique across loaded plugins: "policy-pin" */
  const strata_policy_vtable* vtable;
  const char* description;
} strata_policy_type;

/* ---------------------------------------------------------------------------
 * The descriptor
 * ------------------------------------------------------------------------- */
/* Layer type flags. */
enum {
  /* A tunnel (e.g. HTTP CONNECT): the layers below it talk to a proxy, this
   * layer and the layers above talk to the origin. The runtime gives each
   * layer the host/port of the peer it talks to (strata_layer_config). */
  STRATA_LAYER_FLAG_TUNNEL = 1u,
  /* A session layer that may carry many exchanges at once (HTTP/2). While
   * such a connection is being set up, the runtime queues further requests
   * for the same chain instead of opening more connections, then uses
   * capacity() once it is ready. */
  STRATA_LAYER_FLAG_MULTIPLEX = 2u,
  /* A byte-stream layer that authenticates the peer and encrypts (TLS),
   * or a session layer that does its own TLS (h3: QUIC). When the topmost
   * such layer of a chain is ready is the transfer's "app connect" time
   * (curl's time_appconnect). Such a layer answers the TLS queries
   * (STRATA_QUERY_ALPN, TLS_VERSION, TLS_RESUMED, TLS_VERIFY_RESULT,
   * TLS_PEER_CHAIN) for policies' handshake checks. (Hosts before the h3
   * plugin looked for it on byte-stream layers only.) */
  STRATA_LAYER_FLAG_SECURE = 4u
};

typedef struct strata_layer_type {
  size_t struct_size;
  const char* name;  /* unique across loaded plugins: "tcp", "h1" */
  int32_t kind;      /* STRATA_LAYER_* */
  const strata_stream_layer_vtable* stream;    /* kind BYTE_STREAM */
  const strata_session_layer_vtable* session;  /* kind SESSION */
  const char* description;
  uint32_t flags;    /* STRATA_LAYER_FLAG_* */
} strata_layer_type;

typedef struct strata_plugin_descriptor {
  size_t struct_size;
  uint32_t abi_major;  /* STRATA_ABI_MAJOR the plugin was built against */
  uint32_t abi_minor;  /* STRATA_ABI_MINOR the plugin was built against */
  const char* name;     /* "tcp" */
  const char* version;  /* the plugin's own version, "1.0.0" */
  const strata_layer_type* const* layer_types;
  size_t layer_type_count;
  /* init is called once after loading, before any create(). |host| stays
   * valid until deinit() returns. May be NULL. */
  strata_status (*init)(const strata_host_services* host);
  /* deinit is called once before unloading. May be NULL. */
  void (*deinit)(void);
  /* ABI 1.1: the policy types the plugin provides (may be 0 and NULL; a
   * plugin may provide only policies, with no layer types). */
  const strata_policy_type* const* policy_types;
  size_t policy_type_count;
} strata_plugin_descriptor;

typedef const strata_plugin_descriptor* (*strata_plugin_entry_fn)(void);

#if defined(__GNUC__)
#define STRATA_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define STRATA_PLUGIN_EXPORT
#endif

/* Every plugin defines this function (and exports nothing else). */
STRATA_PLUGIN_EXPORT const strata_plugin_descriptor* strata_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_PLUGIN_H_ */
