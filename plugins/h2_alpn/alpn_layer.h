// alpn_layer.h — the "h2-alpn" session layer: HTTP/2 when the TLS layer
// below negotiated "h2" (RFC 9113 §3.2), otherwise HTTP/1.1 on the same
// connection; and its sibling "h2", which speaks HTTP/2 from the first byte
// (prior knowledge, §3.3) over any byte stream, e.g. cleartext tcp.
//
// The protocol is chosen once, in Connect(), after the layer below is
// connected: ALPN "h2" → the shared H2Session (plugins/h2/layer); "http/1.1",
// no ALPN, or anything else → the h1 plugin's H1Session, running on this
// same layer instance. Without "h2" the HTTP/2 preface is never sent
// (HOSTILE 2). Every hook then goes to the chosen session.
#ifndef STRATA_PLUGINS_H2_ALPN_ALPN_LAYER_H_
#define STRATA_PLUGINS_H2_ALPN_ALPN_LAYER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "plugins/h1/h1_session.h"
#include "plugins/h2/layer/h2_session.h"
#include "plugins/h2/layer/layer_options.h"
#include "strata/sdk.hpp"

namespace strata::h2 {

class AlpnLayer : public sdk::SessionLayer {
 public:
  // Options: the shared HTTP/2 options (layer_options.h), the h1 options
  // for the fallback, and prior_knowledge (bool, default false; always true
  // for the "h2" layer type).
  AlpnLayer(strata_layer_ctx* ctx, const strata_layer_config* config);

  strata_status Connect(int* done) override;
  uint32_t Capacity() override;
  strata_status OpenStream(const strata_request_head* head, void* user,
                           uint32_t* out_id) override;
  strata_status CancelStream(uint32_t id) override;
  strata_status Progress() override;
  uint32_t PollInterest() override;
  bool IsReusable() override;
  strata_status Query(uint32_t q, void* out, size_t* len) override;
  // Control goes to the chosen session (the h2 one takes
  // STRATA_CONTROL_STREAM_CONSUMED for its tunnel streams).
  strata_status Control(uint32_t c, const void* arg, size_t len) override;
  strata_status Shutdown(int* done) override;

 private:
  // Choose picks the protocol once the byte stream is up.
  void Choose();
  // Active is the chosen session, or nullptr before Connect chose one.
  sdk::SessionLayer* Active() const;

  std::string layer_name_;
  std::string host_;
  uint16_t port_;
  int32_t hop_;
  H2LayerOptions options_;
  bool prior_knowledge_;
  bool lower_connected_ = false;
  std::unique_ptr<H2Session> h2_;
  std::unique_ptr<h1::H1Session> h1_;
};

// PriorKnowledgeLayer is the "h2" layer type: AlpnLayer with prior_knowledge
// always on. A type of its own because the SDK keys layer types by class.
class PriorKnowledgeLayer : public AlpnLayer {
 public:
  using AlpnLayer::AlpnLayer;
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ALPN_ALPN_LAYER_H_
