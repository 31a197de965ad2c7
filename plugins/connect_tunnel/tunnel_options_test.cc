#include "plugins/connect_tunnel/tunnel_options.h"

#include <map>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace strata::connect_tunnel {
namespace {

absl::StatusOr<TunnelOptions> Parse(const std::map<std::string, std::string>& values) {
  return ParseTunnelOptions([&](const char* key) -> std::optional<std::string> {
    auto it = values.find(key);
    if (it == values.end()) return std::nullopt;
    return it->second;
  });
}

TEST(TunnelOptionsTest, Defaults) {
  absl::StatusOr<TunnelOptions> o = Parse({});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->connect_timeout_ms, 30000u);
  EXPECT_EQ(o->max_reply_bytes, 65536u);
  EXPECT_EQ(o->proxy_authorization, "");
  EXPECT_EQ(o->auth, AuthMode::kPreemptive);
  EXPECT_EQ(o->user_agent, "");
}

TEST(TunnelOptionsTest, ValuesAreRead) {
  absl::StatusOr<TunnelOptions> o = Parse({{"connect_timeout_ms", "0"},
                                           {"max_reply_bytes", "4096"},
                                           {"proxy_authorization", "Basic eA=="},
                                           {"auth", "on_challenge"},
                                           {"user_agent", "x/1"}});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->connect_timeout_ms, 0u);
  EXPECT_EQ(o->max_reply_bytes, 4096u);
  EXPECT_EQ(o->proxy_authorization, "Basic eA==");
  EXPECT_EQ(o->auth, AuthMode::kOnChallenge);
  EXPECT_EQ(o->user_agent, "x/1");
}

TEST(TunnelOptionsTest, BadValuesNameTheOption) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"connect_timeout_ms", "-1"},
                                          {"connect_timeout_ms", "1.5"},
                                          {"max_reply_bytes", "10"},
                                          {"max_reply_bytes", "\"big\""},
                                          {"auth", "always"},
                                          {"user_agent", "a\nb"}}) {
    absl::StatusOr<TunnelOptions> o = Parse({{key, value}});
    ASSERT_FALSE(o.ok()) << key << "=" << value;
    EXPECT_NE(std::string(o.status().message()).find(key), std::string::npos) << o.status();
  }
}

TEST(TunnelOptionsTest, CredentialsWithLineBreaksAreRefusedWithoutEcho) {
  absl::StatusOr<TunnelOptions> o = Parse({{"proxy_authorization", "Basic Zm9v\r\nX: y"}});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(std::string(o.status().message()).find("Zm9v"), std::string::npos);
}

}  // namespace
}  // namespace strata::connect_tunnel
