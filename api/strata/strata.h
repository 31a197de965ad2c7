/*
 * strata/strata.h — the client API of libstrata.
 *
 * Applications and FFI bindings (Python ctypes, LuaJIT ffi, ...) use this
 * header. It offers
 *   - a runtime built from a JSON configuration (string or file, or the
 *     built-in default), which loads the transport plugins;
 *   - requests (method, URL, headers, body from memory or a read callback)
 *     and responses (status, version, headers, body collected in memory or
 *     delivered to a write callback);
 *   - a blocking fetch, and a non-blocking interface that runs many
 *     transfers from one event loop, with the loop's descriptor and next
 *     timeout for embedding in another loop;
 *   - events (per-layer trace, per-hop summaries);
 *   - a low-level connection: a pipeline used as a byte stream, or a session
 *     on which requests are issued directly.
 *
 * Threads: a runtime and everything made from it belong to one thread at a
 * time. Use one runtime per thread.
 *
 * Errors: functions return a strata_status (see strata/status.h). Functions
 * that take a strata_error* fill it (when non-NULL) with the code and a
 * message naming the layer, the hop and the URL.
 *
 * OWNERSHIP: every function named ..._new, ..._open or ..._take gives the
 * caller an object to release with the matching ..._free or ..._close, and
 * ..._free(NULL) does nothing.
 * Strings passed in are copied unless stated otherwise. Pointers returned by
 * accessors are borrowed and live as long as the object they came from.
 *
 * Pure C11, standard library only.
 */
#ifndef STRATA_STRATA_H_
#define STRATA_STRATA_H_

#include <stddef.h>
#include <stdint.h>

#include "strata/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define STRATA_API __attribute__((visibility("default")))
#else
#define STRATA_API
#endif

typedef struct strata_runtime strata_runtime;
typedef struct strata_request strata_request;
typedef struct strata_response strata_response;
typedef struct strata_transfer strata_transfer;
typedef struct strata_connection strata_connection;

/* strata_version returns the library version, e.g. "0.1.0". */
STRATA_API const char* strata_version(void);
/* strata_abi_version returns the plugin ABI the library hosts, as
 * major * 1000 + minor. */
STRATA_API uint32_t strata_abi_version(void);
/* strata_libraries names the libraries libstrata uses with their
 * versions, as curl -V lists them: "zlib/1.2.13 brotli/1.0.9 zstd/1.5.4
 * libpsl/0.21.2". Static. */
STRATA_API const char* strata_libraries(void);
/* strata_status_name returns a static name such as "STRATA_E_TIMEOUT"
 * ("STRATA_E_UNKNOWN" for codes this build does not know). */
STRATA_API const char* strata_status_name(strata_status status);

/* ---------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------- */

/* strata_error: error detail with fixed buffers so FFI callers need no
 * memory management. Set struct_size = sizeof(strata_error) before use. */
typedef struct strata_error {
  size_t struct_size;
  strata_status code;
  int32_t hop;          /* 1-based redirect hop, 0 if not in a transfer */
  char layer[64];       /* "tcp", "h1", "config", "runtime", ... */
  char message[1024];   /* full sentence including layer, hop and URL */
  char url[1024];       /* URL of the hop, "" if none */
  int32_t http_connect; /* the proxy's CONNECT reply status, 0 if none */
} strata_error;

/* ---------------------------------------------------------------------------
 * Runtime
 * ------------------------------------------------------------------------- */

/* strata_runtime_new builds a runtime from a JSON configuration text (see
 * docs/configuration.md); NULL or "" uses the built-in default
 * configuration. Plugins are loaded now, so plugin errors show up here. */
STRATA_API strata_status strata_runtime_new(const char* config_json,
                                            strata_runtime** out_runtime,
                                            strata_error* out_error);
/* strata_runtime_new_from_file reads the configuration from |path|. An
 * empty (or all-whitespace) file is STRATA_E_CONFIG naming the file. */
STRATA_API strata_status strata_runtime_new_from_file(
    const char* path, strata_runtime** out_runtime, strata_error* out_error);
/* strata_runtime_free closes all connections, frees unfinished transfers
 * and unloads the plugins. */
STRATA_API void strata_runtime_free(strata_runtime* runtime);

/* Event types, delivered to the event callback. */
enum {
  STRATA_EVENT_TRACE = 1,    /* a trace line (layer crossing, state change) */
  STRATA_EVENT_HOP = 2,      /* one request/response hop finished */
  STRATA_EVENT_CONNECT = 3,  /* a connection was established */
  STRATA_EVENT_DATA_IN = 4,  /* message = header text received (-v "<") */
  STRATA_EVENT_DATA_OUT = 5, /* message = header text sent (-v ">") */
  /* An attempt failed and the transfer will be tried again
   * (STRATA_OPT_RETRY): message is the attempt's error (or "the server
   * answered 503 ..."); status is the HTTP status that was retried, or the
   * attempt's (negative) strata_status; attempt, retries_left and
   * retry_delay_ms are set. */
  STRATA_EVENT_RETRY = 6
};

