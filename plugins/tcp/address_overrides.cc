#include "plugins/tcp/address_overrides.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace strata::tcp {
namespace {

absl::Status EntryError(absl::string_view entry, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("resolve entry '", entry, "': ", why,
                   " (expected host:port:address[,address...])"));
}

}  // namespace

absl::StatusOr<AddressOverride> ParseAddressOverride(absl::string_view entry) {
  absl::string_view rest = entry;
  if (!rest.empty() && rest.front() == '-') {
    return EntryError(entry, "removal entries are not supported");
  }
  if (!rest.empty() && rest.front() == '+') rest.remove_prefix(1);

  // Host: a bracketed IPv6 literal may contain colons, anything else ends at
  // the first one.
  absl::string_view host;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == absl::string_view::npos) return EntryError(entry, "unclosed '['");
    host = rest.substr(1, close - 1);
    rest.remove_prefix(close + 1);
  } else {
    size_t colon = rest.find(':');
    if (colon == absl::string_view::npos) return EntryError(entry, "missing port");
    host = rest.substr(0, colon);
    rest.remove_prefix(colon);
  }
  if (host.empty()) return EntryError(entry, "empty host");
  if (rest.empty() || rest.front() != ':') return EntryError(entry, "missing port");
  rest.remove_prefix(1);

  size_t colon = rest.find(':');
  if (colon == absl::string_view::npos) return EntryError(entry, "missing address");
  absl::string_view port_text = rest.substr(0, colon);
  uint32_t port = 0;
  if (!absl::SimpleAtoi(port_text, &port) || port == 0 || port > 65535 ||
      port_text.find_first_not_of("0123456789") != absl::string_view::npos) {
    return EntryError(entry, absl::StrCat("port '", port_text, "' is not 1-65535"));
  }
  rest.remove_prefix(colon + 1);

  AddressOverride out;
  out.host = absl::AsciiStrToLower(host);
  out.port = static_cast<uint16_t>(port);
  for (absl::string_view text : absl::StrSplit(rest, ',')) {
    text = absl::StripAsciiWhitespace(text);
    if (text.empty()) return EntryError(entry, "empty address");
    std::optional<SocketAddress> address = SocketAddress::FromIpLiteral(text, out.port);
    if (!address) {
      return EntryError(entry, absl::StrCat("'", text, "' is not an IP address"));
    }
    out.addresses.push_back(*address);
  }
  return out;
}

absl::StatusOr<std::vector<AddressOverride>> ParseAddressOverrides(
    absl::string_view option_text) {
  std::vector<std::string> entries;
  nlohmann::json parsed =
      nlohmann::json::parse(std::string(option_text), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_array()) {
    for (const nlohmann::json& item : parsed) {
      if (!item.is_string()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "option 'resolve' must be an array of strings, found ", item.dump()));
      }
      entries.push_back(item.get<std::string>());
    }
  } else if (parsed.is_string()) {
    entries.push_back(parsed.get<std::string>());
  } else if (parsed.is_discarded()) {
    // The host hands string options over without quotes, so a single entry
    // arrives as bare text.
    entries.emplace_back(option_text);
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "option 'resolve' must be an array of \"host:port:address\" strings, found ",
        option_text));
  }

  std::vector<AddressOverride> out;
  for (const std::string& entry : entries) {
    absl::StatusOr<AddressOverride> parsed_entry = ParseAddressOverride(entry);
    if (!parsed_entry.ok()) return parsed_entry.status();
    out.push_back(*std::move(parsed_entry));
  }
  return out;
}

const AddressOverride* FindAddressOverride(
    const std::vector<AddressOverride>& overrides, absl::string_view host,
    uint16_t port) {
  const AddressOverride* wildcard = nullptr;
  for (const AddressOverride& entry : overrides) {
    if (entry.port != port) continue;
    if (absl::EqualsIgnoreCase(entry.host, host)) return &entry;
    if (entry.host == "*" && wildcard == nullptr) wildcard = &entry;
  }
  return wildcard;
}

}  // namespace strata::tcp
