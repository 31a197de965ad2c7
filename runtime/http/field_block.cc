#include "runtime/http/field_block.h"

#include <cstring>
#include <limits>
#include <new>

#include "absl/strings/match.h"

namespace strata {

FieldBlock::FieldBlock(const FieldBlock& other) : count_(other.count_), size_(other.size_) {
  if (other.data_) {
    data_.reset(new char[size_]);
    std::memcpy(data_.get(), other.data_.get(), size_);
  }
}

FieldBlock& FieldBlock::operator=(const FieldBlock& other) {
  if (this != &other) *this = FieldBlock(other);
  return *this;
}

FieldBlock::FieldBlock(FieldBlock&& other) noexcept
    : data_(std::move(other.data_)), count_(other.count_), size_(other.size_) {
  other.count_ = 0;
  other.size_ = 0;
}

FieldBlock& FieldBlock::operator=(FieldBlock&& other) noexcept {
  data_ = std::move(other.data_);
  count_ = other.count_;
  size_ = other.size_;
  other.count_ = 0;
  other.size_ = 0;
  return *this;
}

void FieldBlock::clear() {
  data_.reset();
  count_ = 0;
  size_ = 0;
}

void FieldBlock::Assign(const strata_header* fields, size_t count) {
  auto name_of = [&](size_t i) { return fields[i].name ? fields[i].name_len : 0; };
  auto value_of = [&](size_t i) { return fields[i].value ? fields[i].value_len : 0; };
  size_t text = 0;
  for (size_t i = 0; i < count; ++i) text += name_of(i) + value_of(i) + 2;  // each with its NUL
  // Offsets are 32-bit: a head is bounded far below that by every session
  // layer's limits, but a block never wraps one.
  if (text > std::numeric_limits<uint32_t>::max()) throw std::length_error("response head too large");
  const size_t size = count * sizeof(Entry) + text;
  std::unique_ptr<char[]> data(count ? new char[size] : nullptr);
  auto* entries = reinterpret_cast<Entry*>(data.get());
  char* base = data.get() + count * sizeof(Entry);
  uint32_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    Entry& e = entries[i];
    e.name_offset = at;
    e.name_size = static_cast<uint32_t>(name_of(i));
    if (e.name_size) std::memcpy(base + at, fields[i].name, e.name_size);
    at += e.name_size;
    base[at++] = '\0';
    e.value_offset = at;
    e.value_size = static_cast<uint32_t>(value_of(i));
    if (e.value_size) std::memcpy(base + at, fields[i].value, e.value_size);
    at += e.value_size;
    base[at++] = '\0';
  }
  data_ = std::move(data);
  count_ = count;
  size_ = size;
}

FieldView FieldBlock::operator[](size_t i) const {
  const Entry& e = entries()[i];
  return {absl::string_view(bytes() + e.name_offset, e.name_size),
          absl::string_view(bytes() + e.value_offset, e.value_size)};
}

std::optional<absl::string_view> FieldBlock::Find(absl::string_view name) const {
  for (FieldView f : *this) {
    if (absl::EqualsIgnoreCase(f.name, name)) return f.value;
  }
  return std::nullopt;
}

}  // namespace strata
