// decoder.h — the HPACK decoder (RFC 7541) for one HTTP/2 connection.
//
// DecodeBlock takes one complete field block (HEADERS or PUSH_PROMISE plus
// its CONTINUATION frames, reassembled by the caller) and appends the fields.
//
// Strictness (docs/hostile-peers.md section E), all reported as kInvalidArgument, which
// the session maps to a connection error COMPRESSION_ERROR because the
// shared table state is then unknown:
//   - index 0, or an index beyond the static plus dynamic tables;
//   - a dynamic table size update after the first field of a block, or one
//     larger than our SETTINGS_HEADER_TABLE_SIZE;
//   - after we lowered that setting below the table's current capacity, a
//     block whose first field is not preceded by a size update;
//   - Huffman errors (huffman.h), integers longer than 5 continuation bytes
//     or above 2^32-1, strings running past the block.
//
// Header list limit (HPACK bomb, RFC 7541 §7.3): the decoded size
// (name + value + 32 per field) is counted as fields are decoded. Once it
// exceeds |max_list_size| no further field is stored, but the block is still
// decoded to its end so the dynamic table stays in sync with the peer's
// encoder; the result is then kResourceExhausted, which only fails the
// response that carried the block. The work stays bounded by the block's
// byte size, which the session caps.
#ifndef STRATA_PLUGINS_H2_ENGINE_HPACK_DECODER_H_
#define STRATA_PLUGINS_H2_ENGINE_HPACK_DECODER_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "plugins/h2/engine/hpack/dynamic_table.h"
#include "plugins/h2/engine/hpack/header_field.h"
#include "plugins/h2/engine/hpack/huffman_memo.h"

namespace strata::h2::hpack {

inline constexpr uint32_t kDefaultTableSize = 4096;

class Decoder {
 public:
  // |table_size_setting| is the SETTINGS_HEADER_TABLE_SIZE the peer's
  // encoder works with; HTTP/2 starts at 4096.
  explicit Decoder(uint32_t table_size_setting = kDefaultTableSize);
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // SetTableSizeSetting records a new SETTINGS_HEADER_TABLE_SIZE once the
  // peer has acknowledged it. A value below the table's current capacity
  // makes a size update mandatory at the start of the next block.
  void SetTableSizeSetting(uint32_t setting);

  // DecodeBlock decodes |block| into |out|, replacing what it held (its
  // storage is reused). Errors:
  // kInvalidArgument (fatal for the connection; the decoder must not be used
  // again) and kResourceExhausted (list larger than |max_list_size|; the
  // decoder stays usable, |out| holds an incomplete list).
  [[nodiscard]] absl::Status DecodeBlock(absl::string_view block, size_t max_list_size,
                                         HeaderList* out);

  const DynamicTable& table() const { return table_; }
  uint32_t table_size_setting() const { return setting_; }

 private:
  // Lookup resolves a 1-based index over the static then dynamic table.
  absl::Status Lookup(uint64_t index, absl::string_view* out_name,
                      absl::string_view* out_value) const;

  DynamicTable table_;
  // Literal name and value being decoded, kept so their storage is reused.
  std::string name_buf_;
  std::string value_buf_;
  // The Huffman-coded strings of the last blocks by field position (a
  // server sends the same literals in every response), decoded once.
  HuffmanMemo huffman_memo_;
  uint32_t setting_;
  bool update_required_ = false;
};

}  // namespace strata::h2::hpack

#endif  // STRATA_PLUGINS_H2_ENGINE_HPACK_DECODER_H_
