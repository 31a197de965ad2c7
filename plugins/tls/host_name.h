// host_name.h — how the URL's host becomes the SNI and verification name.
//
// RFC 6066 §3: SNI carries DNS names only (no IP literals) and no trailing
// dot. RFC 9110 §4.3.4/§4.3.5: a DNS name is checked against the
// certificate's DNS subjectAltNames, an IP literal against its iPAddress
// entries only (a "DNS:127.0.0.1" entry must not vouch for 127.0.0.1).
#ifndef STRATA_PLUGINS_TLS_HOST_NAME_H_
#define STRATA_PLUGINS_TLS_HOST_NAME_H_

#include <string>

#include "absl/strings/string_view.h"

namespace strata::tls {

struct PeerName {
  std::string name;         // lower case, no brackets, no trailing dot
  bool ip_literal = false;  // IPv4 or IPv6 address: no SNI, iPAddress SAN
};

// PeerNameFor normalizes |host| (a URL host or the server_name option).
PeerName PeerNameFor(absl::string_view host);

}  // namespace strata::tls

#endif  // STRATA_PLUGINS_TLS_HOST_NAME_H_
