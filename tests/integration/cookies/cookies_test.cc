// Cookies against nginx (a real server setting them), through the C API and
// the CLI, and jars exchanged with the installed curl 7.88 both ways:
// a cookie set by nginx comes back on the next request and on a redirect to
// another path, never on a redirect to another origin; supercookies for a
// public suffix are refused; curl reads strata's jar and strata reads
// curl's, byte for byte the same file for the same exchange.
#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;

NginxOptions CookieLocations() {
  NginxOptions o;
  o.extra_locations = {
      // Sets a session cookie and sends the client to another path.
      R"(location = /login { add_header Set-Cookie "sid=abc; Path=/"; return 302 /echo; })",
      // Sets a persistent one.
      R"(location = /remember { add_header Set-Cookie "pref=dark; Max-Age=3600; Path=/; HttpOnly"; return 200 "ok\n"; })",
      R"(location = /echo { return 200 "cookie=[$http_cookie]\n"; })",
      // A redirect to another origin (another host name, same server).
      R"(location = /away { return 302 http://other.test:$server_port/echo; })",
      // Domain attributes: a public suffix (refused) and the site (kept).
      R"(location = /super { add_header Set-Cookie "sc=1; Domain=co.uk; Path=/"; return 200 "super\n"; })",
      R"(location = /site { add_header Set-Cookie "site=1; Domain=example.co.uk; Path=/"; return 200 "site\n"; })",
  };
  return o;
}

struct Listed {
  std::vector<std::string> lines;  // "name=value domain path host_only"
  static void On(void* user, const strata_cookie* c) {
    static_cast<Listed*>(user)->lines.push_back(std::string(c->name) + "=" + c->value + " " + c->domain + " " +
                                                c->path + " " + std::to_string(c->host_only));
  }
};

class Cookies : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string e;
    ASSERT_TRUE(nginx_.Start(&e)) << e;
    RuntimeResult rt = MakeRuntime(DefaultTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
  }
  FetchResult Get(const std::string& url, bool follow = true) {
    FetchSpec spec;
    spec.url = url;
    spec.int_options = {{STRATA_OPT_FOLLOW_REDIRECTS, follow ? 1 : 0}};
    const std::string port = std::to_string(nginx_.port());
    for (const char* host : {"other.test", "www.example.co.uk"}) {
      spec.string_options.push_back({STRATA_OPT_RESOLVE, std::string(host) + ":" + port + ":127.0.0.1"});
    }
    return Fetch(runtime_.get(), spec);
  }
  std::string HostUrl(const std::string& host, const std::string& path) const {
    return "http://" + host + ":" + std::to_string(nginx_.port()) + path;
  }
  std::vector<std::string> List() {
    Listed l;
    EXPECT_EQ(strata_cookies_list(runtime_.get(), &Listed::On, &l), STRATA_OK);
    return l.lines;
  }

  NginxFixture nginx_{CookieLocations()};
  RuntimePtr runtime_;
};

