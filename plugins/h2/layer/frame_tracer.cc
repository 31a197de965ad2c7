#include "plugins/h2/layer/frame_tracer.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plugins/h2/engine/frames/error_code.h"

namespace strata::h2 {
namespace {

// Control payload bytes kept for the description: GOAWAY's 8 fixed bytes
// plus the start of its debug data.
constexpr size_t kPayloadKept = 8 + 64;

const char* TypeName(uint8_t type) {
  switch (static_cast<FrameType>(type)) {
    case FrameType::kData: return "DATA";
    case FrameType::kHeaders: return "HEADERS";
    case FrameType::kPriority: return "PRIORITY";
    case FrameType::kRstStream: return "RST_STREAM";
    case FrameType::kSettings: return "SETTINGS";
    case FrameType::kPushPromise: return "PUSH_PROMISE";
    case FrameType::kPing: return "PING";
    case FrameType::kGoaway: return "GOAWAY";
    case FrameType::kWindowUpdate: return "WINDOW_UPDATE";
    case FrameType::kContinuation: return "CONTINUATION";
  }
  return nullptr;
}

uint32_t U32(const std::string& b, size_t at) {
  return (uint32_t{static_cast<uint8_t>(b[at])} << 24) | (uint32_t{static_cast<uint8_t>(b[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[at + 2])} << 8) | uint32_t{static_cast<uint8_t>(b[at + 3])};
}

std::string ErrorText(uint32_t code) { return absl::StrFormat("%s(0x%02x)", ErrorCodeName(code), code); }

}  // namespace

FrameTracer::FrameTracer(std::string direction, bool client_preface)
    : direction_(std::move(direction)), preface_left_(client_preface ? kClientPrefaceSize : 0) {}

void FrameTracer::Feed(absl::Span<const uint8_t> bytes,
                       const std::function<void(const std::string&)>& emit) {
  size_t i = 0;
  if (preface_left_ > 0) {
    const size_t n = std::min(preface_left_, bytes.size());
    preface_left_ -= n;
    i += n;
    if (preface_left_ == 0) emit(absl::StrCat(direction_, " client connection preface"));
  }
  while (i < bytes.size()) {
    if (!in_payload_) {
      const size_t n = std::min(kFrameHeaderSize - header_have_, bytes.size() - i);
      std::copy_n(bytes.data() + i, n, header_bytes_ + header_have_);
      header_have_ += n;
      i += n;
      if (header_have_ < kFrameHeaderSize) return;
      header_have_ = 0;
      header_ = ParseFrameHeader(header_bytes_);
      payload_left_ = header_.length;
      payload_head_.clear();
      in_payload_ = true;
    }
    const size_t n = std::min<size_t>(payload_left_, bytes.size() - i);
    const bool control = header_.type != static_cast<uint8_t>(FrameType::kData) &&
                         header_.type != static_cast<uint8_t>(FrameType::kHeaders) &&
                         header_.type != static_cast<uint8_t>(FrameType::kContinuation);
    if (control && payload_head_.size() < kPayloadKept) {
      const size_t keep = std::min(n, kPayloadKept - payload_head_.size());
      payload_head_.append(reinterpret_cast<const char*>(bytes.data() + i), keep);
    }
    payload_left_ -= static_cast<uint32_t>(n);
    i += n;
    if (payload_left_ > 0) return;
    in_payload_ = false;
    emit(Describe());
  }
}

std::string FrameTracer::Describe() const {
  const FrameHeader& h = header_;
  const char* name = TypeName(h.type);
  const std::string type_name = name ? name : absl::StrFormat("UNKNOWN(0x%02x)", h.type);
  std::string out = absl::StrFormat("%s %s frame <length=%u, flags=0x%02x, stream_id=%u>", direction_,
                                    type_name, h.length, h.flags, h.stream_id);
  if (name == nullptr) return out;
  std::vector<const char*> flags;
  const auto type = static_cast<FrameType>(h.type);
  if ((type == FrameType::kData || type == FrameType::kHeaders) && h.has(flags::kEndStream)) {
    flags.push_back("END_STREAM");
  }
  if ((type == FrameType::kSettings || type == FrameType::kPing) && h.has(flags::kAck)) {
    flags.push_back("ACK");
  }
  if ((type == FrameType::kHeaders || type == FrameType::kPushPromise ||
       type == FrameType::kContinuation) &&
      h.has(flags::kEndHeaders)) {
    flags.push_back("END_HEADERS");
  }
  if ((type == FrameType::kData || type == FrameType::kHeaders || type == FrameType::kPushPromise) &&
      h.has(flags::kPadded)) {
    flags.push_back("PADDED");
  }
  if (type == FrameType::kHeaders && h.has(flags::kPriority)) flags.push_back("PRIORITY");
  if (!flags.empty()) {
    absl::StrAppend(&out, " ;");
    for (size_t i = 0; i < flags.size(); ++i) absl::StrAppend(&out, i ? " | " : " ", flags[i]);
  }
  const std::string& p = payload_head_;
  switch (type) {
    case FrameType::kSettings:
      if (!h.has(flags::kAck)) absl::StrAppend(&out, " (niv=", h.length / 6, ")");
      break;
    case FrameType::kRstStream:
      if (p.size() >= 4) absl::StrAppend(&out, " (error_code=", ErrorText(U32(p, 0)), ")");
      break;
    case FrameType::kWindowUpdate:
      if (p.size() >= 4) {
        absl::StrAppend(&out, " (window_size_increment=", U32(p, 0) & 0x7fffffff, ")");
      }
      break;
    case FrameType::kGoaway:
      if (p.size() >= 8) {
        std::string debug;
        for (char c : p.substr(8)) debug.push_back(c >= 0x20 && c < 0x7f ? c : '.');
        absl::StrAppend(&out, " (last_stream_id=", U32(p, 0) & 0x7fffffff,
                        ", error_code=", ErrorText(U32(p, 4)), ", opaque_data=\"", debug,
                        h.length > kPayloadKept ? "...\")" : "\")");
      }
      break;
    default:
      break;
  }
  return out;
}

}  // namespace strata::h2
