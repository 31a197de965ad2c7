#include "plugins/socks/socks_options.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"

namespace strata::socks {
namespace {

// RFC 1929 gives each of UNAME and PASSWD a one-byte length.
constexpr size_t kMaxCredentialBytes = 255;

absl::StatusOr<uint64_t> ParseWholeNumber(const char* key, const std::string& text) {
  uint64_t value = 0;
  bool ok = !text.empty() && text.size() <= 19;
  for (char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      break;
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        "option '", key, "' must be a whole number of milliseconds >= 0, found ", text));
  }
  return value;
}

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

absl::Status CheckCredentials(const Credentials& c, const char* source) {
  if (c.username.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("option '", source, "' gives a password without a user name"));
  }
  if (c.username.size() > kMaxCredentialBytes || c.password.size() > kMaxCredentialBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("option '", source,
                     "': a SOCKS user name and password are at most 255 bytes each (RFC 1929)"));
  }
  if (HasNul(c.username) || HasNul(c.password)) {
    return absl::InvalidArgumentError(
        absl::StrCat("option '", source, "' contains a NUL byte (value not shown)"));
  }
  return absl::OkStatus();
}

// DecodeBasic takes "Basic dXNlcjpwYXNz" apart into user and password.
absl::StatusOr<Credentials> DecodeBasic(const std::string& value) {
  absl::string_view v = value;
  if (!absl::ConsumePrefix(&v, "Basic ") && !absl::ConsumePrefix(&v, "basic ")) {
    return absl::InvalidArgumentError(
        "option 'proxy_authorization' must be \"Basic <base64 of user:password>\" for a SOCKS "
        "proxy (value not shown)");
  }
  std::string decoded;
  if (!absl::Base64Unescape(absl::StripAsciiWhitespace(v), &decoded)) {
    return absl::InvalidArgumentError(
        "option 'proxy_authorization' is not valid base64 (value not shown)");
  }
  size_t colon = decoded.find(':');
  Credentials c;
  c.username = decoded.substr(0, colon);
  if (colon != std::string::npos) c.password = decoded.substr(colon + 1);
  return c;
}

}  // namespace

absl::StatusOr<SocksOptions> ParseSocksOptions(const OptionLookup& lookup) {
  SocksOptions options;
  if (std::optional<std::string> text = lookup("version")) {
    std::string v = absl::AsciiStrToLower(*text);
    if (v == "5") {
      options.version = SocksVersion::k5;
    } else if (v == "4a") {
      options.version = SocksVersion::k4a;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("option 'version' must be 5 or \"4a\", found ", *text));
    }
  }
  std::optional<std::string> resolve = lookup("resolve");
  if (resolve) {
    if (*resolve == "remote") {
      options.resolve = Resolve::kRemote;
    } else if (*resolve == "local") {
      options.resolve = Resolve::kLocal;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "option 'resolve' must be \"remote\" or \"local\", found \"", *resolve, "\""));
    }
  }
  if (std::optional<std::string> family = lookup("family")) {
    if (*family == "any") {
      options.family = Family::kAny;
    } else if (*family == "ipv4") {
      options.family = Family::kIpv4;
    } else if (*family == "ipv6") {
      options.family = Family::kIpv6;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "option 'family' must be \"any\", \"ipv4\" or \"ipv6\", found \"", *family, "\""));
    }
  }
  if (options.version == SocksVersion::k4a && options.resolve == Resolve::kLocal) {
    return absl::InvalidArgumentError(
        "option 'resolve' \"local\" does not apply to SOCKS4a, which always sends the host name "
        "to the proxy; use version 5 for local resolution");
  }
  std::optional<std::string> username = lookup("username");
  std::optional<std::string> password = lookup("password");
  if (username || password) {
    Credentials c{username.value_or(""), password.value_or("")};
    if (absl::Status s = CheckCredentials(c, username ? "username" : "password"); !s.ok()) return s;
    options.credentials = std::move(c);
    options.credentials_source = "username/password";
  } else if (std::optional<std::string> auth = lookup("proxy_authorization");
             auth && !auth->empty()) {
    absl::StatusOr<Credentials> c = DecodeBasic(*auth);
    if (!c.ok()) return c.status();
    if (absl::Status s = CheckCredentials(*c, "proxy_authorization"); !s.ok()) return s;
    options.credentials = *std::move(c);
    options.credentials_source = "proxy_authorization";
  }
  if (std::optional<std::string> text = lookup("connect_timeout_ms")) {
    absl::StatusOr<uint64_t> ms = ParseWholeNumber("connect_timeout_ms", *text);
    if (!ms.ok()) return ms.status();
    options.connect_timeout_ms = *ms;
  }
  return options;
}

const char* KindName(const SocksOptions& options) {
  if (options.version == SocksVersion::k4a) return "socks4a";
  return options.resolve == Resolve::kRemote ? "socks5h" : "socks5";
}

}  // namespace strata::socks
