#include "plugins/fault/fault_layer.h"

#include <algorithm>
#include <cstring>
#include <random>

#include "absl/strings/str_cat.h"

namespace strata::fault {
namespace {

// One read from below: enough for a TLS record, small enough that a held
// piece stays cheap.
constexpr size_t kPieceSize = 16 * 1024;

std::string ErrnoText(int error) {
  std::string text = std::strerror(error);
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z' && (text.size() < 2 || text[1] < 'A' || text[1] > 'Z')) {
    text[0] = static_cast<char>(text[0] - 'A' + 'a');
  }
  return text;
}

}  // namespace

FaultLayer::FaultLayer(strata_layer_ctx* ctx, const strata_layer_config* config) : ByteStreamLayer(ctx) {
  absl::StatusOr<FaultOptions> parsed = ParseFaultOptions(config->options_json ? config->options_json : "{}");
  if (!parsed.ok()) throw sdk::Error(STRATA_E_CONFIG, std::string(parsed.status().message()));
  options_ = *std::move(parsed);
  hop_ = config->hop;
  if (!options_.seed && options_.jitter_ms > 0) {
    // Jitter without a seed still replays: the drawn seed is logged.
    std::random_device rd;
    const uint64_t seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    options_.seed = seed;
    options_.prng = Prng(seed);
  }
  const uint64_t now = NowMs();
  if (options_.rate_in) in_bucket_.emplace(options_.rate_in, now);
  if (options_.rate_out) out_bucket_.emplace(options_.rate_out, now);
  if (options_.duplicate_in) duplicator_.emplace(*options_.duplicate_in);
}

void FaultLayer::Once(const std::string& what, const std::string& message) {
  if (logged_.insert(what).second) Log(STRATA_LOG_INFO, message);
}

uint64_t FaultLayer::Delay(uint64_t base) {
  if (base == 0) return 0;
  return base + (options_.jitter_ms ? options_.prng.Uniform(0, options_.jitter_ms) : 0);
}

uint64_t FaultLayer::Before(const std::optional<uint64_t>& limit, uint64_t passed) {
  if (!limit) return UINT64_MAX;
  return *limit > passed ? *limit - passed : 0;
}

void FaultLayer::Rearm() {
  const uint64_t now = NowMs();
  uint64_t earliest = 0;
  auto consider = [&](uint64_t deadline) {
    if (deadline > now && (!earliest || deadline < earliest)) earliest = deadline;
  };
  if (!lower_up_ || connect_ready_ms_) consider(connect_ready_ms_);
  if (held_off_ < held_.size()) consider(release_ms_);
  consider(in_wait_ms_);
  consider(write_ready_ms_);
  consider(out_wait_ms_);
  // A deadline already past still needs a turn of the loop.
  WakeAt(earliest ? earliest : now);
}

strata_status FaultLayer::Refuse() {
  const Refusal& r = *options_.refuse;
  Once("refuse", absl::StrCat("refusing the connection with ", r.name, " (refuse)"));
  return Fail(r.status, absl::StrCat("connect failed: ", r.name, " (", ErrnoText(r.error),
                                     "), injected by the fault layer (refuse=", r.name, ")"));
}

strata_status FaultLayer::Connect(int* done) {
  *done = 0;
  if (logged_.insert("options").second) {
    std::string text = absl::StrCat("hop ", hop_, ": ", options_.Summary());
    if (!options_.random_choices.empty()) {
      absl::StrAppend(&text, " (random from seed ", *options_.seed, ":");
      for (const std::string& c : options_.random_choices) absl::StrAppend(&text, " ", c);
      absl::StrAppend(&text, ")");
    }
    Log(STRATA_LOG_INFO, text);
  }
  if (options_.refuse) return Refuse();
  if (!lower_up_) {
    int lower_done = 0;
    strata_status st = LowerConnect(&lower_done);
    if (st != STRATA_OK) return st;
    if (!lower_done) return STRATA_AGAIN;
    lower_up_ = true;
    if (options_.connect_delay_ms) {
      connect_ready_ms_ = NowMs() + Delay(options_.connect_delay_ms);
      Once("connect_delay", absl::StrCat("delaying the connect by ", connect_ready_ms_ - NowMs(),
                                         " ms (connect_delay_ms)"));
    }
  }
  if (connect_ready_ms_ && NowMs() < connect_ready_ms_) {
    Rearm();
    return STRATA_AGAIN;
  }
  connect_ready_ms_ = 0;
  *done = 1;
  return STRATA_OK;
}

