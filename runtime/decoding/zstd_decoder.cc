// The zstd content coding on libzstd's streaming decoder.
#include <zstd.h>

#include "absl/strings/str_cat.h"
#include "runtime/decoding/content_decoder.h"

namespace strata {
namespace {

// RFC 8878 §3: HTTP decoders may refuse frames whose window exceeds 8 MiB,
// which bounds the memory a peer can make us allocate.
constexpr int kMaxWindowLog = 23;

class ZstdDecoder : public ContentDecoder {
 public:
  ZstdDecoder() : ctx_(ZSTD_createDCtx()) {
    if (ctx_) ZSTD_DCtx_setParameter(ctx_, ZSTD_d_windowLogMax, kMaxWindowLog);
  }
  ~ZstdDecoder() override { ZSTD_freeDCtx(ctx_); }

  absl::string_view name() const override { return "zstd"; }

  absl::Status Decode(absl::string_view in, DecodedSink out) override {
    if (!ctx_) return absl::ResourceExhaustedError("zstd: the decoder could not be created");
    if (in.empty()) return absl::OkStatus();
    seen_input_ = true;
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    bool full = false;
    // Frames may follow one another (RFC 8878 §3.1); ZSTD_decompressStream
    // returns 0 at the end of each.
    while (input.pos < input.size || full) {
      ZSTD_outBuffer output{buf_, sizeof(buf_), 0};
      const size_t consumed_before = input.pos;
      size_t rc = ZSTD_decompressStream(ctx_, &output, &input);
      if (ZSTD_isError(rc)) {
        return absl::DataLossError(absl::StrCat("zstd: malformed compressed data (zstd: ", ZSTD_getErrorName(rc), ")"));
      }
      full = output.pos == output.size;
      if (output.pos > 0) {
        if (absl::Status s = out(absl::string_view(buf_, output.pos)); !s.ok()) return s;
      }
      // 0: a frame ended and is flushed. A later call that only looked for
      // more output (the buffer was full) finds none and asks for the next
      // frame's header: that does not reopen the frame that ended.
      if (rc == 0) {
        frame_done_ = true;
      } else if (input.pos > consumed_before) {
        frame_done_ = false;
      }
      if (!full && input.pos == input.size) break;
    }
    return absl::OkStatus();
  }

  absl::Status Finish(DecodedSink out) override {
    if (!seen_input_ || frame_done_) return absl::OkStatus();
    return absl::DataLossError("zstd: the body ended inside the compressed stream (truncated)");
  }

 private:
  ZSTD_DCtx* ctx_;
  bool seen_input_ = false;
  bool frame_done_ = false;
  char buf_[kDecodeChunkBytes];
};

}  // namespace

std::unique_ptr<ContentDecoder> MakeZstdDecoder() { return std::make_unique<ZstdDecoder>(); }

}  // namespace strata