/* strata_event: OWNERSHIP: borrowed for the callback only. */
typedef struct strata_event {
  size_t struct_size;
  int32_t type;          /* STRATA_EVENT_* */
  int32_t hop;           /* 1-based, 0 if none */
  const char* layer;     /* layer name or "runtime"; never NULL */
  const char* message;   /* never NULL */
  const char* url;       /* the hop's URL, or "" */
  int32_t status;        /* HTTP status (HOP), else 0 */
  int32_t reused;        /* HOP/CONNECT: 1 if a pooled connection was used */
  const char* chain;     /* HOP/CONNECT: "tcp(127.0.0.1:80) → h1", or "" */
  uint64_t elapsed_us;   /* time since the transfer started */
  /* Appended (check struct_size): set for STRATA_EVENT_RETRY, else 0. */
  int32_t attempt;         /* the attempt that failed, 1-based */
  int32_t retries_left;    /* retries left, counting the one announced */
  int64_t retry_delay_ms;  /* the wait before the next attempt */
  /* Appended (check struct_size): the transfer the event belongs to, so
   * concurrent transfers (even of the same URL) are told apart. NULL/0 for
   * events of no one transfer (a connection shared by several). */
  void* transfer_user;     /* the |user| given to strata_submit (NULL for strata_fetch) */
  uint64_t transfer_id;    /* strata_transfer_id; unique within the process */
} strata_event;

typedef void (*strata_event_fn)(void* user, const strata_event* event);

/* strata_runtime_set_event_callback installs |fn| for the event types whose
 * bit (1u << type) is set in |type_mask|. NULL removes it. */
STRATA_API void strata_runtime_set_event_callback(strata_runtime* runtime,
                                                  strata_event_fn fn,
                                                  void* user,
                                                  uint32_t type_mask);

/* ---------------------------------------------------------------------------
 * Cookies (RFC 6265bis): one store per runtime, off until enabled (by
 * strata_cookies_enable, or by loading or adding cookies). While on, every
 * hop sends the cookies that match its URL (unless the request carries its
 * own Cookie header) and stores what each response's Set-Cookie says, so a
 * redirect to another origin sends only that origin's cookies. Domain
 * attributes naming a public suffix (libpsl) are refused.
 * ------------------------------------------------------------------------- */

/* strata_cookie: OWNERSHIP: borrowed for the callback only. */
typedef struct strata_cookie {
  size_t struct_size;
  const char* name;    /* may be "" (a nameless cookie) */
  const char* value;
  const char* domain;  /* lower-case, no leading '.' */
  const char* path;
  int32_t host_only;   /* 1: sent to |domain| only; 0: its subdomains too */
  int32_t secure;      /* 1: https only */
  int32_t http_only;
  int32_t same_site;   /* STRATA_SAME_SITE_* */
  int64_t expires;     /* Unix seconds; 0 = a session cookie */
} strata_cookie;

enum {
  STRATA_SAME_SITE_UNSET = 0,
  STRATA_SAME_SITE_NONE = 1,
  STRATA_SAME_SITE_LAX = 2,
  STRATA_SAME_SITE_STRICT = 3
};

typedef void (*strata_cookie_fn)(void* user, const strata_cookie* cookie);

/* strata_plugin_fn: one loaded plugin. OWNERSHIP: borrowed for the call. */
typedef void (*strata_plugin_fn)(void* user, const char* name, const char* version, const char* path);
/* strata_runtime_list_plugins calls |fn| for each plugin the runtime
 * loaded, in load order. */
STRATA_API strata_status strata_runtime_list_plugins(strata_runtime* runtime, strata_plugin_fn fn, void* user);

/* strata_cookies_enable turns the runtime's cookie store on (1) or off (0;
 * its cookies are kept, neither sent nor updated). */
STRATA_API strata_status strata_cookies_enable(strata_runtime* runtime, int enabled);
/* strata_cookies_load reads curl's Netscape cookie-jar file (or a file of
 * "Set-Cookie:" lines) into the store and turns it on. |drop_session| 1
 * forgets every cookie without an expiry time afterwards (curl's -j).
 * *out_loaded (may be NULL) counts the cookies read. STRATA_E_IO if the
 * file cannot be read; unreadable lines are skipped. */
STRATA_API strata_status strata_cookies_load(strata_runtime* runtime, const char* path, int drop_session,
                                             size_t* out_loaded);
/* strata_cookies_save writes the store as a Netscape cookie jar curl
 * reads (session cookies included, expired ones not). "-" is stdout.
 * STRATA_E_IO if the file cannot be written. */
STRATA_API strata_status strata_cookies_save(strata_runtime* runtime, const char* path);
/* strata_cookies_add stores |set_cookie| (a Set-Cookie field value) as if
 * the absolute http(s) |url| had sent it, and turns the store on.
 * STRATA_E_INVALID_ARGUMENT if the cookie is refused (malformed, a public
 * suffix, a Secure cookie from http...); the store is unchanged then. */
STRATA_API strata_status strata_cookies_add(strata_runtime* runtime, const char* url, const char* set_cookie);
/* strata_cookies_list calls |fn| for every cookie not expired, oldest
 * first. */
STRATA_API strata_status strata_cookies_list(strata_runtime* runtime, strata_cookie_fn fn, void* user);
/* strata_cookies_clear forgets every cookie (session cookies too with
 * |session_only| 0; only those with 1). */
STRATA_API strata_status strata_cookies_clear(strata_runtime* runtime, int session_only);

/* Alternative services (RFC 7838). strata_alt_svc_enable turns the
 * runtime's Alt-Svc cache on (1) or off (0): while on, the Alt-Svc fields
 * of https responses are recorded (entries for h1, h2 and h3, as curl
 * keeps them). Off by default. */
STRATA_API strata_status strata_alt_svc_enable(strata_runtime* runtime, int enabled);
/* strata_alt_svc_load reads curl's alt-svc cache file (curl --alt-svc
 * FILE) into the cache and turns it on; *out_loaded (may be NULL) counts
 * the entries read. A missing file is no error (nothing is loaded);
 * STRATA_E_IO if it cannot be read; bad or expired lines are skipped. */
