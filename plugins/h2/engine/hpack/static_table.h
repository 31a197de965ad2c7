// static_table.h — the HPACK static table (RFC 7541 Appendix A).
#ifndef STRATA_PLUGINS_H2_ENGINE_HPACK_STATIC_TABLE_H_
#define STRATA_PLUGINS_H2_ENGINE_HPACK_STATIC_TABLE_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace strata::h2::hpack {

inline constexpr size_t kStaticTableSize = 61;

struct StaticEntry {
  absl::string_view name;
  absl::string_view value;
};

// StaticTableEntry returns entry |index|, 1..kStaticTableSize.
const StaticEntry& StaticTableEntry(size_t index);

// StaticTableFind looks |name|/|value| up. Returns the 1-based index of an
// exact match in *out_exact and of the first entry with that name in
// *out_name; 0 when there is none.
void StaticTableFind(absl::string_view name, absl::string_view value, size_t* out_exact,
                     size_t* out_name);

}  // namespace strata::h2::hpack

#endif  // STRATA_PLUGINS_H2_ENGINE_HPACK_STATIC_TABLE_H_
