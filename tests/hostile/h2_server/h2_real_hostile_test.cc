// Hostile HTTP/2 servers over real sockets: docs/hostile-peers.md cases 21, 25, 27, 29,
// 31, 33, 34, 36 and 38 against the real runtime and plugins through the
// public C API. The in-memory harness (plugins/h2/engine) proves the
// engine's decisions frame by frame; this suite proves what an application
// sees when the same server behaviour crosses a real TCP connection, the
// event loop, the pool and the runtime's resend and timeout logic.
//
// The server is hostile_h2_server.py on the h2 library (python3-h2), one
// process per test with one scenario. It answers "path=<path>\n" + the
// request body with an x-conn header naming the connection, and counts what
// it saw (arrivals and answers per path, open-stream peaks, flow-control or
// stream-limit violations by the client, the client's GOAWAY code), so each
// test checks both sides: the status and message the application got, and
// that nothing was lost or processed twice.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/support/process.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// No batch of transfers may take longer than this: past it the test fails
// as hung (every transfer also has its own, shorter timeout).
constexpr auto kHang = 30s;
// A flood must end the connection promptly.
constexpr auto kPrompt = 5s;

// HostileH2Server runs the script with one scenario on 127.0.0.1. The script
// binds a port of the kernel's choice itself (no race for a free port) and
// writes it to a file; the destructor stops it, since a server left running
// would keep the test alive.
class HostileH2Server {
 public:
  explicit HostileH2Server(std::string scenario) : scenario_(std::move(scenario)) {}
  ~HostileH2Server() { process_.Stop(2s); }

  bool Start(std::string* error) {
    dir_ = MakeTempDir("h2-hostile-");
    const std::string port_file = dir_ + "/port";
    ProcessOptions o;
    o.argv = {"/usr/bin/python3", RunfilePath("tests/hostile/h2_server/hostile_h2_server.py"), scenario_,
              "--port-file", port_file, "--stats", StatsPath()};
    if (!process_.Start(o, error)) return false;
    for (auto deadline = Clock::now() + 15s; Clock::now() < deadline;) {
      const std::string text = ReadFileIfExists(port_file);
      if (!text.empty() && text.back() == '\n') {
        port_ = static_cast<uint16_t>(std::stoi(text));
        return true;
      }
      if (!process_.Running()) break;
      std::this_thread::sleep_for(10ms);
    }
    *error = "hostile_h2_server.py " + scenario_ + " did not start: " + process_.Stderr();
    return false;
  }

  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  // Stat is a counter of the server's, 0 when it never set it.
  int64_t Stat(const std::string& key) const {
    std::istringstream in(ReadFileIfExists(StatsPath()));
    std::string line;
    while (std::getline(in, line)) {
      const size_t space = line.rfind(' ');
      if (space != std::string::npos && line.compare(0, space, key) == 0 && space == key.size()) {
        return std::stoll(line.substr(space + 1));
      }
    }
    return 0;
  }

  // WaitForStat waits until Stat(key) is non-zero, for counts the server
  // records after the client's result is known (its GOAWAY, its close).
  int64_t WaitForStat(const std::string& key, milliseconds timeout = 3s) const {
    for (auto deadline = Clock::now() + timeout; Clock::now() < deadline; std::this_thread::sleep_for(10ms)) {
      if (int64_t v = Stat(key)) return v;
    }
    return Stat(key);
  }

  // Log is for failure messages: the server's complaints and counters.
  std::string Log() const {
    return "--- server stderr:\n" + process_.Stderr() + "--- server stats:\n" + ReadFileIfExists(StatsPath());
  }

 private:
  std::string StatsPath() const { return dir_ + "/stats"; }

  std::string scenario_;
  std::string dir_;
  uint16_t port_ = 0;
  Process process_;
};

// Outcome is one finished transfer as the application sees it.
struct Outcome {
  strata_status status = STRATA_E_INTERNAL;
  strata_error error = NewError();
  ResponsePtr response;
  milliseconds elapsed{0};  // from submission to completion

