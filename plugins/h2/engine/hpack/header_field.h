// header_field.h — the field (name, value) type HPACK and the session share.
#ifndef STRATA_PLUGINS_H2_ENGINE_HPACK_HEADER_FIELD_H_
#define STRATA_PLUGINS_H2_ENGINE_HPACK_HEADER_FIELD_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
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

// SameBytes is a == b for the short strings of field names and values: a
// length check and at most two overlapping word compares, where the
// library's memcmp call cost more than the compare in the tables' lookups.
inline bool SameBytes(absl::string_view a, absl::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  auto load8 = [](const char* s) {
    uint64_t v;
    std::memcpy(&v, s, 8);
    return v;
  };
  auto load4 = [](const char* s) {
    uint32_t v;
    std::memcpy(&v, s, 4);
    return v;
  };
  if (n >= 8) {
    if (n > 16) return std::memcmp(p, q, n) == 0;
    return load8(p) == load8(q) && load8(p + n - 8) == load8(q + n - 8);
  }
  if (n >= 4) return load4(p) == load4(q) && load4(p + n - 4) == load4(q + n - 4);
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

}  // namespace strata::h2::hpack

#endif  // STRATA_PLUGINS_H2_ENGINE_HPACK_HEADER_FIELD_H_
