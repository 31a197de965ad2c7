#include "plugins/tls/peer_chain.h"

#include <cstring>
#include <string>

namespace strata::tls {

strata_status AnswerPeerChain(const SSL* ssl, void* out, size_t* len) {
  const STACK_OF(CRYPTO_BUFFER)* chain = SSL_get0_peer_certificates(ssl);
  std::string framed;
  for (size_t i = 0; chain && i < sk_CRYPTO_BUFFER_num(chain); ++i) {
    const CRYPTO_BUFFER* cert = sk_CRYPTO_BUFFER_value(chain, i);
    const size_t cert_len = CRYPTO_BUFFER_len(cert);
    const char prefix[4] = {static_cast<char>(cert_len >> 24), static_cast<char>(cert_len >> 16),
                            static_cast<char>(cert_len >> 8), static_cast<char>(cert_len)};
    framed.append(prefix, 4);
    framed.append(reinterpret_cast<const char*>(CRYPTO_BUFFER_data(cert)), cert_len);
  }
  if (!out || *len < framed.size()) {
    *len = framed.size();
    return STRATA_E_BUFFER_TOO_SMALL;
  }
  std::memcpy(out, framed.data(), framed.size());
  *len = framed.size();
  return STRATA_OK;
}

}  // namespace strata::tls
