// upgrade_layer.h — the "h2-upgrade" session layer: HTTP/2 over cleartext
// reached through the HTTP/1.1 Upgrade mechanism (RFC 7540 §3.2; deprecated
// by RFC 9113 §3.1, hence opt-in through its own pipeline).
//
// The connection starts as HTTP/1.1 (the h1 plugin's H1Session on this
// layer instance). Its first request, if it has no body, also carries
//   Connection: Upgrade, HTTP2-Settings
//   Upgrade: h2c
//   HTTP2-Settings: <base64url of our SETTINGS payload>
// A request with a body skips the upgrade, like curl: the server would have
// to read the whole body before switching, and a declined upgrade would
// then need the body twice. Only the first request asks, so the upgraded
// stream is stream 1 in both numberings.
//
//   101 with Upgrade: h2c  → the shared H2Session takes over: stream 1 is
//                           the request (half-closed, HEAD-ness kept), the
//                           bytes after the 101 are its first input, and
//                           later requests are multiplexed HTTP/2 streams.
//   any other final status → declined: the response is delivered over
//                           HTTP/1.1, the connection stays HTTP/1.1 with
//                           keep-alive (HOSTILE 6), and the origin is not
//                           asked again for decline_memory_ms.
//   101 without Upgrade: h2c, "HTTP/2 101", a 101 followed by anything but
//   a SETTINGS frame, or a 101 to a request that did not ask (HOSTILE 7,
//   63) → the request fails with STRATA_E_PROTOCOL and the connection ends.
#ifndef STRATA_PLUGINS_H2_UPGRADE_UPGRADE_LAYER_H_
#define STRATA_PLUGINS_H2_UPGRADE_UPGRADE_LAYER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "plugins/h1/h1_session.h"
#include "plugins/h2/layer/h2_session.h"
#include "plugins/h2/layer/layer_options.h"
#include "strata/sdk.hpp"

namespace strata::h2 {

// DeclineMemory remembers, process-wide, which origins declined an h2c
// upgrade recently (the plugin is shared by every runtime in the process).
// Thread-safe; bounded in size.
class DeclineMemory {
 public:
  static DeclineMemory& Instance();
  // Declined records that |origin| declined at |now_ms|, remembered until
  // now_ms + |memory_ms|.
  void Declined(const std::string& origin, uint64_t now_ms, uint64_t memory_ms);
  // RecentlyDeclined: |origin| declined and the memory has not expired.
  bool RecentlyDeclined(const std::string& origin, uint64_t now_ms);
  void Clear();
};

class UpgradeLayer : public sdk::SessionLayer, private h1::UpgradeHandler {
 public:
  // Options: the shared HTTP/2 options (layer_options.h), the h1 options,
  // and decline_memory_ms (default 3600000; 0 remembers nothing).
  UpgradeLayer(strata_layer_ctx* ctx, const strata_layer_config* config);

  strata_status Connect(int* done) override;
  uint32_t Capacity() override;
  strata_status OpenStream(const strata_request_head* head, void* user,
                           uint32_t* out_id) override;
  strata_status CancelStream(uint32_t id) override;
  strata_status Progress() override;
  uint32_t PollInterest() override;
  bool IsReusable() override;
  strata_status Query(uint32_t q, void* out, size_t* len) override;
  strata_status Shutdown(int* done) override;

 private:
  enum class State {
    kFresh,     // no request yet: the first one may ask
    kAsked,     // the upgrade request is out, no final answer yet
    kUpgraded,  // HTTP/2 from here on
    kDeclined,  // the server answered without switching
    kSkipped,   // not asked on this connection (body, own Upgrade field,
                // or the origin declined recently)
  };

  // h1::UpgradeHandler.
  strata_status OnSwitchingProtocols(void* user, const h1::ResponseHead& head,
                                     std::string_view rest, std::string* message) override;
  void OnUpgradeDeclined(void* user, int status) override;

  std::string Describe();

  std::string origin_;
  H2LayerOptions options_;
  uint64_t decline_memory_ms_;
  State state_ = State::kFresh;
  bool head_request_ = false;
  std::unique_ptr<h1::H1Session> h1_;
  std::unique_ptr<H2Session> h2_;
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_UPGRADE_UPGRADE_LAYER_H_
