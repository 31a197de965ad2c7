// header_field.h — the field (name, value) type HPACK and the session share.
#ifndef STRATA_PLUGINS_H2_ENGINE_HPACK_HEADER_FIELD_H_
#define STRATA_PLUGINS_H2_ENGINE_HPACK_HEADER_FIELD_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace strata::h2::hpack {

// HeaderField is one field line. Names are lowercase on the HTTP/2 wire.
// |never_index| asks the encoder for a never-indexed literal (RFC 7541
// §6.2.3) and reports that the peer sent one.
struct HeaderField {
  std::string name;
  std::string value;
  bool never_index = false;

  bool operator==(const HeaderField& o) const {
    return name == o.name && value == o.value;
  }
};

using HeaderList = std::vector<HeaderField>;

// kEntryOverhead is the per-entry overhead of RFC 7541 §4.1, also used by
// SETTINGS_MAX_HEADER_LIST_SIZE (RFC 9113 §6.5.2).
inline constexpr size_t kEntryOverhead = 32;

// EntrySize is the size of one field for table and list accounting.
inline size_t EntrySize(absl::string_view name, absl::string_view value) {
  return name.size() + value.size() + kEntryOverhead;
}

}  // namespace strata::h2::hpack

#endif  // STRATA_PLUGINS_H2_ENGINE_HPACK_HEADER_FIELD_H_
