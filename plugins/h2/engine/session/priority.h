// priority.h — the RFC 9218 `priority` field: urgency (u=0..7, default 3)
// and incremental (i, default false), read from a request's fields for our
// DATA scheduler. Unknown members and invalid values fall back to the
// defaults, as §4 asks.
#ifndef STRATA_PLUGINS_H2_ENGINE_SESSION_PRIORITY_H_
#define STRATA_PLUGINS_H2_ENGINE_SESSION_PRIORITY_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace strata::h2 {

struct Priority {
  uint8_t urgency = 3;
  bool incremental = false;
};

// ParsePriority parses a Structured Fields dictionary such as "u=1, i".
Priority ParsePriority(absl::string_view value);

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ENGINE_SESSION_PRIORITY_H_
