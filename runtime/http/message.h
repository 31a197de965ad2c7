// message.h — the runtime's HTTP message model: what a request asks for and
// what a response carries, independent of the protocol version that moves it.
#ifndef STRATA_RUNTIME_HTTP_MESSAGE_H_
#define STRATA_RUNTIME_HTTP_MESSAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/string_view.h"
#include "runtime/http/field_block.h"
#include "runtime/url/url.h"
#include "strata/strata.h"

namespace strata {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// FindHeader returns the first value of |name| (case-insensitive) or null.
const std::string* FindHeader(const Headers& headers, absl::string_view name);
// RemoveHeader removes every field named |name| (case-insensitive).
void RemoveHeader(Headers* headers, absl::string_view name);
// ValidHeaderName: a token (RFC 9110 §5.1). ValidHeaderValue: a field-value
// (§5.5): no control bytes but HTAB (so no CR, LF, NUL, 0x01 or DEL).
bool ValidHeaderName(absl::string_view name);
bool ValidHeaderValue(absl::string_view value);
// ValidMethod: a method is a token too (RFC 9110 §9.1).
bool ValidMethod(absl::string_view method);

// Base64 (RFC 4648 §4, with padding), for Basic credentials.
std::string Base64Encode(absl::string_view data);
// PercentDecode decodes %XX escapes (used on URL userinfo).
std::string PercentDecode(absl::string_view text);

struct BodySource {
  enum class Kind { kNone, kMemory, kReader };
  Kind kind = Kind::kNone;
  std::string data;                // kMemory
  strata_read_fn read = nullptr;   // kReader
  void* read_user = nullptr;
  int64_t length = -1;             // kReader: declared length, -1 unknown
};

// ProxyEntry: one proxy of a chain as given: a URL, and credentials
// ("user:password") that win over the URL's userinfo when not empty.
struct ProxyEntry {
  std::string url;
  std::string credentials;
};

// Per-request options; -1 means "use the runtime configuration".
struct RequestOptions {
  int64_t timeout_ms = -1;
  int64_t connect_timeout_ms = -1;
  int64_t first_byte_timeout_ms = -1;
  int64_t idle_timeout_ms = -1;
  int64_t follow_redirects = -1;
  int64_t max_redirects = -1;
  bool fail_on_http_error = false;
  std::string pipeline;              // force a template; "" = by scheme
  std::vector<std::string> resolve;  // "host:port:addr"
  // Where the socket goes and how its local end is bound (curl's
  // --connect-to, --interface, --local-port, --unix-socket).
  std::vector<std::string> connect_to;  // "HOST1:PORT1:HOST2:PORT2", checked when set
  std::string interface;                // "" = none
  int64_t local_port = 0;               // 0 = any
  int64_t local_port_range = 1;         // ports tried from local_port on
  std::string unix_socket;              // "" = TCP
  bool abstract_unix_socket = false;
  // STRATA_OPT_LAYER_ABOVE_BOTTOM: a layer type inserted just above every
  // hop's bottom layer ("" = none), e.g. "fault" for `strata --fault`.
  std::string layer_above_bottom;
  int64_t max_body_bytes = -1;
  std::optional<std::string> proxy;              // "" = no proxy
  std::optional<std::string> proxy_credentials;
  std::optional<std::string> no_proxy;
  int64_t proxy_tunnel = -1;
  int64_t proxy_http2 = -1;  // STRATA_OPT_PROXY_HTTP2; -1: the configuration's
  // STRATA_OPT_PREPROXY: proxies before the proxy, nearest this client
  // first; set (even empty) it replaces the configuration's.
  std::optional<std::vector<ProxyEntry>> preproxies;
  int64_t unsafe_redirect = -1;
  int64_t location_trusted = -1;
  int64_t post301 = -1;
  int64_t post302 = -1;
  int64_t post303 = -1;
  int64_t http_version = 0;  // STRATA_HTTP_VERSION_*
  std::string range;         // STRATA_OPT_RANGE: "0-99"; "" = none
  int64_t resume_from = 0;   // STRATA_OPT_RESUME_FROM
  // STRATA_OPT_ACCEPT_ENCODING: unset = no decoding; "" = every coding.
  std::optional<std::string> accept_encoding;
  int64_t max_decoded_bytes = -1;  // -1 = the configuration's
  int64_t max_decode_ratio = -1;   // -1 = the configuration's
  int64_t retry = 0;               // STRATA_OPT_RETRY: retries allowed
  int64_t retry_delay_ms = 0;      // 0 = backoff
  int64_t retry_max_time_ms = 0;   // 0 = no limit
  int64_t retry_on = -1;           // STRATA_RETRY_* bits; -1 = the default set
  std::string cookie;              // STRATA_OPT_COOKIE: sent after the store's
  int64_t if_modified_since = -1;    // Unix seconds; -1 = none
  int64_t if_unmodified_since = -1;
  // Layer name → options merged over the template's (STRATA_OPT_LAYER_OPTIONS).
  // Null until set (an empty object would cost an allocation per request);
  // null and {} read the same: empty(), find() → end().
  nlohmann::json layer_options;
};

struct Request {
  std::string method = "GET";
  std::string url;
  // |url| parsed when it was set (strata_request_new), so that submitting
  // the same request again and again does not parse it each time; unset
  // when it did not parse (Submit parses |url| and says why) or when |url|
  // was set without it. Whoever changes |url| resets it.
  std::optional<Url> parsed_url;
  Headers headers;
  // Names the application removed (compared case-insensitively): the
  // runtime adds no default of these (User-Agent, Accept, Authorization
  // from userinfo).
  std::vector<std::string> removed_headers;
  BodySource body;
  strata_write_fn writer = nullptr;
  void* writer_user = nullptr;
  RequestOptions options;
};

struct Response {
  int32_t status = 0;
  int32_t http_version = 0;
  std::string reason;
  FieldBlock headers;  // the final response head's fields, in one allocation
  std::string body;
  std::string effective_url;
  std::string effective_method;  // of the final hop (a 303 makes a POST a GET)
  int64_t num_redirects = 0;
  int64_t num_connects = 0;
  int64_t size_download = 0;
  int64_t size_upload = 0;
  uint64_t time_total_us = 0;
  // curl's timers: each hop adds the time from its own start to the
  // moment (so after redirects they are sums, as curl's are); a hop on a
  // reused connection adds nothing to the first three.
  uint64_t time_namelookup_us = 0;
  uint64_t time_tcp_connect_us = 0; // the bottom layer (TCP) connected
  uint64_t time_appconnect_us = 0;  // the topmost TLS layer ready (0: no TLS)
  uint64_t time_pretransfer_us = 0; // the request about to be sent
  uint64_t time_starttransfer_us = 0;  // the first response head
  uint64_t time_redirect_us = 0;    // start of the transfer → start of the last hop
  // From the transfer's start: its first new connection ready (every
  // layer), its first response head (STRATA_INFO_TIME_CONNECT_US / _FIRST_BYTE_US).
  uint64_t time_connect_us = 0;
  uint64_t time_first_byte_us = 0;
  int64_t size_header = 0;   // response heads of every hop, HTTP/1 form
  int64_t size_request = 0;  // request bytes sent on every hop
  // The final hop's connection (ConnectionFacts).
  std::string remote_ip, local_ip;
  int32_t remote_port = 0, local_port = 0;
  int32_t tls_verify_result = 0;
  int32_t proxy_tls_verify_result = 0;
  // "tcp=812 tls=4512 h1=4513": when each layer of the final hop's new
  // connection became ready, microseconds from the hop's start ("" when
  // the connection was reused).
  std::string layer_times;
  int32_t http_connect = 0;   // last proxy CONNECT reply status
  std::string http_connects;  // every proxy's, "200 407" (STRATA_INFO_STR_HTTP_CONNECTS)
  bool condition_unmet = false;  // STRATA_INFO_CONDITION_UNMET
  std::string redirect_url;   // where a final 3xx pointed
  std::string chain;          // the final hop's chain
};

}  // namespace strata

#endif  // STRATA_RUNTIME_HTTP_MESSAGE_H_
