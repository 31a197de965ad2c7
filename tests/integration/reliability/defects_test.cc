// The defects of the reliability issue, each against a real peer (nginx)
// through the C API and the CLI; every test here failed before its fix:
//   2. connection churn: more transfers at once than the idle pool held
//      closed connections that were about to be needed;
//   4. a method that is not a token ("GE T") ended as "out of memory";
//   5. an empty --config file silently meant the built-in configuration;
//   6. control characters other than CR/LF/NUL in field values went out,
//      and came in, as they were;
//   7. a 3xx with an empty Location (nginx's "return 302;") under -L was a
//      "redirect loop", and a file: Location blamed an empty host.
// (1, the starved deadline, is fairness_test.cc; 3, GOAWAY, is in
// tests/integration/h2/h2c_apache_test.cc.)
#include <chrono>
#include <set>
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

using std::chrono::seconds;

RunResult RunCli(std::vector<std::string> args) {
  ProcessOptions opts;
  opts.argv = {RunfilePath("tools/strata")};
  opts.argv.insert(opts.argv.end(), args.begin(), args.end());
  opts.env = {{"HOME", TestTmpDir()}};
  RunResult r = RunProcess(opts, seconds(60));
  EXPECT_FALSE(r.exit.timed_out);
  return r;
}

class Defects : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    NginxOptions o;
    o.extra_locations = {
        "location = /noloc { return 302; }",  // nginx sends "Location: " (empty)
        "location = /tofile { return 302 \"file:///etc/passwd\"; }",
        // A raw 0x01 inside a header value (nginx copies the byte as is).
        std::string("location = /ctl { add_header X-Bad \"a\x01" "b\"; return 200 \"ok\\n\"; }"),
    };
    nginx_ = new NginxFixture(o);
    nginx_->WriteDocFile("small.txt", "small\n");
    std::string e;
    ASSERT_TRUE(nginx_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete nginx_;
    nginx_ = nullptr;
  }
  void SetUp() override {
    RuntimeResult r = MakeRuntime(DefaultTestConfig());
    ASSERT_EQ(r.status, STRATA_OK) << r.error.message;
    rt_ = std::move(r.runtime);
  }
  static NginxFixture* nginx_;
  RuntimePtr rt_;
};

NginxFixture* Defects::nginx_ = nullptr;

// 2 ------------------------------------------------------------------------

TEST_F(Defects, TenThousandRequestsAtParallelism100UseAtMost100Connections) {
  constexpr int kTotal = 10000;
  constexpr int kParallel = 100;
  FetchSpec spec;
  spec.url = nginx_->Url("/small.txt");
  strata_status st = STRATA_OK;
  RequestPtr req = PrepareRequest(spec, &st);
  ASSERT_EQ(st, STRATA_OK);
  // Why a connection was made, for the failure message: the runtime's
  // trace lines about connecting and recovering.
  std::vector<std::string> traces;
  strata_runtime_set_event_callback(
      rt_.get(),
      [](void* user, const strata_event* e) {
        const std::string m = e->message;
        if (m.rfind("connecting to", 0) == 0 || m.find("retrying") != std::string::npos ||
            m.find("closed") != std::string::npos || m.find("idle") != std::string::npos) {
          static_cast<std::vector<std::string>*>(user)->push_back(std::string(e->layer) + ": " + m);
        }
      },
      &traces, 1u << STRATA_EVENT_TRACE);
  int submitted = 0, ok = 0, failed = 0;
  int64_t connects = 0;
  std::string first_error;
  std::vector<strata_transfer*> running;
  auto submit = [&] {
    strata_transfer* t = nullptr;
    ASSERT_EQ(strata_submit(rt_.get(), req.get(), nullptr, &t), STRATA_OK);
    ++submitted;
  };
  for (int i = 0; i < kParallel; ++i) submit();
  const auto give_up = std::chrono::steady_clock::now() + seconds(120);
  int finished = 0;
  while (finished < kTotal && std::chrono::steady_clock::now() < give_up) {
    size_t n = 0;
    strata_runtime_run(rt_.get(), 100, &n);
    while (strata_transfer* t = strata_runtime_next_done(rt_.get())) {
      ++finished;
      strata_error err = NewError();
      if (strata_transfer_result(t, &err) == STRATA_OK) {
        strata_response* resp = strata_transfer_take_response(t);
        int64_t c = 0;
        strata_response_info(resp, STRATA_INFO_NUM_CONNECTS, &c);
        connects += c;
        ok += strata_response_status(resp) == 200;
        strata_response_free(resp);
      } else {
        if (first_error.empty()) first_error = err.message;
        ++failed;
      }
      strata_transfer_free(t);
      if (submitted < kTotal) submit();
    }
  }
  EXPECT_EQ(ok, kTotal) << failed << " failed; first: " << first_error;
  strata_runtime_set_event_callback(rt_.get(), nullptr, nullptr, 0);
  std::string why;
  for (size_t i = 0; i < traces.size(); ++i) {
    if (i >= static_cast<size_t>(kParallel) || traces[i].find("connecting to") == std::string::npos) {
      why += "  " + std::to_string(i) + ": " + traces[i] + "\n";
    }
  }
  EXPECT_LE(connects, kParallel) << "connections opened for " << kTotal << " requests at parallelism " << kParallel
                                 << "; traces beyond the first " << kParallel << " connects:\n" << why;
  std::set<uint64_t> server_side;
  for (const AccessLogEntry& e : nginx_->WaitForAccessLog(kTotal)) server_side.insert(e.connection);
  EXPECT_LE(server_side.size(), static_cast<size_t>(kParallel)) << "connections nginx saw";
}

