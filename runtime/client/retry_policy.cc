#include "runtime/client/retry_policy.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"

namespace strata {

bool IdempotentMethod(absl::string_view method) {
  for (absl::string_view m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
    if (method == m) return true;
  }
  return false;
}

bool RetryableStatus(int status) {
  switch (status) {
    case 408: case 429: case 500: case 502: case 503: case 504: return true;
    default: return false;
  }
}

std::optional<std::string> FailureRetryClass(strata_status status, bool response_started, int64_t on) {
  if (status == STRATA_OK || status == STRATA_E_CANCELLED) return std::nullopt;
  if ((on & STRATA_RETRY_ON_TIMEOUT) && (status == STRATA_E_TIMEOUT || status == STRATA_E_RESOLVE)) {
    return "timeout";
  }
  if ((on & STRATA_RETRY_ON_CONNECT) && status == STRATA_E_CONNECT) return "connection refused";
  if ((on & STRATA_RETRY_ON_RESET) && !response_started &&
      (status == STRATA_E_CLOSED || status == STRATA_E_IO || status == STRATA_E_NOT_PROCESSED)) {
    return "transient error";
  }
  if (on & STRATA_RETRY_ON_ALL_ERRORS) return "(retrying all errors)";
  return std::nullopt;
}

std::optional<int64_t> ParseRetryAfter(absl::string_view value, int64_t now_unix_s) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  if (absl::ascii_isdigit(static_cast<unsigned char>(value[0]))) {
    int64_t seconds = 0;
    // delay-seconds = 1*DIGIT; an absurd value saturates (the cap applies).
    for (char c : value) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      seconds = std::min<int64_t>(seconds * 10 + (c - '0'), int64_t{1} << 40);
    }
    return seconds;
  }
  // HTTP-date: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", std::string(value), &t, &err)) return std::nullopt;
  return std::max<int64_t>(0, absl::ToUnixSeconds(t) - now_unix_s);
}

int64_t RetryWaitMs(const RetryOptions& options, int attempt, std::optional<int64_t> retry_after_s, double jitter) {
  int64_t wait;
  if (options.delay_ms > 0) {
    wait = options.delay_ms;
  } else {
    wait = kFirstBackoffMs;
    for (int i = 1; i < attempt && wait < kMaxRetryWaitMs; ++i) wait *= 2;
    wait = std::min(wait, kMaxRetryWaitMs);
    if (!(options.on & STRATA_RETRY_NO_JITTER)) {
      wait -= static_cast<int64_t>(static_cast<double>(wait) * 0.5 * std::clamp(jitter, 0.0, 1.0));
    }
  }
  // The server's word replaces the computed wait, as curl takes it: it
  // knows when it will be ready (0 means no advice).
  if (retry_after_s && *retry_after_s > 0) wait = *retry_after_s * 1000;
  return std::min(wait, kMaxRetryWaitMs);
}

}  // namespace strata