STRATA_API strata_status strata_alt_svc_load(strata_runtime* runtime, const char* path, size_t* out_loaded);
/* strata_alt_svc_save writes the cache in curl's alt-svc file format
 * (through a temporary file renamed over |path|). STRATA_E_IO if it cannot
 * be written. */
STRATA_API strata_status strata_alt_svc_save(strata_runtime* runtime, const char* path);

/* ---------------------------------------------------------------------------
 * Requests
 * ------------------------------------------------------------------------- */

/* strata_request_new makes a request. |method| e.g. "GET", a token (RFC
 * 9110 §9.1: letters, digits and !#$%&'*+-.^_`|~; anything else is
 * STRATA_E_INVALID_ARGUMENT); |url| an absolute http(s) URL (checked when
 * the request is run). */
STRATA_API strata_status strata_request_new(const char* method,
                                            const char* url,
                                            strata_request** out_request);
STRATA_API void strata_request_free(strata_request* request);

/* strata_request_add_header appends a header. A name must be a token and a
 * value a field-value (RFC 9110 §5.5: no control bytes other than HTAB, so
 * no CR, LF, NUL, 0x01 or DEL); others are refused
 * (STRATA_E_INVALID_ARGUMENT). */
STRATA_API strata_status strata_request_add_header(strata_request* request,
                                                   const char* name,
                                                   const char* value);

/* strata_request_remove_header removes the headers named |name| (a token;
 * case-insensitive) added so far, and keeps the runtime from adding its
 * own of that name: User-Agent, Accept, or Authorization from the URL's
 * user info (curl's -H "Name:"). A later strata_request_add_header of the
 * name adds it again. Appended in 1.0 (libstrata 0.x): absent from older
 * libraries, so bindings look it up before use. */
STRATA_API strata_status strata_request_remove_header(strata_request* request,
                                                      const char* name);

/* strata_request_set_body sets a body from memory (copied). */
STRATA_API strata_status strata_request_set_body(strata_request* request,
                                                 const void* data, size_t len);

/* strata_read_fn supplies body bytes: fill up to |cap|, set *out_read and
 * *out_eos (1 after the last byte). Return STRATA_OK, STRATA_AGAIN (nothing
 * yet; non-blocking use only: the body pauses until strata_transfer_resume)
 * or a negative status to abort. */
typedef strata_status (*strata_read_fn)(void* user, uint8_t* buf, size_t cap,
                                        size_t* out_read, int* out_eos);

/* strata_request_set_body_reader sets a streamed body. |length| is its size
 * or -1 if unknown (then HTTP/1.1 sends it chunked). |user| is borrowed and
 * must outlive the transfer. */
STRATA_API strata_status strata_request_set_body_reader(strata_request* request,
                                                        int64_t length,
                                                        strata_read_fn fn,
                                                        void* user);

/* strata_write_fn receives response body bytes. Return STRATA_OK, or a
 * negative status to abort the transfer. */
typedef strata_status (*strata_write_fn)(void* user, const uint8_t* data,
                                         size_t len);

/* strata_request_set_body_writer streams the final response's body to |fn|
 * instead of collecting it in the response. |user| is borrowed. */
STRATA_API strata_status strata_request_set_body_writer(strata_request* request,
                                                        strata_write_fn fn,
                                                        void* user);

