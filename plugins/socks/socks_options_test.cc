#include "plugins/socks/socks_options.h"

#include <map>
#include <string>

#include "gtest/gtest.h"

namespace strata::socks {
namespace {

absl::StatusOr<SocksOptions> Parse(const std::map<std::string, std::string>& values) {
  return ParseSocksOptions([&](const char* key) -> std::optional<std::string> {
    auto it = values.find(key);
    if (it == values.end()) return std::nullopt;
    return it->second;
  });
}

TEST(SocksOptions, DefaultsAreSocks5hWithoutCredentials) {
  absl::StatusOr<SocksOptions> o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->version, SocksVersion::k5);
  EXPECT_EQ(o->resolve, Resolve::kRemote);
  EXPECT_FALSE(o->credentials.has_value());
  EXPECT_EQ(o->connect_timeout_ms, 30000u);
  EXPECT_STREQ(KindName(*o), "socks5h");
}

TEST(SocksOptions, VersionAndResolveNameTheKind) {
  EXPECT_STREQ(KindName(*Parse({{"resolve", "local"}})), "socks5");
  EXPECT_STREQ(KindName(*Parse({{"version", "4a"}})), "socks4a");
  EXPECT_STREQ(KindName(*Parse({{"version", "4A"}})), "socks4a");
  EXPECT_STREQ(KindName(*Parse({{"version", "5"}, {"resolve", "remote"}})), "socks5h");
}

TEST(SocksOptions, BadValuesNameTheOption) {
  EXPECT_NE(Parse({{"version", "4"}}).status().message().find("option 'version'"),
            std::string::npos);
  EXPECT_NE(Parse({{"resolve", "proxy"}}).status().message().find("option 'resolve'"),
            std::string::npos);
  EXPECT_NE(Parse({{"family", "ipx"}}).status().message().find("option 'family'"),
            std::string::npos);
  EXPECT_NE(Parse({{"connect_timeout_ms", "-1"}}).status().message().find("connect_timeout_ms"),
            std::string::npos);
  absl::Status s = Parse({{"version", "4a"}, {"resolve", "local"}}).status();
  EXPECT_NE(s.message().find("does not apply to SOCKS4a"), std::string::npos) << s;
}

TEST(SocksOptions, UsernameAndPassword) {
  absl::StatusOr<SocksOptions> o = Parse({{"username", "u"}, {"password", "p"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->credentials->username, "u");
  EXPECT_EQ(o->credentials->password, "p");
  // An empty password is sent as PLEN 0, as curl does.
  o = Parse({{"username", "u"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->credentials->password, "");
}

TEST(SocksOptions, CredentialErrorsNeverQuoteTheSecret) {
  absl::Status s = Parse({{"password", "hunter2"}}).status();
  EXPECT_NE(s.message().find("without a user name"), std::string::npos) << s;
  s = Parse({{"username", "u"}, {"password", std::string(256, 'x')}}).status();
  EXPECT_NE(s.message().find("at most 255 bytes"), std::string::npos) << s;
  s = Parse({{"username", "u"}, {"password", std::string("a\0b", 3)}}).status();
  EXPECT_NE(s.message().find("NUL"), std::string::npos) << s;
  s = Parse({{"proxy_authorization", "Bearer hunter2"}}).status();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("hunter2"), std::string::npos) << s;
  s = Parse({{"proxy_authorization", "Basic ***hunter2"}}).status();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message().find("hunter2"), std::string::npos) << s;
}

TEST(SocksOptions, ProxyAuthorizationIsDecodedUnlessUsernameIsSet) {
  absl::StatusOr<SocksOptions> o = Parse({{"proxy_authorization", "Basic dTpwOnE="}});  // u:p:q
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->credentials->username, "u");
  EXPECT_EQ(o->credentials->password, "p:q");
  EXPECT_EQ(o->credentials_source, "proxy_authorization");
  o = Parse({{"proxy_authorization", "Basic dTpwOnE="}, {"username", "x"}, {"password", "y"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->credentials->username, "x");
  o = Parse({{"proxy_authorization", ""}});
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->credentials.has_value());
}

}  // namespace
}  // namespace strata::socks
