// verbose.h — the -v rendering of runtime events, curl style:
//   TRACE/CONNECT  "* <layer>: <message>"
//   DATA_OUT       "> <line>" for each line of the request head
//   DATA_IN        "< <line>" for each line of the response head
//   HOP            "* hop N: METHOD URL → status (chain, new connection;
//                  ready: per-layer timings)" — the runtime's own summary
// Credentials never reach the terminal: Authorization and
// Proxy-Authorization values, and any registered secret, are masked.
#ifndef STRATA_TOOLS_CLI_VERBOSE_H_
#define STRATA_TOOLS_CLI_VERBOSE_H_

#include <map>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "strata/strata.h"

namespace strata::cli {

class VerboseFormatter {
 public:
  // |method| is the method of the first hop; later hops' methods are read
  // from their request heads, or derived from the redirect status when a
  // head did not show it.
  explicit VerboseFormatter(std::string method) {
    Reset(std::move(method));
  }

  // Reset starts a new transfer.
  void Reset(std::string method);

  // KeepPostOn tells the fallback hop line (for events without a runtime
  // summary) that --post301/--post302/--post303 keep POST on that status.
  void KeepPostOn(bool post301, bool post302, bool post303) {
    keep_post_301_ = post301;
    keep_post_302_ = post302;
    keep_post_303_ = post303;
  }

  // AddSecret masks |secret| wherever it appears in event text.
  void AddSecret(std::string secret);

  // Format renders |event| as the text -v writes to stderr (complete
  // lines ending in "\n"), "" for event types -v does not show.
  std::string Format(const strata_event& event);

 private:
  std::string Redact(absl::string_view line) const;
  std::string MethodForHop(int hop) const;

  std::string first_method_;
  std::vector<std::string> secrets_;
  std::map<int, std::string> hop_methods_;  // from DATA_OUT request lines
  std::string next_method_;  // derived from the previous hop's status
  bool keep_post_301_ = false;
  bool keep_post_302_ = false;
  bool keep_post_303_ = false;
};

// RedirectMethod is the method a client uses after a redirect with
// |status| from a request with |method| (RFC 9110 §15.4: 301/302 turn POST
// into GET, 303 turns everything but HEAD into GET). |keep_post| is curl's
// --post30x for this status: POST stays POST.
std::string RedirectMethod(const std::string& method, int status,
                           bool keep_post = false);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_VERBOSE_H_