// 4 ------------------------------------------------------------------------

TEST_F(Defects, MethodThatIsNotATokenIsRefusedClearly) {
  strata_request* req = nullptr;
  EXPECT_EQ(strata_request_new("GE T", nginx_->Url("/small.txt").c_str(), &req), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(req, nullptr);
  EXPECT_EQ(strata_request_new("G\x01T", nginx_->Url("/small.txt").c_str(), &req), STRATA_E_INVALID_ARGUMENT);
  // Tokens that are not letters are still methods (RFC 9110 §9.1).
  ASSERT_EQ(strata_request_new("M-SEARCH.2", nginx_->Url("/small.txt").c_str(), &req), STRATA_OK);
  strata_request_free(req);

  RunResult r = RunCli({"-sS", "-X", "GE T", nginx_->Url("/small.txt")});
  EXPECT_EQ(r.exit.exit_code, 2) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("'GE T' is not a valid HTTP method"), std::string::npos) << r.stderr_text;
  EXPECT_EQ(r.stderr_text.find("out of memory"), std::string::npos) << r.stderr_text;
}

// 5 ------------------------------------------------------------------------

TEST_F(Defects, EmptyConfigFileIsAnErrorNamingTheFile) {
  const std::string path = MakeTempDir("cfg") + "/empty.json";
  WriteFileOrDie(path, "  \n");
  RunResult r = RunCli({"-sS", "--config", path, nginx_->Url("/small.txt")});
  EXPECT_EQ(r.exit.exit_code, 2) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find(path), std::string::npos) << r.stderr_text;
  EXPECT_NE(r.stderr_text.find("empty"), std::string::npos) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "") << "nothing was fetched";

  strata_runtime* rt = nullptr;
  strata_error err = NewError();
  EXPECT_EQ(strata_runtime_new_from_file(path.c_str(), &rt, &err), STRATA_E_CONFIG);
  EXPECT_EQ(rt, nullptr);
  EXPECT_NE(std::string(err.message).find(path), std::string::npos) << err.message;
}

// 6 ------------------------------------------------------------------------

TEST_F(Defects, ControlCharacterInAResponseFieldValueIsRefused) {
  FetchResult r = Get(rt_.get(), nginx_->Url("/ctl"));
  EXPECT_EQ(r.status, STRATA_E_PROTOCOL) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("control character"), std::string::npos) << r.Describe();
  EXPECT_STREQ(r.error.layer, "h1");
}

