// HTTP/2 by default on https (issue 13), through the public C API and the
// CLI, with the default configuration's templates: nginx with http2 picks
// h2, nginx without it and a forced 1.1 speak HTTP/1.1, nghttpd (HTTP/2
// only) works with no flag and, offered only http/1.1, closes the connection,
// which strata reports as curl does (exit 52) with a hint that the server
// may speak only HTTP/2. Parallel transfers to a server that picks HTTP/1.1
// stop waiting for one connection once the first one has told.
#include <sys/wait.h>

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

// The default configuration's plugins and templates; only where the
// plugins are and short timeouts are ours.
std::string DefaultConfig() {
  return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
         " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000,"
         " \"idle_ms\": 10000, \"total_ms\": 30000}}";
}

// RunCommand runs |command| through the shell; *out gets its stdout and
// stderr together. Returns the exit status.
int RunCommand(const std::string& command, std::string* out) {
  out->clear();
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

class HttpsDefault : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    nginx_ = new AlpnNginx();
    ASSERT_TRUE(nginx_->Start(&e)) << e;
    pki_ = &nginx_->pki();
    h1_port_ = nginx_->h1_port();
    h2_port_ = nginx_->h2_port();

    nghttpd_ = new Nghttpd();
    nghttpd_->UseTls(pki_->Key("localhost"), pki_->Cert("localhost"));
    nghttpd_->WriteDocFile("hello.txt", "hello over h2 only\n");
    ASSERT_TRUE(nghttpd_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete nghttpd_;
    nghttpd_ = nullptr;
    delete nginx_;
    nginx_ = nullptr;
    pki_ = nullptr;
  }

  void SetUp() override {
    RuntimeResult rt = MakeRuntime(DefaultConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
  }

  static std::string Url(uint16_t port, const std::string& path = "/") {
    return "https://localhost:" + std::to_string(port) + path;
  }
  static FetchSpec Spec(const std::string& url, int64_t http_version = STRATA_HTTP_VERSION_DEFAULT) {
    FetchSpec spec;
    spec.url = url;
    spec.string_options.push_back(
        {STRATA_OPT_LAYER_OPTIONS, "{\"tls\": {\"ca_file\": " + JsonString(pki_->Cert("ca")) + "}}"});
    if (http_version != STRATA_HTTP_VERSION_DEFAULT) spec.int_options.push_back({STRATA_OPT_HTTP_VERSION, http_version});
    return spec;
  }

  static const TestPki* pki_;  // nginx_'s, which nghttpd_ serves too
  static AlpnNginx* nginx_;
  static Nghttpd* nghttpd_;
  static uint16_t h1_port_, h2_port_;
  RuntimePtr runtime_;
};
const TestPki* HttpsDefault::pki_ = nullptr;
AlpnNginx* HttpsDefault::nginx_ = nullptr;
Nghttpd* HttpsDefault::nghttpd_ = nullptr;
uint16_t HttpsDefault::h1_port_ = 0;
uint16_t HttpsDefault::h2_port_ = 0;

TEST_F(HttpsDefault, NginxWithHttp2IsSpokenToInHttp2) {
  FetchResult r = Fetch(runtime_.get(), Spec(Url(h2_port_)));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << nginx_->ErrorLog();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 20);
  EXPECT_EQ(r.body(), "alpn=h2 protocol=HTTP/2.0\n");
  EXPECT_NE(Chain(r).find("alpn=h2"), std::string::npos) << Chain(r);
}

TEST_F(HttpsDefault, NginxWithoutHttp2FallsBackToHttp11) {
  FetchResult r = Fetch(runtime_.get(), Spec(Url(h1_port_)));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 11);
  EXPECT_EQ(r.body(), "alpn=http/1.1 protocol=HTTP/1.1\n");
  FetchResult again = Fetch(runtime_.get(), Spec(Url(h1_port_)));
  ASSERT_EQ(again.status, STRATA_OK) << again.Describe();
  EXPECT_EQ(again.info(STRATA_INFO_NUM_CONNECTS), 0) << "the HTTP/1.1 connection was not kept";
}

