// End to end: an accepted h2c upgrade (RFC 7540 §3.2) against Apache httpd
// with mod_http2. The first response arrives over HTTP/2 on stream 1; the
// next request is an HTTP/2 stream on the same connection.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/h2/h2_peers.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/free_port.h"
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

// Issue 7: a hop from https:// (h2 via ALPN) to http:// with HTTP/2 asked
// for builds the h2c upgrade chain for the new hop, and the hop events say
// which protocol each chain ended up speaking.
TEST(H2cAccepted, RedirectFromH2OverTlsToH2cBuildsTheUpgradeChain) {
  ApacheH2c apache;
  apache.WriteDocFile("landing.txt", "landed over h2c\n");
  std::string e;
  ASSERT_TRUE(apache.Start(&e)) << e;
  TestPki pki;
  ASSERT_TRUE(pki.MakeCa("ca", &e) &&
              pki.MakeLocalhostLeaf("ca", &e))
      << e;
  TlsNginx nginx;
  const uint16_t h2_port = FreePort();
  nginx.AddServer("    listen 127.0.0.1:" + std::to_string(h2_port) + " ssl http2;\n    ssl_certificate \"" +
                  pki.Cert("localhost") + "\";\n    ssl_certificate_key \"" + pki.Key("localhost") +
                  "\";\n    location = /go { return 302 http://127.0.0.1:" + std::to_string(apache.port()) +
                  "/landing.txt; }\n");
  ASSERT_TRUE(nginx.Start(&e)) << e;
  for (int i = 0; i < 200 && !PortAcceptsConnections(h2_port); ++i) usleep(10000);

  RuntimeResult rt = MakeRuntime("{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "]}");
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  std::vector<std::string> chains;
  strata_runtime_set_event_callback(
      rt.runtime.get(),
      [](void* user, const strata_event* e) { static_cast<std::vector<std::string>*>(user)->push_back(e->chain); },
      &chains, 1u << STRATA_EVENT_HOP);
  FetchSpec spec;
  spec.url = "https://localhost:" + std::to_string(h2_port) + "/go";
  spec.int_options = {{STRATA_OPT_FOLLOW_REDIRECTS, 1},
                      {STRATA_OPT_UNSAFE_REDIRECT, 1},
                      {STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_2}};
  spec.string_options = {{STRATA_OPT_LAYER_OPTIONS, "{\"tls\": {\"ca_file\": " + JsonString(pki.Cert("ca")) + "}}"}};
  FetchResult r = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << apache.ErrorLog();
  EXPECT_EQ(r.body(), "landed over h2c\n");
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 20);
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 1);
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_NE(chains[0].find("tls(sni=localhost, alpn=h2"), std::string::npos) << chains[0];
  EXPECT_NE(chains[0].find("h2"), std::string::npos) << chains[0];
  EXPECT_NE(chains[1].find("h2-upgrade (upgraded to h2"), std::string::npos) << chains[1];
  EXPECT_EQ(chains[1].find("tls"), std::string::npos) << chains[1];
}


// The reliability issue's defect 3 (HOSTILE 27): under mpm_event Apache
// sends GOAWAY(last_stream_id=1, "timeout") after the first stream of each
// upgraded connection, so every stream the client opened there meanwhile
// comes back "not processed". Each must be resent on a fresh connection
// (where it is the upgrade request, stream 1, and gets served): 3,000
// requests at parallelism 50, zero failures. Before, resends could land on
// connections that were already dying and 1–3 (once 62) of 3,000 failed.
TEST(H2cGoaway, ThreeThousandRequestsAgainstGoawayAfterEveryUpgradeAllSucceed) {
  ApacheH2c apache(/*mpm_event=*/true);
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
  int resends = 0;
  strata_runtime_set_event_callback(
      rt.runtime.get(),
      [](void* user, const strata_event* ev) {
        if (std::string(ev->message).find("did not process the request") != std::string::npos) {
          ++*static_cast<int*>(user);
        }
      },
      &resends, 1u << STRATA_EVENT_TRACE);
  FetchSpec spec;
  spec.url = "http://127.0.0.1:" + std::to_string(apache.port()) + "/a.txt";
  spec.int_options.push_back({STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_2});
  strata_status st = STRATA_OK;
  RequestPtr req = PrepareRequest(spec, &st);
  ASSERT_EQ(st, STRATA_OK);
  constexpr int kTotal = 3000;
  constexpr int kParallel = 50;
  int submitted = 0, finished = 0, ok = 0;
  std::string failures;
  auto submit = [&] {
    strata_transfer* t = nullptr;
    ASSERT_EQ(strata_submit(rt.runtime.get(), req.get(), nullptr, &t), STRATA_OK);
    ++submitted;
  };
  for (int i = 0; i < kParallel; ++i) submit();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(240);
  while (finished < kTotal && std::chrono::steady_clock::now() < give_up) {
    size_t running = 0;
    strata_runtime_run(rt.runtime.get(), 100, &running);
    while (strata_transfer* t = strata_runtime_next_done(rt.runtime.get())) {
      ++finished;
      strata_error err = NewError();
      if (strata_transfer_result(t, &err) == STRATA_OK) {
        strata_response* resp = strata_transfer_take_response(t);
        const uint8_t* body = nullptr;
        size_t len = 0;
        strata_response_body(resp, &body, &len);
        if (strata_response_status(resp) == 200 && std::string(reinterpret_cast<const char*>(body), len) == "upgraded\n") {
          ++ok;
        }
        strata_response_free(resp);
      } else if (failures.size() < 2000) {
        failures += std::string(strata_status_name(strata_transfer_result(t, &err))) + ": " + err.message + "\n";
      }
      strata_transfer_free(t);
      if (submitted < kTotal) submit();
    }
  }
  EXPECT_EQ(finished, kTotal);
  EXPECT_EQ(ok, kTotal) << failures;
  // Usually nearly every request is refused once and resent (2,950-2,990
  // of 3,000 here); in some runs Apache keeps the connections going and
  // refuses none, so the count is reported, not asserted.
  std::printf("requests resent after GOAWAY: %d of %d\n", resends, kTotal);
}

}  // namespace
}  // namespace strata::test
