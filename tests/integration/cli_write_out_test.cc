// The CLI's -w variables side by side with the installed curl (7.88) against
// nginx, plain and TLS: the same command line runs with curl and with strata,
// and %{json}, %{header_json} and the single variables must agree wherever
// the value does not depend on timing; the timers must be ordered as curl's
// meanings require. %{size_request} is also checked against the request
// length nginx itself logged.
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/side_by_side.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using nlohmann::json;

struct Both {
  RunResult curl, strata;
};

Both RunBoth(const std::vector<std::string>& args) { return {RunCli(false, args), RunCli(true, args)}; }

std::string Describe(const Both& b) {
  return "\n--- curl (" + b.curl.exit.Describe() + ")\n" + b.curl.stdout_text + "\nstderr: " + b.curl.stderr_text +
         "\n--- strata (" + b.strata.exit.Describe() + ")\n" + b.strata.stdout_text + "\nstderr: " +
         b.strata.stderr_text;
}

json Parse(const std::string& text) { return json::parse(text, nullptr, /*allow_exceptions=*/false); }

double Num(const json& j, const char* key) { return j.contains(key) && j[key].is_number() ? j[key].get<double>() : -1; }

// The keys whose values do not depend on timing or on the client's name.
const std::vector<std::string> kStableKeys = {
    "content_type",  "errormsg",     "exitcode",      "filename_effective", "http_code",
    "http_connect", "http_version",  "local_ip",     "method",        "num_connects",
    "num_headers",  "num_redirects", "proxy_ssl_verify_result",       "redirect_url",       "referer",
    "remote_ip",    "remote_port",   "response_code", "scheme",       "size_download",      "size_header",
    "size_request", "size_upload",   "ssl_verify_result",             "url",                "url_effective",
    "urlnum"};

void ExpectTimersOrdered(const json& s, bool tls) {
  const double lookup = Num(s, "time_namelookup"), connect = Num(s, "time_connect"),
               app = Num(s, "time_appconnect"), pre = Num(s, "time_pretransfer"),
               start = Num(s, "time_starttransfer"), total = Num(s, "time_total");
  EXPECT_GT(lookup, 0) << s.dump();
  EXPECT_GE(connect, lookup) << s.dump();
  if (tls) {
    EXPECT_GE(app, connect) << s.dump();
    EXPECT_GE(pre, app) << s.dump();
  } else {
    EXPECT_EQ(app, 0) << s.dump();
    EXPECT_GE(pre, connect) << s.dump();
  }
  EXPECT_GE(start, pre) << s.dump();
  EXPECT_GE(total, start) << s.dump();
  EXPECT_GT(total, 0) << s.dump();
}

class CliWriteOutTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    NginxOptions options;
    options.extra_locations = {"location = /r { return 302 /hello.txt; }\n"
                               "location = /two { add_header X-Twice a; add_header X-Twice \"b \\\"q\\\"\"; "
                               "return 200 \"two\\n\"; }\n"};
    plain_ = new NginxFixture(options);
    ASSERT_TRUE(plain_->Start(&e)) << e;
    plain_->WriteDocFile("hello.txt", "hello from nginx\n");

    pki_ = new TestPki();
    ASSERT_TRUE(pki_->MakeCa("ca", &e) && pki_->MakeLocalhostLeaf("ca", &e)) << e;
    tls_ = new TlsNginx();
    tls_port_ = tls_->AddServer("    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                                pki_->Key("localhost") + "\";\n    location / { return 200 \"tls\\n\"; }\n");
    ASSERT_TRUE(tls_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete plain_;
    delete tls_;
    delete pki_;
    plain_ = nullptr;
    tls_ = nullptr;
    pki_ = nullptr;
  }
  std::string TlsUrl(const std::string& path) const {
    return "https://localhost:" + std::to_string(tls_port_) + path;
  }

  static NginxFixture* plain_;
  static TestPki* pki_;
  static TlsNginx* tls_;
  static uint16_t tls_port_;
};

NginxFixture* CliWriteOutTest::plain_ = nullptr;
TestPki* CliWriteOutTest::pki_ = nullptr;
TlsNginx* CliWriteOutTest::tls_ = nullptr;
uint16_t CliWriteOutTest::tls_port_ = 0;

