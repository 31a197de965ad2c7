#include "runtime/decoding/decoder_stack.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace strata {
namespace {

std::unique_ptr<ContentDecoder> MakeDecoder(absl::string_view coding) {
  if (coding == "gzip" || coding == "x-gzip") return MakeGzipDecoder();
  if (coding == "deflate") return MakeDeflateDecoder();
  if (coding == "br") return MakeBrotliDecoder();
  if (coding == "zstd") return MakeZstdDecoder();
  return nullptr;
}

}  // namespace

absl::StatusOr<std::unique_ptr<DecoderStack>> DecoderStack::Create(absl::string_view content_encoding,
                                                                 const DecodeLimits& limits) {
  std::vector<std::string> codings;
  for (absl::string_view part : absl::StrSplit(content_encoding, ',')) {
    std::string coding = absl::AsciiStrToLower(absl::StripAsciiWhitespace(part));
    if (coding.empty() || coding == "identity") continue;
    codings.push_back(std::move(coding));
  }
  if (codings.empty()) return nullptr;
  if (codings.size() > kMaxStackedCodings) {
    return absl::InvalidArgumentError(absl::StrCat("Content-Encoding lists ", codings.size(),
                                                   " codings; at most ", kMaxStackedCodings, " are undone"));
  }
  auto stack = std::unique_ptr<DecoderStack>(new DecoderStack());
  stack->limits_ = limits;
  stack->description_ = absl::StrJoin(codings, ", ");
  // Applied first is listed first: decode from the end.
  for (auto it = codings.rbegin(); it != codings.rend(); ++it) {
    std::unique_ptr<ContentDecoder> d = MakeDecoder(*it);
    if (!d) {
      return absl::InvalidArgumentError(absl::StrCat("unrecognized content encoding '", *it,
                                                     "' (strata decodes ", kSupportedCodings, ")"));
    }
    stack->decoders_.push_back(std::move(d));
  }
  return stack;
}

absl::Status DecoderStack::Decode(absl::string_view in, DecodedSink out) {
  encoded_ += static_cast<int64_t>(in.size());
  return Feed(0, in, out);
}

absl::Status DecoderStack::Feed(size_t index, absl::string_view data, DecodedSink out) {
  if (index == decoders_.size()) return Emit(data, out);
  return decoders_[index]->Decode(data, [&](absl::string_view piece) { return Feed(index + 1, piece, out); });
}

absl::Status DecoderStack::Finish(DecodedSink out) { return FinishFrom(0, out); }

absl::Status DecoderStack::FinishFrom(size_t index, DecodedSink out) {
  if (index == decoders_.size()) return absl::OkStatus();
  absl::Status s = decoders_[index]->Finish([&](absl::string_view piece) { return Feed(index + 1, piece, out); });
  if (!s.ok()) return s;
  return FinishFrom(index + 1, out);
}

absl::Status DecoderStack::Emit(absl::string_view data, DecodedSink out) {
  decoded_ += static_cast<int64_t>(data.size());
  if (limits_.max_bytes > 0 && decoded_ > limits_.max_bytes) {
    return absl::ResourceExhaustedError(absl::StrCat("the ", description_, " body decodes to more than ",
                                                     limits_.max_bytes, " bytes (the decoded-size limit)"));
  }
  if (limits_.max_ratio > 0 && decoded_ > limits_.ratio_floor_bytes &&
      decoded_ / std::max<int64_t>(encoded_, 1) > limits_.max_ratio) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the ", description_, " body expands more than ", limits_.max_ratio, " times (", encoded_,
        " bytes decoded to ", decoded_, "): a decompression bomb? (the ratio limit)"));
  }
  return out(data);
}

}  // namespace strata
