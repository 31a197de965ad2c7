#include "plugins/h2/engine/hpack/dynamic_table.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <utility>

namespace strata::h2::hpack {

const DynamicTable::Slot& DynamicTable::SlotAt(size_t index) const {
  return slots_[(oldest_ + count_ - 1 - index) % slots_.size()];
}

DynamicTable::Entry DynamicTable::Get(size_t index) const {
  const Slot& s = SlotAt(index);
  if (s.length() == 0) return Entry{};
  const char* p = bytes_.get() + s.offset;
  return Entry{absl::string_view(p, s.name_len), absl::string_view(p + s.name_len, s.value_len)};
}

void DynamicTable::EvictTo(size_t limit) {
  while (size_ > limit && count_ > 0) {
    const Slot& oldest = slots_[oldest_];
    size_ -= oldest.length() + kEntryOverhead;
    oldest_ = (oldest_ + 1) % slots_.size();
    --count_;
  }
  if (count_ == 0) {
    oldest_ = 0;
    head_ = 0;
  }
}

void DynamicTable::SetCapacity(size_t capacity) {
  capacity_ = capacity;
  EvictTo(capacity_);
  if (count_ == 0 && ring_size_ > 2 * capacity_) {
    // Emptied to a smaller size (say a peer's update to 0): give the rings
    // back; they grow again as entries come.
    bytes_.reset();
    ring_size_ = 0;
    slots_.clear();
    slots_.shrink_to_fit();
  }
}

bool DynamicTable::Place(size_t length, size_t* offset) const {
  if (length == 0) {
    *offset = head_;
    return true;
  }
  if (count_ == 0) {
    *offset = 0;
    return length <= ring_size_;
  }
  // The live bytes run from the oldest entry's offset to head_, wrapping
  // at most once. A gap of one byte at least is kept between head_ and the
  // oldest entry so that head_ == tail never means a full ring.
  const size_t tail = slots_[oldest_].offset;
  if (head_ >= tail) {
    if (ring_size_ - head_ >= length) {
      *offset = head_;
      return true;
    }
    if (tail > length) {  // wrap: the bytes after head_ stay unused
      *offset = 0;
      return true;
    }
    return false;
  }
  if (tail - head_ > length) {
    *offset = head_;
    return true;
  }
  return false;
}

void DynamicTable::Repack(size_t ring_size) {
  auto fresh = std::make_unique<char[]>(ring_size);
  size_t pos = 0;
  for (size_t i = 0; i < count_; ++i) {
    Slot& s = slots_[(oldest_ + i) % slots_.size()];
    if (s.length() > 0) std::memcpy(fresh.get() + pos, bytes_.get() + s.offset, s.length());
    s.offset = pos;
    pos += s.length();
  }
  head_ = pos;
  bytes_ = std::move(fresh);
  ring_size_ = ring_size;
}

void DynamicTable::Add(absl::string_view name, absl::string_view value) {
  const size_t entry = EntrySize(name, value);
  if (entry > capacity_) {
    // §4.4: not an error; the table ends up empty.
    EvictTo(0);
    return;
  }
  // |name| or |value| may view an entry of this table (a literal with an
  // indexed name): eviction and repacking move or overwrite those bytes, so
  // such an entry is copied out first.
  auto inside = [&](absl::string_view v) {
    const std::less<const char*> before;
    return !v.empty() && bytes_ && !before(v.data(), bytes_.get()) &&
           before(v.data(), bytes_.get() + ring_size_);
  };
  if (inside(name) || inside(value)) {
    const size_t name_len = name.size();
    scratch_.assign(name.data(), name.size());
    scratch_.append(value.data(), value.size());
    name = absl::string_view(scratch_).substr(0, name_len);
    value = absl::string_view(scratch_).substr(name_len);
  }
  EvictTo(capacity_ - entry);

  if (count_ == slots_.size()) {
    // Grow the ring of slots, oldest first from the start.
    std::vector<Slot> grown;
    grown.reserve(std::max<size_t>(8, slots_.size() * 2));
    for (size_t i = 0; i < count_; ++i) grown.push_back(slots_[(oldest_ + i) % slots_.size()]);
    grown.resize(grown.capacity());
    slots_ = std::move(grown);
    oldest_ = 0;
  }
  const size_t length = name.size() + value.size();
  size_t offset = 0;
  if (!Place(length, &offset)) {
    // Packed at the start of a ring at least twice what is live, the
    // entries leave room for this one and for as much again. The ring stops
    // growing at twice the capacity, and at that size an entry almost
    // always finds room at one end or the other: repacking (a new ring) is
    // rare, so no second ring is kept for it.
    const size_t live = size_ - count_ * kEntryOverhead;  // the entries' bytes
    Repack(std::max(ring_size_, 2 * (live + length)));
    Place(length, &offset);  // fits now: head_ == live, ring >= 2 * (live + length)
  }
  if (!name.empty()) std::memcpy(bytes_.get() + offset, name.data(), name.size());
  if (!value.empty()) std::memcpy(bytes_.get() + offset + name.size(), value.data(), value.size());
  head_ = offset + length;
  slots_[(oldest_ + count_) % slots_.size()] =
      Slot{offset, static_cast<uint32_t>(name.size()), static_cast<uint32_t>(value.size())};
  ++count_;
  size_ += entry;
}

void DynamicTable::Find(absl::string_view name, absl::string_view value, long* out_exact,
                        long* out_name) const {
  *out_exact = -1;
  *out_name = -1;
  for (size_t i = 0; i < count_; ++i) {
    const Entry e = Get(i);
    if (!SameBytes(e.name, name)) continue;
    if (*out_name < 0) *out_name = static_cast<long>(i);
    if (SameBytes(e.value, value)) {
      *out_exact = static_cast<long>(i);
      return;
    }
  }
}

}  // namespace strata::h2::hpack
