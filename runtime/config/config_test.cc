#include "runtime/config/config.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(Config, EmptyTextIsTheDefaultConfiguration) {
  absl::StatusOr<Config> c = ParseConfig("");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->plugins.size(), 11u);
  EXPECT_EQ(c->plugins[0].name, "tcp");
  EXPECT_EQ(c->plugins[1].name, "tls");
  EXPECT_EQ(c->plugins[2].name, "connect-tunnel");
  EXPECT_EQ(c->plugins[3].name, "h1");
  EXPECT_EQ(c->plugins[4].name, "h2-alpn");
  EXPECT_EQ(c->plugins[5].name, "h2-upgrade");
  EXPECT_FALSE(c->plugins[5].optional);
  // The socks and unix plugins (SOCKS proxies, --unix-socket) are loaded
  // when they are there.
  EXPECT_EQ(c->plugins[6].name, "socks");
  EXPECT_TRUE(c->plugins[6].optional);
  EXPECT_EQ(c->plugins[7].name, "unix");
  EXPECT_TRUE(c->plugins[7].optional);
  // So is the fault-injection layer (plugins/fault, strata --fault).
  EXPECT_EQ(c->plugins[8].name, "fault");
  EXPECT_TRUE(c->plugins[8].optional);
  // HTTP/3 (plugins/udp, plugins/h3) too: "https+h3" is udp → h3.
  EXPECT_EQ(c->plugins[9].name, "udp");
  EXPECT_TRUE(c->plugins[9].optional);
  EXPECT_EQ(c->plugins[10].name, "h3");
  EXPECT_TRUE(c->plugins[10].optional);
  ASSERT_TRUE(c->pipelines.count("https+h3"));
  ASSERT_EQ(c->pipelines["https+h3"].layers.size(), 2u);
  EXPECT_EQ(c->pipelines["https+h3"].layers[0].layer, "udp");
  EXPECT_EQ(c->pipelines["https+h3"].layers[1].layer, "h3");
  ASSERT_TRUE(c->pipelines.count("http"));
  EXPECT_EQ(c->pipelines["http"].layers.size(), 2u);
  ASSERT_TRUE(c->pipelines.count("https"));
  ASSERT_EQ(c->pipelines["https"].layers.size(), 3u);
  EXPECT_EQ(c->pipelines["https"].layers[1].layer, "tls");
  // HTTP/2 by default on https: ALPN offers h2 and http/1.1, h2-alpn
  // speaks what the server picks; "https+h1" offers only http/1.1.
  EXPECT_EQ(c->pipelines["https"].layers[1].options["alpn"], nlohmann::json::array({"h2", "http/1.1"}));
  EXPECT_EQ(c->pipelines["https"].layers[2].layer, "h2-alpn");
  ASSERT_TRUE(c->pipelines.count("https+h1"));
  ASSERT_EQ(c->pipelines["https+h1"].layers.size(), 3u);
  EXPECT_EQ(c->pipelines["https+h1"].layers[1].options["alpn"], nlohmann::json::array({"http/1.1"}));
  EXPECT_EQ(c->pipelines["https+h1"].layers[2].layer, "h1");
  ASSERT_TRUE(c->pipelines.count("https+h2"));
  ASSERT_EQ(c->pipelines["https+h2"].layers.size(), 3u);
  EXPECT_EQ(c->pipelines["https+h2"].layers[1].options["alpn"], nlohmann::json::array({"h2", "http/1.1"}));
  EXPECT_EQ(c->pipelines["https+h2"].layers[2].layer, "h2-alpn");
  ASSERT_TRUE(c->pipelines.count("http+h2c"));
  ASSERT_EQ(c->pipelines["http+h2c"].layers.size(), 2u);
  EXPECT_EQ(c->pipelines["http+h2c"].layers[1].layer, "h2-upgrade");
  ASSERT_TRUE(c->pipelines.count("http+h2-prior"));
  ASSERT_EQ(c->pipelines["http+h2-prior"].layers.size(), 2u);
  EXPECT_EQ(c->pipelines["http+h2-prior"].layers[1].layer, "h2-alpn");
  EXPECT_EQ(c->pipelines["http+h2-prior"].layers[1].options["prior_knowledge"], true);
  EXPECT_EQ(c->timeouts.connect_ms, 30000);
  EXPECT_FALSE(c->redirect.follow);
  EXPECT_EQ(c->redirect.max, 20);
}

