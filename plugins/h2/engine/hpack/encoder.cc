#include "plugins/h2/engine/hpack/encoder.h"

#include <algorithm>

#include "plugins/h2/engine/hpack/integer.h"
#include "plugins/h2/engine/hpack/static_table.h"

namespace strata::h2::hpack {
namespace {

// Both by length first: most names match none of the lengths.
bool IsSensitive(absl::string_view name) {
  switch (name.size()) {
    case 6:
      return name == "cookie";
    case 13:
      return name == "authorization";
    case 19:
      return name == "proxy-authorization";
    default:
      return false;
  }
}

bool ChangesEveryTime(absl::string_view name) {
  switch (name.size()) {
    case 3:
      return name == "age";
    case 4:
      return name == "etag" || name == "link" || name == "date";
    case 5:
      return name == ":path";
    case 8:
      return name == "location";
    case 10:
      return name == "set-cookie";
    case 13:
      return name == "if-none-match" || name == "last-modified";
    case 14:
      return name == "content-length";
    case 17:
      return name == "if-modified-since";
    default:
      return false;
  }
}

}  // namespace

Encoder::Encoder(uint32_t max_table_size)
    : table_(std::min(max_table_size, kDefaultTableSize)), max_table_size_(max_table_size) {
  if (table_.capacity() < kDefaultTableSize) {
    // The peer's decoder starts at 4096: tell it we use less.
    update_pending_ = true;
    smallest_pending_ = static_cast<uint32_t>(table_.capacity());
  }
}

void Encoder::SetPeerTableSizeSetting(uint32_t setting) {
  peer_setting_ = setting;
  const uint32_t capacity = std::min(setting, max_table_size_);
  if (capacity == table_.capacity()) return;
  smallest_pending_ = update_pending_ ? std::min(smallest_pending_, capacity) : capacity;
  update_pending_ = true;
  table_.SetCapacity(capacity);
}

void Encoder::EncodeBlock(const HeaderList& fields, std::string* out) {
  if (update_pending_) {
    const uint32_t capacity = static_cast<uint32_t>(table_.capacity());
    if (smallest_pending_ < capacity) EncodeInteger(0x20, 5, smallest_pending_, out);
    EncodeInteger(0x20, 5, capacity, out);
    update_pending_ = false;
  }
  for (const HeaderField& f : fields) EncodeField(f, out);
}

void Encoder::EncodeField(const HeaderField& field, std::string* out) {
  size_t static_exact = 0, static_name = 0;
  StaticTableFind(field.name, field.value, &static_exact, &static_name);
  const bool never = field.never_index || IsSensitive(field.name);
  if (!never && static_exact != 0) {
    EncodeInteger(0x80, 7, static_exact, out);
    return;
  }
  const bool changes = ChangesEveryTime(field.name);
  long dyn_exact = -1, dyn_name = -1;
  // The dynamic table holds only what this encoder added, never a field of
  // a name that changes every time: for such a name (or a never-indexed
  // one) with a static name index, the table has nothing to offer and is
  // not searched (the :path of every request).
  if (static_name == 0 || (!never && !changes)) {
    table_.Find(field.name, field.value, &dyn_exact, &dyn_name);
  }
  if (!never && dyn_exact >= 0) {
    EncodeInteger(0x80, 7, kStaticTableSize + 1 + static_cast<size_t>(dyn_exact), out);
    return;
  }
  size_t name_index = static_name;
  if (name_index == 0 && dyn_name >= 0) {
    name_index = kStaticTableSize + 1 + static_cast<size_t>(dyn_name);
  }
  const bool index =
      !never && !changes && EntrySize(field.name, field.value) <= table_.capacity() * 3 / 4;
  if (never) {
    EncodeInteger(0x10, 4, name_index, out);
  } else if (index) {
    EncodeInteger(0x40, 6, name_index, out);
  } else {
    EncodeInteger(0x00, 4, name_index, out);
  }
  if (name_index == 0) EncodeString(field.name, true, out);
  EncodeString(field.value, true, out);
  if (index) table_.Add(field.name, field.value);
}

}  // namespace strata::h2::hpack