  int http_status() const { return response ? strata_response_status(response.get()) : 0; }
  std::string body() const {
    if (!response) return "";
    const uint8_t* data = nullptr;
    size_t len = 0;
    strata_response_body(response.get(), &data, &len);
    return std::string(reinterpret_cast<const char*>(data), len);
  }
  std::string header(const char* name) const {
    const char* v = response ? strata_response_header_get(response.get(), name) : nullptr;
    return v ? v : "";
  }
  std::string Describe() const {
    return std::string(strata_status_name(status)) + " [" + error.layer + "] " + error.message + " after " +
           std::to_string(elapsed.count()) + " ms";
  }
};

// PeakRssMeter measures how far this process's resident set rises while it
// lives. It resets the kernel's high-water mark (clear_refs "5") so an
// earlier test's peak cannot hide this one's; -1 where that is not allowed.
class PeakRssMeter {
 public:
  PeakRssMeter() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.close();
    ok_ = static_cast<bool>(clear);
    base_kib_ = StatusKib("VmRSS:");
  }
  int64_t GrowthKib() const { return ok_ ? StatusKib("VmHWM:") - base_kib_ : -1; }

 private:
  static int64_t StatusKib(const std::string& field) {
    std::istringstream in(ReadFileIfExists("/proc/self/status"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind(field, 0) == 0) return std::stoll(line.substr(field.size()));
    }
    return 0;
  }
  bool ok_ = false;
  int64_t base_kib_ = 0;
};

// A deterministic body per seed, so a misplaced or repeated range shows.
std::string Pattern(size_t size, uint32_t seed) {
  std::string s(size, '\0');
  uint32_t x = seed;
  for (char& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>('a' + (x >> 24) % 26);
  }
  return s;
}

class H2RealHostileTest : public ::testing::Test {
 protected:
  void SetUp() override { UseRuntime(""); }

  // UseRuntime replaces the runtime with one whose configuration also has
  // |extra| (top-level members, e.g. "\"pool\": {...}, ").
  void UseRuntime(const std::string& extra) {
    const std::string config =
        "{" + extra + "\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
        " \"plugins\": [\"tcp\", \"h2-alpn\"],"
        " \"pipelines\": {\"http+h2-prior\": [\"tcp\", {\"layer\": \"h2-alpn\", \"options\": {\"prior_knowledge\": true}}]},"
        " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000, \"idle_ms\": 10000, \"total_ms\": 30000}}";
    RuntimeResult rt = MakeRuntime(config);
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
  }

  // The server goes first: strata's connections to it close with the runtime.
  void TearDown() override {
    server_.reset();
    runtime_.reset();
  }

  void StartServer(const std::string& scenario) {
    server_ = std::make_unique<HostileH2Server>(scenario);
    std::string error;
    ASSERT_TRUE(server_->Start(&error)) << error;
  }

  // Spec: a request over HTTP/2 with prior knowledge, with a whole-transfer
  // timeout so nothing can hang.
  FetchSpec Spec(const std::string& path, const std::string& method = "GET", const std::string& body = "") {
    FetchSpec spec;
    spec.method = method;
    spec.url = server_->Url(path);
    spec.has_body = method == "POST";
    spec.body = body;
    spec.string_options.push_back({STRATA_OPT_PIPELINE, "http+h2-prior"});
    spec.int_options.push_back({STRATA_OPT_TIMEOUT_MS, 20000});
    return spec;
  }

  // RunAll submits every spec at once and runs the runtime until all are
  // done (failing the test as hung after kHang).
  std::vector<Outcome> RunAll(const std::vector<FetchSpec>& specs) {
    std::vector<Outcome> out(specs.size());
    std::vector<strata_transfer*> transfers;
    const auto start = Clock::now();
    for (size_t i = 0; i < specs.size(); ++i) {
      strata_status st = STRATA_OK;
      RequestPtr request = PrepareRequest(specs[i], &st);
      strata_transfer* t = nullptr;
      if (!request || strata_submit(runtime_.get(), request.get(), reinterpret_cast<void*>(i), &t) != STRATA_OK) {
        ADD_FAILURE() << "could not submit " << specs[i].url;
        continue;
      }
      transfers.push_back(t);
    }
    size_t running = transfers.size();
    while (running > 0 && Clock::now() - start < kHang) {
      if (strata_runtime_run(runtime_.get(), 50, &running) != STRATA_OK) break;
      while (strata_transfer* t = strata_runtime_next_done(runtime_.get())) {
        out[reinterpret_cast<size_t>(strata_transfer_user(t))].elapsed =
            std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      }
    }
    EXPECT_EQ(running, 0u) << "transfers still running after " << kHang.count() << " s\n" << server_->Log();
    for (strata_transfer* t : transfers) {
      Outcome& o = out[reinterpret_cast<size_t>(strata_transfer_user(t))];
      o.status = strata_transfer_result(t, &o.error);
      if (o.status == STRATA_OK) o.response.reset(strata_transfer_take_response(t));
      strata_transfer_free(t);
    }
    return out;
  }

