// End to end through the public C API: the h2-alpn and h2-upgrade plugins
// against real servers on 127.0.0.1 — nghttpd (HTTP/2 with prior
// knowledge), nginx with TLS and http2 (ALPN h2), nginx with TLS without
// http2 (ALPN fallback to HTTP/1.1) and plain nginx (an h2c upgrade that is
// ignored, HOSTILE 6). The accepted h2c upgrade is in h2c_apache_test.cc.
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/h2/h2_peers.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/free_port.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

std::string Config(const std::string& ca_file) {
  const std::string ca = ca_file.empty() ? "" : ", \"ca_file\": " + JsonString(ca_file);
  return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
         " \"plugins\": [\"tcp\", \"tls\", \"h1\", \"h2-alpn\", \"h2-upgrade\"],"
         " \"pipelines\": {"
         "   \"https+h2\": [\"tcp\", {\"layer\": \"tls\", \"options\": {\"alpn\": [\"h2\", \"http/1.1\"]" + ca +
         "}}, \"h2-alpn\"],"
         "   \"http+h2c\": [\"tcp\", \"h2-upgrade\"],"
         "   \"http+h2-prior\": [\"tcp\", {\"layer\": \"h2-alpn\", \"options\": {\"prior_knowledge\": true}}]},"
         " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000,"
         " \"idle_ms\": 10000, \"total_ms\": 60000}}";
}

RuntimePtr NewRuntime(const std::string& ca_file = "") {
  RuntimeResult rt = MakeRuntime(Config(ca_file));
  EXPECT_EQ(rt.status, STRATA_OK) << rt.error.message;
  return std::move(rt.runtime);
}

FetchSpec Spec(const std::string& url, const std::string& pipeline) {
  FetchSpec spec;
  spec.url = url;
  spec.string_options.push_back({STRATA_OPT_PIPELINE, pipeline});
  return spec;
}

// A deterministic pseudo-random body, so a misplaced or repeated byte range
// changes the checksum.
std::string Pattern(size_t size, uint32_t seed) {
  std::string s(size, '\0');
  uint32_t x = seed;
  for (size_t i = 0; i < size; ++i) {
    x = x * 1664525u + 1013904223u;
    s[i] = static_cast<char>(x >> 24);
  }
  return s;
}

// ---------------------------------------------------------------------------
// nghttpd: HTTP/2 with prior knowledge over cleartext.

class PriorKnowledge : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new Nghttpd();
    server_->WriteDocFile("hello.txt", "hello over h2\n");
    big_ = new std::string(Pattern(64 << 20, 7));
    server_->WriteDocFile("big.bin", *big_);
    std::string e;
    ASSERT_TRUE(server_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    delete big_;
    big_ = nullptr;
  }
  static std::string Url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  static Nghttpd* server_;
  static std::string* big_;
};
Nghttpd* PriorKnowledge::server_ = nullptr;
std::string* PriorKnowledge::big_ = nullptr;

