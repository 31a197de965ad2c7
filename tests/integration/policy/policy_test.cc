// Policies (strata/plugin.h "Policies") against real nginx peers:
//   - policy-pin refuses a TLS peer whose key is not pinned, naming the host
//     and the pins, before any request byte, and accepts the right pin (the
//     pin is computed with the openssl command line, as curl documents);
//   - policy-allowlist stops a redirect to an unlisted origin before a
//     connection is made (the refused nginx logs nothing), refuses a scheme,
//     and makes a cross-origin hop require a TLS version;
//   - the header-policy example, a C11 plugin built by its own Makefile from
//     api/ alone, amends (a header the peer echoes, credentials stripped
//     across origins) and denies (a method).
#include <chrono>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/make_build.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;

void CollectTrace(void* user, const strata_event* e) {
  static_cast<std::vector<std::string>*>(user)->push_back(std::string(e->layer) + ": " + e->message);
}

class PolicyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    // Plain http: B is the origin a redirect from A goes to.
    b_ = new NginxFixture(NginxOptions{{"location = /echo { return 200 \"x=[$http_x_policy] auth=[$http_authorization]\\n\"; }"}});
    ASSERT_TRUE(b_->Start(&e)) << e;
    NginxOptions a_options;
    a_options.extra_locations = {
        "location = /echo { return 200 \"x=[$http_x_policy] auth=[$http_authorization]\\n\"; }",
        "location = /to-b { return 302 " + b_->Url("/echo") + "; }",
        "location = /to-a { return 302 /echo; }",
    };
    a_ = new NginxFixture(a_options);
    ASSERT_TRUE(a_->Start(&e)) << e;

    pki_ = new TestPki();
    ASSERT_TRUE(pki_->MakeCa("ca", &e) && pki_->MakeLocalhostLeaf("ca", &e)) << e;
    tls_ = new TlsNginx();
    const std::string certs = "    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n" +
                              "    ssl_certificate_key \"" + pki_->Key("localhost") + "\";\n";
    tls12_port_ = tls_->AddServer(certs + "    ssl_protocols TLSv1.2;\n    location / { return 200 \"tls=$ssl_protocol\\n\"; }\n");
    tls_port_ = tls_->AddServer(certs + "    location = /x { return 200 \"pinned body\\n\"; }\n" +
                                "    location = /to-tls12 { return 302 https://localhost:" + std::to_string(tls12_port_) +
                                "/; }\n");
    ASSERT_TRUE(tls_->Start(&e)) << e;
    // The pin of the server's key, as curl's documentation makes one.
    pin_ = new std::string();
    ASSERT_TRUE(pki_->PublicKeyPin("localhost", pin_, &e)) << e;
    ASSERT_EQ(pin_->size(), 8u + 44u) << *pin_;
    plugin_ = new std::string(BuildWithMake("tools/examples/policy/Makefile", "strata-header-policy.so"));
  }
  static void TearDownTestSuite() {
    delete a_;
    delete b_;
    delete tls_;
    delete pki_;
    delete pin_;
    delete plugin_;
  }

  // Config: the dist plugins, http and https templates, and |policies|
  // (the JSON array's members).
  static std::string Config(const std::string& policies) {
    return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
           " \"plugins\": [\"tcp\", \"tls\", \"h1\"],"
           " \"pipelines\": {\"http\": [\"tcp\", \"h1\"],"
           "   \"https\": [\"tcp\", {\"layer\": \"tls\", \"options\": {\"ca_file\": " +
           JsonString(pki_->Cert("ca")) + "}}, \"h1\"]},"
           " \"redirect\": {\"follow\": true},"
           " \"policies\": [" + policies + "],"
           " \"timeouts\": {\"connect_ms\": 5000, \"total_ms\": 30000}}";
  }
  static std::string Pin(const std::string& pins) {
    return "{\"plugin\": \"policy-pin\", \"options\": {\"pins\": {\"localhost\": " + JsonString(pins) + "}}}";
  }
  static std::string Example(const std::string& options) {
    return "{\"plugin\": \"header-policy\", \"path\": " + JsonString(*plugin_) + ", \"options\": " + options + "}";
  }
  static std::string TlsUrl(const std::string& path) { return "https://localhost:" + std::to_string(tls_port_) + path; }

  static NginxFixture* a_;
  static NginxFixture* b_;
  static TestPki* pki_;
  static TlsNginx* tls_;
  static uint16_t tls_port_, tls12_port_;
  static std::string* pin_;
  static std::string* plugin_;
};

