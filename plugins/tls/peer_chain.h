// peer_chain.h — the peer's certificate chain as STRATA_QUERY_TLS_PEER_CHAIN
// answers it, shared by the tls layer and the h3 layer (whose QUIC
// handshake is TLS too).
#ifndef STRATA_PLUGINS_TLS_PEER_CHAIN_H_
#define STRATA_PLUGINS_TLS_PEER_CHAIN_H_

#include <openssl/ssl.h>

#include <cstddef>

#include "strata/plugin.h"

namespace strata::tls {

// AnswerPeerChain answers STRATA_QUERY_TLS_PEER_CHAIN for |ssl|: the chain
// the peer sent (a resumed session keeps it), leaf first, each
// certificate's DER behind a 4-byte big-endian length, into |out| (*len
// bytes); STRATA_E_BUFFER_TOO_SMALL with the size needed in *len.
strata_status AnswerPeerChain(const SSL* ssl, void* out, size_t* len);

}  // namespace strata::tls

#endif  // STRATA_PLUGINS_TLS_PEER_CHAIN_H_
