// HOSTILE A.3 / A.4: which names a server certificate vouches for, end to
// end through the public C API (tcp → tls → h1) against nginx on 127.0.0.1.
//
// A CA made at test time (TestPki, the openssl command) signs one leaf per
// naming rule; nginx serves each leaf on its own port. Names such as
// x.a.test reach 127.0.0.1 through STRATA_OPT_RESOLVE, and the test CA is
// trusted per request through STRATA_OPT_LAYER_OPTIONS {"tls": {"ca_file"}}
// (the configuration's https template trusts only the system bundle).
//
// Every negative case has a positive twin on the same server or with the
// same kind of certificate (the wildcard cert does serve x.a.test, the IP
// SAN cert does serve 127.0.0.1, ...), so a failure cannot come from a
// broken fixture: it is the name check that says no. Every failure must be
// STRATA_E_TLS_VERIFY from the tls layer with a message naming the host we
// asked for.
//
// The rules, as BoringSSL applies them (X509_VERIFY_PARAM_set1_host with
// X509_CHECK_FLAG_NEVER_CHECK_SUBJECT; RFC 9110 §4.3.4, RFC 6125 §6.4.3):
//   - a wildcard is only ever the whole leftmost label ("*.a.test"), covers
//     exactly one label, and needs at least two labels after it ("*.test"
//     is taken literally, so it never matches a.test);
//   - partial wildcards ("x*.a.test") never match anything;
//   - xn-- labels are plain ASCII A-labels, compared as such; a wildcard
//     inside an A-label ("xn--*.a.test") never matches. A whole-label
//     wildcard may stand for an A-label ("*.a.test" covers
//     xn--bcher-kva.a.test), and a wildcard above an A-label
//     ("*.xn--bcher-kva.test") covers one label under it: in neither is
//     the wildcard part of an xn-- label, which is what RFC 6125 §6.4.3
//     forbids. This is the choice we pin.
//   - strata does no IDNA conversion: a U-label host is refused by the URL
//     parser, so a name is never compared in its Unicode form;
//   - an IP literal is matched only against iPAddress SANs (DNS:127.0.0.1
//     does not vouch for 127.0.0.1), and an iPAddress SAN never vouches for
//     a DNS name;
//   - the subject CN is never used.
#include <string>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

// Config: the dist plugins, an https template whose tls layer trusts only
// the system bundle (the test CA comes per request), no proxy from the
// environment, and timeouts that turn a hang into a failure.
std::string Config() {
  return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
         " \"plugins\": [\"tcp\", \"tls\", \"h1\"],"
         " \"pipelines\": {\"https\": [\"tcp\", {\"layer\": \"tls\", \"options\": {}}, \"h1\"]},"
         " \"proxy\": {\"from_env\": false},"
         " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000,"
         " \"idle_ms\": 10000, \"total_ms\": 30000}}";
}

class TlsNamesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TestPki();
    std::string e;
    // The CN of each leaf is deliberately a name the test asks for where
    // that matters, and otherwise a neutral one: only the SANs may count.
    bool ok = pki_->MakeCa("ca", &e) &&
              pki_->MakeLeaf("wild", "ca", "wildcard leaf", "DNS:*.a.test", "serverAuth", &e) &&
              pki_->MakeLeaf("partial", "ca", "partial wildcard leaf", "DNS:x*.a.test", "serverAuth", &e) &&
              pki_->MakeLeaf("tldwild", "ca", "tld wildcard leaf", "DNS:*.test", "serverAuth", &e) &&
              pki_->MakeLeaf("idn", "ca", "idn leaf", "DNS:xn--bcher-kva.test", "serverAuth", &e) &&
              pki_->MakeLeaf("idnpartial", "ca", "idn partial wildcard leaf", "DNS:xn--*.a.test", "serverAuth",
                             &e) &&
              pki_->MakeLeaf("idnparent", "ca", "wildcard above idn leaf", "DNS:*.xn--bcher-kva.test",
                             "serverAuth", &e) &&
              pki_->MakeLeaf("dnsip", "ca", "dns ip leaf", "DNS:127.0.0.1", "serverAuth", &e) &&
              pki_->MakeLeaf("ipsan", "ca", "ip san leaf", "IP:127.0.0.1", "serverAuth", &e) &&
              pki_->MakeLeaf("cnonly", "ca", "x.a.test", "", "serverAuth", &e) &&
              pki_->MakeLeaf("cnip", "ca", "127.0.0.1", "", "serverAuth", &e) &&
              // DNS names that spell 127.0.0.1 in the ways inet_aton
              // (and so the tcp layer) reads as that address.
              pki_->MakeLeaf("dnsshort", "ca", "dns short ip leaf",
                             "DNS:127.1,DNS:2130706433,DNS:0x7f.0.0.1,DNS:0177.0.0.1,DNS:127.0.0.1.",
                             "serverAuth", &e);
    ASSERT_TRUE(ok) << e;

    nginx_ = new TlsNginx();
    auto serve = [](const std::string& name) {
      return nginx_->AddServer("    ssl_certificate \"" + pki_->Cert(name) + "\";\n    ssl_certificate_key \"" +
                               pki_->Key(name) + "\";\n    location / { return 200 \"" + name +
                               " sni=$ssl_server_name\\n\"; }\n");
    };
    wild_ = serve("wild");
    partial_ = serve("partial");
    tld_wild_ = serve("tldwild");
    idn_ = serve("idn");
    idn_partial_ = serve("idnpartial");
    idn_parent_ = serve("idnparent");
    dns_ip_ = serve("dnsip");
    ip_san_ = serve("ipsan");
    cn_only_ = serve("cnonly");
    cn_ip_ = serve("cnip");
    dns_short_ = serve("dnsshort");
    ASSERT_TRUE(nginx_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
    delete pki_;
    pki_ = nullptr;
  }

  void SetUp() override {
    if (HasFatalFailure()) return;
    RuntimeResult rt = MakeRuntime(Config());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
  }

  // Get fetches https://<host>:<port>/, resolving |host| to 127.0.0.1 and
  // trusting the test CA. An IP literal needs no resolve entry.
  FetchResult Get(const std::string& host, uint16_t port) {
    FetchSpec spec;
    spec.url = "https://" + host + ":" + std::to_string(port) + "/";
    spec.string_options.push_back(
        {STRATA_OPT_LAYER_OPTIONS, "{\"tls\": {\"ca_file\": " + JsonString(pki_->Cert("ca")) + "}}"});
    spec.string_options.push_back({STRATA_OPT_RESOLVE, host + ":" + std::to_string(port) + ":127.0.0.1"});
    return Fetch(runtime_.get(), spec);
  }

  // Chain is the final hop's chain description ("tcp(...) → tls(sni=...,
  // ...) → h1"): it shows the SNI sent.
  // ExpectServed: the handshake verified and nginx answered from the
  // server block of |leaf|.
  static void ExpectServed(const FetchResult& r, const std::string& leaf, const std::string& sni) {
    ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
    EXPECT_EQ(r.http_status(), 200);
    EXPECT_EQ(r.body(), leaf + " sni=" + sni + "\n");
    EXPECT_NE(Chain(r).find("tls(sni=" + (sni.empty() ? std::string("none") : sni) + ", "), std::string::npos)
        << Chain(r);
  }

  // ExpectRefused: a verification failure from the tls layer whose message
  // names |host| (and contains |detail|). Nothing was served.
  static void ExpectRefused(const FetchResult& r, const std::string& host, const std::string& detail) {
    EXPECT_EQ(r.status, STRATA_E_TLS_VERIFY) << r.Describe();
    EXPECT_STREQ(r.error.layer, "tls") << r.Describe();
    std::string message = r.error.message;
    EXPECT_NE(message.find(host), std::string::npos) << "message does not name " << host << ": " << message;
    EXPECT_NE(message.find(detail), std::string::npos) << message;
    EXPECT_EQ(r.response, nullptr) << r.body();
  }

  static TestPki* pki_;
  static TlsNginx* nginx_;
  static uint16_t wild_, partial_, tld_wild_, idn_, idn_partial_, idn_parent_, dns_ip_, ip_san_, cn_only_, cn_ip_,
      dns_short_;
  RuntimePtr runtime_;
};

TestPki* TlsNamesTest::pki_ = nullptr;
TlsNginx* TlsNamesTest::nginx_ = nullptr;
uint16_t TlsNamesTest::wild_, TlsNamesTest::partial_, TlsNamesTest::tld_wild_, TlsNamesTest::idn_,
    TlsNamesTest::idn_partial_, TlsNamesTest::idn_parent_, TlsNamesTest::dns_ip_, TlsNamesTest::ip_san_,
    TlsNamesTest::cn_only_, TlsNamesTest::cn_ip_, TlsNamesTest::dns_short_;

// ---------------------------------------------------------------------------
// Wildcards (HOSTILE A.4)