TEST_F(Defects, ControlCharacterInARequestFieldValueIsNeverSent) {
  strata_request* req = nullptr;
  ASSERT_EQ(strata_request_new("GET", nginx_->Url("/headers").c_str(), &req), STRATA_OK);
  RequestPtr owned(req);
  for (const char* bad : {"a\x01" "b", "a\x7f" "b", "a\x1b[31m"}) {
    EXPECT_EQ(strata_request_add_header(req, "X-Strata-Test", bad), STRATA_E_INVALID_ARGUMENT) << bad;
  }
  EXPECT_EQ(strata_request_add_header(req, "X-Strata-Test", "tab\tand obs-text \xe9 are fine"), STRATA_OK);

  const size_t logged = nginx_->AccessLog().size();
  RunResult cli = RunCli({"-sS", "-H", "X-Strata-Test: a\x01" "b", nginx_->Url("/headers")});
  EXPECT_EQ(cli.exit.exit_code, 2) << cli.stderr_text;
  EXPECT_NE(cli.stderr_text.find("X-Strata-Test"), std::string::npos) << cli.stderr_text;
  EXPECT_EQ(nginx_->AccessLog().size(), logged) << "the request reached nginx";
}

// 7 ------------------------------------------------------------------------

TEST_F(Defects, RedirectWithEmptyLocationIsTheFinalResponse) {
  FetchSpec spec;
  spec.url = nginx_->Url("/noloc");
  spec.int_options.push_back({STRATA_OPT_FOLLOW_REDIRECTS, 1});
  FetchResult r = Fetch(rt_.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 302);
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 0);

  RunResult cli = RunCli({"-sS", "-L", "-o", "/dev/null", "-w", "%{http_code}", nginx_->Url("/noloc")});
  EXPECT_EQ(cli.exit.exit_code, 0) << cli.stderr_text;
  EXPECT_EQ(cli.stdout_text, "302");
}

TEST_F(Defects, RedirectToFileSchemeNamesTheScheme) {
  FetchSpec spec;
  spec.url = nginx_->Url("/tofile");
  spec.int_options.push_back({STRATA_OPT_FOLLOW_REDIRECTS, 1});
  FetchResult r = Fetch(rt_.get(), spec);
  EXPECT_EQ(r.status, STRATA_E_REDIRECT) << r.Describe();
  const std::string message = r.error.message;
  EXPECT_NE(message.find("scheme 'file' is not allowed"), std::string::npos) << message;
  EXPECT_EQ(message.find("empty host"), std::string::npos) << message;
}

TEST_F(Defects, FreeingATransferStillOnTheDoneQueueTakesItOff) {
  // The runtime skips the done queue when freeing a transfer already taken
  // from it (a flag says which): one freed before strata_runtime_next_done
  // must still leave the queue, or next_done would hand out freed memory.
  FetchSpec spec;
  spec.url = nginx_->Url("/small.txt");
  strata_status st = STRATA_OK;
  RequestPtr req = PrepareRequest(spec, &st);
  ASSERT_EQ(st, STRATA_OK);
  strata_transfer* first = nullptr;
  strata_transfer* second = nullptr;
  ASSERT_EQ(strata_submit(rt_.get(), req.get(), nullptr, &first), STRATA_OK);
  ASSERT_EQ(strata_submit(rt_.get(), req.get(), nullptr, &second), STRATA_OK);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!(strata_transfer_done(first) && strata_transfer_done(second)) &&
         std::chrono::steady_clock::now() < give_up) {
    size_t running = 0;
    strata_runtime_run(rt_.get(), 100, &running);
  }
  ASSERT_TRUE(strata_transfer_done(first) && strata_transfer_done(second));
  strata_transfer_free(first);
  EXPECT_EQ(strata_runtime_next_done(rt_.get()), second);
  EXPECT_EQ(strata_runtime_next_done(rt_.get()), nullptr);
  // Taken from the queue, then freed: nothing left to take.
  strata_transfer_free(second);
  EXPECT_EQ(strata_runtime_next_done(rt_.get()), nullptr);
}

}  // namespace
}  // namespace strata::test
