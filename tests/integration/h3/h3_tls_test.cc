// The h3 layer's TLS against a real QUIC server (gtlsserver, the ngtcp2
// example server on GnuTLS): it reports its handshake as the tls layer does
// (app-connect time, handshake policies such as --pinnedpubkey), resumes
// sessions from the process-wide cache, and sends idempotent requests in
// 0-RTT when asked to (early_data, --tls-earlydata).
//
// Resumption needs two QUIC connections in one process: the tests use the
// C API with two runtimes (a runtime's pool would reuse the first
// connection), which share the plugin and so its session cache.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/gtlsserver_fixture.h"
#include "tests/support/process.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"
#include "tests/support/side_by_side.h"

namespace strata::test {
namespace {

using std::chrono::seconds;

constexpr char kSmall[] = "hello over QUIC\n";

// BoringSSL tells the server a ticket's age in whole seconds (the time
// since the ticket, both truncated to seconds), and gtlsserver's GnuTLS
// refuses early data when the client claims an older ticket than it knows
// of: a ticket stored at 5.98 s and offered at 6.01 s claims 1000 ms against
// the server's 30 ms, and 0-RTT is rejected (seen in loaded CI runs, and in
// 4 of 400 runs here, every one across a second boundary). A case that
// expects 0-RTT accepted therefore starts at the top of a wall-clock
// second, so that its two connections fall in the same second.
void WaitForTheTopOfASecond() {
  using std::chrono::milliseconds;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto into = std::chrono::duration_cast<milliseconds>(now) % milliseconds(1000);
  std::this_thread::sleep_for(milliseconds(1000) - into + milliseconds(2));
}

RunResult RunStrata(const std::vector<std::string>& args, seconds timeout = seconds(60)) {
  RunResult r = RunCli(true, args, "", timeout);
  EXPECT_EQ(r.start_error, "");
  EXPECT_FALSE(r.exit.timed_out) << "strata did not finish in time";
  return r;
}

class H3TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki();
    std::string error;
    ASSERT_TRUE(pki_->MakeCa("ca", &error)) << error;
    ASSERT_TRUE(pki_->MakeCa("other-ca", &error)) << error;
    ASSERT_TRUE(pki_->MakeLocalhostLeaf("ca", &error)) << error;
    htdocs_ = new std::string(MakeTempDir("htdocs"));
    WriteFileOrDie(*htdocs_ + "/small.txt", kSmall);
    // The server's public key, for --pinnedpubkey (curl takes a PEM file).
    key_file_ = new std::string(pki_->PublicKey("localhost"));
    pin_ = new std::string();
    ASSERT_TRUE(pki_->PublicKeyPin("localhost", pin_, &error)) << error;
    server_ = new GtlsServer();
    ASSERT_TRUE(server_->Start(*htdocs_, pki_->Cert("localhost"), pki_->Key("localhost"), &error)) << error;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete pki_;
    delete htdocs_;
    delete key_file_;
    delete pin_;
  }

  static std::string Url(const std::string& path) {
    return "https://localhost:" + std::to_string(server_->port()) + path;
  }
  static std::string Ca() { return pki_->Cert("ca"); }

  static TestPki* pki_;
  static std::string* htdocs_;
  static std::string* key_file_;
  static std::string* pin_;
  static GtlsServer* server_;
};

TestPki* H3TlsTest::pki_ = nullptr;
std::string* H3TlsTest::htdocs_ = nullptr;
std::string* H3TlsTest::key_file_ = nullptr;
std::string* H3TlsTest::pin_ = nullptr;
GtlsServer* H3TlsTest::server_ = nullptr;

// --- the layer reports its TLS --------------------------------------------------

