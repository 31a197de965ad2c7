// field_block.h — a response head's fields, all in one allocation.
//
// A response head used to be a vector of string pairs: the vector and
// every name or value past the small-string buffer were allocations of
// their own (three or four per response, freed again one by one). A
// FieldBlock copies the fields once into a single block: an index of
// offsets, then the bytes. Every name and value is followed by a NUL, so
// the C API can hand out pointers into the block as C strings.
//
// OWNERSHIP: the block owns its bytes; the views it returns are valid until
// it is assigned, moved from or destroyed.
#ifndef STRATA_RUNTIME_HTTP_FIELD_BLOCK_H_
#define STRATA_RUNTIME_HTTP_FIELD_BLOCK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "strata/plugin.h"  // strata_header

namespace strata {

// FieldView: one field of a block (both views end before a NUL).
struct FieldView {
  absl::string_view name;
  absl::string_view value;
};

class FieldBlock {
 public:
  FieldBlock() = default;
  FieldBlock(const FieldBlock& other);
  FieldBlock& operator=(const FieldBlock& other);
  FieldBlock(FieldBlock&& other) noexcept;
  FieldBlock& operator=(FieldBlock&& other) noexcept;
  ~FieldBlock() = default;

  // Assign replaces the fields with copies of |fields| (|count| of them;
  // a null name or value reads as empty).
  void Assign(const strata_header* fields, size_t count);
  void clear();

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  FieldView operator[](size_t i) const;
  // Find returns the value of the first field named |name| (compared
  // case-insensitively), or nothing.
  std::optional<absl::string_view> Find(absl::string_view name) const;

  class Iterator {
   public:
    Iterator(const FieldBlock* block, size_t i) : block_(block), i_(i) {}
    FieldView operator*() const { return (*block_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iterator& o) const { return i_ != o.i_; }
    bool operator==(const Iterator& o) const { return i_ == o.i_; }

   private:
    const FieldBlock* block_;
    size_t i_;
  };
  Iterator begin() const { return Iterator(this, 0); }
  Iterator end() const { return Iterator(this, count_); }

 private:
  struct Entry {
    uint32_t name_offset;
    uint32_t name_size;
    uint32_t value_offset;
    uint32_t value_size;
  };
  const Entry* entries() const { return reinterpret_cast<const Entry*>(data_.get()); }
  const char* bytes() const { return data_.get() + count_ * sizeof(Entry); }

  std::unique_ptr<char[]> data_;  // count_ entries, then the bytes
  size_t count_ = 0;
  size_t size_ = 0;  // of data_, in bytes
};

}  // namespace strata

#endif  // STRATA_RUNTIME_HTTP_FIELD_BLOCK_H_
