// Batched I/O through the public C API against nghttpd (HTTP/2 prior
// knowledge): requests opened in one turn leave in a handful of writes,
// counted by the write-counter test double sitting right above tcp (not
// timed); and a request body paused by its reader (STRATA_AGAIN) waits,
// unpolled, until strata_transfer_resume.
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/h2/h2_peers.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

constexpr int kRequests = 1000;

std::string Config() {
  return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + ", " +
         JsonString(RunfilePath("tests/support/write_counter")) + "],"
         " \"plugins\": [\"tcp\", \"h1\", \"h2-alpn\", \"write-counter\"],"
         " \"pipelines\": {"
         "   \"counted\": [\"tcp\", \"write-counter\", {\"layer\": \"h2-alpn\", \"options\": {\"prior_knowledge\": true, \"max_concurrent_streams\": 2000}}]},"
         " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 20000,"
         " \"idle_ms\": 20000, \"total_ms\": 60000}}";
}

struct Counter {
  int sends = 0;
  std::vector<std::string> lines;
};

void OnEvent(void* user, const strata_event* ev) {
  auto* c = static_cast<Counter*>(user);
  if (ev->type == STRATA_EVENT_TRACE && ev->layer && std::strcmp(ev->layer, "write-counter") == 0 &&
      std::strncmp(ev->message, "send #", 6) == 0) {
    c->sends++;
    c->lines.push_back(ev->message);
  }
}

class Batching : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new Nghttpd(/*max_concurrent_streams=*/kRequests + 10);
    server_->WriteDocFile("small.txt", "batched\n");
    std::string e;
    ASSERT_TRUE(server_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  void SetUp() override {
    RuntimeResult r = MakeRuntime(Config());
    ASSERT_EQ(r.status, STRATA_OK) << r.error.message;
    rt_ = std::move(r.runtime);
    strata_runtime_set_event_callback(rt_.get(), &OnEvent, &counter_, 1u << STRATA_EVENT_TRACE);
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  RequestPtr Request(const std::string& method, const std::string& path) {
    FetchSpec spec;
    spec.method = method;
    spec.url = Url(path);
    spec.string_options.push_back({STRATA_OPT_PIPELINE, "counted"});
    strata_status st = STRATA_OK;
    RequestPtr req = PrepareRequest(spec, &st);
    EXPECT_EQ(st, STRATA_OK);
    return req;
  }

  // RunAll submits |n| GETs without running the runtime in between, then
  // runs it until all are done; returns how many succeeded with 200.
  int RunAll(int n) {
    RequestPtr req = Request("GET", "/small.txt");
    std::vector<strata_transfer*> transfers;
    for (int i = 0; i < n; ++i) {
      strata_transfer* t = nullptr;
      EXPECT_EQ(strata_submit(rt_.get(), req.get(), nullptr, &t), STRATA_OK);
      transfers.push_back(t);
    }
    size_t running = transfers.size();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (running > 0 && std::chrono::steady_clock::now() < deadline) {
      strata_runtime_run(rt_.get(), 100, &running);
    }
    int ok = 0;
    for (strata_transfer* t : transfers) {
      strata_error err = NewError();
      if (strata_transfer_result(t, &err) == STRATA_OK) {
        strata_response* resp = strata_transfer_take_response(t);
        if (resp && strata_response_status(resp) == 200) ++ok;
        strata_response_free(resp);
      } else if (ok == 0) {
        ADD_FAILURE() << "first failure: " << err.message;
      }
      strata_transfer_free(t);
    }
    return ok;
  }

  static Nghttpd* server_;
  Counter counter_;  // before rt_: the runtime's teardown still traces into it
  RuntimePtr rt_;
};

Nghttpd* Batching::server_ = nullptr;

TEST_F(Batching, ThousandRequestsOpenedInOneTurnLeaveInAHandfulOfWrites) {
  // Warm the connection first, so the batch below opens on a ready one.
  ASSERT_EQ(RunAll(1), 1);
  const int before = counter_.sends;
  ASSERT_EQ(RunAll(kRequests), kRequests);
  const int batch = counter_.sends - before;
  // One flush carries all HEADERS frames (~30 KB); the rest are WINDOW_UPDATE
  // and SETTINGS/PING acknowledgements. One write per request was the old way.
  std::string sizes;
  for (size_t i = counter_.lines.size() - batch; i < counter_.lines.size(); ++i) sizes += counter_.lines[i] + "; ";
  EXPECT_LE(batch, 8) << "writes for " << kRequests << " requests: " << batch << ": " << sizes;
  EXPECT_GE(batch, 1);
}

TEST_F(Batching, RequestsWaitingForTheConnectionLeaveTogether) {
  // Submitted before the connection exists: they wait for it and are all
  // opened in the pass that sees it ready.
  ASSERT_EQ(RunAll(kRequests), kRequests);
  std::string sizes;
  for (const std::string& l : counter_.lines) sizes += l + "; ";
  EXPECT_LE(counter_.sends, 10) << "writes including the connection preface: " << sizes;
}

struct GatedBody {
  std::string data;
  size_t offset = 0;
  int calls = 0;
  bool open = false;        // closed: the reader has nothing yet (STRATA_AGAIN)
  bool open_after_first = false;
};

strata_status ReadGated(void* user, uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) {
  auto* b = static_cast<GatedBody*>(user);
  b->calls++;
  if (!b->open) {
    if (b->open_after_first) b->open = true;
    *out_read = 0;
    *out_eos = 0;
    return STRATA_AGAIN;
  }
  size_t n = std::min(cap, b->data.size() - b->offset);
  std::memcpy(buf, b->data.data() + b->offset, n);
  b->offset += n;
  *out_read = n;
  *out_eos = b->offset == b->data.size() ? 1 : 0;
  return STRATA_OK;
}

std::string BodyPattern() {
  std::string data(100000, 'r');
  for (size_t i = 0; i < data.size(); i += 7) data[i] = static_cast<char>('a' + i % 26);
  return data;
}

void RunFor(strata_runtime* rt, int ms) {
  size_t running = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) strata_runtime_run(rt, 10, &running);
}

