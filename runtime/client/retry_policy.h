// retry_policy.h — which failed attempts are tried again, and after how long.
//
// Pure functions of the request's retry options, the attempt's outcome and
// the clock, so the rules are tested without a network; the Runtime asks
// them when an attempt ends (runtime.cc, MaybeRetry).
#ifndef STRATA_RUNTIME_CLIENT_RETRY_POLICY_H_
#define STRATA_RUNTIME_CLIENT_RETRY_POLICY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "strata/strata.h"

namespace strata {

inline constexpr int64_t kDefaultRetryOn =
    STRATA_RETRY_ON_TIMEOUT | STRATA_RETRY_ON_CONNECT | STRATA_RETRY_ON_RESET | STRATA_RETRY_ON_HTTP;
// The longest wait between attempts (curl's too): backoff stops doubling
// here, and a Retry-After is capped to it.
inline constexpr int64_t kMaxRetryWaitMs = 600000;
inline constexpr int64_t kFirstBackoffMs = 1000;

struct RetryOptions {
  int64_t retries = 0;       // STRATA_OPT_RETRY
  int64_t delay_ms = 0;      // STRATA_OPT_RETRY_DELAY_MS; 0 = backoff
  int64_t max_time_ms = 0;   // STRATA_OPT_RETRY_MAX_TIME_MS; 0 = none
  int64_t on = kDefaultRetryOn;  // STRATA_OPT_RETRY_ON
};

// IdempotentMethod: RFC 9110 §9.2.2 (GET, HEAD, OPTIONS, TRACE, PUT, DELETE).
bool IdempotentMethod(absl::string_view method);

// RetryableStatus: the HTTP statuses curl retries (408, 429, 500, 502,
// 503, 504).
bool RetryableStatus(int status);

// RetryClassOf names the class of a failed attempt's |status|, in curl's
// words ("timeout", "connection refused", "HTTP error", "transient error",
// "(retrying all errors)"), or nullopt if |on| does not retry it.
// |response_started|: some of the response had arrived.
std::optional<std::string> FailureRetryClass(strata_status status, bool response_started, int64_t on);

// ParseRetryAfter reads a Retry-After value (RFC 9110 §10.2.3): seconds,
// or an HTTP date taken relative to |now_unix_s|. nullopt if malformed;
// a date in the past is 0.
std::optional<int64_t> ParseRetryAfter(absl::string_view value, int64_t now_unix_s);

// RetryWaitMs: the wait before attempt |attempt| + 1, after attempt
// |attempt| (1-based) failed. Backoff doubles from kFirstBackoffMs (or the
// fixed delay); a non-zero Retry-After replaces it (as curl does); the
// result never exceeds kMaxRetryWaitMs. |jitter| in [0, 1) shortens a
// backoff wait by up to half (ignored with STRATA_RETRY_NO_JITTER or a
// fixed delay).
int64_t RetryWaitMs(const RetryOptions& options, int attempt, std::optional<int64_t> retry_after_s, double jitter);

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_RETRY_POLICY_H_
