#include "tests/integration/fault/fault_matrix.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

int g_seed_count = 0;  // 0: the fixed list

enum class Expect {
  kSuccess,         // the exact body
  kFailFault,       // the fault layer reports it
  kFailAbove,       // a layer above the fault reports it
  kFailTimeout,     // the transfer's timeout ends it
  kDamaged,         // body bytes flipped: a failure above, or (plaintext only) the damaged body
  kAny,             // seeded: success (exact, or damage as stated) or a failure by fault/above/runtime
};

struct Cell {
  std::string fault;   // the fault layer's options (JSON)
  Expect expect;
  strata_status status = STRATA_OK;  // for kFail*: the status, 0 = any
  int64_t timeout_ms = 0;            // STRATA_OPT_TIMEOUT_MS, 0 = the config's
  uint64_t min_elapsed_ms = 0;       // a success took at least this long
};

std::vector<std::string> ChainNames(const std::string& chain) {
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos < chain.size()) {
    size_t arrow = chain.find(" \xe2\x86\x92 ", pos);  // " → "
    std::string part = chain.substr(pos, arrow == std::string::npos ? std::string::npos : arrow - pos);
    names.push_back(part.substr(0, part.find('(')));
    if (arrow == std::string::npos) break;
    pos = arrow + 5;
  }
  return names;
}

// FlippedInOneRange: |got| is |want| with some bytes of one range of at
// most |max_len| bytes XORed with 0xff, and nothing else changed.
bool FlippedInOneRange(const std::string& got, const std::string& want, size_t max_len) {
  if (got.size() != want.size() || got == want) return false;
  size_t first = std::string::npos, last = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] == want[i]) continue;
    if (static_cast<uint8_t>(got[i]) != static_cast<uint8_t>(want[i] ^ 0xff)) return false;
    if (first == std::string::npos) first = i;
    last = i;
  }
  return last - first < max_len;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<Cell> Cells(const Route& route) {
  std::vector<Cell> cells = {
      {R"({"chunk": 1})", Expect::kSuccess},
      {R"({"read_delay_ms": 20, "jitter_ms": 10, "seed": 7})", Expect::kSuccess, 0, 0, 20},
      {R"({"write_delay_ms": 15, "connect_delay_ms": 15})", Expect::kSuccess, 0, 0, 30},
      // 25000 bytes at once, then 250 kB/s: at least 0.1 s for the body.
      {R"({"rate_in": 250000, "rate_out": 250000})", Expect::kSuccess, 0, 0, 80},
      {R"({"close_after_in": 20000})", Expect::kFailAbove},
      {R"({"reset_after_in": 20000})", Expect::kFailFault, STRATA_E_CLOSED},
      {R"({"stall_after_in": 20000})", Expect::kFailTimeout, STRATA_E_TIMEOUT, 1500},
      {R"({"refuse": "ECONNREFUSED"})", Expect::kFailFault, STRATA_E_CONNECT},
      {R"({"corrupt_in": ")" + route.corrupt_detectable + R"("})", Expect::kFailAbove},
      // Inside the body: TLS catches it; cleartext HTTP cannot.
      {R"({"corrupt_in": "30000:4"})", Expect::kDamaged},
  };
  for (uint64_t seed : Seeds()) {
    const std::string s = std::to_string(seed);
    cells.push_back({R"({"seed": )" + s + R"(, "chunk": "random", "close_after_in": "random"})", Expect::kAny,
                     0, 3000});
    cells.push_back({R"({"seed": )" + s + R"(, "corrupt_in": "random"})", Expect::kAny, 0, 3000});
    cells.push_back({R"({"seed": )" + s + R"(, "reset_after_in": "random", "read_delay_ms": 1})", Expect::kAny,
                     0, 3000});
    cells.push_back({R"({"seed": )" + s + R"(, "stall_after_in": "random", "rate_in": "random"})", Expect::kAny,
                     0, 1500});
  }
  return cells;
}