TEST_F(HttpsDefault, ForcedHttp11OffersOnlyHttp11) {
  FetchResult r = Fetch(runtime_.get(), Spec(Url(h2_port_), STRATA_HTTP_VERSION_1_1));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 11);
  EXPECT_EQ(r.body(), "alpn=http/1.1 protocol=HTTP/1.1\n");
  EXPECT_NE(Chain(r).find("→ h1"), std::string::npos) << Chain(r);
}

TEST_F(HttpsDefault, Http2OnlyServerWorksWithNoFlag) {
  FetchResult r = Fetch(runtime_.get(), Spec(Url(nghttpd_->port(), "/hello.txt")));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << nghttpd_->Log();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 20);
  EXPECT_EQ(r.body(), "hello over h2 only\n");
}

TEST_F(HttpsDefault, Http2OnlyServerOfferedOnlyHttp11SuggestsHttp2) {
  FetchResult r = Fetch(runtime_.get(), Spec(Url(nghttpd_->port(), "/hello.txt"), STRATA_HTTP_VERSION_1_1));
  EXPECT_EQ(r.status, STRATA_E_CLOSED) << r.Describe();
  const std::string message = r.error.message;
  EXPECT_NE(message.find("server closed the connection"), std::string::npos) << message;
  EXPECT_NE(message.find("it may speak only HTTP/2"), std::string::npos) << message;
}

// A resumed request over HTTP/2 that the server answers with a 200 (nginx's
// "return" ignores ranges): STRATA_E_RANGE, the stream is cancelled, and
// the connection carries the next request.
TEST_F(HttpsDefault, ResumeRefusedOverHttp2CancelsOnlyTheStream) {
  FetchSpec spec = Spec(Url(h2_port_));
  spec.int_options.push_back({STRATA_OPT_RESUME_FROM, 5});
  FetchResult r = Fetch(runtime_.get(), spec);
  EXPECT_EQ(r.status, STRATA_E_RANGE) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("ignored the range"), std::string::npos) << r.error.message;
  FetchResult next = Fetch(runtime_.get(), Spec(Url(h2_port_)));
  ASSERT_EQ(next.status, STRATA_OK) << next.Describe();
  EXPECT_EQ(next.info(STRATA_INFO_HTTP_VERSION), 20);
  EXPECT_EQ(next.info(STRATA_INFO_NUM_CONNECTS), 0) << "the HTTP/2 connection was lost";
}

// A configuration that loads tls and h1 but not h2-alpn loses the default
// "https" template (its layers are missing) and speaks HTTP/1.1 through
// "https+h1".
TEST_F(HttpsDefault, WithoutTheHttp2PluginHttpsSpeaksHttp11) {
  RuntimeResult rt = MakeRuntime("{\"plugin_dirs\": [" + JsonString(DistPluginDir()) +
                                 "], \"plugins\": [\"tcp\", \"tls\", \"h1\"]}");
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Fetch(rt.runtime.get(), Spec(Url(h2_port_)));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 11);
  EXPECT_EQ(r.body(), "alpn=http/1.1 protocol=HTTP/1.1\n");
}

// A configuration that replaced "https" (here: a TLS layer offering no
// ALPN at all) keeps it when HTTP/1.1 is forced: it never said what
// "https+h1" should be, and the built-in one would bypass its layers.
TEST_F(HttpsDefault, ForcedHttp11KeepsTheConfigurationsOwnHttpsTemplate) {
  RuntimeResult rt = MakeRuntime("{\"plugin_dirs\": [" + JsonString(DistPluginDir()) +
                                 "], \"pipelines\": {\"https\": [\"tcp\", {\"layer\": \"tls\", "
                                 "\"options\": {\"alpn\": []}}, \"h1\"]}}");
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Fetch(rt.runtime.get(), Spec(Url(h2_port_), STRATA_HTTP_VERSION_1_1));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.info(STRATA_INFO_HTTP_VERSION), 11);
  EXPECT_EQ(r.body(), "alpn= protocol=HTTP/1.1\n");
  EXPECT_NE(Chain(r).find("alpn=none"), std::string::npos) << Chain(r);
}

