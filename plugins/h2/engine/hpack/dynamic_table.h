// dynamic_table.h — the HPACK dynamic table (RFC 7541 §2.3.2, §4).
//
// Entries are addressed newest first: Get(0) is the most recently added.
// Size accounting is name + value + 32 per entry; adding evicts from the
// oldest end until the new entry fits, and an entry larger than the
// capacity empties the table without being added (§4.4).
//
// Storage: the entries' bytes (name then value) sit in one ring of bytes,
// the entries' positions in a ring of slots, both reused: once they have
// grown to the table's working size, adding an entry allocates nothing. A
// server that indexes its `date` on every response cost an allocation per
// response (and a deque block now and then) when each entry held its own
// strings.
#ifndef STRATA_PLUGINS_H2_ENGINE_HPACK_DYNAMIC_TABLE_H_
#define STRATA_PLUGINS_H2_ENGINE_HPACK_DYNAMIC_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "plugins/h2/engine/hpack/header_field.h"

namespace strata::h2::hpack {

class DynamicTable {
 public:
  // An entry's name and value, viewing the table's storage: valid until the
  // next Add or SetCapacity.
  struct Entry {
    absl::string_view name;
    absl::string_view value;
  };

  explicit DynamicTable(size_t capacity) : capacity_(capacity) {}

  size_t size() const { return size_; }          // bytes, per §4.1
  size_t capacity() const { return capacity_; }  // maximum size, per §4.2
  size_t count() const { return count_; }

  // SetCapacity changes the maximum size, evicting as needed.
  void SetCapacity(size_t capacity);

  // Add inserts a new entry (copying the strings, which may view this
  // table's own entries), evicting as needed.
  void Add(absl::string_view name, absl::string_view value);

  // Get returns entry |index| (0 = newest); index < count().
  Entry Get(size_t index) const;

  // Find returns, for the encoder, the 0-based index of an exact match in
  // *out_exact and of a name match in *out_name, or -1.
  void Find(absl::string_view name, absl::string_view value, long* out_exact,
            long* out_name) const;

 private:
  struct Slot {
    size_t offset;  // into bytes_
    uint32_t name_len;
    uint32_t value_len;
    size_t length() const { return size_t{name_len} + value_len; }
  };

  void EvictTo(size_t limit);
  const Slot& SlotAt(size_t index) const;  // 0 = newest
  // Where |length| bytes fit after the newest entry, or false.
  bool Place(size_t length, size_t* offset) const;
  // Copies the entries, oldest first, to the start of a new ring of
  // |ring_size| bytes.
  void Repack(size_t ring_size);

  size_t size_ = 0;
  size_t capacity_;

  std::vector<Slot> slots_;  // a ring; the oldest at oldest_
  size_t oldest_ = 0;
  size_t count_ = 0;

  std::unique_ptr<char[]> bytes_;  // a ring of ring_size_ bytes
  size_t ring_size_ = 0;
  size_t head_ = 0;  // where the next entry's bytes go
  std::string scratch_;  // an entry being added that views this table
};

}  // namespace strata::h2::hpack

#endif  // STRATA_PLUGINS_H2_ENGINE_HPACK_DYNAMIC_TABLE_H_