// RunCell returns the outcome for the route's tally: "ok" or the failing
// layer.
std::string RunCell(const Route& route, const Cell& cell, const std::string& expected_body) {
  SCOPED_TRACE("route " + route.name + ", fault " + cell.fault);
  RuntimeResult rt = MakeRuntime(route.config);
  EXPECT_EQ(rt.status, STRATA_OK) << rt.error.message;
  if (rt.status != STRATA_OK) return "no runtime";
  FetchSpec spec;
  spec.url = route.url;
  if (route.http_version) spec.int_options.push_back({STRATA_OPT_HTTP_VERSION, route.http_version});
  if (cell.timeout_ms) spec.int_options.push_back({STRATA_OPT_TIMEOUT_MS, cell.timeout_ms});
  if (!route.pipeline.empty()) spec.string_options.push_back({STRATA_OPT_PIPELINE, route.pipeline});
  if (!route.proxy.empty()) spec.string_options.push_back({STRATA_OPT_PROXY, route.proxy});
  if (route.insert_above_bottom) spec.string_options.push_back({STRATA_OPT_LAYER_ABOVE_BOTTOM, "fault"});
  spec.string_options.push_back({STRATA_OPT_LAYER_OPTIONS, R"({"fault": )" + cell.fault + "}"});

  const auto start = std::chrono::steady_clock::now();
  FetchResult r = Fetch(rt.runtime.get(), spec);
  const auto elapsed_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  // No cell hangs: the slowest is a stall ended by its 1.5 s timeout.
  EXPECT_LT(elapsed_ms, 10000) << r.Describe();

  const std::string error_layer = r.error.layer;
  const std::string message = r.error.message;
  if (r.status == STRATA_OK) {
    const std::string body = r.body();
    EXPECT_EQ(r.http_status(), 200);
    const bool exact = body == expected_body;
    const bool stated_damage = (cell.expect == Expect::kAny || cell.expect == Expect::kDamaged) &&
                               route.plaintext_http &&
                               cell.fault.find("corrupt_in") != std::string::npos &&
                               FlippedInOneRange(body, expected_body, 16);
    EXPECT_TRUE(exact || stated_damage) << "success with a wrong body: " << body.size() << " bytes, expected "
                                        << expected_body.size();
    EXPECT_TRUE(cell.expect == Expect::kSuccess || cell.expect == Expect::kAny ||
                (cell.expect == Expect::kDamaged && route.plaintext_http))
        << "expected a failure, got a success";
    if (cell.expect == Expect::kDamaged) {
      EXPECT_FALSE(exact) << "the damage did not reach the body";
    }
    std::vector<std::string> names = ChainNames(Chain(r));
    EXPECT_EQ(names, route.chain) << Chain(r);
    EXPECT_GE(static_cast<uint64_t>(elapsed_ms), cell.min_elapsed_ms);
    return exact ? "ok" : "ok-damaged";
  }
  // A failure: hop 1, a layer that may rightly report it, a message.
  EXPECT_EQ(r.error.hop, 1) << r.Describe();
  EXPECT_NE(message.find("(hop 1, "), std::string::npos) << r.Describe();
  EXPECT_EQ(message.rfind(error_layer + ": ", 0), 0u) << r.Describe();
  if (cell.status) {
    EXPECT_EQ(r.status, cell.status) << r.Describe();
  }
  switch (cell.expect) {
    case Expect::kSuccess:
      ADD_FAILURE() << "expected success: " << r.Describe();
      break;
    case Expect::kFailFault:
      EXPECT_EQ(error_layer, route.fault_label) << r.Describe();
      EXPECT_NE(message.find("injected by the fault layer"), std::string::npos) << r.Describe();
      break;
    case Expect::kFailAbove:
    case Expect::kDamaged:
      EXPECT_TRUE(Contains(route.above, error_layer)) << "layer " << error_layer << " is not one of "
                                                      << Join(route.above) << ": " << r.Describe();
      break;
    case Expect::kFailTimeout:
      EXPECT_EQ(error_layer, "runtime") << r.Describe();
      EXPECT_NE(message.find("timed out"), std::string::npos) << r.Describe();
      break;
    case Expect::kAny:
      if (r.status == STRATA_E_TIMEOUT) {
        EXPECT_EQ(error_layer, "runtime") << r.Describe();
      } else if (r.status == STRATA_E_CLOSED && error_layer == route.fault_label) {
        EXPECT_NE(message.find("reset_after_in"), std::string::npos) << r.Describe();
      } else {
        EXPECT_TRUE(Contains(route.above, error_layer)) << "layer " << error_layer << " is not one of "
                                                        << Join(route.above) << ": " << r.Describe();
      }
      break;
  }
  return std::string(strata_status_name(r.status)) + "@" + error_layer;
}

}  // namespace

void SetSeedCount(int n) { g_seed_count = n; }

std::vector<uint64_t> Seeds() {
  int n = g_seed_count;
  if (n == 0) {
    if (const char* env = std::getenv("STRATA_FAULT_SEEDS")) n = std::atoi(env);
  }
  if (n <= 0) return {1, 2, 3};
  std::vector<uint64_t> seeds;
  for (int i = 1; i <= n; ++i) seeds.push_back(static_cast<uint64_t>(i));
  return seeds;
}

std::string MatrixBody(size_t size) {
  std::string body;
  body.reserve(size);
  uint32_t x = 12345;
  for (size_t i = 0; i < size; ++i) {
    x = x * 1103515245u + 12345u;
    body.push_back(static_cast<char>('!' + (x >> 16) % 90));
    if (i % 64 == 63) body.back() = '\n';
  }
  return body;
}

void RunMatrix(const Route& route, const std::string& expected_body) {
  std::map<std::string, int> tally;
  std::vector<Cell> cells = Cells(route);
  for (const Cell& cell : cells) ++tally[RunCell(route, cell, expected_body)];
  std::ostringstream line;
  line << "route " << route.name << ": " << cells.size() << " cells:";
  for (const auto& [outcome, n] : tally) line << " " << outcome << "=" << n;
  std::cout << line.str() << std::endl;
}

std::string JsonQuote(const std::string& s) { return JsonString(s); }

}  // namespace strata::test