TEST_F(TlsNamesTest, HostileA4_WildcardCoversOneLeftmostLabel) {
  ExpectServed(Get("x.a.test", wild_), "wild", "x.a.test");
  ExpectServed(Get("other-name.a.test", wild_), "wild", "other-name.a.test");
}

// The wildcard must stand for one label: it does not make the parent name
// itself valid.
TEST_F(TlsNamesTest, HostileA4_WildcardDoesNotMatchTheParentName) {
  ExpectRefused(Get("a.test", wild_), "a.test", "host name mismatch: certificate is for *.a.test, not a.test");
}

// ... nor two labels.
TEST_F(TlsNamesTest, HostileA4_WildcardDoesNotMatchTwoLabels) {
  ExpectRefused(Get("x.y.a.test", wild_), "x.y.a.test",
                "host name mismatch: certificate is for *.a.test, not x.y.a.test");
}

// A trailing dot names the same host: it is neither sent as SNI (RFC 6066
// §3) nor compared, so x.a.test. is covered by *.a.test and nginx sees the
// SNI "x.a.test".
TEST_F(TlsNamesTest, HostileA4_TrailingDotIsTheSameName) {
  ExpectServed(Get("x.a.test.", wild_), "wild", "x.a.test");
  // However many dots: "x.a.test.." used to send the SNI "x.a.test." and
  // compare that against the SANs; fixed in host_name.cc. (nginx then
  // answers 400 because the Host header is "x.a.test..": what matters is
  // the verified handshake and the SNI nginx logs.)
  FetchResult r = Get("x.a.test..", wild_);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_NE(Chain(r).find("tls(sni=x.a.test, "), std::string::npos) << Chain(r);
}

// "x*.a.test" is a partial wildcard: BoringSSL never treats it as a
// pattern, so it matches neither xy.a.test nor x.a.test (the star standing
// for nothing). Only the literal string "x*.a.test" would compare equal,
// and that is no host name.
TEST_F(TlsNamesTest, HostileA4_PartialWildcardNeverMatches) {
  ExpectRefused(Get("xy.a.test", partial_), "xy.a.test",
                "host name mismatch: certificate is for x*.a.test, not xy.a.test");
  ExpectRefused(Get("x.a.test", partial_), "x.a.test",
                "host name mismatch: certificate is for x*.a.test, not x.a.test");
}

// "*.test" would cover every name under a top-level domain: a wildcard
// needs two labels after it, so this one is taken literally.
TEST_F(TlsNamesTest, HostileA4_WildcardDirectlyUnderATopLevelLabelNeverMatches) {
  ExpectRefused(Get("a.test", tld_wild_), "a.test", "host name mismatch: certificate is for *.test, not a.test");
}

// ---------------------------------------------------------------------------
// IDN: xn-- labels are A-labels, compared as ASCII (HOSTILE A.4)

TEST_F(TlsNamesTest, HostileA4_ALabelMatchesItself) {
  ExpectServed(Get("xn--bcher-kva.test", idn_), "idn", "xn--bcher-kva.test");
  // Another A-label is another name, however close.
  ExpectRefused(Get("xn--bcher-kvb.test", idn_), "xn--bcher-kvb.test",
                "host name mismatch: certificate is for xn--bcher-kva.test, not xn--bcher-kvb.test");
}

// No IDNA conversion happens anywhere: the U-label spelling of the same name
// is refused as a URL, before any connection, so it can never be matched
// against (or confused with) the A-label SAN.
TEST_F(TlsNamesTest, HostileA4_ULabelHostIsRefusedNotConverted) {
  FetchResult r = Get("b\xC3\xBC" "cher.test", idn_);
  EXPECT_EQ(r.status, STRATA_E_URL) << r.Describe();
}

// A wildcard inside an A-label never matches: "xn--*.a.test" would let one
// certificate cover every IDN under a.test that starts the same way.
TEST_F(TlsNamesTest, HostileA4_WildcardInsideAnALabelNeverMatches) {
  ExpectRefused(Get("xn--bcher-kva.a.test", idn_partial_), "xn--bcher-kva.a.test",
                "host name mismatch: certificate is for xn--*.a.test, not xn--bcher-kva.a.test");
  ExpectRefused(Get("xn--x.a.test", idn_partial_), "xn--x.a.test",
                "host name mismatch: certificate is for xn--*.a.test, not xn--x.a.test");
}

