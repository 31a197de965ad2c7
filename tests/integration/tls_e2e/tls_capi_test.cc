// End to end through the public C API: https:// over tcp → tls → h1 against
// nginx (and a BoringSSL test peer) on 127.0.0.1, with a CA made at test
// time. One nginx serves the whole suite, each case on its own port; every
// test makes its own runtime.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/integration/tls_e2e/tls_test_peer.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

// TlsStep is the text of one tls layer entry with |options| (a JSON object's
// members, without braces).
std::string TlsStep(const std::string& options) {
  return "{\"layer\": \"tls\", \"options\": {" + options + "}}";
}

std::string Pipeline(const std::string& tls_options) {
  return "[\"tcp\", " + TlsStep(tls_options) + ", \"h1\"]";
}

struct Events {
  std::vector<std::string> traces;  // "layer: message"
  std::vector<std::string> chains;  // CONNECT events

  bool TraceHas(const std::string& needle) const {
    for (const std::string& t : traces) {
      if (t.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  std::string AllTraces() const {
    std::string out;
    for (const std::string& t : traces) out += t + "\n";
    return out;
  }
  static void Record(void* user, const strata_event* e) {
    auto* self = static_cast<Events*>(user);
    if (e->type == STRATA_EVENT_TRACE) self->traces.push_back(std::string(e->layer) + ": " + e->message);
    if (e->type == STRATA_EVENT_CONNECT) self->chains.push_back(e->chain);
  }
};

class TlsEndToEnd : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki();
    std::string e;
    bool ok = pki_->MakeCa("ca", &e) && pki_->MakeCa("other", &e) &&
              pki_->MakeLocalhostLeaf("ca", &e) &&
              pki_->MakeLeaf("dnsonly", "ca", "127.0.0.1", "DNS:127.0.0.1,DNS:localhost", "serverAuth", &e) &&
              // CN says b.test: the name check must ignore the CN.
              pki_->MakeLeaf("a", "ca", "b.test", "DNS:a.test", "serverAuth", &e) &&
              pki_->MakeLeaf("b", "ca", "b.test", "DNS:b.test", "serverAuth", &e) &&
              pki_->MakeLeaf("relay", "ca", "relay.test", "DNS:relay.test", "serverAuth", &e) &&
              pki_->MakeLeaf("stranger", "other", "localhost", "DNS:localhost", "serverAuth", &e) &&
              pki_->MakeLeaf("client", "ca", "strata client", "", "clientAuth", &e);
    ASSERT_TRUE(ok) << e;

    nginx_ = new TlsNginx();
    auto certs = [](const std::string& name) {
      return "    ssl_certificate \"" + pki_->Cert(name) + "\";\n    ssl_certificate_key \"" + pki_->Key(name) +
             "\";\n";
    };
    const std::string report =
        "    location / { return 200 \"proto=$ssl_protocol reused=$ssl_session_reused "
        "sni=$ssl_server_name alpn=$ssl_alpn_protocol\\n\"; }\n";
    main_port_ = nginx_->AddServer(certs("localhost") + report);
    dns_only_port_ = nginx_->AddServer(certs("dnsonly") + report);
    sni_port_ = nginx_->AddServer(certs("localhost") + "    location / { return 200 \"default\\n\"; }\n");
    nginx_->AddServer("    server_name a.test;\n" + certs("a") + "    location / { return 200 \"a\\n\"; }\n",
                      sni_port_);
    nginx_->AddServer("    server_name b.test;\n" + certs("b") + "    location / { return 200 \"b\\n\"; }\n",
                      sni_port_);
    mismatch_port_ = nginx_->AddServer(certs("a") + report);
    untrusted_port_ = nginx_->AddServer(certs("stranger") + report);
    client_auth_port_ = nginx_->AddServer(
        certs("localhost") + "    ssl_client_certificate \"" + pki_->Cert("ca") +
        "\";\n    ssl_verify_client on;\n"
        "    location / { return 200 \"client=$ssl_client_s_dn\\n\"; }\n");
    tls13_port_ = nginx_->AddServer(certs("localhost") + "    ssl_protocols TLSv1.3;\n" + report);
    tls12_port_ = nginx_->AddServer(certs("localhost") + "    ssl_protocols TLSv1.2;\n" + report);
    // Closes every connection after one response, so the next request of
    // the same runtime needs a new connection (and a new handshake).
    one_shot_port_ = nginx_->AddServer(certs("localhost") + "    keepalive_timeout 0;\n" + report);
    ASSERT_TRUE(nginx_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
    delete pki_;
    pki_ = nullptr;
  }

  // Config: "https" trusts the test CA; |pipelines| adds "name": [...] pairs.
  static std::string Config(const std::string& pipelines = "") {
    std::string ca = "\"ca_file\": " + JsonString(pki_->Cert("ca"));
    return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
           " \"plugins\": [\"tcp\", \"tls\", \"h1\"],"
           " \"pipelines\": {\"https\": " + Pipeline(ca) + (pipelines.empty() ? "" : ", " + pipelines) + "},"
           " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000,"
           " \"idle_ms\": 10000, \"total_ms\": 30000}}";
  }
  static std::string CaOption() { return "\"ca_file\": " + JsonString(pki_->Cert("ca")); }

  RuntimePtr NewRuntime(const std::string& config, Events* events) {
    RuntimeResult rt = MakeRuntime(config);
    EXPECT_EQ(rt.status, STRATA_OK) << rt.error.message;
    if (rt.runtime && events) {
      strata_runtime_set_event_callback(rt.runtime.get(), &Events::Record, events,
                                        (1u << STRATA_EVENT_TRACE) | (1u << STRATA_EVENT_CONNECT));
    }
    return std::move(rt.runtime);
  }

  static FetchResult GetVia(strata_runtime* rt, const std::string& url, const std::string& pipeline = "",
                            const std::string& resolve = "") {
    FetchSpec spec;
    spec.url = url;
    if (!pipeline.empty()) spec.string_options.push_back({STRATA_OPT_PIPELINE, pipeline});
    if (!resolve.empty()) spec.string_options.push_back({STRATA_OPT_RESOLVE, resolve});
    return Fetch(rt, spec);
  }

  static std::string Url(const std::string& host, uint16_t port) {
    return "https://" + host + ":" + std::to_string(port) + "/";
  }

  static TestPki* pki_;
  static TlsNginx* nginx_;
  static uint16_t main_port_, dns_only_port_, sni_port_, mismatch_port_, untrusted_port_, client_auth_port_,
      tls13_port_, tls12_port_, one_shot_port_;
};

TestPki* TlsEndToEnd::pki_ = nullptr;
TlsNginx* TlsEndToEnd::nginx_ = nullptr;
uint16_t TlsEndToEnd::main_port_, TlsEndToEnd::dns_only_port_, TlsEndToEnd::sni_port_,
    TlsEndToEnd::mismatch_port_, TlsEndToEnd::untrusted_port_, TlsEndToEnd::client_auth_port_,
    TlsEndToEnd::tls13_port_, TlsEndToEnd::tls12_port_, TlsEndToEnd::one_shot_port_;

TEST_F(TlsEndToEnd, TrustedFetchNegotiatesHttp11OverTls13) {
  Events ev;
  RuntimePtr rt = NewRuntime(Config(), &ev);
  FetchResult r = GetVia(rt.get(), Url("localhost", main_port_));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "proto=TLSv1.3 reused=. sni=localhost alpn=http/1.1\n");
  ASSERT_EQ(ev.chains.size(), 1u);
  EXPECT_NE(ev.chains[0].find("tls(sni=localhost, alpn=http/1.1, TLSv1.3)"), std::string::npos) << ev.chains[0];
}

TEST_F(TlsEndToEnd, UntrustedCaFailsVerification) {
  RuntimePtr rt = NewRuntime(Config(), nullptr);
  FetchResult r = GetVia(rt.get(), Url("localhost", untrusted_port_));
  EXPECT_EQ(r.status, STRATA_E_TLS_VERIFY) << r.Describe();
  EXPECT_STREQ(r.error.layer, "tls");
  std::string want = "certificate verify failed: unable to get local issuer certificate (host localhost:" +
                     std::to_string(untrusted_port_);
  EXPECT_NE(std::string(r.error.message).find(want), std::string::npos) << r.error.message;
}

// The default trust store is the system bundle, which does not know the
// test CA either.
TEST_F(TlsEndToEnd, DefaultTrustIsTheSystemBundle) {
  RuntimePtr rt = NewRuntime(Config("\"sys\": " + Pipeline("")), nullptr);
  FetchResult r = GetVia(rt.get(), Url("localhost", main_port_), "sys");
  EXPECT_EQ(r.status, STRATA_E_TLS_VERIFY) << r.Describe();
}

// verify: false is an explicit opt-out, and it is said out loud.
TEST_F(TlsEndToEnd, VerifyFalseConnectsAndWarns) {
  Events ev;
  RuntimePtr rt = NewRuntime(Config("\"insecure\": " + Pipeline("\"verify\": false")), &ev);
  FetchResult r = GetVia(rt.get(), Url("localhost", untrusted_port_), "insecure");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_TRUE(ev.TraceHas("certificate verification is disabled (verify: false)")) << ev.AllTraces();
  ASSERT_EQ(ev.chains.size(), 1u);
  EXPECT_NE(ev.chains[0].find("unverified"), std::string::npos) << ev.chains[0];
}

// HOSTILE A.4: the name is checked against DNS SANs only, never the CN
// (the certificate's CN is b.test).
TEST_F(TlsEndToEnd, NameMismatchFails) {
  RuntimePtr rt = NewRuntime(Config(), nullptr);
  std::string resolve = "b.test:" + std::to_string(mismatch_port_) + ":127.0.0.1";
  FetchResult r = GetVia(rt.get(), Url("b.test", mismatch_port_), "", resolve);
  EXPECT_EQ(r.status, STRATA_E_TLS_VERIFY) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("host name mismatch: certificate is for a.test, not b.test"),
            std::string::npos)
      << r.error.message;
}

