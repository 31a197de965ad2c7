#include "runtime/client/connect_to.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace strata {
namespace {

absl::Status Invalid(absl::string_view entry) {
  return absl::InvalidArgumentError(
      absl::StrCat("Invalid connect to entry '", entry, "' (expected HOST1:PORT1:HOST2:PORT2)"));
}

// TakeHost removes a host (bracketed IPv6 literal or text up to ':') from
// the front of |rest| into |out|, brackets dropped.
bool TakeHost(absl::string_view* rest, std::string* out) {
  if (!rest->empty() && rest->front() == '[') {
    size_t close = rest->find(']');
    if (close == absl::string_view::npos) return false;
    *out = std::string(rest->substr(1, close - 1));
    rest->remove_prefix(close + 1);
    return rest->empty() || rest->front() == ':';
  }
  size_t colon = rest->find(':');
  *out = std::string(rest->substr(0, colon));
  rest->remove_prefix(colon == absl::string_view::npos ? rest->size() : colon);
  return true;
}

bool ParsePort(absl::string_view text, uint16_t* out) {
  uint32_t port = 0;
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(text, &port) || port == 0 || port > 65535) {
    return false;
  }
  *out = static_cast<uint16_t>(port);
  return true;
}

}  // namespace

absl::StatusOr<ConnectToEntry> ParseConnectTo(absl::string_view entry) {
  ConnectToEntry out;
  absl::string_view rest = entry;
  // HOST1 and PORT1: what the entry applies to.
  if (!TakeHost(&rest, &out.host) || rest.empty()) return Invalid(entry);
  out.host = absl::AsciiStrToLower(out.host);
  rest.remove_prefix(1);  // ':'
  size_t colon = rest.find(':');
  if (colon == absl::string_view::npos) return Invalid(entry);
  if (colon > 0) {
    uint16_t port = 0;
    if (!ParsePort(rest.substr(0, colon), &port)) return Invalid(entry);
    out.port = port;
  }
  rest.remove_prefix(colon + 1);
  // HOST2 and PORT2: where to go instead, with curl's messages.
  if (!rest.empty() && rest.front() == '[' && rest.find(']') == absl::string_view::npos) {
    return absl::InvalidArgumentError("Invalid IPv6 address format");
  }
  if (!TakeHost(&rest, &out.to_host)) return absl::InvalidArgumentError("Invalid IPv6 address format");
  if (!rest.empty()) {
    rest.remove_prefix(1);  // ':'
    if (!rest.empty()) {
      uint16_t port = 0;
      if (!ParsePort(rest, &port)) {
        return absl::InvalidArgumentError(
            absl::StrCat("No valid port number in connect to host string (", rest, ")"));
      }
      out.to_port = port;
    }
  }
  return out;
}

std::optional<ConnectTarget> FindConnectTarget(const std::vector<ConnectToEntry>& entries,
                                               absl::string_view host, uint16_t port) {
  for (const ConnectToEntry& e : entries) {
    if (!e.host.empty() && !absl::EqualsIgnoreCase(e.host, host)) continue;
    if (e.port && *e.port != port) continue;
    // An entry that keeps both halves changes nothing: curl goes on to
    // the next one.
    if (e.to_host.empty() && !e.to_port) continue;
    ConnectTarget target{e.to_host.empty() ? std::string(host) : e.to_host, e.to_port.value_or(port)};
    if (absl::EqualsIgnoreCase(target.host, host) && target.port == port) return std::nullopt;
    return target;
  }
  return std::nullopt;
}

std::optional<ConnectTarget> FindConnectTarget(const std::vector<std::string>& entries, absl::string_view host,
                                               uint16_t port) {
  std::vector<ConnectToEntry> parsed;
  parsed.reserve(entries.size());
  for (const std::string& text : entries) {
    absl::StatusOr<ConnectToEntry> e = ParseConnectTo(text);
    if (e.ok()) parsed.push_back(*std::move(e));
  }
  return FindConnectTarget(parsed, host, port);
}

}  // namespace strata
