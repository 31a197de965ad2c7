// decoder_fuzzer.cc — runtime/decoding: the content-coding decoder stack.
//
// Input: byte 0 picks a Content-Encoding list (single codings and stacks),
// byte 1 a feed size; the rest is the encoded body.
// Invariants (violations trap):
//   - every decoded piece is at most kDecodeChunkBytes, and the total never
//     passes the absolute limit by more than one piece's worth of checks
//     (the limit is enforced before a piece is handed on);
//   - errors are DataLoss (malformed, truncated) or ResourceExhausted (the
//     limit), nothing else;
//   - chunking does not matter: the body fed in one piece and fed in small
//     pieces gives the same outcome and, when both succeed, the same bytes
//     (for zstd, see below, only the latter).
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "runtime/decoding/decoder_stack.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using strata::fuzz::Check;

const char* const kCodings[] = {
    "gzip", "deflate", "br", "zstd", "x-gzip", "gzip, br", "br, zstd, gzip", "deflate, deflate", "identity, zstd",
};

constexpr int64_t kMaxBytes = 4 << 20;

struct Outcome {
  absl::Status status;
  std::string body;
};

Outcome Run(const char* coding, std::string_view body, size_t step) {
  strata::DecodeLimits limits;
  limits.max_bytes = kMaxBytes;
  limits.max_ratio = 0;  // the ratio depends on how input is fed: off here
  Outcome o;
  auto stack = strata::DecoderStack::Create(coding, limits);
  Check(stack.ok() && *stack != nullptr);
  auto sink = [&](absl::string_view piece) {
    Check(!piece.empty() && piece.size() <= strata::kDecodeChunkBytes);
    o.body.append(piece.data(), piece.size());
    Check(static_cast<int64_t>(o.body.size()) <= kMaxBytes);
    return absl::OkStatus();
  };
  for (size_t i = 0; i < body.size() && o.status.ok(); i += step) {
    std::string_view piece = body.substr(i, step);
    o.status = (*stack)->Decode(absl::string_view(piece.data(), piece.size()), sink);
  }
  if (o.status.ok()) o.status = (*stack)->Finish(sink);
  Check(o.status.ok() || absl::IsDataLoss(o.status) || absl::IsResourceExhausted(o.status));
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::fuzz::FuzzInput in(data, size);
  const char* coding = kCodings[in.U8() % (sizeof(kCodings) / sizeof(kCodings[0]))];
  size_t step = 1 + in.U8() % 64;
  std::string_view body = in.Rest();
  Outcome whole = Run(coding, body, body.size() + 1);
  Outcome pieces = Run(coding, body, step);
  // libzstd decodes a frame that is whole in one buffer on a one-shot path
  // that is stricter (an empty compressed block is "corruption") than its
  // streaming path: for stacks with zstd only agreeing successes compare.
  const bool zstd = std::string_view(coding).find("zstd") != std::string_view::npos;
  if (!zstd) Check(whole.status.code() == pieces.status.code());
  if (whole.status.ok() && pieces.status.ok()) Check(whole.body == pieces.body);
  return 0;
}
