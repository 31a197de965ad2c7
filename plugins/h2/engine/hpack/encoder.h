// encoder.h — the HPACK encoder (RFC 7541) for one HTTP/2 connection.
//
// Policy:
//   - exact matches in the static or dynamic table are sent as an index;
//   - authorization, proxy-authorization and cookie values, and any field
//     marked never_index, are never-indexed literals (§6.2.3, §7.1.3), so
//     no intermediary caches them and they never enter the table;
//   - fields whose values change with every request (:path, content-length,
//     etag, if-modified-since, if-none-match, ...) and entries larger than
//     3/4 of the table are literals without indexing, so they do not evict
//     the entries that repeat;
//   - everything else is a literal with incremental indexing;
//   - string literals are Huffman-coded when that is strictly shorter.
// The table capacity is min(peer's SETTINGS_HEADER_TABLE_SIZE, our own
// cap); when it changes, the next block starts with the size update(s)
// §4.2 requires (the smallest value in the interval, then the final one).
#ifndef STRATA_PLUGINS_H2_ENGINE_HPACK_ENCODER_H_
#define STRATA_PLUGINS_H2_ENGINE_HPACK_ENCODER_H_

#include <cstdint>
#include <string>

#include "plugins/h2/engine/hpack/decoder.h"
#include "plugins/h2/engine/hpack/dynamic_table.h"
#include "plugins/h2/engine/hpack/header_field.h"

namespace strata::h2::hpack {

class Encoder {
 public:
  // |max_table_size| caps the memory our side of the table uses, whatever
  // the peer allows.
  explicit Encoder(uint32_t max_table_size = kDefaultTableSize);
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  // SetPeerTableSizeSetting applies the peer's SETTINGS_HEADER_TABLE_SIZE.
  void SetPeerTableSizeSetting(uint32_t setting);

  // EncodeBlock appends the encoding of |fields| to |out|.
  void EncodeBlock(const HeaderList& fields, std::string* out);

  const DynamicTable& table() const { return table_; }

 private:
  void EncodeField(const HeaderField& field, std::string* out);

  DynamicTable table_;
  uint32_t max_table_size_;
  uint32_t peer_setting_ = kDefaultTableSize;
  bool update_pending_ = false;
  uint32_t smallest_pending_ = 0;  // smallest capacity since the last block
};

}  // namespace strata::h2::hpack

#endif  // STRATA_PLUGINS_H2_ENGINE_HPACK_ENCODER_H_
