#include "plugins/h2/engine/hpack/decoder.h"

#include <limits>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "plugins/h2/engine/hpack/integer.h"
#include "plugins/h2/engine/hpack/static_table.h"

namespace strata::h2::hpack {
namespace {
constexpr uint64_t kMaxIndex = std::numeric_limits<uint32_t>::max();
}  // namespace

Decoder::Decoder(uint32_t table_size_setting)
    : table_(table_size_setting), setting_(table_size_setting) {}

void Decoder::SetTableSizeSetting(uint32_t setting) {
  setting_ = setting;
  if (setting < table_.capacity()) update_required_ = true;
}

absl::Status Decoder::Lookup(uint64_t index, absl::string_view* out_name,
                             absl::string_view* out_value) const {
  if (index == 0) return absl::InvalidArgumentError("HPACK index 0");
  if (index <= kStaticTableSize) {
    const StaticEntry& e = StaticTableEntry(static_cast<size_t>(index));
    *out_name = e.name;
    *out_value = e.value;
    return absl::OkStatus();
  }
  const uint64_t dyn = index - kStaticTableSize - 1;
  if (dyn >= table_.count()) {
    return absl::InvalidArgumentError(absl::StrCat("HPACK index ", index, " beyond the ",
                                                   kStaticTableSize + table_.count(),
                                                   " table entries"));
  }
  const DynamicTable::Entry f = table_.Get(static_cast<size_t>(dyn));
  *out_name = f.name;
  *out_value = f.value;
  return absl::OkStatus();
}

absl::Status Decoder::DecodeBlock(absl::string_view block, size_t max_list_size,
                                  HeaderList* out) {
  size_t pos = 0;
  bool field_seen = false;
  bool over_limit = false;
  size_t list_size = 0;
  std::string& name_buf = name_buf_;
  std::string& value_buf = value_buf_;

  // |out| is overwritten in place: a caller that passes the same list for
  // every block reuses its fields' storage, so a typical response head
  // costs no allocation once the first has been decoded.
  size_t count = 0;
  size_t field_no = 0;  // fields so far: their strings' slots in the Huffman memo
  if (out->capacity() < 16) out->reserve(16);  // one allocation for a typical head
  auto emit = [&](absl::string_view name, absl::string_view value, bool never_index) {
    list_size += EntrySize(name, value);
    if (list_size > max_list_size) over_limit = true;
    if (over_limit) return;
    if (count < out->size()) {
      HeaderField& f = (*out)[count];
      f.name.assign(name.data(), name.size());
      f.value.assign(value.data(), value.size());
      f.never_index = never_index;
    } else {
      out->push_back(HeaderField{std::string(name), std::string(value), never_index});
    }
    ++count;
  };
  // Whatever way the block ends, |out| holds exactly the fields emitted.
  struct Trim {
    HeaderList* list;
    const size_t* count;
    ~Trim() { list->resize(*count); }
  } trim{out, &count};

  while (pos < block.size()) {
    const uint8_t first = static_cast<uint8_t>(block[pos]);
    if ((first & 0xe0) == 0x20) {
      // Dynamic table size update (§6.3): only before the first field.
      if (field_seen) {
        return absl::InvalidArgumentError("HPACK table size update after a field");
      }
      absl::StatusOr<uint64_t> size = DecodeInteger(block, &pos, 5, kMaxIndex);
      if (!size.ok()) return size.status();
      if (*size > setting_) {
        return absl::InvalidArgumentError(absl::StrCat("HPACK table size update to ", *size,
                                                       " exceeds our setting ", setting_));
      }
      table_.SetCapacity(static_cast<size_t>(*size));
      update_required_ = false;
      continue;
    }
    if (update_required_) {
      return absl::InvalidArgumentError(
          "HPACK block does not start with the required table size update");
    }
    field_seen = true;
    ++field_no;
    if (first & 0x80) {
      // Indexed field (§6.1).
      absl::StatusOr<uint64_t> index = DecodeInteger(block, &pos, 7, kMaxIndex);
      if (!index.ok()) return index.status();
      absl::string_view name, value;
      absl::Status st = Lookup(*index, &name, &value);
      if (!st.ok()) return st;
      emit(name, value, false);
      continue;
    }
    // Literal field (§6.2): incremental indexing (01), without indexing
    // (0000) or never indexed (0001).
    const bool incremental = (first & 0xc0) == 0x40;
    const bool never_index = !incremental && (first & 0xf0) == 0x10;
    const int prefix = incremental ? 6 : 4;
    absl::StatusOr<uint64_t> index = DecodeInteger(block, &pos, prefix, kMaxIndex);
    if (!index.ok()) return index.status();
    absl::string_view name;
    if (*index != 0) {
      absl::string_view unused;
      absl::Status st = Lookup(*index, &name, &unused);
      if (!st.ok()) return st;
      name_buf.assign(name.data(), name.size());
    } else {
      absl::Status st = DecodeString(block, &pos, block.size(), &name_buf, &huffman_memo_, 2 * field_no);
      if (!st.ok()) return st;
    }
    absl::Status st = DecodeString(block, &pos, block.size(), &value_buf, &huffman_memo_, 2 * field_no + 1);
    if (!st.ok()) return st;
    emit(name_buf, value_buf, never_index);
    if (incremental) table_.Add(name_buf, value_buf);
  }
  if (over_limit) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "decoded header list of ", list_size, " bytes exceeds the limit of ", max_list_size));
  }
  return absl::OkStatus();
}

}  // namespace strata::h2::hpack
