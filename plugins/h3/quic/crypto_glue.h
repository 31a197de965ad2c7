// crypto_glue.h — QUIC packet protection and the TLS handshake for ngtcp2
// 0.12, on BoringSSL's QUIC API. Debian ships ngtcp2's crypto helper only
// for GnuTLS, so this file does what ngtcp2_crypto_boringssl would:
//   - Initial keys from the client's first Destination Connection ID
//     (RFC 9001 §5.2, QUIC v1 salt) and the Retry integrity AEAD;
//   - handshake and 1-RTT keys from the secrets BoringSSL hands over
//     (SSL_QUIC_METHOD set_read_secret / set_write_secret), with
//     HKDF-Expand-Label "quic key" / "quic iv" / "quic hp";
//   - AEAD seal/open (EVP_AEAD: AES-128/256-GCM, ChaCha20-Poly1305) and
//     header protection masks (AES-ECB or ChaCha20, RFC 9001 §5.4);
//   - key updates ("quic ku", RFC 9001 §6);
//   - CRYPTO frames in both directions (SSL_provide_quic_data /
//     add_handshake_data).
//   - 0-RTT: the early write key when BoringSSL offers early data (a resumed
//     session, SSL_set_early_data_enabled), and the rejection signal
//     (SSL_ERROR_EARLY_DATA_REJECTED -> ngtcp2_conn_early_data_rejected).
// Only QUIC v1 is offered.
//
// OWNERSHIP: aead/cipher contexts handed to ngtcp2 are heap objects that
// ngtcp2 releases through the delete_crypto_* callbacks set here. The SSL
// is the caller's; its ex-data points at the ngtcp2_conn while both live.
#ifndef STRATA_PLUGINS_H3_QUIC_CRYPTO_GLUE_H_
#define STRATA_PLUGINS_H3_QUIC_CRYPTO_GLUE_H_

#include <ngtcp2/ngtcp2.h>
#include <openssl/ssl.h>

#include <string>

namespace strata::h3::quic {

// TlsState is what the glue learns about the handshake, for error messages.
struct TlsState {
  ngtcp2_conn* conn = nullptr;
  uint8_t alert = 0;           // the TLS alert BoringSSL sent, 0 if none
  bool alert_set = false;
  std::string error;           // BoringSSL's reason for a failed handshake
  long verify_error = 0;       // X509_V_* from the verify callback
  int verify_depth = -1;
  bool early_keys = false;     // the 0-RTT write key is installed
  void* owner = nullptr;       // the layer, for BoringSSL's session callback
};

// SetCryptoCallbacks fills every crypto-related member of |callbacks|
// (client_initial, recv_crypto_data, encrypt, decrypt, hp_mask, recv_retry,
// update_key, delete_crypto_*, rand, get_new_connection_id,
// get_path_challenge_data, version_negotiation).
void SetCryptoCallbacks(ngtcp2_callbacks* callbacks);

// AttachSsl wires |ssl| to |state| (whose conn must be set): the QUIC method,
// the ex-data the callbacks find |state| through, and the local transport
// parameters ngtcp2 encodes. Returns false when BoringSSL refuses.
bool AttachSsl(SSL* ssl, TlsState* state);

// StateOf returns the TlsState attached to |ssl| (nullptr if none).
TlsState* StateOf(const SSL* ssl);

// AlertName is the TLS alert's name ("bad_certificate"), or its number.
std::string AlertName(uint8_t alert);

}  // namespace strata::h3::quic

#endif  // STRATA_PLUGINS_H3_QUIC_CRYPTO_GLUE_H_
