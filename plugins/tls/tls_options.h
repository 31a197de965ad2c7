// tls_options.h — the tls layer's pipeline options, parsed and validated.
//
//   verify                 true  verify the chain and the host name; false is
//                                an explicit opt-out (logged as a warning)
//   ca_file     system bundle*  PEM file of trusted CAs
//   ca_path                  ""  directory of hashed CA certificates
//   alpn         ["http/1.1"]   protocols offered, in preference order
//   server_name      config host  SNI and verification name (TLS inside TLS:
//                                the outer layer names the proxy here)
//   cert / key               ""  client certificate chain and key (PEM)
//   min_version / max_version "1.2" / "1.3"
//   ciphers                  []  TLS 1.2 cipher list (BoringSSL names);
//                                TLS 1.3 suites are not configurable
//   curves                   []  key-exchange groups, e.g. ["X25519", "P-256"]
//   handshake_timeout_ms  10000  0 = none
//   session_cache          true  resume sessions from the process-wide cache
// * /etc/ssl/certs/ca-certificates.crt when neither ca_file nor ca_path is set.
//
// List options take a JSON array of strings; "a:b" text is accepted too, as
// OpenSSL-style configurations spell it.
#ifndef STRATA_PLUGINS_TLS_TLS_OPTIONS_H_
#define STRATA_PLUGINS_TLS_TLS_OPTIONS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace strata::tls {

inline constexpr char kSystemCaBundle[] = "/etc/ssl/certs/ca-certificates.crt";

enum class TlsVersion { k1_2, k1_3 };

struct TlsOptions {
  bool verify = true;
  std::string ca_file;  // empty with ca_path empty: kSystemCaBundle
  std::string ca_path;
  std::vector<std::string> alpn = {"http/1.1"};
  std::optional<std::string> server_name;
  std::string cert;
  std::string key;
  TlsVersion min_version = TlsVersion::k1_2;
  TlsVersion max_version = TlsVersion::k1_3;
  std::vector<std::string> ciphers;
  std::vector<std::string> curves;
  uint64_t handshake_timeout_ms = 10000;
  bool session_cache = true;
};

// OptionLookup returns an option's text (strings without quotes, other
// values as JSON text), or nullopt when the option is absent.
using OptionLookup = std::function<std::optional<std::string>(const char* key)>;

// ParseTlsOptions reads every option through |lookup|. InvalidArgument names
// the option, what was expected and what was found.
absl::StatusOr<TlsOptions> ParseTlsOptions(const OptionLookup& lookup);

// VersionName is the option spelling: "1.2", "1.3".
const char* VersionName(TlsVersion version);

// EncodeAlpn turns a protocol list into the wire format (length-prefixed
// names) that SSL_set_alpn_protos takes. Names are 1..255 bytes (checked by
// ParseTlsOptions).
std::string EncodeAlpn(const std::vector<std::string>& protocols);

// SettingsFingerprint is every setting that changes which sessions may be
// resumed: trust, identity, versions, suites, ALPN. Part of the session
// cache key (see session_cache.h).
std::string SettingsFingerprint(const TlsOptions& options);

}  // namespace strata::tls

#endif  // STRATA_PLUGINS_TLS_TLS_OPTIONS_H_
