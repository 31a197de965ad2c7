// transfer.h — one request's journey: hops, connections, the response.
//
// A Transfer is the StreamSink of the exchange it runs. Its callbacks only
// record what happened; the Runtime's scheduler (runtime.cc) acts on it
// afterwards, outside any plugin call.
#ifndef STRATA_RUNTIME_CLIENT_TRANSFER_H_
#define STRATA_RUNTIME_CLIENT_TRANSFER_H_

#include <cstdint>
#include <string>

#include "runtime/chain/connection.h"
#include "runtime/client/redirect.h"
#include "runtime/http/message.h"
#include "runtime/loop/event_loop.h"
#include "strata/strata.h"

namespace strata {

class Runtime;

class Transfer : public StreamSink {
 public:
  enum class Phase { kPending, kConnecting, kStreaming, kDone };

  Transfer(Runtime* runtime, Request request, void* user);
  ~Transfer() override;

  Phase phase() const { return phase_; }
  bool done() const { return phase_ == Phase::kDone; }
  void* user() const { return user_; }
  strata_status result() const { return result_; }
  const strata_error& error() const { return error_; }
  Response* response() { return response_taken_ ? nullptr : &response_; }
  void MarkResponseTaken() { response_taken_ = true; }
  bool response_taken() const { return response_taken_; }

  // StreamSink.
  strata_status ReadBody(uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) override;
  strata_status OnHead(const strata_response_head& head) override;
  strata_status OnData(const uint8_t* data, size_t len) override;
  void OnEnd(const strata_header* trailers, size_t count) override;
  void OnError(strata_status status, const std::string& layer, const std::string& message) override;

 private:
  friend class Runtime;

  // Fail finishes the transfer with |status|; the message gets the hop and
  // URL appended.
  void Fail(strata_status status, const std::string& layer, const std::string& message);
  void Succeed();
  void ResetHopState();

  Runtime* runtime_;
  Request request_;
  void* user_;
  Phase phase_ = Phase::kPending;
  strata_status result_ = STRATA_AGAIN;
  strata_error error_{};
  Response response_;
  bool response_taken_ = false;
  uint64_t started_us_ = 0;

  // The current hop.
  int32_t hop_ = 1;
  HopRequest hop_request_;
  std::vector<std::string> visited_;  // "METHOD URL" of every hop, for loop reports
  bool body_dropped_ = false;
  size_t body_offset_ = 0;        // memory body position
  int64_t body_sent_ = 0;
  bool body_again_ = false;       // the reader said STRATA_AGAIN
  bool resume_seen_ = false;      // the application calls strata_transfer_resume
  EventLoop::TimerId again_timer_ = 0;  // retry of a paused reader (no resume seen)
  Connection* conn_ = nullptr;
  bool conn_reused_ = false;
  uint32_t stream_id_ = 0;
  bool head_seen_ = false;        // a final head arrived on this hop
  bool hop_is_redirect_ = false;
  bool discard_body_ = false;
  bool hop_finished_ = false;     // OnEnd seen
  bool hop_failed_ = false;       // OnError seen
  LayerError hop_error_;
  bool retried_ = false;
  int not_processed_retries_ = 0;  // GOAWAY / REFUSED_STREAM resends
  bool force_new_connection_ = false;
  uint64_t hop_started_us_ = 0;
  uint64_t stream_opened_us_ = 0;
  uint64_t last_progress_ms_ = 0;
  std::string redirect_location_;
  Headers hop_headers_;
  int32_t hop_status_ = 0;
  bool absolute_form_ = false;         // this hop goes to a forwarding proxy
  std::string proxy_authorization_;    // sent only on such hops
  EventLoop::TimerId timer_ = 0;
  Connection* pinned_ = nullptr;  // low-level API: run on this connection only
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_TRANSFER_H_
