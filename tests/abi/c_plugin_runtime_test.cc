// The C plugin inside the real runtime, through the public C API only:
// loaded by path from the configuration, placed in the http pipeline
// between tcp and h1, and fetched through from a scripted peer. The
// broken-version variants must be refused at runtime creation with
// STRATA_E_PLUGIN_ABI and a message naming the file and both versions.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/plugin.h"
#include "strata/strata.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

std::string PluginPath(const std::string& name) {
  return RunfilePath("tests/abi/c_plugin/strata-" + name + ".so");
}

std::string ConfigWithCPlugin(const std::string& plugin, const std::string& pipeline) {
  return DefaultTestConfig(", {\"path\": " + JsonString(PluginPath(plugin)) + "}", pipeline);
}

struct EventLog {
  std::vector<std::string> chains;
};

void RecordChain(void* user, const strata_event* event) {
  if (event->chain && *event->chain) static_cast<EventLog*>(user)->chains.push_back(event->chain);
}

TEST(CPluginRuntimeTest, FetchesThroughThePassthroughLayer) {
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Length: 17\r\nX-Peer: scripted\r\n\r\nthrough C plugin\n";
  ScriptedPeer peer({{ReadRequest(), Send(response), ReadUntilClose()}});
  RuntimeResult rt =
      MakeRuntime(ConfigWithCPlugin("c-passthrough", "[\"tcp\", \"c-passthrough\", \"h1\"]"));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  EventLog events;
  strata_runtime_set_event_callback(rt.runtime.get(), RecordChain, &events,
                                    (1u << STRATA_EVENT_HOP) | (1u << STRATA_EVENT_CONNECT));

  FetchResult r = Get(rt.runtime.get(), peer.Url("/via-c"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "through C plugin\n");
  EXPECT_EQ(r.header("X-Peer"), "scripted");

  // The peer saw a well-formed request that crossed the C layer intact.
  ASSERT_TRUE(peer.WaitForConnections(1, std::chrono::seconds(5)));
  PeerConnection c = peer.Connection(0);
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0].rfind("GET /via-c HTTP/1.1\r\n", 0), 0u) << c.requests[0];

  // The chain the runtime reports names the C layer between tcp and h1.
  ASSERT_FALSE(events.chains.empty());
  const std::string& chain = events.chains.back();
  size_t tcp = chain.find("tcp");
  size_t c_layer = chain.find("c-passthrough");
  size_t h1 = chain.find("h1");
  EXPECT_NE(c_layer, std::string::npos) << chain;
  EXPECT_LT(tcp, c_layer) << chain;
  EXPECT_LT(c_layer, h1) << chain;
}

// A C plugin's set_error message must reach the application, attributed to
// the C layer.
// Regression: a layer above tcp failing connect() before lower_connect used
// to leave strata_fetch in epoll_wait(-1) forever.
TEST(CPluginRuntimeTest, CPluginErrorReachesTheApplication) {
  ScriptedPeer peer({{NeverAnswer()}});
  RuntimeResult rt = MakeRuntime(ConfigWithCPlugin(
      "c-passthrough",
      "[\"tcp\", {\"layer\": \"c-passthrough\", \"options\": {\"refuse\": true}}, \"h1\"]"));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), peer.Url("/"));
  EXPECT_EQ(r.status, STRATA_E_CONNECT) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("refuse"), std::string::npos) << r.error.message;
  EXPECT_STREQ(r.error.layer, "c-passthrough");
  EXPECT_EQ(r.response, nullptr);
}

void ExpectRefused(const std::string& variant, const std::string& plugin_version) {
  RuntimeResult rt = MakeRuntime(ConfigWithCPlugin(variant, "[\"tcp\", \"h1\"]"));
  EXPECT_EQ(rt.status, STRATA_E_PLUGIN_ABI) << rt.error.message;
  EXPECT_EQ(rt.runtime, nullptr);
  EXPECT_EQ(rt.error.code, STRATA_E_PLUGIN_ABI);
  std::string message = rt.error.message;
  EXPECT_NE(message.find(PluginPath(variant)), std::string::npos)
      << "message must name the file: " << message;
  std::string host_version =
      std::to_string(STRATA_ABI_MAJOR) + "." + std::to_string(STRATA_ABI_MINOR);
  EXPECT_NE(message.find(plugin_version), std::string::npos)
      << "message must name the plugin's version " << plugin_version << ": " << message;
  EXPECT_NE(message.find(host_version), std::string::npos)
      << "message must name the host's version " << host_version << ": " << message;
}

TEST(CPluginRuntimeTest, WrongMajorIsRefused) {
  ExpectRefused("c-passthrough-wrong-major",
                std::to_string(STRATA_ABI_MAJOR + 1) + "." + std::to_string(STRATA_ABI_MINOR));
}

TEST(CPluginRuntimeTest, NewerMinorIsRefused) {
  ExpectRefused("c-passthrough-newer-minor",
                std::to_string(STRATA_ABI_MAJOR) + "." + std::to_string(STRATA_ABI_MINOR + 1));
}

}  // namespace
}  // namespace strata::test
