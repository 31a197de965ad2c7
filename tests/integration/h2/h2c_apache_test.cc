// End to end: an accepted h2c upgrade (RFC 7540 §3.2) against Apache httpd
// with mod_http2. The first response arrives over HTTP/2 on stream 1; the
// next request is an HTTP/2 stream on the same connection.
#include <string>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/h2/h2_peers.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

TEST(H2cAccepted, Rfc7540_3_2_UpgradeThenMultiplexOnTheSameConnection) {
  ApacheH2c apache;
  apache.WriteDocFile("a.txt", "upgraded\n");
  std::string e;
  ASSERT_TRUE(apache.Start(&e)) << e;
  const std::string config =
      "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
      " \"plugins\": [\"tcp\", \"h1\", \"h2-upgrade\"],"
      " \"pipelines\": {\"http+h2c\": [\"tcp\", \"h2-upgrade\"]},"
      " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000, \"idle_ms\": 10000, \"total_ms\": 30000}}";
  RuntimeResult rt = MakeRuntime(config);
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  std::string traces;
  strata_runtime_set_event_callback(
      rt.runtime.get(),
      [](void* user, const strata_event* e) {
        *static_cast<std::string*>(user) += std::string(e->layer) + ": " + e->message + "\n";
      },
      &traces, 1u << STRATA_EVENT_TRACE);
  FetchSpec spec;
  spec.url = "http://127.0.0.1:" + std::to_string(apache.port()) + "/a.txt";
  spec.string_options.push_back({STRATA_OPT_PIPELINE, "http+h2c"});

  FetchResult first = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(first.status, STRATA_OK) << first.Describe() << apache.ErrorLog();
  EXPECT_EQ(first.http_status(), 200);
  EXPECT_EQ(first.info(STRATA_INFO_HTTP_VERSION), 20);
  EXPECT_EQ(first.body(), "upgraded\n");
  EXPECT_NE(traces.find("h2-upgrade: h2c upgrade accepted"), std::string::npos) << traces;

  FetchResult second = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(second.status, STRATA_OK) << second.Describe() << apache.ErrorLog();
  EXPECT_EQ(second.info(STRATA_INFO_NUM_CONNECTS), 0);
  EXPECT_EQ(second.info(STRATA_INFO_HTTP_VERSION), 20);
  EXPECT_EQ(second.body(), "upgraded\n");
}

}  // namespace
}  // namespace strata::test
