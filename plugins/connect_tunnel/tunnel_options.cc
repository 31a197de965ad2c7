#include "plugins/connect_tunnel/tunnel_options.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace strata::connect_tunnel {
namespace {

// ParseWholeNumber accepts what option_get renders for a non-negative JSON
// integer: plain digits. Fractions, exponents and signs are refused rather
// than rounded, so a typo cannot turn into a surprising limit.
absl::StatusOr<uint64_t> ParseWholeNumber(const char* key, const std::string& text,
                                          const char* unit, uint64_t min) {
  uint64_t value = 0;
  bool ok = !text.empty() && text.size() <= 19;
  for (char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok || value < min) {
    return absl::InvalidArgumentError(absl::StrCat("option '", key, "' must be a whole number of ",
                                                   unit, " >= ", min, ", found ", text));
  }
  return value;
}

// HeaderValueIsSafe refuses bytes that would end the header line or the
// request early: a CR or LF in an option must never inject request lines.
bool HeaderValueIsSafe(const std::string& value) {
  for (unsigned char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<TunnelOptions> ParseTunnelOptions(const OptionLookup& lookup) {
  TunnelOptions options;
  if (std::optional<std::string> text = lookup("connect_timeout_ms")) {
    absl::StatusOr<uint64_t> ms = ParseWholeNumber("connect_timeout_ms", *text, "milliseconds", 0);
    if (!ms.ok()) return ms.status();
    options.connect_timeout_ms = *ms;
  }
  if (std::optional<std::string> text = lookup("max_reply_bytes")) {
    // Below a few hundred bytes not even a plain "200 Connection
    // established" with a Date header fits; refuse instead of failing later.
    absl::StatusOr<uint64_t> n = ParseWholeNumber("max_reply_bytes", *text, "bytes", 256);
    if (!n.ok()) return n.status();
    options.max_reply_bytes = *n;
  }
  if (std::optional<std::string> text = lookup("proxy_authorization")) {
    if (!HeaderValueIsSafe(*text)) {
      return absl::InvalidArgumentError(
          "option 'proxy_authorization' contains a CR, LF or NUL byte (value not shown)");
    }
    options.proxy_authorization = *text;
  }
  if (std::optional<std::string> text = lookup("auth")) {
    if (*text == "preemptive") {
      options.auth = AuthMode::kPreemptive;
    } else if (*text == "on_challenge") {
      options.auth = AuthMode::kOnChallenge;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "option 'auth' must be \"preemptive\" or \"on_challenge\", found \"", *text, "\""));
    }
  }
  if (std::optional<std::string> text = lookup("user_agent")) {
    if (!HeaderValueIsSafe(*text)) {
      return absl::InvalidArgumentError("option 'user_agent' contains a CR, LF or NUL byte");
    }
    options.user_agent = *text;
  }
  return options;
}

}  // namespace strata::connect_tunnel
