#include "plugins/tls/tls_options.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"

namespace strata::tls {
namespace {

absl::Status Expected(const char* key, absl::string_view what, const std::string& found) {
  return absl::InvalidArgumentError(
      absl::StrCat("option '", key, "' must be ", what, ", found ", found));
}

absl::StatusOr<bool> ParseBool(const char* key, const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return Expected(key, "true or false", text);
}

absl::StatusOr<uint64_t> ParseMilliseconds(const char* key, const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer() && value.get<int64_t>() >= 0) {
    return static_cast<uint64_t>(value.get<int64_t>());
  }
  return Expected(key, "a whole number of milliseconds >= 0", text);
}

// ParseList accepts a JSON array of non-empty strings, or (because
// option_get hands strings over unquoted) a "a:b:c" text.
absl::StatusOr<std::vector<std::string>> ParseList(const char* key, const std::string& text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const nlohmann::json& item : value) {
      if (!item.is_string() || item.get<std::string>().empty()) {
        return Expected(key, "an array of non-empty strings", text);
      }
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  if (value.is_discarded() && !text.empty() && text.front() != '[') {
    for (absl::string_view part : absl::StrSplit(text, ':', absl::SkipEmpty())) {
      out.emplace_back(part);
    }
    if (!out.empty()) return out;
  }
  return Expected(key, "an array of strings", text);
}

absl::StatusOr<TlsVersion> ParseVersion(const char* key, const std::string& text) {
  if (text == "1.2" || text == "TLSv1.2") return TlsVersion::k1_2;
  if (text == "1.3" || text == "TLSv1.3") return TlsVersion::k1_3;
  return Expected(key, "\"1.2\" or \"1.3\"", absl::StrCat("\"", text, "\""));
}

}  // namespace

absl::StatusOr<TlsOptions> ParseTlsOptions(const OptionLookup& lookup) {
  TlsOptions o;
  if (std::optional<std::string> t = lookup("verify")) {
    absl::StatusOr<bool> v = ParseBool("verify", *t);
    if (!v.ok()) return v.status();
    o.verify = *v;
  }
  if (std::optional<std::string> t = lookup("ca_file")) o.ca_file = *t;
  if (std::optional<std::string> t = lookup("ca_path")) o.ca_path = *t;
  if (o.ca_file.empty() && o.ca_path.empty()) o.ca_file = kSystemCaBundle;
  if (std::optional<std::string> t = lookup("alpn")) {
    nlohmann::json value = nlohmann::json::parse(*t, nullptr, /*allow_exceptions=*/false);
    // An empty array is allowed: it offers no ALPN at all.
    if (value.is_array() && value.empty()) {
      o.alpn.clear();
    } else {
      absl::StatusOr<std::vector<std::string>> list = ParseList("alpn", *t);
      if (!list.ok()) return list.status();
      o.alpn = *std::move(list);
    }
    for (const std::string& p : o.alpn) {
      if (p.size() > 255) return Expected("alpn", "protocol names of at most 255 bytes", p);
    }
  }
  if (std::optional<std::string> t = lookup("server_name")) {
    if (t->empty()) return Expected("server_name", "a non-empty host name", "\"\"");
    o.server_name = *t;
  }
  if (std::optional<std::string> t = lookup("cert")) o.cert = *t;
  if (std::optional<std::string> t = lookup("key")) o.key = *t;
  if (!o.key.empty() && o.cert.empty()) {
    return absl::InvalidArgumentError("option 'key' is set but 'cert' is not: give both or neither");
  }
  if (std::optional<std::string> t = lookup("min_version")) {
    absl::StatusOr<TlsVersion> v = ParseVersion("min_version", *t);
    if (!v.ok()) return v.status();
    o.min_version = *v;
  }
  if (std::optional<std::string> t = lookup("max_version")) {
    absl::StatusOr<TlsVersion> v = ParseVersion("max_version", *t);
    if (!v.ok()) return v.status();
    o.max_version = *v;
  }
  if (o.min_version > o.max_version) {
    return absl::InvalidArgumentError(absl::StrCat(
        "option 'min_version' (", VersionName(o.min_version), ") is above 'max_version' (",
        VersionName(o.max_version), "): no TLS version is left to offer"));
  }
  if (std::optional<std::string> t = lookup("ciphers")) {
    absl::StatusOr<std::vector<std::string>> list = ParseList("ciphers", *t);
    if (!list.ok()) return list.status();
    o.ciphers = *std::move(list);
  }
  if (std::optional<std::string> t = lookup("curves")) {
    absl::StatusOr<std::vector<std::string>> list = ParseList("curves", *t);
    if (!list.ok()) return list.status();
    o.curves = *std::move(list);
  }
  if (std::optional<std::string> t = lookup("handshake_timeout_ms")) {
    absl::StatusOr<uint64_t> ms = ParseMilliseconds("handshake_timeout_ms", *t);
    if (!ms.ok()) return ms.status();
    o.handshake_timeout_ms = *ms;
  }
  if (std::optional<std::string> t = lookup("session_cache")) {
    absl::StatusOr<bool> v = ParseBool("session_cache", *t);
    if (!v.ok()) return v.status();
    o.session_cache = *v;
  }
  return o;
}

const char* VersionName(TlsVersion version) {
  return version == TlsVersion::k1_2 ? "1.2" : "1.3";
}

std::string EncodeAlpn(const std::vector<std::string>& protocols) {
  std::string wire;
  for (const std::string& p : protocols) {
    wire.push_back(static_cast<char>(p.size()));
    wire += p;
  }
  return wire;
}

std::string SettingsFingerprint(const TlsOptions& o) {
  // JSON keeps the fields apart whatever bytes the values contain.
  nlohmann::json f = {
      {"verify", o.verify},           {"ca_file", o.ca_file},
      {"ca_path", o.ca_path},         {"alpn", o.alpn},
      {"cert", o.cert},               {"key", o.key},
      {"min", VersionName(o.min_version)}, {"max", VersionName(o.max_version)},
      {"ciphers", o.ciphers},         {"curves", o.curves},
  };
  return f.dump();
}

}  // namespace strata::tls
