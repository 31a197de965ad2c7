#include "plugins/h3/quic/crypto_glue.h"

#include <openssl/aead.h>
#include <openssl/aes.h>
#include <openssl/chacha.h>
#include <openssl/digest.h>
#include <openssl/err.h>
#include <openssl/hkdf.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "plugins/h3/quic/key_schedule.h"

namespace strata::h3::quic {
namespace {

// RFC 9001 §5.8: the Retry integrity key.
constexpr uint8_t kRetryKeyV1[] = {0xbe, 0x0c, 0x69, 0x0b, 0x9f, 0x66, 0x57, 0x5a,
                                   0x1d, 0x76, 0x6b, 0x54, 0xe3, 0x68, 0xc8, 0x4e};

// The header protection cipher: ngtcp2 only passes its native_handle back.
enum class HpKind { kAes128, kAes256, kChaCha20 };
struct HpCipher {
  HpKind kind;
  size_t key_len;
};
constexpr HpCipher kHpAes128{HpKind::kAes128, 16};
constexpr HpCipher kHpAes256{HpKind::kAes256, 32};
constexpr HpCipher kHpChaCha20{HpKind::kChaCha20, 32};

// HpKey is a cipher_ctx native_handle.
struct HpKey {
  HpKind kind;
  AES_KEY aes;
  uint8_t chacha[32];
};

int TlsIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// CryptoCtx fills an ngtcp2_crypto_ctx for a TLS 1.3 suite (IANA id).
bool CryptoCtxFor(uint16_t suite, ngtcp2_crypto_ctx* ctx) {
  std::memset(ctx, 0, sizeof(*ctx));
  const EVP_AEAD* aead = nullptr;
  const EVP_MD* md = nullptr;
  const HpCipher* hp = nullptr;
  switch (suite) {
    case 0x1301:
      aead = EVP_aead_aes_128_gcm();
      md = EVP_sha256();
      hp = &kHpAes128;
      // RFC 9001 §6.6 limits.
      ctx->max_encryption = 1ull << 23;
      ctx->max_decryption_failure = 1ull << 52;
      break;
    case 0x1302:
      aead = EVP_aead_aes_256_gcm();
      md = EVP_sha384();
      hp = &kHpAes256;
      ctx->max_encryption = 1ull << 23;
      ctx->max_decryption_failure = 1ull << 52;
      break;
    case 0x1303:
      aead = EVP_aead_chacha20_poly1305();
      md = EVP_sha256();
      hp = &kHpChaCha20;
      ctx->max_encryption = 1ull << 62;
      ctx->max_decryption_failure = 1ull << 36;
      break;
    default:
      return false;
  }
  ctx->aead.native_handle = const_cast<EVP_AEAD*>(aead);
  ctx->aead.max_overhead = EVP_AEAD_max_overhead(aead);
  ctx->md.native_handle = const_cast<EVP_MD*>(md);
  ctx->hp.native_handle = const_cast<HpCipher*>(hp);
  return true;
}

const EVP_AEAD* AeadOf(const ngtcp2_crypto_aead* aead) {
  return static_cast<const EVP_AEAD*>(aead->native_handle);
}
const EVP_MD* MdOf(const ngtcp2_crypto_md* md) { return static_cast<const EVP_MD*>(md->native_handle); }
const HpCipher* HpOf(const ngtcp2_crypto_cipher* hp) {
  return static_cast<const HpCipher*>(hp->native_handle);
}

bool NewAeadCtx(ngtcp2_crypto_aead_ctx* out, const ngtcp2_crypto_aead* aead, const uint8_t* key) {
  const EVP_AEAD* a = AeadOf(aead);
  EVP_AEAD_CTX* ctx = EVP_AEAD_CTX_new(a, key, EVP_AEAD_key_length(a), EVP_AEAD_DEFAULT_TAG_LENGTH);
  out->native_handle = ctx;
  return ctx != nullptr;
}

bool NewHpCtx(ngtcp2_crypto_cipher_ctx* out, const ngtcp2_crypto_cipher* hp, const uint8_t* key) {
  const HpCipher* c = HpOf(hp);
  auto* k = new HpKey{};
  k->kind = c->kind;
  if (c->kind == HpKind::kChaCha20) {
    std::memcpy(k->chacha, key, 32);
  } else if (AES_set_encrypt_key(key, static_cast<unsigned>(c->key_len * 8), &k->aes) != 0) {
    delete k;
    out->native_handle = nullptr;
    return false;
  }
  out->native_handle = k;
  return true;
}

void FreeAeadCtx(ngtcp2_crypto_aead_ctx* ctx) {
  if (ctx && ctx->native_handle) EVP_AEAD_CTX_free(static_cast<EVP_AEAD_CTX*>(ctx->native_handle));
  if (ctx) ctx->native_handle = nullptr;
}
void FreeHpCtx(ngtcp2_crypto_cipher_ctx* ctx) {
  if (ctx) delete static_cast<HpKey*>(ctx->native_handle);
  if (ctx) ctx->native_handle = nullptr;
}

// PacketKeys are one direction's key material derived from a secret.
struct PacketKeys {
  ngtcp2_crypto_aead_ctx aead_ctx{};
  ngtcp2_crypto_cipher_ctx hp_ctx{};
  uint8_t iv[64];
  size_t iv_len = 0;

