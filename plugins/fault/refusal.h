// refusal.h — the errno names the `refuse` option accepts, and the status a
// connect refused with each one returns (the one the tcp layer returns for
// the same failure, so the runtime and the CLI treat it alike: curl's exit
// code 7 for a refusal, 28 for a timeout).
#ifndef STRATA_PLUGINS_FAULT_REFUSAL_H_
#define STRATA_PLUGINS_FAULT_REFUSAL_H_

#include <string>
#include <vector>

#include "strata/status.h"

namespace strata::fault {

struct Refusal {
  const char* name;     // "ECONNREFUSED"
  int error;            // ECONNREFUSED
  strata_status status; // STRATA_E_CONNECT
};

// FindRefusal returns the entry for |name| (upper case), or nullptr.
const Refusal* FindRefusal(const std::string& name);
// Refusals lists every accepted name, in a fixed order (the order a
// "random" choice draws from).
const std::vector<Refusal>& Refusals();

}  // namespace strata::fault

#endif  // STRATA_PLUGINS_FAULT_REFUSAL_H_
