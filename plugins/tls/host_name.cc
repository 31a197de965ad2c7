#include "plugins/tls/host_name.h"

#include <arpa/inet.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"

namespace strata::tls {

PeerName PeerNameFor(absl::string_view host) {
  PeerName out;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  std::string text(host);
  unsigned char addr[16];
  if (inet_pton(AF_INET, text.c_str(), addr) == 1 || inet_pton(AF_INET6, text.c_str(), addr) == 1) {
    out.name = absl::AsciiStrToLower(text);
    out.ip_literal = true;
    return out;
  }
  // "example.com." is the same host; the dot is never sent (RFC 6066 §3)
  // and never compared.
  absl::string_view name = host;
  absl::ConsumeSuffix(&name, ".");
  out.name = absl::AsciiStrToLower(name);
  return out;
}

}  // namespace strata::tls
