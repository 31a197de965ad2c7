// pin_policy.h — the policy-pin policy: after each TLS handshake, the peer's
// public key must match one of the pins configured for its host.
//
// Options (JSON):
//   "pins": {HOST: PINS, ...}   HOST is a host name or address as in the URL,
//                               or "*" for every host without its own entry;
//                               PINS is curl's --pinnedpubkey form, a string
//                               "sha256//B64;sha256//B64" or a key file path,
//                               or an array of such strings.
//   "proxy": false              also check TLS to an https proxy (its host's
//                               pins) when true.
//   "defer_errors": false       when true, pins that cannot be read (a
//                               malformed pin, a missing key file) are
//                               skipped, and a handshake whose host has no
//                               usable pin left is refused, as curl's
//                               --pinnedpubkey does; when false they refuse
//                               the configuration.
// Hosts are compared as the tls layer verifies them: case, trailing dots,
// brackets and IP address spellings do not matter.
// A host without pins is not checked. A mismatch refuses the hop with
// STRATA_E_TLS_PINNED_KEY before any request byte is sent, naming the host,
// the key it presented and the pins.
#ifndef STRATA_PLUGINS_POLICY_PIN_PIN_POLICY_H_
#define STRATA_PLUGINS_POLICY_PIN_PIN_POLICY_H_

#include <map>
#include <string>
#include <vector>

#include "strata/sdk.hpp"

namespace strata::policy_pin {

class PinPolicy : public sdk::Policy {
 public:
  // Throws sdk::Error for malformed options, pins or unreadable key files.
  explicit PinPolicy(const std::string& options_json);
  void CheckHandshake(const strata_policy_handshake& handshake, sdk::Actions& actions) override;

 private:
  std::map<std::string, std::vector<std::string>> pins_;  // lower-case host → digests
  std::map<std::string, std::string> broken_;  // host key → its unusable pins, why (defer_errors)
  bool check_proxy_ = false;
};

}  // namespace strata::policy_pin

#endif  // STRATA_PLUGINS_POLICY_PIN_PIN_POLICY_H_
