#include "plugins/h3/quic/key_schedule.h"

#include <openssl/aes.h>
#include <openssl/chacha.h>
#include <openssl/hkdf.h>

#include <algorithm>
#include <cstring>
#include <vector>

namespace strata::h3::quic {
namespace {

// RFC 9001 §5.2: the QUIC v1 Initial salt.
constexpr uint8_t kInitialSaltV1[] = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                      0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};

}  // namespace

bool ExpandLabel(const EVP_MD* md, const uint8_t* secret, size_t secret_len, const char* label, uint8_t* out,
                 size_t out_len) {
  static constexpr char kPrefix[] = "tls13 ";
  const size_t label_len = std::strlen(label);
  std::vector<uint8_t> info;
  info.push_back(static_cast<uint8_t>(out_len >> 8));
  info.push_back(static_cast<uint8_t>(out_len));
  info.push_back(static_cast<uint8_t>(sizeof(kPrefix) - 1 + label_len));
  info.insert(info.end(), kPrefix, kPrefix + sizeof(kPrefix) - 1);
  info.insert(info.end(), label, label + label_len);
  info.push_back(0);  // empty context
  return HKDF_expand(out, out_len, md, secret, secret_len, info.data(), info.size()) == 1;
}

bool InitialSecrets(const uint8_t* dcid, size_t dcid_len, uint8_t client[32], uint8_t server[32]) {
  uint8_t initial[32];
  size_t initial_len = 0;
  return HKDF_extract(initial, &initial_len, EVP_sha256(), dcid, dcid_len, kInitialSaltV1,
                      sizeof(kInitialSaltV1)) == 1 &&
         ExpandLabel(EVP_sha256(), initial, initial_len, "client in", client, 32) &&
         ExpandLabel(EVP_sha256(), initial, initial_len, "server in", server, 32);
}

bool DerivePacketKeys(const EVP_MD* md, const EVP_AEAD* aead, size_t hp_len, const uint8_t* secret,
                      size_t secret_len, PacketKeyMaterial* out) {
  out->key_len = EVP_AEAD_key_length(aead);
  out->iv_len = std::max<size_t>(8, EVP_AEAD_nonce_length(aead));
  out->hp_len = hp_len;
  if (out->key_len > sizeof(out->key) || out->iv_len > sizeof(out->iv) || hp_len > sizeof(out->hp)) return false;
  return ExpandLabel(md, secret, secret_len, "quic key", out->key, out->key_len) &&
         ExpandLabel(md, secret, secret_len, "quic iv", out->iv, out->iv_len) &&
         ExpandLabel(md, secret, secret_len, "quic hp", out->hp, hp_len);
}

bool NextSecret(const EVP_MD* md, const uint8_t* secret, size_t secret_len, uint8_t* out) {
  return ExpandLabel(md, secret, secret_len, "quic ku", out, secret_len);
}

void HeaderProtectionMask(HeaderProtection kind, const uint8_t* key, const uint8_t sample[16], uint8_t mask[5]) {
  if (kind == HeaderProtection::kChaCha20) {
    // Counter: the sample's first 4 bytes, little-endian; nonce: the rest.
    static constexpr uint8_t kZeros[5] = {0, 0, 0, 0, 0};
    const uint32_t counter = static_cast<uint32_t>(sample[0]) | static_cast<uint32_t>(sample[1]) << 8 |
                             static_cast<uint32_t>(sample[2]) << 16 | static_cast<uint32_t>(sample[3]) << 24;
    CRYPTO_chacha_20(mask, kZeros, sizeof(kZeros), key, sample + 4, counter);
    return;
  }
  AES_KEY aes;
  AES_set_encrypt_key(key, kind == HeaderProtection::kAes128 ? 128 : 256, &aes);
  uint8_t block[16];
  AES_encrypt(sample, block, &aes);
  std::memcpy(mask, block, 5);
}

}  // namespace strata::h3::quic