/* Request options. Integer options unless marked (string). */
enum {
  STRATA_OPT_TIMEOUT_MS = 1,            /* whole transfer; 0 = none */
  STRATA_OPT_CONNECT_TIMEOUT_MS = 2,    /* per connection setup */
  STRATA_OPT_FIRST_BYTE_TIMEOUT_MS = 3, /* request sent → response head */
  STRATA_OPT_IDLE_TIMEOUT_MS = 4,       /* no progress at all */
  STRATA_OPT_FOLLOW_REDIRECTS = 5,      /* 0/1 */
  STRATA_OPT_MAX_REDIRECTS = 6,
  STRATA_OPT_FAIL_ON_HTTP_ERROR = 7,    /* status >= 400 → STRATA_E_HTTP_STATUS */
  STRATA_OPT_PIPELINE = 8,              /* (string) force a pipeline template */
  STRATA_OPT_RESOLVE = 9,               /* (string) "host:port:addr", repeatable */
  STRATA_OPT_MAX_BODY_BYTES = 10,       /* collected body limit; 0 = default */
  /* Proxies (docs/configuration.md "proxy"). */
  STRATA_OPT_PROXY = 11,                /* (string) proxy URL; "" = no proxy */
  STRATA_OPT_PROXY_CREDENTIALS = 12,    /* (string) "user:password" */
  STRATA_OPT_NO_PROXY = 13,             /* (string) hosts that bypass the proxy */
  STRATA_OPT_PROXY_TUNNEL = 14,         /* 0/1: tunnel plain http too */
  /* Redirect policy. */
  STRATA_OPT_UNSAFE_REDIRECT = 15,      /* 0/1: allow https → http hops */
  STRATA_OPT_LOCATION_TRUSTED = 16,     /* 0/1: keep credentials across origins */
  STRATA_OPT_POST301 = 17,              /* 0/1: keep POST on 301 */
  STRATA_OPT_POST302 = 18,              /* 0/1: keep POST on 302 */
  STRATA_OPT_POST303 = 19,              /* 0/1: keep POST on 303 */
  /* (string) a JSON object of layer name → options, merged over the
   * pipeline template's options for this request, e.g.
   * {"tls": {"ca_file": "/etc/my-ca.pem"}}. "proxy:tls" names the TLS
   * layer to an https proxy (every one's in a chain of proxies, and
   * "proxyN:tls" the one to proxy N, 1 nearest this client, over it;
   * "proxyN:connect-tunnel" over "connect-tunnel" likewise; see
   * STRATA_OPT_PREPROXY). Repeated calls merge. */
  STRATA_OPT_LAYER_OPTIONS = 20,
  /* STRATA_HTTP_VERSION_*: which HTTP version the hop's template speaks. */
  STRATA_OPT_HTTP_VERSION = 21,
  /* string: byte ranges to ask for, sent as "Range: bytes=<value>" (e.g.
   * "0-99", "100-", "-500", "0-9,20-29"); "" for none. A response that
   * ignores it (200) is returned as is. A Range header set by the
   * application wins. */
  STRATA_OPT_RANGE = 22,
  /* int64 offset >= 0: resume a download at this byte: "Range: bytes=N-"
   * is sent (N > 0), and the response must be a 206 whose Content-Range
   * starts at N, else the transfer fails with STRATA_E_RANGE before any
   * body byte is delivered. A 416 (the range starts at or past the end:
   * nothing left to fetch) is returned with its body discarded, as curl
   * does. Overrides STRATA_OPT_RANGE. */
  STRATA_OPT_RESUME_FROM = 23,
  /* (string) Content codings to ask for and undo, as curl's
   * CURLOPT_ACCEPT_ENCODING: "" asks for every coding this build decodes
   * ("deflate, gzip, br, zstd"); any other value is sent as the
   * Accept-Encoding header as is. Either way the body the application
   * receives is decoded as it streams (stacked codings too), and
   * size_download counts the bytes as they came over the wire. Unset (the
   * default): no Accept-Encoding is sent and bodies arrive as sent.
   * Undecodable bodies fail with STRATA_E_CONTENT_ENCODING. */
  STRATA_OPT_ACCEPT_ENCODING = 24,
  /* int64: a decoded body may not exceed this many bytes (0 = no limit,
   * the default; config "limits.max_decoded_bytes"). STRATA_E_LIMIT. */
  STRATA_OPT_MAX_DECODED_BYTES = 25,
  /* int: past its first 4 MiB, a decoded body may not be more than this
   * many times the bytes it was decoded from: a decompression bomb
   * (default 200; config "limits.max_decode_ratio"; 0 = the default).
   * STRATA_E_LIMIT. */
  STRATA_OPT_MAX_DECODE_RATIO = 26,
  /* Retries of transient failures. int: how many times a transfer may be
   * tried again (0, the default: never). Which failures count is
   * STRATA_OPT_RETRY_ON; each retry is a STRATA_EVENT_RETRY, and starts
   * the transfer over (timeouts are per attempt). A response that is going
   * to be retried never reaches the body writer. Never retried: a
   * cancelled transfer, a request body from a reader that was already
   * read, a response whose body already reached the writer, and, unless
   * STRATA_RETRY_NON_IDEMPOTENT, methods that are not idempotent
   * (RFC 9110 §9.2.2: POST, PATCH, CONNECT...). */
  STRATA_OPT_RETRY = 27,
  /* int64 ms: a fixed wait between attempts. 0 (the default): exponential
   * backoff, 1 s doubling up to 10 min, with jitter (the wait is drawn
   * from [50%, 100%] of it unless STRATA_RETRY_NO_JITTER). A Retry-After
   * (seconds or HTTP date) on a retried response lengthens the wait, up
   * to 10 min or what STRATA_OPT_RETRY_MAX_TIME_MS leaves. */
  STRATA_OPT_RETRY_DELAY_MS = 28,
  /* int64 ms: no new attempt once this long has passed since the first
   * one started (0 = no limit). */
  STRATA_OPT_RETRY_MAX_TIME_MS = 29,
  /* int: STRATA_RETRY_* bits: what is retried, and how. Default
   * (unset): STRATA_RETRY_ON_TIMEOUT | STRATA_RETRY_ON_CONNECT |
   * STRATA_RETRY_ON_RESET | STRATA_RETRY_ON_HTTP. */
  STRATA_OPT_RETRY_ON = 30,
  /* (string) cookies sent as they are ("a=1; b=2"), after the cookie
   * store's, in the same Cookie header (curl's -b NAME=VALUE): on every hop
   * to the request's own origin, and to others only with
   * STRATA_OPT_LOCATION_TRUSTED (curl sends them everywhere). "" for none. */
  STRATA_OPT_COOKIE = 31,
  /* Conditional requests (RFC 9110 §13.1.3, §13.1.4). int64 Unix seconds:
   * sent as If-Modified-Since / If-Unmodified-Since (unless the request
   * has that header). When a 2xx answer's Last-Modified shows the
   * condition is not met anyway (a server that ignored it), its body is
   * dropped, as curl does. STRATA_INFO_CONDITION_UNMET says whether the
   * condition was not met (a 304 or 412 too). */
  STRATA_OPT_IF_MODIFIED_SINCE = 32,
  STRATA_OPT_IF_UNMODIFIED_SINCE = 33,
  /* Where the socket goes and how its local end is bound (curl's
   * --connect-to, --interface, --local-port, --unix-socket). 34-39 are
   * taken by other options. */
  /* (string, repeatable) "HOST1:PORT1:HOST2:PORT2": a connection to
   * HOST1:PORT1 goes to HOST2:PORT2 instead, on every hop it matches (the
   * first matching entry wins). Empty HOST1/PORT1 match any; empty
   * HOST2/PORT2 keep the URL's; IPv6 in brackets. Host header, TLS SNI,
   * certificate checks and cookies stay the URL's; through an HTTP proxy
   * the connection is tunnelled and CONNECT names HOST2:PORT2. A malformed
   * entry is refused (STRATA_E_INVALID_ARGUMENT) when set. */
  STRATA_OPT_CONNECT_TO = 40,
  /* (string) bind the local end before connecting: an interface name, an
   * IP address or a host name; "if!NAME" for an interface only,
   * "host!NAME" for an address or host only; "" for none (the default).
   * An interface or address that cannot be bound fails the transfer with
   * STRATA_E_LOCAL_BIND. */
  STRATA_OPT_INTERFACE = 41,
  /* int 0-65535: the local port to bind (0, the default: any). */
  STRATA_OPT_LOCAL_PORT = 42,
  /* int 1-65535: how many ports from STRATA_OPT_LOCAL_PORT on may be
   * tried (default 1); none free: STRATA_E_LOCAL_BIND. */
  STRATA_OPT_LOCAL_PORT_RANGE = 43,
  /* (string) connect to this Unix domain socket path instead of the URL's
   * host (the `unix` plugin replaces the bottom layer; TLS and HTTP above
   * it are unchanged, and TLS still checks the URL's host). No proxy is
   * used. "" for TCP again. At most 107 bytes. */
  STRATA_OPT_UNIX_SOCKET = 44,
  /* (string) as STRATA_OPT_UNIX_SOCKET, for a Linux abstract socket name. */
  STRATA_OPT_ABSTRACT_UNIX_SOCKET = 45,
  /* (string) a byte-stream layer type to insert just above the bottom
   * (socket) layer of every hop's chain, below everything else (a proxy's
   * TLS and tunnel too), e.g. "fault" (plugins/fault; `strata --fault`).
   * Its options are the STRATA_OPT_LAYER_OPTIONS entry of that name. A
   * layer no loaded plugin provides fails the transfer at connect time
   * (STRATA_E_CONFIG). "" for none (the default). */
  STRATA_OPT_LAYER_ABOVE_BOTTOM = 46,
  /* 0/1: speak HTTP/2 to an https:// proxy (curl's --proxy-http2): its
   * TLS offers ALPN h2, and every tunnel is a CONNECT stream (RFC 9113
   * §8.5) on one shared, pooled proxy connection. A proxy that picks
   * http/1.1 gets the HTTP/1.1 CONNECT tunnel. -1/unset: the
   * configuration's "proxy.http2" (default 0). */
  STRATA_OPT_PROXY_HTTP2 = 47,
  /* (string, repeatable) proxies the hop goes through before the proxy
   * (STRATA_OPT_PROXY, the configuration's or the environment's), nearest
   * this client first: each call appends the URLs of |value|, one per line
   * ("socks5h://a:1080\nhttp://user:pw@b:3128"), in the spellings
   * STRATA_OPT_PROXY takes (http, https, socks5, socks5h, socks4a), with
   * credentials in the userinfo. Each proxy is asked to tunnel to the next
   * (CONNECT, SOCKS), the last to the origin; without a proxy the last
   * preproxy is the proxy. Set (even to ""), it replaces the configuration's
   * "proxy.chain" preproxies; "" alone means none. With preproxies the
   * environment is not read, as curl does with --preproxy. A malformed URL
   * fails the transfer (STRATA_E_CONFIG, naming the entry). The TLS layer to
   * https proxy N (1: the first) is "proxyN:tls" in
   * STRATA_OPT_LAYER_OPTIONS ("proxy:tls" applies to every proxy's), its
   * tunnel layer "proxyN:connect-tunnel" or "proxyN:socks". */
  STRATA_OPT_PREPROXY = 48
};

