#include "runtime/client/proxy.h"

#include <arpa/inet.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/http/message.h"

namespace strata {
namespace {

// CidrContains: is |host| (an IP literal) inside |block| ("10.0.0.0/8")?
bool CidrContains(absl::string_view block, absl::string_view host) {
  std::vector<std::string> parts = absl::StrSplit(block, '/');
  if (parts.size() != 2) return false;
  int bits = 0;
  if (!absl::SimpleAtoi(parts[1], &bits)) return false;
  std::string h(host);
  unsigned char a[16], b[16];
  int family = 0;
  if (inet_pton(AF_INET, parts[0].c_str(), a) == 1 && inet_pton(AF_INET, h.c_str(), b) == 1) {
    family = 4;
  } else if (inet_pton(AF_INET6, parts[0].c_str(), a) == 1 && inet_pton(AF_INET6, h.c_str(), b) == 1) {
    family = 16;
  } else {
    return false;
  }
  if (bits < 0 || bits > family * 8) return false;
  for (int i = 0; i < bits; ++i) {
    int byte = i / 8, bit = 7 - i % 8;
    if (((a[byte] >> bit) & 1) != ((b[byte] >> bit) & 1)) return false;
  }
  return true;
}

std::string Env(const ProxyInputs& in, const char* name) {
  const char* v = in.getenv ? in.getenv(name) : std::getenv(name);
  return v ? std::string(v) : std::string();
}

}  // namespace

bool IsSocksScheme(absl::string_view scheme) {
  return scheme == "socks5" || scheme == "socks5h" || scheme == "socks4a";
}

absl::StatusOr<Url> ParseProxyUrl(absl::string_view text) {
  std::string t(absl::StripAsciiWhitespace(text));
  if (t.find("://") == std::string::npos) t = absl::StrCat("http://", t);
  const std::string scheme = absl::AsciiStrToLower(t.substr(0, t.find("://")));
  if (scheme == "socks4") {
    return absl::InvalidArgumentError(absl::StrCat(
        "proxy URL '", text, "': socks4:// (SOCKS4 with the name resolved here) is not supported; socks4a:// sends "
        "the name to the proxy, socks5:// and socks5h:// are supported too"));
  }
  // The URL parser knows http(s) only; a SOCKS URL has the same shape.
  const bool socks = IsSocksScheme(scheme);
  absl::StatusOr<Url> url = ParseUrl(socks ? absl::StrCat("http", t.substr(scheme.size())) : t);
  if (!url.ok()) return absl::InvalidArgumentError(absl::StrCat("bad proxy URL '", text, "': ", url.status().message()));
  if (socks) {
    url->scheme = scheme;
    if (!url->port_explicit) url->port = 1080;
    return url;
  }
  if (url->scheme != "http" && url->scheme != "https") {
    return absl::InvalidArgumentError(absl::StrCat("proxy URL '", text, "' has scheme '", url->scheme,
                                                   "' (http, https, socks4a, socks5 and socks5h proxies are "
                                                   "supported)"));
  }
  if (!url->port_explicit) url->port = url->scheme == "https" ? 443 : 1080;
  return url;
}

bool NoProxyMatches(absl::string_view list, absl::string_view host_in) {
  std::string host = absl::AsciiStrToLower(host_in);
  if (!host.empty() && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  absl::ConsumeSuffix(&host_in, ".");
  for (absl::string_view raw : absl::StrSplit(list, absl::ByAnyChar(", "), absl::SkipEmpty())) {
    std::string entry = absl::AsciiStrToLower(raw);
    if (entry == "*") return true;
    if (entry.find('/') != std::string::npos) {
      if (CidrContains(entry, host)) return true;
      continue;
    }
    if (!entry.empty() && entry.front() == '[' && entry.back() == ']') entry = entry.substr(1, entry.size() - 2);
    absl::string_view e = entry;
    absl::ConsumePrefix(&e, ".");
    absl::ConsumeSuffix(&e, ".");
    if (e.empty()) continue;
    absl::string_view h = host;
    absl::ConsumeSuffix(&h, ".");
    if (h == e) return true;
    if (h.size() > e.size() && absl::EndsWith(h, e) && h[h.size() - e.size() - 1] == '.') return true;
  }
  return false;
}

namespace {

std::string NoProxyList(const ProxyInputs& in) {
  if (in.request_no_proxy.has_value()) return *in.request_no_proxy;
  if (!in.config_no_proxy.empty()) return in.config_no_proxy;
  if (!in.from_env) return "";
  std::string list = Env(in, "no_proxy");
  return list.empty() ? Env(in, "NO_PROXY") : list;
}

// MustTunnel: does the proxy nearest the origin tunnel (CONNECT, SOCKS)
// rather than forward the request?
bool MustTunnel(const Url& target, const ProxyInputs& in, absl::string_view proxy_scheme) {
  bool tunnel_plain = in.request_tunnel >= 0 ? in.request_tunnel != 0 : in.config_tunnel;
  // A SOCKS proxy always tunnels: it only relays bytes.
  return target.scheme == "https" || tunnel_plain || IsSocksScheme(proxy_scheme);
}

}  // namespace

absl::StatusOr<std::optional<ProxyChoice>> ChooseProxy(const Url& target, const ProxyInputs& in) {
  std::string url_text;
  if (in.request_url.has_value()) {
    url_text = *in.request_url;
  } else if (!in.config_url.empty()) {
    url_text = in.config_url;
  } else if (in.from_env) {
    url_text = Env(in, absl::StrCat(target.scheme, "_proxy").c_str());
    if (url_text.empty() && target.scheme == "https") url_text = Env(in, "HTTPS_PROXY");
    if (url_text.empty()) url_text = Env(in, "all_proxy");
    if (url_text.empty()) url_text = Env(in, "ALL_PROXY");
  }
  if (url_text.empty()) return std::nullopt;
  if (NoProxyMatches(NoProxyList(in), target.host)) return std::nullopt;
  absl::StatusOr<Url> url = ParseProxyUrl(url_text);
  if (!url.ok()) return url.status();
  ProxyChoice choice;
  choice.url = *url;
  if (in.request_credentials.has_value()) {
    choice.credentials = *in.request_credentials;
  } else if (!url->userinfo.empty()) {
    choice.credentials = PercentDecode(url->userinfo);
  } else {
    choice.credentials = in.config_credentials;
  }
  choice.url.userinfo.clear();
  choice.tunnel = MustTunnel(target, in, choice.url.scheme);
  return std::optional<ProxyChoice>(std::move(choice));
}

absl::StatusOr<ProxyChain> ChooseProxyChain(const Url& target, const ProxyInputs& in) {
  const std::vector<ProxyEntry>& pre = in.request_preproxies ? *in.request_preproxies : in.config_preproxies;
  ProxyChain chain;
  if (!pre.empty() && NoProxyMatches(NoProxyList(in), target.host)) return chain;
  for (size_t i = 0; i < pre.size(); ++i) {
    absl::StatusOr<Url> url = ParseProxyUrl(pre[i].url);
    if (!url.ok()) return absl::InvalidArgumentError(absl::StrCat("preproxy ", i + 1, ": ", url.status().message()));
    ProxyChoice p;
    p.url = *url;
    p.credentials = !pre[i].credentials.empty() ? pre[i].credentials
                    : !url->userinfo.empty()    ? PercentDecode(url->userinfo)
                                                : std::string();
    p.url.userinfo.clear();
    p.tunnel = true;  // it must reach the next proxy
    chain.push_back(std::move(p));
  }
  ProxyInputs last = in;
  // curl reads the environment only when neither --proxy nor --preproxy
  // is given.
  if (!pre.empty()) last.from_env = false;
  absl::StatusOr<std::optional<ProxyChoice>> proxy = ChooseProxy(target, last);
  if (!proxy.ok()) return proxy.status();
  if (proxy->has_value()) {
    chain.push_back(**std::move(proxy));
  } else if (!chain.empty()) {
    // The last preproxy is the one nearest the origin: it tunnels by the
    // same rule as a proxy of its own would.
    chain.back().tunnel = MustTunnel(target, in, chain.back().url.scheme);
  }
  return chain;
}

std::string ProxyLabel(const ProxyChoice& p) {
  return absl::StrCat(p.url.scheme, "://", p.url.HostPort());
}

}  // namespace strata
