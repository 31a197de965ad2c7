// status_code.h — carry a strata_status inside an absl::Status, so the C API
// can return the precise code for an error raised deep in the runtime.
#ifndef STRATA_RUNTIME_STATUS_STATUS_CODE_H_
#define STRATA_RUNTIME_STATUS_STATUS_CODE_H_

#include "absl/status/status.h"
#include "strata/status.h"

namespace strata {

// WithCode returns |status| tagged with |code|.
absl::Status WithCode(absl::Status status, strata_status code);
// CodeOf returns the tagged code, or |fallback| if |status| has none.
strata_status CodeOf(const absl::Status& status, strata_status fallback);

}  // namespace strata

#endif  // STRATA_RUNTIME_STATUS_STATUS_CODE_H_
