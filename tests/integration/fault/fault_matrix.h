// fault_matrix.h — the fault matrix (issue 17): every route (a real peer
// and where the fault layer sits in the chain) meets every fault, and each
// cell must end in one of two ways:
//   - success with exactly the body the peer serves (for the faults that
//     are harmless: 1-byte pieces, delays, a rate cap), or
//   - a failure whose error names hop 1 and a layer that may rightly report
//     it: the fault layer itself for what it injects (reset, refuse), the
//     runtime for a stall (the request timeout), a layer above the fault
//     for what it only sees (an early end, damaged bytes).
// A success with a wrong body fails the cell, with one exception stated in
// the cell: damage to plaintext HTTP bytes (no TLS between the fault and
// the session) that HTTP cannot detect; then the body must differ from the
// served one exactly by the flipped bytes of one small range, which proves
// the damage was the fault's and nothing else went wrong.
//
// Seeded cells draw their fault with "random" values from a seed; the CI
// runs FixedSeeds(), `--seeds N` on the test's command line (or
// STRATA_FAULT_SEEDS=N) runs seeds 1..N for a soak.
#ifndef STRATA_TESTS_INTEGRATION_FAULT_FAULT_MATRIX_H_
#define STRATA_TESTS_INTEGRATION_FAULT_FAULT_MATRIX_H_

#include <cstdint>
#include <string>
#include <vector>

namespace strata::test {

// Route: one peer and one position of the fault layer.
struct Route {
  std::string name;       // "tls-h2/above-tls", for messages
  std::string config;     // the runtime configuration (JSON)
  std::string url;
  int64_t http_version = 0;      // STRATA_HTTP_VERSION_*; 0: default
  std::string pipeline;          // forced template, "" for none
  std::string proxy;             // proxy URL, "" for none
  bool insert_above_bottom = false;  // STRATA_OPT_LAYER_ABOVE_BOTTOM "fault"
  // The layer names of a successful chain, bottom first (checked in order).
  std::vector<std::string> chain;
  // How errors name the fault layer: "fault", or "proxy:fault" below a
  // tunnel (the host labels the proxy's leg so).
  std::string fault_label = "fault";
  // Layers above the fault: the ones that may report what it did.
  std::vector<std::string> above;
  // HTTP bytes cross the fault in plaintext (no TLS above it).
  bool plaintext_http = false;
  // corrupt_in range that hits bytes the layers above must reject (a TLS
  // record, an h2 frame header, the h1 status line, a CONNECT reply).
  std::string corrupt_detectable;
};

// FixedSeeds is the CI's seed list, or 1..N when --seeds N /
// STRATA_FAULT_SEEDS=N asked for more.
std::vector<uint64_t> Seeds();
void SetSeedCount(int n);

// The served body: |size| bytes that differ along the way.
std::string MatrixBody(size_t size);
inline constexpr size_t kMatrixBodySize = 50000;

// RunMatrix runs every cell of |route| and reports each failing cell as a
// gtest failure naming the route and the fault.
void RunMatrix(const Route& route, const std::string& expected_body);

// JsonQuote quotes a path for a configuration.
std::string JsonQuote(const std::string& s);

}  // namespace strata::test

#endif  // STRATA_TESTS_INTEGRATION_FAULT_FAULT_MATRIX_H_
