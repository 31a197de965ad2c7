#include "plugins/tcp/tcp_options.h"

#include <sys/socket.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace strata::tcp {
namespace {

absl::StatusOr<uint64_t> ParseMilliseconds(const char* key, const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    return static_cast<uint64_t>(value.get<int64_t>());
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "option '", key, "' must be a whole number of milliseconds >= 0, found ", text));
}

absl::StatusOr<bool> ParseBool(const char* key, const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return absl::InvalidArgumentError(
      absl::StrCat("option '", key, "' must be true or false, found ", text));
}

}  // namespace

absl::StatusOr<TcpOptions> ParseTcpOptions(const OptionLookup& lookup) {
  TcpOptions options;
  if (std::optional<std::string> text = lookup("connect_timeout_ms")) {
    absl::StatusOr<uint64_t> ms = ParseMilliseconds("connect_timeout_ms", *text);
    if (!ms.ok()) return ms.status();
    options.connect_timeout_ms = *ms;
  }
  if (std::optional<std::string> text = lookup("happy_eyeballs_delay_ms")) {
    absl::StatusOr<uint64_t> ms = ParseMilliseconds("happy_eyeballs_delay_ms", *text);
    if (!ms.ok()) return ms.status();
    options.happy_eyeballs_delay_ms = *ms;
  }
  if (std::optional<std::string> text = lookup("resolve")) {
    absl::StatusOr<std::vector<AddressOverride>> overrides = ParseAddressOverrides(*text);
    if (!overrides.ok()) return overrides.status();
    options.overrides = *std::move(overrides);
  }
  if (std::optional<std::string> text = lookup("nodelay")) {
    absl::StatusOr<bool> nodelay = ParseBool("nodelay", *text);
    if (!nodelay.ok()) return nodelay.status();
    options.nodelay = *nodelay;
  }
  if (std::optional<std::string> text = lookup("family")) {
    if (*text == "any") {
      options.family = AddressFamily::kAny;
    } else if (*text == "ipv4") {
      options.family = AddressFamily::kIpv4;
    } else if (*text == "ipv6") {
      options.family = AddressFamily::kIpv6;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "option 'family' must be \"any\", \"ipv4\" or \"ipv6\", found \"", *text, "\""));
    }
  }
  if (std::optional<std::string> text = lookup("interface")) {
    if (absl::Status s = ParseInterface(*text, &options.local); !s.ok()) return s;
  }
  if (std::optional<std::string> text = lookup("local_port")) {
    if (absl::Status s = ParseLocalPort(*text, &options.local); !s.ok()) return s;
  }
  return options;
}

bool FamilyAllows(AddressFamily family, int sa_family) {
  switch (family) {
    case AddressFamily::kAny:
      return sa_family == AF_INET || sa_family == AF_INET6;
    case AddressFamily::kIpv4:
      return sa_family == AF_INET;
    case AddressFamily::kIpv6:
      return sa_family == AF_INET6;
  }
  return false;
}

const char* FamilyName(AddressFamily family) {
  switch (family) {
    case AddressFamily::kAny:
      return "any";
    case AddressFamily::kIpv4:
      return "ipv4";
    case AddressFamily::kIpv6:
      return "ipv6";
  }
  return "?";
}

}  // namespace strata::tcp
