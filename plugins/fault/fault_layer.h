// fault_layer.h — the `fault` byte-stream layer: passes bytes between the
// layers above and below, and breaks the stream on purpose as its options
// say (fault_options.h): delays, rate caps, a clean or abrupt end, a stall,
// damaged, dropped or repeated bytes, 1-byte pieces, a refused connect.
//
// Inbound, it reads from below only when it holds nothing, into |held_|
// (after corrupt_in and duplicate_in are applied), and hands |held_| up
// subject to the gates: the read delay, the rate, the chunk size and the
// byte limits. Whenever recv answers STRATA_AGAIN, either the layer below
// has nothing (its poll interest is passed on) or a deadline is set with
// wake_at and READ is not asked of the descriptors (a held or stalled
// stream must not spin the loop on a readable socket). data_pending is
// true when recv would answer at once: held bytes that may pass, or an
// end of stream or reset that is due.
//
// Every injected fault is logged once at STRATA_LOG_INFO ("fault: ..."),
// so it appears in the hop trace and in `strata -v`; a layer error names
// the option that caused it.
#ifndef STRATA_PLUGINS_FAULT_FAULT_LAYER_H_
#define STRATA_PLUGINS_FAULT_FAULT_LAYER_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "plugins/fault/byte_range.h"
#include "plugins/fault/fault_options.h"
#include "plugins/fault/token_bucket.h"
#include "strata/sdk.hpp"

namespace strata::fault {

class FaultLayer : public sdk::ByteStreamLayer {
 public:
  // Parses the options; throws sdk::Error(STRATA_E_CONFIG) naming a bad one.
  FaultLayer(strata_layer_ctx* ctx, const strata_layer_config* config);

  strata_status Connect(int* done) override;
  strata_status Send(const uint8_t* data, size_t len, size_t* out_written) override;
  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read) override;
  uint32_t PollInterest(uint32_t wants) override;
  bool DataPending() override;
  strata_status Query(uint32_t query, void* out, size_t* inout_len) override;

 private:
  // Inbound: what the next recv would do without waiting.
  enum class InState { kDeliver, kEnd, kReset, kStalled, kWaitTime, kNeedLower };
  InState InboundState(uint64_t now);
  // FillFromBelow reads one piece from below into |held_|.
  strata_status FillFromBelow();
  // Limit is how many more bytes may pass before |limit| (unset: no limit).
  static uint64_t Before(const std::optional<uint64_t>& limit, uint64_t passed);
  // Delay draws one delay of |base| ms plus jitter.
  uint64_t Delay(uint64_t base);
  // Wait asks the host to wake the layer at the earliest pending deadline.
  void Rearm();
  // Once logs |message| the first time |what| happens.
  void Once(const std::string& what, const std::string& message);
  strata_status Refuse();

  FaultOptions options_;
  int32_t hop_ = 0;
  std::set<std::string> logged_;

  // Connect.
  bool lower_up_ = false;
  uint64_t connect_ready_ms_ = 0;  // 0: the connect delay has not started

  // Inbound.
  std::string held_;
  size_t held_off_ = 0;
  uint64_t in_raw_ = 0;      // bytes read from below
  uint64_t in_passed_ = 0;   // bytes handed up
  uint64_t release_ms_ = 0;  // held bytes pass from then (read delay)
  uint64_t in_wait_ms_ = 0;  // rate: next byte may pass then
  bool lower_eof_ = false;
  std::optional<TokenBucket> in_bucket_;
  std::optional<Duplicator> duplicator_;

  // Outbound.
  uint64_t out_passed_ = 0;
  uint64_t write_ready_ms_ = 0;  // 0: no write delay running
  uint64_t out_wait_ms_ = 0;
  std::optional<TokenBucket> out_bucket_;
  std::string scratch_;  // a corrupted copy of what is being sent
};

}  // namespace strata::fault

#endif  // STRATA_PLUGINS_FAULT_FAULT_LAYER_H_
