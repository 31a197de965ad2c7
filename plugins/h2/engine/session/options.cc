#include "plugins/h2/engine/session/options.h"

#include "absl/strings/escaping.h"

namespace strata::h2 {

std::vector<Setting> LocalSettings(const SessionOptions& o) {
  std::vector<Setting> s;
  if (o.header_table_size != 4096) s.push_back({kSettingsHeaderTableSize, o.header_table_size});
  s.push_back({kSettingsEnablePush, 0});
  s.push_back({kSettingsMaxConcurrentStreams, o.max_concurrent_streams});
  s.push_back({kSettingsInitialWindowSize, o.stream_window});
  if (o.max_frame_size != kDefaultMaxFrameSize) s.push_back({kSettingsMaxFrameSize, o.max_frame_size});
  s.push_back({kSettingsMaxHeaderListSize, o.max_header_list_size});
  // RFC 9218 §2.1: we neither send nor act on RFC 7540 priorities.
  s.push_back({kSettingsNoRfc7540Priorities, 1});
  return s;
}

std::string Http2SettingsHeaderValue(const SessionOptions& options) {
  return absl::WebSafeBase64Escape(SettingsPayload(LocalSettings(options)));
}

}  // namespace strata::h2
