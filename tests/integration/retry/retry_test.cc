// Retries (STRATA_OPT_RETRY and the CLI's --retry*) against scripted peers
// that fail on purpose: 503 with Retry-After, resets, refused connections.
// Through the C API: a peer failing twice succeeds on the third attempt,
// Retry-After is waited for, each attempt is a STRATA_EVENT_RETRY, a POST is
// not retried unless asked, a retried response's body never reaches the
// writer. Through the CLI, side by side with curl 7.88: the same exit
// codes, warnings and final output.
#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/support/free_port.h"
#include "tests/support/process.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const char kBusy[] = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n";
const char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

PeerScript Answer(const char* response) { return {ReadRequest(), Send(response), Close()}; }

struct Events {
  std::vector<strata_event> retries;
  std::vector<std::string> messages;
  static void On(void* user, const strata_event* e) {
    auto* self = static_cast<Events*>(user);
    if (e->type != STRATA_EVENT_RETRY) return;
    self->retries.push_back(*e);
    self->messages.push_back(e->message);
  }
};

class Retry : public ::testing::Test {
 protected:
  void SetUp() override {
    RuntimeResult rt = MakeRuntime(DefaultTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
    strata_runtime_set_event_callback(runtime_.get(), &Events::On, &events_, 1u << STRATA_EVENT_RETRY);
  }

  FetchResult Run(const FetchSpec& spec, BodySink* sink = nullptr) {
    return sink ? FetchInto(runtime_.get(), spec, sink) : Fetch(runtime_.get(), spec);
  }

  RuntimePtr runtime_;
  Events events_;
};

TEST_F(Retry, TwoBusyAnswersWithRetryAfterThenSuccess) {
  ScriptedPeer peer({Answer(kBusy), Answer(kBusy), Answer(kOk)});
  FetchSpec spec;
  spec.url = peer.Url("/r");
  spec.int_options = {{STRATA_OPT_RETRY, 3}};
  BodySink sink;
  auto start = Clock::now();
  FetchResult r = Run(spec, &sink);
  auto took = Clock::now() - start;
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  // Only the final body reached the writer.
  EXPECT_EQ(sink.bytes, "ok\n");
  EXPECT_EQ(peer.ConnectionCount(), 3);
  ASSERT_EQ(events_.retries.size(), 2u);
  EXPECT_EQ(events_.retries[0].attempt, 1);
  EXPECT_EQ(events_.retries[1].attempt, 2);
  EXPECT_EQ(events_.retries[0].status, 503);
  EXPECT_EQ(events_.retries[0].retries_left, 3);
  EXPECT_EQ(events_.retries[1].retries_left, 2);
  // Retry-After: 1 replaces the computed backoff, both times.
  EXPECT_EQ(events_.retries[0].retry_delay_ms, 1000);
  EXPECT_EQ(events_.retries[1].retry_delay_ms, 1000);
  EXPECT_GE(took, 2s);
  EXPECT_NE(events_.messages[0].find("503"), std::string::npos) << events_.messages[0];
}

TEST_F(Retry, RetriesRunOutAndTheLastAnswerStands) {
  ScriptedPeer peer({Answer(kBusy)});
  FetchSpec spec;
  spec.url = peer.Url("/r");
  spec.int_options = {{STRATA_OPT_RETRY, 1}, {STRATA_OPT_RETRY_DELAY_MS, 50}};
  // Retry-After (1 s) replaces the fixed delay.
  BodySink sink;
  FetchResult r = Run(spec, &sink);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 503);
  EXPECT_EQ(sink.bytes, "busy\n");  // the last attempt's body is delivered
  EXPECT_EQ(peer.ConnectionCount(), 2);
  ASSERT_EQ(events_.retries.size(), 1u);
  EXPECT_EQ(events_.retries[0].retry_delay_ms, 1000);
}

