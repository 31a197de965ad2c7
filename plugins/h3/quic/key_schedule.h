// key_schedule.h — QUIC v1 key derivation and header protection (RFC 9001
// §5) as plain functions over BoringSSL, so they can be checked against the
// RFC's Appendix A vectors without a connection. crypto_glue.cc turns
// their results into the contexts ngtcp2 calls back with.
#ifndef STRATA_PLUGINS_H3_QUIC_KEY_SCHEDULE_H_
#define STRATA_PLUGINS_H3_QUIC_KEY_SCHEDULE_H_

#include <openssl/aead.h>
#include <openssl/digest.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace strata::h3::quic {

// ExpandLabel is TLS 1.3's HKDF-Expand-Label (RFC 8446 §7.1) with an empty
// context: "tls13 " + |label|.
bool ExpandLabel(const EVP_MD* md, const uint8_t* secret, size_t secret_len, const char* label, uint8_t* out,
                 size_t out_len);

// InitialSecrets derives the client's and the server's Initial secrets (32
// bytes each, SHA-256) from the client's first Destination Connection ID
// with the QUIC v1 salt (RFC 9001 §5.2).
bool InitialSecrets(const uint8_t* dcid, size_t dcid_len, uint8_t client[32], uint8_t server[32]);

// PacketKeyMaterial is one direction's keys from a traffic secret.
struct PacketKeyMaterial {
  uint8_t key[32];
  size_t key_len = 0;
  uint8_t iv[12];
  size_t iv_len = 0;
  uint8_t hp[32];
  size_t hp_len = 0;
};

// DerivePacketKeys expands "quic key", "quic iv" and "quic hp" (RFC 9001
// §5.1) for |aead| (its key length) with |md|; the header protection key
// has |hp_len| bytes (16 for AES-128, 32 for AES-256 and ChaCha20).
bool DerivePacketKeys(const EVP_MD* md, const EVP_AEAD* aead, size_t hp_len, const uint8_t* secret,
                      size_t secret_len, PacketKeyMaterial* out);

// NextSecret is the key update's "quic ku" (RFC 9001 §6.1).
bool NextSecret(const EVP_MD* md, const uint8_t* secret, size_t secret_len, uint8_t* out);

enum class HeaderProtection { kAes128, kAes256, kChaCha20 };

// HeaderProtectionMask computes the 5-byte mask from a 16-byte |sample|
// (RFC 9001 §5.4.3 AES-ECB, §5.4.4 ChaCha20) with the raw |key|.
void HeaderProtectionMask(HeaderProtection kind, const uint8_t* key, const uint8_t sample[16], uint8_t mask[5]);

}  // namespace strata::h3::quic

#endif  // STRATA_PLUGINS_H3_QUIC_KEY_SCHEDULE_H_