// HOSTILE A.3: an IP literal sends no SNI and matches an iPAddress SAN.
TEST_F(TlsEndToEnd, IpLiteralVerifiesAgainstIpSanWithoutSni) {
  Events ev;
  RuntimePtr rt = NewRuntime(Config(), &ev);
  FetchResult r = GetVia(rt.get(), Url("127.0.0.1", main_port_));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "proto=TLSv1.3 reused=. sni= alpn=http/1.1\n");
  ASSERT_EQ(ev.chains.size(), 1u);
  EXPECT_NE(ev.chains[0].find("tls(sni=none"), std::string::npos) << ev.chains[0];
}

// HOSTILE A.3: "DNS:127.0.0.1" does not vouch for the address 127.0.0.1.
TEST_F(TlsEndToEnd, IpLiteralFailsAgainstDnsOnlyCertificate) {
  RuntimePtr rt = NewRuntime(Config(), nullptr);
  FetchResult r = GetVia(rt.get(), Url("127.0.0.1", dns_only_port_));
  EXPECT_EQ(r.status, STRATA_E_TLS_VERIFY) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("IP address mismatch"), std::string::npos) << r.error.message;
  EXPECT_NE(std::string(r.error.message).find("not IP:127.0.0.1"), std::string::npos) << r.error.message;
}

