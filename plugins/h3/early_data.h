// early_data.h — which requests an h3 connection sends in 0-RTT, and what
// becomes of the requests opened before its handshake completed.
//
// With early_data on and a resumable session that allows it, the h3 layer
// reports its connection ready as soon as the 0-RTT keys are installed. A
// request opened then is either sent at once in 0-RTT (only when replaying
// it is harmless: GET, HEAD or OPTIONS without a body, RFC 9110 §9.2.2 and
// RFC 8470 §4) or held until the handshake completes. Once one request is
// held, every later one is held too: stream IDs are handed out in order
// (0, 4, 8, ...) and must stay the ones the host was given.
//
// When the handshake completes, the server has either accepted the early
// data (the held requests are submitted) or rejected it (ngtcp2 forgot
// every stream; all requests are submitted again, in the same order, so
// they get the same IDs). Nothing was delivered for a rejected request, so
// nothing is delivered twice.
//
// EarlyRequests has no I/O; the layer (h3_session.cc) acts on its answers.
#ifndef STRATA_PLUGINS_H3_EARLY_DATA_H_
#define STRATA_PLUGINS_H3_EARLY_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "strata/plugin.h"

namespace strata::h3 {

// MaySendEarly: GET, HEAD or OPTIONS with no request body.
bool MaySendEarly(const strata_request_head& head);

// OwnedHead is a copy of a request head that outlives OpenStream.
class OwnedHead {
 public:
  explicit OwnedHead(const strata_request_head& head);
  OwnedHead(const OwnedHead& other) : OwnedHead(other.head()) {}
  OwnedHead& operator=(const OwnedHead&) = delete;
  // head points into this object.
  strata_request_head head() const;
  const std::string& method() const { return method_; }

 private:
  std::string method_, scheme_, authority_, path_;
  std::vector<std::pair<std::string, std::string>> fields_;
  std::vector<strata_header> headers_;
  int64_t content_length_ = 0;
  uint32_t flags_ = 0;
};

class EarlyRequests {
 public:
  enum class Route { kEarly, kHold };
  struct Request {
    int64_t id;
    OwnedHead head;
    void* user;
    bool early;      // sent in 0-RTT
    bool cancelled;  // the host cancelled it before the handshake completed
  };

  // Decide where a request opened before the handshake completed goes.
  Route Decide(const strata_request_head& head) const;
  // NextId is the stream ID the next request gets (0, 4, 8, ...).
  int64_t NextId() const { return next_id_; }
  // Add records a request under NextId() with the route Decide gave.
  void Add(const strata_request_head& head, void* user, Route route);
  // Cancel marks request |id|; false when it is not one of ours.
  bool Cancel(int64_t id);
  bool Has(int64_t id) const;

  // ToSubmit is what to submit once the handshake completed, in stream ID
  // order: the held requests, and the early ones too when |rejected|.
  // Cancelled ones are listed (their stream IDs must still be taken).
  std::vector<const Request*> ToSubmit(bool rejected) const;
  size_t sent_early() const;
  size_t held() const;
  // Summary is the trace line: "0-RTT: 2 requests sent early, accepted".
  std::string Summary(bool rejected) const;
  void Clear();

 private:
  std::vector<Request> requests_;
  int64_t next_id_ = 0;
};

}  // namespace strata::h3

#endif  // STRATA_PLUGINS_H3_EARLY_DATA_H_
