// host_name.h — how the URL's host becomes the SNI and verification name.
//
// RFC 6066 §3: SNI carries DNS names only (no IP literals) and no trailing
// dot. RFC 9110 §4.3.4/§4.3.5: a DNS name is checked against the
// certificate's DNS subjectAltNames, an IP literal against its iPAddress
// entries only (a "DNS:127.0.0.1" entry must not vouch for 127.0.0.1).
//
// "IP literal" means what the tcp layer connects to as an address without
// resolving: anything getaddrinfo(AI_NUMERICHOST) accepts, which in glibc
// includes the inet_aton spellings "127.1", "2130706433", "0x7f.0.0.1" and
// "0177.0.0.1". Such a host is verified as its canonical address
// ("127.0.0.1"), never as a DNS name, so the two layers cannot disagree on
// what the host is (HOSTILE A.3). An address with a trailing dot
// ("127.0.0.1.") is resolved as a name by the tcp layer, but is still
// verified as the address it spells: a DNS SAN never vouches for it.
#ifndef STRATA_PLUGINS_TLS_HOST_NAME_H_
#define STRATA_PLUGINS_TLS_HOST_NAME_H_

#include <string>

#include "absl/strings/string_view.h"

namespace strata::tls {

struct PeerName {
  std::string name;         // lower case, no brackets, no trailing dot;
                            // an address in canonical form (inet_ntop)
  bool ip_literal = false;  // IPv4 or IPv6 address: no SNI, iPAddress SAN
};

// PeerNameFor normalizes |host| (a URL host or the server_name option):
// brackets and every trailing dot removed, lower-cased, and an address in
// any spelling the tcp layer accepts turned into its canonical text.
PeerName PeerNameFor(absl::string_view host);

}  // namespace strata::tls

#endif  // STRATA_PLUGINS_TLS_HOST_NAME_H_