NginxFixture* PolicyTest::a_ = nullptr;
NginxFixture* PolicyTest::b_ = nullptr;
TestPki* PolicyTest::pki_ = nullptr;
TlsNginx* PolicyTest::tls_ = nullptr;
uint16_t PolicyTest::tls_port_ = 0;
uint16_t PolicyTest::tls12_port_ = 0;
std::string* PolicyTest::pin_ = nullptr;
std::string* PolicyTest::plugin_ = nullptr;

// ---- policy-pin -----------------------------------------------------------

TEST_F(PolicyTest, PinAcceptsTheRightKey) {
  RuntimeResult rt = MakeRuntime(Config(Pin(*pin_)));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), TlsUrl("/x"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "pinned body\n");
}

TEST_F(PolicyTest, PinAmongSeveralAndAsAKeyFileIsAccepted) {
  const std::string other = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  RuntimeResult rt = MakeRuntime(Config(Pin(other + ";" + *pin_)));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  EXPECT_EQ(Get(rt.runtime.get(), TlsUrl("/x")).status, STRATA_OK);

  const std::string key = pki_->PublicKey("localhost");  // written by PublicKeyPin
  RuntimeResult from_file = MakeRuntime(Config(Pin(key)));
  ASSERT_EQ(from_file.status, STRATA_OK) << from_file.error.message;
  FetchResult r = Get(from_file.runtime.get(), TlsUrl("/x"));
  EXPECT_EQ(r.status, STRATA_OK) << r.Describe();
}

TEST_F(PolicyTest, WrongPinRefusesTheHostAndNamesHostAndPins) {
  const std::string wrong = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  RuntimeResult rt = MakeRuntime(Config(Pin(wrong)));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), TlsUrl("/x"));
  ASSERT_EQ(r.status, STRATA_E_TLS_PINNED_KEY) << r.Describe();
  EXPECT_EQ(std::string(r.error.layer), "policy:policy-pin");
  const std::string message = r.error.message;
  EXPECT_NE(message.find("localhost presented " + *pin_), std::string::npos) << message;
  EXPECT_NE(message.find("pinned: " + wrong), std::string::npos) << message;
  EXPECT_EQ(r.error.hop, 1);
  // Verification still ran first: a pin is checked on top of it, never
  // instead of it.
  RuntimeResult unverified = MakeRuntime(
      "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "], \"plugins\": [\"tcp\", \"tls\", \"h1\"],"
      " \"pipelines\": {\"https\": [\"tcp\", \"tls\", \"h1\"]}, \"policies\": [" + Pin(*pin_) + "]}");
  ASSERT_EQ(unverified.status, STRATA_OK) << unverified.error.message;
  EXPECT_EQ(Get(unverified.runtime.get(), TlsUrl("/x")).status, STRATA_E_TLS_VERIFY);
}

TEST_F(PolicyTest, NoSpellingOfTheHostEscapesItsPin) {
  const std::string wrong = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  RuntimeResult rt = MakeRuntime(Config(Pin(wrong)));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  // The tls layer verifies "localhost." as "localhost"; the pin must apply.
  // (The name is given its address: this resolver does not know it.)
  FetchSpec dotted;
  dotted.url = "https://LocalHost.:" + std::to_string(tls_port_) + "/x";
  dotted.string_options = {{STRATA_OPT_RESOLVE, "localhost.:" + std::to_string(tls_port_) + ":127.0.0.1"}};
  FetchResult r = Fetch(rt.runtime.get(), dotted);
  EXPECT_EQ(r.status, STRATA_E_TLS_PINNED_KEY) << r.Describe();
  RuntimeResult right = MakeRuntime(Config(Pin(*pin_)));
  ASSERT_EQ(right.status, STRATA_OK);
  FetchResult ok = Fetch(right.runtime.get(), dotted);
  EXPECT_EQ(ok.status, STRATA_OK) << ok.Describe();
}

TEST_F(PolicyTest, AHttpsHopWithoutASecureLayerIsRefusedWhenPinsApply) {
  // An "https" template without TLS: the pin could never be checked.
  std::string config = Config(Pin(*pin_));
  config.replace(config.find("\"https\": ["), 10, "\"https\": [\"tcp\", \"h1\"], \"https-tls\": [");
  RuntimeResult rt = MakeRuntime(config);
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), TlsUrl("/x"));
  ASSERT_EQ(r.status, STRATA_E_POLICY_DENIED) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("no layer to the origin flagged STRATA_LAYER_FLAG_SECURE"),
            std::string::npos)
      << r.error.message;
}

