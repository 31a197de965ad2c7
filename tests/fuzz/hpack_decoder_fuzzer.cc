// hpack_decoder_fuzzer.cc — the HPACK decoder (plugins/h2/engine/hpack)
// fed field blocks with a SETTINGS_HEADER_TABLE_SIZE schedule from the input.
//
// Input: records of [h][n: 2 bytes big-endian] then
//   h == 0xff: SetTableSizeSetting(n)          (no payload)
//   h == 0xfe: SetTableSizeSetting(n * 64)     (larger settings)
//   otherwise: DecodeBlock(next n bytes, max_list_size) with max_list_size
//              256 KiB when h == 0, else h * 64.
// Invariants (trap): the dynamic table never holds more than its capacity;
// after a successful block its capacity is within the setting; a successful
// list respects max_list_size; kResourceExhausted leaves the decoder usable;
// every other error is kInvalidArgument (and the decoder is then retired).
// Every decoded field is also checked to be valid for the table accounting.
#include <cstddef>
#include <cstdint>

#include "plugins/h2/engine/hpack/decoder.h"
#include "tests/fuzz/fuzz_input.h"

using strata::fuzz::Check;
using strata::fuzz::FuzzInput;
namespace hpack = strata::h2::hpack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  hpack::Decoder decoder;
  uint32_t setting = hpack::kDefaultTableSize;
  while (!in.empty()) {
    uint8_t h = in.U8();
    uint16_t n = in.U16();
    if (h == 0xff || h == 0xfe) {
      setting = h == 0xff ? n : static_cast<uint32_t>(n) * 64;
      decoder.SetTableSizeSetting(setting);
      Check(decoder.table_size_setting() == setting);
      continue;
    }
    size_t max_list = h == 0 ? 256 << 10 : static_cast<size_t>(h) * 64;
    std::string_view block = in.Bytes(n);
    hpack::HeaderList list;
    absl::Status st = decoder.DecodeBlock(absl::string_view(block.data(), block.size()), max_list, &list);
    const hpack::DynamicTable& t = decoder.table();
    Check(t.size() <= t.capacity());
    size_t entries = 0;
    for (size_t i = 0; i < t.count(); ++i) {
      entries += hpack::EntrySize(t.Get(i).name, t.Get(i).value);
    }
    Check(entries == t.size());
    if (st.ok()) {
      // An empty block may leave a required size update pending.
      if (!block.empty()) Check(t.capacity() <= setting);
      size_t list_size = 0;
      for (const hpack::HeaderField& f : list) list_size += hpack::EntrySize(f.name, f.value);
      Check(list_size <= max_list);
    } else if (st.code() == absl::StatusCode::kResourceExhausted) {
      Check(t.capacity() <= setting);
    } else {
      Check(st.code() == absl::StatusCode::kInvalidArgument);
      return 0;  // the connection would be closed; the decoder is retired
    }
  }
  return 0;
}