TEST_F(H3TlsTest, AppConnectTimeIsSetAndAPinPolicyPasses) {
  // --pinnedpubkey is a handshake policy: it refuses an https hop whose
  // chain has no layer flagged secure, so passing it shows h3 is one.
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "--pinnedpubkey", *key_file_, "-s", "-S", "-o",
                           "/dev/null", "-w", "%{time_connect} %{time_appconnect} %{http_version}", Url("/small.txt")});
  ASSERT_EQ(r.exit.exit_code, 0) << r.stderr_text << server_->Log();
  double connect = -1, appconnect = -1;
  char version[8] = {0};
  ASSERT_EQ(std::sscanf(r.stdout_text.c_str(), "%lf %lf %7s", &connect, &appconnect, version), 3) << r.stdout_text;
  EXPECT_GT(appconnect, 0.0) << r.stdout_text;
  EXPECT_GE(appconnect, connect) << r.stdout_text;
  EXPECT_EQ(std::string(version), "3");
}

TEST_F(H3TlsTest, AWrongPinRefusesTheH3HopWithExit90) {
  RunResult r = RunStrata({"--http3-only", "--cacert", Ca(), "--pinnedpubkey",
                           "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "-s", "-S", "-o", "/dev/null",
                           Url("/small.txt")});
  EXPECT_EQ(r.exit.exit_code, 90) << r.stderr_text;
  EXPECT_EQ(r.stderr_text.find("no layer to the origin flagged"), std::string::npos) << r.stderr_text;
}

TEST_F(H3TlsTest, TheCApiSeesTheHandshakeFacts) {
  RuntimeResult rt = MakeRuntime("{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "]}");
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchSpec spec;
  spec.url = Url("/small.txt");
  spec.int_options = {{STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_3_ONLY}};
  spec.string_options = {{STRATA_OPT_LAYER_OPTIONS, "{\"h3\": {\"ca_file\": " + JsonString(Ca()) + "}}"}};
  FetchResult r = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), kSmall);
  EXPECT_GT(r.info(STRATA_INFO_TIME_APPCONNECT_US), 0);
  EXPECT_GE(r.info(STRATA_INFO_TIME_APPCONNECT_US), r.info(STRATA_INFO_TIME_TCP_CONNECT_US)) << "curl's time_connect: the udp layer";
}

// --- resumption and 0-RTT --------------------------------------------------------

// Client is one runtime with an event callback that keeps every trace line.
struct Client {
  RuntimePtr runtime;
  std::vector<std::string> trace;

  static void OnEvent(void* user, const strata_event* e) {
    static_cast<Client*>(user)->trace.push_back(std::string(e->layer) + ": " + e->message);
  }
  bool Traced(const std::string& what) const {
    for (const std::string& line : trace) {
      if (line.find(what) != std::string::npos) return true;
    }
    return false;
  }
  std::string Trace() const {
    std::string out;
    for (const std::string& line : trace) out += line + "\n";
    return out;
  }
};

// NewClient: |extra| is more of the configuration object (", \"policies\": ...").
std::unique_ptr<Client> NewClient(const std::string& extra = "") {
  auto c = std::make_unique<Client>();
  RuntimeResult rt = MakeRuntime("{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "]" + extra + "}");
  EXPECT_EQ(rt.status, STRATA_OK) << rt.error.message;
  c->runtime = std::move(rt.runtime);
  if (c->runtime) {
    strata_runtime_set_event_callback(c->runtime.get(), &Client::OnEvent, c.get(),
                                      (1u << STRATA_EVENT_TRACE) | (1u << STRATA_EVENT_CONNECT));
  }
  return c;
}

// The session cache is process-wide and keyed by the trust settings, the
// CA file's path among them: a CA copy of its own gives each test a cache
// of its own, so the order the tests run in does not matter.
std::string CaCopy(const std::string& ca, const std::string& name) {
  const std::string path = MakeTempDir("ca-" + name) + "/ca.pem";
  WriteFileOrDie(path, ReadFileOrDie(ca));
  return path;
}

FetchResult H3Fetch(Client* c, const std::string& url, const std::string& h3_options, const std::string& method = "GET",
                    const std::string* body = nullptr) {
  FetchSpec spec;
  spec.method = method;
  spec.url = url;
  if (body) {
    spec.has_body = true;
    spec.body = *body;
  }
  spec.int_options = {{STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_3_ONLY}};
  spec.string_options = {{STRATA_OPT_LAYER_OPTIONS, "{\"h3\": " + h3_options + "}"}};
  return Fetch(c->runtime.get(), spec);
}