// nginx picks the server block, and so the certificate, by the SNI we send.
TEST_F(TlsEndToEnd, SniSelectsTheServerCertificate) {
  RuntimePtr rt = NewRuntime(Config(), nullptr);
  std::string port = std::to_string(sni_port_);
  FetchResult a = GetVia(rt.get(), Url("a.test", sni_port_), "", "a.test:" + port + ":127.0.0.1");
  ASSERT_EQ(a.status, STRATA_OK) << a.Describe();
  EXPECT_EQ(a.body(), "a\n");
  FetchResult b = GetVia(rt.get(), Url("b.test", sni_port_), "", "b.test:" + port + ":127.0.0.1");
  ASSERT_EQ(b.status, STRATA_OK) << b.Describe();
  EXPECT_EQ(b.body(), "b\n");
  FetchResult d = GetVia(rt.get(), Url("localhost", sni_port_));
  ASSERT_EQ(d.status, STRATA_OK) << d.Describe();
  EXPECT_EQ(d.body(), "default\n");
}

TEST_F(TlsEndToEnd, ClientCertificateRequiredByServer) {
  Events ev;
  std::string with_cert = "\"with-cert\": " + Pipeline(CaOption() + ", \"cert\": " +
                                                       JsonString(pki_->Cert("client")) + ", \"key\": " +
                                                       JsonString(pki_->Key("client")));
  RuntimePtr rt = NewRuntime(Config(with_cert), &ev);
  // Without: nginx finishes the handshake and answers 400; we say why.
  FetchResult without = GetVia(rt.get(), Url("localhost", client_auth_port_));
  ASSERT_EQ(without.status, STRATA_OK) << without.Describe();
  EXPECT_EQ(without.http_status(), 400);
  EXPECT_NE(without.body().find("No required SSL certificate was sent"), std::string::npos) << without.body();
  EXPECT_TRUE(ev.TraceHas("asked for a client certificate, but none is configured (options cert and key)"))
      << ev.AllTraces();
  FetchResult with = GetVia(rt.get(), Url("localhost", client_auth_port_), "with-cert");
  ASSERT_EQ(with.status, STRATA_OK) << with.Describe();
  EXPECT_EQ(with.http_status(), 200);
  EXPECT_EQ(with.body(), "client=CN=strata client\n");
}