/* Bits of STRATA_OPT_RETRY_ON. */
enum {
  STRATA_RETRY_ON_TIMEOUT = 1,      /* STRATA_E_TIMEOUT, STRATA_E_RESOLVE */
  STRATA_RETRY_ON_CONNECT = 2,      /* STRATA_E_CONNECT: refused, unreachable */
  STRATA_RETRY_ON_RESET = 4,        /* closed or reset before any response byte,
                                       and unprocessed requests (GOAWAY,
                                       REFUSED_STREAM) past their resends */
  STRATA_RETRY_ON_HTTP = 8,         /* 408, 429, 500, 502, 503, 504 */
  STRATA_RETRY_ON_ALL_ERRORS = 16,  /* any failure (not a cancel) */
  STRATA_RETRY_NON_IDEMPOTENT = 32, /* POST, PATCH... too */
  STRATA_RETRY_NO_JITTER = 64       /* exact backoff waits (as curl) */
};

/* Values of STRATA_OPT_HTTP_VERSION. The runtime picks the pipeline
 * template per hop: "<scheme>" for the default (for https, ALPN offers h2
 * and http/1.1 and the server picks, as curl does); "https+h1" (ALPN
 * offers only http/1.1) or "http" for 1.1; "https+h2" (ALPN offers h2,
 * falls back to HTTP/1.1) or "http+h2c" (HTTP/1.1 Upgrade) for 2;
 * "http+h2-prior" for 2 with prior knowledge on cleartext; "https+h3"
 * (udp → h3: HTTP/3 over QUIC, no fallback) for 3 only.
 * ABI 1.2: STRATA_HTTP_VERSION_3_ONLY (curl's --http3-only): https hops
 * speak HTTP/3 or fail; http:// hops keep HTTP/1.1 (QUIC is always
 * encrypted), and a hop through a proxy is refused (STRATA_E_CONFIG).
 * ABI 1.2: STRATA_HTTP_VERSION_3 (curl's --http3): an https hop races
 * HTTP/3 against the default TCP chain, h3 first and TCP after a stagger
 * (200 ms, curl's happy-eyeballs delay); the first chain ready carries the
 * request and the winner is remembered for the origin. It goes to an
 * Alt-Svc h3 alternative when the runtime's Alt-Svc cache has one, else to
 * the URL's host and port. Through a proxy it is the default. */
