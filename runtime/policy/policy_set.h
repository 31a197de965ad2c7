// policy_set.h — the configuration's policies (strata/plugin.h, "Policies"),
// made once per runtime and asked about every hop.
//
// A PolicySet owns one instance of each configured policy type, in the
// configuration's order, and destroys them with itself. It knows nothing of
// transfers or connections: the runtime describes a hop (HopFacts) or a
// finished handshake (HandshakeFacts) and applies the verdict it gets back.
#ifndef STRATA_RUNTIME_POLICY_POLICY_SET_H_
#define STRATA_RUNTIME_POLICY_POLICY_SET_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "runtime/config/config.h"
#include "runtime/http/message.h"
#include "runtime/plugin/registry.h"
#include "strata/plugin.h"

namespace strata {

// HopFacts: the planned hop as a policy sees it. Borrowed for the call.
struct HopFacts {
  int32_t hop = 1;
  std::string method;
  std::string url;              // without credentials
  std::optional<std::string> previous_url;
  int32_t previous_status = 0;
  std::string pipeline_name;
  nlohmann::json pipeline;      // [{"layer":..., "options":{...}}], bottom first
  nlohmann::json proxies;       // [{"url":..., "credentials":bool}]
  nlohmann::json tls;           // the origin TLS layer's options, or null
  const Headers* headers = nullptr;
};

// HandshakeFacts: a ready connection's TLS facts for one hop.
struct HandshakeFacts {
  int32_t hop = 1;
  std::string url;
  std::string host;
  uint16_t port = 0;
  bool to_proxy = false;
  std::string tls_version;
  std::string alpn;
  bool resumed = false;
  std::vector<std::string> chain;  // DER, leaf first
};

// PolicyVerdict: what the policies decided. A denial stops at the first
// policy that denies; amendments are those of the policies asked before it.
struct PolicyVerdict {
  bool denied = false;
  strata_status status = STRATA_OK;
  std::string policy;   // the denying policy's name
  std::string message;
  // Amendments (check_hop only), in the order they were asked for.
  std::vector<std::pair<std::string, std::string>> add_headers;
  std::vector<std::string> remove_headers;
  std::optional<std::string> pipeline;
  nlohmann::json layer_options = nlohmann::json::object();  // layer → {key: value}
  bool strip_credentials = false;
  bool amended() const {
    return !add_headers.empty() || !remove_headers.empty() || pipeline || !layer_options.empty() || strip_credentials;
  }
};

class PolicySet {
 public:
  // Log receives a policy's trace lines: (policy name, level, message).
  using Log = std::function<void(const std::string&, int32_t, const std::string&)>;

  // Create makes an instance of each policy |config| lists, found in
  // |registry| (borrowed; it must outlive the set). Errors name the JSON
  // path and the policy's own message.
  static absl::StatusOr<std::unique_ptr<PolicySet>> Create(const Config& config, const PluginRegistry& registry);
  ~PolicySet();
  PolicySet(const PolicySet&) = delete;
  PolicySet& operator=(const PolicySet&) = delete;

  bool empty() const { return instances_.empty(); }
  bool checks_handshakes() const { return checks_handshakes_; }

  PolicyVerdict CheckHop(const HopFacts& hop, const Log& log) const;
  PolicyVerdict CheckHandshake(const HandshakeFacts& handshake, const Log& log) const;

 private:
  struct Instance {
    const PolicyType* type;
    void* self;
  };
  PolicySet() = default;

  std::vector<Instance> instances_;
  bool checks_handshakes_ = false;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_POLICY_POLICY_SET_H_
