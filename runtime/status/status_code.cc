#include "runtime/status/status_code.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace strata {
namespace {
constexpr char kPayloadUrl[] = "strata.status";
}

absl::Status WithCode(absl::Status status, strata_status code) {
  status.SetPayload(kPayloadUrl, absl::Cord(std::to_string(code)));
  return status;
}

strata_status CodeOf(const absl::Status& status, strata_status fallback) {
  absl::optional<absl::Cord> payload = status.GetPayload(kPayloadUrl);
  int value = 0;
  if (payload && absl::SimpleAtoi(std::string(*payload), &value)) return value;
  return fallback;
}

}  // namespace strata
