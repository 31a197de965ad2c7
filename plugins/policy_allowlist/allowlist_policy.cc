#include "plugins/policy_allowlist/allowlist_policy.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace strata::policy_allowlist {
namespace {

[[noreturn]] void Refuse(const std::string& message) { throw sdk::Error(STRATA_E_CONFIG, message); }

std::vector<std::string> Strings(const nlohmann::json& o, const char* key) {
  std::vector<std::string> out;
  if (!o.contains(key)) return out;
  const nlohmann::json& list = o[key];
  if (!list.is_array()) Refuse(absl::StrCat("\"", key, "\" must be an array of strings"));
  for (const nlohmann::json& v : list) {
    if (!v.is_string() || v.get<std::string>().empty()) Refuse(absl::StrCat("\"", key, "\" must hold non-empty strings"));
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

AllowlistPolicy::AllowlistPolicy(const std::string& options_json) {
  nlohmann::json o = nlohmann::json::parse(options_json, nullptr, /*allow_exceptions=*/false);
  if (!o.is_object()) Refuse("options must be a JSON object");
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (it.key() != "origins" && it.key() != "schemes" && it.key() != "min_tls_cross_origin") {
      Refuse(absl::StrCat("unknown option '", it.key(),
                          "' (expected \"origins\", \"schemes\", \"min_tls_cross_origin\")"));
    }
  }
  for (const std::string& text : Strings(o, "origins")) {
    std::optional<Origin> origin = ParseOrigin(text);
    if (!origin) Refuse(absl::StrCat("\"origins\": '", text, "' is not an http(s) origin such as https://example.com"));
    origins_.push_back(*origin);
  }
  for (std::string s : Strings(o, "schemes")) schemes_.push_back(absl::AsciiStrToLower(s));
  if (o.contains("min_tls_cross_origin")) {
    const nlohmann::json& v = o["min_tls_cross_origin"];
    if (!v.is_string() || (v.get<std::string>() != "1.2" && v.get<std::string>() != "1.3")) {
      Refuse("\"min_tls_cross_origin\" must be \"1.2\" or \"1.3\"");
    }
    min_tls_cross_origin_ = v.get<std::string>();
  }
  if (origins_.empty() && schemes_.empty() && min_tls_cross_origin_.empty()) {
    Refuse("nothing to check: give \"origins\", \"schemes\" or \"min_tls_cross_origin\"");
  }
}

bool AllowlistPolicy::Allowed(const Origin& o) const {
  for (const Origin& allowed : origins_) {
    if (allowed.scheme != o.scheme || allowed.port != o.port) continue;
    if (allowed.host == o.host) return true;
    if (absl::StartsWith(allowed.host, "*.") && absl::EndsWith(o.host, allowed.host.substr(1))) return true;
  }
  return false;
}

void AllowlistPolicy::CheckHop(const strata_policy_hop& hop, sdk::Actions& actions) {
  std::optional<Origin> origin = ParseOrigin(hop.url ? hop.url : "");
  if (!origin) {
    actions.Deny(absl::StrCat("cannot tell the origin of ", hop.url ? hop.url : "(no URL)"));
    return;
  }
  if (!schemes_.empty() && std::find(schemes_.begin(), schemes_.end(), origin->scheme) == schemes_.end()) {
    actions.Deny(absl::StrCat("scheme '", origin->scheme, "' is not allowed (allowed: ", absl::StrJoin(schemes_, ", "),
                              ")"));
    return;
  }
  if (!origins_.empty() && !Allowed(*origin)) {
    std::vector<std::string> listed;
    for (const Origin& o : origins_) listed.push_back(o.ToString());
    actions.Deny(absl::StrCat("origin ", origin->ToString(), " is not in the allowlist (", absl::StrJoin(listed, ", "),
                              ")", hop.previous_url ? absl::StrCat("; redirected from ", hop.previous_url) : ""));
    return;
  }
  if (!min_tls_cross_origin_.empty() && hop.previous_url && origin->scheme == "https") {
    std::optional<Origin> previous = ParseOrigin(hop.previous_url);
    // Never lower a stricter minimum the configuration or request set.
    nlohmann::json tls = nlohmann::json::parse(hop.tls_json ? hop.tls_json : "null", nullptr, false);
    const std::string current =
        tls.is_object() && tls.contains("min_version") && tls["min_version"].is_string() ? tls["min_version"].get<std::string>() : "";
    if ((!previous || !(*previous == *origin)) && current < min_tls_cross_origin_) {
      strata_status st = actions.SetLayerOption("tls", "min_version", absl::StrCat("\"", min_tls_cross_origin_, "\""));
      if (st != STRATA_OK) {
        actions.Deny(absl::StrCat("cannot require TLS ", min_tls_cross_origin_, " for the cross-origin hop"));
        return;
      }
      actions.Log(absl::StrCat("cross-origin hop to ", origin->ToString(), ": TLS ", min_tls_cross_origin_,
                               " or newer required"));
    }
  }
}

}  // namespace strata::policy_allowlist
