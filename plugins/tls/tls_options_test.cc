#include "plugins/tls/tls_options.h"

#include <map>

#include "gtest/gtest.h"

namespace strata::tls {
namespace {

absl::StatusOr<TlsOptions> Parse(const std::map<std::string, std::string>& given) {
  return ParseTlsOptions([&](const char* key) -> std::optional<std::string> {
    auto it = given.find(key);
    if (it == given.end()) return std::nullopt;
    return it->second;
  });
}

TEST(TlsOptions, DefaultsVerifyAgainstTheSystemBundleAndOfferHttp11) {
  absl::StatusOr<TlsOptions> o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->verify);
  EXPECT_EQ(o->ca_file, kSystemCaBundle);
  EXPECT_EQ(o->alpn, std::vector<std::string>{"http/1.1"});
  EXPECT_EQ(o->min_version, TlsVersion::k1_2);
  EXPECT_EQ(o->max_version, TlsVersion::k1_3);
  EXPECT_EQ(o->handshake_timeout_ms, 10000u);
  EXPECT_FALSE(o->server_name.has_value());
}

TEST(TlsOptions, CaPathAloneReplacesTheSystemBundle) {
  absl::StatusOr<TlsOptions> o = Parse({{"ca_path", "/etc/ssl/certs"}});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->ca_file, "");
  EXPECT_EQ(o->ca_path, "/etc/ssl/certs");
}

TEST(TlsOptions, ListsAcceptJsonArraysAndColonText) {
  absl::StatusOr<TlsOptions> o = Parse({{"alpn", R"(["h2","http/1.1"])"},
                                        {"curves", "X25519:P-256"},
                                        {"ciphers", R"(["ECDHE-RSA-AES128-GCM-SHA256"])"}});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(o->curves, (std::vector<std::string>{"X25519", "P-256"}));
  EXPECT_EQ(o->ciphers, std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256"});
  EXPECT_EQ(EncodeAlpn(o->alpn), std::string("\x02h2\x08http/1.1"));
}

TEST(TlsOptions, EmptyAlpnArrayOffersNothing) {
  absl::StatusOr<TlsOptions> o = Parse({{"alpn", "[]"}});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->alpn.empty());
}

TEST(TlsOptions, BadValuesNameTheOption) {
  struct Case {
    std::map<std::string, std::string> given;
    const char* mentions;
  } cases[] = {
      {{{"verify", "yes"}}, "'verify'"},
      {{{"alpn", "[1]"}}, "'alpn'"},
      {{{"alpn", R"([""])"}}, "'alpn'"},
      {{{"min_version", "1.1"}}, "'min_version'"},
      {{{"min_version", "1.3"}, {"max_version", "1.2"}}, "no TLS version is left"},
      {{{"handshake_timeout_ms", "-5"}}, "'handshake_timeout_ms'"},
      {{{"key", "/k.pem"}}, "'cert' is not"},
      {{{"server_name", ""}}, "'server_name'"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<TlsOptions> o = Parse(c.given);
    ASSERT_FALSE(o.ok()) << c.mentions;
    EXPECT_NE(o.status().message().find(c.mentions), std::string::npos) << o.status();
  }
}

// HOSTILE G.74: every setting that changes trust or identity changes the
// key under which sessions are kept.
TEST(TlsOptions, FingerprintChangesWithTrustIdentityAndProtocols) {
  std::string base = SettingsFingerprint(*Parse({}));
  std::map<std::string, std::string> variants[] = {
      {{"verify", "false"}},   {{"ca_file", "/other.pem"}}, {{"ca_path", "/d"}},
      {{"alpn", R"(["h2"])"}}, {{"cert", "/c.pem"}},        {{"min_version", "1.3"}},
      {{"max_version", "1.2"}}, {{"ciphers", "AES128-SHA"}}, {{"curves", "X25519"}},
  };
  for (const auto& v : variants) {
    EXPECT_NE(SettingsFingerprint(*Parse(v)), base) << v.begin()->first;
  }
  EXPECT_EQ(SettingsFingerprint(*Parse({{"handshake_timeout_ms", "5"}})), base);
}

}  // namespace
}  // namespace strata::tls