  Outcome RunOne(const FetchSpec& spec) { return std::move(RunAll({spec})[0]); }

  // ExpectServed: a 200 whose body shows the server saw exactly this path
  // and request body.
  static void ExpectServed(const Outcome& o, const std::string& path, const std::string& body = "") {
    ASSERT_EQ(o.status, STRATA_OK) << path << ": " << o.Describe();
    EXPECT_EQ(o.http_status(), 200) << path;
    EXPECT_EQ(o.body(), "path=" + path + "\n" + body) << path;
  }

  // ExpectFailed: the status, the layer that explains it, and a message
  // naming that layer and the reason.
  void ExpectFailed(const Outcome& o, strata_status status, const std::string& layer, const std::string& reason) {
    EXPECT_EQ(o.status, status) << o.Describe() << "\n" << server_->Log();
    EXPECT_EQ(o.response, nullptr);
    EXPECT_EQ(std::string(o.error.layer), layer) << o.Describe();
    const std::string message = o.error.message;
    EXPECT_NE(message.find(layer), std::string::npos) << "the message should name the layer: " << message;
    EXPECT_NE(message.find(reason), std::string::npos) << "the message should say \"" << reason << "\": " << message;
  }

  std::unique_ptr<HostileH2Server> server_;
  RuntimePtr runtime_;
};

// The layer type of the HTTP/2 session in the http+h2-prior pipeline, which
// errors from the HTTP/2 session name.
const char kH2Layer[] = "h2-alpn";

// ---- 27: GOAWAY mid-flight ------------------------------------------------

// Ten requests (GETs and POSTs) on one connection; the server sends
// GOAWAY(last-stream-id 9) with all ten open, answers streams 1-9 and closes.
// Streams 11-19 were never processed: the runtime sends them again on one
// new connection, even the POSTs (RFC 9113 §8.7). Every request completes
// exactly once, with its own body.
TEST_F(H2RealHostileTest, Case27_GoawayMidFlightResendsOnlyTheStreamsAboveLastStreamId) {
  ASSERT_NO_FATAL_FAILURE(StartServer("goaway"));
  std::vector<FetchSpec> specs;
  for (int i = 0; i < 10; ++i) {
    const std::string path = "/g/" + std::to_string(i);
    specs.push_back(i % 2 ? Spec(path, "POST", "post-" + std::to_string(i)) : Spec(path));
  }
  std::vector<Outcome> out = RunAll(specs);
  int on_first = 0;
  for (int i = 0; i < 10; ++i) {
    const std::string path = "/g/" + std::to_string(i);
    ExpectServed(out[i], path, i % 2 ? "post-" + std::to_string(i) : "");
    EXPECT_EQ(server_->Stat("served " + path), 1) << path << " processed more than once\n" << server_->Log();
    if (out[i].header("x-conn") == "0") ++on_first;
  }
  EXPECT_EQ(server_->Stat("goaway_last_stream_id"), 9) << server_->Log();
  EXPECT_EQ(on_first, 5) << "streams 1-9 finish on the first connection, 11-19 on new ones";
  // Five requests arrived twice (refused by the GOAWAY, then resent), none
  // a third time.
  EXPECT_EQ(server_->Stat("arrived_total"), 15) << server_->Log();
  // The five resent requests share one new connection: a GOAWAY that
  // leaves many streams unprocessed must not open a connection for each.
  EXPECT_EQ(server_->Stat("connections"), 2) << server_->Log();
  EXPECT_EQ(server_->Stat("violations"), 0) << server_->Log();
}

// ---- 29: REFUSED_STREAM ---------------------------------------------------

