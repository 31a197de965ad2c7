// transfer.h — one request's journey: hops, connections, the response.
//
// A Transfer is the StreamSink of the exchange it runs. Its callbacks only
// record what happened and put the transfer on the runtime's ready queue;
// the Runtime's scheduler (runtime.cc) acts on it afterwards, outside any
// plugin call.
//
// What belongs to the current hop lives in one value, HopState, which is
// replaced whole when a hop starts (a redirect, a resend), so no field of an
// earlier hop can leak into the next.
#ifndef STRATA_RUNTIME_CLIENT_TRANSFER_H_
#define STRATA_RUNTIME_CLIENT_TRANSFER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/chain/connection.h"
#include "runtime/client/block_recycler.h"
#include "runtime/client/candidate_race.h"
#include "runtime/client/hop_planner.h"
#include "runtime/client/redirect.h"
#include "runtime/decoding/decoder_stack.h"
#include "runtime/http/message.h"
#include "runtime/loop/event_loop.h"
#include "strata/strata.h"

namespace strata {

class Runtime;

// HopRace: a hop's race between candidate chains (runtime_race.cc), while
// it runs. Each candidate is a plan of its own (today: an entry of a proxy
// list) and, once started, its connection, pooled under its fingerprint and
// set up for the racing transfer.
struct HopRace {
  struct Candidate {
    std::string label;  // "http://127.0.0.1:3128", "direct": for traces and errors
    std::optional<HopPlan> plan;  // none if the entry could not be planned
    Connection* conn = nullptr;   // once started, until it won or was closed
    strata_status status = STRATA_OK;  // why it lost, once it did
    // An HTTP/3 candidate: where it goes (an Alt-Svc alternative or the
    // origin); a failed QUIC handshake marks it broken in the Alt-Svc cache.
    bool quic = false;
  };
  HopRace(std::vector<Candidate> c, uint64_t stagger_ms, std::string key)
      : race(c.size(), stagger_ms), candidates(std::move(c)), memory_key(std::move(key)), stagger_ms(stagger_ms) {}
  std::string what = "the proxy list";  // "no way in <what> could connect"
  uint64_t remember_ms = 0;
  CandidateRace race;
  std::vector<Candidate> candidates;
  std::string memory_key;     // where the winner is remembered (WinnerMemory)
  uint64_t stagger_ms = 0;
  uint64_t started_ms = 0;
  EventLoop::TimerId timer = 0;  // the next stagger
};

// HopState: everything about the hop in progress.
struct HopState {
  PlanPtr plan;  // decided once per hop (waiting does not re-plan)
  uint64_t started_us = 0;
  uint64_t stream_opened_us = 0;
  uint64_t first_head_us = 0;        // the first response head (a 1xx too)
  uint64_t session_bytes_at_open = 0;  // the connection's count when the stream opened
  int64_t request_head_size = 0;     // the request head in HTTP/1 form
  int32_t http_version = 0;          // of the response head, 0 before one
  Connection* conn = nullptr;
  bool conn_reused = false;
  uint32_t stream_id = 0;
  bool head_seen = false;        // a final head arrived
  bool is_redirect = false;      // ... and it is a redirect we follow
  bool discard_body = false;
  bool finished = false;         // OnEnd seen
  bool failed = false;           // OnError seen
  LayerError error;
  std::string redirect_location;
  FieldBlock headers;            // of a redirect response
  int32_t status = 0;
  size_t body_offset = 0;        // memory body position
  int64_t body_sent = 0;
  bool body_again = false;       // the reader said STRATA_AGAIN
  bool absolute_form = false;    // this hop goes to a forwarding proxy
  std::string proxy_authorization;  // sent only on such hops
  // Undoes the final response's Content-Encoding (STRATA_OPT_ACCEPT_ENCODING).
  std::unique_ptr<DecoderStack> decoder;
  // The final response's status is one to retry (decided at its head, so
  // its body never reaches the application), with its Retry-After.
  bool retry_status = false;
  std::optional<int64_t> retry_after_s;
  std::string cookie_header;  // the Cookie field sent on this hop (lent to the head)
  bool strip_cookies = false;     // a policy stripped this hop's credentials
  bool handshake_checked = false; // the policies saw this hop's connection
  // A race between candidate chains, while it runs (then |conn| is null).
  std::unique_ptr<HopRace> race;
  // This hop took a remembered winner (its WinnerMemory key): if it fails
  // to connect, it is forgotten and the hop races again.
  std::string remembered_key;
};

class Transfer : public StreamSink {
 public:
  enum class Phase { kPending, kConnecting, kStreaming, kDone };

  // |request| is shared, not copied: it must not change while the transfer
  // lives.
  Transfer(Runtime* runtime, std::shared_ptr<const Request> request, void* user);
  ~Transfer() override;
  // One Transfer per request, ~3 KiB: freed blocks are reused.
  static void* operator new(size_t size) { return BlockRecycler<Transfer>::Take(size); }
  static void operator delete(void* p, size_t size) { BlockRecycler<Transfer>::Give(p, size); }

