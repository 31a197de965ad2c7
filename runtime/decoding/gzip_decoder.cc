// gzip and deflate content codings on zlib.
#include <zlib.h>

#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "runtime/decoding/content_decoder.h"

namespace strata {
namespace {

class ZlibDecoder : public ContentDecoder {
 public:
  enum class Format { kGzip, kDeflate };

  explicit ZlibDecoder(Format format) : format_(format) {}
  ~ZlibDecoder() override {
    if (initialised_) inflateEnd(&z_);
  }

  absl::string_view name() const override { return format_ == Format::kGzip ? "gzip" : "deflate"; }

  absl::Status Decode(absl::string_view in, DecodedSink out) override {
    if (in.empty()) return absl::OkStatus();
    seen_input_ = true;
    if (initialised_) return Run(in, out);
    if (format_ == Format::kGzip) {
      if (absl::Status s = Init(16 + MAX_WBITS); !s.ok()) return s;
      return Run(in, out);
    }
    // "deflate" should be the zlib format, but some servers send raw
    // deflate: the two-byte zlib header (RFC 1950 §2.2: CM 8, the pair a
    // multiple of 31) tells them apart.
    head_.append(in.data(), in.size());
    if (head_.size() < 2) return absl::OkStatus();
    unsigned cmf = static_cast<unsigned char>(head_[0]), flg = static_cast<unsigned char>(head_[1]);
    bool zlib = (cmf & 0x0f) == 8 && (cmf * 256 + flg) % 31 == 0;
    if (absl::Status s = Init(zlib ? MAX_WBITS : -MAX_WBITS); !s.ok()) return s;
    std::string head = std::move(head_);
    head_.clear();
    return Run(head, out);
  }

  absl::Status Finish(DecodedSink out) override {
    if (!seen_input_ || ended_) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat(name(), ": the body ended inside the compressed stream (truncated)"));
  }

 private:
  absl::Status Init(int window_bits) {
    std::memset(&z_, 0, sizeof(z_));
    if (inflateInit2(&z_, window_bits) != Z_OK) return absl::ResourceExhaustedError("zlib: inflateInit2 failed");
    initialised_ = true;
    return absl::OkStatus();
  }

  absl::Status Run(absl::string_view in, DecodedSink out) {
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    // Loop while there is input, or while the last call filled the whole
    // buffer (zlib may hold more output than one buffer).
    bool full = false;
    while (z_.avail_in > 0 || full) {
      if (ended_) {
        // After a gzip member, another may follow (RFC 1952 §2.2); anything
        // else is trailing junk, which gunzip and curl ignore too.
        if (z_.avail_in == 0) break;
        if (junk_ || format_ != Format::kGzip || z_.next_in[0] != 0x1f) {
          junk_ = true;  // and so is everything after it, however it arrives
          z_.avail_in = 0;
          break;
        }
        inflateReset(&z_);
        ended_ = false;
      }
      z_.next_out = buf_;
      z_.avail_out = sizeof(buf_);
      int rc = inflate(&z_, Z_NO_FLUSH);
      size_t produced = sizeof(buf_) - z_.avail_out;
      full = z_.avail_out == 0;
      if (produced > 0) {
        if (absl::Status s = out(absl::string_view(reinterpret_cast<char*>(buf_), produced)); !s.ok()) return s;
      }
      if (rc == Z_STREAM_END) {
        ended_ = true;
        continue;
      }
      if (rc == Z_BUF_ERROR && produced == 0) break;  // needs more input
      if (rc != Z_OK) {
        return absl::DataLossError(absl::StrCat(name(), ": malformed compressed data (zlib: ",
                                                z_.msg ? z_.msg : "error", ")"));
      }
    }
    return absl::OkStatus();
  }

  Format format_;
  z_stream z_;
  bool initialised_ = false;
  bool seen_input_ = false;
  bool ended_ = false;
  bool junk_ = false;  // trailing bytes seen after the last member
  std::string head_;  // deflate: the first byte, until the header is known
  Bytef buf_[kDecodeChunkBytes];
};

}  // namespace

std::unique_ptr<ContentDecoder> MakeGzipDecoder() {
  return std::make_unique<ZlibDecoder>(ZlibDecoder::Format::kGzip);
}

std::unique_ptr<ContentDecoder> MakeDeflateDecoder() {
  return std::make_unique<ZlibDecoder>(ZlibDecoder::Format::kDeflate);
}

}  // namespace strata
