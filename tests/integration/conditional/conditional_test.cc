// Conditional requests: STRATA_OPT_IF_[UN]MODIFIED_SINCE through the C API
// and the CLI's -z, --etag-save and --etag-compare next to curl 7.88,
// against nginx serving a file with a known modification time and a
// location that ignores conditions (its body must then be dropped, as curl
// drops it, reported as a 304).
#include <sys/stat.h>
#include <utime.h>

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

constexpr int64_t k2020 = 1577836800;  // Wed, 01 Jan 2020 00:00:00 GMT: the file's time
constexpr int64_t k2019 = 1546300800;  // Tue, 01 Jan 2019 00:00:00 GMT
constexpr int64_t k2021 = 1609459200;  // Fri, 01 Jan 2021 00:00:00 GMT

NginxOptions Locations() {
  NginxOptions o;
  // Ignores every condition, claims a 2020 modification time.
  o.extra_locations = {
      R"(location = /dyn { add_header Last-Modified "Wed, 01 Jan 2020 00:00:00 GMT"; return 200 "dyn\n"; })"};
  return o;
}

class Conditional : public ::testing::Test {
 protected:
  void SetUp() override {
    nginx_.WriteDocFile("a.txt", "hello\n");
    SetTime(nginx_.docroot() + "/a.txt", k2020);
    std::string e;
    ASSERT_TRUE(nginx_.Start(&e)) << e;
    RuntimeResult rt = MakeRuntime(DefaultTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
  }
  static void SetTime(const std::string& path, int64_t when) {
    struct utimbuf t {static_cast<time_t>(when), static_cast<time_t>(when)};
    ASSERT_EQ(utime(path.c_str(), &t), 0) << path;
  }
  FetchResult Get(const std::string& path, int32_t option, int64_t when) {
    FetchSpec spec;
    spec.url = nginx_.Url(path);
    spec.int_options = {{option, when}};
    return Fetch(runtime_.get(), spec);
  }

  NginxFixture nginx_{Locations()};
  RuntimePtr runtime_;
};

TEST_F(Conditional, CApi) {
  // nginx answers 304 when the date is the file's exactly
  // (if_modified_since exact, its default)...
  FetchResult r = Get("/a.txt", STRATA_OPT_IF_MODIFIED_SINCE, k2020);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 304);
  EXPECT_EQ(r.info(STRATA_INFO_CONDITION_UNMET), 1);
  // ... and 200 for a later one, which its Last-Modified shows unmet: the
  // body is dropped.
  r = Get("/a.txt", STRATA_OPT_IF_MODIFIED_SINCE, k2021);
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "");
  EXPECT_EQ(r.info(STRATA_INFO_CONDITION_UNMET), 1);
  r = Get("/a.txt", STRATA_OPT_IF_MODIFIED_SINCE, k2019);
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "hello\n");
  EXPECT_EQ(r.info(STRATA_INFO_CONDITION_UNMET), 0);
  r = Get("/a.txt", STRATA_OPT_IF_UNMODIFIED_SINCE, k2019);
  EXPECT_EQ(r.http_status(), 412);
  EXPECT_EQ(r.info(STRATA_INFO_CONDITION_UNMET), 1);
  EXPECT_NE(r.body().find("412 Precondition Failed"), std::string::npos);  // an error body stays
  r = Get("/a.txt", STRATA_OPT_IF_UNMODIFIED_SINCE, k2021);
  EXPECT_EQ(r.body(), "hello\n");
  // A server that ignores the condition: judged by its Last-Modified.
  r = Get("/dyn", STRATA_OPT_IF_MODIFIED_SINCE, k2021);
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "");
  EXPECT_EQ(r.info(STRATA_INFO_CONDITION_UNMET), 1);
  r = Get("/dyn", STRATA_OPT_IF_MODIFIED_SINCE, k2019);
  EXPECT_EQ(r.body(), "dyn\n");
  // Negative times are refused.
  strata_request* req = nullptr;
  ASSERT_EQ(strata_request_new("GET", nginx_.Url("/").c_str(), &req), STRATA_OK);
  EXPECT_EQ(strata_request_set_option_int(req, STRATA_OPT_IF_MODIFIED_SINCE, -5), STRATA_E_INVALID_ARGUMENT);
  strata_request_free(req);
}

struct Side {
  RunResult run;
  std::string extra;  // a file the command wrote
};

