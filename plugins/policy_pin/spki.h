// spki.h — SHA-256 digests of SubjectPublicKeyInfo structures, the value a
// public-key pin names (RFC 7469 §2.4; curl's --pinnedpubkey "sha256//").
#ifndef STRATA_PLUGINS_POLICY_PIN_SPKI_H_
#define STRATA_PLUGINS_POLICY_PIN_SPKI_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace strata::policy_pin {

// SpkiDigestOfCertificate: the SHA-256 of the DER SubjectPublicKeyInfo of
// the X.509 certificate |der| (32 raw bytes).
absl::StatusOr<std::string> SpkiDigestOfCertificate(absl::string_view der);

// SpkiDigestOfKeyFile: the SHA-256 of the public key in the file at |path|,
// PEM ("-----BEGIN PUBLIC KEY-----") or DER SubjectPublicKeyInfo, as curl
// reads a --pinnedpubkey file.
absl::StatusOr<std::string> SpkiDigestOfKeyFile(const std::string& path);

// PinText renders a digest as curl spells a pin: "sha256//" + base64.
std::string PinText(absl::string_view digest);
// ParsePinText reads "sha256//BASE64" into the 32-byte digest.
absl::StatusOr<std::string> ParsePinText(absl::string_view text);

}  // namespace strata::policy_pin

#endif  // STRATA_PLUGINS_POLICY_PIN_SPKI_H_
