// Backward compatibility: a plugin compiled against the frozen ABI 1.0
// headers (tests/abi/v1_0, never api/) is loaded by the current runtime
// and carries a real exchange with nginx as a byte-stream layer. The
// refusals of a newer minor and of another major, with messages naming the
// file and both versions, are c_plugin_runtime_test's WrongMajorIsRefused
// and NewerMinorIsRefused (and strata-inspect's test for its listing).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

std::string Abi10Plugin() { return RunfilePath("tests/abi/c_plugin/strata-c-passthrough-abi-1-0.so"); }

void RecordHopChain(void* user, const strata_event* event) {
  static_cast<std::vector<std::string>*>(user)->push_back(event->chain);
}

TEST(Abi10PluginTest, CurrentRuntimeHostsAPluginBuiltForAbi10) {
  NginxFixture nginx;
  std::string error;
  ASSERT_TRUE(nginx.Start(&error)) << error;
  nginx.WriteDocFile("compat.txt", "carried by an ABI 1.0 plugin\n");

  RuntimeResult rt = MakeRuntime(DefaultTestConfig(", {\"path\": " + JsonString(Abi10Plugin()) + "}",
                                                   "[\"tcp\", \"c-passthrough\", \"h1\"]"));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  std::vector<std::string> chains;
  strata_runtime_set_event_callback(rt.runtime.get(), RecordHopChain, &chains, 1u << STRATA_EVENT_HOP);

  FetchResult r = Get(rt.runtime.get(), nginx.Url("/compat.txt"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "carried by an ABI 1.0 plugin\n");

  // The 1.0 layer sat in the chain and every byte crossed it: its own
  // description counts them (nothing is 0).
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_NE(chains[0].find("c-passthrough(sent="), std::string::npos) << chains[0];
  EXPECT_EQ(chains[0].find("sent=0,"), std::string::npos) << chains[0];
  EXPECT_EQ(chains[0].find("received=0)"), std::string::npos) << chains[0];
  std::vector<AccessLogEntry> log = nginx.WaitForAccessLog(1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].request, "GET /compat.txt HTTP/1.1");
}

}  // namespace
}  // namespace strata::test