std::string CaOption(const std::string& ca, const std::string& more = "") {
  return "{\"ca_file\": " + JsonString(ca) + more + "}";
}

TEST_F(H3TlsTest, TheSecondConnectionResumesTheSession) {
  const std::string ca = CaCopy(Ca(), "resume");
  auto first = NewClient();
  FetchResult a = H3Fetch(first.get(), Url("/small.txt"), CaOption(ca));
  ASSERT_EQ(a.status, STRATA_OK) << a.Describe();
  EXPECT_EQ(Chain(a).find("resumed"), std::string::npos) << Chain(a);
  auto second = NewClient();  // its own pool: a new QUIC connection
  FetchResult b = H3Fetch(second.get(), Url("/small.txt"), CaOption(ca));
  ASSERT_EQ(b.status, STRATA_OK) << b.Describe();
  EXPECT_EQ(b.body(), kSmall);
  EXPECT_EQ(b.info(STRATA_INFO_NUM_CONNECTS), 1);
  EXPECT_NE(Chain(b).find("h3(QUIC v1, TLSv1.3, resumed)"), std::string::npos) << Chain(b);
  EXPECT_TRUE(second->Traced("offering a cached session")) << second->Trace();
  EXPECT_TRUE(second->Traced("resumed session")) << second->Trace();
  EXPECT_FALSE(second->Traced("0-RTT")) << "early_data is off by default\n" << second->Trace();
}

TEST_F(H3TlsTest, ADifferentTrustSettingDoesNotResume) {
  const std::string ca = CaCopy(Ca(), "trust-a");
  auto first = NewClient();
  ASSERT_EQ(H3Fetch(first.get(), Url("/small.txt"), CaOption(ca)).status, STRATA_OK);
  // Another CA file (same certificate, another path), and verify off: a
  // session made under one trust setting is never offered under another.
  auto other = NewClient();
  FetchResult b = H3Fetch(other.get(), Url("/small.txt"), CaOption(CaCopy(Ca(), "trust-b")));
  ASSERT_EQ(b.status, STRATA_OK) << b.Describe();
  EXPECT_EQ(Chain(b).find("resumed"), std::string::npos) << Chain(b);
  EXPECT_FALSE(other->Traced("offering a cached session")) << other->Trace();
  auto unverified = NewClient();
  FetchResult c = H3Fetch(unverified.get(), Url("/small.txt"), CaOption(ca, ", \"verify\": false"));
  ASSERT_EQ(c.status, STRATA_OK) << c.Describe();
  EXPECT_EQ(Chain(c).find("resumed"), std::string::npos) << Chain(c);
  // The first setting still resumes.
  auto again = NewClient();
  FetchResult d = H3Fetch(again.get(), Url("/small.txt"), CaOption(ca));
  ASSERT_EQ(d.status, STRATA_OK) << d.Describe();
  EXPECT_NE(Chain(d).find("resumed"), std::string::npos) << Chain(d);
}

TEST_F(H3TlsTest, SessionCacheOffNeverResumes) {
  const std::string ca = CaCopy(Ca(), "nocache");
  for (int i = 0; i < 2; ++i) {
    auto c = NewClient();
    FetchResult r = H3Fetch(c.get(), Url("/small.txt"), CaOption(ca, ", \"session_cache\": false"));
    ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
    EXPECT_EQ(Chain(r).find("resumed"), std::string::npos) << i << ": " << Chain(r);
  }
}

