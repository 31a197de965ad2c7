// Issue 18, HOSTILE case 74: what makes two pooled connections
// interchangeable. A connection may only be handed to a request that would
// have built the very same chain: through the same proxy (address and
// scheme; or through none), with the same proxy credentials and proxy TLS
// settings, and with the same TLS settings towards the origin (trust,
// verification, client certificate). Otherwise a request rides on a tunnel
// that another identity authenticated, or on a TLS session that was never
// verified under its own rules (curl CVE-2021-22924, CVE-2022-27782; curl
// test1849: a new CONNECT when the proxy credentials change).
//
// Everything goes through the public C API, as an application would use
// it, against real peers on 127.0.0.1: nginx (plain, TLS, TLS with h2),
// tinyproxy (without auth, and with Basic auth for two users) and squid
// (forwarding, and an https_port). Connections are observed from three
// sides: the origin reports nginx's connection serial ($connection) and
// whether the TLS session was resumed in each body; the proxies log each
// accepted connection (tinyproxy) and each CONNECT; the client reports
// STRATA_INFO_NUM_CONNECTS (0 = a pooled connection carried the request)
// and the chain it used. Every case also has its positive control: the
// same settings again DO reuse the connection, so a pool that never reused
// anything would fail too.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/free_port.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/proxy_fixture.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