  void Release() {
    FreeAeadCtx(&aead_ctx);
    FreeHpCtx(&hp_ctx);
  }
};

// DeriveKeys makes the AEAD and header-protection contexts and the IV from
// a traffic |secret| (RFC 9001 §5.1).
bool DeriveKeys(const ngtcp2_crypto_ctx& ctx, const uint8_t* secret, size_t secret_len, PacketKeys* out) {
  PacketKeyMaterial m;
  if (!DerivePacketKeys(MdOf(&ctx.md), AeadOf(&ctx.aead), HpOf(&ctx.hp)->key_len, secret, secret_len, &m)) {
    return false;
  }
  std::memcpy(out->iv, m.iv, m.iv_len);
  out->iv_len = m.iv_len;
  if (!NewAeadCtx(&out->aead_ctx, &ctx.aead, m.key) || !NewHpCtx(&out->hp_ctx, &ctx.hp, m.hp)) {
    out->Release();
    return false;
  }
  return true;
}

// InstallInitialKeys derives both directions' Initial keys from |dcid|.
int InstallInitialKeys(ngtcp2_conn* conn, const ngtcp2_cid* dcid, bool vneg, uint32_t version) {
  ngtcp2_crypto_ctx ctx;
  CryptoCtxFor(0x1301, &ctx);
  ctx.max_encryption = 0;  // Initial packets are not counted
  ctx.max_decryption_failure = 0;
  ngtcp2_conn_set_initial_crypto_ctx(conn, &ctx);
  uint8_t client[32], server[32];
  if (!InitialSecrets(dcid->data, dcid->datalen, client, server)) return NGTCP2_ERR_CALLBACK_FAILURE;
  PacketKeys rx, tx;
  if (!DeriveKeys(ctx, server, sizeof(server), &rx)) return NGTCP2_ERR_CALLBACK_FAILURE;
  if (!DeriveKeys(ctx, client, sizeof(client), &tx)) {
    rx.Release();
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  int rv = vneg ? ngtcp2_conn_install_vneg_initial_key(conn, version, &rx.aead_ctx, rx.iv, &rx.hp_ctx,
                                                       &tx.aead_ctx, tx.iv, &tx.hp_ctx, rx.iv_len)
                : ngtcp2_conn_install_initial_key(conn, &rx.aead_ctx, rx.iv, &rx.hp_ctx, &tx.aead_ctx,
                                                  tx.iv, &tx.hp_ctx, rx.iv_len);
  if (rv != 0) {
    rx.Release();
    tx.Release();
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

ngtcp2_crypto_level LevelOf(ssl_encryption_level_t level) {
  switch (level) {
    case ssl_encryption_initial:
      return NGTCP2_CRYPTO_LEVEL_INITIAL;
    case ssl_encryption_early_data:
      return NGTCP2_CRYPTO_LEVEL_EARLY;
    case ssl_encryption_handshake:
      return NGTCP2_CRYPTO_LEVEL_HANDSHAKE;
    case ssl_encryption_application:
      break;
  }
  return NGTCP2_CRYPTO_LEVEL_APPLICATION;
}

ssl_encryption_level_t SslLevelOf(ngtcp2_crypto_level level) {
  switch (level) {
    case NGTCP2_CRYPTO_LEVEL_INITIAL:
      return ssl_encryption_initial;
    case NGTCP2_CRYPTO_LEVEL_EARLY:
      return ssl_encryption_early_data;
    case NGTCP2_CRYPTO_LEVEL_HANDSHAKE:
      return ssl_encryption_handshake;
    case NGTCP2_CRYPTO_LEVEL_APPLICATION:
      break;
  }
  return ssl_encryption_application;
}

// RecordSslError keeps BoringSSL's reason for a failed handshake.
void RecordSslError(TlsState* state) {
  uint32_t packed = ERR_peek_last_error();
  if (packed == 0 || !state->error.empty()) return;
  const char* reason = ERR_reason_error_string(packed);
  state->error = reason ? absl::AsciiStrToLower(absl::StrReplaceAll(reason, {{"_", " "}}))
                        : absl::StrCat("error ", packed);
}

// DriveHandshake feeds the handshake; once done, post-handshake messages.
int DriveHandshake(ngtcp2_conn* conn, SSL* ssl) {
  TlsState* state = StateOf(ssl);
  if (!ngtcp2_conn_get_handshake_completed(conn)) {
    for (;;) {
      int rv = SSL_do_handshake(ssl);
      if (rv > 0) break;
      int err = SSL_get_error(ssl, rv);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
      if (err == SSL_ERROR_EARLY_DATA_REJECTED) {
        // The server did not take our 0-RTT (no session, or its choice):
        // ngtcp2 forgets the streams (the layer sends them again after
        // the handshake) and the handshake goes on as a full one.
        SSL_reset_early_data_reject(ssl);
        if (ngtcp2_conn_early_data_rejected(conn) != 0) return NGTCP2_ERR_CALLBACK_FAILURE;
        continue;
      }
      if (state) RecordSslError(state);
      ERR_clear_error();
      return NGTCP2_ERR_CRYPTO;
    }
    // With early data offered, SSL_do_handshake returns as soon as 0-RTT
    // may be sent; the handshake completes with the server's Finished.
    if (SSL_in_early_data(ssl)) return 0;
    ngtcp2_conn_handshake_completed(conn);
    return 0;
  }
  if (SSL_process_quic_post_handshake(ssl) != 1) {
    if (state) RecordSslError(state);
    ERR_clear_error();
    return NGTCP2_ERR_CRYPTO;
  }
  return 0;
}

SSL* SslOf(ngtcp2_conn* conn) { return static_cast<SSL*>(ngtcp2_conn_get_tls_native_handle(conn)); }

// --- ngtcp2 callbacks ------------------------------------------------------

int OnClientInitial(ngtcp2_conn* conn, void* user_data) {
  if (int rv = InstallInitialKeys(conn, ngtcp2_conn_get_dcid(conn), false, NGTCP2_PROTO_VER_V1); rv != 0) {
    return rv;
  }
  // Retry packets carry an integrity tag made with a fixed key (§5.8).
  ngtcp2_crypto_aead retry_aead{const_cast<EVP_AEAD*>(EVP_aead_aes_128_gcm()),
                                EVP_AEAD_max_overhead(EVP_aead_aes_128_gcm())};
  ngtcp2_crypto_aead_ctx retry_ctx{};
  if (!NewAeadCtx(&retry_ctx, &retry_aead, kRetryKeyV1)) return NGTCP2_ERR_CALLBACK_FAILURE;
  ngtcp2_conn_set_retry_aead(conn, &retry_aead, &retry_ctx);
  return DriveHandshake(conn, SslOf(conn)) == 0 ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
}

int OnRecvCryptoData(ngtcp2_conn* conn, ngtcp2_crypto_level level, uint64_t offset, const uint8_t* data,
                     size_t len, void* user_data) {
  SSL* ssl = SslOf(conn);
  if (SSL_provide_quic_data(ssl, SslLevelOf(level), data, len) != 1) {
    if (TlsState* state = StateOf(ssl)) RecordSslError(state);
    ERR_clear_error();
    return NGTCP2_ERR_CRYPTO;
  }
  return DriveHandshake(conn, ssl);
}

int OnRecvRetry(ngtcp2_conn* conn, const ngtcp2_pkt_hd* hd, void* user_data) {
  return InstallInitialKeys(conn, ngtcp2_conn_get_dcid(conn), false, NGTCP2_PROTO_VER_V1);
}

int OnVersionNegotiation(ngtcp2_conn* conn, uint32_t version, const ngtcp2_cid* client_dcid, void* user_data) {
  // Only v1 is offered, whose salt we know; anything else cannot be keyed.
  if (version != NGTCP2_PROTO_VER_V1) return NGTCP2_ERR_CALLBACK_FAILURE;
  return InstallInitialKeys(conn, client_dcid, true, version);
}

int OnEncrypt(uint8_t* dest, const ngtcp2_crypto_aead* aead, const ngtcp2_crypto_aead_ctx* aead_ctx,
              const uint8_t* plaintext, size_t plaintext_len, const uint8_t* nonce, size_t nonce_len,
              const uint8_t* aad, size_t aad_len) {
  size_t out_len = 0;
  auto* ctx = static_cast<EVP_AEAD_CTX*>(aead_ctx->native_handle);
  if (EVP_AEAD_CTX_seal(ctx, dest, &out_len, plaintext_len + aead->max_overhead, nonce, nonce_len, plaintext,
                        plaintext_len, aad, aad_len) != 1) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

int OnDecrypt(uint8_t* dest, const ngtcp2_crypto_aead* aead, const ngtcp2_crypto_aead_ctx* aead_ctx,
              const uint8_t* ciphertext, size_t ciphertext_len, const uint8_t* nonce, size_t nonce_len,
              const uint8_t* aad, size_t aad_len) {
  size_t out_len = 0;
  auto* ctx = static_cast<EVP_AEAD_CTX*>(aead_ctx->native_handle);
  if (EVP_AEAD_CTX_open(ctx, dest, &out_len, ciphertext_len, nonce, nonce_len, ciphertext, ciphertext_len, aad,
                        aad_len) != 1) {
    ERR_clear_error();
    return NGTCP2_ERR_DECRYPT;
  }
  return 0;
}

int OnHpMask(uint8_t* dest, const ngtcp2_crypto_cipher* hp, const ngtcp2_crypto_cipher_ctx* hp_ctx,
             const uint8_t* sample) {
  const auto* key = static_cast<const HpKey*>(hp_ctx->native_handle);
  if (key->kind == HpKind::kChaCha20) {
    HeaderProtectionMask(HeaderProtection::kChaCha20, key->chacha, sample, dest);
  } else {
    // The expanded AES key is kept in the context: no key schedule per packet.
    AES_encrypt(sample, dest, &key->aes);
  }
  return 0;
}

int OnUpdateKey(ngtcp2_conn* conn, uint8_t* rx_secret, uint8_t* tx_secret, ngtcp2_crypto_aead_ctx* rx_aead_ctx,
                uint8_t* rx_iv, ngtcp2_crypto_aead_ctx* tx_aead_ctx, uint8_t* tx_iv,
                const uint8_t* current_rx_secret, const uint8_t* current_tx_secret, size_t secret_len,
                void* user_data) {
  const ngtcp2_crypto_ctx* ctx = ngtcp2_conn_get_crypto_ctx(conn);
  const EVP_MD* md = MdOf(&ctx->md);
  if (!NextSecret(md, current_rx_secret, secret_len, rx_secret) ||
      !NextSecret(md, current_tx_secret, secret_len, tx_secret)) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  // The header protection key does not change with a key update (§6).
  PacketKeyMaterial rx, tx;
  const size_t hp_len = HpOf(&ctx->hp)->key_len;
  if (!DerivePacketKeys(md, AeadOf(&ctx->aead), hp_len, rx_secret, secret_len, &rx) ||
      !DerivePacketKeys(md, AeadOf(&ctx->aead), hp_len, tx_secret, secret_len, &tx) ||
      !NewAeadCtx(rx_aead_ctx, &ctx->aead, rx.key)) {
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  if (!NewAeadCtx(tx_aead_ctx, &ctx->aead, tx.key)) {
    FreeAeadCtx(rx_aead_ctx);
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  std::memcpy(rx_iv, rx.iv, rx.iv_len);
  std::memcpy(tx_iv, tx.iv, tx.iv_len);
  return 0;
}

void OnDeleteAeadCtx(ngtcp2_conn* conn, ngtcp2_crypto_aead_ctx* ctx, void* user_data) { FreeAeadCtx(ctx); }
void OnDeleteCipherCtx(ngtcp2_conn* conn, ngtcp2_crypto_cipher_ctx* ctx, void* user_data) { FreeHpCtx(ctx); }

void OnRand(uint8_t* dest, size_t len, const ngtcp2_rand_ctx* rand_ctx) { RAND_bytes(dest, len); }

int OnNewConnectionId(ngtcp2_conn* conn, ngtcp2_cid* cid, uint8_t* token, size_t cid_len, void* user_data) {
  if (RAND_bytes(cid->data, cid_len) != 1) return NGTCP2_ERR_CALLBACK_FAILURE;
  cid->datalen = cid_len;
  if (RAND_bytes(token, NGTCP2_STATELESS_RESET_TOKENLEN) != 1) return NGTCP2_ERR_CALLBACK_FAILURE;
  return 0;
}

int OnPathChallengeData(ngtcp2_conn* conn, uint8_t* data, void* user_data) {
  return RAND_bytes(data, NGTCP2_PATH_CHALLENGE_DATALEN) == 1 ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
}

// --- BoringSSL's QUIC method ------------------------------------------------

int InstallSecret(SSL* ssl, ssl_encryption_level_t level, const SSL_CIPHER* cipher, const uint8_t* secret,
                  size_t secret_len, bool rx) {
  TlsState* state = StateOf(ssl);
  if (!state || !state->conn) return 0;
  ngtcp2_conn* conn = state->conn;
  ngtcp2_crypto_ctx ctx;
  if (!CryptoCtxFor(SSL_CIPHER_get_protocol_id(cipher), &ctx)) return 0;
  const ngtcp2_crypto_level lvl = LevelOf(level);
  if (lvl == NGTCP2_CRYPTO_LEVEL_EARLY) {
    // A client only writes 0-RTT; BoringSSL hands the key over when it
    // offers early data with a resumed session.
    if (rx) return 0;
    ngtcp2_conn_set_early_crypto_ctx(conn, &ctx);
    PacketKeys keys;
    if (!DeriveKeys(ctx, secret, secret_len, &keys)) return 0;
    if (ngtcp2_conn_install_early_key(conn, &keys.aead_ctx, keys.iv, keys.iv_len, &keys.hp_ctx) != 0) {
      keys.Release();
      return 0;
    }
    state->early_keys = true;
    return 1;
  }
  if (lvl == NGTCP2_CRYPTO_LEVEL_HANDSHAKE) ngtcp2_conn_set_crypto_ctx(conn, &ctx);
  if (lvl == NGTCP2_CRYPTO_LEVEL_APPLICATION && rx) {
    // The server's transport parameters came in EncryptedExtensions, which
    // BoringSSL has read by the time the 1-RTT read secret is ready.
    const uint8_t* params = nullptr;
    size_t params_len = 0;
    SSL_get_peer_quic_transport_params(ssl, &params, &params_len);
    if (params_len == 0) {
      state->error = "the server sent no QUIC transport parameters";
      return 0;
    }
    if (int rv = ngtcp2_conn_decode_remote_transport_params(conn, params, params_len); rv != 0) {
      state->error = absl::StrCat("the server's QUIC transport parameters are invalid (", ngtcp2_strerror(rv), ")");
      return 0;
    }
  }
  PacketKeys keys;
  if (!DeriveKeys(ctx, secret, secret_len, &keys)) return 0;
  int rv;
  if (lvl == NGTCP2_CRYPTO_LEVEL_HANDSHAKE) {
    rv = rx ? ngtcp2_conn_install_rx_handshake_key(conn, &keys.aead_ctx, keys.iv, keys.iv_len, &keys.hp_ctx)
            : ngtcp2_conn_install_tx_handshake_key(conn, &keys.aead_ctx, keys.iv, keys.iv_len, &keys.hp_ctx);
  } else {
    rv = rx ? ngtcp2_conn_install_rx_key(conn, secret, secret_len, &keys.aead_ctx, keys.iv, keys.iv_len,
                                         &keys.hp_ctx)
            : ngtcp2_conn_install_tx_key(conn, secret, secret_len, &keys.aead_ctx, keys.iv, keys.iv_len,
                                         &keys.hp_ctx);
  }
  if (rv != 0) {
    keys.Release();
    return 0;
  }
  return 1;
}

int SetReadSecret(SSL* ssl, ssl_encryption_level_t level, const SSL_CIPHER* cipher, const uint8_t* secret,
                  size_t secret_len) {
  return InstallSecret(ssl, level, cipher, secret, secret_len, true);
}

int SetWriteSecret(SSL* ssl, ssl_encryption_level_t level, const SSL_CIPHER* cipher, const uint8_t* secret,
                   size_t secret_len) {
  return InstallSecret(ssl, level, cipher, secret, secret_len, false);
}

int AddHandshakeData(SSL* ssl, ssl_encryption_level_t level, const uint8_t* data, size_t len) {
  TlsState* state = StateOf(ssl);
  if (!state || !state->conn) return 0;
  return ngtcp2_conn_submit_crypto_data(state->conn, LevelOf(level), data, len) == 0 ? 1 : 0;
}

int FlushFlight(SSL* ssl) { return 1; }

int SendAlert(SSL* ssl, ssl_encryption_level_t level, uint8_t alert) {
  TlsState* state = StateOf(ssl);
  if (!state) return 0;
  state->alert = alert;
  state->alert_set = true;
  if (state->conn) ngtcp2_conn_set_tls_alert(state->conn, alert);
  return 1;
}

const SSL_QUIC_METHOD kQuicMethod = {SetReadSecret, SetWriteSecret, AddHandshakeData, FlushFlight, SendAlert};

}  // namespace

void SetCryptoCallbacks(ngtcp2_callbacks* cb) {
  cb->client_initial = OnClientInitial;
  cb->recv_crypto_data = OnRecvCryptoData;
  cb->encrypt = OnEncrypt;
  cb->decrypt = OnDecrypt;
  cb->hp_mask = OnHpMask;
  cb->recv_retry = OnRecvRetry;
  cb->rand = OnRand;
  cb->get_new_connection_id = OnNewConnectionId;
  cb->update_key = OnUpdateKey;
  cb->delete_crypto_aead_ctx = OnDeleteAeadCtx;
  cb->delete_crypto_cipher_ctx = OnDeleteCipherCtx;
  cb->get_path_challenge_data = OnPathChallengeData;
  cb->version_negotiation = OnVersionNegotiation;
}

bool AttachSsl(SSL* ssl, TlsState* state) {
  if (SSL_set_ex_data(ssl, TlsIndex(), state) != 1) return false;
  if (SSL_set_quic_method(ssl, &kQuicMethod) != 1) return false;
  uint8_t params[256];
  ngtcp2_ssize n = ngtcp2_conn_encode_local_transport_params(state->conn, params, sizeof(params));
  if (n < 0) return false;
  if (SSL_set_quic_transport_params(ssl, params, static_cast<size_t>(n)) != 1) return false;
  ngtcp2_conn_set_tls_native_handle(state->conn, ssl);
  return true;
}

TlsState* StateOf(const SSL* ssl) { return static_cast<TlsState*>(SSL_get_ex_data(ssl, TlsIndex())); }

std::string AlertName(uint8_t alert) {
  switch (alert) {
    case 10: return "unexpected_message";
    case 20: return "bad_record_mac";
    case 40: return "handshake_failure";
    case 42: return "bad_certificate";
    case 43: return "unsupported_certificate";
    case 44: return "certificate_revoked";
    case 45: return "certificate_expired";
    case 46: return "certificate_unknown";
    case 47: return "illegal_parameter";
    case 48: return "unknown_ca";
    case 50: return "decode_error";
    case 51: return "decrypt_error";
    case 70: return "protocol_version";
    case 80: return "internal_error";
    case 109: return "missing_extension";
    case 110: return "unsupported_extension";
    case 112: return "unrecognized_name";
    case 116: return "certificate_required";
    case 120: return "no_application_protocol";
    default: return absl::StrCat("alert ", alert);
  }
}

}  // namespace strata::h3::quic