// Both sides send the same User-Agent, so even the request sizes agree.
void ExpectSameJson(const Both& b, bool tls) {
  ASSERT_EQ(b.curl.exit.exit_code, 0) << Describe(b);
  ASSERT_EQ(b.strata.exit.exit_code, 0) << Describe(b);
  json c = Parse(b.curl.stdout_text), s = Parse(b.strata.stdout_text);
  ASSERT_TRUE(c.is_object()) << Describe(b);
  ASSERT_TRUE(s.is_object()) << Describe(b);
  std::set<std::string> curl_keys, strata_keys;
  for (auto& [k, v] : c.items()) curl_keys.insert(k);
  for (auto& [k, v] : s.items()) strata_keys.insert(k);
  // Each names itself; strata adds its chain and every proxy's CONNECT
  // status; strata has no FTP and does not export certificates.
  for (const char* key : {"curl_version", "ftp_entry_path", "certs", "num_certs"}) curl_keys.erase(key);
  strata_keys.erase("strata_version");
  strata_keys.erase("strata_chain");
  strata_keys.erase("http_connects");
  EXPECT_EQ(strata_keys, curl_keys) << Describe(b);
  for (const std::string& key : kStableKeys) {
    EXPECT_EQ(s[key], c[key]) << key << Describe(b);
  }
  EXPECT_EQ(s["strata_version"].get<std::string>().rfind("strata/", 0), 0u);
  ExpectTimersOrdered(s, tls);
  ExpectTimersOrdered(c, tls);  // the test's own premise: curl's are ordered so
}

TEST_F(CliWriteOutTest, JsonAgreesWithCurlOverHttp) {
  Both b = RunBoth({"-s", "-A", "side-by-side", "-o", "/dev/null", "-w", "%{json}", plain_->Url("/hello.txt")});
  ExpectSameJson(b, false);
  // What nginx counted as the request: line, head and body.
  std::vector<AccessLogEntry> log = plain_->WaitForAccessLog(2);
  ASSERT_GE(log.size(), 2u);
  json s = Parse(b.strata.stdout_text);
  EXPECT_EQ(s["size_request"].get<uint64_t>(), log.back().request_length);
}

TEST_F(CliWriteOutTest, JsonAgreesWithCurlAfterARedirectWithAPostBody) {
  Both b = RunBoth({"-s", "-L", "-A", "x", "-d", "a=1&b=2", "-e", "http://ref.test/", "-o", "/dev/null", "-w",
                    "%{json}", plain_->Url("/r")});
  ExpectSameJson(b, false);
  json s = Parse(b.strata.stdout_text);
  EXPECT_EQ(s["num_redirects"], 1);
  EXPECT_GT(Num(s, "time_redirect"), 0);
  EXPECT_LE(Num(s, "time_redirect"), Num(s, "time_total"));
}

TEST_F(CliWriteOutTest, JsonAgreesWithCurlOverTlsAndHttp2) {
  for (const char* version : {"--http2", "--http1.1"}) {
    Both b = RunBoth({"-s", version, "--cacert", pki_->Cert("ca"), "-A", "x", "-o", "/dev/null", "-w", "%{json}",
                      TlsUrl("/")});
    ExpectSameJson(b, true);
  }
}

TEST_F(CliWriteOutTest, VerifyResultWithInsecureMatchesCurl) {
  // Without the CA the chain cannot be verified: -k goes on, and both
  // report the X.509 reason (20: unable to get the local issuer).
  Both b = RunBoth({"-sk", "-o", "/dev/null", "-w", "%{ssl_verify_result} %{scheme} %{remote_ip} %{remote_port}",
                    TlsUrl("/")});
  EXPECT_EQ(b.strata.stdout_text, b.curl.stdout_text) << Describe(b);
  EXPECT_EQ(b.strata.stdout_text.substr(0, 3), "20 ") << Describe(b);
}

