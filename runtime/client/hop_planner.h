// hop_planner.h — what one hop needs, decided without side effects: the
// pipeline template (by scheme, HTTP version and proxy), the proxy and its
// credentials, each layer's options for a new chain, and the fingerprint
// that says which pooled connections are interchangeable.
//
// The planner reads the runtime's configuration and plugin registry (both
// borrowed, outliving it) and the proxy environment captured when the
// runtime was made; it owns no connection and changes nothing, so a plan is
// a value a transfer keeps for its hop and replaces at the next.
#ifndef STRATA_RUNTIME_CLIENT_HOP_PLANNER_H_
#define STRATA_RUNTIME_CLIENT_HOP_PLANNER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "runtime/chain/connection.h"
#include "runtime/client/proxy.h"
#include "runtime/client/redirect.h"
#include "runtime/config/config.h"
#include "runtime/http/message.h"
#include "runtime/plugin/registry.h"
#include "runtime/url/url.h"

namespace strata {

struct HopPlan {
  // The template from the configuration, or |composed| for a proxy.
  const PipelineSpec* configured = nullptr;
  std::optional<PipelineSpec> composed;
  const PipelineSpec& pipeline() const { return composed ? *composed : *configured; }
  Target target;
  // Everything that decides how the chain is built, so equal fingerprints
  // mean interchangeable connections. Cheap to make: the layers' options
  // are only assembled (LayerOptions) for a new chain.
  std::string fingerprint;
  bool absolute_form = false;  // plain http through a forwarding proxy
  std::string proxy_auth;      // "Basic …" for the proxy nearest the origin, if any
  int64_t connect_ms = 0;
  bool multiplexed = false;    // the top layer may carry many exchanges (HTTP/2)
  std::string proxy_url;       // "scheme://host:port" of the proxy nearest the origin, "" if direct
  // With proxy.http2 (STRATA_OPT_PROXY_HTTP2) to an https proxy, the tunnel
  // is a CONNECT stream (the h2-connect layer at the bottom of this chain)
  // on a shared connection to the proxy: that connection's pipeline
  // (socket → tls with ALPN h2 → h2-alpn) and the fingerprint under which
  // it is pooled, shared by every tunnel through that proxy. HopPlanner::
  // PrefixPlan makes it a plan of its own.
  std::optional<PipelineSpec> proxy_prefix;
  std::string proxy_prefix_fingerprint;
  // Every proxy of the hop, nearest this client first: "scheme://host:port"
  // and "Basic …" ("" without credentials). The k-th tunnel layer of the
  // chain gets proxy_auths[k], the credentials of the proxy it talks to.
  std::vector<std::string> proxy_urls;
  std::vector<std::string> proxy_auths;
  // The entry of a proxy list (proxy.url given as a list) this plan takes:
  // a proxy URL or "direct"; unset when the hop has no list.
  std::optional<std::string> proxy_candidate;
  // Layer options a policy set for this hop (layer key → {option: value}),
  // merged over the request's; Amend() adds them to the fingerprint.
  nlohmann::json amended_options;  // null (no allocation) until Amend()
  // Amend records |options| (as amended_options) so that connections made
  // with them are never shared with others.
  void Amend(nlohmann::json options);
};

// PlanPtr is a hop's plan as a transfer holds it: shared, not copied, when
// transfers take the same kept plan (PlanMemo), and never changed in place
// while shared: MutablePlan gives the holder a plan of its own to change
// (a policy's amendments, a layer inserted above the bottom).
using PlanPtr = std::shared_ptr<const HopPlan>;
HopPlan* MutablePlan(PlanPtr* plan);

// kDirectCandidate is the proxy list entry that means "no proxy".
inline constexpr char kDirectCandidate[] = "direct";

// kUnixLayer is the layer type that replaces the bottom layer when a request
// asks for a unix socket (plugins/unix).
inline constexpr char kUnixLayer[] = "unix";

class HopPlanner {
 public:
  // |config| and |registry| are borrowed and must outlive the planner;
  // |proxy_env| holds the proxy variables as read when the runtime was made.
  HopPlanner(const Config* config, const PluginRegistry* registry, std::map<std::string, std::string> proxy_env);

