#include "plugins/socks/socks_wire.h"

#include <arpa/inet.h>

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace strata::socks {
namespace {

void AppendPort(std::string* out, uint16_t port) {
  out->push_back(static_cast<char>(port >> 8));
  out->push_back(static_cast<char>(port & 0xff));
}

}  // namespace

std::string SocksAddress::Text() const {
  char buf[INET6_ADDRSTRLEN] = {};
  switch (type) {
    case kAtypIpv4:
      inet_ntop(AF_INET, ip.data(), buf, sizeof(buf));
      return buf;
    case kAtypIpv6:
      inet_ntop(AF_INET6, ip.data(), buf, sizeof(buf));
      return buf;
    case kAtypDomain:
      break;
  }
  return domain;
}

std::optional<SocksAddress> ParseIpLiteral(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || host.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string text(host);
  SocksAddress a;
  if (inet_pton(AF_INET, text.c_str(), a.ip.data()) == 1) {
    a.type = kAtypIpv4;
    return a;
  }
  if (inet_pton(AF_INET6, text.c_str(), a.ip.data()) == 1) {
    a.type = kAtypIpv6;
    return a;
  }
  return std::nullopt;
}

absl::StatusOr<SocksAddress> DestinationFor(std::string_view host) {
  if (std::optional<SocksAddress> ip = ParseIpLiteral(host)) return *ip;
  if (host.empty() || host.size() > 255) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a SOCKS destination name must be 1 to 255 bytes long, found ", host.size()));
  }
  for (unsigned char c : host) {
    if (c <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the destination name \"", Printable(host), "\" contains a space or control byte"));
    }
  }
  SocksAddress a;
  a.type = kAtypDomain;
  a.domain = std::string(host);
  return a;
}

std::string Authority(std::string_view host, uint16_t port) {
  absl::string_view h(host.data(), host.size());
  if (host.find(':') != std::string_view::npos) return absl::StrCat("[", h, "]:", port);
  return absl::StrCat(h, ":", port);
}

std::string Socks5Greeting(bool offer_password) {
  if (offer_password) return std::string("\x05\x02\x00\x02", 4);
  return std::string("\x05\x01\x00", 3);
}

std::string Socks5AuthRequest(std::string_view username, std::string_view password) {
  std::string out;
  out.push_back('\x01');
  out.push_back(static_cast<char>(username.size()));
  out.append(username);
  out.push_back(static_cast<char>(password.size()));
  out.append(password);
  return out;
}

std::string Socks5ConnectRequest(const SocksAddress& dest, uint16_t port) {
  std::string out("\x05\x01\x00", 3);
  out.push_back(static_cast<char>(dest.type));
  switch (dest.type) {
    case kAtypIpv4:
      out.append(reinterpret_cast<const char*>(dest.ip.data()), 4);
      break;
    case kAtypIpv6:
      out.append(reinterpret_cast<const char*>(dest.ip.data()), 16);
      break;
    case kAtypDomain:
      out.push_back(static_cast<char>(dest.domain.size()));
      out.append(dest.domain);
      break;
  }
  AppendPort(&out, port);
  return out;
}

std::string Socks4aConnectRequest(const SocksAddress& dest, uint16_t port,
                                  std::string_view user_id) {
  std::string out("\x04\x01", 2);
  AppendPort(&out, port);
  if (dest.type == kAtypIpv4) {
    out.append(reinterpret_cast<const char*>(dest.ip.data()), 4);
  } else {
    // 0.0.0.x with x != 0: "the name follows" (the 4a extension).
    out.append("\x00\x00\x00\x01", 4);
  }
  out.append(user_id);
  out.push_back('\0');
  if (dest.type == kAtypDomain) {
    out.append(dest.domain);
    out.push_back('\0');
  }
  return out;
}

std::string MethodName(uint8_t method) {
  switch (method) {
    case 0x00:
      return "no authentication";
    case 0x01:
      return "GSSAPI";
    case 0x02:
      return "username/password";
    case 0xff:
      return "no acceptable methods";
    default:
      break;
  }
  if (method >= 0x80) return "a private method";
  return "an IANA-assigned method the client does not implement";
}

std::string Socks5ReplyText(uint8_t code) {
  switch (code) {
    case 0x00:
      return "succeeded";
    case 0x01:
      return "general SOCKS server failure";
    case 0x02:
      return "connection not allowed by ruleset";
    case 0x03:
      return "network unreachable";
    case 0x04:
      return "host unreachable";
    case 0x05:
      return "connection refused";
    case 0x06:
      return "TTL expired";
    case 0x07:
      return "command not supported";
    case 0x08:
      return "address type not supported";
    default:
      return "unassigned reply code";
  }
}

std::string Socks4ReplyText(uint8_t code) {
  switch (code) {
    case 90:
      return "request granted";
    case 91:
      return "request rejected or failed";
    case 92:
      return "request rejected: the proxy cannot reach identd on the client";
    case 93:
      return "request rejected: identd reports a different user id";
    default:
      return "unknown reply code";
  }
}

std::string Hex(uint8_t byte) {
  static const char kHex[] = "0123456789abcdef";
  return std::string{'0', 'x', kHex[byte >> 4], kHex[byte & 15]};
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

}  // namespace strata::socks