// Each request's first arrival is refused; the runtime sends it again on a
// fresh connection, where it succeeds.
TEST_F(H2RealHostileTest, Case29_RefusedStreamIsResentOnAFreshConnectionAndSucceeds) {
  ASSERT_NO_FATAL_FAILURE(StartServer("refuse_first"));
  std::vector<Outcome> out = RunAll({Spec("/r/0"), Spec("/r/1", "POST", "refused body"), Spec("/r/2")});
  for (int i = 0; i < 3; ++i) {
    const std::string path = "/r/" + std::to_string(i);
    ExpectServed(out[i], path, i == 1 ? "refused body" : "");
    EXPECT_EQ(server_->Stat("arrived " + path), 2) << path << "\n" << server_->Log();
    EXPECT_EQ(server_->Stat("served " + path), 1) << path;
    EXPECT_NE(server_->Stat("served_conn " + path), server_->Stat("refused_conn " + path))
        << path << " was resent on the connection that refused it";
  }
}

// The same under a limit of one connection: the refused requests may not
// go back on the connection that refused them, and that connection is the
// only one allowed, idle once they are refused. It is closed to make room
// (as curl closes an idle connection at its limit) instead of every
// resend waiting for it until the transfer's timeout.
TEST_F(H2RealHostileTest, Case29_RefusedStreamsAreResentUnderAOneConnectionLimit) {
  ASSERT_NO_FATAL_FAILURE(UseRuntime("\"pool\": {\"max_connections_per_origin\": 1}, "));
  ASSERT_NO_FATAL_FAILURE(StartServer("refuse_first"));
  std::vector<Outcome> out = RunAll({Spec("/r/0"), Spec("/r/1", "POST", "refused body"), Spec("/r/2")});
  for (int i = 0; i < 3; ++i) {
    const std::string path = "/r/" + std::to_string(i);
    ExpectServed(out[i], path, i == 1 ? "refused body" : "");
    EXPECT_LT(out[i].elapsed.count(), 5000) << path << " waited for a connection that would never be released";
    EXPECT_NE(server_->Stat("served_conn " + path), server_->Stat("refused_conn " + path)) << path;
  }
}

// A server that refuses everything: a bounded number of attempts, then
// STRATA_E_NOT_PROCESSED from the HTTP/2 layer saying why.
TEST_F(H2RealHostileTest, Case29_AlwaysRefusedEndsWithNotProcessedAfterBoundedAttempts) {
  ASSERT_NO_FATAL_FAILURE(StartServer("refuse_all"));
  Outcome o = RunOne(Spec("/always-refused"));
  ExpectFailed(o, STRATA_E_NOT_PROCESSED, kH2Layer, "REFUSED_STREAM");
  const int64_t attempts = server_->Stat("arrived /always-refused");
  EXPECT_GE(attempts, 2) << "REFUSED_STREAM is safe to retry";
  EXPECT_LE(attempts, 20) << "retries must be bounded";
  EXPECT_LT(o.elapsed, 10s) << o.Describe();
}

// RST_STREAM(PROTOCOL_ERROR) is not "not processed": no resend.
TEST_F(H2RealHostileTest, Case29_ProtocolErrorResetIsNotResent) {
  ASSERT_NO_FATAL_FAILURE(StartServer("reset_protocol_error"));
  Outcome o = RunOne(Spec("/protocol-error", "POST", "once"));
  ExpectFailed(o, STRATA_E_STREAM_RESET, kH2Layer, "PROTOCOL_ERROR");
  EXPECT_EQ(server_->Stat("arrived /protocol-error"), 1) << server_->Log();
}

// ---- 25: MAX_CONCURRENT_STREAMS lowered mid-flight ------------------------

// 24 requests at once against a limit of 8, lowered to 0 while streams are
// open, held at 0, then raised to 2. The server checks every new stream
// against the limit in force; all requests complete, each once.
TEST_F(H2RealHostileTest, Case25_MaxConcurrentStreamsLoweredToZeroThenTwo) {
  ASSERT_NO_FATAL_FAILURE(StartServer("max_streams_lowered"));
  std::vector<FetchSpec> specs;
  for (int i = 0; i < 24; ++i) specs.push_back(Spec("/m/" + std::to_string(i)));
  std::vector<Outcome> out = RunAll(specs);
  for (int i = 0; i < 24; ++i) {
    const std::string path = "/m/" + std::to_string(i);
    ExpectServed(out[i], path);
    EXPECT_EQ(server_->Stat("arrived " + path), 1) << path;
  }
  EXPECT_EQ(server_->Stat("violations"), 0) << server_->Log();
  EXPECT_GE(server_->Stat("open_when_zero_acked"), 1) << "the limit must drop mid-flight\n" << server_->Log();
  EXPECT_EQ(server_->Stat("arrived_while_zero"), 0) << server_->Log();
  EXPECT_EQ(server_->Stat("raised"), 1) << server_->Log();
  EXPECT_LE(server_->Stat("peak_open_after_raise"), 2) << server_->Log();
}

