#include "plugins/tls/peer_chain.h"

namespace strata::tls {

std::string FramedPeerChain(const SSL* ssl) {
  const STACK_OF(CRYPTO_BUFFER)* chain = SSL_get0_peer_certificates(ssl);
  std::string framed;
  for (size_t i = 0; chain && i < sk_CRYPTO_BUFFER_num(chain); ++i) {
    const CRYPTO_BUFFER* cert = sk_CRYPTO_BUFFER_value(chain, i);
    const size_t len = CRYPTO_BUFFER_len(cert);
    const char prefix[4] = {static_cast<char>(len >> 24), static_cast<char>(len >> 16),
                            static_cast<char>(len >> 8), static_cast<char>(len)};
    framed.append(prefix, 4);
    framed.append(reinterpret_cast<const char*>(CRYPTO_BUFFER_data(cert)), len);
  }
  return framed;
}

}  // namespace strata::tls
