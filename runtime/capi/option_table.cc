// option_table.cc — see option_table.h. A new STRATA_OPT_* is added here
// (and handled in capi.cc's setters); option_table_test checks that every
// listed id is accepted by its setter and refused by the other.
#include "runtime/capi/option_table.h"


#include "strata/strata.h"

namespace strata {
namespace {

constexpr OptionEntry kOptions[] = {
    {STRATA_OPT_TIMEOUT_MS, STRATA_OPTION_TYPE_INT, "timeout_ms", false},
    {STRATA_OPT_CONNECT_TIMEOUT_MS, STRATA_OPTION_TYPE_INT, "connect_timeout_ms", false},
    {STRATA_OPT_FIRST_BYTE_TIMEOUT_MS, STRATA_OPTION_TYPE_INT, "first_byte_timeout_ms", false},
    {STRATA_OPT_IDLE_TIMEOUT_MS, STRATA_OPTION_TYPE_INT, "idle_timeout_ms", false},
    {STRATA_OPT_FOLLOW_REDIRECTS, STRATA_OPTION_TYPE_INT, "follow_redirects", false},
    {STRATA_OPT_MAX_REDIRECTS, STRATA_OPTION_TYPE_INT, "max_redirects", false},
    {STRATA_OPT_FAIL_ON_HTTP_ERROR, STRATA_OPTION_TYPE_INT, "fail_on_http_error", false},
    {STRATA_OPT_PIPELINE, STRATA_OPTION_TYPE_STRING, "pipeline", false},
    {STRATA_OPT_RESOLVE, STRATA_OPTION_TYPE_STRING, "resolve", true},
    {STRATA_OPT_MAX_BODY_BYTES, STRATA_OPTION_TYPE_INT, "max_body_bytes", false},
    {STRATA_OPT_PROXY, STRATA_OPTION_TYPE_STRING, "proxy", false},
    {STRATA_OPT_PROXY_CREDENTIALS, STRATA_OPTION_TYPE_STRING, "proxy_credentials", false},
    {STRATA_OPT_NO_PROXY, STRATA_OPTION_TYPE_STRING, "no_proxy", false},
    {STRATA_OPT_PROXY_TUNNEL, STRATA_OPTION_TYPE_INT, "proxy_tunnel", false},
    {STRATA_OPT_UNSAFE_REDIRECT, STRATA_OPTION_TYPE_INT, "unsafe_redirect", false},
    {STRATA_OPT_LOCATION_TRUSTED, STRATA_OPTION_TYPE_INT, "location_trusted", false},
    {STRATA_OPT_POST301, STRATA_OPTION_TYPE_INT, "post301", false},
    {STRATA_OPT_POST302, STRATA_OPTION_TYPE_INT, "post302", false},
    {STRATA_OPT_POST303, STRATA_OPTION_TYPE_INT, "post303", false},
    {STRATA_OPT_LAYER_OPTIONS, STRATA_OPTION_TYPE_STRING, "layer_options", true},
    {STRATA_OPT_HTTP_VERSION, STRATA_OPTION_TYPE_INT, "http_version", false},
    {STRATA_OPT_RANGE, STRATA_OPTION_TYPE_STRING, "range", false},
    {STRATA_OPT_RESUME_FROM, STRATA_OPTION_TYPE_INT, "resume_from", false},
    {STRATA_OPT_ACCEPT_ENCODING, STRATA_OPTION_TYPE_STRING, "accept_encoding", false},
    {STRATA_OPT_MAX_DECODED_BYTES, STRATA_OPTION_TYPE_INT, "max_decoded_bytes", false},
    {STRATA_OPT_MAX_DECODE_RATIO, STRATA_OPTION_TYPE_INT, "max_decode_ratio", false},
    {STRATA_OPT_RETRY, STRATA_OPTION_TYPE_INT, "retry", false},
    {STRATA_OPT_RETRY_DELAY_MS, STRATA_OPTION_TYPE_INT, "retry_delay_ms", false},
    {STRATA_OPT_RETRY_MAX_TIME_MS, STRATA_OPTION_TYPE_INT, "retry_max_time_ms", false},
    {STRATA_OPT_RETRY_ON, STRATA_OPTION_TYPE_INT, "retry_on", false},
    {STRATA_OPT_COOKIE, STRATA_OPTION_TYPE_STRING, "cookie", false},
    {STRATA_OPT_IF_MODIFIED_SINCE, STRATA_OPTION_TYPE_INT, "if_modified_since", false},
    {STRATA_OPT_IF_UNMODIFIED_SINCE, STRATA_OPTION_TYPE_INT, "if_unmodified_since", false},
    {STRATA_OPT_CONNECT_TO, STRATA_OPTION_TYPE_STRING, "connect_to", true},
    {STRATA_OPT_INTERFACE, STRATA_OPTION_TYPE_STRING, "interface", false},
    {STRATA_OPT_LOCAL_PORT, STRATA_OPTION_TYPE_INT, "local_port", false},
    {STRATA_OPT_LOCAL_PORT_RANGE, STRATA_OPTION_TYPE_INT, "local_port_range", false},
    {STRATA_OPT_UNIX_SOCKET, STRATA_OPTION_TYPE_STRING, "unix_socket", false},
    {STRATA_OPT_ABSTRACT_UNIX_SOCKET, STRATA_OPTION_TYPE_STRING, "abstract_unix_socket", false},
    {STRATA_OPT_LAYER_ABOVE_BOTTOM, STRATA_OPTION_TYPE_STRING, "layer_above_bottom", false},
    {STRATA_OPT_PROXY_HTTP2, STRATA_OPTION_TYPE_INT, "proxy_http2", false},
    {STRATA_OPT_PREPROXY, STRATA_OPTION_TYPE_STRING, "preproxy", true},
};

}  // namespace

std::span<const OptionEntry> RequestOptionTable() { return kOptions; }

const OptionEntry* FindRequestOption(int32_t id) {
  for (const OptionEntry& e : kOptions) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

}  // namespace strata
