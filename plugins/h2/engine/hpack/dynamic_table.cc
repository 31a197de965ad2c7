#include "plugins/h2/engine/hpack/dynamic_table.h"

#include <string>

namespace strata::h2::hpack {

void DynamicTable::EvictTo(size_t limit) {
  while (size_ > limit && !entries_.empty()) {
    const HeaderField& oldest = entries_.back();
    size_ -= EntrySize(oldest.name, oldest.value);
    entries_.pop_back();
  }
}

void DynamicTable::SetCapacity(size_t capacity) {
  capacity_ = capacity;
  EvictTo(capacity_);
}

void DynamicTable::Add(absl::string_view name, absl::string_view value) {
  const size_t entry = EntrySize(name, value);
  if (entry > capacity_) {
    // §4.4: not an error; the table ends up empty.
    EvictTo(0);
    return;
  }
  // Copy first: |name| or |value| may point into an entry about to be
  // evicted (a literal with an indexed name).
  HeaderField field{std::string(name), std::string(value), false};
  EvictTo(capacity_ - entry);
  entries_.push_front(std::move(field));
  size_ += entry;
}

void DynamicTable::Find(absl::string_view name, absl::string_view value, long* out_exact,
                        long* out_name) const {
  *out_exact = -1;
  *out_name = -1;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!SameBytes(entries_[i].name, name)) continue;
    if (*out_name < 0) *out_name = static_cast<long>(i);
    if (SameBytes(entries_[i].value, value)) {
      *out_exact = static_cast<long>(i);
      return;
    }
  }
}

}  // namespace strata::h2::hpack