// A whole-label wildcard may stand for an A-label (the wildcard is the
// whole label, not part of an xn-- label), and a wildcard above an A-label
// covers exactly one label under it.
TEST_F(TlsNamesTest, HostileA4_WholeLabelWildcardAndALabels) {
  ExpectServed(Get("xn--bcher-kva.a.test", wild_), "wild", "xn--bcher-kva.a.test");
  ExpectServed(Get("x.xn--bcher-kva.test", idn_parent_), "idnparent", "x.xn--bcher-kva.test");
  ExpectRefused(Get("xn--bcher-kva.test", idn_parent_), "xn--bcher-kva.test",
                "host name mismatch: certificate is for *.xn--bcher-kva.test, not xn--bcher-kva.test");
  ExpectRefused(Get("x.y.xn--bcher-kva.test", idn_parent_), "x.y.xn--bcher-kva.test",
                "host name mismatch: certificate is for *.xn--bcher-kva.test, not x.y.xn--bcher-kva.test");
}

// ---------------------------------------------------------------------------
// IP literals (HOSTILE A.3)

// "DNS:127.0.0.1" is a DNS name that happens to look like an address: it
// does not vouch for the address 127.0.0.1. No SNI is sent for an IP
// literal either (RFC 6066 §3).
TEST_F(TlsNamesTest, HostileA3_DnsSanNeverMatchesAnIpAddress) {
  ExpectRefused(Get("127.0.0.1", dns_ip_), "127.0.0.1",
                "IP address mismatch: certificate is for 127.0.0.1, not IP:127.0.0.1");
}

TEST_F(TlsNamesTest, HostileA3_IpSanMatchesTheIpAddress) {
  ExpectServed(Get("127.0.0.1", ip_san_), "ipsan", "");
}

// The tcp layer connects to "127.1", "2130706433", "0x7f.0.0.1" and
// "0177.0.0.1" as the address 127.0.0.1 (getaddrinfo with AI_NUMERICHOST
// takes every inet_aton spelling), so they are that address to the tls
// layer too: no SNI, the iPAddress SAN, never a DNS SAN spelling them the
// same way. strata used to verify these as DNS names (with an SNI), so
// "DNS:127.1" vouched for a connection to 127.0.0.1; fixed in host_name.cc.
TEST_F(TlsNamesTest, HostileA3_EverySpellingOfAnAddressIsTheAddress) {
  for (const std::string host : {"127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1"}) {
    SCOPED_TRACE(host);
    // The message names the address checked and (in the URL) the host.
    FetchResult r = Get(host, dns_short_);
    ExpectRefused(r, "not IP:127.0.0.1", "IP address mismatch: certificate is for 127.1, ");
    ExpectRefused(r, "https://" + host + ":", "IP address mismatch");
    ExpectServed(Get(host, ip_san_), "ipsan", "");
  }
}

// "127.0.0.1." spells the address too. The tcp layer resolves it as a
// name (here through the resolve entry), and it is still verified as the
// address: it used to lose its dot and be checked as the DNS name
// "127.0.0.1", so "DNS:127.0.0.1" vouched for it and SNI "127.0.0.1" was
// sent; fixed in host_name.cc.
TEST_F(TlsNamesTest, HostileA3_AddressWithTrailingDotIsStillTheAddress) {
  ExpectRefused(Get("127.0.0.1.", dns_ip_), "127.0.0.1",
                "IP address mismatch: certificate is for 127.0.0.1, not IP:127.0.0.1");
  ExpectRefused(Get("127.0.0.1.", dns_short_), "127.0.0.1", "IP address mismatch");
  ExpectServed(Get("127.0.0.1.", ip_san_), "ipsan", "");
}

// The other way round: an iPAddress SAN does not vouch for a DNS name, even
// one that resolves to that address.
TEST_F(TlsNamesTest, HostileA3_IpSanNeverMatchesADnsName) {
  ExpectRefused(Get("localhost", ip_san_), "localhost",
                "host name mismatch: certificate is for IP:127.0.0.1, not localhost");
}

// ---------------------------------------------------------------------------
// The subject CN (HOSTILE A.4)

// The CN is x.a.test and there is no SAN: without the CN fallback nothing
// vouches for x.a.test. The same for an IP literal in the CN.
TEST_F(TlsNamesTest, HostileA4_SubjectCnIsNeverUsed) {
  ExpectRefused(Get("x.a.test", cn_only_), "x.a.test",
                "host name mismatch: certificate is for no subjectAltName at all, not x.a.test");
  ExpectRefused(Get("127.0.0.1", cn_ip_), "127.0.0.1",
                "IP address mismatch: certificate is for no subjectAltName at all, not IP:127.0.0.1");
}

}  // namespace
}  // namespace strata::test
