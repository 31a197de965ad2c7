#include "runtime/policy/policy_set.h"

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "runtime/status/status_code.h"
#include "strata/strata.h"

namespace strata {
namespace {

// Call is the host side of one check: what the actions table writes to.
struct Call {
  const PolicyType* type;
  PolicyVerdict* verdict;
  const PolicySet::Log* log;
  bool may_amend;
  bool denied = false;
};

bool IsToken(const char* s) {
  if (!s || !*s) return false;
  for (const char* p = s; *p; ++p) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c <= 32 || c >= 127 || std::strchr("\"(),/:;<=>?@[\\]{}", c)) return false;
  }
  return true;
}

bool IsFieldValue(const char* s) {
  if (!s) return false;
  for (const char* p = s; *p; ++p) {
    if (*p == '\r' || *p == '\n') return false;
  }
  return true;
}

Call* Of(void* host_self) { return static_cast<Call*>(host_self); }

// Guarded runs |fn| for a callback a plugin made: no exception may go back
// into the plugin (a C plugin cannot even unwind one). A callback that
// fails (out of memory) denies the hop, so a failure never lets it through.
template <typename Fn>
strata_status Guarded(Call* c, Fn&& fn) noexcept {
  try {
    return fn();
  } catch (...) {
    c->denied = true;
    c->verdict->denied = true;
    c->verdict->status = STRATA_E_NO_MEMORY;
    try {
      c->verdict->policy = c->type->name;
      c->verdict->message = "the runtime could not record the policy's answer (out of memory)";
    } catch (...) {
    }
    return STRATA_E_NO_MEMORY;
  }
}

void Deny(void* host_self, strata_status status, const char* message) {
  Call* c = Of(host_self);
  Guarded(c, [&] {
    if (c->denied) return STRATA_OK;  // the first reason stands
    c->denied = true;
    c->verdict->denied = true;
    c->verdict->status = status < 0 ? status : STRATA_E_POLICY_DENIED;
    c->verdict->policy = c->type->name;
    c->verdict->message = message && *message ? message : "denied";
    return STRATA_OK;
  });
}

void LogLine(void* host_self, int32_t level, const char* message) {
  Call* c = Of(host_self);
  Guarded(c, [&] {
    if (message && *c->log) (*c->log)(c->type->name, level, message);
    return STRATA_OK;
  });
}

strata_status AddHeader(void* host_self, const char* name, const char* value) {
  Call* c = Of(host_self);
  if (!c->may_amend) return STRATA_E_STATE;
  if (!IsToken(name) || !IsFieldValue(value)) return STRATA_E_INVALID_ARGUMENT;
  return Guarded(c, [&] {
    c->verdict->add_headers.emplace_back(name, value);
    return STRATA_OK;
  });
}

strata_status RemoveHeader(void* host_self, const char* name) {
  Call* c = Of(host_self);
  if (!c->may_amend) return STRATA_E_STATE;
  if (!IsToken(name)) return STRATA_E_INVALID_ARGUMENT;
  return Guarded(c, [&] {
    c->verdict->remove_headers.emplace_back(name);
    return STRATA_OK;
  });
}

strata_status UsePipeline(void* host_self, const char* name) {
  Call* c = Of(host_self);
  if (!c->may_amend) return STRATA_E_STATE;
  if (!name || !*name) return STRATA_E_INVALID_ARGUMENT;
  return Guarded(c, [&] {
    c->verdict->pipeline = name;
    return STRATA_OK;
  });
}

