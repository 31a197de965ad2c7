// frame.h — HTTP/2 frame encoding and decoding (RFC 9113 §4, §6).
//
// Decoding is split in two so the session can act before a payload is
// buffered:
//   CheckFrameHeader  the rules decidable from the 9-byte header: length
//                     against our SETTINGS_MAX_FRAME_SIZE (§4.2), stream id
//                     zero or non-zero per type, fixed lengths (§6.x);
//   DecodeFrame       the payload rules: padding (§6.1, §6.2, §6.6),
//                     SETTINGS and GOAWAY layouts, reserved bits.
// Both return an H2Error saying connection error (GOAWAY) or stream error
// (RST_STREAM) and the §7 code. Unknown frame types, unknown flags, the
// reserved bit and unknown settings are ignored (§4.1, §5.5, §6.5.2): a
// frame of an unknown type decodes with known_type == false.
//
// Stream-state rules (§5.1) and semantic checks of settings values belong to
// the session, which knows the state.
//
// Encoding: Append* functions append complete frames to a byte string; the
// field-block helper splits a block into HEADERS/PUSH_PROMISE plus
// CONTINUATION frames of at most the peer's maximum frame size. AppendFrame
// writes arbitrary (even invalid) frames, for tests.
#ifndef STRATA_PLUGINS_H2_ENGINE_FRAMES_FRAME_H_
#define STRATA_PLUGINS_H2_ENGINE_FRAMES_FRAME_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "plugins/h2/engine/frames/error_code.h"

namespace strata::h2 {

enum class FrameType : uint8_t {
  kData = 0x0,
  kHeaders = 0x1,
  kPriority = 0x2,
  kRstStream = 0x3,
  kSettings = 0x4,
  kPushPromise = 0x5,
  kPing = 0x6,
  kGoaway = 0x7,
  kWindowUpdate = 0x8,
  kContinuation = 0x9,
};

// Frame flags (§6). kEndStream and kAck share a bit on different types.
namespace flags {
inline constexpr uint8_t kEndStream = 0x01;
inline constexpr uint8_t kAck = 0x01;
inline constexpr uint8_t kEndHeaders = 0x04;
inline constexpr uint8_t kPadded = 0x08;
inline constexpr uint8_t kPriority = 0x20;
}  // namespace flags

// Setting identifiers (§6.5.2, RFC 8441 §3, RFC 9218 §2.1).
enum SettingId : uint16_t {
  kSettingsHeaderTableSize = 0x1,
  kSettingsEnablePush = 0x2,
  kSettingsMaxConcurrentStreams = 0x3,
  kSettingsInitialWindowSize = 0x4,
  kSettingsMaxFrameSize = 0x5,
  kSettingsMaxHeaderListSize = 0x6,
  kSettingsEnableConnectProtocol = 0x8,
  kSettingsNoRfc7540Priorities = 0x9,
};

struct Setting {
  uint16_t id;
  uint32_t value;
};

inline constexpr size_t kFrameHeaderSize = 9;
inline constexpr uint32_t kDefaultMaxFrameSize = 1 << 14;
inline constexpr uint32_t kMaxAllowedFrameSize = (1 << 24) - 1;
inline constexpr uint32_t kDefaultWindowSize = 65535;
inline constexpr uint32_t kMaxWindowSize = 0x7fffffff;
inline constexpr uint32_t kMaxStreamId = 0x7fffffff;
inline constexpr char kClientPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
inline constexpr size_t kClientPrefaceSize = sizeof(kClientPreface) - 1;

struct FrameHeader {
  uint32_t length = 0;  // payload bytes, 24 bits
  uint8_t type = 0;
  uint8_t flags = 0;
  uint32_t stream_id = 0;  // reserved bit cleared

  bool has(uint8_t flag) const { return (flags & flag) != 0; }
};

// ParseFrameHeader reads 9 bytes; the reserved bit is ignored (§4.1).
FrameHeader ParseFrameHeader(const uint8_t* bytes);

// IsKnownFrameType: one of the ten RFC 9113 types.
inline bool IsKnownFrameType(uint8_t type) { return type <= 0x9; }

// Frame is a decoded frame. Views point into the payload given to
// DecodeFrame and live as long as it does.
struct Frame {
  FrameHeader header;
  bool known_type = true;
  // DATA: the data without padding. HEADERS, PUSH_PROMISE, CONTINUATION:
  // the field block fragment. GOAWAY: the debug data. Unknown: the payload.
  absl::string_view data;
  // DATA: padding bytes including the Pad Length byte; flow control counts
  // them (§6.1), so the session credits them back.
  uint32_t padding = 0;
  // HEADERS with PRIORITY, PRIORITY (§6.3): accepted, then ignored (RFC 9218).
  uint32_t dependency = 0;
  uint8_t weight = 0;
  bool exclusive = false;
  // RST_STREAM, GOAWAY.
  uint32_t error_code = 0;
  // SETTINGS.
  std::vector<Setting> settings;
  // PING.
  std::array<uint8_t, 8> ping{};
  // GOAWAY.
  uint32_t last_stream_id = 0;
  // WINDOW_UPDATE (may be 0: the session decides stream or connection error).
  uint32_t window_increment = 0;
  // PUSH_PROMISE.
  uint32_t promised_stream_id = 0;
};

// CheckFrameHeader applies §4.2 (length vs |max_frame_size|, ours) and the
// per-type stream id and fixed-length rules. An oversized DATA or PRIORITY
// frame on a stream is a stream error (the session skips its payload); any
// other oversized known frame is a connection error; an oversized unknown
// frame is not an error (it is skipped unread).
H2Error CheckFrameHeader(const FrameHeader& header, uint32_t max_frame_size);

// DecodeFrame parses |payload| (header.length bytes) into *out after
// CheckFrameHeader passed.
H2Error DecodeFrame(const FrameHeader& header, absl::string_view payload, Frame* out);

// Encoders. |out| is appended to.
void AppendFrameHeader(const FrameHeader& header, std::string* out);
void AppendFrame(uint8_t type, uint8_t flags, uint32_t stream_id, absl::string_view payload,
                 std::string* out);
void AppendData(uint32_t stream_id, absl::string_view data, bool end_stream, std::string* out);
// AppendFieldBlock writes HEADERS (or PUSH_PROMISE when |promised_stream_id|
// is non-zero) and as many CONTINUATION frames as |max_frame_size| needs.
void AppendFieldBlock(uint32_t stream_id, absl::string_view block, bool end_stream,
                      uint32_t max_frame_size, std::string* out, uint32_t promised_stream_id = 0);
void AppendPriority(uint32_t stream_id, uint32_t dependency, uint8_t weight, bool exclusive,
                    std::string* out);
void AppendRstStream(uint32_t stream_id, uint32_t error_code, std::string* out);
void AppendSettings(absl::Span<const Setting> settings, std::string* out);
void AppendSettingsAck(std::string* out);
void AppendPing(bool ack, const std::array<uint8_t, 8>& opaque, std::string* out);
void AppendGoaway(uint32_t last_stream_id, uint32_t error_code, absl::string_view debug,
                  std::string* out);
void AppendWindowUpdate(uint32_t stream_id, uint32_t increment, std::string* out);

// SettingsPayload is the payload of a SETTINGS frame (6 bytes per entry),
// also used for the HTTP2-Settings header of h2c.
std::string SettingsPayload(absl::Span<const Setting> settings);

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ENGINE_FRAMES_FRAME_H_
