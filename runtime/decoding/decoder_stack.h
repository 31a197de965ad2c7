// decoder_stack.h — a response's Content-Encoding undone as the body streams.
//
// Content-Encoding lists codings in the order they were applied
// ("gzip, br": gzip first), so the stack decodes them last to first, each
// decoder's output fed straight into the next: memory stays at one buffer
// per coding, whatever the body's size.
//
// Limits guard against decompression bombs: the decoded size may not
// exceed |max_bytes|, and, once past |ratio_floor_bytes|, may not exceed
// |max_ratio| times the encoded bytes read so far.
#ifndef STRATA_RUNTIME_DECODING_DECODER_STACK_H_
#define STRATA_RUNTIME_DECODING_DECODER_STACK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/decoding/content_decoder.h"

namespace strata {

// The codings this build decodes, in the Accept-Encoding curl sends.
inline constexpr const char* kSupportedCodings = "deflate, gzip, br, zstd";

struct DecodeLimits {
  int64_t max_bytes = 0;                       // decoded bytes; 0 = no limit
  int64_t max_ratio = 200;                     // decoded / encoded; 0 = no limit
  int64_t ratio_floor_bytes = int64_t{4} << 20;  // the ratio applies past this size
};

// At most this many codings are undone (curl stops at five as well): a
// longer list is a peer trying to make us stack decoders.
inline constexpr size_t kMaxStackedCodings = 5;

class DecoderStack {
 public:
  // Create parses the Content-Encoding field value(s), comma-joined.
  // "identity" entries are skipped. Returns nullptr (no decoding needed)
  // when nothing is left; InvalidArgument naming the coding for one this
  // build does not know, or for more than kMaxStackedCodings.
  static absl::StatusOr<std::unique_ptr<DecoderStack>> Create(absl::string_view content_encoding,
                                                             const DecodeLimits& limits);

  // Decode feeds encoded body bytes; decoded ones go to |out|. Errors:
  // DataLoss for malformed data (the message names the coding),
  // ResourceExhausted for a limit, or what |out| returned.
  absl::Status Decode(absl::string_view in, DecodedSink out);
  // Finish flushes every coding in order; DataLoss if one was truncated.
  absl::Status Finish(DecodedSink out);

  // The codings as listed in Content-Encoding ("gzip, br").
  const std::string& description() const { return description_; }
  int64_t encoded_bytes() const { return encoded_; }
  int64_t decoded_bytes() const { return decoded_; }

 private:
  DecoderStack() = default;
  // Feed passes |data| to decoders_[index] (and on down the stack).
  absl::Status Feed(size_t index, absl::string_view data, DecodedSink out);
  absl::Status FinishFrom(size_t index, DecodedSink out);
  absl::Status Emit(absl::string_view data, DecodedSink out);

  std::vector<std::unique_ptr<ContentDecoder>> decoders_;  // in decoding order
  DecodeLimits limits_;
  std::string description_;
  int64_t encoded_ = 0;
  int64_t decoded_ = 0;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_DECODING_DECODER_STACK_H_
