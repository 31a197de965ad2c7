// h1_session.h — the HTTP/1.1 client session (RFC 9112) as an SDK
// SessionLayer: one exchange at a time over the byte stream below, no
// pipelining.
//
// The "h1" plugin (plugin.cc) exposes it as a layer type. The h2-alpn and
// h2-upgrade plugins link it too and run it on their own layer instance
// (same strata_layer_ctx) when a connection ends up speaking HTTP/1.1: ALPN
// chose http/1.1, or the server declined an h2c upgrade. For h2c, an
// UpgradeHandler takes the connection over when a 101 arrives.
//
// Data path and memory: the request head is serialized once into a string;
// request body bytes are pulled from the application straight into a fixed
// send buffer, with room in front for a chunk-size line so chunked framing
// costs no copy; response bytes are read into a fixed receive buffer and body
// bytes are delivered as views into it. Memory stays constant whatever the
// body sizes.
//
// Reuse: the connection is reusable until anything casts doubt on where the
// next response would start: the response said so (Connection: close,
// HTTP/1.0, read-until-close, doubtful framing), bytes followed a complete
// response (HOSTILE 68), the response came before the request was fully sent,
// the request asked for close, an exchange was cancelled, or anything failed.
#ifndef STRATA_PLUGINS_H1_H1_SESSION_H_
#define STRATA_PLUGINS_H1_H1_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/h1/request_writer.h"
#include "plugins/h1/response_parser.h"
#include "strata/sdk.hpp"

namespace strata::h1 {

// UpgradeHandler is told what became of a request that asked for a
// protocol upgrade (it carried an Upgrade header field).
class UpgradeHandler {
 public:
  virtual ~UpgradeHandler() = default;
  // OnSwitchingProtocols replaces the delivery of a 101 to |user|: |head| is
  // the 101 (views valid for this call only) and |rest| the bytes that came
  // after it in the same read, which belong to the new protocol. From here
  // on the h1 session neither reads nor mentions |user|: the handler owns
  // the exchange and the connection. A negative return fails the exchange
  // and the connection with |*message| (e.g. a 101 to the wrong protocol).
  virtual strata_status OnSwitchingProtocols(void* user, const ResponseHead& head,
                                             std::string_view rest, std::string* message) = 0;
  // OnUpgradeDeclined: the final response to the request was not a 101. It
  // is then delivered as usual and the connection stays HTTP/1.1.
  virtual void OnUpgradeDeclined(void* user, int status) = 0;
};

class H1Session : public sdk::SessionLayer {
 public:
  // Options (JSON, via the layer's options): max_header_bytes,
  // max_header_line_bytes, max_header_count, max_1xx_bytes; an invalid value
  // throws sdk::Error(STRATA_E_CONFIG). |config| is not kept.
  H1Session(strata_layer_ctx* ctx, const strata_layer_config* config);

  strata_status Connect(int* done) override;
  uint32_t Capacity() override;
  strata_status OpenStream(const strata_request_head* head, void* user,
                           uint32_t* out_id) override;
  strata_status CancelStream(uint32_t id) override;
  strata_status Progress() override;
  uint32_t PollInterest() override;
  bool IsReusable() override;
  strata_status Query(uint32_t q, void* out, size_t* len) override;

  // set_upgrade_handler routes 101 answers to upgrade requests to |handler|
  // (borrowed; nullptr: 101s are delivered like other heads).
  void set_upgrade_handler(UpgradeHandler* handler) { upgrade_handler_ = handler; }
  // switched: a 101 handed the connection to the upgrade handler.
  bool switched() const { return switched_; }
  // MarkConnected is for a session created on a byte stream that is already
  // connected (its owner ran LowerConnect), so Connect need not be called.
  void MarkConnected() { connected_ = true; }

 private:
  struct Exchange {
    // A user-provided constructor: clang cannot tell that a nested class
    // with default member initializers is default-constructible inside the
    // enclosing class, so std::optional<Exchange>::emplace() failed to
    // compile with clang (the --config=fuzz build).
    Exchange() {}
    void* user = nullptr;
    uint32_t id = 0;
    std::unique_ptr<ResponseParser> parser;
    RequestBodyFraming body_framing = RequestBodyFraming::kNone;
    uint64_t body_declared = 0;
    uint64_t body_pulled = 0;
    bool body_done = false;     // the source ended; everything is queued
    bool body_blocked = false;  // the source had nothing the last time
    bool sending = true;        // the request is not fully written yet
    bool request_close = false;
    bool upgrade_requested = false;
  };

  size_t SizeOption(const char* key, size_t fallback) const;
  bool HasPendingOutput() const {
    return head_off_ < head_out_.size() || body_begin_ < body_end_;
  }
  // Fatal records a connection failure, tells the open stream, and returns
  // |status| for progress() to return.
  strata_status Fatal(strata_status status, const std::string& message);
  // AbortedByApplication: a head/data callback returned |rc| < 0. The host
  // already knows, so the stream gets no further callback; the connection is
  // mid-response and unusable.
  strata_status AbortedByApplication(strata_status rc);
  strata_status ProgressIdle();
  // PumpSend writes queued output and pulls more body until the lower layer
  // or the body source would block, or the request is complete.
  strata_status PumpSend(bool* progressed);
  strata_status BodyError(const std::string& message) { return Fatal(STRATA_E_BODY, message); }
  // PullBody asks the application for the next piece of the request body
  // and queues it, framed, in body_buf_.
  strata_status PullBody(bool* progressed);
  strata_status PumpRecv(bool* progressed);
  strata_status HandleEof();
  // NoProtocolAgreedHint is what HandleEof adds to an empty reply that
  // suggests an HTTP/2-only server, or "".
  std::string NoProtocolAgreedHint();
  strata_status Consume(std::string_view in);
  // SwitchProtocols hands the connection to upgrade_handler_ after a 101;
  // |rest| is what followed the 101 head.
  strata_status SwitchProtocols(std::string_view rest);
  strata_status DeliverParsedHead(const Exchange& ex);
  // FinishExchange ends the exchange after the parser reported kEnd;
  // |leftover| is what followed the message in the same read.
  strata_status FinishExchange(std::string_view leftover);

  ResponseParserLimits limits_;
  std::unique_ptr<uint8_t[]> recv_buf_;
  // body_buf_: [chunk-size room][body bytes][CRLF + last chunk room]; the
  // queued output is body_buf_[body_begin_, body_end_).
  std::unique_ptr<uint8_t[]> body_buf_;
  size_t body_begin_ = 0;
  size_t body_end_ = 0;
  std::string head_out_;
  size_t head_off_ = 0;
  std::vector<strata_header> fields_;  // the head being delivered (views into the parser)
  // The parser of the last finished exchange, reset for the next one.
  std::unique_ptr<ResponseParser> spare_parser_;

  std::optional<Exchange> exchange_;
  uint32_t next_id_ = 1;
  bool connected_ = false;
  bool reusable_ = true;
  bool failed_ = false;
  strata_status failed_status_ = STRATA_OK;
  std::string failed_message_;
  strata_status send_error_ = STRATA_OK;
  UpgradeHandler* upgrade_handler_ = nullptr;
  bool switched_ = false;
};

}  // namespace strata::h1

#endif  // STRATA_PLUGINS_H1_H1_SESSION_H_