TEST_F(TlsEndToEnd, SecondConnectionResumesTheSession) {
  // A pipeline of its own gives this test a cache key no other test uses.
  std::string pipelines = "\"resume\": " + Pipeline(CaOption() + ", \"curves\": [\"X25519\", \"P-256\"]");
  Events ev;
  RuntimePtr rt = NewRuntime(Config(pipelines), &ev);
  FetchResult r1 = GetVia(rt.get(), Url("localhost", one_shot_port_), "resume");
  ASSERT_EQ(r1.status, STRATA_OK) << r1.Describe();
  EXPECT_NE(r1.body().find("reused=."), std::string::npos) << r1.body();
  EXPECT_FALSE(ev.TraceHas("resumed session")) << ev.AllTraces();
  // nginx closed the first connection: the second request needs a new one.
  FetchResult r2 = GetVia(rt.get(), Url("localhost", one_shot_port_), "resume");
  ASSERT_EQ(r2.status, STRATA_OK) << r2.Describe();
  EXPECT_EQ(r2.info(STRATA_INFO_NUM_CONNECTS), 1);
  EXPECT_NE(r2.body().find("reused=r"), std::string::npos) << r2.body();
  EXPECT_TRUE(ev.TraceHas("tls: resumed session")) << ev.AllTraces();
  ASSERT_EQ(ev.chains.size(), 2u);
  EXPECT_EQ(ev.chains[0].find("resumed"), std::string::npos) << ev.chains[0];
  EXPECT_NE(ev.chains[1].find(", TLSv1.3, resumed)"), std::string::npos) << ev.chains[1];
}

// The runtime core's TLS context sharing: the second connection with the
// same context settings (here in another runtime, as contexts are
// process-wide) gets the SSL_CTX, and so the CA store, the first one built;
// another trust setting gets a context of its own.
TEST_F(TlsEndToEnd, ConnectionsWithTheSameSettingsShareOneTlsContext) {
  // Curves no other test uses: a context key of this test's own.
  const std::string pipelines = "\"ctx\": " + Pipeline(CaOption() + ", \"curves\": [\"P-384\", \"X25519\"]") +
                                ", \"ctx_other\": " +
                                Pipeline(CaOption() + ", \"curves\": [\"P-384\", \"X25519\"], \"min_version\": \"1.3\"");
  Events first_ev, second_ev;
  RuntimePtr first = NewRuntime(Config(pipelines), &first_ev);
  RuntimePtr second = NewRuntime(Config(pipelines), &second_ev);
  FetchResult r1 = GetVia(first.get(), Url("localhost", one_shot_port_), "ctx");
  ASSERT_EQ(r1.status, STRATA_OK) << r1.Describe();
  EXPECT_TRUE(first_ev.TraceHas("new TLS context")) << first_ev.AllTraces();
  FetchResult r2 = GetVia(second.get(), Url("localhost", one_shot_port_), "ctx");
  ASSERT_EQ(r2.status, STRATA_OK) << r2.Describe();
  EXPECT_TRUE(second_ev.TraceHas("shared TLS context")) << second_ev.AllTraces();
  FetchResult r3 = GetVia(second.get(), Url("localhost", one_shot_port_), "ctx_other");
  ASSERT_EQ(r3.status, STRATA_OK) << r3.Describe();
  EXPECT_NE(second_ev.AllTraces().rfind("new TLS context"), std::string::npos) << second_ev.AllTraces();
}