TEST_F(PolicyTest, PinOptionsAreCheckedAtStartUp) {
  RuntimeResult bad = MakeRuntime(Config(Pin("sha256//tooshort")));
  EXPECT_EQ(bad.status, STRATA_E_CONFIG);
  EXPECT_NE(std::string(bad.error.message).find("/policies/0/options"), std::string::npos) << bad.error.message;
  EXPECT_NE(std::string(bad.error.message).find("32-byte"), std::string::npos) << bad.error.message;
  RuntimeResult unknown = MakeRuntime(Config("{\"plugin\": \"policy-nonexistent\"}"));
  EXPECT_EQ(unknown.status, STRATA_E_PLUGIN_LOAD) << unknown.error.message;
  EXPECT_NE(std::string(unknown.error.message).find("/policies/0"), std::string::npos) << unknown.error.message;
}

// ---- policy-allowlist -----------------------------------------------------

TEST_F(PolicyTest, AllowlistStopsARedirectToAnUnlistedOriginBeforeItConnects) {
  const size_t a_before = a_->SettledAccessLogSize();
  const size_t b_before = b_->SettledAccessLogSize();
  RuntimeResult rt = MakeRuntime(Config("{\"plugin\": \"policy-allowlist\", \"options\": {\"origins\": [" +
                                        JsonString(a_->Url("")) + "]}}"));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), a_->Url("/to-b"));
  ASSERT_EQ(r.status, STRATA_E_POLICY_DENIED) << r.Describe();
  EXPECT_EQ(r.error.hop, 2);
  EXPECT_EQ(std::string(r.error.layer), "policy:policy-allowlist");
  const std::string message = r.error.message;
  EXPECT_NE(message.find("origin http://127.0.0.1:" + std::to_string(b_->port()) + " is not in the allowlist"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("redirected from " + a_->Url("/to-b")), std::string::npos) << message;
  // A answered the first hop; B never saw a request.
  EXPECT_EQ(a_->WaitForAccessLog(a_before + 1).size(), a_before + 1);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(b_->AccessLog().size(), b_before);
  // The same redirect within the allowed origin goes through.
  FetchResult same = Get(rt.runtime.get(), a_->Url("/to-a"));
  ASSERT_EQ(same.status, STRATA_OK) << same.Describe();
  EXPECT_EQ(same.body(), "x=[] auth=[]\n");
}

TEST_F(PolicyTest, AllowlistRefusesASchemeAtTheFirstHop) {
  const size_t before = a_->SettledAccessLogSize();
  RuntimeResult rt = MakeRuntime(Config("{\"plugin\": \"policy-allowlist\", \"options\": {\"schemes\": [\"https\"]}}"));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), a_->Url("/echo"));
  ASSERT_EQ(r.status, STRATA_E_POLICY_DENIED) << r.Describe();
  EXPECT_EQ(r.error.hop, 1);
  EXPECT_NE(std::string(r.error.message).find("scheme 'http' is not allowed (allowed: https)"), std::string::npos)
      << r.error.message;
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(a_->AccessLog().size(), before);
  EXPECT_EQ(Get(rt.runtime.get(), TlsUrl("/x")).status, STRATA_OK);
}

TEST_F(PolicyTest, AllowlistNeverLowersAStricterTlsMinimum) {
  // The configuration wants TLS 1.3 everywhere; the policy's 1.2 for
  // cross-origin hops must not undo that.
  std::string config =
      Config("{\"plugin\": \"policy-allowlist\", \"options\": {\"min_tls_cross_origin\": \"1.2\"}}");
  config.replace(config.find("{\"ca_file\": "), 12, "{\"min_version\": \"1.3\", \"ca_file\": ");
  RuntimeResult rt = MakeRuntime(config);
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), TlsUrl("/to-tls12"));
  EXPECT_EQ(r.status, STRATA_E_TLS) << r.Describe();
  EXPECT_EQ(r.error.hop, 2);
}

