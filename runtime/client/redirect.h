// redirect.h — the redirect policy: given a finished hop, is there a next
// one, and what does it look like? A pure function so the rules (RFC 9110
// §15.4, docs/hostile-peers.md section H) are testable without a network.
#ifndef STRATA_RUNTIME_CLIENT_REDIRECT_H_
#define STRATA_RUNTIME_CLIENT_REDIRECT_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "runtime/http/message.h"
#include "runtime/url/url.h"

namespace strata {

struct RedirectPolicy {
  bool follow = false;
  int64_t max_redirects = 20;
  bool allow_https_to_http = false;  // "unsafe redirect"
  bool location_trusted = false;     // keep credentials on other origins
  bool keep_post_301 = false;        // curl's --post301
  bool keep_post_302 = false;
  bool keep_post_303 = false;
};

// The request as sent on one hop.
struct HopRequest {
  std::string method;
  Url url;
  Headers headers;
  bool has_body = false;
};

struct RedirectPlan {
  HopRequest next;
  bool drop_body = false;  // switch to a body-less request
};

// IsRedirectStatus: 301, 302, 303, 307, 308 (305 and 300 are not followed).
bool IsRedirectStatus(int32_t status);

// PlanRedirect returns the next hop, std::nullopt when the response is final
// (not a redirect, no Location, or following is off), or an error when the
// redirect must be refused (policy, hop limit, bad Location). |redirects_so_far|
// counts hops already followed.
absl::StatusOr<std::optional<RedirectPlan>> PlanRedirect(const HopRequest& current, int32_t status,
                                                         const std::string* location,
                                                         const RedirectPolicy& policy,
                                                         int64_t redirects_so_far);

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_REDIRECT_H_
