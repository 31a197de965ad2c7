#include "plugins/policy_allowlist/origin.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace strata::policy_allowlist {

std::string Origin::ToString() const {
  const bool v6 = host.find(':') != std::string::npos;
  return absl::StrCat(scheme, "://", v6 ? "[" : "", host, v6 ? "]" : "", ":", port);
}

std::optional<Origin> ParseOrigin(absl::string_view url) {
  size_t colon = url.find("://");
  if (colon == absl::string_view::npos || colon == 0) return std::nullopt;
  Origin o;
  o.scheme = absl::AsciiStrToLower(url.substr(0, colon));
  absl::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (size_t at = rest.rfind('@'); at != absl::string_view::npos) rest = rest.substr(at + 1);
  absl::string_view host = rest, port;
  if (absl::StartsWith(rest, "[")) {
    size_t close = rest.find(']');
    if (close == absl::string_view::npos) return std::nullopt;
    host = rest.substr(1, close - 1);
    absl::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return std::nullopt;
      port = after.substr(1);
    }
  } else if (size_t c = rest.rfind(':'); c != absl::string_view::npos) {
    host = rest.substr(0, c);
    port = rest.substr(c + 1);
  }
  if (host.empty()) return std::nullopt;
  o.host = absl::AsciiStrToLower(host);
  if (port.empty()) {
    if (o.scheme == "https") {
      o.port = 443;
    } else if (o.scheme == "http") {
      o.port = 80;
    } else {
      return std::nullopt;
    }
  } else {
    uint32_t p = 0;
    if (!absl::SimpleAtoi(port, &p) || p == 0 || p > 65535) return std::nullopt;
    o.port = static_cast<uint16_t>(p);
  }
  return o;
}

}  // namespace strata::policy_allowlist
