#include "runtime/client/hop_planner.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "runtime/client/connect_to.h"
#include "runtime/client/proxy.h"
#include "runtime/tunnel/h2_connect_layer.h"

namespace strata {
namespace {

constexpr int64_t kTunnelWindow = 2 << 20;

}  // namespace

HopPlanner::HopPlanner(const Config* config, const PluginRegistry* registry,
                       std::map<std::string, std::string> proxy_env)
    : config_(config), registry_(registry), proxy_env_(std::move(proxy_env)) {}

std::string HopPlanner::TemplateFor(const std::string& scheme, int64_t http_version) const {
  if (http_version == STRATA_HTTP_VERSION_2) return scheme == "https" ? "https+h2" : "http+h2c";
  if (http_version == STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE) return scheme == "https" ? "https+h2" : "http+h2-prior";
  // HTTP/3 only exists over TLS (QUIC); curl's --http3-only leaves http://
  // URLs on HTTP/1.1.
  if (http_version == STRATA_HTTP_VERSION_3_ONLY && scheme == "https") return "https+h3";
  // https offers h2 by default (ALPN h2,http/1.1, as curl does); forcing
  // 1.1 takes the template that offers only http/1.1. A configuration that
  // replaced "https" but not "https+h1" keeps its own "https" for 1.1 too
  // (it had no other way to say what 1.1 means to it).
  if (http_version == STRATA_HTTP_VERSION_1_1 && scheme == "https") {
    auto h1 = config_->pipelines.find("https+h1");
    auto https = config_->pipelines.find("https");
    const bool own_https = https != config_->pipelines.end() && !https->second.from_defaults;
    if (h1 != config_->pipelines.end() && !(own_https && h1->second.from_defaults)) return "https+h1";
  }
  // A configuration that loads tls and h1 but not h2-alpn has lost the
  // default "https" (its layers are missing) but kept "https+h1".
  if (scheme == "https" && !config_->pipelines.count("https") && config_->pipelines.count("https+h1")) {
    return "https+h1";
  }
  return scheme;
}

namespace {

// ProxyKind names what a proxy does in a template name: "socks",
// "https-proxy"/"proxy" (a tunnel), "https-forward"/"forward".
std::string ProxyKind(const ProxyChoice& p) {
  if (IsSocksScheme(p.url.scheme)) return "socks";
  if (p.tunnel) return p.url.scheme == "https" ? "https-proxy" : "proxy";
  return p.url.scheme == "https" ? "https-forward" : "forward";
}

// kChainPath and kTlsSuffix frame the json_path of a chain's proxy TLS
// layers ("/proxy/chain/1/tls": the second proxy's), which LayerKey turns
// into "proxy2:tls".
constexpr absl::string_view kChainPath = "/proxy/chain/";
constexpr absl::string_view kTlsSuffix = "/tls";

}  // namespace

absl::Status HopPlanner::ProxyLayers(const ProxyChoice& proxy, size_t index, size_t count,
                                     PipelineSpec* pipeline) const {
  const std::string& proxy_scheme = proxy.url.scheme;
  const bool socks = IsSocksScheme(proxy_scheme);
  // One proxy keeps the paths it always had ("proxy:tls").
  const std::string path = count == 1 ? std::string("/proxy") : absl::StrCat(kChainPath, index);
  if (proxy_scheme == "https") {
    if (!registry_->FindLayer("tls")) {
      return absl::FailedPreconditionError("an https:// proxy needs the tls plugin (add \"tls\" to \"plugins\")");
    }
    nlohmann::json options = config_->proxy.tls;
    if (!options.contains("alpn")) options["alpn"] = nlohmann::json::array({"http/1.1"});
    pipeline->layers.push_back(LayerSpec{"tls", options, absl::StrCat(path, kTlsSuffix)});
  }
  if (socks) {
    if (!registry_->FindLayer("socks")) {
      return absl::FailedPreconditionError(absl::StrCat("a ", proxy_scheme,
                                                        ":// proxy needs the socks plugin (add \"socks\" to \"plugins\")"));
    }
    // curl's spellings: socks5 resolves here, socks5h and socks4a let the
    // proxy resolve the name.
    nlohmann::json options = nlohmann::json::object();
    if (proxy_scheme == "socks4a") {
      options["version"] = "4a";
    } else {
      options["resolve"] = proxy_scheme == "socks5" ? "local" : "remote";
    }
    pipeline->layers.push_back(LayerSpec{"socks", options, path});
  } else if (proxy.tunnel) {
    if (!registry_->FindLayer("connect-tunnel")) {
      return absl::FailedPreconditionError(
          "this proxy needs a CONNECT tunnel but the connect-tunnel plugin is not loaded (add \"connect-tunnel\" "
          "to \"plugins\")");
    }
    pipeline->layers.push_back(LayerSpec{"connect-tunnel", nlohmann::json::object(), path});
  }
  return absl::OkStatus();
}

absl::StatusOr<PipelineSpec> HopPlanner::ComposeProxyPipeline(const std::string& scheme,
                                                              const ProxyChain& proxies, bool h2_tunnel) const {
  // An explicit template wins for one proxy: "https+proxy",
  // "https+https-proxy", "http+proxy" (tunnelled plain http),
  // "http+forward" (absolute form), "https+socks", "https+h2-proxy"...
  std::vector<std::string> kinds;
  for (const ProxyChoice& p : proxies) kinds.push_back(h2_tunnel ? "h2-proxy" : ProxyKind(p));
  std::string name = absl::StrCat(scheme, "+", absl::StrJoin(kinds, "+"));
  if (proxies.size() == 1) {
    auto it = config_->pipelines.find(name);
    if (it != config_->pipelines.end()) return it->second;
  }
  auto base = config_->pipelines.find(scheme);
  if (base == config_->pipelines.end()) {
    return absl::NotFoundError(absl::StrCat("no pipeline template '", scheme, "' (nor '", name, "') for this URL"));
  }
  // Otherwise derive it from the scheme's template: after the bottom
  // (socket) layer, each proxy's TLS and tunnel, nearest this client first.
  PipelineSpec composed;
  composed.name = name;
  if (h2_tunnel) {
    // The CONNECT stream replaces socket, proxy TLS and tunnel: they belong
    // to the shared proxy connection (ProxyPrefixPipeline).
    composed.layers.push_back(LayerSpec{kH2ConnectLayer, nlohmann::json::object(), "/proxy"});
    for (size_t i = 1; i < base->second.layers.size(); ++i) composed.layers.push_back(base->second.layers[i]);
    return composed;
  }
  composed.layers.push_back(base->second.layers.front());
  for (size_t i = 0; i < proxies.size(); ++i) {
    if (absl::Status s = ProxyLayers(proxies[i], i, proxies.size(), &composed); !s.ok()) return s;
  }
  for (size_t i = 1; i < base->second.layers.size(); ++i) composed.layers.push_back(base->second.layers[i]);
  return composed;
}

PipelineSpec HopPlanner::ProxyPrefixPipeline(const std::string& base) const {
  PipelineSpec prefix;
  prefix.name = "h2-proxy";
  auto it = config_->pipelines.find(base);
  prefix.layers.push_back(it != config_->pipelines.end() ? it->second.layers.front()
                                                         : LayerSpec{"tcp", nlohmann::json::object(), "/proxy"});
  nlohmann::json options = config_->proxy.tls;
  if (!options.contains("alpn")) options["alpn"] = nlohmann::json::array({"h2", "http/1.1"});
  prefix.layers.push_back(LayerSpec{"tls", options, "/proxy/tls"});
  // A tunnel's window reopens only as its chain reads (h2-connect), so the
  // stream window is what a tunnel may buffer: 2 MiB instead of the 32 MiB
  // an h2 download gets, still more than loopback or a LAN needs in flight.
  nlohmann::json h2 = {{"initial_window_size", kTunnelWindow}};
  h2.update(config_->proxy.h2);
  prefix.layers.push_back(LayerSpec{"h2-alpn", std::move(h2), "/proxy/h2"});
  return prefix;
}

HopPlan HopPlanner::PrefixPlan(const HopPlan& plan) const {
  HopPlan prefix;
  prefix.composed = plan.proxy_prefix;
  // The proxy is the peer of every layer (no tunnel layer in this chain);
  // proxy_host marks its byte-stream layers "proxy:NAME" in errors.
  prefix.target.host = plan.target.proxy_host;
  prefix.target.port = plan.target.proxy_port;
  prefix.target.hop = plan.target.hop;
  prefix.target.proxy_host = plan.target.proxy_host;
  prefix.target.proxy_port = plan.target.proxy_port;
  prefix.fingerprint = plan.proxy_prefix_fingerprint;
  prefix.connect_ms = plan.connect_ms;
  prefix.multiplexed = true;
  prefix.proxy_url = plan.proxy_url;
  prefix.Amend(plan.amended_options);
  return prefix;
}

const std::vector<std::string>& HopPlanner::ProxyCandidates(const RequestOptions& ro) const {
  static const std::vector<std::string> kNone;
  if (ro.proxy.has_value() || !ro.unix_socket.empty()) return kNone;
  return config_->proxy.candidates;
}

absl::StatusOr<HopPlan> HopPlanner::Plan(const Url& url, const RequestOptions& ro, int32_t hop,
                                         const std::string* proxy_candidate) const {
  HopPlan plan;
  ProxyInputs inputs;
  inputs.request_url = ro.proxy;
  inputs.request_credentials = ro.proxy_credentials;
  inputs.request_no_proxy = ro.no_proxy;
  inputs.request_tunnel = ro.proxy_tunnel;
  inputs.config_url = config_->proxy.url;
  inputs.config_credentials = config_->proxy.credentials;
  inputs.config_no_proxy = config_->proxy.no_proxy;
  inputs.config_tunnel = config_->proxy.tunnel;
  inputs.from_env = config_->proxy.from_env;
  if (proxy_candidate) {
    plan.proxy_candidate = *proxy_candidate;
    // "direct" is a way to connect of its own: no proxy, not even the
    // environment's.
    const bool direct = *proxy_candidate == kDirectCandidate;
    inputs.config_url = direct ? std::string() : *proxy_candidate;
    if (direct) inputs.from_env = false;
  }
  inputs.request_preproxies = ro.preproxies;
  for (const Config::Proxy::Entry& e : config_->proxy.preproxies) inputs.config_preproxies.push_back({e.url, e.credentials});
  inputs.getenv = [this](const char* name) -> const char* {
    auto it = proxy_env_.find(name);
    return it == proxy_env_.end() ? nullptr : it->second.c_str();
  };
  absl::StatusOr<ProxyChain> chain = ChooseProxyChain(url, inputs);
  if (!chain.ok()) return chain.status();
  std::optional<ConnectTarget> connect_to;
  if (!ro.unix_socket.empty()) {
    // curl does not mix proxies and unix sockets: the socket is the peer.
    chain->clear();
  } else {
    connect_to = FindConnectTarget(ro.connect_to, url.host, url.port);
    // curl tunnels through an HTTP proxy whenever --connect-to applies, so
    // the proxy is asked for the connect-to target (CONNECT HOST2:PORT2).
    if (connect_to && !chain->empty()) chain->back().tunnel = true;
  }

  plan.target = Target();
  plan.target.host = url.host;
  plan.target.port = url.port;
  plan.target.hop = hop;
  if (!ro.pipeline.empty()) {
    auto it = config_->pipelines.find(ro.pipeline);
    if (it == config_->pipelines.end()) {
      return absl::NotFoundError(absl::StrCat("no pipeline template '", ro.pipeline, "' in the configuration"));
    }
    plan.configured = &it->second;
  } else if (!chain->empty()) {
    // Through a proxy, h2c (an HTTP/1.1 Upgrade) and prior knowledge on
    // cleartext make no sense; https keeps its ALPN choice inside the tunnel.
    int64_t version = ro.http_version;
    if (version == STRATA_HTTP_VERSION_3_ONLY && url.scheme == "https") {
      // QUIC is UDP: neither an HTTP CONNECT tunnel nor SOCKS (without UDP
      // ASSOCIATE) can carry it, and curl refuses the same.
      return absl::FailedPreconditionError(
          "HTTP/3 (--http3-only) cannot go through a proxy: QUIC needs UDP to the origin (unset the proxy or use "
          "--noproxy)");
    }
    if (url.scheme == "http" && !chain->back().tunnel) version = STRATA_HTTP_VERSION_DEFAULT;
    // curl's --proxy-http2: tunnels to an https proxy become CONNECT
    // streams on one HTTP/2 connection (RFC 9113 §8.5). One proxy only: a
    // chain of proxies keeps its HTTP/1.1 CONNECTs.
    const ProxyChoice& last = chain->back();
    const bool h2_tunnel = !proxy_candidate && Effective(ro.proxy_http2, config_->proxy.http2 ? 1 : 0) != 0 && chain->size() == 1 &&
                           last.url.scheme == "https" && last.tunnel && registry_->FindLayer(kH2ConnectLayer) &&
                           registry_->FindLayer("h2-alpn") && registry_->FindLayer("tls");
    const std::string base = TemplateFor(url.scheme, version);
    absl::StatusOr<PipelineSpec> composed = ComposeProxyPipeline(base, *chain, h2_tunnel);
    if (!composed.ok()) return composed.status();
    plan.composed = *std::move(composed);
    if (h2_tunnel) plan.proxy_prefix = ProxyPrefixPipeline(base);
  } else {
    std::string name = TemplateFor(url.scheme, ro.http_version);
    auto it = config_->pipelines.find(name);
    if (it == config_->pipelines.end()) {
      return absl::NotFoundError(absl::StrCat(
          "no pipeline template '", name, "' for this URL (configure \"pipelines\": {\"", name,
          "\": [...]}", url.scheme == "https" ? " and load the tls plugin" : "",
          name == "https+h3" ? " and load the udp and h3 plugins"
          : name != url.scheme ? " and the HTTP/2 plugins" : "", ")"));
    }
    plan.configured = &it->second;
  }
  if (connect_to) {
    plan.target.connect_host = connect_to->host;
    plan.target.connect_port = connect_to->port;
  }
  if (!ro.unix_socket.empty()) {
    absl::Status unix = UseUnixSocket(ro, &plan);
    if (!unix.ok()) return unix;
  }
  std::string via;  // the proxies before the last, for the fingerprint
  for (size_t i = 0; i < chain->size(); ++i) {
    const ProxyChoice& p = (*chain)[i];
    plan.target.proxies.push_back(ProxyPeer{p.url.host, p.url.port, ProxyLabel(p)});
    plan.proxy_urls.push_back(absl::StrCat(p.url.scheme, "://", p.url.host, ":", p.url.port));
    plan.proxy_auths.push_back(p.credentials.empty() ? std::string()
                                                     : absl::StrCat("Basic ", Base64Encode(p.credentials)));
    if (i + 1 < chain->size()) absl::StrAppend(&via, "\nvia=", plan.proxy_urls.back(), " ", plan.proxy_auths.back());
  }
  if (!chain->empty()) {
    const ProxyChoice& first = chain->front();
    const ProxyChoice& last = chain->back();
    plan.target.proxy_host = first.url.host;
    plan.target.proxy_port = first.url.port;
    plan.proxy_auth = plan.proxy_auths.back();
    plan.absolute_form = !last.tunnel;
    plan.proxy_url = plan.proxy_urls.back();
  }
  plan.connect_ms = Effective(ro.connect_timeout_ms, config_->timeouts.connect_ms);
  const LayerType* top = registry_->FindLayer(plan.pipeline().layers.back().layer);
  plan.multiplexed = top && (top->flags & STRATA_LAYER_FLAG_MULTIPLEX);
  // A template's own options never change, so its name stands for them;
  // what a request adds is spelled out.
  // The proxy's scheme too: socks5 and socks5h differ in who resolves,
  // even through one configured "<scheme>+socks" template.
  // Every proxy of a chain is named with its credentials: a connection
  // made through other proxies, or as another user of one, is never reused.
  plan.fingerprint = absl::StrCat(plan.pipeline().name, "\n", url.HostPort(), via, "\nproxy=", plan.proxy_url, "\n",
                                  plan.proxy_auth, "\nconnect=", plan.connect_ms, "\nresolve=",
                                  absl::StrJoin(ro.resolve, ","));
  // Where the socket really goes and how its local end is bound: a
  // connection made for another target is never reused.
  if (connect_to) absl::StrAppend(&plan.fingerprint, "\nconnect_to=", connect_to->host, ":", connect_to->port);
  if (!ro.unix_socket.empty()) {
    absl::StrAppend(&plan.fingerprint, "\nunix=", ro.abstract_unix_socket ? "@" : "", ro.unix_socket);
  }
  if (!ro.interface.empty() || ro.local_port > 0) {
    absl::StrAppend(&plan.fingerprint, "\nlocal=", ro.interface, ":", ro.local_port, "+", ro.local_port_range);
  }
  if (!ro.layer_options.empty()) absl::StrAppend(&plan.fingerprint, "\n", ro.layer_options.dump());
  if (plan.proxy_prefix) {
    // What builds the proxy connection, and nothing of the origin: every
    // tunnel through this proxy shares it (credentials go per CONNECT).
    plan.proxy_prefix_fingerprint = absl::StrCat(
        "h2-proxy\n", plan.proxy_url, "\nconnect=", plan.connect_ms, "\nresolve=", absl::StrJoin(ro.resolve, ","),
        "\nlocal=", ro.interface, ":", ro.local_port, "+", ro.local_port_range, "\n", ro.layer_options.dump());
  }
  return plan;
}

std::vector<nlohmann::json> HopPlanner::LayerOptions(const HopPlan& plan, const RequestOptions& ro) const {
  std::vector<nlohmann::json> all;
  size_t tunnels = 0;  // tunnel layers so far: the next one talks to proxy |tunnels|
  for (size_t i = 0; i < plan.pipeline().layers.size(); ++i) {
    const LayerSpec& spec = plan.pipeline().layers[i];
    nlohmann::json o = spec.options;
    // The request's overrides: by layer name, or "proxy:tls" for the TLS
    // layer to an https proxy (the one ComposeProxyPipeline inserted); in a
    // chain what names every proxy's layer first ("proxy:tls",
    // "connect-tunnel"), then this proxy's ("proxy2:tls").
    for (const std::string& k : LayerKeys(spec)) {
      auto override_it = ro.layer_options.find(k);
      if (override_it != ro.layer_options.end() && override_it->is_object()) o.update(*override_it);
      auto amended_it = plan.amended_options.find(k);
      if (amended_it != plan.amended_options.end() && amended_it->is_object()) o.update(*amended_it);
    }
    if (i == 0) {
      // The bottom layer opens the socket: it gets the hop's address
      // overrides, local binding and connect timeout (a unix socket has
      // neither addresses nor a local end to bind).
      if (!o.contains("connect_timeout_ms")) o["connect_timeout_ms"] = plan.connect_ms;
      if (ro.unix_socket.empty()) {
        if (!ro.resolve.empty() && !o.contains("resolve")) o["resolve"] = ro.resolve;
        if (!ro.interface.empty() && !o.contains("interface")) o["interface"] = ro.interface;
        if (ro.local_port > 0 && !o.contains("local_port")) {
          o["local_port"] = ro.local_port_range > 1
                                ? absl::StrCat(ro.local_port, "-", ro.local_port + ro.local_port_range - 1)
                                : absl::StrCat(ro.local_port);
        }
      }
    }
    const LayerType* type = registry_->FindLayer(spec.layer);
    if (type && (type->flags & STRATA_LAYER_FLAG_TUNNEL)) {
      // Proxy credentials go to the tunnel only, never to the origin, and
      // in a chain each proxy's only to the tunnel through that proxy.
      const std::string& auth = tunnels < plan.proxy_auths.size() ? plan.proxy_auths[tunnels] : plan.proxy_auth;
      ++tunnels;
      if (!auth.empty() && !o.contains("proxy_authorization")) o["proxy_authorization"] = auth;
      if (!o.contains("connect_timeout_ms")) o["connect_timeout_ms"] = plan.connect_ms;
      if (spec.layer == kH2ConnectLayer) {
        o["proxy"] = absl::StrCat(plan.target.proxy_host, ":", plan.target.proxy_port);
      }
    }
    all.push_back(std::move(o));
  }
  return all;
}

std::vector<std::string> HopPlanner::LayerKeys(const LayerSpec& spec) {
  if (spec.json_path == "/proxy/tls") return {"proxy:" + spec.layer};
  absl::string_view path = spec.json_path;
  size_t index = 0;
  if (absl::ConsumePrefix(&path, kChainPath)) {
    // A chain's layers: what names every proxy's (the TLS layers are
    // "proxy:tls", a tunnel its layer name), then this proxy's own.
    const bool tls = absl::ConsumeSuffix(&path, kTlsSuffix);
    if (absl::SimpleAtoi(path, &index)) {
      return {tls ? "proxy:" + spec.layer : spec.layer, absl::StrCat("proxy", index + 1, ":", spec.layer)};
    }
  }
  return {spec.layer};
}

std::string HopPlanner::LayerKey(const LayerSpec& spec) { return LayerKeys(spec).back(); }

HopPlan* MutablePlan(PlanPtr* plan) {
  if (plan->use_count() != 1) *plan = std::make_shared<const HopPlan>(**plan);
  // Made non-const (make_shared<const HopPlan> constructs a HopPlan) and
  // now held only here.
  return const_cast<HopPlan*>(plan->get());
}

void HopPlan::Amend(nlohmann::json options) {
  if (options.empty()) return;
  amended_options = std::move(options);
  absl::StrAppend(&fingerprint, "\npolicy=", amended_options.dump());
}

absl::Status HopPlanner::UseUnixSocket(const RequestOptions& ro, HopPlan* plan) const {
  if (!registry_->FindLayer(kUnixLayer)) {
    return absl::FailedPreconditionError(
        "a unix socket needs the unix plugin (strata-unix.so), which is not loaded (add \"unix\" to \"plugins\")");
  }
  // The template's layers above the socket stay as they are; the bottom
  // one becomes the unix layer.
  PipelineSpec pipeline = plan->pipeline();
  nlohmann::json options = {{"path", ro.unix_socket}};
  if (ro.abstract_unix_socket) options["abstract"] = true;
  pipeline.layers.front() = LayerSpec{kUnixLayer, std::move(options), "/request/unix_socket"};
  plan->composed = std::move(pipeline);
  return absl::OkStatus();
}

RedirectPolicy HopPlanner::Policy(const RequestOptions& o) const {
  RedirectPolicy policy;
  policy.follow = true;
  policy.max_redirects = Effective(o.max_redirects, config_->redirect.max);
  policy.allow_https_to_http = Effective(o.unsafe_redirect, config_->redirect.unsafe ? 1 : 0) != 0;
  policy.location_trusted = Effective(o.location_trusted, config_->redirect.location_trusted ? 1 : 0) != 0;
  policy.keep_post_301 = o.post301 > 0;
  policy.keep_post_302 = o.post302 > 0;
  policy.keep_post_303 = o.post303 > 0;
  return policy;
}

}  // namespace strata