// ---- 21: SETTINGS_INITIAL_WINDOW_SIZE lowered mid-flight ------------------

// Four 192 KiB uploads; after the first DATA the server lowers the initial
// window from 65,535 to 2,048, which drives the open streams' send windows
// negative (legal: the client must wait, not fail). The h2 library rejects
// any DATA beyond a window; every upload arrives whole and is echoed back.
TEST_F(H2RealHostileTest, Case21_InitialWindowSizeLoweredMidFlight) {
  ASSERT_NO_FATAL_FAILURE(StartServer("window_lowered"));
  std::vector<FetchSpec> specs;
  std::vector<std::string> bodies;
  for (int i = 0; i < 4; ++i) {
    bodies.push_back(Pattern(192 << 10, 100 + i));
    specs.push_back(Spec("/w/" + std::to_string(i), "POST", bodies.back()));
  }
  std::vector<Outcome> out = RunAll(specs);
  for (int i = 0; i < 4; ++i) {
    const std::string path = "/w/" + std::to_string(i);
    ExpectServed(out[i], path, bodies[i]);
    EXPECT_EQ(server_->Stat("served " + path), 1) << path;
  }
  EXPECT_EQ(server_->Stat("violations"), 0) << server_->Log();
  EXPECT_GE(server_->Stat("uploads_open_at_ack"), 1) << "the window must drop mid-flight\n" << server_->Log();
  EXPECT_GT(server_->Stat("bytes_after_ack"), 0) << server_->Log();
}

// ---- 38: stalls -----------------------------------------------------------

// The server never returns flow-control credit for a 1 MiB upload: the
// client sends what the 65,535-byte window allows, then stalls, and the
// transfer ends with the configured idle timeout instead of hanging.
TEST_F(H2RealHostileTest, Case38_StalledWindowEndsWithTheIdleTimeout) {
  ASSERT_NO_FATAL_FAILURE(StartServer("window_stalled"));
  FetchSpec spec = Spec("/stall", "POST", Pattern(1 << 20, 7));
  spec.int_options.push_back({STRATA_OPT_IDLE_TIMEOUT_MS, 1500});
  Outcome o = RunOne(spec);
  ExpectFailed(o, STRATA_E_TIMEOUT, "runtime", "no data for 1500 ms");
  EXPECT_GE(o.elapsed, 1500ms);
  EXPECT_LT(o.elapsed, 1500ms + kPrompt) << o.Describe();
  const int64_t received = server_->Stat("body_bytes /stall");
  EXPECT_GT(received, 0);
  EXPECT_LE(received, 65535) << "the client overran the flow-control window";
}

// The server grants the largest windows and then stops reading the socket
// while the client uploads 32 MiB: TCP backs up, and the transfer ends with
// the idle timeout.
TEST_F(H2RealHostileTest, Case38_ServerThatStopsReadingEndsWithTheIdleTimeout) {
  ASSERT_NO_FATAL_FAILURE(StartServer("stop_reading"));
  FetchSpec spec = Spec("/upload", "POST", Pattern(32 << 20, 9));
  spec.int_options.push_back({STRATA_OPT_IDLE_TIMEOUT_MS, 1500});
  Outcome o = RunOne(spec);
  ExpectFailed(o, STRATA_E_TIMEOUT, "runtime", "no data for 1500 ms");
  EXPECT_LT(o.elapsed, 1500ms + kPrompt) << o.Describe();
  EXPECT_EQ(server_->Stat("stopped_reading"), 1) << server_->Log();
}

// ---- 31, 33, 34, 36: floods -----------------------------------------------