TEST_F(PolicyTest, AllowlistRequiresTheTlsVersionOnACrossOriginHop) {
  // Without the policy, the redirect to the TLS 1.2-only server succeeds.
  RuntimeResult plain = MakeRuntime(Config(""));
  ASSERT_EQ(plain.status, STRATA_OK) << plain.error.message;
  FetchResult ok = Get(plain.runtime.get(), TlsUrl("/to-tls12"));
  ASSERT_EQ(ok.status, STRATA_OK) << ok.Describe();
  EXPECT_EQ(ok.body(), "tls=TLSv1.2\n");
  // With it, that hop must use TLS 1.3, which the server cannot.
  RuntimeResult rt = MakeRuntime(
      Config("{\"plugin\": \"policy-allowlist\", \"options\": {\"min_tls_cross_origin\": \"1.3\"}}"));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  EXPECT_EQ(Get(rt.runtime.get(), TlsUrl("/x")).status, STRATA_OK);  // first hop: untouched
  FetchResult r = Get(rt.runtime.get(), TlsUrl("/to-tls12"));
  EXPECT_EQ(r.status, STRATA_E_TLS) << r.Describe();
  EXPECT_EQ(r.error.hop, 2);
  EXPECT_EQ(std::string(r.error.layer), "tls");
}

// ---- the header-policy example (C, built outside Bazel) ------------------

TEST_F(PolicyTest, ExampleBuiltByMakeExportsOnlyTheEntrySymbol) {
  ProcessOptions nm;
  nm.argv = {"/usr/bin/nm", "-D", "--defined-only", "--format=just-symbols", *plugin_};
  RunResult r = RunProcess(nm, std::chrono::seconds(30));
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << r.exit.Describe() << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "strata_plugin_entry\n");
}

TEST_F(PolicyTest, AnAmendedHeaderReachesThePeer) {
  RuntimeResult rt = MakeRuntime(Config(Example("{\"add_header\": \"X-Policy: amended\"}")));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), a_->Url("/echo"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "x=[amended] auth=[]\n");
  // On every hop, once: the redirect's second hop carries it too.
  FetchResult hop2 = Get(rt.runtime.get(), a_->Url("/to-b"));
  ASSERT_EQ(hop2.status, STRATA_OK) << hop2.Describe();
  EXPECT_EQ(hop2.body(), "x=[amended] auth=[]\n");
}

TEST_F(PolicyTest, StrippedCredentialsDoNotFollowACrossOriginRedirect) {
  // The application trusts the redirect (curl's --location-trusted), so the
  // runtime alone would send Authorization to B; the policy overrules it.
  FetchSpec spec;
  spec.url = a_->Url("/to-b");
  spec.headers = {{"Authorization", "Basic dTpw"}};
  spec.int_options = {{STRATA_OPT_LOCATION_TRUSTED, 1}};
  RuntimeResult trusting = MakeRuntime(Config(""));
  ASSERT_EQ(trusting.status, STRATA_OK);
  FetchResult sent = Fetch(trusting.runtime.get(), spec);
  ASSERT_EQ(sent.status, STRATA_OK) << sent.Describe();
  EXPECT_EQ(sent.body(), "x=[] auth=[Basic dTpw]\n");

  RuntimeResult rt = MakeRuntime(Config(Example("{\"strip_cross_origin\": true}")));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "x=[] auth=[]\n");
  // Same origin: kept.
  spec.url = a_->Url("/to-a");
  FetchResult same = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(same.status, STRATA_OK) << same.Describe();
  EXPECT_EQ(same.body(), "x=[] auth=[Basic dTpw]\n");
}

TEST_F(PolicyTest, ADeniedMethodNeverLeaves) {
  const size_t before = a_->SettledAccessLogSize();
  RuntimeResult rt = MakeRuntime(Config(Example("{\"deny_method\": \"DELETE\"}")));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchSpec spec;
  spec.method = "DELETE";
  spec.url = a_->Url("/echo");
  FetchResult r = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(r.status, STRATA_E_POLICY_DENIED) << r.Describe();
  EXPECT_EQ(std::string(r.error.layer), "policy:header-policy");
  EXPECT_NE(std::string(r.error.message).find("method DELETE is not allowed by header-policy"), std::string::npos)
      << r.error.message;
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(a_->AccessLog().size(), before);
}