enum {
  STRATA_HTTP_VERSION_DEFAULT = 0,
  STRATA_HTTP_VERSION_1_1 = 11,
  STRATA_HTTP_VERSION_2 = 20,
  STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE = 21,
  STRATA_HTTP_VERSION_3 = 30,
  STRATA_HTTP_VERSION_3_ONLY = 31
};

/* The request options as data, for bindings: each STRATA_OPT_* with its
 * name and value type, from the same table strata_request_set_option_int
 * and _string check options against (runtime/capi/option_table.cc), so a
 * binding built on it needs no copy of the numbers. */
enum {
  STRATA_OPTION_TYPE_INT = 1,    /* strata_request_set_option_int */
  STRATA_OPTION_TYPE_STRING = 2  /* strata_request_set_option_string */
};

/* strata_option_info: one request option. OWNERSHIP: |name| is static. */
typedef struct strata_option_info {
  size_t struct_size;
  int32_t id;          /* STRATA_OPT_* */
  int32_t type;        /* STRATA_OPTION_TYPE_* */
  const char* name;    /* the enum name without STRATA_OPT_, lower case:
                          "timeout_ms", "follow_redirects", "layer_options" */
  int32_t repeatable;  /* 1: each call adds to the value (resolve,
                          connect_to; layer_options merges), 0: a call
                          replaces it */
} strata_option_info;

/* strata_option_count: how many request options this library knows. */
STRATA_API size_t strata_option_count(void);
/* strata_option_at fills |out| (set out->struct_size first; an older,
 * smaller struct gets the fields it has) with option |index|, 0 <= index <
 * strata_option_count(), in increasing id order. STRATA_E_INVALID_ARGUMENT
 * for an index past the end or a NULL/too small |out|. */
STRATA_API strata_status strata_option_at(size_t index, strata_option_info* out);

STRATA_API strata_status strata_request_set_option_int(strata_request* request,
                                                       int32_t option,
                                                       int64_t value);
STRATA_API strata_status strata_request_set_option_string(
    strata_request* request, int32_t option, const char* value);

/* ---------------------------------------------------------------------------
 * Responses
 * ------------------------------------------------------------------------- */

/* Response information ids for strata_response_info. */
enum {
  STRATA_INFO_STATUS = 1,
  STRATA_INFO_HTTP_VERSION = 2,    /* 10, 11, 20, 30 (HTTP/3, ABI 1.2) */
  STRATA_INFO_NUM_REDIRECTS = 3,
  STRATA_INFO_NUM_CONNECTS = 4,    /* new connections made */
  STRATA_INFO_SIZE_DOWNLOAD = 5,   /* body bytes of the final response */
  STRATA_INFO_TIME_TOTAL_US = 6,
  /* From the transfer's start until its first new connection had every
   * layer ready (0 if it made none). For curl's time_connect see
   * STRATA_INFO_TIME_TCP_CONNECT_US. */
  STRATA_INFO_TIME_CONNECT_US = 7,
  /* From the transfer's start until the first response head. For curl's
   * time_starttransfer see STRATA_INFO_TIME_STARTTRANSFER_US. */
  STRATA_INFO_TIME_FIRST_BYTE_US = 8,
  STRATA_INFO_SIZE_UPLOAD = 9,
  STRATA_INFO_HTTP_CONNECT = 10,   /* last proxy CONNECT reply status, 0 if none */
  STRATA_INFO_CONDITION_UNMET = 11, /* 1: a time condition was not met (the body was dropped) */
  /* The curl timers (CURLINFO_*_TIME_T): 12-15, 22 and 23. Each is
   * measured from the start of the hop that reached it and summed over the
   * hops (so after redirects it is a sum); a hop on a reused connection adds
   * nothing to NAMELOOKUP, TCP_CONNECT and APPCONNECT. */
  STRATA_INFO_TIME_NAMELOOKUP_US = 12,  /* the bottom layer's name lookup ended */
  STRATA_INFO_TIME_APPCONNECT_US = 13,  /* the topmost TLS layer is ready (0: none) */
  STRATA_INFO_TIME_PRETRANSFER_US = 14, /* the request is about to be sent */
  STRATA_INFO_TIME_REDIRECT_US = 15,    /* transfer start → start of the last hop */
  STRATA_INFO_SIZE_HEADER = 16,   /* response heads of all hops, in HTTP/1 form */
  STRATA_INFO_SIZE_REQUEST = 17,  /* request bytes of all hops (HTTP/2: HTTP/1 form) */
  STRATA_INFO_REMOTE_PORT = 18,   /* the final connection's peer (a proxy's) port */
  STRATA_INFO_LOCAL_PORT = 19,
  STRATA_INFO_TLS_VERIFY_RESULT = 20, /* X.509 result of the topmost TLS layer (0: ok) */
  STRATA_INFO_PROXY_TLS_VERIFY_RESULT = 21, /* ... of the TLS layer to an https proxy */
  STRATA_INFO_TIME_TCP_CONNECT_US = 22,    /* the bottom layer (TCP) connected */
  STRATA_INFO_TIME_STARTTRANSFER_US = 23   /* the first response head arrived */
};