  Phase phase() const { return phase_; }
  bool done() const { return phase_ == Phase::kDone; }
  void* user() const { return user_; }
  // The C API's handle for this transfer (opaque here; null for transfers
  // the C API runs itself), so finding it needs no lookup table.
  void* api_handle() const { return api_handle_; }
  void set_api_handle(void* handle) { api_handle_ = handle; }
  uint64_t id() const { return id_; }
  strata_status result() const { return result_; }
  // error() is the failure of a finished transfer (an empty error
  // otherwise). Kept apart until needed: the C struct is 2 KiB, most of a
  // transfer's size, and most transfers never fail.
  const strata_error& error() const;
  Response* response() { return response_taken_ ? nullptr : &response_; }
  void MarkResponseTaken() { response_taken_ = true; }
  bool response_taken() const { return response_taken_; }

  // StreamSink.
  strata_status ReadBody(uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) override;
  strata_status OnHead(const strata_response_head& head) override;
  // CheckResumed holds a resumed transfer's final response (|status|) to
  // STRATA_OPT_RESUME_FROM; STRATA_E_RANGE (h_.error set) if it does not
  // continue where asked.
  strata_status CheckResumed(int status);
  strata_status OnData(const uint8_t* data, size_t len) override;
  // Deliver hands decoded body bytes to the writer or the collected body;
  // an error is also recorded in h_.error.
  strata_status Deliver(const uint8_t* data, size_t len);
  absl::Status DeliverDecoded(absl::string_view piece);
  void OnEnd(const strata_header* trailers, size_t count) override;
  void OnError(strata_status status, const std::string& layer, const std::string& message) override;

 private:
  friend class Runtime;

  // Fail finishes the transfer with |status|; the message gets the hop and
  // URL appended.
  void Fail(strata_status status, const std::string& layer, const std::string& message);
  void Succeed();
  // NewHop replaces the hop state (phase kPending, ready to plan); the hop
  // starts now, or at |now_us| when the caller has just read the clock
  // (outside a loop turn each reading is a clock call).
  void NewHop() { NewHop(MonotonicUs()); }
  void NewHop(uint64_t now_us);
  // StartDecoding sets up h_.decoder for the final response, if asked and
  // needed; STRATA_E_CONTENT_ENCODING (h_.error set) for a coding it cannot
  // undo.
  strata_status StartDecoding();
  // ConditionMet: a final response with |status| meets the request's time
  // condition (STRATA_OPT_IF_[UN]MODIFIED_SINCE), or there is none.
  bool ConditionMet(int status) const;
  // DecodeFailed records a decoder error in h_.error and returns its code.
  strata_status DecodeFailed(const absl::Status& status);

  Runtime* runtime_;
  std::shared_ptr<const Request> request_owner_;
  const Request& request_;  // *request_owner_
  void* user_;
  void* api_handle_ = nullptr;
  uint64_t id_;
  Phase phase_ = Phase::kPending;
  strata_status result_ = STRATA_AGAIN;
  std::unique_ptr<strata_error> error_;
  Response response_;
  bool response_taken_ = false;
  uint64_t started_us_ = 0;
  uint64_t last_progress_ms_ = 0;

  // Across hops.
  int32_t hop_ = 1;
  HopRequest hop_request_;
  std::vector<std::string> visited_;  // "METHOD URL" of every hop, for loop reports
  std::string previous_url_;          // the hop before this one ("" on the first)
  int32_t previous_status_ = 0;       // ... and its status
  bool body_dropped_ = false;
  bool retried_ = false;
  int not_processed_retries_ = 0;  // GOAWAY / REFUSED_STREAM resends
  // Retries (STRATA_OPT_RETRY): the attempt in progress, when the first
  // began, and the first hop's request to start over from (kept only when
  // retries are allowed).
  int attempt_ = 1;
  uint64_t first_started_us_ = 0;
  std::optional<HopRequest> first_hop_request_;
  int64_t delivered_ = 0;          // body bytes given to the writer this attempt
  bool force_new_connection_ = false;
  // A request the server did not process is never sent again on the
  // connection that refused it (its id); any other of the chain will do.
  uint64_t avoid_connection_ = 0;
  Connection* pinned_ = nullptr;   // low-level API: run on this connection only

  HopState h_;  // the current hop

  // Scheduling.
  bool queued_ = false;            // on the runtime's ready queue
  bool in_active_ = false;         // on the runtime's active list (below)
  Transfer* active_prev_ = nullptr;
  Transfer* active_next_ = nullptr;
  bool waiting_ = false;           // on the runtime's list waiting for capacity
  bool limited_ = false;           // on the runtime's list waiting under the connection limit
  bool in_done_ = false;           // on the runtime's done queue (not yet taken by NextDone)
  bool resume_seen_ = false;       // the application calls strata_transfer_resume
  EventLoop::TimerId timer_ = 0;
  EventLoop::TimerId again_timer_ = 0;  // retry of a paused reader (no resume seen)
  EventLoop::TimerId retry_timer_ = 0;  // the wait before the next attempt
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_TRANSFER_H_