TEST_F(H3TlsTest, EarlyDataSendsTheResumedGetIn0Rtt) {
  WaitForTheTopOfASecond();
  const std::string ca = CaCopy(Ca(), "early");
  const std::string options = CaOption(ca, ", \"early_data\": true");
  auto first = NewClient();
  FetchResult a = H3Fetch(first.get(), Url("/small.txt"), options);
  ASSERT_EQ(a.status, STRATA_OK) << a.Describe();
  EXPECT_FALSE(first->Traced("0-RTT")) << "no session yet\n" << first->Trace();
  auto second = NewClient();
  FetchResult b = H3Fetch(second.get(), Url("/small.txt"), options);
  ASSERT_EQ(b.status, STRATA_OK) << b.Describe() << "\n" << second->Trace() << server_->Log();
  EXPECT_EQ(b.body(), kSmall);
  EXPECT_EQ(b.http_status(), 200);
  EXPECT_TRUE(second->Traced("0-RTT: 1 request sent early, accepted")) << second->Trace() << server_->Log();
  EXPECT_NE(Chain(b).find("resumed, 0-RTT accepted"), std::string::npos) << Chain(b);
  EXPECT_GT(b.info(STRATA_INFO_TIME_APPCONNECT_US), 0);
}

TEST_F(H3TlsTest, APostWithEarlyDataOnIsNotSentEarly) {
  WaitForTheTopOfASecond();
  const std::string ca = CaCopy(Ca(), "early-post");
  const std::string options = CaOption(ca, ", \"early_data\": true");
  auto first = NewClient();
  ASSERT_EQ(H3Fetch(first.get(), Url("/small.txt"), options).status, STRATA_OK);
  auto second = NewClient();
  const std::string body = "a=1&b=2";
  FetchResult b = H3Fetch(second.get(), Url("/small.txt"), options, "POST", &body);
  ASSERT_EQ(b.status, STRATA_OK) << b.Describe() << "\n" << second->Trace();
  EXPECT_EQ(b.body(), kSmall);
  EXPECT_EQ(b.info(STRATA_INFO_SIZE_UPLOAD), 7);
  EXPECT_TRUE(second->Traced("0-RTT: 0 requests sent early, accepted; 1 held for the handshake")) << second->Trace();
}

TEST_F(H3TlsTest, EarlyDataOffByDefaultNeverSendsEarly) {
  const std::string ca = CaCopy(Ca(), "no-early");
  for (int i = 0; i < 3; ++i) {
    auto c = NewClient();
    FetchResult r = H3Fetch(c.get(), Url("/small.txt"), CaOption(ca));
    ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
    EXPECT_FALSE(c->Traced("0-RTT")) << i << "\n" << c->Trace();
    EXPECT_EQ(Chain(r).find("0-RTT"), std::string::npos) << Chain(r);
  }
}

TEST_F(H3TlsTest, RejectedEarlyDataIsSentAgainAfterTheHandshake) {
  // A server restarted on the same port has a new ticket key: it cannot
  // decrypt our ticket, so it ignores the 0-RTT packets and makes a full
  // handshake, and BoringSSL reports the early data rejected. The request
  // sent in 0-RTT must be sent again, answered once.
  std::string error;
  GtlsServer restarted;
  ASSERT_TRUE(restarted.Start(*htdocs_, pki_->Cert("localhost"), pki_->Key("localhost"), &error)) << error;
  const uint16_t port = restarted.port();
  const std::string url = "https://localhost:" + std::to_string(port) + "/small.txt";
  const std::string options = CaOption(CaCopy(Ca(), "rejected"), ", \"early_data\": true");
  auto first = NewClient();
  ASSERT_EQ(H3Fetch(first.get(), url, options).status, STRATA_OK);
  // |first| stays: the cache lives in the plugin, which is unloaded with
  // the last runtime that uses it.
  restarted.Stop();
  ASSERT_TRUE(restarted.Start(*htdocs_, pki_->Cert("localhost"), pki_->Key("localhost"), &error, port)) << error;
  ASSERT_EQ(restarted.port(), port);
  auto second = NewClient();
  FetchResult b = H3Fetch(second.get(), url, options);
  ASSERT_EQ(b.status, STRATA_OK) << b.Describe() << "\n" << second->Trace() << restarted.Log();
  EXPECT_EQ(b.http_status(), 200);
  EXPECT_EQ(b.body(), kSmall) << "exactly one response body";
  EXPECT_TRUE(second->Traced("0-RTT: 1 request sent early, rejected (sent again after the handshake)"))
      << second->Trace();
  EXPECT_NE(Chain(b).find("0-RTT rejected"), std::string::npos) << Chain(b);
  EXPECT_EQ(Chain(b).find("resumed"), std::string::npos) << Chain(b);
  // The full handshake left a new ticket: the next connection resumes.
  // (GnuTLS may still refuse its 0-RTT, e.g. by its anti-replay check:
  // then the request goes again too.)
  auto third = NewClient();
  FetchResult c = H3Fetch(third.get(), url, options);
  ASSERT_EQ(c.status, STRATA_OK) << c.Describe() << "\n" << third->Trace();
  EXPECT_EQ(c.body(), kSmall);
  EXPECT_NE(Chain(c).find("resumed, 0-RTT"), std::string::npos) << Chain(c);
}