// The CLI side by side with the installed curl: the same output and
// %{http_version} with no flag, the same exit code (52, empty reply) with
// --http1.1.
TEST_F(HttpsDefault, CliMatchesCurl) {
  const std::string strata = RunfilePath("tools/strata");
  const std::string ca = pki_->Cert("ca");
  const std::string url = Url(nghttpd_->port(), "/hello.txt");
  std::string out;
  EXPECT_EQ(RunCommand(strata + " -sS --cacert '" + ca + "' -w '%{http_version}\\n' '" + url + "'", &out), 0) << out;
  EXPECT_EQ(out, "hello over h2 only\n2\n");
  std::string curl_out;
  EXPECT_EQ(RunCommand("curl -sS --cacert '" + ca + "' -w '%{http_version}\\n' '" + url + "'", &curl_out), 0)
      << curl_out;
  EXPECT_EQ(curl_out, out);

  const int curl_exit = RunCommand("curl -sS --http1.1 --cacert '" + ca + "' '" + url + "'", &curl_out);
  const int strata_exit = RunCommand(strata + " -sS --http1.1 --cacert '" + ca + "' '" + url + "'", &out);
  EXPECT_EQ(curl_exit, 52) << curl_out;
  EXPECT_EQ(strata_exit, curl_exit) << out;
  EXPECT_NE(out.find("may speak only HTTP/2"), std::string::npos) << out;
  // -s alone silences the error, as in curl.
  EXPECT_EQ(RunCommand(strata + " -s --http1.1 --cacert '" + ca + "' '" + url + "'", &out), 52);
  EXPECT_EQ(out, "");
}

// Twenty transfers at once to a server that picks HTTP/1.1: they wait for
// the first connection (it might have been HTTP/2 and carried them all),
// and once it has said HTTP/1.1 the others set up their connections
// together, not one after another.
struct ConnectLog {
  std::vector<char> order;  // 'c': a "connecting to" trace, 'R': a connection ready
  static void Record(void* user, const strata_event* e) {
    auto* self = static_cast<ConnectLog*>(user);
    if (e->type == STRATA_EVENT_CONNECT) {
      self->order.push_back('R');
    } else if (std::string(e->message).rfind("connecting to ", 0) == 0) {
      self->order.push_back('c');
    }
  }
};

TEST_F(HttpsDefault, ParallelTransfersToAnHttp11ServerConnectTogether) {
  ConnectLog log;
  strata_runtime_set_event_callback(runtime_.get(), &ConnectLog::Record, &log,
                                    (1u << STRATA_EVENT_CONNECT) | (1u << STRATA_EVENT_TRACE));
  strata_status st = STRATA_OK;
  RequestPtr request = PrepareRequest(Spec(Url(h1_port_)), &st);
  ASSERT_TRUE(request) << st;
  std::vector<strata_transfer*> transfers;
  for (int i = 0; i < 20; ++i) {
    strata_transfer* t = nullptr;
    ASSERT_EQ(strata_submit(runtime_.get(), request.get(), nullptr, &t), STRATA_OK);
    transfers.push_back(t);
  }
  size_t running = transfers.size();
  for (int turns = 0; running > 0 && turns < 100000; ++turns) {
    ASSERT_EQ(strata_runtime_run(runtime_.get(), 1000, &running), STRATA_OK);
  }
  int ok = 0;
  int64_t connects = 0;
  for (strata_transfer* t : transfers) {
    strata_error error = NewError();
    if (strata_transfer_result(t, &error) == STRATA_OK) {
      ResponsePtr resp(strata_transfer_take_response(t));
      int64_t v = 0;
      if (resp && strata_response_status(resp.get()) == 200) ++ok;
      if (resp && strata_response_info(resp.get(), STRATA_INFO_NUM_CONNECTS, &v) == STRATA_OK) connects += v;
    } else {
      ADD_FAILURE() << error.message;
    }
    strata_transfer_free(t);
  }
  strata_runtime_set_event_callback(runtime_.get(), nullptr, nullptr, 0);
  EXPECT_EQ(ok, 20);
  EXPECT_EQ(connects, 20);
  const std::string order(log.order.begin(), log.order.end());
  // One connection set up alone, then the other nineteen started before
  // the second is ready.
  ASSERT_GE(order.size(), 3u) << order;
  EXPECT_EQ(order.substr(0, 2), "cR") << order;
  const size_t second_ready = order.find('R', 2);
  ASSERT_NE(second_ready, std::string::npos) << order;
  EXPECT_EQ(second_ready, 2 + 19u) << "connections were set up one after another: " << order;
}

}  // namespace
}  // namespace strata::test