// A session learnt with one set of TLS settings is not offered with
// another (HOSTILE G.74): the client-certificate pipeline differs only in
// its identity, and its first handshake is a full one.
TEST_F(TlsEndToEnd, SessionsAreNotSharedAcrossSettings) {
  std::string pipelines = "\"plain\": " + Pipeline(CaOption() + ", \"curves\": [\"P-256\"]") +
                          ", \"ident\": " + Pipeline(CaOption() + ", \"curves\": [\"P-256\"], \"cert\": " +
                                                     JsonString(pki_->Cert("client")) + ", \"key\": " +
                                                     JsonString(pki_->Key("client")));
  RuntimePtr rt = NewRuntime(Config(pipelines), nullptr);
  FetchResult r1 = GetVia(rt.get(), Url("localhost", one_shot_port_), "plain");
  ASSERT_EQ(r1.status, STRATA_OK) << r1.Describe();
  FetchResult r2 = GetVia(rt.get(), Url("localhost", one_shot_port_), "ident");
  ASSERT_EQ(r2.status, STRATA_OK) << r2.Describe();
  EXPECT_NE(r2.body().find("reused=."), std::string::npos) << r2.body();
  FetchResult r3 = GetVia(rt.get(), Url("localhost", one_shot_port_), "plain");
  ASSERT_EQ(r3.status, STRATA_OK) << r3.Describe();
  EXPECT_NE(r3.body().find("reused=r"), std::string::npos) << r3.body();
}

TEST_F(TlsEndToEnd, Tls13OnlyServer) {
  std::string p = "\"max12\": " + Pipeline(CaOption() + ", \"max_version\": \"1.2\"");
  RuntimePtr rt = NewRuntime(Config(p), nullptr);
  FetchResult ok = GetVia(rt.get(), Url("localhost", tls13_port_));
  ASSERT_EQ(ok.status, STRATA_OK) << ok.Describe();
  EXPECT_NE(ok.body().find("proto=TLSv1.3"), std::string::npos) << ok.body();
  FetchResult refused = GetVia(rt.get(), Url("localhost", tls13_port_), "max12");
  EXPECT_EQ(refused.status, STRATA_E_TLS) << refused.Describe();
  EXPECT_NE(std::string(refused.error.message).find("no TLS version in common"), std::string::npos)
      << refused.error.message;
}

TEST_F(TlsEndToEnd, Tls12OnlyServer) {
  Events ev;
  std::string p = "\"min13\": " + Pipeline(CaOption() + ", \"min_version\": \"1.3\"");
  RuntimePtr rt = NewRuntime(Config(p), &ev);
  FetchResult ok = GetVia(rt.get(), Url("localhost", tls12_port_));
  ASSERT_EQ(ok.status, STRATA_OK) << ok.Describe();
  EXPECT_NE(ok.body().find("proto=TLSv1.2"), std::string::npos) << ok.body();
  ASSERT_FALSE(ev.chains.empty());
  EXPECT_NE(ev.chains[0].find("TLSv1.2"), std::string::npos) << ev.chains[0];
  FetchResult refused = GetVia(rt.get(), Url("localhost", tls12_port_), "min13");
  EXPECT_EQ(refused.status, STRATA_E_TLS) << refused.Describe();
  EXPECT_NE(std::string(refused.error.message).find("no TLS version in common"), std::string::npos)
      << refused.error.message;
}

TEST_F(TlsEndToEnd, PlainHttpServerOnTheTlsPortIsNamed) {
  NginxFixture plain;
  std::string e;
  ASSERT_TRUE(plain.Start(&e)) << e;
  RuntimePtr rt = NewRuntime(Config(), nullptr);
  auto start = std::chrono::steady_clock::now();
  FetchResult r = GetVia(rt.get(), Url("localhost", plain.port()));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(r.status, STRATA_E_TLS) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("answered in plain HTTP, not TLS"), std::string::npos)
      << r.error.message;
}

