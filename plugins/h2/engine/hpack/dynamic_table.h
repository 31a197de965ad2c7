// dynamic_table.h — the HPACK dynamic table (RFC 7541 §2.3.2, §4).
//
// Entries are addressed newest first: Get(0) is the most recently added.
// Size accounting is name + value + 32 per entry; adding evicts from the
// oldest end until the new entry fits, and an entry larger than the
// capacity empties the table without being added (§4.4).
#ifndef STRATA_PLUGINS_H2_ENGINE_HPACK_DYNAMIC_TABLE_H_
#define STRATA_PLUGINS_H2_ENGINE_HPACK_DYNAMIC_TABLE_H_

#include <cstddef>
#include <deque>

#include "absl/strings/string_view.h"
#include "plugins/h2/engine/hpack/header_field.h"

namespace strata::h2::hpack {

class DynamicTable {
 public:
  explicit DynamicTable(size_t capacity) : capacity_(capacity) {}

  size_t size() const { return size_; }          // bytes, per §4.1
  size_t capacity() const { return capacity_; }  // maximum size, per §4.2
  size_t count() const { return entries_.size(); }

  // SetCapacity changes the maximum size, evicting as needed.
  void SetCapacity(size_t capacity);

  // Add inserts a new entry (copying the strings), evicting as needed.
  void Add(absl::string_view name, absl::string_view value);

  // Get returns entry |index| (0 = newest); index < count().
  const HeaderField& Get(size_t index) const { return entries_[index]; }

  // Find returns, for the encoder, the 0-based index of an exact match in
  // *out_exact and of a name match in *out_name, or -1.
  void Find(absl::string_view name, absl::string_view value, long* out_exact,
            long* out_name) const;

 private:
  void EvictTo(size_t limit);

  std::deque<HeaderField> entries_;  // front = newest
  size_t size_ = 0;
  size_t capacity_;
};

}  // namespace strata::h2::hpack

#endif  // STRATA_PLUGINS_H2_ENGINE_HPACK_DYNAMIC_TABLE_H_
