// The QUIC v1 key schedule against RFC 9001 Appendix A's sample keys.
#include "plugins/h3/quic/key_schedule.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace strata::h3::quic {
namespace {

std::string Hex(const uint8_t* data, size_t len) {
  return absl::BytesToHexString(std::string(reinterpret_cast<const char*>(data), len));
}
std::string Bytes(const char* hex) { return absl::HexStringToBytes(hex); }
const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

TEST(KeySchedule, Rfc9001_A1_InitialSecretsFromTheDcid) {
  const std::string dcid = Bytes("8394c8f03e515708");
  uint8_t client[32], server[32];
  ASSERT_TRUE(InitialSecrets(U8(dcid), dcid.size(), client, server));
  EXPECT_EQ(Hex(client, 32), "c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
  EXPECT_EQ(Hex(server, 32), "3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b");
}

TEST(KeySchedule, Rfc9001_A1_InitialPacketKeys) {
  const std::string dcid = Bytes("8394c8f03e515708");
  uint8_t client[32], server[32];
  ASSERT_TRUE(InitialSecrets(U8(dcid), dcid.size(), client, server));
  PacketKeyMaterial c, s;
  ASSERT_TRUE(DerivePacketKeys(EVP_sha256(), EVP_aead_aes_128_gcm(), 16, client, 32, &c));
  ASSERT_TRUE(DerivePacketKeys(EVP_sha256(), EVP_aead_aes_128_gcm(), 16, server, 32, &s));
  EXPECT_EQ(Hex(c.key, c.key_len), "1f369613dd76d5467730efcbe3b1a22d");
  EXPECT_EQ(Hex(c.iv, c.iv_len), "fa044b2f42a3fd3b46fb255c");
  EXPECT_EQ(Hex(c.hp, c.hp_len), "9f50449e04a0e810283a1e9933adedd2");
  EXPECT_EQ(Hex(s.key, s.key_len), "cf3a5331653c364c88f0f379b6067e37");
  EXPECT_EQ(Hex(s.iv, s.iv_len), "0ac1493ca1905853b0bba03e");
  EXPECT_EQ(Hex(s.hp, s.hp_len), "c206b8d9b9f0f37644430b490eeaa314");
}

TEST(KeySchedule, Rfc9001_A2_AesHeaderProtectionMask) {
  const std::string hp = Bytes("9f50449e04a0e810283a1e9933adedd2");
  const std::string sample = Bytes("d1b1c98dd7689fb8ec11d242b123dc9b");
  uint8_t mask[5];
  HeaderProtectionMask(HeaderProtection::kAes128, U8(hp), U8(sample), mask);
  EXPECT_EQ(Hex(mask, 5), "437b9aec36");
}

TEST(KeySchedule, Rfc9001_A5_ChaCha20KeysKeyUpdateAndMask) {
  const std::string secret = Bytes("9ac312a7f877468ebe69422748ad00a15443f18203a07d6060f688f30f21632b");
  PacketKeyMaterial k;
  ASSERT_TRUE(DerivePacketKeys(EVP_sha256(), EVP_aead_chacha20_poly1305(), 32, U8(secret), 32, &k));
  EXPECT_EQ(Hex(k.key, k.key_len), "c6d98ff3441c3fe1b2182094f69caa2ed4b716b65488960a7a984979fb23e1c8");
  EXPECT_EQ(Hex(k.iv, k.iv_len), "e0459b3474bdd0e44a41c144");
  EXPECT_EQ(Hex(k.hp, k.hp_len), "25a282b9e82f06f21f488917a4fc8f1b73573685608597d0efcb076b0ab7a7a4");
  uint8_t next[32];
  ASSERT_TRUE(NextSecret(EVP_sha256(), U8(secret), 32, next));
  EXPECT_EQ(Hex(next, 32), "1223504755036d556342ee9361d253421a826c9ecdf3c7148684b36b714881f9");
  const std::string sample = Bytes("5e5cd55c41f69080575d7999c25a5bfb");
  uint8_t mask[5];
  HeaderProtectionMask(HeaderProtection::kChaCha20, k.hp, U8(sample), mask);
  EXPECT_EQ(Hex(mask, 5), "aefefe7d03");
}

}  // namespace
}  // namespace strata::h3::quic
