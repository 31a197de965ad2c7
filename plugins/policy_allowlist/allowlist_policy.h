// allowlist_policy.h — the policy-allowlist policy: which origins and
// schemes a hop may go to, and how new a TLS version a cross-origin hop
// must use. Checked before the hop connects, so a refused origin never sees
// a connection.
//
// Options (JSON; at least one of the first two):
//   "origins": ["https://api.example.com", "http://127.0.0.1:8080", ...]
//       the origins hops may go to (default ports made explicit); a host
//       "*.example.com" allows its subdomains (not example.com itself).
//   "schemes": ["https"]         the URL schemes hops may use.
//   "min_tls_cross_origin": "1.3"
//       a hop to another origin than the hop before it (a redirect) sets the
//       tls layer's min_version to this ("1.2" or "1.3").
#ifndef STRATA_PLUGINS_POLICY_ALLOWLIST_ALLOWLIST_POLICY_H_
#define STRATA_PLUGINS_POLICY_ALLOWLIST_ALLOWLIST_POLICY_H_

#include <string>
#include <vector>

#include "plugins/policy_allowlist/origin.h"
#include "strata/sdk.hpp"

namespace strata::policy_allowlist {

class AllowlistPolicy : public sdk::Policy {
 public:
  // Throws sdk::Error for malformed options.
  explicit AllowlistPolicy(const std::string& options_json);
  void CheckHop(const strata_policy_hop& hop, sdk::Actions& actions) override;

 private:
  bool Allowed(const Origin& o) const;

  std::vector<Origin> origins_;  // host may start with "*."
  std::vector<std::string> schemes_;
  std::string min_tls_cross_origin_;
};

}  // namespace strata::policy_allowlist

#endif  // STRATA_PLUGINS_POLICY_ALLOWLIST_ALLOWLIST_POLICY_H_
