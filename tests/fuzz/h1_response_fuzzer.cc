// h1_response_fuzzer.cc — plugins/h1 ResponseParser, incremental.
//
// Input: [flags][k][k split offsets, 2 bytes each][response bytes...]
//   flags bit 0 HEAD request, bit 1 CONNECT request, bit 2 Upgrade requested,
//   bit 3 small limits (to reach every limit), bit 4 end of stream after
//   the bytes (ParseEof).
// The response is parsed three ways: in one piece, split at the input's
// offsets, and one byte at a time (inputs up to 4 KiB). Invariants (trap):
//   - the three transcripts are identical: heads (version, status, reason,
//     every field), body bytes, end and trailers, the offset where the
//     message ended (what follows belongs to the tunnel/next message), the
//     error code, framing, content length, reusability, upgrade;
//   - Parse's contract: kNeedMore consumes the whole piece; consumed never
//     exceeds the piece; every call makes progress; data() points into the
//     piece just given and is non-empty;
//   - body_bytes() equals the bytes reported; a Content-Length message that
//     ended carried exactly that many; bodiless framings carry none; a 2xx
//     to CONNECT ends at its head.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/h1/response_parser.h"
#include "tests/fuzz/fuzz_input.h"

using strata::fuzz::Check;
using strata::fuzz::FuzzInput;
namespace h1 = strata::h1;

