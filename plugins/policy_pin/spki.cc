#include "plugins/policy_pin/spki.h"

#include <openssl/base64.h>
#include <openssl/bio.h>
#include <openssl/bytestring.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace strata::policy_pin {
namespace {

constexpr absl::string_view kPrefix = "sha256//";

std::string Sha256(const uint8_t* data, size_t len) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(data, len, digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

// DigestOfKey hashes the DER SubjectPublicKeyInfo of |key|.
absl::StatusOr<std::string> DigestOfKey(EVP_PKEY* key) {
  uint8_t* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return absl::InvalidArgumentError("cannot encode the public key");
  std::string digest = Sha256(der, static_cast<size_t>(len));
  OPENSSL_free(der);
  return digest;
}

}  // namespace

absl::StatusOr<std::string> SpkiDigestOfCertificate(absl::string_view der) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!cert) return absl::InvalidArgumentError("the peer's certificate is not valid DER");
  EVP_PKEY* key = X509_get_pubkey(cert);
  absl::StatusOr<std::string> digest =
      key ? DigestOfKey(key) : absl::InvalidArgumentError("the peer's certificate has no usable public key");
  EVP_PKEY_free(key);
  X509_free(cert);
  return digest;
}

absl::StatusOr<std::string> SpkiDigestOfKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the pinned public key file ", path));
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EVP_PKEY* key = nullptr;
  if (absl::StrContains(data, "-----BEGIN PUBLIC KEY-----")) {
    BIO* bio = BIO_new_mem_buf(data.data(), static_cast<int>(data.size()));
    if (bio) key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
  } else {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(data.data());
    key = d2i_PUBKEY(nullptr, &p, static_cast<long>(data.size()));
  }
  if (!key) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " holds no public key (expected PEM \"BEGIN PUBLIC KEY\" or DER SubjectPublicKeyInfo)"));
  }
  absl::StatusOr<std::string> digest = DigestOfKey(key);
  EVP_PKEY_free(key);
  return digest;
}

std::string PinText(absl::string_view digest) {
  size_t len = 0;
  EVP_EncodedLength(&len, digest.size());
  std::string out(len, '\0');
  size_t written = EVP_EncodeBlock(reinterpret_cast<uint8_t*>(out.data()),
                                   reinterpret_cast<const uint8_t*>(digest.data()), digest.size());
  out.resize(written);
  return absl::StrCat(kPrefix, out);
}

absl::StatusOr<std::string> ParsePinText(absl::string_view text) {
  if (!absl::StartsWith(text, kPrefix)) {
    return absl::InvalidArgumentError(absl::StrCat("pin '", text, "' does not start with sha256//"));
  }
  absl::string_view b64 = text.substr(kPrefix.size());
  size_t max = 0;
  if (!EVP_DecodedLength(&max, b64.size())) {
    return absl::InvalidArgumentError(absl::StrCat("pin '", text, "' is not base64"));
  }
  std::string out(max, '\0');
  size_t len = 0;
  if (!EVP_DecodeBase64(reinterpret_cast<uint8_t*>(out.data()), &len, out.size(),
                        reinterpret_cast<const uint8_t*>(b64.data()), b64.size()) ||
      len != SHA256_DIGEST_LENGTH) {
    return absl::InvalidArgumentError(
        absl::StrCat("pin '", text, "' is not the base64 of a 32-byte SHA-256 digest"));
  }
  out.resize(len);
  return out;
}

}  // namespace strata::policy_pin
