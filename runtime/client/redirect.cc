#include "runtime/client/redirect.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace strata {
namespace {

// SchemeOf returns the lower-cased scheme of |reference| (RFC 3986 §3.1:
// ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"), or "" for a relative one.
std::string SchemeOf(const std::string& reference) {
  size_t colon = reference.find(':');
  if (colon == std::string::npos || colon == 0) return "";
  std::string scheme;
  for (size_t i = 0; i < colon; ++i) {
    char c = reference[i];
    bool ok = absl::ascii_isalpha(static_cast<unsigned char>(c)) ||
              (i > 0 && (absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'));
    if (!ok) return "";
    scheme += absl::ascii_tolower(static_cast<unsigned char>(c));
  }
  return scheme;
}

}  // namespace

bool IsRedirectStatus(int32_t status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

absl::StatusOr<std::optional<RedirectPlan>> PlanRedirect(const HopRequest& current, int32_t status,
                                                         const std::string* location,
                                                         const RedirectPolicy& policy,
                                                         int64_t redirects_so_far) {
  if (!policy.follow || !IsRedirectStatus(status) || location == nullptr) return std::nullopt;
  if (redirects_so_far >= policy.max_redirects) {
    return absl::ResourceExhaustedError(absl::StrCat("maximum (", policy.max_redirects,
                                                     ") redirects followed; the last pointed to '", *location, "'"));
  }
  // A Location with a scheme other than http(s) (file:, ftp:, data:...) is
  // refused for its scheme, before URL parsing blames a missing host.
  if (std::string scheme = SchemeOf(*location); !scheme.empty() && scheme != "http" && scheme != "https") {
    return absl::PermissionDeniedError(absl::StrCat("redirect from ", current.url.ToString(), " to '", *location,
                                                    "' refused: the scheme '", scheme,
                                                    "' is not allowed (only http and https are followed)"));
  }
  absl::StatusOr<Url> target = ResolveReference(current.url, *location);
  if (!target.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("redirect from ", current.url.ToString(), " has an invalid Location '", *location,
                     "': ", target.status().message()));
  }
  if (target->scheme != "http" && target->scheme != "https") {
    return absl::PermissionDeniedError(absl::StrCat("redirect from ", current.url.ToString(), " to '",
                                                    target->ToString(), "' refused: only http and https are followed"));
  }
  if (current.url.scheme == "https" && target->scheme == "http" && !policy.allow_https_to_http) {
    return absl::PermissionDeniedError(absl::StrCat("redirect from ", current.url.ToString(), " to ",
                                                    target->ToString(),
                                                    " refused: it downgrades HTTPS to HTTP (allow with unsafe_redirect)"));
  }
  RedirectPlan plan;
  plan.next.method = current.method;
  plan.next.url = *target;
  plan.next.headers = current.headers;
  plan.next.has_body = current.has_body;
  // RFC 9110 §15.4: 303 → GET (HEAD stays HEAD); 301/302 turn POST into GET
  // as every browser and curl do; 307/308 keep method and body.
  bool keep = (status == 301 && policy.keep_post_301) || (status == 302 && policy.keep_post_302) ||
              (status == 303 && policy.keep_post_303 && current.method == "POST");
  bool to_get = !keep && ((status == 303 && current.method != "HEAD") ||
                          ((status == 301 || status == 302) && current.method == "POST"));
  if (to_get) {
    plan.next.method = "GET";
    plan.drop_body = current.has_body;
    plan.next.has_body = false;
    for (const char* h : {"Content-Length", "Content-Type", "Content-Encoding", "Content-Language",
                          "Content-Location", "Transfer-Encoding"}) {
      RemoveHeader(&plan.next.headers, h);
    }
  }
  // Credentials belong to the origin they were given for (docs/hostile-peers.md 75, 76).
  if (!current.url.SameOrigin(*target) && !policy.location_trusted) {
    RemoveHeader(&plan.next.headers, "Authorization");
    RemoveHeader(&plan.next.headers, "Cookie");
    RemoveHeader(&plan.next.headers, "Proxy-Authorization");
    plan.next.url.userinfo.clear();
  }
  return std::optional<RedirectPlan>(std::move(plan));
}

}  // namespace strata
