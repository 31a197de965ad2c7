// proxy.h — which proxy, if any, a hop goes through (curl's rules).
//
// Sources, first match wins: the request's STRATA_OPT_PROXY, the runtime
// configuration's "proxy.url", then (unless "proxy.from_env" is false) the
// environment: <scheme>_proxy in lowercase, HTTPS_PROXY also in uppercase
// (HTTP_PROXY is ignored in uppercase, as curl does, because CGI puts the
// client's Proxy header there), then all_proxy / ALL_PROXY. no_proxy /
// NO_PROXY (or the request's / configuration's list) exempts hosts.
//
// A hop may also go through a chain of proxies (ChooseProxyChain): the
// preproxies (the request's STRATA_OPT_PREPROXY, else the configuration's
// "proxy.chain" but its last entry) come first, nearest this client, and the
// proxy chosen as above last, nearest the origin. As curl does with
// --preproxy, the environment is not read when preproxies are given.
#ifndef STRATA_RUNTIME_CLIENT_PROXY_H_
#define STRATA_RUNTIME_CLIENT_PROXY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/http/message.h"
#include "runtime/url/url.h"

namespace strata {

struct ProxyChoice {
  // scheme http, https, socks5 (the name resolved here), socks5h (the
  // name sent to the proxy) or socks4a; default port 1080 (https: 443)
  Url url;
  std::string credentials;  // "user:password", percent-decoded; may be empty
  bool tunnel = false;      // CONNECT (always for https targets)
};

struct ProxyInputs {
  std::optional<std::string> request_url;          // STRATA_OPT_PROXY
  std::optional<std::string> request_credentials;  // STRATA_OPT_PROXY_CREDENTIALS
  std::optional<std::string> request_no_proxy;     // STRATA_OPT_NO_PROXY
  int64_t request_tunnel = -1;                     // STRATA_OPT_PROXY_TUNNEL
  std::string config_url;
  std::string config_credentials;
  std::string config_no_proxy;
  bool config_tunnel = false;
  bool from_env = true;
  // Preproxies, nearest this client first: the request's (set: it replaces
  // the configuration's; an empty list means none), else the
  // configuration's.
  std::optional<std::vector<ProxyEntry>> request_preproxies;
  std::vector<ProxyEntry> config_preproxies;
  // Environment lookup; tests replace it.
  std::function<const char*(const char*)> getenv;
};

// ParseProxyUrl accepts "host:port", "http://[user:pass@]host[:port]",
// "https://…", "socks5://", "socks5h://" and "socks4a://" (curl's
// spellings); no scheme means http, default ports are 1080 (443 for https).
// socks4:// (SOCKS4 resolving here) is refused with a pointer to the others.
absl::StatusOr<Url> ParseProxyUrl(absl::string_view text);

// IsSocksScheme: socks5, socks5h or socks4a.
bool IsSocksScheme(absl::string_view scheme);

// NoProxyMatches applies a no_proxy list (comma or space separated): "*"
// matches everything; a name matches itself and its subdomains (a leading
// dot is optional); an IP address or CIDR block matches addresses.
bool NoProxyMatches(absl::string_view list, absl::string_view host);

// ChooseProxy decides for |target|; std::nullopt means "connect directly".
absl::StatusOr<std::optional<ProxyChoice>> ChooseProxy(const Url& target, const ProxyInputs& in);

// ProxyChain: the proxies of one hop in order, nearest this client first;
// empty means "connect directly".
using ProxyChain = std::vector<ProxyChoice>;

// ChooseProxyChain decides the whole chain for |target|: the preproxies,
// then ChooseProxy's proxy (if any). Every proxy but the last tunnels (it
// must reach the next one); no_proxy exempts the whole chain. Errors name
// the entry ("preproxy 1: bad proxy URL ...").
absl::StatusOr<ProxyChain> ChooseProxyChain(const Url& target, const ProxyInputs& in);

// ProxyLabel names |p| in messages and traces: "scheme://host:port", never
// the credentials.
std::string ProxyLabel(const ProxyChoice& p);

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_PROXY_H_