FaultLayer::InState FaultLayer::InboundState(uint64_t now) {
  if (Before(options_.reset_after_in, in_passed_) == 0) return InState::kReset;
  if (Before(options_.close_after_in, in_passed_) == 0) return InState::kEnd;
  if (Before(options_.stall_after_in, in_passed_) == 0) return InState::kStalled;
  if (held_off_ < held_.size()) {
    if (release_ms_ > now) return InState::kWaitTime;
    if (in_bucket_ && in_bucket_->Available(now) == 0) {
      in_wait_ms_ = now + in_bucket_->MsUntilAvailable();
      return InState::kWaitTime;
    }
    return InState::kDeliver;
  }
  return lower_eof_ ? InState::kEnd : InState::kNeedLower;
}

strata_status FaultLayer::FillFromBelow() {
  uint8_t piece[kPieceSize];
  size_t n = 0;
  strata_status st = LowerRecv(piece, sizeof(piece), &n);
  if (st != STRATA_OK) return st;  // AGAIN, or the layer below's error
  if (n == 0) {
    lower_eof_ = true;
    return STRATA_OK;
  }
  if (options_.corrupt_in && CorruptPiece(*options_.corrupt_in, in_raw_, piece, n) > 0) {
    Once("corrupt_in", absl::StrCat("corrupting inbound bytes ", options_.corrupt_in->offset, "..",
                                    options_.corrupt_in->end() - 1, " (corrupt_in)"));
  }
  in_raw_ += n;
  held_.clear();
  held_off_ = 0;
  if (duplicator_) {
    if (duplicator_->Feed(piece, n, &held_)) {
      Once("duplicate_in", absl::StrCat("delivering inbound bytes ", options_.duplicate_in->offset, "..",
                                        options_.duplicate_in->end() - 1, " twice (duplicate_in)"));
    }
  } else {
    held_.assign(reinterpret_cast<const char*>(piece), n);
  }
  if (options_.read_delay_ms) {
    const uint64_t delay = Delay(options_.read_delay_ms);
    release_ms_ = NowMs() + delay;
    Once("read_delay", absl::StrCat("delaying each read by ", options_.read_delay_ms, " ms",
                                    options_.jitter_ms ? absl::StrCat(" + 0..", options_.jitter_ms, " ms jitter") : "",
                                    " (read_delay_ms)"));
  }
  return STRATA_OK;
}

strata_status FaultLayer::Recv(uint8_t* buf, size_t cap, size_t* out_read) {
  *out_read = 0;
  if (cap == 0) return Fail(STRATA_E_INVALID_ARGUMENT, "recv into a zero-byte buffer");
  // Twice at most: a piece read from below is handed up in the same call.
  for (int round = 0; round < 2; ++round) {
    const uint64_t now = NowMs();
    switch (InboundState(now)) {
      case InState::kReset:
        Once("reset_after_in",
             absl::StrCat("resetting the connection after ", in_passed_, " bytes in (reset_after_in)"));
        return Fail(STRATA_E_CLOSED, absl::StrCat("connection reset by peer, injected by the fault layer after ",
                                                  in_passed_, " bytes (reset_after_in=", *options_.reset_after_in,
                                                  ")"));
      case InState::kEnd:
        if (Before(options_.close_after_in, in_passed_) == 0) {
          Once("close_after_in",
               absl::StrCat("ending the stream after ", in_passed_, " bytes in (close_after_in)"));
        }
        return STRATA_OK;
      case InState::kStalled:
        Once("stall_after_in", absl::StrCat("stalling the stream after ", in_passed_,
                                            " bytes in, without closing (stall_after_in)"));
        return STRATA_AGAIN;
      case InState::kWaitTime:
        Rearm();
        return STRATA_AGAIN;
      case InState::kNeedLower: {
        strata_status st = FillFromBelow();
        if (st != STRATA_OK) return st;
        continue;
      }
      case InState::kDeliver: {
        uint64_t n = std::min<uint64_t>(cap, held_.size() - held_off_);
        if (options_.chunk) n = std::min(n, options_.chunk);
        n = std::min({n, Before(options_.close_after_in, in_passed_), Before(options_.reset_after_in, in_passed_),
                      Before(options_.stall_after_in, in_passed_)});
        if (in_bucket_) {
          n = std::min(n, in_bucket_->Available(now));
          in_bucket_->Take(n);
          Once("rate_in", absl::StrCat("capping inbound bytes at ", options_.rate_in, " bytes/s (rate_in)"));
        }
        if (options_.chunk && n < held_.size() - held_off_) {
          Once("chunk_in", absl::StrCat("handing inbound bytes up ", options_.chunk, " at most at a time (chunk)"));
        }
        std::memcpy(buf, held_.data() + held_off_, n);
        held_off_ += n;
        in_passed_ += n;
        if (held_off_ == held_.size()) {
          held_.clear();
          held_off_ = 0;
        }
        *out_read = n;
        return STRATA_OK;
      }
    }
  }
  // Nothing was held and the layer below had a piece: the second round
  // handed it up or hit a gate; reaching here means it only saw EOF
  // handling above, which returns. Kept for the compiler.
  return STRATA_AGAIN;
}

