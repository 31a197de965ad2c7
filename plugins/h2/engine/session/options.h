// options.h — what a ClientSession advertises and what it tolerates, with
// the defaults documented in ../README.md.
#ifndef STRATA_PLUGINS_H2_ENGINE_SESSION_OPTIONS_H_
#define STRATA_PLUGINS_H2_ENGINE_SESSION_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "plugins/h2/engine/frames/frame.h"

namespace strata::h2 {

struct SessionOptions {
  // --- Our SETTINGS (RFC 9113 §6.5.2). ENABLE_PUSH is always 0.
  uint32_t header_table_size = 4096;
  // Server-initiated streams we allow; with push off no server may open any.
  uint32_t max_concurrent_streams = 100;
  // Per-stream receive window (SETTINGS_INITIAL_WINDOW_SIZE), 32 MiB: a
  // 1 Gbit/s × 250 ms path fits in one window.
  uint32_t stream_window = 32 << 20;
  // Connection receive window, raised with WINDOW_UPDATE right after the
  // preface: 64 MiB, so two streams can run at full window.
  uint32_t connection_window = 64 << 20;
  // Largest frame payload we accept (SETTINGS_MAX_FRAME_SIZE).
  uint32_t max_frame_size = kDefaultMaxFrameSize;
  // Decoded response header list limit (SETTINGS_MAX_HEADER_LIST_SIZE),
  // counted as name + value + 32 per field.
  uint32_t max_header_list_size = 256 << 10;

  // --- Limits on what the server controls.
  // CONTINUATION frames after one HEADERS/PUSH_PROMISE (nghttp2: 8).
  uint32_t max_continuation_frames = 8;
  // Encoded bytes of one field block across its frames.
  size_t max_header_block_bytes = 256 << 10;
  // Decoded bytes of all 1xx heads of one response (like h1's limit).
  size_t max_informational_bytes = 300 << 10;
  // Entries in one SETTINGS frame (nghttp2: 32).
  uint32_t max_settings_entries = 32;
  // Reactive frames (SETTINGS ACK, PING ACK, RST_STREAM) queued in our
  // output and not yet written (nghttp2: 1000).
  uint32_t max_queued_control_frames = 1000;
  // Glitch budget: empty DATA without END_STREAM, unknown frames, frames on
  // closed streams, empty field-block fragments, unsolicited PING ACKs
  // (nghttp2: burst 10000, 330/s).
  uint32_t glitch_burst = 10000;
  double glitch_per_second = 330;
  // RST_STREAMs the server's behaviour makes us send (MadeYouReset).
  uint32_t induced_reset_burst = 1000;
  double induced_reset_per_second = 33;
  // MAX_CONCURRENT_STREAMS assumed until the server's SETTINGS arrive.
  uint32_t initial_peer_max_concurrent_streams = 100;

  // --- Our own pace (Rapid Reset, CVE-2023-44487): RST_STREAMs from
  // ResetStream beyond this budget are delayed, never dropped.
  uint32_t cancel_burst = 200;
  double cancel_per_second = 20;

  // --- Timeouts, read from the Clock; absl::InfiniteDuration() disables.
  absl::Duration settings_ack_timeout = absl::Seconds(10);  // → SETTINGS_TIMEOUT
  absl::Duration ping_timeout = absl::Seconds(20);          // a PING we sent, unanswered
  absl::Duration keepalive_interval = absl::InfiniteDuration();  // PING after this much silence
  // Final response head after the request was fully sent (first byte).
  absl::Duration response_header_timeout = absl::InfiniteDuration();
  // A request body blocked by a flow-control window <= 0.
  absl::Duration send_stall_timeout = absl::Seconds(60);
  // How long frames on a stream we reset are silently ignored (§5.1).
  absl::Duration reset_stream_grace = absl::Seconds(30);
  // Closed streams remembered for the rules above.
  size_t max_closed_streams_remembered = 1024;

  // Request body bytes are pulled only while less than this much output
  // waits to be written, which bounds buffering when the peer stops reading.
  size_t output_buffer_limit = 64 << 10;
};

// LocalSettings is the SETTINGS payload we send for |options|.
std::vector<Setting> LocalSettings(const SessionOptions& options);

// Http2SettingsHeaderValue is the HTTP2-Settings header value for an h2c
// upgrade request (RFC 7540 §3.2.1): our SETTINGS payload in base64url
// without padding.
std::string Http2SettingsHeaderValue(const SessionOptions& options);

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ENGINE_SESSION_OPTIONS_H_