// ExpectEchoed waits for |t| and checks nghttpd (--echo-upload) sent the
// body back whole.
void ExpectEchoed(strata_runtime* rt, strata_transfer* t, const std::string& body) {
  size_t running = 1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!strata_transfer_done(t) && std::chrono::steady_clock::now() < deadline) {
    strata_runtime_run(rt, 100, &running);
  }
  strata_error err = NewError();
  ASSERT_EQ(strata_transfer_result(t, &err), STRATA_OK) << err.message;
  strata_response* resp = strata_transfer_take_response(t);
  ASSERT_NE(resp, nullptr);
  EXPECT_EQ(strata_response_status(resp), 200);
  const uint8_t* data = nullptr;
  size_t len = 0;
  strata_response_body(resp, &data, &len);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data), len), body);
  strata_response_free(resp);
}

TEST_F(Batching, PausedBodyWaitsUnpolledUntilResumed) {
  GatedBody body;
  body.data = BodyPattern();
  RequestPtr req = Request("POST", "/echo");
  ASSERT_EQ(strata_request_set_body_reader(req.get(), static_cast<int64_t>(body.data.size()), &ReadGated, &body),
            STRATA_OK);
  strata_transfer* t = nullptr;
  ASSERT_EQ(strata_submit(rt_.get(), req.get(), nullptr, &t), STRATA_OK);
  // An application that resumes its transfers says so with its first call;
  // resuming a transfer that is not paused does nothing else.
  EXPECT_EQ(strata_transfer_resume(t), STRATA_OK);
  for (int i = 0; i < 200 && body.calls == 0; ++i) RunFor(rt_.get(), 10);
  ASSERT_GE(body.calls, 1) << "the reader was never asked";
  // Let the connection settle (SETTINGS ACK, WINDOW_UPDATE may drive it and
  // ask the paused reader once more; that is allowed), then stay idle.
  RunFor(rt_.get(), 200);
  const int settled = body.calls;
  RunFor(rt_.get(), 400);
  EXPECT_EQ(body.calls, settled) << "a paused reader was polled while nothing happened";
  EXPECT_FALSE(strata_transfer_done(t));
  body.open = true;
  EXPECT_EQ(strata_transfer_resume(t), STRATA_OK);
  ExpectEchoed(rt_.get(), t, body.data);
  EXPECT_EQ(strata_transfer_resume(t), STRATA_E_STATE);
  strata_transfer_free(t);
}

TEST_F(Batching, ApplicationsThatNeverResumeAreAskedAgainLater) {
  // Written before strata_transfer_resume existed: the reader says AGAIN
  // once and expects to be asked again on its own.
  GatedBody body;
  body.data = BodyPattern();
  body.open_after_first = true;
  RequestPtr req = Request("POST", "/echo");
  ASSERT_EQ(strata_request_set_body_reader(req.get(), static_cast<int64_t>(body.data.size()), &ReadGated, &body),
            STRATA_OK);
  strata_transfer* t = nullptr;
  ASSERT_EQ(strata_submit(rt_.get(), req.get(), nullptr, &t), STRATA_OK);
  ExpectEchoed(rt_.get(), t, body.data);
  strata_transfer_free(t);
}

}  // namespace
}  // namespace strata::test
