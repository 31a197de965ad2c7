// exit_codes.h — the strata CLI's exit codes and how a strata_status maps
// to them. Numbers follow curl's where curl has the same meaning, so that
// scripts written for curl keep working; docs/cli.md has the table.
#ifndef STRATA_TOOLS_CLI_EXIT_CODES_H_
#define STRATA_TOOLS_CLI_EXIT_CODES_H_

#include <cstddef>

#include "absl/strings/string_view.h"

#include "strata/status.h"

namespace strata::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUnsupportedProtocol = 1,
  kExitInit = 2,  // usage, configuration, plugins
  kExitUrlMalformed = 3,
  kExitNotBuiltIn = 4,
  kExitCouldntResolveProxy = 5,
  kExitCouldntResolveHost = 6,
  kExitCouldntConnect = 7,
  kExitWeirdServerReply = 8,
  kExitPartialFile = 18,
  kExitHttpError = 22,
  kExitWriteError = 23,
  kExitReadError = 26,
  kExitOutOfMemory = 27,
  kExitTimeout = 28,
  kExitRangeError = 33,
  kExitTlsError = 35,
  kExitAborted = 42,
  kExitInterfaceFailed = 45,
  kExitTooManyRedirects = 47,
  kExitSetoptSyntax = 49,
  kExitEmptyReply = 52,
  kExitSendError = 55,
  kExitRecvError = 56,
  kExitCertVerify = 60,
  kExitBadContentEncoding = 61,
  kExitFileSizeExceeded = 63,
  kExitCaCertBadFile = 77,
  kExitPinnedKeyMismatch = 90,
  kExitHttp2Stream = 92,
  kExitProxy = 97,
};

// FailureContext is what the CLI knows about a failed transfer beyond the
// status code; it picks between curl codes that strata folds into one.
struct FailureContext {
  bool writer_failed = false;    // our body writer refused bytes → 23
  bool reader_failed = false;    // our request-body reader failed → 26
  bool request_sent = false;     // a request head went out on the last hop
  bool response_started = false; // any response head arrived on it
  bool proxy_involved = false;   // the failing layer was a proxy tunnel
  // ... and it was an HTTP CONNECT tunnel (connect-tunnel): curl 7.88
  // reports a refused CONNECT as a receive error (56), SOCKS as 97.
  bool http_tunnel = false;
  absl::string_view url = "";     // the URL that failed, for 1 vs 3
};

// ExitCodeDoc describes one exit code for --help and docs/cli.md.
struct ExitCodeDoc {
  int code;
  const char* meaning;
};

// ExitCodeDocs lists every code the CLI can return, in numeric order.
const ExitCodeDoc* ExitCodeDocs(size_t* out_count);

// ExitCodeFor maps |status| to the exit code. STRATA_OK gives 0.
int ExitCodeFor(strata_status status, const FailureContext& context = {});

// HasUnsupportedScheme is true when |url| names a scheme ("ftp://...")
// other than http and https, which curl reports as exit code 1 rather than
// as a malformed URL.
bool HasUnsupportedScheme(absl::string_view url);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_EXIT_CODES_H_
