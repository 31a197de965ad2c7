// The br content coding on Brotli's streaming decoder.
#include <brotli/decode.h>

#include "absl/strings/str_cat.h"
#include "runtime/decoding/content_decoder.h"

namespace strata {
namespace {

class BrotliDecoder : public ContentDecoder {
 public:
  BrotliDecoder() : state_(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr)) {}
  ~BrotliDecoder() override {
    if (state_) BrotliDecoderDestroyInstance(state_);
  }

  absl::string_view name() const override { return "br"; }

  absl::Status Decode(absl::string_view in, DecodedSink out) override {
    if (!state_) return absl::ResourceExhaustedError("br: the decoder could not be created");
    if (in.empty()) return absl::OkStatus();
    seen_input_ = true;
    if (ended_) return absl::OkStatus();  // trailing bytes after the stream: ignored
    size_t avail_in = in.size();
    const uint8_t* next_in = reinterpret_cast<const uint8_t*>(in.data());
    for (;;) {
      size_t avail_out = sizeof(buf_);
      uint8_t* next_out = buf_;
      BrotliDecoderResult rc = BrotliDecoderDecompressStream(state_, &avail_in, &next_in, &avail_out, &next_out, nullptr);
      size_t produced = sizeof(buf_) - avail_out;
      if (produced > 0) {
        if (absl::Status s = out(absl::string_view(reinterpret_cast<char*>(buf_), produced)); !s.ok()) return s;
      }
      switch (rc) {
        case BROTLI_DECODER_RESULT_SUCCESS:
          ended_ = true;
          return absl::OkStatus();
        case BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT:
          return absl::OkStatus();
        case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT:
          continue;
        default:
          return absl::DataLossError(absl::StrCat(
              "br: malformed compressed data (brotli: ",
              BrotliDecoderErrorString(BrotliDecoderGetErrorCode(state_)), ")"));
      }
    }
  }

  absl::Status Finish(DecodedSink out) override {
    if (!seen_input_ || ended_) return absl::OkStatus();
    return absl::DataLossError("br: the body ended inside the compressed stream (truncated)");
  }

 private:
  BrotliDecoderState* state_;
  bool seen_input_ = false;
  bool ended_ = false;
  uint8_t buf_[kDecodeChunkBytes];
};

}  // namespace

std::unique_ptr<ContentDecoder> MakeBrotliDecoder() { return std::make_unique<BrotliDecoder>(); }

}  // namespace strata