Side RunClient(bool strata, std::vector<std::string> args, const std::string& written = "") {
  Side s;
  ProcessOptions o;
  o.argv = {strata ? RunfilePath("tools/strata") : "/usr/bin/curl"};
  for (std::string& a : args) {
    if (a == "{FILE}") a = written + (strata ? ".strata" : ".curl");
    o.argv.push_back(a);
  }
  o.env = {{"HOME", TestTmpDir()}};
  s.run = RunProcess(o, 30s);
  if (!written.empty()) s.extra = ReadFileIfExists(written + (strata ? ".strata" : ".curl"));
  return s;
}

TEST_F(Conditional, CliMatchesCurl) {
  const std::string dir = MakeTempDir("cond");
  const std::string newer = dir + "/newer";
  nginx_.WriteDocFile("unused", "");
  {
    FILE* f = fopen(newer.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fclose(f);
    SetTime(newer, k2021);
  }
  const std::string url = nginx_.Url("/a.txt"), dyn = nginx_.Url("/dyn");
  const std::vector<std::vector<std::string>> cases = {
      {"-z", "Fri, 01 Jan 2021 00:00:00 GMT", url},
      {"-z", "Tue, 01 Jan 2019 00:00:00 GMT", url},
      {"-z", "-Tue, 01 Jan 2019 00:00:00 GMT", url},
      {"-z", newer, url},
      {"-z", "Friday, 01-Jan-21 00:00:00 GMT", url},
      {"-z", "Fri, 01 Jan 2021 00:00:00 GMT", dyn},
      {"-z", "no such date or file", url},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"--no-progress-meter", "-w", "[%{http_code}]"};
    args.insert(args.end(), c.begin(), c.end());
    Side curl = RunClient(false, args), strata = RunClient(true, args);
    EXPECT_EQ(strata.run.stdout_text, curl.run.stdout_text) << c[1] << " " << c[2];
    EXPECT_EQ(strata.run.exit.exit_code, curl.run.exit.exit_code) << c[1];
    EXPECT_EQ(strata.run.stderr_text, curl.run.stderr_text) << c[1];
  }
}

TEST_F(Conditional, EtagsMatchCurl) {
  const std::string dir = MakeTempDir("etag");
  // Save, then compare: a 304, and the saved file the same for both.
  Side saved[2], compared[2];
  for (int strata = 0; strata < 2; ++strata) {
    saved[strata] = RunClient(strata, {"-s", "-o", "/dev/null", "--etag-save", "{FILE}", nginx_.Url("/a.txt")},
                              dir + "/etag");
    compared[strata] = RunClient(strata, {"-s", "-w", "[%{http_code}]", "--etag-compare", dir + "/etag.curl",
                                          nginx_.Url("/a.txt")});
  }
  EXPECT_EQ(saved[1].extra, saved[0].extra);
  EXPECT_EQ(saved[0].extra.front(), '"');
  EXPECT_EQ(compared[0].run.stdout_text, "[304]");
  EXPECT_EQ(compared[1].run.stdout_text, "[304]");
  // No ETag in the response: an empty file.
  for (int strata = 0; strata < 2; ++strata) {
    Side s = RunClient(strata, {"-s", "-o", "/dev/null", "--etag-save", "{FILE}", nginx_.Url("/dyn")}, dir + "/none");
    EXPECT_EQ(s.extra, "") << strata;
    EXPECT_EQ(s.run.exit.exit_code, 0) << strata;
  }
  // Failures: a missing file to compare with, a file that cannot be created.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--etag-compare", dir + "/missing", nginx_.Url("/a.txt")},
        std::vector<std::string>{"-s", "--etag-compare", dir + "/missing", nginx_.Url("/a.txt")},
        std::vector<std::string>{"--etag-save", dir + "/no/such/dir", nginx_.Url("/a.txt")}}) {
    Side curl = RunClient(false, args), strata = RunClient(true, args);
    EXPECT_EQ(strata.run.exit.exit_code, curl.run.exit.exit_code) << args[0];
    EXPECT_EQ(curl.run.exit.exit_code, 26);
    // curl wraps its error lines at 79 columns, each continued with its
    // prefix; compare the messages, unwrapped, whatever the tool's name.
    auto unwrapped = [](std::string text, const std::string& prefix) {
      for (size_t at; (at = text.find("\n" + prefix)) != std::string::npos;) text.erase(at, 1 + prefix.size());
      for (size_t at; (at = text.find(prefix)) != std::string::npos;) text.replace(at, prefix.size(), "TOOL: ");
      return text;
    };
    EXPECT_EQ(unwrapped(strata.run.stderr_text, "strata: "), unwrapped(curl.run.stderr_text, "curl: ")) << args[0];
  }
}

}  // namespace
}  // namespace strata::test
