#include "plugins/h2_alpn/alpn_layer.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace strata::h2 {

AlpnLayer::AlpnLayer(strata_layer_ctx* ctx, const strata_layer_config* config)
    : SessionLayer(ctx),
      layer_name_(config && config->layer_name ? config->layer_name : "h2-alpn"),
      host_(config && config->host ? config->host : ""),
      port_(config ? config->port : 0),
      hop_(config ? config->hop : 0),
      options_(ReadH2LayerOptions(*this)),
      prior_knowledge_(layer_name_ == "h2" ||
                       ReadBoolOption(*this, "h2-alpn", "prior_knowledge", false)) {}

void AlpnLayer::Choose() {
  if (prior_knowledge_) {
    Log(STRATA_LOG_INFO, "HTTP/2 with prior knowledge: sending the preface");
    h2_ = std::make_unique<H2Session>(ctx(), options_);
    return;
  }
  char alpn[64] = {0};
  size_t len = sizeof(alpn);
  std::string protocol;
  if (LowerQuery(STRATA_QUERY_ALPN, alpn, &len) == STRATA_OK && len > 0 && len <= sizeof(alpn)) {
    protocol.assign(alpn, strnlen(alpn, len));
  }
  if (protocol == "h2") {
    Log(STRATA_LOG_INFO, "ALPN: h2");
    h2_ = std::make_unique<H2Session>(ctx(), options_);
    return;
  }
  // No ALPN (a server without it, or no TLS below), http/1.1, or a protocol
  // we do not speak: HTTP/1.1, and never the HTTP/2 preface (HOSTILE 2).
  Log(STRATA_LOG_INFO, protocol.empty()      ? "ALPN: none, using HTTP/1.1"
                       : protocol == "http/1.1" ? "ALPN: http/1.1, using HTTP/1.1"
                                                : absl::StrCat("ALPN: ", protocol,
                                                               " is not supported, using HTTP/1.1"));
  strata_layer_config config{};
  config.struct_size = sizeof(config);
  config.layer_name = layer_name_.c_str();
  config.options_json = "{}";  // H1Session reads options through the host
  config.host = host_.c_str();
  config.port = port_;
  config.hop = hop_;
  h1_ = std::make_unique<h1::H1Session>(ctx(), &config);
  h1_->MarkConnected();
}

sdk::SessionLayer* AlpnLayer::Active() const {
  if (h2_) return h2_.get();
  return h1_.get();
}

strata_status AlpnLayer::Connect(int* done) {
  *done = 0;
  if (!lower_connected_) {
    int lower_done = 0;
    strata_status st = LowerConnect(&lower_done);
    if (st != STRATA_OK || !lower_done) return st;
    lower_connected_ = true;
    Choose();
  }
  if (h1_) {
    *done = 1;
    return STRATA_OK;
  }
  return h2_->Connect(done);
}

uint32_t AlpnLayer::Capacity() {
  sdk::SessionLayer* s = Active();
  return s ? s->Capacity() : 0;
}

strata_status AlpnLayer::OpenStream(const strata_request_head* head, void* user,
                                    uint32_t* out_id) {
  sdk::SessionLayer* s = Active();
  if (!s) return Fail(STRATA_E_STATE, "h2-alpn: open_stream before connect finished");
  return s->OpenStream(head, user, out_id);
}

strata_status AlpnLayer::CancelStream(uint32_t id) {
  sdk::SessionLayer* s = Active();
  return s ? s->CancelStream(id) : STRATA_OK;
}

strata_status AlpnLayer::Progress() {
  sdk::SessionLayer* s = Active();
  if (!s) return Fail(STRATA_E_STATE, "h2-alpn: progress before connect finished");
  return s->Progress();
}

uint32_t AlpnLayer::PollInterest() {
  sdk::SessionLayer* s = Active();
  // Still connecting below: whatever its handshake needs.
  return s ? s->PollInterest() : LowerPollInterest(STRATA_POLL_READ | STRATA_POLL_WRITE);
}

bool AlpnLayer::IsReusable() {
  sdk::SessionLayer* s = Active();
  return s && s->IsReusable();
}

strata_status AlpnLayer::Query(uint32_t q, void* out, size_t* len) {
  if (q == STRATA_QUERY_DESCRIBE) {
    if (h2_) return AnswerText(h2_->Describe(), out, len);
    if (h1_) return AnswerText("h1 (ALPN fallback)", out, len);
    return AnswerText(layer_name_, out, len);
  }
  sdk::SessionLayer* s = Active();
  if (q == STRATA_QUERY_HTTP_VERSION && !s) return AnswerInt(prior_knowledge_ ? 20 : 11, out, len);
  return s ? s->Query(q, out, len) : LowerQuery(q, out, len);
}

strata_status AlpnLayer::Control(uint32_t c, const void* arg, size_t len) {
  if (h2_) return h2_->Control(c, arg, len);
  // HTTP/1.1 carries no tunnel streams: nothing to acknowledge.
  if (c == STRATA_CONTROL_STREAM_CONSUMED) return STRATA_OK;
  return LowerControl(c, arg, len);
}

strata_status AlpnLayer::Shutdown(int* done) {
  sdk::SessionLayer* s = Active();
  if (!s) {
    *done = 1;
    return STRATA_OK;
  }
  return s->Shutdown(done);
}

}  // namespace strata::h2
