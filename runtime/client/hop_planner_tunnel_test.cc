// HopPlanner for CONNECT over HTTP/2 (proxy.http2): the origin chain with
// h2-connect at the bottom, the shared proxy prefix, and the two pool keys.
#include <gtest/gtest.h>

#include "runtime/client/hop_planner.h"
#include "runtime/tunnel/h2_connect_layer.h"

namespace strata {
namespace {

// Stand-ins for the plugins' layer types: the planner reads only names and
// flags.
LayerType Fake(const char* name, int32_t kind, uint32_t flags) {
  LayerType t;
  t.name = name;
  t.kind = kind;
  t.flags = flags;
  return t;
}

class HopPlannerTunnelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (LayerType t : {Fake("tcp", STRATA_LAYER_BYTE_STREAM, 0), Fake("tls", STRATA_LAYER_BYTE_STREAM, STRATA_LAYER_FLAG_SECURE),
                        Fake("connect-tunnel", STRATA_LAYER_BYTE_STREAM, STRATA_LAYER_FLAG_TUNNEL),
                        Fake("h1", STRATA_LAYER_SESSION, 0),
                        Fake("h2-alpn", STRATA_LAYER_SESSION, STRATA_LAYER_FLAG_MULTIPLEX)}) {
      ASSERT_TRUE(registry_.AddBuiltinLayer(t).ok());
    }
    ASSERT_TRUE(registry_.AddBuiltinLayer(H2ConnectLayerType()).ok());
    absl::StatusOr<Config> c = ParseConfig("{}");
    ASSERT_TRUE(c.ok()) << c.status();
    config_ = *c;
  }
  HopPlan PlanFor(const std::string& url, RequestOptions ro) {
    HopPlanner planner(&config_, &registry_, {});
    absl::StatusOr<Url> u = ParseUrl(url);
    EXPECT_TRUE(u.ok());
    absl::StatusOr<HopPlan> plan = planner.Plan(*u, ro, 1);
    EXPECT_TRUE(plan.ok()) << plan.status();
    return *plan;
  }
  static std::vector<std::string> Names(const PipelineSpec& p) {
    std::vector<std::string> out;
    for (const LayerSpec& l : p.layers) out.push_back(l.layer);
    return out;
  }
  static RequestOptions Via(const std::string& proxy, int64_t http2, const std::string& credentials = "") {
    RequestOptions ro;
    ro.proxy = proxy;
    ro.proxy_http2 = http2;
    if (!credentials.empty()) ro.proxy_credentials = credentials;
    return ro;
  }

  PluginRegistry registry_{nullptr};
  Config config_;
};

TEST_F(HopPlannerTunnelTest, HttpsThroughAnHttp2ProxyIsACONNECTStreamOnASharedPrefix) {
  HopPlan plan = PlanFor("https://a.test/x", Via("https://proxy.test:8443", 1));
  EXPECT_EQ(plan.pipeline().name, "https+h2-proxy");
  EXPECT_EQ(Names(plan.pipeline()), (std::vector<std::string>{"h2-connect", "tls", "h2-alpn"}));
  ASSERT_TRUE(plan.proxy_prefix);
  EXPECT_EQ(Names(*plan.proxy_prefix), (std::vector<std::string>{"tcp", "tls", "h2-alpn"}));
  EXPECT_EQ(plan.proxy_prefix->layers[1].options["alpn"], nlohmann::json::array({"h2", "http/1.1"}));
  EXPECT_EQ(plan.proxy_prefix->layers[2].options["initial_window_size"], 2 << 20);
  EXPECT_TRUE(plan.multiplexed);

  HopPlanner planner(&config_, &registry_, {});
  HopPlan prefix = planner.PrefixPlan(plan);
  EXPECT_EQ(prefix.fingerprint, plan.proxy_prefix_fingerprint);
  EXPECT_EQ(prefix.target.host, "proxy.test");
  EXPECT_EQ(prefix.target.port, 8443);
  // The tunnel layer knows the proxy for its messages; the origin is its peer.
  std::vector<nlohmann::json> options = planner.LayerOptions(plan, Via("https://proxy.test:8443", 1));
  EXPECT_EQ(options[0]["proxy"], "proxy.test:8443");
}

TEST_F(HopPlannerTunnelTest, OneProxyPrefixForEveryOriginAndCredential) {
  HopPlan a = PlanFor("https://a.test/", Via("https://proxy.test:8443", 1));
  HopPlan b = PlanFor("https://b.test:444/", Via("https://proxy.test:8443", 1, "u:p"));
  EXPECT_EQ(a.proxy_prefix_fingerprint, b.proxy_prefix_fingerprint);  // credentials go per CONNECT
  EXPECT_NE(a.fingerprint, b.fingerprint);
  HopPlan other_proxy = PlanFor("https://a.test/", Via("https://proxy2.test:8443", 1));
  EXPECT_NE(a.proxy_prefix_fingerprint, other_proxy.proxy_prefix_fingerprint);
  EXPECT_NE(a.fingerprint, other_proxy.fingerprint);
}

TEST_F(HopPlannerTunnelTest, TheHttp2FlagIsInTheOriginKey) {
  HopPlan h2 = PlanFor("https://a.test/", Via("https://proxy.test:8443", 1));
  HopPlan h1 = PlanFor("https://a.test/", Via("https://proxy.test:8443", 0));
  EXPECT_NE(h2.fingerprint, h1.fingerprint);
  EXPECT_FALSE(h1.proxy_prefix);
  EXPECT_EQ(Names(h1.pipeline()), (std::vector<std::string>{"tcp", "tls", "connect-tunnel", "tls", "h2-alpn"}));
}

TEST_F(HopPlannerTunnelTest, OnlyTunnelsToHttpsProxiesUseHttp2) {
  // An http:// proxy has no TLS to negotiate h2 with; plain http to a
  // proxy is forwarded in absolute form as before.
  EXPECT_FALSE(PlanFor("https://a.test/", Via("http://proxy.test:3128", 1)).proxy_prefix);
  EXPECT_FALSE(PlanFor("http://a.test/", Via("https://proxy.test:8443", 1)).proxy_prefix);
  // The configuration's proxy.http2 is the default.
  config_.proxy.http2 = true;
  EXPECT_TRUE(PlanFor("https://a.test/", Via("https://proxy.test:8443", -1)).proxy_prefix);
  EXPECT_FALSE(PlanFor("https://a.test/", Via("https://proxy.test:8443", 0)).proxy_prefix);
}

}  // namespace
}  // namespace strata