TEST(Config, UserKeysOverrideDefaultsAndPipelinesMerge) {
  absl::StatusOr<Config> c = ParseConfig(R"({
    "plugin_dirs": ["/opt/p"],
    "pipelines": {"raw": ["tcp"], "http": ["tcp", {"layer": "h1", "options": {"max_header_bytes": 1000}}]},
    "timeouts": {"connect_ms": 500}
  })");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->plugin_dirs, std::vector<std::string>{"/opt/p"});
  EXPECT_EQ(c->timeouts.connect_ms, 500);
  EXPECT_EQ(c->timeouts.total_ms, 0);
  ASSERT_TRUE(c->pipelines.count("raw"));
  EXPECT_EQ(c->pipelines["http"].layers[1].options["max_header_bytes"], 1000);
  EXPECT_EQ(c->pipelines["http"].layers[1].json_path, "/pipelines/http/1");
}

TEST(Config, MalformedJsonNamesLineAndColumn) {
  absl::StatusOr<Config> c = ParseConfig("{\n  \"plugins\": [\n  ,]\n}");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("not valid JSON (line 3"), std::string::npos) << c.status();
}

TEST(Config, ErrorsNameTheJsonPath) {
  struct Case {
    const char* json;
    const char* path;
  } cases[] = {
      {R"({"pipelines": {"http": ["tcp", 7]}})", "/pipelines/http/1"},
      {R"({"pipelines": {"http": ["tcp", {"layer": "h1", "options": []}]}})", "/pipelines/http/1/options"},
      {R"({"pipelines": {"http": []}})", "/pipelines/http"},
      {R"({"timeouts": {"connect_ms": -1}})", "/timeouts/connect_ms"},
      {R"({"timeouts": {"connect": 1}})", "/timeouts/connect"},
      {R"({"plugin": []})", "/plugin"},
      {R"({"plugins": [{"path": 3}]})", "/plugins/0/path"},
      {R"({"plugins": [{"name": "unix", "optional": 1}]})", "/plugins/0/optional"},
      {R"({"plugins": ["../x"]})", "/plugins/0"},
      {R"({"redirect": {"follow": "yes"}})", "/redirect/follow"},
      {R"({"proxy": {"chain": "http://a"}})", "/proxy/chain"},
      {R"({"proxy": {"chain": ["http://a", 3]}})", "/proxy/chain/1"},
      {R"({"proxy": {"chain": [{"url": "http://a", "user": "x"}]}})", "/proxy/chain/0/user"},
      {R"({"proxy": {"chain": [{"credentials": "x:y"}]}})", "/proxy/chain/0/url"},
      {R"({"proxy": {"chain": ["http://a"], "url": "http://b"}})", "/proxy/chain"},
      {R"([1])", "/"},
  };
  for (const Case& k : cases) {
    absl::StatusOr<Config> c = ParseConfig(k.json);
    ASSERT_FALSE(c.ok()) << k.json;
    EXPECT_NE(c.status().message().find(std::string("configuration ") + k.path + ":"), std::string::npos)
        << k.json << " → " << c.status();
  }
}

TEST(Config, NullRemovesADefaultPipeline) {
  absl::StatusOr<Config> c = ParseConfig(R"({"pipelines": {"http": null}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(c->pipelines.count("http"));
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST(Config, BuiltInTemplatesAreMarkedAndUserOnesAreNot) {
  absl::StatusOr<Config> c = ParseConfig(R"({"pipelines": {"raw": ["tcp"]}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->pipelines["http"].from_defaults);
  EXPECT_FALSE(c->pipelines["raw"].from_defaults);
  absl::StatusOr<Config> d = ParseConfig(R"({"pipelines": {"http": ["tcp", "h1"]}})");
  EXPECT_FALSE(d->pipelines["http"].from_defaults);
}

// Found by tests/fuzz/config_fuzzer (corpus file regression_number_overflow):
// a number that overflows a double made nlohmann::json throw out_of_range,
// which escaped ParseConfig and terminated the process.
TEST(Config, NumberOverflowIsAnErrorNotACrash) {
  for (const char* text : {"1e999", "{\"timeouts\": {\"connect_ms\": 1e999}}", "[-1e400]"}) {
    absl::StatusOr<Config> c = ParseConfig(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(c.status().message().find("not valid JSON"), std::string::npos) << c.status();
  }
}

TEST(Config, ProxyChainsLastEntryIsTheProxy) {
  absl::StatusOr<Config> c = ParseConfig(R"({"proxy": {"chain": ["socks5h://a:1080",
      {"url": "https://b", "credentials": "u:p"}, {"url": "http://c:3128", "credentials": "x:y"}]}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->proxy.url, "http://c:3128");
  EXPECT_EQ(c->proxy.credentials, "x:y");
  ASSERT_EQ(c->proxy.preproxies.size(), 2u);
  EXPECT_EQ(c->proxy.preproxies[0].url, "socks5h://a:1080");
  EXPECT_EQ(c->proxy.preproxies[0].credentials, "");
  EXPECT_EQ(c->proxy.preproxies[1].url, "https://b");
  EXPECT_EQ(c->proxy.preproxies[1].credentials, "u:p");
}

TEST(Config, ProxyUrlMayBeAListRacedWithAStagger) {
  absl::StatusOr<Config> c = ParseConfig(R"({"proxy": {"url": ["https://p1", "http://p2", "direct"],
      "stagger_ms": 100, "remember_ms": 2000}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->proxy.url, "");
  EXPECT_EQ(c->proxy.candidates, (std::vector<std::string>{"https://p1", "http://p2", "direct"}));
  EXPECT_EQ(c->proxy.stagger_ms, 100);
  EXPECT_EQ(c->proxy.remember_ms, 2000);
  absl::StatusOr<Config> d = ParseConfig("{}");
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->proxy.candidates.empty());
  EXPECT_EQ(d->proxy.stagger_ms, 250);
  EXPECT_EQ(d->proxy.remember_ms, 300000);
}

TEST(Config, HostileProxyListsNameTheEntry) {
  struct Case {
    const char* json;
    const char* says;
  };
  for (const Case& k : std::vector<Case>{
           {R"({"proxy": {"url": []}})", "configuration /proxy/url: expected at least one entry"},
           {R"({"proxy": {"url": ["http://a", 7]}})", "configuration /proxy/url/1: expected a string"},
           {R"({"proxy": {"url": ["http://a", null]}})", "configuration /proxy/url/1: expected a string"},
           {R"({"proxy": {"url": [["http://a"]]}})", "configuration /proxy/url/0: expected a string"},
           {R"({"proxy": {"url": ["http://a", ""]}})", "configuration /proxy/url/1: expected a proxy URL or \"direct\""},
           {R"({"proxy": {"url": {"a": 1}}})", "configuration /proxy/url: expected a proxy URL or a list"},
           {R"({"proxy": {"url": ["http://a"], "chain": ["http://b"]}})", "configuration /proxy/chain"},
           {R"({"proxy": {"stagger_ms": -1}})", "configuration /proxy/stagger_ms: expected a non-negative integer"},
           {R"({"proxy": {"remember_ms": "5m"}})", "configuration /proxy/remember_ms: expected a non-negative integer"},
       }) {
    absl::StatusOr<Config> c = ParseConfig(k.json);
    ASSERT_FALSE(c.ok()) << k.json;
    EXPECT_NE(c.status().message().find(k.says), std::string::npos) << k.json << " → " << c.status();
  }
}

}  // namespace
}  // namespace strata
