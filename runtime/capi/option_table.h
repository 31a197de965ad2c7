// option_table.h — the one table of request options (STRATA_OPT_*): id,
// name, value type. strata_request_set_option_int/_string refuse an id not
// listed here with that type, and strata_option_count/strata_option_at hand
// the table to bindings, so no binding keeps a copy of the numbers.
#ifndef STRATA_RUNTIME_CAPI_OPTION_TABLE_H_
#define STRATA_RUNTIME_CAPI_OPTION_TABLE_H_

#include <cstddef>
#include <cstdint>

#include <span>

namespace strata {

struct OptionEntry {
  int32_t id;          // STRATA_OPT_*
  int32_t type;        // STRATA_OPTION_TYPE_*
  const char* name;    // lower case, without STRATA_OPT_
  bool repeatable;     // each call adds (or merges) rather than replaces
};

// RequestOptionTable lists every option, in increasing id order.
std::span<const OptionEntry> RequestOptionTable();

// FindRequestOption returns the entry of |id|, or nullptr.
const OptionEntry* FindRequestOption(int32_t id);

}  // namespace strata

#endif  // STRATA_RUNTIME_CAPI_OPTION_TABLE_H_