TEST_F(CliWriteOutTest, ReusedConnectionReportsNoConnectTime) {
  const std::string url = plain_->Url("/hello.txt");
  Both b = RunBoth({"-s", "-o", "/dev/null", "-o", "/dev/null", "-w",
                    "%{num_connects} %{time_connect} %{time_appconnect} %{local_port}\\n", url, url});
  ASSERT_EQ(b.strata.exit.exit_code, 0) << Describe(b);
  std::istringstream curl_lines(b.curl.stdout_text), strata_lines(b.strata.stdout_text);
  std::string c1, c2, s1, s2;
  std::getline(curl_lines, c1);
  std::getline(curl_lines, c2);
  std::getline(strata_lines, s1);
  std::getline(strata_lines, s2);
  // The second transfer rides the first one's connection: curl and strata
  // both say so with zero connects and zero connect times, same port.
  EXPECT_EQ(c2.substr(0, c2.rfind(' ')), "0 0.000000 0.000000") << Describe(b);
  EXPECT_EQ(s2.substr(0, s2.rfind(' ')), "0 0.000000 0.000000") << Describe(b);
  EXPECT_EQ(s1.substr(s1.rfind(' ')), s2.substr(s2.rfind(' '))) << Describe(b);
  EXPECT_EQ(s1.substr(0, 2), "1 ") << Describe(b);
}

TEST_F(CliWriteOutTest, HeaderJsonMatchesCurl) {
  Both b = RunBoth({"-s", "-o", "/dev/null", "-w", "%{header_json}", plain_->Url("/two")});
  json c = Parse(b.curl.stdout_text), s = Parse(b.strata.stdout_text);
  ASSERT_TRUE(c.is_object()) << Describe(b);
  ASSERT_TRUE(s.is_object()) << Describe(b);
  c.erase("date");  // a second may pass between the two runs
  s.erase("date");
  EXPECT_EQ(s, c) << Describe(b);
  EXPECT_EQ(s["x-twice"], json({"a", "b \"q\""}));
  // The layout too: one name per line, in order.
  auto without_date = [](const std::string& text) {
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if (line.find("\"date\"") == std::string::npos) out += line + "\n";
    }
    return out;
  };
  EXPECT_EQ(without_date(b.strata.stdout_text), without_date(b.curl.stdout_text));
}

TEST_F(CliWriteOutTest, UnknownVariableWarnsLikeCurl) {
  Both b = RunBoth({"-s", "-o", "/dev/null", "-w", "[%{nope}]", plain_->Url("/hello.txt")});
  EXPECT_EQ(b.strata.stdout_text, b.curl.stdout_text) << Describe(b);
  EXPECT_EQ(b.curl.stderr_text, "curl: unknown --write-out variable: 'nope'\n");
  EXPECT_EQ(b.strata.stderr_text, "strata: unknown --write-out variable: 'nope'\n");
}

// strata's own: per-layer times, and %output{} from later curl versions.
TEST_F(CliWriteOutTest, LayerTimesAndOutputFile) {
  const std::string dir = MakeTempDir("write-out");
  ProcessOptions o;
  o.argv = {RunfilePath("tools/strata"), "-s", "--cacert", pki_->Cert("ca"), "-o", "/dev/null", "-w",
            "%{time_layer:tcp} %{time_layer:tls} %{time_connect} %{time_appconnect}%output{" + dir +
                "/w.txt}first %{http_code}%output{>>" + dir + "/w.txt} more%{stdout}\\n",
            TlsUrl("/")};
  RunResult r = RunProcess(o, std::chrono::seconds(30));
  ASSERT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  std::istringstream in(r.stdout_text);
  std::string tcp, tls, connect, app;
  in >> tcp >> tls >> connect >> app;
  // The bottom layer's ready time is curl's connect, the TLS layer's its
  // app connect.
  EXPECT_EQ(tcp, connect) << r.stdout_text;
  EXPECT_EQ(tls, app) << r.stdout_text;
  EXPECT_GT(std::stod(tls), std::stod(tcp)) << r.stdout_text;
  std::ifstream file(dir + "/w.txt");
  std::stringstream content;
  content << file.rdbuf();
  EXPECT_EQ(content.str(), "first 200 more");
}

}  // namespace
}  // namespace strata::test