/* String information ids for strata_response_info_string. */
enum {
  STRATA_INFO_STR_EFFECTIVE_URL = 1,
  STRATA_INFO_STR_REDIRECT_URL = 2,  /* where a final 3xx pointed, "" if none */
  STRATA_INFO_STR_CHAIN = 3,         /* the final hop's chain description */
  STRATA_INFO_STR_REMOTE_IP = 4,     /* the final connection's peer, no brackets */
  STRATA_INFO_STR_LOCAL_IP = 5,
  /* When each layer of the final hop's new connection became ready, in
   * microseconds from the hop's start, bottom first, space-separated
   * "name=us" ("tcp=812 tls=4512 h2-alpn=4513"); layers below a tunnel
   * are "proxy:name". "" when the final hop reused a connection. */
  STRATA_INFO_STR_LAYER_TIMES = 6,
  STRATA_INFO_STR_METHOD = 7,        /* the final hop's method (a 303 turns POST into GET) */
  /* Every proxy CONNECT reply status of the final hop's connection, space
   * separated, nearest this client first; 0 for a SOCKS proxy or one that
   * never answered ("200 200", "200 407"); "" without proxies.
   * STRATA_INFO_HTTP_CONNECT is the last non-zero one. */
  STRATA_INFO_STR_HTTP_CONNECTS = 8
};

STRATA_API int32_t strata_response_status(const strata_response* response);
STRATA_API int32_t strata_response_http_version(const strata_response* response);
STRATA_API size_t strata_response_header_count(const strata_response* response);
/* strata_response_header gives header |index| (0-based, in arrival order).
 * The strings are NUL-terminated as well as sized. */
STRATA_API strata_status strata_response_header(const strata_response* response,
                                                size_t index,
                                                const char** out_name,
                                                size_t* out_name_len,
                                                const char** out_value,
                                                size_t* out_value_len);
/* strata_response_header_get returns the first value of |name| (case
 * insensitive), NUL-terminated, or NULL. */
STRATA_API const char* strata_response_header_get(
    const strata_response* response, const char* name);
/* strata_response_body gives the collected body (empty when a writer was
 * set). */
STRATA_API void strata_response_body(const strata_response* response,
                                     const uint8_t** out_data, size_t* out_len);
/* strata_response_effective_url: the URL of the final hop. */
STRATA_API const char* strata_response_effective_url(
    const strata_response* response);
STRATA_API strata_status strata_response_info(const strata_response* response,
                                              int32_t info, int64_t* out_value);
/* strata_response_info_string gives a STRATA_INFO_STR_* value; the string
 * is borrowed from the response and never NULL on STRATA_OK. */
STRATA_API strata_status strata_response_info_string(
    const strata_response* response, int32_t info, const char** out_value);
/* strata_response_reason: the reason phrase of the status line ("OK",
 * "Not Found"), "" when there was none (HTTP/2 has none). Never NULL. */
STRATA_API const char* strata_response_reason(const strata_response* response);
STRATA_API void strata_response_free(strata_response* response);

/* ---------------------------------------------------------------------------
 * Blocking fetch
 * ------------------------------------------------------------------------- */

/* strata_fetch runs |request| to completion (connects, sends, receives,
 * follows redirects when asked). On STRATA_OK *out_response is set.
 * |request| stays owned by the caller and may be run again. */
STRATA_API strata_status strata_fetch(strata_runtime* runtime,
                                      const strata_request* request,
                                      strata_response** out_response,
                                      strata_error* out_error);

/* ---------------------------------------------------------------------------
 * Non-blocking interface
 * ------------------------------------------------------------------------- */

/* strata_submit starts |request| as it is now (the caller keeps it and may
 * change, submit again or free it at once: later changes reach only later
 * submissions; submitting an unchanged request again copies nothing) and
 * returns a transfer owned by the caller. |user| is returned by
 * strata_transfer_user. */
STRATA_API strata_status strata_submit(strata_runtime* runtime,
                                       const strata_request* request,
                                       void* user,
                                       strata_transfer** out_transfer);

/* strata_runtime_run waits at most |timeout_ms| (0: do not wait, -1: until
 * something happens) for events and progresses every transfer. Returns the
 * number of transfers still running through *out_running. */
STRATA_API strata_status strata_runtime_run(strata_runtime* runtime,
                                            int32_t timeout_ms,
                                            size_t* out_running);

/* strata_runtime_fd returns a descriptor that becomes readable when
 * strata_runtime_run(runtime, 0, ...) has work to do (an epoll descriptor),
 * for embedding in another event loop. */
STRATA_API int strata_runtime_fd(const strata_runtime* runtime);

/* strata_runtime_timeout_ms returns the longest the embedding loop may wait
 * before calling strata_runtime_run, or -1 if no timer is pending. */
STRATA_API int64_t strata_runtime_timeout_ms(const strata_runtime* runtime);

/* strata_runtime_next_done returns a finished transfer not yet returned,
 * or NULL. The transfer stays owned by the caller. */
STRATA_API strata_transfer* strata_runtime_next_done(strata_runtime* runtime);