strata_status SetLayerOption(void* host_self, const char* layer, const char* key, const char* json_value) {
  Call* c = Of(host_self);
  if (!c->may_amend) return STRATA_E_STATE;
  if (!layer || !*layer || !key || !*key || !json_value) return STRATA_E_INVALID_ARGUMENT;
  return Guarded(c, [&] {
    nlohmann::json value = nlohmann::json::parse(json_value, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return STRATA_E_INVALID_ARGUMENT;
    c->verdict->layer_options[layer][key] = std::move(value);
    return STRATA_OK;
  });
}

strata_status StripCredentials(void* host_self) {
  Call* c = Of(host_self);
  if (!c->may_amend) return STRATA_E_STATE;
  c->verdict->strip_credentials = true;
  return STRATA_OK;
}

strata_policy_actions ActionsFor(Call* call) {
  strata_policy_actions a{};
  a.struct_size = sizeof(a);
  a.host_self = call;
  a.deny = &Deny;
  a.log = &LogLine;
  a.add_header = &AddHeader;
  a.remove_header = &RemoveHeader;
  a.use_pipeline = &UsePipeline;
  a.set_layer_option = &SetLayerOption;
  a.strip_credentials = &StripCredentials;
  return a;
}

// AfterCheck turns a negative return without a deny into one, so a
// failing policy never lets a hop through.
void AfterCheck(Call* call, strata_status st, const char* what) {
  if (st < 0 && !call->denied) {
    Deny(call, st, absl::StrCat("the policy's ", what, " failed (", strata_status_name(st), ")").c_str());
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<PolicySet>> PolicySet::Create(const Config& config, const PluginRegistry& registry) {
  std::unique_ptr<PolicySet> set(new PolicySet());
  for (const PolicySpec& spec : config.policies) {
    const PolicyType* type = registry.FindPolicy(spec.policy);
    if (!type) {
      return WithCode(absl::NotFoundError(absl::StrCat(
                          "configuration ", spec.json_path, ": no loaded plugin provides policy '", spec.policy,
                          "' (plugin '", spec.plugin, "' was loaded; is it a policy plugin built for ABI 1.1?)")),
                      STRATA_E_CONFIG);
    }
    char error[512] = {0};
    void* self = nullptr;
    std::string options = spec.options.dump();
    strata_status st = type->vtable->create(options.c_str(), &self, error, sizeof(error));
    error[sizeof(error) - 1] = '\0';
    if (st != STRATA_OK || !self) {
      return WithCode(absl::InvalidArgumentError(absl::StrCat(
                          "configuration ", spec.json_path, "/options: policy '", spec.policy,
                          "' refused its options: ", error[0] ? error : strata_status_name(st))),
                      STRATA_E_CONFIG);
    }
    set->instances_.push_back({type, self});
    if (type->vtable->check_handshake) set->checks_handshakes_ = true;
  }
  return set;
}

PolicySet::~PolicySet() {
  for (Instance& i : instances_) i.type->vtable->destroy(i.self);
}

PolicyVerdict PolicySet::CheckHop(const HopFacts& hop, const Log& log) const {
  PolicyVerdict verdict;
  std::string pipeline = hop.pipeline.dump();
  std::string proxies = hop.proxies.dump();
  std::string tls = hop.tls.dump();
  std::vector<strata_header> headers;
  if (hop.headers) {
    for (const Header& h : *hop.headers) headers.push_back({h.name.data(), h.name.size(), h.value.data(), h.value.size()});
  }
  strata_policy_hop view{};
  view.struct_size = sizeof(view);
  view.hop = hop.hop;
  view.method = hop.method.c_str();
  view.url = hop.url.c_str();
  view.previous_url = hop.previous_url ? hop.previous_url->c_str() : nullptr;
  view.previous_status = hop.previous_status;
  view.pipeline_name = hop.pipeline_name.c_str();
  view.pipeline_json = pipeline.c_str();
  view.proxies_json = proxies.c_str();
  view.tls_json = tls.c_str();
  view.headers = headers.data();
  view.header_count = headers.size();
  for (const Instance& i : instances_) {
    if (!i.type->vtable->check_hop) continue;
    Call call{i.type, &verdict, &log, /*may_amend=*/true};
    strata_policy_actions actions = ActionsFor(&call);
    AfterCheck(&call, i.type->vtable->check_hop(i.self, &view, &actions), "check_hop");
    if (verdict.denied) break;
  }
  return verdict;
}

PolicyVerdict PolicySet::CheckHandshake(const HandshakeFacts& hs, const Log& log) const {
  PolicyVerdict verdict;
  std::vector<const uint8_t*> certs;
  std::vector<size_t> lens;
  for (const std::string& der : hs.chain) {
    certs.push_back(reinterpret_cast<const uint8_t*>(der.data()));
    lens.push_back(der.size());
  }
  strata_policy_handshake view{};
  view.struct_size = sizeof(view);
  view.hop = hs.hop;
  view.url = hs.url.c_str();
  view.host = hs.host.c_str();
  view.port = hs.port;
  view.to_proxy = hs.to_proxy ? 1 : 0;
  view.tls_version = hs.tls_version.c_str();
  view.alpn = hs.alpn.c_str();
  view.resumed = hs.resumed ? 1 : 0;
  view.certs = certs.data();
  view.cert_lens = lens.data();
  view.cert_count = certs.size();
  for (const Instance& i : instances_) {
    if (!i.type->vtable->check_handshake) continue;
    Call call{i.type, &verdict, &log, /*may_amend=*/false};
    strata_policy_actions actions = ActionsFor(&call);
    AfterCheck(&call, i.type->vtable->check_handshake(i.self, &view, &actions), "check_handshake");
    if (verdict.denied) break;
  }
  return verdict;
}

}  // namespace strata
