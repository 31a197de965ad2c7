// status_name.cc — strata_status_name() of the client API. Kept apart from
// the C API so the C++ runtime can use the names in its messages.
#include "strata/strata.h"

extern "C" const char* strata_status_name(strata_status status) {
  switch (status) {
    case STRATA_OK: return "STRATA_OK";
    case STRATA_AGAIN: return "STRATA_AGAIN";
    case STRATA_E_INVALID_ARGUMENT: return "STRATA_E_INVALID_ARGUMENT";
    case STRATA_E_NO_MEMORY: return "STRATA_E_NO_MEMORY";
    case STRATA_E_UNSUPPORTED: return "STRATA_E_UNSUPPORTED";
    case STRATA_E_BUFFER_TOO_SMALL: return "STRATA_E_BUFFER_TOO_SMALL";
    case STRATA_E_STATE: return "STRATA_E_STATE";
    case STRATA_E_CONFIG: return "STRATA_E_CONFIG";
    case STRATA_E_PLUGIN_LOAD: return "STRATA_E_PLUGIN_LOAD";
    case STRATA_E_PLUGIN_ABI: return "STRATA_E_PLUGIN_ABI";
    case STRATA_E_PLUGIN_INIT: return "STRATA_E_PLUGIN_INIT";
    case STRATA_E_UNKNOWN_LAYER: return "STRATA_E_UNKNOWN_LAYER";
    case STRATA_E_URL: return "STRATA_E_URL";
    case STRATA_E_RESOLVE: return "STRATA_E_RESOLVE";
    case STRATA_E_CONNECT: return "STRATA_E_CONNECT";
    case STRATA_E_TIMEOUT: return "STRATA_E_TIMEOUT";
    case STRATA_E_IO: return "STRATA_E_IO";
    case STRATA_E_CLOSED: return "STRATA_E_CLOSED";
    case STRATA_E_TLS: return "STRATA_E_TLS";
    case STRATA_E_TLS_VERIFY: return "STRATA_E_TLS_VERIFY";
    case STRATA_E_PROXY: return "STRATA_E_PROXY";
    case STRATA_E_TLS_CA: return "STRATA_E_TLS_CA";
    case STRATA_E_TLS_PINNED_KEY: return "STRATA_E_TLS_PINNED_KEY";
    case STRATA_E_LOCAL_BIND: return "STRATA_E_LOCAL_BIND";
    case STRATA_E_POLICY_DENIED: return "STRATA_E_POLICY_DENIED";
    case STRATA_E_PROTOCOL: return "STRATA_E_PROTOCOL";
    case STRATA_E_TRUNCATED: return "STRATA_E_TRUNCATED";
    case STRATA_E_LIMIT: return "STRATA_E_LIMIT";
    case STRATA_E_HTTP_STATUS: return "STRATA_E_HTTP_STATUS";
    case STRATA_E_REDIRECT: return "STRATA_E_REDIRECT";
    case STRATA_E_BODY: return "STRATA_E_BODY";
    case STRATA_E_CANCELLED: return "STRATA_E_CANCELLED";
    case STRATA_E_STREAM_RESET: return "STRATA_E_STREAM_RESET";
    case STRATA_E_NOT_PROCESSED: return "STRATA_E_NOT_PROCESSED";
    case STRATA_E_RANGE: return "STRATA_E_RANGE";
    case STRATA_E_CONTENT_ENCODING: return "STRATA_E_CONTENT_ENCODING";
    case STRATA_E_INTERNAL: return "STRATA_E_INTERNAL";
  }
  return "STRATA_E_UNKNOWN";
}