TEST_F(Retry, PostIsNotRetriedUnlessAsked) {
  {
    ScriptedPeer peer({Answer(kBusy), Answer(kOk)});
    FetchSpec spec;
    spec.method = "POST";
    spec.url = peer.Url("/p");
    spec.has_body = true;
    spec.body = "data";
    spec.int_options = {{STRATA_OPT_RETRY, 3}};
    FetchResult r = Run(spec);
    ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
    EXPECT_EQ(r.http_status(), 503);
    EXPECT_EQ(peer.ConnectionCount(), 1);
    EXPECT_TRUE(events_.retries.empty());
  }
  {
    ScriptedPeer peer({Answer("HTTP/1.1 503 x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), Answer(kOk)});
    FetchSpec spec;
    spec.method = "POST";
    spec.url = peer.Url("/p");
    spec.has_body = true;
    spec.body = "data";
    spec.int_options = {{STRATA_OPT_RETRY, 3}, {STRATA_OPT_RETRY_DELAY_MS, 10},
                        {STRATA_OPT_RETRY_ON, STRATA_RETRY_ON_HTTP | STRATA_RETRY_NON_IDEMPOTENT}};
    FetchResult r = Run(spec);
    ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
    EXPECT_EQ(r.http_status(), 200);
    ASSERT_EQ(peer.AllRequests().size(), 2u);
    // The body went again with the second attempt.
    EXPECT_NE(peer.AllRequests()[1].find("\r\n\r\ndata"), std::string::npos);
  }
}

TEST_F(Retry, ResetBeforeAnyResponseIsRetriedResetAfterIsNot) {
  {
    ScriptedPeer peer({{ReadRequest(), Reset()}, Answer(kOk)});
    FetchSpec spec;
    spec.url = peer.Url("/x");
    spec.int_options = {{STRATA_OPT_RETRY, 2}, {STRATA_OPT_RETRY_DELAY_MS, 10}};
    FetchResult r = Run(spec);
    ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
    EXPECT_EQ(r.body(), "ok\n");
    ASSERT_EQ(events_.retries.size(), 1u);
    EXPECT_LT(events_.retries[0].status, 0);
  }
  events_ = {};
  {
    // Part of the body arrived, then a reset: the response may have been
    // acted on and its bytes delivered: not transient.
    ScriptedPeer peer({{ReadRequest(), Send("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"), Sleep(50), Reset()},
                       Answer(kOk)});
    FetchSpec spec;
    spec.url = peer.Url("/x");
    spec.int_options = {{STRATA_OPT_RETRY, 2}, {STRATA_OPT_RETRY_DELAY_MS, 10}};
    FetchResult r = Run(spec);
    EXPECT_NE(r.status, STRATA_OK);
    EXPECT_TRUE(events_.retries.empty());
    EXPECT_EQ(peer.ConnectionCount(), 1);
  }
}

TEST_F(Retry, RefusedConnectionUsesBackoffAndGivesUp) {
  const uint16_t port = FreePort();  // nothing listens there
  FetchSpec spec;
  spec.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  spec.int_options = {{STRATA_OPT_RETRY, 2},
                      {STRATA_OPT_RETRY_ON, STRATA_RETRY_ON_CONNECT | STRATA_RETRY_NO_JITTER}};
  auto start = Clock::now();
  FetchResult r = Run(spec);
  auto took = Clock::now() - start;
  EXPECT_EQ(r.status, STRATA_E_CONNECT) << r.Describe();
  ASSERT_EQ(events_.retries.size(), 2u);
  EXPECT_EQ(events_.retries[0].retry_delay_ms, 1000);
  EXPECT_EQ(events_.retries[1].retry_delay_ms, 2000);
  EXPECT_GE(took, 3s);
  EXPECT_EQ(events_.retries[0].status, STRATA_E_CONNECT);
}

TEST_F(Retry, MaxTimeStopsRetrying) {
  ScriptedPeer peer({Answer("HTTP/1.1 503 x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n")});
  FetchSpec spec;
  spec.url = peer.Url("/r");
  spec.int_options = {{STRATA_OPT_RETRY, 10}, {STRATA_OPT_RETRY_MAX_TIME_MS, 1500}};
  auto start = Clock::now();
  FetchResult r = Run(spec);
  auto took = Clock::now() - start;
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 503);
  // Backoff 0.5-1 s, then 1-2 s shortened to what is left of 1.5 s.
  EXPECT_LT(took, 4s);
  EXPECT_LE(events_.retries.size(), 2u);
  EXPECT_GE(events_.retries.size(), 1u);
  EXPECT_EQ(r.body(), "busy\n");
}

TEST_F(Retry, RetryAfterPastTheMaxTimeEndsRetrying) {
  ScriptedPeer peer({Answer("HTTP/1.1 503 x\r\nRetry-After: 30\r\nContent-Length: 5\r\nConnection: close\r\n\r\nbusy\n"),
                     Answer(kOk)});
  FetchSpec spec;
  spec.url = peer.Url("/r");
  spec.int_options = {{STRATA_OPT_RETRY, 3}, {STRATA_OPT_RETRY_MAX_TIME_MS, 10000}};
  FetchResult r = Run(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 503);
  EXPECT_EQ(r.body(), "busy\n");  // the answer stands, body and all
  EXPECT_TRUE(events_.retries.empty());
  EXPECT_EQ(peer.ConnectionCount(), 1);
}

TEST_F(Retry, OffByDefault) {
  ScriptedPeer peer({Answer(kBusy), Answer(kOk)});
  FetchSpec spec;
  spec.url = peer.Url("/r");
  FetchResult r = Run(spec);
  EXPECT_EQ(r.http_status(), 503);
  EXPECT_EQ(peer.ConnectionCount(), 1);
  EXPECT_TRUE(events_.retries.empty());
}

TEST_F(Retry, CancelDuringTheWaitEndsTheTransfer) {
  ScriptedPeer peer({Answer(kBusy), Answer(kOk)});
  strata_request* req = nullptr;
  ASSERT_EQ(strata_request_new("GET", peer.Url("/r").c_str(), &req), STRATA_OK);
  RequestPtr request(req);
  strata_request_set_option_int(req, STRATA_OPT_RETRY, 3);
  strata_request_set_option_int(req, STRATA_OPT_RETRY_DELAY_MS, 60000);
  strata_transfer* t = nullptr;
  ASSERT_EQ(strata_submit(runtime_.get(), req, nullptr, &t), STRATA_OK);
  auto deadline = Clock::now() + 10s;
  size_t running = 1;
  while (events_.retries.empty() && Clock::now() < deadline) strata_runtime_run(runtime_.get(), 50, &running);
  ASSERT_EQ(events_.retries.size(), 1u);
  EXPECT_EQ(strata_transfer_done(t), 0);  // waiting for the next attempt
  strata_transfer_cancel(t);
  EXPECT_NE(strata_transfer_done(t), 0);
  strata_runtime_run(runtime_.get(), 0, &running);
  EXPECT_EQ(running, 0u);
  strata_error error = NewError();
  EXPECT_EQ(strata_transfer_result(t, &error), STRATA_E_CANCELLED);
  strata_transfer_free(t);
  EXPECT_EQ(peer.ConnectionCount(), 1);
}

// The CLI next to curl 7.88.
struct Side {
  RunResult run;
  std::string output;
};

Side RunCli(bool strata, const std::vector<std::string>& args, const std::string& url) {
  Side s;
  ProcessOptions o;
  const std::string out = MakeTempDir(strata ? "strata" : "curl") + "/out";
  o.argv = {strata ? RunfilePath("tools/strata") : "/usr/bin/curl"};
  for (const std::string& a : args) o.argv.push_back(a == "{OUT}" ? out : a);
  o.argv.push_back(url);
  o.env = {{"HOME", TestTmpDir()}};
  s.run = RunProcess(o, 60s);
  s.output = ReadFileIfExists(out);
  return s;
}

std::string Warnings(const std::string& stderr_text) {
  std::string out;
  size_t pos = 0;
  while ((pos = stderr_text.find("Warning: ", pos)) != std::string::npos) {
    size_t end = stderr_text.find('\n', pos);
    out += stderr_text.substr(pos, end - pos + 1);
    pos = end;
  }
  return out;
}

TEST(RetryCli, BusyTwiceMatchesCurl) {
  Side sides[2];
  for (int strata = 0; strata < 2; ++strata) {
    ScriptedPeer peer({Answer(kBusy), Answer(kBusy), Answer(kOk)});
    sides[strata] = RunCli(strata, {"--retry", "3", "-o", "{OUT}", "--no-progress-meter"}, peer.Url("/r"));
    EXPECT_EQ(peer.ConnectionCount(), 3) << strata;
  }
  EXPECT_EQ(sides[1].run.exit.exit_code, sides[0].run.exit.exit_code);
  EXPECT_EQ(sides[1].run.exit.exit_code, 0);
  EXPECT_EQ(sides[1].output, "ok\n");
  EXPECT_EQ(sides[0].output, "ok\n");
  EXPECT_EQ(Warnings(sides[1].run.stderr_text), Warnings(sides[0].run.stderr_text))
      << "strata:\n" << sides[1].run.stderr_text << "curl:\n" << sides[0].run.stderr_text;
  EXPECT_NE(Warnings(sides[1].run.stderr_text).find("Problem : HTTP error. Will retry in 1 seconds. 3 retries"),
            std::string::npos)
      << sides[1].run.stderr_text;
}

TEST(RetryCli, FailWithRetryExhaustedMatchesCurl) {
  for (int strata = 0; strata < 2; ++strata) {
    ScriptedPeer peer({Answer("HTTP/1.1 500 Oops\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")});
    Side s = RunCli(strata, {"-sS", "-f", "--retry", "1", "--retry-delay", "1", "-o", "{OUT}"}, peer.Url("/e"));
    EXPECT_EQ(s.run.exit.exit_code, 22) << strata << ": " << s.run.stderr_text;
    EXPECT_EQ(peer.ConnectionCount(), 2) << strata;
    EXPECT_EQ(Warnings(s.run.stderr_text), "") << strata;  // -s mutes warnings
  }
}

TEST(RetryCli, ConnrefusedOnlyWhenAsked) {
  const uint16_t port = FreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  Side plain[2], refused[2];
  for (int strata = 0; strata < 2; ++strata) {
    plain[strata] = RunCli(strata, {"--retry", "2", "--no-progress-meter"}, url);
    refused[strata] = RunCli(strata, {"--retry", "1", "--retry-connrefused", "--no-progress-meter"}, url);
  }
  for (int strata = 0; strata < 2; ++strata) {
    EXPECT_EQ(plain[strata].run.exit.exit_code, 7) << strata;
    EXPECT_EQ(Warnings(plain[strata].run.stderr_text), "") << strata;
    EXPECT_EQ(refused[strata].run.exit.exit_code, 7) << strata;
  }
  EXPECT_EQ(Warnings(refused[1].run.stderr_text), Warnings(refused[0].run.stderr_text))
      << "strata:\n" << refused[1].run.stderr_text << "curl:\n" << refused[0].run.stderr_text;
  // Each failed attempt's error is printed, as curl does: two "(7)" lines.
  for (int strata = 0; strata < 2; ++strata) {
    const std::string& e = refused[strata].run.stderr_text;
    size_t first = e.find("(7)");
    ASSERT_NE(first, std::string::npos) << e;
    EXPECT_NE(e.find("(7)", first + 1), std::string::npos) << strata << ": " << e;
  }
}

}  // namespace
}  // namespace strata::test