namespace {

struct Result {
  std::string transcript;
  std::string body;
  bool done = false;
  size_t end_offset = 0;  // absolute offset just after the message
  int error = 0;          // absl::StatusCode, 0 = none
  h1::BodyFraming framing = h1::BodyFraming::kUnknown;
  bool has_cl = false;
  uint64_t cl = 0;
  bool reusable = true;
  bool upgraded = false;
  std::string eof;  // what ParseEof said
};

void AppendFields(const std::vector<h1::HeaderField>& fields, std::string* out) {
  for (const h1::HeaderField& f : fields) {
    out->append("  ");
    out->append(f.name);
    out->append(": [");
    out->append(f.value);
    out->append("]\n");
  }
}

Result Drive(std::string_view input, const std::vector<size_t>& cuts, h1::RequestContext ctx,
             const h1::ResponseParserLimits& limits, bool eof) {
  h1::ResponseParser parser(ctx, limits);
  Result r;
  std::string pending;
  auto flush = [&] {
    if (!pending.empty()) {
      r.transcript += "DATA " + std::to_string(pending.size()) + "\n";
      pending.clear();
    }
  };
  size_t prev = 0;
  std::vector<size_t> bounds = cuts;
  bounds.push_back(input.size());
  bool stopped = false;
  for (size_t bound : bounds) {
    if (stopped) break;
    std::string_view piece = input.substr(prev, bound - prev);
    size_t base = prev;
    prev = bound;
    // A fresh heap copy per piece, so ASan catches views kept past a call.
    std::string copy(piece);
    std::string_view rest(copy);
    size_t loops = 0;
    while (true) {
      Check(++loops < 10'000'000);
      size_t used = 0;
      absl::StatusOr<h1::ResponseEvent> ev = parser.Parse(rest, &used);
      if (!ev.ok()) {
        flush();
        r.error = static_cast<int>(ev.status().code());
        Check(r.error != 0);
        r.transcript += "ERROR " + std::to_string(r.error) + "\n";
        stopped = true;
        break;
      }
      Check(used <= rest.size());
      switch (*ev) {
        case h1::ResponseEvent::kNeedMore:
          Check(used == rest.size());
          break;
        case h1::ResponseEvent::kHead: {
          flush();
          const h1::ResponseHead& h = parser.head();
          Check(h.version == 10 || h.version == 11);
          Check(h.status >= 100 && h.status <= 999);
          r.transcript += "HEAD " + std::to_string(h.version) + " " + std::to_string(h.status) +
                          " [" + std::string(h.reason) + "]\n";
          AppendFields(h.fields, &r.transcript);
          if (!h.informational()) Check(parser.has_final_head());
          break;
        }
        case h1::ResponseEvent::kData: {
          std::string_view d = parser.data();
          Check(!d.empty());
          Check(d.data() >= rest.data() && d.data() + d.size() <= rest.data() + used);
          pending.append(d);
          r.body.append(d);
          break;
        }
        case h1::ResponseEvent::kEnd:
          flush();
          r.transcript += "END\n";
          AppendFields(parser.trailers(), &r.transcript);
          r.done = true;
          r.end_offset = base + static_cast<size_t>(rest.data() - copy.data()) + used;
          stopped = true;
          break;
      }
      Check(used > 0 || *ev != h1::ResponseEvent::kNeedMore || rest.empty());
      rest.remove_prefix(used);
      Check(parser.body_bytes() == r.body.size());
      if (stopped || *ev == h1::ResponseEvent::kNeedMore) break;
    }
  }
  if (r.done) {
    // Parse after the end is refused.
    size_t used = 0;
    absl::StatusOr<h1::ResponseEvent> again = parser.Parse("x", &used);
    Check(!again.ok() && again.status().code() == absl::StatusCode::kFailedPrecondition);
  }
  if (eof && r.error == 0) {
    absl::StatusOr<h1::ResponseEvent> ev = parser.ParseEof();
    if (ev.ok()) {
      Check(*ev == h1::ResponseEvent::kEnd);
      r.eof = "END";
      AppendFields(parser.trailers(), &r.eof);
      if (!r.done) Check(parser.framing() == h1::BodyFraming::kUntilClose);
    } else {
      r.eof = "ERROR " + std::to_string(static_cast<int>(ev.status().code()));
      Check(!r.done);
    }
  }
  flush();
  r.framing = parser.framing();
  r.has_cl = parser.content_length().has_value();
  r.cl = parser.content_length().value_or(0);
  r.reusable = parser.reusable();
  r.upgraded = parser.upgraded();
  Check(parser.done() == (r.done || r.eof.rfind("END", 0) == 0));
  if (parser.done()) {
    Check(parser.has_final_head());
    switch (parser.framing()) {
      case h1::BodyFraming::kContentLength:
        Check(r.has_cl && r.body.size() == r.cl);
        break;
      case h1::BodyFraming::kNone:
        Check(r.body.empty());
        break;
      default:
        break;
    }
  }
  if (r.upgraded) Check(ctx.upgrade_requested && r.done && r.body.empty());
  return r;
}

void CheckSame(const Result& a, const Result& b) {
  if (a.transcript != b.transcript && std::getenv("FUZZ_DEBUG")) {
    std::fprintf(stderr, "--- one piece:\n%s--- split:\n%s", a.transcript.c_str(),
                 b.transcript.c_str());
  }
  Check(a.transcript == b.transcript);
  Check(a.body == b.body);
  Check(a.done == b.done);
  Check(a.end_offset == b.end_offset);
  Check(a.error == b.error);
  Check(a.framing == b.framing);
  Check(a.has_cl == b.has_cl && a.cl == b.cl);
  Check(a.reusable == b.reusable);
  Check(a.upgraded == b.upgraded);
  Check(a.eof == b.eof);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  uint8_t flags = in.U8();
  size_t k = in.U8() % 16;
  std::vector<uint16_t> raw_cuts;
  for (size_t i = 0; i < k; ++i) raw_cuts.push_back(in.U16());
  std::string_view response = in.Rest();

  h1::RequestContext ctx;
  ctx.head_request = flags & 1;
  ctx.connect_request = flags & 2;
  ctx.upgrade_requested = flags & 4;
  h1::ResponseParserLimits limits;
  if (flags & 8) {
    limits.max_header_line_bytes = 64;
    limits.max_header_block_bytes = 256;
    limits.max_header_count = 8;
    limits.max_informational_bytes = 200;
    limits.max_chunk_size_digits = 4;
  }
  bool eof = flags & 16;

  std::vector<size_t> cuts;
  for (uint16_t c : raw_cuts) cuts.push_back(c % (response.size() + 1));
  std::sort(cuts.begin(), cuts.end());

  Result whole = Drive(response, {}, ctx, limits, eof);
  Result split = Drive(response, cuts, ctx, limits, eof);
  CheckSame(whole, split);
  if (response.size() <= 4096) {
    std::vector<size_t> bytes;
    for (size_t i = 1; i < response.size(); ++i) bytes.push_back(i);
    Result each = Drive(response, bytes, ctx, limits, eof);
    CheckSame(whole, each);
  }
  if (ctx.connect_request && whole.done && !whole.transcript.empty()) {
    // A 2xx reply to CONNECT ends at its head: nothing after it is body.
    if (whole.framing == h1::BodyFraming::kNone) Check(whole.body.empty());
  }
  return 0;
}
