// request_options.h — the strata_request options (STRATA_OPT_*) a parsed
// command line asks for, as plain data: cli_main.cc applies them to each
// request, and tests can check them without a runtime.
//
// TLS options become one STRATA_OPT_LAYER_OPTIONS JSON object merged over
// the pipeline template's options: --cacert, --capath, -k, -E, --key,
// --tlsv1.x, --tls-max, --ciphers and --curves under "tls" (the layer that
// talks to the server), --proxy-cacert, --proxy-capath and --proxy-insecure
// under "proxy:tls" (the layer that talks to an https:// proxy). -v adds
// {"trace_frames": true} for each HTTP/2 session layer (kH2FrameTraceLayers)
// so their frame log reaches the event callback. --http1.1, --http2 and
// --http2-prior-knowledge become STRATA_OPT_HTTP_VERSION.
#ifndef STRATA_TOOLS_CLI_REQUEST_OPTIONS_H_
#define STRATA_TOOLS_CLI_REQUEST_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tools/cli/options.h"

namespace strata::cli {

struct IntOption {
  int32_t id;        // STRATA_OPT_*
  int64_t value;
  std::string what;  // the command-line option, for error messages
};

struct StringOption {
  int32_t id;
  std::string value;
  std::string what;
  // refused_exit, when not 0: a refusal ends the command with this exit
  // code and |what| as the whole message (curl's wording; --connect-to).
  int refused_exit = 0;
};

struct RequestOptions {
  std::vector<IntOption> ints;
  std::vector<StringOption> strings;
};

// kMaxUnixSocketPath is the longest path STRATA_OPT_UNIX_SOCKET takes
// (sun_path's room).
inline constexpr size_t kMaxUnixSocketPath = 107;

// BuildRequestOptions lists the options for every request of |options|.
RequestOptions BuildRequestOptions(const CliOptions& options);

// kH2FrameTraceLayers names the HTTP/2 session layer types whose
// "trace_frames" option -v turns on: "h2-alpn" (ALPN, https), "h2" (prior
// knowledge) and "h2-upgrade" (h2c); all read the shared options of
// plugins/h2/layer/layer_options.h.
extern const char* const kH2FrameTraceLayers[3];

// LayerOptionsJson is the STRATA_OPT_LAYER_OPTIONS value, "" when neither a
// TLS option nor -v was given.
std::string LayerOptionsJson(const CliOptions& options);

// ProxyCredentials is the -U value as the runtime takes it: "user:password",
// a missing ":" meaning an empty password (as for -u).
std::string ProxyCredentials(const std::string& proxy_user);

// ProxyUrlUserinfo is the "user:password" part of a -x URL
// ("http://user:password@host:port"), "" if it has none.
std::string ProxyUrlUserinfo(const std::string& proxy_url);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_REQUEST_OPTIONS_H_