TEST_F(TlsEndToEnd, SilentServerTimesOutTheHandshake) {
  ScriptedPeer silent({{NeverAnswer()}});
  RuntimePtr rt = NewRuntime(Config("\"quick\": " + Pipeline(CaOption() + ", \"handshake_timeout_ms\": 700")),
                             nullptr);
  auto start = std::chrono::steady_clock::now();
  FetchResult r = GetVia(rt.get(), Url("localhost", silent.port()), "quick");
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, STRATA_E_TIMEOUT) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("handshake timeout after 700 ms"), std::string::npos)
      << r.error.message;
  EXPECT_GE(took, std::chrono::milliseconds(650));
  EXPECT_LT(took, std::chrono::milliseconds(4000));
}

// HOSTILE A.1: a server choosing a protocol we did not offer.
TEST_F(TlsEndToEnd, ServerChoosingUnofferedAlpnFailsTheHandshake) {
  TlsTestPeer::Options o;
  o.cert = pki_->Cert("localhost");
  o.key = pki_->Key("localhost");
  o.alpn_choice = "h2";
  o.response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  TlsTestPeer peer(o);
  ASSERT_TRUE(peer.ok()) << peer.error();
  RuntimePtr rt = NewRuntime(Config(), nullptr);
  FetchResult r = GetVia(rt.get(), Url("localhost", peer.port()));
  EXPECT_EQ(r.status, STRATA_E_TLS) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("ALPN"), std::string::npos) << r.error.message;
}

// HOSTILE A.2: no ALPN selected → plain HTTP/1.1, and the query says "".
TEST_F(TlsEndToEnd, NoAlpnSelectedStillSpeaksHttp11) {
  TlsTestPeer::Options o;
  o.cert = pki_->Cert("localhost");
  o.key = pki_->Key("localhost");
  o.response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  TlsTestPeer peer(o);
  ASSERT_TRUE(peer.ok()) << peer.error();
  Events ev;
  RuntimePtr rt = NewRuntime(Config(), &ev);
  FetchResult r = GetVia(rt.get(), Url("localhost", peer.port()));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "ok");
  ASSERT_EQ(ev.chains.size(), 1u);
  EXPECT_NE(ev.chains[0].find("alpn=none"), std::string::npos) << ev.chains[0];
}

// HOSTILE A.5: a read-until-close body cut by a FIN without close_notify is
// an error; the same body ended by close_notify is complete.
TEST_F(TlsEndToEnd, CloseWithoutCloseNotifyTruncatesReadUntilCloseBody) {
  TlsTestPeer::Options o;
  o.cert = pki_->Cert("localhost");
  o.key = pki_->Key("localhost");
  o.response = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\npartial body";
  o.close_notify = false;
  TlsTestPeer cut(o);
  ASSERT_TRUE(cut.ok()) << cut.error();
  o.close_notify = true;
  TlsTestPeer clean(o);
  ASSERT_TRUE(clean.ok()) << clean.error();
  RuntimePtr rt = NewRuntime(Config(), nullptr);
  FetchResult r = GetVia(rt.get(), Url("localhost", cut.port()));
  EXPECT_EQ(r.status, STRATA_E_TRUNCATED) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("without a TLS close_notify"), std::string::npos)
      << r.error.message;
  FetchResult ok = GetVia(rt.get(), Url("localhost", clean.port()));
  ASSERT_EQ(ok.status, STRATA_OK) << ok.Describe();
  EXPECT_EQ(ok.body(), "partial body");
}

