// content_decoder.h — one content coding's streaming decoder (RFC 9110 §8.4).
//
// A decoder turns encoded bytes into decoded bytes as they arrive: it never
// holds the whole body, only the library's state and one output buffer.
// Each implementation lives in its own file (gzip_decoder.cc,
// brotli_decoder.cc, zstd_decoder.cc) behind this interface, so a library can
// be swapped without touching the runtime.
#ifndef STRATA_RUNTIME_DECODING_CONTENT_DECODER_H_
#define STRATA_RUNTIME_DECODING_CONTENT_DECODER_H_

#include <memory>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace strata {

// DecodedSink receives decoded output, in pieces of at most
// kDecodeChunkBytes. A non-OK status stops decoding and is returned as is.
using DecodedSink = absl::FunctionRef<absl::Status(absl::string_view)>;

inline constexpr size_t kDecodeChunkBytes = 16 * 1024;

class ContentDecoder {
 public:
  virtual ~ContentDecoder() = default;
  // The coding's name as it appears in Content-Encoding ("gzip").
  virtual absl::string_view name() const = 0;
  // Decode consumes all of |in|. Malformed input is DataLoss naming the
  // coding and the library's reason.
  virtual absl::Status Decode(absl::string_view in, DecodedSink out) = 0;
  // Finish is called once the encoded input has ended: it emits what the
  // library still holds, and is DataLoss if the stream stopped in the middle
  // (an empty input is not an error: HEAD, 204, 304).
  virtual absl::Status Finish(DecodedSink out) = 0;
};

// MakeGzipDecoder decodes "gzip" and "x-gzip" (RFC 1952), including
// concatenated members.
std::unique_ptr<ContentDecoder> MakeGzipDecoder();
// MakeDeflateDecoder decodes "deflate": the zlib format (RFC 1950), and the
// raw deflate (RFC 1951) some servers send instead, as curl and browsers
// accept it.
std::unique_ptr<ContentDecoder> MakeDeflateDecoder();
// MakeBrotliDecoder decodes "br" (RFC 7932).
std::unique_ptr<ContentDecoder> MakeBrotliDecoder();
// MakeZstdDecoder decodes "zstd" (RFC 8878), with the window limit RFC 8878
// §3 sets for HTTP (8 MiB).
std::unique_ptr<ContentDecoder> MakeZstdDecoder();

}  // namespace strata

#endif  // STRATA_RUNTIME_DECODING_CONTENT_DECODER_H_