TEST_F(PolicyTest, PoliciesApplyInOrderAndTheFirstDenialWins) {
  // Both policies deny this hop; whichever is listed first names the error.
  const std::string example = Example("{\"deny_method\": \"GET\"}");
  const std::string allowlist = "{\"plugin\": \"policy-allowlist\", \"options\": {\"schemes\": [\"https\"]}}";
  RuntimeResult first = MakeRuntime(Config(example + ", " + allowlist));
  ASSERT_EQ(first.status, STRATA_OK) << first.error.message;
  FetchResult a = Get(first.runtime.get(), a_->Url("/echo"));
  EXPECT_EQ(a.status, STRATA_E_POLICY_DENIED);
  EXPECT_EQ(std::string(a.error.layer), "policy:header-policy");
  RuntimeResult second = MakeRuntime(Config(allowlist + ", " + example));
  ASSERT_EQ(second.status, STRATA_OK) << second.error.message;
  FetchResult b = Get(second.runtime.get(), a_->Url("/echo"));
  EXPECT_EQ(b.status, STRATA_E_POLICY_DENIED);
  EXPECT_EQ(std::string(b.error.layer), "policy:policy-allowlist");
}

TEST_F(PolicyTest, PoliciesSeeThatCredentialsArePresentButNotTheirValues) {
  RuntimeResult rt = MakeRuntime(Config(Example("{\"log_headers\": true}")));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  std::vector<std::string> trace;
  strata_runtime_set_event_callback(rt.runtime.get(), &CollectTrace, &trace, 1u << STRATA_EVENT_TRACE);
  FetchSpec spec;
  spec.url = "http://user:s3cret@127.0.0.1:" + std::to_string(a_->port()) + "/echo";
  spec.headers = {{"Cookie", "session=t0ken"}, {"X-Visible", "yes"}};
  FetchResult r = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "x=[] auth=[Basic dXNlcjpzM2NyZXQ=]\n");  // the peer still gets them
  std::string all;
  for (const std::string& line : trace) all += line + "\n";
  EXPECT_NE(all.find("sees Authorization: (redacted)"), std::string::npos) << all;
  EXPECT_NE(all.find("sees Cookie: (redacted)"), std::string::npos) << all;
  EXPECT_NE(all.find("sees X-Visible: yes"), std::string::npos) << all;
  EXPECT_EQ(all.find("s3cret"), std::string::npos) << all;
  EXPECT_EQ(all.find("dXNlcjpzM2NyZXQ"), std::string::npos) << all;
  EXPECT_EQ(all.find("t0ken"), std::string::npos) << all;
}

TEST_F(PolicyTest, AnAmendedPipelineBuildsTheHop) {
  // "http-alt" is an ordinary template the hop would never pick by itself.
  std::string config = Config(Example("{\"use_pipeline\": \"http-alt\"}"));
  config.replace(config.find("\"pipelines\": {"), 14, "\"pipelines\": {\"http-alt\": [\"tcp\", \"h1\"], ");
  RuntimeResult rt = MakeRuntime(config);
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  std::vector<std::string> trace;
  strata_runtime_set_event_callback(rt.runtime.get(), &CollectTrace, &trace, 1u << STRATA_EVENT_TRACE);
  FetchResult r = Get(rt.runtime.get(), a_->Url("/echo"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  std::string all;
  for (const std::string& line : trace) all += line + "\n";
  EXPECT_NE(all.find("policy: hop amended: pipeline http-alt"), std::string::npos) << all;
  EXPECT_NE(all.find("through pipeline 'http-alt'"), std::string::npos) << all;

  // A template the configuration does not have: a clear error, no request.
  RuntimeResult missing = MakeRuntime(Config(Example("{\"use_pipeline\": \"nowhere\"}")));
  ASSERT_EQ(missing.status, STRATA_OK) << missing.error.message;
  FetchResult m = Get(missing.runtime.get(), a_->Url("/echo"));
  EXPECT_EQ(m.status, STRATA_E_CONFIG);
  EXPECT_NE(std::string(m.error.message).find("a policy asked for pipeline 'nowhere'"), std::string::npos)
      << m.error.message;
}

TEST_F(PolicyTest, ExampleRefusesAnUnknownOption) {
  RuntimeResult rt = MakeRuntime(Config(Example("{\"add_heder\": \"X: y\"}")));
  EXPECT_EQ(rt.status, STRATA_E_CONFIG);
  EXPECT_NE(std::string(rt.error.message).find("unknown option 'add_heder'"), std::string::npos) << rt.error.message;
}

}  // namespace
}  // namespace strata::test
