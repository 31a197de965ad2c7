#include "plugins/connect_tunnel/connect_request.h"

#include "absl/strings/str_cat.h"

namespace strata::connect_tunnel {

std::string Authority(std::string_view host, uint16_t port) {
  absl::string_view h(host.data(), host.size());
  if (host.find(':') != std::string_view::npos) return absl::StrCat("[", h, "]:", port);
  return absl::StrCat(h, ":", port);
}

bool IsValidTargetHost(std::string_view host) {
  if (host.empty()) return false;
  for (unsigned char c : host) {
    if (c <= 0x20 || c >= 0x7f) return false;
    if (c == '/' || c == '@' || c == '[' || c == ']' || c == '?' || c == '#') return false;
  }
  return true;
}

ConnectRequest BuildConnectRequest(const std::string& authority,
                                   const std::string& proxy_authorization,
                                   const std::string& user_agent) {
  // Host repeats the target because RFC 9112 §3.2 requires it in every
  // HTTP/1.1 request and some proxies refuse CONNECT without it.
  std::string head = absl::StrCat("CONNECT ", authority, " HTTP/1.1\r\nHost: ", authority, "\r\n");
  ConnectRequest request;
  request.bytes = head;
  request.redacted = head;
  if (!proxy_authorization.empty()) {
    absl::StrAppend(&request.bytes, "Proxy-Authorization: ", proxy_authorization, "\r\n");
    absl::StrAppend(&request.redacted, "Proxy-Authorization: <redacted>\r\n");
  }
  if (!user_agent.empty()) {
    std::string line = absl::StrCat("User-Agent: ", user_agent, "\r\n");
    request.bytes += line;
    request.redacted += line;
  }
  request.bytes += "\r\n";
  request.redacted += "\r\n";
  return request;
}

std::string Printable(std::string_view s, size_t max) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  size_t n = s.size() < max ? s.size() : max;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (n < s.size()) out += "...";
  return out;
}

}  // namespace strata::connect_tunnel
