// fault_options.h — the fault layer's JSON options, parsed and validated,
// with every "random" value drawn from the seeded generator.
//
// All options are optional; an unknown key is an error naming it. Whole
// numbers may be JSON numbers or strings of digits (the CLI's --fault
// passes text). Byte counts are of the stream as this layer passes it on
// ("in": towards the layers above, "out": towards the layers below).
//
//   connect_delay_ms  N   wait N ms once the layers below are connected
//   read_delay_ms     N   hold every piece read from below N ms
//   write_delay_ms    N   hold every write N ms before passing it down
//   jitter_ms         N   add a uniform 0..N ms to each of those delays
//   rate_in, rate_out N   cap the direction at N bytes/s (token bucket)
//   close_after_in    N   after N bytes in, end of stream (recv returns 0)
//   truncate_in       N   the same as close_after_in (the smaller wins)
//   close_after_out   N   after N bytes out, every send fails (closed)
//   reset_after_in    N   after N bytes in, recv fails as a reset does
//   stall_after_in    N   after N bytes in, pass nothing on, never close
//   corrupt_in/_out "O:L" flip the bytes O..O+L-1 of the direction
//   duplicate_in    "O:L" deliver bytes O..O+L-1 of the input twice
//   chunk             N   at most N bytes per recv and per send (0: any)
//   refuse         ENAME  connect fails at once with that errno
//   seed              N   the generator's seed (uint64)
//
// With a seed, any option given as "random" is drawn from the generator
// (ranges in RandomRange below), in the fixed order of the table above, so
// one seed always replays the same choices; jitter draws continue from the
// same generator.
#ifndef STRATA_PLUGINS_FAULT_FAULT_OPTIONS_H_
#define STRATA_PLUGINS_FAULT_FAULT_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "plugins/fault/byte_range.h"
#include "plugins/fault/prng.h"
#include "plugins/fault/refusal.h"

namespace strata::fault {

struct FaultOptions {
  uint64_t connect_delay_ms = 0;
  uint64_t read_delay_ms = 0;
  uint64_t write_delay_ms = 0;
  uint64_t jitter_ms = 0;
  uint64_t rate_in = 0;  // 0: no cap
  uint64_t rate_out = 0;
  std::optional<uint64_t> close_after_in;  // truncate_in folded in
  std::optional<uint64_t> close_after_out;
  std::optional<uint64_t> reset_after_in;
  std::optional<uint64_t> stall_after_in;
  std::optional<ByteRange> corrupt_in;
  std::optional<ByteRange> corrupt_out;
  std::optional<ByteRange> duplicate_in;
  uint64_t chunk = 0;  // 0: no limit
  const Refusal* refuse = nullptr;
  std::optional<uint64_t> seed;

  // "close_after_in=1234" for each value drawn at random, for the trace.
  std::vector<std::string> random_choices;
  // The generator, advanced past the random choices (seeded with |seed|;
  // 0 without one).
  Prng prng;

  // Summary lists every option in effect ("chunk=1 read_delay_ms=20"), for
  // the trace; "" when none.
  std::string Summary() const;
};

// ParseFaultOptions reads the layer's options (a JSON object text).
// InvalidArgument names the key and what was expected.
absl::StatusOr<FaultOptions> ParseFaultOptions(const std::string& json_text);

// Keys lists the option names, in the order random values are drawn.
const std::vector<std::string>& FaultOptionKeys();

}  // namespace strata::fault

#endif  // STRATA_PLUGINS_FAULT_FAULT_OPTIONS_H_