strata_status FaultLayer::Send(const uint8_t* data, size_t len, size_t* out_written) {
  *out_written = 0;
  if (len == 0) return STRATA_OK;
  const uint64_t now = NowMs();
  if (Before(options_.close_after_out, out_passed_) == 0) {
    Once("close_after_out", absl::StrCat("closing the stream for sending after ", out_passed_,
                                         " bytes out (close_after_out)"));
    return Fail(STRATA_E_CLOSED, absl::StrCat("connection closed for sending by the fault layer after ",
                                              out_passed_, " bytes (close_after_out=", *options_.close_after_out,
                                              ")"));
  }
  if (options_.write_delay_ms) {
    if (!write_ready_ms_) {
      write_ready_ms_ = now + Delay(options_.write_delay_ms);
      Once("write_delay", absl::StrCat("delaying each write by ", options_.write_delay_ms, " ms",
                                       options_.jitter_ms ? absl::StrCat(" + 0..", options_.jitter_ms, " ms jitter") : "",
                                       " (write_delay_ms)"));
    }
    if (now < write_ready_ms_) {
      Rearm();
      return STRATA_AGAIN;
    }
  }
  uint64_t n = len;
  if (options_.chunk) {
    if (n > options_.chunk) {
      Once("chunk_out", absl::StrCat("passing writes down ", options_.chunk, " bytes at most at a time (chunk)"));
    }
    n = std::min(n, options_.chunk);
  }
  n = std::min(n, Before(options_.close_after_out, out_passed_));
  if (out_bucket_) {
    const uint64_t available = out_bucket_->Available(now);
    if (available == 0) {
      out_wait_ms_ = now + out_bucket_->MsUntilAvailable();
      Rearm();
      return STRATA_AGAIN;
    }
    Once("rate_out", absl::StrCat("capping outbound bytes at ", options_.rate_out, " bytes/s (rate_out)"));
    n = std::min(n, available);
  }
  const uint8_t* out = data;
  if (options_.corrupt_out) {
    scratch_.assign(reinterpret_cast<const char*>(data), n);
    uint8_t* copy = reinterpret_cast<uint8_t*>(scratch_.data());
    if (CorruptPiece(*options_.corrupt_out, out_passed_, copy, n) > 0) {
      Once("corrupt_out", absl::StrCat("corrupting outbound bytes ", options_.corrupt_out->offset, "..",
                                       options_.corrupt_out->end() - 1, " (corrupt_out)"));
      out = copy;
    }
  }
  strata_status st = LowerSend(out, n, out_written);
  if (st != STRATA_OK) return st;
  out_passed_ += *out_written;
  if (out_bucket_) out_bucket_->Take(*out_written);
  write_ready_ms_ = 0;  // the next write waits again
  return STRATA_OK;
}

uint32_t FaultLayer::PollInterest(uint32_t wants) {
  if (!lower_up_) return LowerPollInterest(wants);
  const uint64_t now = NowMs();
  if (connect_ready_ms_ && now < connect_ready_ms_) {
    Rearm();
    return 0;
  }
  uint32_t lower_wants = 0;
  if (wants & STRATA_POLL_READ) {
    switch (InboundState(now)) {
      case InState::kNeedLower:
        lower_wants |= STRATA_POLL_READ;
        break;
      case InState::kDeliver:
      case InState::kEnd:
      case InState::kReset:
      case InState::kWaitTime:
        // Bytes or an end are due (now or at a deadline) with nothing to
        // wait for on the descriptor: a timer turn brings the caller back.
        Rearm();
        break;
      case InState::kStalled:
        break;  // nothing, ever: the transfer's timeout ends it
    }
  }
  if (wants & STRATA_POLL_WRITE) {
    if ((write_ready_ms_ && now < write_ready_ms_) || out_wait_ms_ > now) {
      Rearm();
    } else {
      lower_wants |= STRATA_POLL_WRITE;
    }
  }
  return lower_wants ? LowerPollInterest(lower_wants) : 0;
}

bool FaultLayer::DataPending() {
  if (!lower_up_) return false;
  switch (InboundState(NowMs())) {
    case InState::kDeliver:
    case InState::kEnd:
    case InState::kReset:
      return true;
    case InState::kNeedLower:
      return LowerDataPending();
    case InState::kStalled:
    case InState::kWaitTime:
      return false;
  }
  return false;
}

strata_status FaultLayer::Query(uint32_t query, void* out, size_t* inout_len) {
  if (query == STRATA_QUERY_DESCRIBE) {
    std::string summary = options_.Summary();
    return AnswerText(summary.empty() ? "fault" : absl::StrCat("fault(", summary, ")"), out, inout_len);
  }
  return LowerQuery(query, out, inout_len);
}

}  // namespace strata::fault