TEST_F(PriorKnowledge, GetOverHttp2) {
  RuntimePtr rt = NewRuntime();
  FetchResult r = Fetch(rt.get(), Spec(Url("/hello.txt"), "http+h2-prior"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 20);
  EXPECT_STREQ(strata_response_reason(r.response.get()), "") << "HTTP/2 has no reason phrase";
  EXPECT_EQ(r.body(), "hello over h2\n");
  EXPECT_EQ(r.header("server").rfind("nghttpd", 0), 0u);
  EXPECT_NE(Chain(r).find("h2"), std::string::npos) << Chain(r);

  // The same connection carries the next request.
  FetchResult again = Fetch(rt.get(), Spec(Url("/hello.txt"), "http+h2-prior"));
  ASSERT_EQ(again.status, STRATA_OK) << again.Describe();
  EXPECT_EQ(again.info(STRATA_INFO_NUM_CONNECTS), 0);
}

TEST_F(PriorKnowledge, MissingFileIs404OverHttp2) {
  RuntimePtr rt = NewRuntime();
  FetchResult r = Fetch(rt.get(), Spec(Url("/nothing-here"), "http+h2-prior"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 404);
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 20);
}

// SubmitAll runs |count| GETs of |url| submitted at once. Returns how many
// ended 200; *connects counts the connections they made, *resent the
// requests the server did not process (REFUSED_STREAM, GOAWAY) and the
// runtime sent again.
int SubmitAll(strata_runtime* rt, const std::string& url, int count, int64_t* connects, int* resent,
              std::string* first_error) {
  *resent = 0;
  strata_runtime_set_event_callback(
      rt,
      [](void* user, const strata_event* e) {
        if (std::string(e->message).find("did not process the request") != std::string::npos) {
          ++*static_cast<int*>(user);
        }
      },
      resent, 1u << STRATA_EVENT_TRACE);
  strata_status st = STRATA_OK;
  RequestPtr request = PrepareRequest(Spec(url, "http+h2-prior"), &st);
  if (!request) return 0;
  std::vector<strata_transfer*> transfers;
  for (int i = 0; i < count; ++i) {
    strata_transfer* t = nullptr;
    if (strata_submit(rt, request.get(), nullptr, &t) != STRATA_OK) break;
    transfers.push_back(t);
  }
  size_t running = transfers.size();
  for (int turns = 0; running > 0 && turns < 100000; ++turns) {
    if (strata_runtime_run(rt, 1000, &running) != STRATA_OK) break;
  }
  int ok = 0;
  *connects = 0;
  for (strata_transfer* t : transfers) {
    strata_error error = NewError();
    if (strata_transfer_result(t, &error) == STRATA_OK) {
      ResponsePtr resp(strata_transfer_take_response(t));
      int64_t v = 0;
      if (resp && strata_response_status(resp.get()) == 200) ++ok;
      if (resp && strata_response_info(resp.get(), STRATA_INFO_NUM_CONNECTS, &v) == STRATA_OK) *connects += v;
    } else if (first_error->empty()) {
      *first_error = error.message;
    }
    strata_transfer_free(t);
  }
  strata_runtime_set_event_callback(rt, nullptr, nullptr, 0);
  return ok;
}

// 1,000 requests submitted at once against nghttpd, which allows 100
// concurrent streams per connection and refuses any more with
// REFUSED_STREAM: none is refused, so no connection ever had more than 100
// open streams.
TEST_F(PriorKnowledge, ThousandRequestsStayWithinTheServersStreamLimit) {
  RuntimePtr rt = NewRuntime();
  int64_t connects = 0;
  int resent = 0;
  std::string error;
  EXPECT_EQ(SubmitAll(rt.get(), Url("/hello.txt"), 1000, &connects, &resent, &error), 1000) << error;
  EXPECT_EQ(resent, 0);
  EXPECT_GE(connects, 1);
}

// The same 1,000 requests on a single connection: while the connection is
// being set up and whenever it is at the server's stream limit, the runtime
// queues requests for it instead of opening more connections.
TEST_F(PriorKnowledge, ThousandRequestsOverOneConnection) {
  RuntimePtr rt = NewRuntime();
  int64_t connects = 0;
  int resent = 0;
  std::string error;
  EXPECT_EQ(SubmitAll(rt.get(), Url("/hello.txt"), 1000, &connects, &resent, &error), 1000) << error;
  EXPECT_EQ(connects, 1);
}

// A server allowing only 10 concurrent streams: still one connection.
TEST(PriorKnowledgeLowLimit, ThousandRequestsWaitForAFullConnection) {
  Nghttpd server(10);
  server.WriteDocFile("hello.txt", "hello\n");
  std::string e;
  ASSERT_TRUE(server.Start(&e)) << e;
  RuntimePtr rt = NewRuntime();
  int64_t connects = 0;
  int resent = 0;
  std::string error;
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/hello.txt";
  EXPECT_EQ(SubmitAll(rt.get(), url, 1000, &connects, &resent, &error), 1000) << error;
  EXPECT_EQ(resent, 0);
  EXPECT_EQ(connects, 1);
}

TEST_F(PriorKnowledge, Download64MiBUnderFlowControl) {
  RuntimePtr rt = NewRuntime();
  FetchResult r = Fetch(rt.get(), Spec(Url("/big.bin"), "http+h2-prior"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.info(STRATA_INFO_SIZE_DOWNLOAD), int64_t{64} << 20);
  const std::string body = r.body();
  ASSERT_EQ(body.size(), big_->size());
  EXPECT_EQ(Fnv1a64(body), Fnv1a64(*big_));
}

// A stream that timed out is cancelled (RST_STREAM) and the connection
// stays pooled for the next request, as curl and nghttp2 keep it; the
// 64 MiB download cannot finish in 30 ms.
TEST_F(PriorKnowledge, ATimedOutStreamLeavesTheConnectionForTheNextRequest) {
  RuntimePtr rt = NewRuntime();
  FetchResult first = Fetch(rt.get(), Spec(Url("/hello.txt"), "http+h2-prior"));
  ASSERT_EQ(first.status, STRATA_OK) << first.Describe();
  FetchSpec hurried = Spec(Url("/big.bin"), "http+h2-prior");
  hurried.int_options.push_back({STRATA_OPT_TIMEOUT_MS, 30});
  FetchResult late = Fetch(rt.get(), hurried);
  EXPECT_EQ(late.status, STRATA_E_TIMEOUT) << late.Describe();
  FetchResult next = Fetch(rt.get(), Spec(Url("/hello.txt"), "http+h2-prior"));
  ASSERT_EQ(next.status, STRATA_OK) << next.Describe();
  EXPECT_EQ(next.body(), "hello over h2\n");
  EXPECT_EQ(next.info(STRATA_INFO_NUM_CONNECTS), 0) << "the timed-out stream was reset, the connection kept";
}

TEST_F(PriorKnowledge, Upload16MiBUnderFlowControl) {
  RuntimePtr rt = NewRuntime();
  const std::string upload = Pattern(16 << 20, 11);
  FetchSpec spec = Spec(Url("/echo"), "http+h2-prior");
  spec.method = "POST";
  spec.has_body = true;
  spec.body = upload;
  FetchResult r = Fetch(rt.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.info(STRATA_INFO_SIZE_UPLOAD), int64_t{16} << 20);
  const std::string echoed = r.body();  // nghttpd --echo-upload
  ASSERT_EQ(echoed.size(), upload.size());
  EXPECT_EQ(Fnv1a64(echoed), Fnv1a64(upload));
}

// ---------------------------------------------------------------------------
// nginx with TLS: ALPN h2, and the HTTP/1.1 fallback.

class Alpn : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    nginx_ = new AlpnNginx();
    ASSERT_TRUE(nginx_->Start(&e)) << e;
    pki_ = &nginx_->pki();
    h1_port_ = nginx_->h1_port();
    h2_port_ = nginx_->h2_port();
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
    pki_ = nullptr;
  }
  static std::string Url(uint16_t port) { return "https://localhost:" + std::to_string(port) + "/"; }

  static const TestPki* pki_;  // nginx_'s
  static AlpnNginx* nginx_;
  static uint16_t h1_port_;
  static uint16_t h2_port_;
};
const TestPki* Alpn::pki_ = nullptr;
AlpnNginx* Alpn::nginx_ = nullptr;
uint16_t Alpn::h1_port_ = 0;
uint16_t Alpn::h2_port_ = 0;

