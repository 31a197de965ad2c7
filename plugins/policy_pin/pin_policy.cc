#include "plugins/policy_pin/pin_policy.h"

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "plugins/policy_pin/spki.h"
#include "plugins/tls/host_name.h"

namespace strata::policy_pin {
namespace {

[[noreturn]] void Refuse(const std::string& message) { throw sdk::Error(STRATA_E_CONFIG, message); }

// HostKey spells a host the way the tls layer verifies it (its own
// PeerNameFor), so no spelling of a host ("Example.COM.", "127.1") escapes
// its pins.
std::string HostKey(absl::string_view host) { return tls::PeerNameFor(host).name; }

// AddPins reads one curl-style value: "sha256//A;sha256//B", or a file.
// An entry that cannot be used refuses the options, or with |errors| (curl's
// way, defer_errors) is noted there and skipped: curl compares each entry
// on its own, so one bad entry does not spoil the good ones.
void AddPins(const std::string& host, const std::string& value, std::vector<std::string>* out,
             std::vector<std::string>* errors) {
  auto use = [&](absl::StatusOr<std::string> digest) {
    if (digest.ok()) {
      out->push_back(*std::move(digest));
    } else if (errors) {
      errors->push_back(std::string(digest.status().message()));
    } else {
      Refuse(absl::StrCat("pins for '", host, "': ", digest.status().message()));
    }
  };
  if (absl::StartsWith(value, "sha256//")) {
    for (absl::string_view pin : absl::StrSplit(value, ';', absl::SkipWhitespace())) {
      use(ParsePinText(absl::StripAsciiWhitespace(pin)));
    }
    return;
  }
  use(SpkiDigestOfKeyFile(value));
}

}  // namespace

PinPolicy::PinPolicy(const std::string& options_json) {
  nlohmann::json o = nlohmann::json::parse(options_json, nullptr, /*allow_exceptions=*/false);
  if (!o.is_object()) Refuse("options must be a JSON object");
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it.key() != "pins" && it.key() != "proxy" && it.key() != "defer_errors") {
      Refuse(absl::StrCat("unknown option '", it.key(), "' (expected \"pins\", \"proxy\", \"defer_errors\")"));
    }
  }
  bool defer = false;
  if (o.contains("defer_errors")) {
    if (!o["defer_errors"].is_boolean()) Refuse("\"defer_errors\" must be true or false");
    defer = o["defer_errors"].get<bool>();
  }
  if (o.contains("proxy")) {
    if (!o["proxy"].is_boolean()) Refuse("\"proxy\" must be true or false");
    check_proxy_ = o["proxy"].get<bool>();
  }
  if (!o.contains("pins") || !o["pins"].is_object() || o["pins"].empty()) {
    Refuse("\"pins\" must be an object of host → \"sha256//BASE64[;...]\" (or a key file, or an array of them)");
  }
  for (auto it = o["pins"].begin(); it != o["pins"].end(); ++it) {
    const std::string host = it.key() == "*" ? "*" : HostKey(it.key());
    std::vector<std::string>& digests = pins_[host];
    std::vector<std::string> errors;
    std::vector<std::string>* deferred = defer ? &errors : nullptr;
    if (it.value().is_string()) {
      AddPins(it.key(), it.value().get<std::string>(), &digests, deferred);
    } else if (it.value().is_array() && !it.value().empty()) {
      for (const nlohmann::json& v : it.value()) {
        if (!v.is_string()) Refuse(absl::StrCat("pins for '", it.key(), "' must be strings"));
        AddPins(it.key(), v.get<std::string>(), &digests, deferred);
      }
    } else {
      Refuse(absl::StrCat("pins for '", it.key(), "' must be a string or a non-empty array of strings"));
    }
    if (!errors.empty()) broken_[host] = absl::StrJoin(errors, "; ");
  }
}

void PinPolicy::CheckHandshake(const strata_policy_handshake& hs, sdk::Actions& actions) {
  if (hs.to_proxy && !check_proxy_) return;
  std::string host = HostKey(hs.host ? hs.host : "");
  auto it = pins_.find(host);
  if (it == pins_.end()) it = pins_.find("*");
  if (it == pins_.end()) return;
  auto broken = broken_.find(it->first);
  if (it->second.empty() && broken != broken_.end()) {
    actions.Deny(absl::StrCat("SSL: public key does not match pinned public key: ", broken->second),
                 STRATA_E_TLS_PINNED_KEY);
    return;
  }
  std::vector<std::string> pinned;
  for (const std::string& d : it->second) pinned.push_back(PinText(d));
  if (hs.cert_count == 0) {
    actions.Deny(absl::StrCat("SSL: public key does not match pinned public key: ", host,
                              " presented no certificate (pinned: ", absl::StrJoin(pinned, ";"), ")"),
                 STRATA_E_TLS_PINNED_KEY);
    return;
  }
  absl::StatusOr<std::string> digest =
      SpkiDigestOfCertificate(absl::string_view(reinterpret_cast<const char*>(hs.certs[0]), hs.cert_lens[0]));
  if (!digest.ok()) {
    actions.Deny(absl::StrCat("SSL: public key does not match pinned public key: ", digest.status().message()),
                 STRATA_E_TLS_PINNED_KEY);
    return;
  }
  for (const std::string& d : it->second) {
    if (d == *digest) {
      actions.Log(absl::StrCat("public key of ", host, " matches pin ", PinText(d)));
      return;
    }
  }
  actions.Deny(absl::StrCat("SSL: public key does not match pinned public key: ", host, " presented ",
                            PinText(*digest), ", pinned: ", absl::StrJoin(pinned, ";"),
                            broken != broken_.end() ? absl::StrCat(" (unusable: ", broken->second, ")") : ""),
               STRATA_E_TLS_PINNED_KEY);
}

}  // namespace strata::policy_pin