bool Contains(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// LogCounter counts the lines of a daemon's log that contain |needle| and
// were written after it was made, so a probe or an earlier request of the
// same test is not counted.
class LogCounter {
 public:
  LogCounter(std::function<std::string()> read, std::string needle)
      : read_(std::move(read)), needle_(std::move(needle)), before_(Count(read_(), needle_)) {}
  // AtLeast waits (bounded) until |n| new lines are logged and returns how
  // many there are: daemons log asynchronously to the client's progress.
  size_t AtLeast(size_t n) const {
    auto deadline = std::chrono::steady_clock::now() + 10s;
    size_t now = SoFar();
    while (now < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(20ms);
      now = SoFar();
    }
    return now;
  }
  // SoFar does not wait: for lines that must not (yet) be there.
  size_t SoFar() const { return Count(read_(), needle_) - before_; }

 private:
  std::function<std::string()> read_;
  std::string needle_;
  size_t before_;
};

// What tinyproxy logs (LogLevel Info): one line per accepted connection,
// one per request line read from a client.
constexpr char kTinyAccepted[] = "Connect (file descriptor ";
std::string TinyConnect(uint16_t origin_port) {
  return "): CONNECT 127.0.0.1:" + std::to_string(origin_port) + " ";
}
std::string TinyForward(const std::string& url) { return "): GET " + url + " "; }

// SettleLogs gives the daemons time to write out what they have not yet
// logged, before a test checks that some line did NOT appear.
void SettleLogs() { std::this_thread::sleep_for(300ms); }

// WaitForProbe waits until tinyproxy has logged the connection its
// fixture's readiness check made, so that LogCounters made afterwards do
// not count it.
void WaitForProbe(const std::function<std::string()>& read) {
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (Count(read(), kTinyAccepted) < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  std::this_thread::sleep_for(50ms);
}

// AuthTinyproxy is tinyproxy with Basic auth for several users
// (TinyproxyFixture takes one). Set up as that fixture is: its own
// directory under /tmp that tinyproxy's unprivileged user can reach, a
// free port on 127.0.0.1, the daemon stopped and the directory removed at
// the end.
class AuthTinyproxy {
 public:
  using Users = std::vector<std::pair<std::string, std::string>>;  // name, password
  explicit AuthTinyproxy(Users users) : users_(std::move(users)) {
    std::string templ = "/tmp/strata-poolkey-tinyproxy-XXXXXX";
    char* made = mkdtemp(templ.data());
    if (!made) std::abort();
    dir_ = made;
    chmod(dir_.c_str(), 0777);
  }
  ~AuthTinyproxy() {
    Stop();
    if (dir_.rfind("/tmp/strata-poolkey-tinyproxy-", 0) == 0) {
      std::string cmd = "rm -rf '" + dir_ + "'";
      if (std::system(cmd.c_str()) != 0) {
      }
    }
  }
  AuthTinyproxy(const AuthTinyproxy&) = delete;
  AuthTinyproxy& operator=(const AuthTinyproxy&) = delete;

  bool Start(std::string* error) {
    port_ = FreePort();
    std::string conf = "User nobody\nGroup nogroup\n"
                       "Port " + std::to_string(port_) + "\n"
                       "Listen 127.0.0.1\n"
                       "Timeout 30\n"
                       "LogFile \"" + dir_ + "/tinyproxy.log\"\n"
                       "LogLevel Info\n"
                       "PidFile \"" + dir_ + "/tinyproxy.pid\"\n"
                       "MaxClients 50\n"
                       "Allow 127.0.0.1\n"
                       "DisableViaHeader Yes\n";
    for (const auto& [user, password] : users_) conf += "BasicAuth " + user + " " + password + "\n";
    WriteFileOrDie(dir_ + "/tinyproxy.conf", conf);
    ProcessOptions opts;
    opts.argv = {"/usr/bin/tinyproxy", "-d", "-c", dir_ + "/tinyproxy.conf"};
    if (!process_.Start(opts, error)) return false;
    started_ = true;
    auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!PortAcceptsConnections(port_)) {
      if (!process_.Running() || std::chrono::steady_clock::now() > deadline) {
        *error = "tinyproxy did not start: " + Log() + process_.Stderr();
        Stop();
        return false;
      }
      std::this_thread::sleep_for(20ms);
    }
    // Every user must have been taken (tinyproxy logs "Added basic auth
    // user : NAME"), or a case about two users would test one. tinyproxy
    // keeps what it logs while reading its configuration and writes it out
    // later, so this waits (bounded) for those lines.
    for (const auto& [user, password] : users_) {
      while (!Contains(Log(), "Added basic auth user : " + user)) {
        if (std::chrono::steady_clock::now() > deadline) {
          *error = "tinyproxy did not add user " + user + ":\n" + Log();
          return false;
        }
        std::this_thread::sleep_for(20ms);
      }
    }
    return true;
  }
  void Stop() {
    if (!started_) return;
    started_ = false;
    process_.Stop(2s);
  }
  uint16_t port() const { return port_; }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string Log() const { return ReadFileIfExists(dir_ + "/tinyproxy.log"); }

 private:
  std::vector<std::pair<std::string, std::string>> users_;
  std::string dir_;
  uint16_t port_ = 0;
  Process process_;
  bool started_ = false;
};

std::string ProxyUrl(uint16_t port) { return "http://127.0.0.1:" + std::to_string(port); }

// How one request is sent: Route(proxy URL, "" for none).Credentials(...)...
struct Route {
  explicit Route(std::string proxy_url) : proxy(std::move(proxy_url)) {}
  Route& Credentials(std::optional<std::string> c) {
    credentials = std::move(c);
    return *this;
  }
  Route& Layers(std::string options) {
    layer_options = std::move(options);
    return *this;
  }
  Route& Tunnel(bool on) {
    tunnel = on;
    return *this;
  }

  std::string proxy;                       // STRATA_OPT_PROXY, "" = none (direct)
  std::optional<std::string> credentials;  // STRATA_OPT_PROXY_CREDENTIALS, unset if nullopt
  bool tunnel = true;                      // STRATA_OPT_PROXY_TUNNEL: CONNECT even for http://
  std::string layer_options;               // STRATA_OPT_LAYER_OPTIONS, "" = none
  int64_t http_version = STRATA_HTTP_VERSION_DEFAULT;
};

FetchSpec Spec(const std::string& url, const Route& route) {
  FetchSpec spec;
  spec.url = url;
  spec.int_options = {{STRATA_OPT_PROXY_TUNNEL, route.tunnel ? 1 : 0}};
  if (route.http_version != STRATA_HTTP_VERSION_DEFAULT) {
    spec.int_options.emplace_back(STRATA_OPT_HTTP_VERSION, route.http_version);
  }
  spec.string_options = {{STRATA_OPT_PROXY, route.proxy}, {STRATA_OPT_NO_PROXY, ""}};
  if (route.credentials) spec.string_options.emplace_back(STRATA_OPT_PROXY_CREDENTIALS, *route.credentials);
  if (!route.layer_options.empty()) spec.string_options.emplace_back(STRATA_OPT_LAYER_OPTIONS, route.layer_options);
  return spec;
}

// Field returns the value of "name=value" in an origin's report body
// ("conn=7 client=[CN=x] resumed=. proto=HTTP/1.1"); a bracketed value
// may hold spaces.
std::string Field(const std::string& body, const std::string& name) {
  size_t at = body.find(name + "=");
  if (at == std::string::npos) return "<no " + name + ">";
  at += name.size() + 1;
  if (at < body.size() && body[at] == '[') {
    size_t end = body.find(']', at);
    return body.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
  }
  size_t end = body.find_first_of(" \n", at);
  return body.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::string Conn(const FetchResult& r) { return Field(r.body(), "conn"); }

// The bottom of a chain names where the socket went: "tcp(127.0.0.1:P)".
std::string SocketTo(uint16_t port) { return "tcp(127.0.0.1:" + std::to_string(port) + ")"; }

// Events keeps the HOP lines ("hop 1: GET … → 200 (chain, new connection)")
// for failure messages.
struct Events {
  std::vector<std::string> hops;
  static void Record(void* user, const strata_event* e) {
    static_cast<Events*>(user)->hops.push_back(e->message);
  }
  std::string Dump() const {
    std::string out = "hops so far:\n";
    for (const std::string& h : hops) out += "  " + h + "\n";
    return out;
  }
};

// FetchConcurrently submits every spec at once on the non-blocking
// interface and runs the runtime until all are done (bounded).
std::vector<FetchResult> FetchConcurrently(strata_runtime* runtime, const std::vector<FetchSpec>& specs) {
  std::vector<FetchResult> results(specs.size());
  std::vector<strata_transfer*> transfers(specs.size(), nullptr);
  for (size_t i = 0; i < specs.size(); ++i) {
    RequestPtr request = PrepareRequest(specs[i], &results[i].status);
    if (!request) continue;
    results[i].status = strata_submit(runtime, request.get(), nullptr, &transfers[i]);
  }
  auto deadline = std::chrono::steady_clock::now() + 40s;
  size_t running = 1;
  while (running > 0 && std::chrono::steady_clock::now() < deadline) {
    if (strata_runtime_run(runtime, 100, &running) != STRATA_OK) break;
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    if (!transfers[i]) continue;
    results[i].status = strata_transfer_result(transfers[i], &results[i].error);
    if (results[i].status == STRATA_OK) results[i].response.reset(strata_transfer_take_response(transfers[i]));
    strata_transfer_free(transfers[i]);
  }
  return results;
}

// The runtime: tcp, tls, h1, connect-tunnel and h2-alpn from the plugins in
// the runfiles; no proxy from the environment (each request names its own
// or none); the "https" template trusts the system bundle only, so each
// request brings its trust in STRATA_OPT_LAYER_OPTIONS.
std::string PoolKeyConfig() {
  return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
         " \"plugins\": [\"tcp\", \"tls\", \"h1\", \"connect-tunnel\", \"h2-alpn\"],"
         " \"pipelines\": {\"http\": [\"tcp\", \"h1\"],"
         " \"https\": [\"tcp\", {\"layer\": \"tls\", \"options\": {\"alpn\": [\"http/1.1\"]}}, \"h1\"],"
         " \"https+h2\": [\"tcp\", {\"layer\": \"tls\", \"options\": {\"alpn\": [\"h2\", \"http/1.1\"]}},"
         " \"h2-alpn\"]},"
         " \"proxy\": {\"from_env\": false},"
         " \"pool\": {\"max_idle_per_origin\": 8, \"idle_timeout_ms\": 60000},"
         " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000,"
         " \"idle_ms\": 10000, \"total_ms\": 30000}}";
}

class PoolKeyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    pki_ = new TestPki();
    bool ok = pki_->MakeCa("ca", &e) && pki_->MakeCa("other", &e) &&
              pki_->MakeLocalhostLeaf("ca", &e) &&
              pki_->MakeLeaf("client-a", "ca", "pool client a", "", "clientAuth", &e) &&
              pki_->MakeLeaf("client-b", "ca", "pool client b", "", "clientAuth", &e);
    ASSERT_TRUE(ok) << e;
    // The same CA under another path: another trust setting, as far as the
    // client can tell without reading the files.
    WriteFileOrDie(pki_->dir() + "/ca-copy.pem", ReadFileOrDie(pki_->Cert("ca")));

    NginxOptions plain_options;
    plain_options.extra_locations.push_back("location = /conn { return 200 \"conn=$connection\\n\"; }");
    plain_ = new NginxFixture(plain_options);
    ASSERT_TRUE(plain_->Start(&e)) << e;

    // One TLS server block on two ports: HTTP/1.1 only, and h2 by ALPN
    // (nginx 1.22 turns h2 on per listen socket). A client certificate is
    // asked for but optional; the body reports what identifies the
    // connection and the TLS session.
    tls_ = new TlsNginx();
    h2_port_ = FreePort();
    origin_settings_port_ = FreePort();
    client_cert_port_ = FreePort();
    tls_port_ = tls_->AddServer(
        "    listen 127.0.0.1:" + std::to_string(h2_port_) + " ssl http2;\n" +
        "    listen 127.0.0.1:" + std::to_string(origin_settings_port_) + " ssl;\n" +
        "    listen 127.0.0.1:" + std::to_string(client_cert_port_) + " ssl;\n" +
        "    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n" +
        "    ssl_certificate_key \"" + pki_->Key("localhost") + "\";\n" +
        "    ssl_client_certificate \"" + pki_->Cert("ca") + "\";\n" +
        "    ssl_verify_client optional;\n" +
        "    keepalive_timeout 60s;\n" +
        "    location / { return 200 \"conn=$connection client=[$ssl_client_s_dn] resumed=$ssl_session_reused"
        " proto=$server_protocol\\n\"; }\n");
    ASSERT_TRUE(tls_->Start(&e)) << e;
    for (int i = 0; i < 200 && !PortAcceptsConnections(h2_port_); ++i) std::this_thread::sleep_for(20ms);
    ASSERT_TRUE(PortAcceptsConnections(h2_port_)) << tls_->ErrorLog();
  }

  static void TearDownTestSuite() {
    delete tls_;
    delete plain_;
    delete pki_;
    tls_ = nullptr;
    plain_ = nullptr;
    pki_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(pki_, nullptr);
    ASSERT_NE(tls_, nullptr);
    RuntimeResult rt = MakeRuntime(PoolKeyConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
    strata_runtime_set_event_callback(runtime_.get(), &Events::Record, &events_, 1u << STRATA_EVENT_HOP);
  }

  FetchResult Run(const std::string& url, const Route& route) { return Fetch(runtime_.get(), Spec(url, route)); }

  static std::string Ca() { return pki_->Cert("ca"); }
  static std::string PlainUrl() { return plain_->Url("/conn"); }
  static std::string TlsUrl(uint16_t port) { return "https://127.0.0.1:" + std::to_string(port) + "/"; }
  // TlsOptions is {"tls": {<members>}} for STRATA_OPT_LAYER_OPTIONS.
  static std::string TlsOptions(const std::string& members) { return "{\"tls\": {" + members + "}}"; }
  static std::string TrustCa() { return TlsOptions("\"ca_file\": " + JsonString(Ca())); }
  static std::string WithClient(const std::string& name) {
    return TlsOptions("\"ca_file\": " + JsonString(Ca()) + ", \"cert\": " + JsonString(pki_->Cert(name)) +
                      ", \"key\": " + JsonString(pki_->Key(name)));
  }

  std::string Why(const FetchResult& r) const {
    return r.Describe() + " (connect " + std::to_string(r.error.http_connect) + ")\nbody: " + r.body() +
           "chain: " + Chain(r) + "\n" + events_.Dump();
  }

  // DifferentProxies: requests to |url| through tinyproxy A, then B, then
  // A, then directly, then B. Each proxy gets its own CONNECT on its own
  // connection, the direct request a connection of its own, and the
  // repeats reuse their proxy's tunnel.
  void DifferentProxies(const std::string& url, uint16_t origin_port, const std::string& layer_options);

  static TestPki* pki_;
  static NginxFixture* plain_;
  static TlsNginx* tls_;
  // The TLS-settings tests each get a port of their own: TLS sessions are
  // cached per process and keyed by port (among others), and a plugin may
  // stay mapped between tests (sanitizer builds never unload one), so a
  // session learnt by an earlier test would otherwise be legitimately
  // resumed and mask what these tests look for.
  static uint16_t tls_port_, h2_port_, origin_settings_port_, client_cert_port_;
  Events events_;  // outlives the runtime that reports to it
  RuntimePtr runtime_;
};

TestPki* PoolKeyTest::pki_ = nullptr;
NginxFixture* PoolKeyTest::plain_ = nullptr;
TlsNginx* PoolKeyTest::tls_ = nullptr;
uint16_t PoolKeyTest::tls_port_ = 0;
uint16_t PoolKeyTest::h2_port_ = 0;
uint16_t PoolKeyTest::origin_settings_port_ = 0;
uint16_t PoolKeyTest::client_cert_port_ = 0;

// ---- different proxies ------------------------------------------------------

void PoolKeyTest::DifferentProxies(const std::string& url, uint16_t origin_port, const std::string& layer_options) {
  std::string e;
  TinyproxyFixture a, b;
  ASSERT_TRUE(a.Start(&e)) << e;
  ASSERT_TRUE(b.Start(&e)) << e;
  auto a_log = [&a] { return a.Log(); };
  auto b_log = [&b] { return b.Log(); };
  WaitForProbe(a_log);
  WaitForProbe(b_log);
  LogCounter a_accepted(a_log, kTinyAccepted), b_accepted(b_log, kTinyAccepted);
  LogCounter a_connects(a_log, TinyConnect(origin_port)), b_connects(b_log, TinyConnect(origin_port));
  const Route via_a = Route(ProxyUrl(a.port())).Layers(layer_options);
  const Route via_b = Route(ProxyUrl(b.port())).Layers(layer_options);
  const Route direct = Route("").Layers(layer_options);
  auto logs = [&] { return "\nproxy A:\n" + a.Log() + "\nproxy B:\n" + b.Log(); };

  FetchResult r1 = Run(url, via_a);
  ASSERT_EQ(r1.status, STRATA_OK) << Why(r1) << logs();
  ASSERT_EQ(r1.http_status(), 200) << Why(r1);
  EXPECT_EQ(r1.info(STRATA_INFO_NUM_CONNECTS), 1);
  EXPECT_EQ(r1.info(STRATA_INFO_HTTP_CONNECT), 200);
  EXPECT_EQ(Chain(r1).rfind(SocketTo(a.port()) + " → connect-tunnel(", 0), 0u) << Chain(r1);
  EXPECT_EQ(a_connects.AtLeast(1), 1u) << logs();

  // Proxy B: a CONNECT of its own, never A's tunnel.
  FetchResult r2 = Run(url, via_b);
  ASSERT_EQ(r2.status, STRATA_OK) << Why(r2) << logs();
  EXPECT_EQ(r2.info(STRATA_INFO_NUM_CONNECTS), 1) << Why(r2);
  EXPECT_EQ(r2.info(STRATA_INFO_HTTP_CONNECT), 200);
  EXPECT_EQ(Chain(r2).rfind(SocketTo(b.port()) + " → connect-tunnel(", 0), 0u) << Chain(r2);
  EXPECT_NE(Conn(r2), Conn(r1)) << "the request for proxy B went through proxy A's tunnel\n" << Why(r2);
  EXPECT_EQ(b_connects.AtLeast(1), 1u) << "proxy B never received its CONNECT" << logs();
  EXPECT_EQ(a_connects.SoFar(), 1u) << logs();

  // Control: proxy A again reuses A's tunnel.
  FetchResult r3 = Run(url, via_a);
  ASSERT_EQ(r3.status, STRATA_OK) << Why(r3);
  EXPECT_EQ(r3.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r3);
  EXPECT_EQ(Conn(r3), Conn(r1)) << Why(r3);
  EXPECT_EQ(Chain(r3).rfind(SocketTo(a.port()), 0), 0u) << Chain(r3);

  // No proxy at all is another identity too: neither tunnel is used.
  FetchResult r4 = Run(url, direct);
  ASSERT_EQ(r4.status, STRATA_OK) << Why(r4);
  EXPECT_EQ(r4.info(STRATA_INFO_NUM_CONNECTS), 1) << Why(r4);
  EXPECT_EQ(r4.info(STRATA_INFO_HTTP_CONNECT), 0);
  EXPECT_EQ(Chain(r4).rfind(SocketTo(origin_port), 0), 0u) << Chain(r4);
  EXPECT_FALSE(Contains(Chain(r4), "connect-tunnel")) << Chain(r4);
  EXPECT_NE(Conn(r4), Conn(r1)) << Why(r4);
  EXPECT_NE(Conn(r4), Conn(r2)) << Why(r4);

  // Control: proxy B again reuses B's tunnel.
  FetchResult r5 = Run(url, via_b);
  ASSERT_EQ(r5.status, STRATA_OK) << Why(r5);
  EXPECT_EQ(r5.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r5);
  EXPECT_EQ(Conn(r5), Conn(r2)) << Why(r5);

  // Each proxy accepted exactly one connection and saw exactly one CONNECT.
  SettleLogs();
  EXPECT_EQ(a_accepted.SoFar(), 1u) << logs();
  EXPECT_EQ(b_accepted.SoFar(), 1u) << logs();
  EXPECT_EQ(a_connects.SoFar(), 1u) << logs();
  EXPECT_EQ(b_connects.SoFar(), 1u) << logs();
}

TEST_F(PoolKeyTest, DifferentProxiesNeverShareATunnelToAnHttpOrigin) {
  DifferentProxies(PlainUrl(), plain_->port(), "");
}

TEST_F(PoolKeyTest, DifferentProxiesNeverShareATunnelToAnHttpsOrigin) {
  DifferentProxies(TlsUrl(tls_port_), tls_port_, TrustCa());
}

// Plain http through forwarding proxies (absolute form, no tunnel): squid
// keeps its client connections open, so a pool keyed without the proxy
// would send the tinyproxy request down squid's connection. Proxy
// credentials are part of the key here too, although they travel in each
// request's Proxy-Authorization (a proxy may tie authentication to the
// connection).
TEST_F(PoolKeyTest, DifferentForwardingProxiesNeverShareAConnection) {
  std::string e;
  SquidFixture squid;
  TinyproxyFixture tiny;
  ASSERT_TRUE(squid.Start(&e)) << e;
  ASSERT_TRUE(tiny.Start(&e)) << e;
  auto tiny_log = [&tiny] { return tiny.Log(); };
  WaitForProbe(tiny_log);
  const std::string url = PlainUrl();
  LogCounter squid_gets([&squid] { return squid.AccessLog(); }, "GET " + url + " ");
  LogCounter tiny_gets(tiny_log, TinyForward(url));
  const Route via_squid = Route(ProxyUrl(squid.port())).Tunnel(false);
  const Route via_tiny = Route(ProxyUrl(tiny.port())).Tunnel(false);
  Route via_squid_as_alice = via_squid;
  via_squid_as_alice.credentials = "alice:wonderland";
  auto logs = [&] { return "\nsquid:\n" + squid.AccessLog() + "\ntinyproxy:\n" + tiny.Log(); };

  FetchResult r1 = Run(url, via_squid);
  ASSERT_EQ(r1.status, STRATA_OK) << Why(r1) << logs();
  ASSERT_EQ(r1.http_status(), 200) << Why(r1);
  EXPECT_EQ(r1.info(STRATA_INFO_NUM_CONNECTS), 1);
  EXPECT_EQ(r1.info(STRATA_INFO_HTTP_CONNECT), 0);
  EXPECT_EQ(Chain(r1).rfind(SocketTo(squid.port()), 0), 0u) << Chain(r1);
  EXPECT_EQ(squid_gets.AtLeast(1), 1u) << logs();

  FetchResult r2 = Run(url, via_tiny);
  ASSERT_EQ(r2.status, STRATA_OK) << Why(r2) << logs();
  EXPECT_EQ(r2.http_status(), 200) << Why(r2);
  EXPECT_EQ(r2.info(STRATA_INFO_NUM_CONNECTS), 1) << Why(r2);
  EXPECT_EQ(Chain(r2).rfind(SocketTo(tiny.port()), 0), 0u) << Chain(r2);
  EXPECT_EQ(tiny_gets.AtLeast(1), 1u) << "tinyproxy never received its request" << logs();

  // Control: squid again reuses squid's connection.
  FetchResult r3 = Run(url, via_squid);
  ASSERT_EQ(r3.status, STRATA_OK) << Why(r3);
  EXPECT_EQ(r3.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r3);
  EXPECT_EQ(squid_gets.AtLeast(2), 2u) << logs();

  // Other proxy credentials: a connection of their own, reused by the same
  // credentials only.
  FetchResult r4 = Run(url, via_squid_as_alice);
  ASSERT_EQ(r4.status, STRATA_OK) << Why(r4);
  EXPECT_EQ(r4.info(STRATA_INFO_NUM_CONNECTS), 1) << Why(r4);
  FetchResult r5 = Run(url, via_squid_as_alice);
  ASSERT_EQ(r5.status, STRATA_OK) << Why(r5);
  EXPECT_EQ(r5.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r5);
  FetchResult r6 = Run(url, via_squid);
  ASSERT_EQ(r6.status, STRATA_OK) << Why(r6);
  EXPECT_EQ(r6.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r6);

  EXPECT_EQ(squid_gets.AtLeast(5), 5u) << logs();
  SettleLogs();
  EXPECT_EQ(tiny_gets.SoFar(), 1u) << logs();
}

// ---- proxy credentials --------------------------------------------------------

// curl test1849: when the proxy credentials change, a new CONNECT (on a new
// connection) is made; each identity then keeps reusing its own tunnel.
TEST_F(PoolKeyTest, ChangedProxyCredentialsOpenANewTunnel) {
  std::string e;
  AuthTinyproxy proxy(AuthTinyproxy::Users{{"alice", "wonderland"}, {"bob", "builder"}});
  ASSERT_TRUE(proxy.Start(&e)) << e;
  auto log = [&proxy] { return proxy.Log(); };
  WaitForProbe(log);
  LogCounter accepted(log, kTinyAccepted), connects(log, TinyConnect(tls_port_));
  const std::string url = TlsUrl(tls_port_);
  const Route alice = Route(proxy.Url()).Credentials("alice:wonderland").Layers(TrustCa());
  const Route bob = Route(proxy.Url()).Credentials("bob:builder").Layers(TrustCa());

  FetchResult r1 = Run(url, alice);
  ASSERT_EQ(r1.status, STRATA_OK) << Why(r1) << proxy.Log();
  ASSERT_EQ(r1.http_status(), 200) << Why(r1);
  EXPECT_EQ(r1.info(STRATA_INFO_NUM_CONNECTS), 1);
  EXPECT_EQ(r1.info(STRATA_INFO_HTTP_CONNECT), 200);
  EXPECT_EQ(connects.AtLeast(1), 1u) << proxy.Log();

  FetchResult r2 = Run(url, bob);
  ASSERT_EQ(r2.status, STRATA_OK) << Why(r2) << proxy.Log();
  EXPECT_EQ(r2.info(STRATA_INFO_NUM_CONNECTS), 1) << "no new CONNECT for bob's credentials\n" << Why(r2);
  EXPECT_EQ(r2.info(STRATA_INFO_HTTP_CONNECT), 200);
  EXPECT_NE(Conn(r2), Conn(r1)) << "bob's request went through alice's tunnel\n" << Why(r2);
  EXPECT_EQ(connects.AtLeast(2), 2u) << proxy.Log();
  EXPECT_EQ(accepted.AtLeast(2), 2u) << proxy.Log();

  // Control: each user's tunnel serves that user again.
  FetchResult r3 = Run(url, alice);
  ASSERT_EQ(r3.status, STRATA_OK) << Why(r3);
  EXPECT_EQ(r3.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r3);
  EXPECT_EQ(Conn(r3), Conn(r1)) << Why(r3);
  FetchResult r4 = Run(url, bob);
  ASSERT_EQ(r4.status, STRATA_OK) << Why(r4);
  EXPECT_EQ(r4.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r4);
  EXPECT_EQ(Conn(r4), Conn(r2)) << Why(r4);

  SettleLogs();
  EXPECT_EQ(accepted.SoFar(), 2u) << proxy.Log();
  EXPECT_EQ(connects.SoFar(), 2u) << proxy.Log();
}

// The sharp edge of the same rule: a tunnel that alice's credentials
// opened, idle in the pool, is never lent to a request with no credentials,
// wrong ones or another user's unknown to the proxy. Each of those makes
// its own CONNECT and gets the proxy's refusal, and alice's tunnel is still
// there for alice afterwards.
TEST_F(PoolKeyTest, AnAuthenticatedTunnelIsNeverLentToOtherCredentials) {
  std::string e;
  AuthTinyproxy proxy(AuthTinyproxy::Users{{"alice", "wonderland"}});
  ASSERT_TRUE(proxy.Start(&e)) << e;
  auto log = [&proxy] { return proxy.Log(); };
  WaitForProbe(log);
  LogCounter accepted(log, kTinyAccepted), connects(log, TinyConnect(plain_->port()));
  const std::string url = PlainUrl();
  const Route alice = Route(proxy.Url()).Credentials("alice:wonderland");

  FetchResult r1 = Run(url, alice);
  ASSERT_EQ(r1.status, STRATA_OK) << Why(r1) << proxy.Log();
  ASSERT_EQ(r1.http_status(), 200) << Why(r1);
  EXPECT_EQ(Chain(r1).rfind(SocketTo(proxy.port()) + " → connect-tunnel(", 0), 0u) << Chain(r1);

  struct Stranger {
    const char* what;
    std::optional<std::string> credentials;
    int32_t refusal;  // tinyproxy: 407 without credentials, 401 with bad ones
  };
  const Stranger strangers[] = {{"no credentials", std::nullopt, 407},
                                {"alice with a wrong password", "alice:rabbit", 401},
                                {"a user the proxy does not know", "bob:builder", 401}};
  size_t n = 1;
  for (const Stranger& s : strangers) {
    SCOPED_TRACE(s.what);
    Route route = Route(proxy.Url()).Credentials(s.credentials);
    FetchResult r = Run(url, route);
    EXPECT_EQ(r.status, STRATA_E_PROXY) << "rode on alice's tunnel? " << Why(r);
    EXPECT_EQ(r.error.http_connect, s.refusal) << Why(r);
    EXPECT_FALSE(r.response) << Why(r);
    ++n;
    EXPECT_EQ(connects.AtLeast(n), n) << proxy.Log();
  }

  // Control: alice's tunnel survived and serves alice.
  FetchResult r5 = Run(url, alice);
  ASSERT_EQ(r5.status, STRATA_OK) << Why(r5);
  EXPECT_EQ(r5.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r5);
  EXPECT_EQ(Conn(r5), Conn(r1)) << Why(r5);

  EXPECT_EQ(accepted.AtLeast(4), 4u) << proxy.Log();
  SettleLogs();
  EXPECT_EQ(connects.SoFar(), 4u) << proxy.Log();
}

// The positive control on its own: the same proxy with the same
// credentials reuses one tunnel, one CONNECT, one nginx connection;
// credentials spelt in the proxy URL's userinfo are the same credentials.
TEST_F(PoolKeyTest, SameProxyAndCredentialsReuseTheTunnel) {
  std::string e;
  AuthTinyproxy proxy(AuthTinyproxy::Users{{"alice", "wonderland"}, {"bob", "builder"}});
  ASSERT_TRUE(proxy.Start(&e)) << e;
  auto log = [&proxy] { return proxy.Log(); };
  WaitForProbe(log);
  LogCounter accepted(log, kTinyAccepted), connects(log, TinyConnect(tls_port_));
  const std::string url = TlsUrl(tls_port_);
  const Route alice = Route(proxy.Url()).Credentials("alice:wonderland").Layers(TrustCa());
  const Route alice_in_url =
      Route("http://alice:wonderland@127.0.0.1:" + std::to_string(proxy.port())).Layers(TrustCa());

  FetchResult r1 = Run(url, alice);
  ASSERT_EQ(r1.status, STRATA_OK) << Why(r1) << proxy.Log();
  EXPECT_EQ(r1.info(STRATA_INFO_NUM_CONNECTS), 1);
  FetchResult r2 = Run(url, alice);
  ASSERT_EQ(r2.status, STRATA_OK) << Why(r2);
  EXPECT_EQ(r2.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r2);
  EXPECT_EQ(Conn(r2), Conn(r1)) << Why(r2);
  FetchResult r3 = Run(url, alice_in_url);
  ASSERT_EQ(r3.status, STRATA_OK) << Why(r3);
  EXPECT_EQ(r3.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r3);
  EXPECT_EQ(Conn(r3), Conn(r1)) << Why(r3);

  EXPECT_EQ(connects.AtLeast(1), 1u) << proxy.Log();
  SettleLogs();
  EXPECT_EQ(accepted.SoFar(), 1u) << proxy.Log();
  EXPECT_EQ(connects.SoFar(), 1u) << proxy.Log();
}

// ---- TLS settings -------------------------------------------------------------

// Towards the same https origin, directly: a connection made without
// verification, or under another trust, never carries a request whose own
// settings would have refused the server (nor is its TLS session resumed
// for it: "resumed=." is nginx's $ssl_session_reused for a full handshake).
TEST_F(PoolKeyTest, OriginTlsSettingsAreNotShared) {
  const std::string url = TlsUrl(origin_settings_port_);
  const Route insecure = Route("").Layers(TlsOptions("\"verify\": false"));
  const Route system_trust = Route("");
  const Route trusted = Route("").Layers(TrustCa());
  const Route trusted_copy =
      Route("").Layers(TlsOptions("\"ca_file\": " + JsonString(pki_->dir() + "/ca-copy.pem")));
  const Route other_ca = Route("").Layers(TlsOptions("\"ca_file\": " + JsonString(pki_->Cert("other"))));

  FetchResult r1 = Run(url, insecure);
  ASSERT_EQ(r1.status, STRATA_OK) << Why(r1);
  ASSERT_EQ(r1.http_status(), 200) << Why(r1);

  // The system bundle does not trust the test CA: refused, whatever the
  // pool holds.
  FetchResult r2 = Run(url, system_trust);
  EXPECT_EQ(r2.status, STRATA_E_TLS_VERIFY) << "rode on the unverified connection? " << Why(r2);

  FetchResult r3 = Run(url, trusted);
  ASSERT_EQ(r3.status, STRATA_OK) << Why(r3);
  EXPECT_EQ(r3.info(STRATA_INFO_NUM_CONNECTS), 1) << Why(r3);
  EXPECT_NE(Conn(r3), Conn(r1)) << Why(r3);
  EXPECT_EQ(Field(r3.body(), "resumed"), ".") << "the unverified session was resumed\n" << Why(r3);

  // Another CA: refused, neither the verified connection nor its session
  // (a TLS 1.3 ticket by now) stands in for the check.
  FetchResult r4 = Run(url, other_ca);
  EXPECT_EQ(r4.status, STRATA_E_TLS_VERIFY) << "rode on a connection verified under another CA? " << Why(r4);

  // The same CA under another path is another setting: a new connection.
  FetchResult r5 = Run(url, trusted_copy);
  ASSERT_EQ(r5.status, STRATA_OK) << Why(r5);
  EXPECT_EQ(r5.info(STRATA_INFO_NUM_CONNECTS), 1) << Why(r5);
  EXPECT_NE(Conn(r5), Conn(r1)) << Why(r5);
  EXPECT_NE(Conn(r5), Conn(r3)) << Why(r5);

  // Controls: each setting reuses its own connection.
  FetchResult r6 = Run(url, trusted);
  ASSERT_EQ(r6.status, STRATA_OK) << Why(r6);
  EXPECT_EQ(r6.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r6);
  EXPECT_EQ(Conn(r6), Conn(r3)) << Why(r6);
  FetchResult r7 = Run(url, insecure);
  ASSERT_EQ(r7.status, STRATA_OK) << Why(r7);
  EXPECT_EQ(r7.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r7);
  EXPECT_EQ(Conn(r7), Conn(r1)) << Why(r7);
}

// CVE-2022-27782's other half: a connection (or TLS session) that presented
// a client certificate never serves a request with another certificate or
// none. nginx reports the client certificate it saw on the connection.
TEST_F(PoolKeyTest, ClientCertificateConnectionsAreNotShared) {
  const std::string url = TlsUrl(client_cert_port_);
  const Route as_a = Route("").Layers(WithClient("client-a"));
  const Route as_b = Route("").Layers(WithClient("client-b"));
  const Route anonymous = Route("").Layers(TrustCa());

  FetchResult r1 = Run(url, as_a);
  ASSERT_EQ(r1.status, STRATA_OK) << Why(r1);
  ASSERT_EQ(r1.http_status(), 200) << Why(r1);
  EXPECT_EQ(Field(r1.body(), "client"), "CN=pool client a") << Why(r1);

  FetchResult r2 = Run(url, anonymous);
  ASSERT_EQ(r2.status, STRATA_OK) << Why(r2);
  EXPECT_EQ(r2.info(STRATA_INFO_NUM_CONNECTS), 1) << Why(r2);
  EXPECT_NE(Conn(r2), Conn(r1)) << Why(r2);
  EXPECT_EQ(Field(r2.body(), "client"), "") << "sent as client a without asking\n" << Why(r2);
  EXPECT_EQ(Field(r2.body(), "resumed"), ".") << Why(r2);

  FetchResult r3 = Run(url, as_b);
  ASSERT_EQ(r3.status, STRATA_OK) << Why(r3);
  EXPECT_EQ(r3.info(STRATA_INFO_NUM_CONNECTS), 1) << Why(r3);
  EXPECT_NE(Conn(r3), Conn(r1)) << Why(r3);
  EXPECT_NE(Conn(r3), Conn(r2)) << Why(r3);
  EXPECT_EQ(Field(r3.body(), "client"), "CN=pool client b") << Why(r3);
  EXPECT_EQ(Field(r3.body(), "resumed"), ".") << Why(r3);

  // Controls.
  FetchResult r4 = Run(url, as_a);
  ASSERT_EQ(r4.status, STRATA_OK) << Why(r4);
  EXPECT_EQ(r4.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r4);
  EXPECT_EQ(Conn(r4), Conn(r1)) << Why(r4);
  EXPECT_EQ(Field(r4.body(), "client"), "CN=pool client a") << Why(r4);
  FetchResult r5 = Run(url, anonymous);
  ASSERT_EQ(r5.status, STRATA_OK) << Why(r5);
  EXPECT_EQ(r5.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r5);
  EXPECT_EQ(Conn(r5), Conn(r2)) << Why(r5);
}

// The TLS settings of the proxy hop ("proxy:tls") belong to the key as
// well: through squid's https_port, a tunnel made without verifying the
// proxy never carries a request that trusts only the system bundle for it.
TEST_F(PoolKeyTest, ProxyTlsSettingsAreNotShared) {
  std::string e;
  SquidFixture squid;
  squid.EnableTls(pki_->Cert("localhost"), pki_->Key("localhost"));
  ASSERT_TRUE(squid.Start(&e)) << e;
  ASSERT_NE(squid.tls_port(), 0);
  const std::string url = TlsUrl(tls_port_);
  const std::string proxy = "https://127.0.0.1:" + std::to_string(squid.tls_port());
  const std::string origin_trust = "\"tls\": {\"ca_file\": " + JsonString(Ca()) + "}";
  const Route proxy_insecure = Route(proxy).Layers("{\"proxy:tls\": {\"verify\": false}, " + origin_trust + "}");
  const Route proxy_trusted =
      Route(proxy).Layers("{\"proxy:tls\": {\"ca_file\": " + JsonString(Ca()) + "}, " + origin_trust + "}");
  const Route proxy_system_trust = Route(proxy).Layers("{" + origin_trust + "}");
  LogCounter connects([&squid] { return squid.AccessLog(); }, "CONNECT 127.0.0.1:" + std::to_string(tls_port_));

  FetchResult r1 = Run(url, proxy_insecure);
  ASSERT_EQ(r1.status, STRATA_OK) << Why(r1) << squid.CacheLog();
  ASSERT_EQ(r1.http_status(), 200) << Why(r1);
  EXPECT_EQ(Chain(r1).rfind(SocketTo(squid.tls_port()) + " → tls(", 0), 0u) << Chain(r1);

  FetchResult r2 = Run(url, proxy_system_trust);
  EXPECT_EQ(r2.status, STRATA_E_TLS_VERIFY) << "rode on the tunnel to an unverified proxy? " << Why(r2);

  FetchResult r3 = Run(url, proxy_trusted);
  ASSERT_EQ(r3.status, STRATA_OK) << Why(r3);
  EXPECT_EQ(r3.info(STRATA_INFO_NUM_CONNECTS), 1) << Why(r3);
  EXPECT_NE(Conn(r3), Conn(r1)) << Why(r3);

  // Controls.
  FetchResult r4 = Run(url, proxy_insecure);
  ASSERT_EQ(r4.status, STRATA_OK) << Why(r4);
  EXPECT_EQ(r4.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r4);
  EXPECT_EQ(Conn(r4), Conn(r1)) << Why(r4);
  FetchResult r5 = Run(url, proxy_trusted);
  ASSERT_EQ(r5.status, STRATA_OK) << Why(r5);
  EXPECT_EQ(r5.info(STRATA_INFO_NUM_CONNECTS), 0) << Why(r5);
  EXPECT_EQ(Conn(r5), Conn(r3)) << Why(r5);

  // squid logs a CONNECT when its tunnel closes: two tunnels in all (the
  // refused request never got past the proxy's certificate).
  runtime_.reset();
  EXPECT_EQ(connects.AtLeast(2), 2u) << squid.AccessLog();
  SettleLogs();
  EXPECT_EQ(connects.SoFar(), 2u) << squid.AccessLog();
}

// ---- HTTP/2: transfers in flight at once ----------------------------------------

// With HTTP/2 a transfer waits for a connection of its key that is still
// being set up instead of opening another (RFC 9113 §9.1). That wait must
// follow the key as well: transfers submitted together through proxy A
// and proxy B (or as alice and as bob) share only within their own key.
class PoolKeyHttp2Test : public PoolKeyTest {
 protected:
  void SetUp() override {
    if (!FileExists(RunfilePath("tools/strata-h2-alpn.so"))) GTEST_SKIP() << "strata-h2-alpn.so is not in the runfiles";
    PoolKeyTest::SetUp();
  }

  // Together submits |routes| at once to the h2 port and checks that
  // transfers with equal |group| shared one connection and those with
  // different ones did not.
  std::vector<FetchResult> Together(const std::vector<Route>& routes, const std::vector<int>& group) {
    std::vector<FetchSpec> specs;
    for (Route r : routes) {
      r.http_version = STRATA_HTTP_VERSION_2;
      r.layer_options = TrustCa();
      specs.push_back(Spec(TlsUrl(h2_port_), r));
    }
    std::vector<FetchResult> results = FetchConcurrently(runtime_.get(), specs);
    for (size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(results[i].status, STRATA_OK) << i << ": " << Why(results[i]);
      EXPECT_EQ(results[i].info(STRATA_INFO_HTTP_VERSION), 20) << i << ": " << Why(results[i]);
      EXPECT_EQ(Field(results[i].body(), "proto"), "HTTP/2.0") << i << ": " << Why(results[i]);
    }
    for (size_t i = 0; i < results.size(); ++i) {
      for (size_t j = i + 1; j < results.size(); ++j) {
        if (group[i] == group[j]) {
          EXPECT_EQ(Conn(results[i]), Conn(results[j])) << i << " and " << j << " should share\n" << events_.Dump();
        } else {
          EXPECT_NE(Conn(results[i]), Conn(results[j])) << i << " and " << j << " must not share\n"
                                                         << events_.Dump();
        }
      }
    }
    return results;
  }
};

TEST_F(PoolKeyHttp2Test, TransfersInFlightThroughDifferentProxiesDoNotShare) {
  std::string e;
  TinyproxyFixture a, b;
  ASSERT_TRUE(a.Start(&e)) << e;
  ASSERT_TRUE(b.Start(&e)) << e;
  auto a_log = [&a] { return a.Log(); };
  auto b_log = [&b] { return b.Log(); };
  WaitForProbe(a_log);
  WaitForProbe(b_log);
  LogCounter a_connects(a_log, TinyConnect(h2_port_)), b_connects(b_log, TinyConnect(h2_port_));
  const Route via_a = Route(ProxyUrl(a.port()));
  const Route via_b = Route(ProxyUrl(b.port()));

  std::vector<FetchResult> r = Together({via_a, via_b, via_a, via_b, via_a}, {0, 1, 0, 1, 0});
  ASSERT_EQ(r.size(), 5u);
  for (size_t i : {0u, 2u, 4u}) EXPECT_EQ(Chain(r[i]).rfind(SocketTo(a.port()), 0), 0u) << Chain(r[i]);
  for (size_t i : {1u, 3u}) EXPECT_EQ(Chain(r[i]).rfind(SocketTo(b.port()), 0), 0u) << Chain(r[i]);
  EXPECT_EQ(a_connects.AtLeast(1), 1u) << a.Log();
  EXPECT_EQ(b_connects.AtLeast(1), 1u) << b.Log();
  SettleLogs();
  EXPECT_EQ(a_connects.SoFar(), 1u) << a.Log();
  EXPECT_EQ(b_connects.SoFar(), 1u) << b.Log();
}

TEST_F(PoolKeyHttp2Test, TransfersInFlightWithDifferentProxyCredentialsDoNotShare) {
  std::string e;
  AuthTinyproxy proxy(AuthTinyproxy::Users{{"alice", "wonderland"}, {"bob", "builder"}});
  ASSERT_TRUE(proxy.Start(&e)) << e;
  auto log = [&proxy] { return proxy.Log(); };
  WaitForProbe(log);
  LogCounter accepted(log, kTinyAccepted), connects(log, TinyConnect(h2_port_));
  const Route alice = Route(proxy.Url()).Credentials("alice:wonderland");
  const Route bob = Route(proxy.Url()).Credentials("bob:builder");

  Together({alice, bob, alice, bob, alice}, {0, 1, 0, 1, 0});
  EXPECT_EQ(connects.AtLeast(2), 2u) << proxy.Log();
  SettleLogs();
  EXPECT_EQ(connects.SoFar(), 2u) << proxy.Log();
  EXPECT_EQ(accepted.SoFar(), 2u) << proxy.Log();
}

}  // namespace
}  // namespace strata::test