TEST_F(Alpn, Rfc9113_3_2_NginxChoosesH2) {
  RuntimePtr rt = NewRuntime(pki_->Cert("ca"));
  FetchResult r = Fetch(rt.get(), Spec(Url(h2_port_), "https+h2"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << nginx_->ErrorLog();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 20);
  EXPECT_EQ(r.body(), "alpn=h2 protocol=HTTP/2.0\n");
  FetchResult again = Fetch(rt.get(), Spec(Url(h2_port_), "https+h2"));
  ASSERT_EQ(again.status, STRATA_OK) << again.Describe();
  EXPECT_EQ(again.info(STRATA_INFO_NUM_CONNECTS), 0);
}

TEST_F(Alpn, Hostile2_ServerWithoutH2FallsBackToHttp11OnTheSameConnection) {
  RuntimePtr rt = NewRuntime(pki_->Cert("ca"));
  FetchResult r = Fetch(rt.get(), Spec(Url(h1_port_), "https+h2"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 11);
  EXPECT_EQ(r.body(), "alpn=http/1.1 protocol=HTTP/1.1\n");
  EXPECT_NE(Chain(r).find("h1 (ALPN fallback)"), std::string::npos) << Chain(r);
  FetchResult again = Fetch(rt.get(), Spec(Url(h1_port_), "https+h2"));
  ASSERT_EQ(again.status, STRATA_OK) << again.Describe();
  EXPECT_EQ(again.info(STRATA_INFO_NUM_CONNECTS), 0);  // keep-alive
}

// ---------------------------------------------------------------------------
// Plain nginx ignores Upgrade: h2c (HOSTILE 6).

TEST(H2cDeclined, Hostile6_NginxIgnoresTheUpgradeAndTheConnectionIsReused) {
  NginxFixture nginx;
  nginx.WriteDocFile("a.txt", "plain http/1.1\n");
  std::string e;
  ASSERT_TRUE(nginx.Start(&e)) << e;
  RuntimePtr rt = NewRuntime();
  std::string traces;
  strata_runtime_set_event_callback(
      rt.get(),
      [](void* user, const strata_event* e) {
        *static_cast<std::string*>(user) += std::string(e->layer) + ": " + e->message + "\n";
      },
      &traces, 1u << STRATA_EVENT_TRACE);
  FetchResult r = Fetch(rt.get(), Spec(nginx.Url("/a.txt"), "http+h2c"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 11);
  EXPECT_EQ(r.body(), "plain http/1.1\n");
  EXPECT_NE(traces.find("h2-upgrade: asking the server to upgrade to h2c"), std::string::npos) << traces;
  EXPECT_NE(traces.find("h2-upgrade: h2c upgrade declined (the server answered 200)"), std::string::npos)
      << traces;
  FetchResult again = Fetch(rt.get(), Spec(nginx.Url("/a.txt"), "http+h2c"));
  ASSERT_EQ(again.status, STRATA_OK) << again.Describe();
  EXPECT_EQ(again.info(STRATA_INFO_NUM_CONNECTS), 0);
  EXPECT_EQ(again.info(STRATA_INFO_HTTP_VERSION), 11);
  std::vector<AccessLogEntry> log = nginx.WaitForAccessLog(2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].connection, log[1].connection);
  EXPECT_EQ(log[1].connection_requests, 2u);
}

}  // namespace
}  // namespace strata::test
