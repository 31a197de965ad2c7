// runtime_policies.cc — where the runtime asks the configuration's policies
// (runtime/policy) about a hop: once it is planned, and once its connection's
// TLS is up, and applies what they answer.
#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "runtime/client/layer_insertion.h"
#include "runtime/client/runtime.h"

namespace strata {
namespace {

// Secrets never reach a policy: it sees that a layer has them, not what.
bool IsSecretOption(const std::string& key) {
  const std::string lower = absl::AsciiStrToLower(key);
  return absl::StrContains(lower, "authorization") || absl::StrContains(lower, "password") ||
         absl::StrContains(lower, "secret");
}

// IsProxyLabel: a LayerLabel of a layer that talks to a proxy, "proxy:tls"
// or, in a chain, "proxy2:tls".
bool IsProxyLabel(absl::string_view label) {
  if (!absl::ConsumePrefix(&label, "proxy")) return false;
  while (!label.empty() && absl::ascii_isdigit(static_cast<unsigned char>(label.front()))) label.remove_prefix(1);
  return absl::StartsWith(label, ":");
}

}  // namespace

PolicySet::Log Runtime::PolicyLog(Transfer* t, const std::string& url) {
  // A policy's lines (up to INFO) are trace events of its hop, from layer
  // "policy:NAME".
  return [this, t, url](const std::string& policy, int32_t level, const std::string& message) {
    if (level > STRATA_LOG_INFO) return;
    Emit(STRATA_EVENT_TRACE, t->hop_, "policy:" + policy, message, url, 0, 0, "", MonotonicUs() - t->started_us_, t);
  };
}

bool Runtime::ApplyHopPolicies(Transfer* t) {
  HopDenial denial;
  if (CheckHopPolicies(t, MutablePlan(&t->h_.plan), &denial)) return true;
  t->Fail(denial.status, denial.layer, denial.message);
  Complete(t);
  return false;
}

bool Runtime::CheckHopPolicies(Transfer* t, HopPlan* planned, HopDenial* denial) {
  const std::string url = t->hop_request_.url.ToString(false);
  const PolicySet::Log log = PolicyLog(t, url);
  const HopPlan& plan = *planned;
  HopFacts facts;
  facts.hop = t->hop_;
  facts.method = t->hop_request_.method;
  facts.url = url;
  if (!t->previous_url_.empty()) facts.previous_url = t->previous_url_;
  facts.previous_status = t->previous_status_;
  facts.pipeline_name = plan.pipeline().name;
  facts.pipeline = nlohmann::json::array();
  facts.tls = nullptr;
  std::vector<nlohmann::json> options = planner_->LayerOptions(plan, t->request_.options);
  for (size_t i = 0; i < plan.pipeline().layers.size(); ++i) {
    const LayerSpec& spec = plan.pipeline().layers[i];
    nlohmann::json o = options[i];
    for (auto it = o.begin(); it != o.end();) {
      it = IsSecretOption(it.key()) ? o.erase(it) : std::next(it);
    }
    const LayerType* type = registry_->FindLayer(spec.layer);
    if (type && (type->flags & STRATA_LAYER_FLAG_SECURE) && HopPlanner::LayerKey(spec) == spec.layer) facts.tls = o;
    facts.pipeline.push_back({{"layer", HopPlanner::LayerKey(spec)}, {"options", std::move(o)}});
  }
  facts.proxies = nlohmann::json::array();
  for (size_t i = 0; i < plan.proxy_urls.size(); ++i) {
    const bool credentials = i < plan.proxy_auths.size() && !plan.proxy_auths[i].empty();
    facts.proxies.push_back({{"url", plan.proxy_urls[i]}, {"credentials", credentials}});
  }
  // Credentials in fields are shown as present, never their values.
  Headers shown;
  shown.reserve(t->hop_request_.headers.size());
  for (const Header& h : t->hop_request_.headers) {
    const bool secret = absl::EqualsIgnoreCase(h.name, "Authorization") ||
                        absl::EqualsIgnoreCase(h.name, "Proxy-Authorization") || absl::EqualsIgnoreCase(h.name, "Cookie");
    shown.push_back({h.name, secret ? std::string("(redacted)") : h.value});
  }
  facts.headers = &shown;

  PolicyVerdict v = policies_->CheckHop(facts, log);
  if (v.denied) {
    *denial = {v.status, "policy:" + v.policy, v.message};
    return false;
  }
  if (!v.amended()) return true;
  std::vector<std::string> done;
  if (v.pipeline) {
    RequestOptions ro = t->request_.options;
    ro.pipeline = *v.pipeline;
    // A candidate of a proxy list keeps its proxy.
    absl::StatusOr<HopPlan> replanned = planner_->Plan(
        t->hop_request_.url, ro, t->hop_, planned->proxy_candidate ? &*planned->proxy_candidate : nullptr);
    if (!replanned.ok()) {
      *denial = {STRATA_E_CONFIG, "policy",
                 absl::StrCat("a policy asked for pipeline '", *v.pipeline,
                              "', which cannot carry this hop: ", replanned.status().message())};
      return false;
    }
    InsertAboveBottom(t->request_.options.layer_above_bottom, &*replanned);
    *planned = *std::move(replanned);
    done.push_back(absl::StrCat("pipeline ", *v.pipeline));
  }
  if (!v.layer_options.empty()) {
    // An option for a layer the chain does not have would silently do
    // nothing, which for a security setting is the worst outcome.
    for (auto it = v.layer_options.begin(); it != v.layer_options.end(); ++it) {
      bool found = false;
      for (const LayerSpec& spec : planned->pipeline().layers) {
        // Any of a layer's names: "proxy:tls" names every proxy's TLS
        // layer of a chain, as in the request's options.
        for (const std::string& key : HopPlanner::LayerKeys(spec)) found |= key == it.key();
      }
      if (!found) {
        *denial = {STRATA_E_POLICY_DENIED, "policy",
                   absl::StrCat("a policy set options of layer '", it.key(), "', which pipeline '",
                                planned->pipeline().name, "' does not have, so the hop cannot honour it")};
        return false;
      }
      done.push_back(absl::StrCat(it.key(), " options ", it.value().dump()));
    }
    planned->Amend(v.layer_options);
  }
  Headers& headers = t->hop_request_.headers;
  for (const std::string& name : v.remove_headers) {
    RemoveHeader(&headers, name);
    done.push_back(absl::StrCat("-", name));
  }
  for (const auto& [name, value] : v.add_headers) {
    // A retry or a replanned hop asks again: never add the same field twice.
    bool present = false;
    for (const Header& h : headers) present |= absl::EqualsIgnoreCase(h.name, name) && h.value == value;
    if (!present) headers.push_back({name, value});
    done.push_back(absl::StrCat("+", name));
  }
  if (v.strip_credentials) {
    RemoveHeader(&headers, "Authorization");
    RemoveHeader(&headers, "Cookie");
    t->hop_request_.url.userinfo.clear();
    t->h_.strip_cookies = true;
    done.push_back("credentials stripped");
  }
  Emit(STRATA_EVENT_TRACE, t->hop_, "policy", absl::StrCat("hop amended: ", absl::StrJoin(done, ", ")), url, 0, 0, "",
       MonotonicUs() - t->started_us_, t);
  return true;
}

bool Runtime::PassesHandshakePolicies(Transfer* t, Connection* c, PoolEntry* e) {
  t->h_.handshake_checked = true;
  PolicyVerdict v = HandshakeVerdict(t, c, e);
  if (!v.denied) return true;
  // Nothing was sent on the connection for this hop. It is not kept for
  // this origin's later requests either: each would be refused the same way.
  if (e) {
    if (e->connecting_for == t) e->connecting_for = nullptr;
    pool_->Release(e, /*streaming=*/false, /*reusable=*/false);
  }
  t->h_.conn = nullptr;
  t->Fail(v.status, v.policy == "runtime" ? "policy" : "policy:" + v.policy, v.message);
  Complete(t);
  return false;
}

PolicyVerdict Runtime::HandshakeVerdict(Transfer* t, Connection* c, PoolEntry* e) {
  const std::string url = t->hop_request_.url.ToString(false);
  const PolicySet::Log log = PolicyLog(t, url);
  PolicyVerdict v;
  const std::vector<SecureFacts>& layers = c->SecureLayers();
  const bool origin_tls =
      std::any_of(layers.begin(), layers.end(), [](const SecureFacts& s) { return !IsProxyLabel(s.label); });
  // Through an HTTP/2 proxy the TLS to the proxy is not in this chain but
  // in the shared proxy connection its tunnel runs on: it is checked too,
  // as a proxy's, before this chain's own layers.
  std::vector<SecureFacts> proxy_layers;
  if (e != nullptr) {
    if (std::shared_ptr<ProxyLink> link = e->via_proxy.lock(); link && link->conn) {
      proxy_layers = link->conn->SecureLayers();
    }
  }
  if (!origin_tls && t->hop_request_.url.scheme == "https") {
    // A policy that checks handshakes must not be skipped because it
    // cannot see one: a TLS plugin built before ABI 1.1 does not flag
    // itself secure, and a policy may have chosen a pipeline without TLS.
    v.denied = true;
    v.status = STRATA_E_POLICY_DENIED;
    v.policy = "runtime";
    v.message = "policies check TLS handshakes, but this https hop's chain has no layer to the origin flagged "
                "STRATA_LAYER_FLAG_SECURE (a TLS plugin built before ABI 1.1, or a pipeline without TLS)";
  }
  auto check = [&](const SecureFacts& secure, bool to_proxy) {
    if (v.denied) return;
    HandshakeFacts hs;
    hs.hop = t->hop_;
    hs.url = url;
    hs.host = secure.host;
    hs.port = secure.port;
    hs.to_proxy = to_proxy;
    hs.tls_version = secure.tls_version;
    hs.alpn = secure.alpn;
    hs.resumed = secure.resumed;
    hs.chain = secure.chain;
    v = policies_->CheckHandshake(hs, log);
  };
  for (const SecureFacts& secure : proxy_layers) check(secure, true);
  for (const SecureFacts& secure : layers) check(secure, IsProxyLabel(secure.label));
  return v;
}
}  // namespace strata