TEST_F(H3TlsTest, APinPolicyChecksAConnectionReadyIn0Rtt) {
  // The policy runs when the connection is ready, which with 0-RTT is
  // before the server has answered: it checks the chain the resumed
  // session was made with, and a wrong pin still refuses the hop before
  // any request is sent.
  const std::string options = CaOption(CaCopy(Ca(), "early-pin"), ", \"early_data\": true");
  auto pinned = [](const std::string& pin) {
    return ", \"policies\": [{\"plugin\": \"policy-pin\", \"options\": {\"pins\": {\"localhost\": " + JsonString(pin) +
           "}}}]";
  };
  auto first = NewClient(pinned(*pin_));
  FetchResult a = H3Fetch(first.get(), Url("/small.txt"), options);
  ASSERT_EQ(a.status, STRATA_OK) << a.Describe();
  auto second = NewClient(pinned(*pin_));
  FetchResult b = H3Fetch(second.get(), Url("/small.txt"), options);
  ASSERT_EQ(b.status, STRATA_OK) << b.Describe() << "\n" << second->Trace();
  EXPECT_EQ(b.body(), kSmall);
  EXPECT_NE(Chain(b).find("resumed, 0-RTT"), std::string::npos) << Chain(b);
  auto wrong = NewClient(pinned("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
  FetchResult c = H3Fetch(wrong.get(), Url("/small.txt"), options);
  EXPECT_EQ(c.status, STRATA_E_TLS_PINNED_KEY) << c.Describe();
  EXPECT_FALSE(wrong->Traced("0-RTT: 1 request sent early")) << wrong->Trace();
}

TEST_F(H3TlsTest, ParallelGetsAndAPostShareOneResumedConnection) {
  WaitForTheTopOfASecond();
  // Transfers submitted together share the one connection (the runtime
  // waits for a multiplexing HTTP/3 connection as for HTTP/2, also when it
  // is ready at once in 0-RTT). Each gets its own, right answer.
  const std::string options = CaOption(CaCopy(Ca(), "parallel"), ", \"early_data\": true");
  auto first = NewClient();
  ASSERT_EQ(H3Fetch(first.get(), Url("/small.txt"), options).status, STRATA_OK);
  auto second = NewClient();
  const std::vector<std::string> methods = {"GET", "GET", "POST", "GET"};
  std::vector<strata_transfer*> transfers;
  for (const std::string& method : methods) {
    FetchSpec spec;
    spec.method = method;
    spec.url = Url("/small.txt");
    if (method == "POST") {
      spec.has_body = true;
      spec.body = "x=1";
    }
    spec.int_options = {{STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_3_ONLY}};
    spec.string_options = {{STRATA_OPT_LAYER_OPTIONS, "{\"h3\": " + options + "}"}};
    strata_status st = STRATA_OK;
    RequestPtr request = PrepareRequest(spec, &st);
    ASSERT_EQ(st, STRATA_OK);
    strata_transfer* t = nullptr;
    ASSERT_EQ(strata_submit(second->runtime.get(), request.get(), nullptr, &t), STRATA_OK);
    transfers.push_back(t);
  }
  size_t running = transfers.size();
  const auto deadline = std::chrono::steady_clock::now() + seconds(20);
  while (running > 0 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_EQ(strata_runtime_run(second->runtime.get(), 100, &running), STRATA_OK);
  }
  ASSERT_EQ(running, 0u) << second->Trace();
  int connects = 0;
  for (strata_transfer* t : transfers) {
    strata_error error = NewError();
    EXPECT_EQ(strata_transfer_result(t, &error), STRATA_OK) << error.message << "\n" << second->Trace();
    ResponsePtr response(strata_transfer_take_response(t));
    ASSERT_NE(response, nullptr);
    EXPECT_EQ(strata_response_status(response.get()), 200);
    const uint8_t* body = nullptr;
    size_t len = 0;
    strata_response_body(response.get(), &body, &len);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(body), len), kSmall);
    int64_t n = 0;
    strata_response_info(response.get(), STRATA_INFO_NUM_CONNECTS, &n);
    connects += static_cast<int>(n);
    strata_transfer_free(t);
  }
  EXPECT_EQ(connects, 1) << "one QUIC connection for the four";
  // The first GET is opened the moment the connection is ready, so it goes
  // early; the others were waiting for that connection and are opened a
  // loop turn later, which on loopback may already be after the server's
  // answer (then they simply go in 1-RTT). The POST is never early: at
  // most the two GETs before it are.
  size_t early = 0;
  for (const std::string& line : second->trace) {
    if (std::sscanf(line.c_str(), "h3: 0-RTT: %zu request", &early) == 1) break;
  }
  EXPECT_GE(early, 1u) << second->Trace();
  EXPECT_LE(early, 2u) << second->Trace();
  EXPECT_TRUE(second->Traced(" sent early, accepted")) << second->Trace();
}