// ExpectFloodStopped: the client, not the server's time limit, ended the
// flooding connection, in bounded memory.
void ExpectFloodStopped(const HostileH2Server& server, const PeakRssMeter& rss) {
  EXPECT_EQ(server.WaitForStat("flood_stopped_by_client"), 1) << "the flooding connection stays open\n"
                                                              << server.Log();
  const int64_t growth = rss.GrowthKib();
  if (growth >= 0) {
    EXPECT_LT(growth, 64 << 10) << "resident set grew by " << growth << " KiB during the flood";
  }
}

// HEADERS without END_HEADERS, then CONTINUATION frames without end
// (CVE-2024-28182): the client stops after its cap with ENHANCE_YOUR_CALM.
TEST_F(H2RealHostileTest, Case31_ContinuationFloodEndsTheConnection) {
  ASSERT_NO_FATAL_FAILURE(StartServer("continuation_flood"));
  PeakRssMeter rss;
  Outcome o = RunOne(Spec("/flood"));
  ExpectFailed(o, STRATA_E_LIMIT, kH2Layer, "CONTINUATION");
  EXPECT_LT(o.elapsed, kPrompt) << o.Describe();
  EXPECT_EQ(server_->WaitForStat("client_goaway"), 11) << "GOAWAY(ENHANCE_YOUR_CALM) expected\n" << server_->Log();
  ExpectFloodStopped(*server_, rss);
}

// PINGs without end from a server that never reads the ACKs
// (CVE-2019-9512): the ACKs queue up behind the full socket until the cap.
TEST_F(H2RealHostileTest, Case34_PingFloodFromAServerThatNeverReadsEndsTheConnection) {
  ASSERT_NO_FATAL_FAILURE(StartServer("ping_flood"));
  PeakRssMeter rss;
  Outcome o = RunOne(Spec("/flood"));
  ExpectFailed(o, STRATA_E_LIMIT, kH2Layer, "ACK/RST frames queued");
  EXPECT_LT(o.elapsed, kPrompt) << o.Describe();
  ExpectFloodStopped(*server_, rss);
}

// The same with SETTINGS frames (CVE-2019-9515).
TEST_F(H2RealHostileTest, Case33_SettingsFloodFromAServerThatNeverReadsEndsTheConnection) {
  ASSERT_NO_FATAL_FAILURE(StartServer("settings_flood"));
  PeakRssMeter rss;
  Outcome o = RunOne(Spec("/flood"));
  ExpectFailed(o, STRATA_E_LIMIT, kH2Layer, "ACK/RST frames queued");
  EXPECT_LT(o.elapsed, kPrompt) << o.Describe();
  ExpectFloodStopped(*server_, rss);
}

// One SETTINGS frame with 40 entries (CVE-2020-11080).
TEST_F(H2RealHostileTest, Case33_HugeSettingsFrameEndsTheConnection) {
  ASSERT_NO_FATAL_FAILURE(StartServer("huge_settings"));
  Outcome o = RunOne(Spec("/huge"));
  ExpectFailed(o, STRATA_E_LIMIT, kH2Layer, "SETTINGS with 40 entries");
  EXPECT_LT(o.elapsed, kPrompt) << o.Describe();
  EXPECT_EQ(server_->WaitForStat("client_goaway"), 11) << "GOAWAY(ENHANCE_YOUR_CALM) expected\n" << server_->Log();
}

// The server resets the first stream (CANCEL), then answers the next
// request on the same connection with RST_STREAM frames for that closed
// stream, without end. Frames on closed streams are glitches (the engine's
// budget: burst 10,000); the client must end the connection with
// ENHANCE_YOUR_CALM instead of processing the flood until the transfer's
// own timeout.
TEST_F(H2RealHostileTest, Case36_RstStreamFloodOnAClosedStreamEndsTheConnection) {
  ASSERT_NO_FATAL_FAILURE(StartServer("rst_flood"));
  Outcome first = RunOne(Spec("/reset"));
  ExpectFailed(first, STRATA_E_STREAM_RESET, kH2Layer, "CANCEL");
  PeakRssMeter rss;
  Outcome o = RunOne(Spec("/flood"));
  EXPECT_EQ(server_->Stat("connections"), 1) << "the second request must reuse the connection";
  ExpectFailed(o, STRATA_E_LIMIT, kH2Layer, "too many useless frames");
  EXPECT_LT(o.elapsed, kPrompt) << o.Describe();
  ExpectFloodStopped(*server_, rss);
}

}  // namespace
}  // namespace strata::test