  // Plan decides hop |hop| to |url| under |options|. |proxy_candidate|, if
  // given, is the entry of the configured proxy list to take (a proxy URL or
  // "direct") in place of proxy.url; such a plan keeps HTTP/1.1 CONNECT
  // (proxy.http2 shares one proxy connection between hops, which a race of
  // whole chains cannot cancel candidate by candidate).
  absl::StatusOr<HopPlan> Plan(const Url& url, const RequestOptions& options, int32_t hop,
                               const std::string* proxy_candidate = nullptr) const;
  // ProxyCandidates is the proxy list a hop under |options| races: the
  // configured list (proxy.url given as a list), unless the request names
  // its own proxy or a unix socket; empty for none.
  const std::vector<std::string>& ProxyCandidates(const RequestOptions& options) const;
  // LayerOptions assembles each layer's options for a new chain of |plan|:
  // the template's, the request's overrides, and the hop's own values
  // (connect timeout, address overrides, proxy credentials for the tunnel).
  std::vector<nlohmann::json> LayerOptions(const HopPlan& plan, const RequestOptions& options) const;
  // PrefixPlan is the plan of |plan|'s shared proxy connection (its
  // proxy_prefix): the proxy is its peer, the hop's policy amendments
  // apply (proxy:tls), and its fingerprint is proxy_prefix_fingerprint.
  HopPlan PrefixPlan(const HopPlan& plan) const;
  // LayerKeys are the names request and policy overrides give |spec|,
  // applied in this order: its layer name, or "proxy:tls" for the TLS layer
  // to an https proxy; in a chain of proxies, what names every proxy's
  // layer ("proxy:tls", "connect-tunnel") and then this proxy's own
  // ("proxy2:tls", "proxy2:connect-tunnel"; 1 is nearest this client).
  static std::vector<std::string> LayerKeys(const LayerSpec& spec);
  // LayerKey is the most specific of them.
  static std::string LayerKey(const LayerSpec& spec);
  // Policy is the redirect policy |options| ask for over the configuration's.
  RedirectPolicy Policy(const RequestOptions& options) const;

  static int64_t Effective(int64_t request_value, int64_t config_value) {
    return request_value >= 0 ? request_value : config_value;
  }

 private:
  // TemplateFor names the template a hop to |scheme| uses under the
  // request's HTTP version policy.
  std::string TemplateFor(const std::string& scheme, int64_t http_version) const;
  // UseUnixSocket puts the unix layer at the bottom of |plan|'s pipeline.
  absl::Status UseUnixSocket(const RequestOptions& options, HopPlan* plan) const;
  // ComposeProxyPipeline derives the chain for |proxies| from the |base|
  // template: after its bottom layer, for each proxy in turn the TLS layer
  // to it (https) and the tunnel through it (SOCKS, or CONNECT unless the
  // last one forwards), then the rest of |base|. One proxy may also have
  // an explicit template ("https+proxy", ...).
  absl::StatusOr<PipelineSpec> ComposeProxyPipeline(const std::string& base, const ProxyChain& proxies,
                                                    bool h2_tunnel = false) const;
  // ProxyLayers appends proxy |index|'s layers (of |count|) to |pipeline|.
  absl::Status ProxyLayers(const ProxyChoice& proxy, size_t index, size_t count, PipelineSpec* pipeline) const;
  // ProxyPrefixPipeline: socket → tls (ALPN h2, http/1.1) → h2-alpn to an
  // https proxy, the socket layer taken from |base|'s template.
  PipelineSpec ProxyPrefixPipeline(const std::string& base) const;

  const Config* config_;
  const PluginRegistry* registry_;
  std::map<std::string, std::string> proxy_env_;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_HOP_PLANNER_H_