TEST_F(Cookies, OffUnlessEnabled) {
  FetchResult r = Get(nginx_.Url("/login"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "cookie=[]\n");
  EXPECT_TRUE(List().empty());
}

TEST_F(Cookies, SentBackOnTheRedirectAndLaterButNotToAnotherOrigin) {
  ASSERT_EQ(strata_cookies_enable(runtime_.get(), 1), STRATA_OK);
  // The 302 that sets it redirects to /echo: the cookie goes with the next hop.
  FetchResult r = Get(nginx_.Url("/login"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "cookie=[sid=abc]\n");
  EXPECT_EQ(Get(nginx_.Url("/echo")).body(), "cookie=[sid=abc]\n");
  // A redirect to another host name: that origin has no cookie.
  r = Get(nginx_.Url("/away"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "cookie=[]\n");
  EXPECT_EQ(List(), std::vector<std::string>{"sid=abc 127.0.0.1 / 1"});
  // An application's own Cookie header is sent alone.
  FetchSpec spec;
  spec.url = nginx_.Url("/echo");
  spec.headers = {{"Cookie", "mine=1"}};
  EXPECT_EQ(Fetch(runtime_.get(), spec).body(), "cookie=[mine=1]\n");
  // STRATA_OPT_COOKIE goes after the store's, in one header...
  spec.headers.clear();
  spec.string_options = {{STRATA_OPT_COOKIE, "extra=2"}};
  EXPECT_EQ(Fetch(runtime_.get(), spec).body(), "cookie=[sid=abc; extra=2]\n");
  // ... but not to another origin after a redirect, unless trusted.
  spec.url = nginx_.Url("/away");
  spec.int_options = {{STRATA_OPT_FOLLOW_REDIRECTS, 1}};
  spec.string_options.push_back({STRATA_OPT_RESOLVE, "other.test:" + std::to_string(nginx_.port()) + ":127.0.0.1"});
  EXPECT_EQ(Fetch(runtime_.get(), spec).body(), "cookie=[]\n");
  spec.int_options.push_back({STRATA_OPT_LOCATION_TRUSTED, 1});
  EXPECT_EQ(Fetch(runtime_.get(), spec).body(), "cookie=[extra=2]\n");
  // Off again: kept, not sent.
  ASSERT_EQ(strata_cookies_enable(runtime_.get(), 0), STRATA_OK);
  EXPECT_EQ(Get(nginx_.Url("/echo")).body(), "cookie=[]\n");
  EXPECT_EQ(List().size(), 1u);
}

TEST_F(Cookies, SupercookiesForAPublicSuffixAreRefused) {
  ASSERT_EQ(strata_cookies_enable(runtime_.get(), 1), STRATA_OK);
  ASSERT_EQ(Get(HostUrl("www.example.co.uk", "/super")).status, STRATA_OK);
  EXPECT_TRUE(List().empty());
  ASSERT_EQ(Get(HostUrl("www.example.co.uk", "/site")).status, STRATA_OK);
  EXPECT_EQ(List(), std::vector<std::string>{"site=1 example.co.uk / 0"});
  // The site's cookie goes to its other hosts; none goes to another site.
  EXPECT_EQ(strata_cookies_add(runtime_.get(), "http://www.example.co.uk/", "x=1; Domain=co.uk"),
            STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(List().size(), 1u);
}

TEST_F(Cookies, AddListClearAndBadArguments) {
  EXPECT_EQ(strata_cookies_add(runtime_.get(), "http://127.0.0.1/", "a=1"), STRATA_OK);
  EXPECT_EQ(strata_cookies_add(runtime_.get(), "http://127.0.0.1/", "s=2; Secure"), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_cookies_add(runtime_.get(), "ftp://127.0.0.1/", "a=1"), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_cookies_add(runtime_.get(), "http://127.0.0.1/", "bad\r\nname=1"), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_cookies_add(nullptr, "http://127.0.0.1/", "a=1"), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_cookies_load(runtime_.get(), "/nonexistent/jar", 0, nullptr), STRATA_E_IO);
  EXPECT_EQ(strata_cookies_save(runtime_.get(), "/nonexistent/dir/jar"), STRATA_E_IO);
  EXPECT_EQ(List(), std::vector<std::string>{"a=1 127.0.0.1 / 1"});
  // strata_cookies_add turned the store on.
  EXPECT_EQ(Get(nginx_.Url("/echo")).body(), "cookie=[a=1]\n");
  ASSERT_EQ(strata_cookies_add(runtime_.get(), "http://127.0.0.1/", "p=1; Max-Age=600"), STRATA_OK);
  EXPECT_EQ(strata_cookies_clear(runtime_.get(), 1), STRATA_OK);  // session ones only
  EXPECT_EQ(List(), std::vector<std::string>{"p=1 127.0.0.1 / 1"});
  EXPECT_EQ(strata_cookies_clear(runtime_.get(), 0), STRATA_OK);
  EXPECT_TRUE(List().empty());
}

// The CLI and the installed curl, each run once.
RunResult RunClient(bool strata, const std::vector<std::string>& args) {
  ProcessOptions o;
  o.argv = {strata ? RunfilePath("tools/strata") : "/usr/bin/curl"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {{"HOME", TestTmpDir()}};
  return RunProcess(o, 30s);
}

TEST_F(Cookies, JarsGoBothWaysWithCurl) {
  const std::string dir = MakeTempDir("jars");
  const std::string strata_jar = dir + "/strata.txt", curl_jar = dir + "/curl.txt";
  // The same exchanges with each client, each writing its jar.
  for (int strata = 0; strata < 2; ++strata) {
    const std::string jar = strata ? strata_jar : curl_jar;
    RunResult a = RunClient(strata, {"-s", "-L", "-c", jar, "-o", "/dev/null", nginx_.Url("/login")});
    ASSERT_EQ(a.exit.exit_code, 0) << a.stderr_text;
    RunResult b = RunClient(strata, {"-s", "-b", jar, "-c", jar, "-o", "/dev/null", nginx_.Url("/remember")});
    ASSERT_EQ(b.exit.exit_code, 0) << b.stderr_text;
  }
  const std::string strata_text = ReadFileIfExists(strata_jar), curl_text = ReadFileIfExists(curl_jar);
  ASSERT_NE(curl_text.find("sid\tabc"), std::string::npos) << curl_text;
  ASSERT_NE(curl_text.find("#HttpOnly_127.0.0.1"), std::string::npos) << curl_text;
  // Identical but for the persistent cookie's expiry second, which each
  // client computed at its own moment.
  auto without_expiry = [](std::string text) {
    size_t at = text.find("pref");
    if (at != std::string::npos) {
      size_t tab = text.rfind('\t', at - 2);
      text.replace(tab + 1, at - 1 - (tab + 1), "EXPIRES");
    }
    return text;
  };
  EXPECT_EQ(without_expiry(strata_text), without_expiry(curl_text));
  // Each reads the other's jar and sends both cookies. (The order differs:
  // curl takes a jar's lines as created top to bottom, newest first as it
  // writes them, so each load reverses its jar; strata reads them as
  // written, oldest last, so the order survives load and save.)
  for (int strata = 0; strata < 2; ++strata) {
    RunResult r = RunClient(strata, {"-s", "-b", strata ? curl_jar : strata_jar, nginx_.Url("/echo")});
    EXPECT_EQ(r.exit.exit_code, 0) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, strata ? "cookie=[sid=abc; pref=dark]\n" : "cookie=[pref=dark; sid=abc]\n")
        << (strata ? "strata reading curl's" : "curl reading strata's");
  }
  // -j drops the session cookie read from the jar; both agree.
  for (int strata = 0; strata < 2; ++strata) {
    RunResult r = RunClient(strata, {"-s", "-j", "-b", strata_jar, nginx_.Url("/echo")});
    EXPECT_EQ(r.stdout_text, "cookie=[pref=dark]\n") << strata;
  }
  // The C API loads curl's jar too.
  size_t loaded = 0;
  ASSERT_EQ(strata_cookies_load(runtime_.get(), curl_jar.c_str(), 0, &loaded), STRATA_OK);
  EXPECT_EQ(loaded, 2u);
  EXPECT_EQ(Get(nginx_.Url("/echo")).body(), "cookie=[sid=abc; pref=dark]\n");
}

TEST_F(Cookies, CliCookieDataMatchesCurl) {
  const std::string jar = MakeTempDir("jar") + "/jar.txt";
  ASSERT_EQ(RunClient(false, {"-s", "-c", jar, "-o", "/dev/null", nginx_.Url("/remember")}).exit.exit_code, 0);
  const std::vector<std::vector<std::string>> cases = {
      {"-b", "a=1", "-b", "b=2"},       // joined with ';'
      {"-b", jar, "-b", "x=9"},          // the store's, then the data
      {"-b", "/nonexistent/file"},       // no error, nothing sent
      {"-b", "", "-L"},                  // the engine on, nothing read
  };
  for (const auto& args : cases) {
    std::string out[2];
    int code[2];
    for (int strata = 0; strata < 2; ++strata) {
      std::vector<std::string> a = {"-s"};
      a.insert(a.end(), args.begin(), args.end());
      a.push_back(nginx_.Url(args.back() == "-L" ? "/login" : "/echo"));
      RunResult r = RunClient(strata, a);
      out[strata] = r.stdout_text;
      code[strata] = r.exit.exit_code;
    }
    EXPECT_EQ(out[1], out[0]) << args[1];
    EXPECT_EQ(code[1], code[0]) << args[1];
  }
}

}  // namespace
}  // namespace strata::test
