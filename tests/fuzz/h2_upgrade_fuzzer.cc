// h2_upgrade_fuzzer.cc — the h2-upgrade layer's handling of the server's
// answer to an HTTP/1.1 request carrying "Upgrade: h2c" (plugins/h2_upgrade),
// through its C vtable over the in-memory lower layer of FakeSessionHost.
//
// Input: [flags][server bytes...]
//   flags bit 0: the request is HEAD; bit 1: the server closes after its
//   bytes (else the lower layer just has nothing more).
// The server's bytes are what follows the upgrade request: a 101 (or any
// other answer), then the HTTP/2 server preface and frames.
// Invariants (trap):
//   - the stream gets at most one final callback (end or error), and none
//     after it; the 101 is never delivered as a head;
//   - HTTP/2 (version 20) is only ever reported when the reply's first
//     final head is a 101 carrying "Upgrade: h2c" (HOSTILE 7); a 101
//     without it fails the request and no HTTP/2 preface is sent;
//   - after a declined upgrade (any other final status) the response is
//     HTTP/1.x and the client never sends the HTTP/2 preface;
//   - a HEAD response delivers no body bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "plugins/h1/response_parser.h"
#include "plugins/h2/layer/testing/fake_session_host.h"
#include "plugins/h2_upgrade/upgrade_layer.h"
#include "strata/plugin.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" const strata_plugin_descriptor* strata_plugin_entry(void);

using strata::fuzz::Check;
using strata::fuzz::FuzzInput;
namespace h1 = strata::h1;

namespace {

// kLenient: a 101 whose Upgrade tokens are "h2c" only once control
// whitespace (\v \f \r \n) is stripped as well as SP/HTAB. RFC 9110's
// OWS is SP/HTAB only, so the layer must treat it as a bad 101 (the fuzzer
// found the layer accepting it; regression_upgrade_h2c_formfeed).
enum class Verdict { kH2c, kLenient, kBad101, kDeclined, kUnknown };

std::string_view Strip(std::string_view v, std::string_view chars) {
  while (!v.empty() && chars.find(v.front()) != std::string_view::npos) v.remove_prefix(1);
  while (!v.empty() && chars.find(v.back()) != std::string_view::npos) v.remove_suffix(1);
  return v;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Oracle: what the first final head of the reply says, parsed by h1 in one
// piece with an upgrade requested.
Verdict FirstFinalHead(std::string_view bytes, bool head) {
  h1::RequestContext ctx;
  ctx.upgrade_requested = true;
  ctx.head_request = head;
  h1::ResponseParser parser(ctx);
  size_t pos = 0;
  for (int i = 0; i < 100000; ++i) {
    size_t used = 0;
    absl::StatusOr<h1::ResponseEvent> ev = parser.Parse(bytes.substr(pos), &used);
    if (!ev.ok()) return Verdict::kUnknown;
    pos += used;
    if (*ev == h1::ResponseEvent::kNeedMore) return Verdict::kUnknown;
    if (*ev == h1::ResponseEvent::kHead && !parser.head().informational()) return Verdict::kDeclined;
    if (*ev == h1::ResponseEvent::kHead && parser.head().status == 101) {
      // The Upgrade field(s) must name h2c and nothing else (RFC 9110 §7.8).
      bool found = false, strict = true, lenient = true;
      for (const h1::HeaderField& f : parser.head().fields) {
        if (!EqualsIgnoreCase(f.name, "upgrade")) continue;
        found = true;
        std::string_view v = f.value;
        while (true) {
          size_t comma = v.find(',');
          std::string_view token = v.substr(0, comma);
          strict = strict && EqualsIgnoreCase(Strip(token, " \t"), "h2c");
          lenient = lenient && EqualsIgnoreCase(Strip(token, " \t\n\v\f\r"), "h2c");
          if (comma == std::string_view::npos) break;
          v.remove_prefix(comma + 1);
        }
      }
      if (found && strict) return Verdict::kH2c;
      if (found && lenient) return Verdict::kLenient;
      return Verdict::kBad101;
    }
  }
  return Verdict::kUnknown;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  uint8_t flags = in.U8();
  bool head = flags & 1;
  std::string_view server = in.Rest();

  strata::h2::DeclineMemory::Instance().Clear();
  strata::h2::testing::FakeSessionHost host;
  const strata_plugin_descriptor* desc = strata_plugin_entry();
  Check(desc->init(host.services()) == STRATA_OK);
  const strata_session_layer_vtable* vt = desc->layer_types[0]->session;

  strata_layer_config cfg{};
  cfg.struct_size = sizeof(cfg);
  cfg.layer_name = "h2-upgrade";
  cfg.options_json = "{}";
  cfg.host = "example.com";
  cfg.port = 80;
  cfg.hop = 1;
  void* self = nullptr;
  Check(vt->create(host.ctx(), &cfg, &self) == STRATA_OK);
  int done = 0;
  Check(vt->connect(self, &done) == STRATA_OK && done == 1);

  strata::h2::testing::StreamRecord r;
  strata_request_head h{};
  h.struct_size = sizeof(h);
  h.method = head ? "HEAD" : "GET";
  h.scheme = "http";
  h.authority = "example.com";
  h.path = "/";
  h.flags = STRATA_REQUEST_NO_BODY;
  uint32_t id = 0;
  Check(vt->open_stream(self, &h, &r, &id) == STRATA_OK);
  (void)vt->progress(self);
  const size_t request_end = host.sent.size();
  Check(host.sent.find("Upgrade: h2c\r\n") != std::string::npos);

  host.inbox.assign(server.data(), server.size());
  host.eof = flags & 2;
  for (int i = 0; i < 200 && !r.done(); ++i) {
    strata_status st = vt->progress(self);
    Check(r.final_callbacks <= 1);
    if (st < 0) break;
  }
  Check(r.final_callbacks <= 1);
  for (int status : r.heads) Check(status != 101);
  if (head) Check(r.body.empty());

  bool h2 = false;
  for (int v : r.versions) h2 = h2 || v == 20;
  const bool preface = host.sent.find("PRI * HTTP/2.0", request_end) != std::string::npos;
  Verdict verdict = FirstFinalHead(server, head);
  if (h2 || preface) Check(verdict == Verdict::kH2c);
  if (verdict == Verdict::kBad101) {
    Check(!r.ended);
    Check(r.done() && r.error < 0);
  }
  if (verdict == Verdict::kDeclined) {
    Check(!h2 && !preface);
  }
  vt->destroy(self);
  Check(r.final_callbacks <= 1);
  desc->deinit();
  return 0;
}