// HOSTILE G.73: TLS inside TLS through a TLS-terminating relay. Each layer
// has its own SNI, verification name and session cache entry.
TEST_F(TlsEndToEnd, TlsInsideTlsThroughARelay) {
  TlsTestPeer::Options o;
  o.cert = pki_->Cert("relay");
  o.key = pki_->Key("relay");
  o.mode = TlsTestPeer::Mode::kRelay;
  o.relay_port = one_shot_port_;
  TlsTestPeer relay(o);
  ASSERT_TRUE(relay.ok()) << relay.error();
  std::string outer = TlsStep(CaOption() + ", \"server_name\": \"relay.test\", \"alpn\": []");
  std::string inner = TlsStep(CaOption());
  std::string pipelines =
      "\"nested\": [\"tcp\", " + outer + ", " + inner + ", \"h1\"], " +
      "\"wrong\": [\"tcp\", " + TlsStep(CaOption() + ", \"alpn\": []") + ", " + inner + ", \"h1\"]";
  // The origin is localhost:<relay port>: the relay forwards to nginx.
  std::string url = Url("localhost", relay.port());

  Events ev;
  RuntimePtr rt = NewRuntime(Config(pipelines), &ev);
  FetchResult r1 = GetVia(rt.get(), url, "nested");
  ASSERT_EQ(r1.status, STRATA_OK) << r1.Describe();
  EXPECT_EQ(r1.body(), "proto=TLSv1.3 reused=. sni=localhost alpn=http/1.1\n");
  ASSERT_EQ(ev.chains.size(), 1u);
  EXPECT_NE(ev.chains[0].find("tls(sni=relay.test, alpn=none, TLSv1.3) → tls(sni=localhost, alpn=http/1.1, "
                              "TLSv1.3) → h1"),
            std::string::npos)
      << ev.chains[0];

  // nginx closes after each response, so the relay closes too: a second
  // connection resumes both sessions, each from its own cache entry.
  FetchResult r2 = GetVia(rt.get(), url, "nested");
  ASSERT_EQ(r2.status, STRATA_OK) << r2.Describe();
  EXPECT_EQ(r2.body(), "proto=TLSv1.3 reused=r sni=localhost alpn=http/1.1\n");
  EXPECT_EQ(relay.Resumed(), 1);
  EXPECT_EQ(relay.ServerNames(), (std::vector<std::string>{"relay.test", "relay.test"}));
  ASSERT_EQ(ev.chains.size(), 2u);
  EXPECT_NE(ev.chains[1].find("tls(sni=relay.test, alpn=none, TLSv1.3, resumed) → tls(sni=localhost, "
                              "alpn=http/1.1, TLSv1.3, resumed)"),
            std::string::npos)
      << ev.chains[1];

  // The outer layer verifies the relay under its own name: asking for
  // "localhost" there fails even though the inner name would match.
  FetchResult r3 = GetVia(rt.get(), url, "wrong");
  EXPECT_EQ(r3.status, STRATA_E_TLS_VERIFY) << r3.Describe();
  EXPECT_NE(std::string(r3.error.message).find("certificate is for relay.test, not localhost"), std::string::npos)
      << r3.error.message;
}

// BoringSSL reads a record's header and then its body: the tls layer reads
// ahead from the layer below so that a small response costs one read there,
// not two (counted by the write-counter double right above tcp: each line
// is a receive that brought bytes, i.e. one recv system call).
TEST_F(TlsEndToEnd, ASmallResponseIsOneReadBelowTheTlsLayer) {
  const std::string config =
      "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + ", " +
      JsonString(RunfilePath("tests/support/write_counter")) + "],"
      " \"plugins\": [\"tcp\", \"tls\", \"h1\", \"write-counter\"],"
      " \"pipelines\": {\"https\": [\"tcp\", \"write-counter\", " + TlsStep(CaOption()) + ", \"h1\"]},"
      " \"timeouts\": {\"connect_ms\": 5000, \"total_ms\": 30000}}";
  Events ev;
  RuntimePtr rt = NewRuntime(config, &ev);
  ASSERT_TRUE(rt);
  constexpr int kResponses = 40;
  for (int i = 0; i < kResponses; ++i) {
    FetchResult r = GetVia(rt.get(), Url("127.0.0.1", main_port_));
    ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
    ASSERT_EQ(r.http_status(), 200);
  }
  int recvs = 0, sends = 0;
  for (const std::string& t : ev.traces) {
    if (t.rfind("write-counter: recv #", 0) == 0) ++recvs;
    if (t.rfind("write-counter: send #", 0) == 0) ++sends;
  }
  // One connection: a few reads for the handshake, then one per response
  // (two each without the read-ahead).
  EXPECT_LE(sends, kResponses + 3) << ev.AllTraces();  // the handshake, then a request each
  EXPECT_LE(recvs, kResponses + 6) << ev.AllTraces();
  EXPECT_GE(recvs, kResponses) << ev.AllTraces();
}

}  // namespace
}  // namespace strata::test