// The CLI: one process, two URLs. An idle timeout of 1 s makes the first
// connection unusable at once (the layer stops taking requests a second
// before its idle timeout), so the second URL needs a new connection, which
// resumes the first one's session.
std::string NoReuseConfig() {
  const std::string config = MakeTempDir("cfg") + "/h3.json";
  WriteFileOrDie(config,
                 R"({"pipelines": {"https+h3": ["udp", {"layer": "h3", "options": {"idle_timeout_ms": 1000}}]}})");
  return config;
}

TEST_F(H3TlsTest, CliTlsEarlydataSendsTheSecondConnectionsGetIn0Rtt) {
  WaitForTheTopOfASecond();
  RunResult r = RunStrata({"--config", NoReuseConfig(), "--http3-only", "--tls-earlydata", "--cacert", Ca(), "-v", "-w",
                           "#%{num_connects} %{http_code}\n", Url("/small.txt"), Url("/small.txt")});
  ASSERT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, std::string(kSmall) + "#1 200\n" + kSmall + "#1 200\n");
  EXPECT_NE(r.stderr_text.find("* h3: 0-RTT: 1 request sent early, accepted"), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("h3(QUIC v1, TLSv1.3, resumed, 0-RTT accepted)"), std::string::npos) << r.stderr_text;
}

TEST_F(H3TlsTest, CliWithoutTlsEarlydataResumesButSendsNothingEarly) {
  RunResult r = RunStrata({"--config", NoReuseConfig(), "--http3-only", "--cacert", Ca(), "-v", "-o", "/dev/null", "-o",
                           "/dev/null", Url("/small.txt"), Url("/small.txt")});
  ASSERT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("h3(QUIC v1, TLSv1.3, resumed)"), std::string::npos) << r.stderr_text;
  EXPECT_EQ(r.stderr_text.find("0-RTT"), std::string::npos) << r.stderr_text;
}

TEST_F(H3TlsTest, CliTlsEarlydataHoldsAPost) {
  WaitForTheTopOfASecond();
  RunResult r = RunStrata({"--config", NoReuseConfig(), "--http3-only", "--tls-earlydata", "--cacert", Ca(), "-v", "-d",
                           "a=1", "-o", "/dev/null", "-o", "/dev/null", Url("/small.txt"), Url("/small.txt")});
  ASSERT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("* h3: 0-RTT: 0 requests sent early, accepted; 1 held for the handshake"),
            std::string::npos)
      << r.stderr_text;
}

}  // namespace
}  // namespace strata::test