STRATA_API int strata_transfer_done(const strata_transfer* transfer);
STRATA_API void* strata_transfer_user(const strata_transfer* transfer);
/* strata_transfer_id: a number naming the transfer in events
 * (strata_event.transfer_id), unique within the process, never 0. */
STRATA_API uint64_t strata_transfer_id(const strata_transfer* transfer);
/* strata_transfer_result returns the outcome of a finished transfer
 * (STRATA_AGAIN while running) and fills |out_error| if it failed. */
STRATA_API strata_status strata_transfer_result(const strata_transfer* transfer,
                                                strata_error* out_error);
/* strata_transfer_take_response moves the response out of a finished,
 * successful transfer (NULL otherwise, or if already taken). */
STRATA_API strata_response* strata_transfer_take_response(
    strata_transfer* transfer);
/* strata_transfer_take_record moves out what is known of a finished
 * transfer whether it succeeded or failed (NULL while it runs, or if
 * already taken): for a failure, the figures so far (strata_response_info:
 * times, sizes, connections, addresses; the status and headers of the last
 * response head, if one came) — what curl's -w prints after an error.
 * OWNERSHIP: the caller frees it with strata_response_free. */
STRATA_API strata_response* strata_transfer_take_record(strata_transfer* transfer);
/* strata_transfer_peek_response gives a read-only view of the final
 * response head of a transfer that may still be running: for a streamed
 * body (a body writer), status, version, reason and headers are known
 * before the body has arrived.
 * Returns STRATA_OK with *out_view set once the final head (not a 1xx, not
 * a redirect being followed) has arrived; STRATA_AGAIN with *out_view NULL
 * before; STRATA_E_STATE (NULL) once the response was taken.
 * The view answers strata_response_status, _http_version, _reason,
 * _header_count, _header and _header_get; its body is empty, its
 * effective URL "" until the transfer has ended, and strata_response_info
 * gives the figures known so far.
 * OWNERSHIP: the view belongs to the transfer: do not free it. It is a
 * snapshot taken by this call, valid until the next strata_runtime_run,
 * strata_transfer_peek_response, _take_response, _take_record or
 * strata_transfer_free of this transfer (call again for a fresh one).
 * With STRATA_OPT_RETRY, a head that is going to be retried may be seen and
 * later replaced by the next attempt's. */
STRATA_API strata_status strata_transfer_peek_response(strata_transfer* transfer,
                                                       const strata_response** out_view);
/* strata_transfer_cancel stops a running transfer (result
 * STRATA_E_CANCELLED). */
STRATA_API void strata_transfer_cancel(strata_transfer* transfer);
/* strata_transfer_free cancels the transfer if it is running and frees it. */
STRATA_API void strata_transfer_free(strata_transfer* transfer);
/* strata_transfer_resume wakes a transfer whose body reader returned
 * STRATA_AGAIN (as nghttp2's resume_data): the reader is asked again on the
 * runtime's next run, and strata_runtime_timeout_ms returns 0 until then.
 * Call it on the thread that runs the runtime, e.g. when the data the
 * reader waits for has arrived. A paused reader is not polled; only
 * applications that never call this get a retry after 250 ms, the
 * behaviour from before this call existed. STRATA_E_STATE if the transfer
 * has finished; STRATA_OK otherwise (also when it was not paused). */
STRATA_API strata_status strata_transfer_resume(strata_transfer* transfer);

/* ---------------------------------------------------------------------------
 * Low-level connections
 * ------------------------------------------------------------------------- */

/* strata_connection_open builds the pipeline template named |pipeline| (a
 * key of "pipelines" in the configuration) towards host:port and connects
 * it, waiting at most |timeout_ms| (0: the configured connect timeout).
 * A pipeline of byte-stream layers only gives a byte stream
 * (strata_connection_send/recv); one topped by a session layer gives a
 * connection for strata_connection_request. */
STRATA_API strata_status strata_connection_open(strata_runtime* runtime,
                                                const char* pipeline,
                                                const char* host,
                                                uint16_t port,
                                                int32_t timeout_ms,
                                                strata_connection** out_conn,
                                                strata_error* out_error);
/* strata_connection_send writes all |len| bytes, waiting at most
 * |timeout_ms| (-1 forever). */
STRATA_API strata_status strata_connection_send(strata_connection* conn,
                                                const void* data, size_t len,
                                                int32_t timeout_ms,
                                                strata_error* out_error);
/* strata_connection_recv reads at least one byte (up to |cap|), waiting at
 * most |timeout_ms|; *out_read == 0 with STRATA_OK means end of stream. */
STRATA_API strata_status strata_connection_recv(strata_connection* conn,
                                                void* buf, size_t cap,
                                                size_t* out_read,
                                                int32_t timeout_ms,
                                                strata_error* out_error);
/* strata_connection_request runs |request| on this connection (no
 * redirects, no pooling). Its URL's path and query are used; the host
 * header comes from the URL. */
STRATA_API strata_status strata_connection_request(
    strata_connection* conn, const strata_request* request,
    strata_response** out_response, strata_error* out_error);
/* strata_connection_describe returns the chain, e.g.
 * "tcp(127.0.0.1:8443) → tls(sni=localhost, alpn=http/1.1)". */
STRATA_API const char* strata_connection_describe(
    const strata_connection* conn);
STRATA_API void strata_connection_close(strata_connection* conn);

#ifdef __cplusplus
}
#endif

#endif /* STRATA_STRATA_H_ */
