// frame_tracer.h — `nghttp -v`-style lines for the HTTP/2 frames crossing
// the wire, e.g. "recv SETTINGS frame <length=18, flags=0x00, stream_id=0>
// (niv=3)".
//
// The tracer watches the byte streams themselves (what was written to and
// read from the layer below) instead of hooking into the engine: a line is
// then proof that the frame crossed the boundary, in wire order, and the
// engine stays free of logging concerns. It decodes frame headers and the
// small fixed payloads of control frames, never HPACK or DATA contents.
#ifndef STRATA_PLUGINS_H2_LAYER_FRAME_TRACER_H_
#define STRATA_PLUGINS_H2_LAYER_FRAME_TRACER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/types/span.h"
#include "plugins/h2/engine/frames/frame.h"

namespace strata::h2 {

class FrameTracer {
 public:
  // |direction| starts each line ("send", "recv"). With |client_preface|,
  // the stream starts with the 24-byte client connection preface.
  FrameTracer(std::string direction, bool client_preface);

  // Feed walks the next |bytes| of the stream, in any split, and calls
  // |emit| once per frame as soon as the frame is complete.
  void Feed(absl::Span<const uint8_t> bytes, const std::function<void(const std::string&)>& emit);

 private:
  std::string Describe() const;

  std::string direction_;
  size_t preface_left_;
  uint8_t header_bytes_[kFrameHeaderSize];
  size_t header_have_ = 0;
  FrameHeader header_;
  uint32_t payload_left_ = 0;
  bool in_payload_ = false;
  std::string payload_head_;  // the first bytes of a control frame's payload
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_LAYER_FRAME_TRACER_H_
