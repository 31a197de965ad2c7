// hpack_roundtrip_fuzzer.cc — HPACK encode → decode must reproduce the
// header list exactly, with SETTINGS_HEADER_TABLE_SIZE changes interleaved.
//
// Input: [encoder cap: 2 bytes] then records:
//   h < 0x10   : the decoder's peer changes SETTINGS_HEADER_TABLE_SIZE to the
//                next 2 bytes (applied to both sides before the next block,
//                as after the SETTINGS ACK);
//   h >= 0x10  : a header list of (h >> 4) fields; each field is
//                [b][name][v][value]: b bit 7 = never_index, bit 6 = name
//                from the static table (index b & 0x3f), else a literal name
//                of (b & 0x3f) bytes; value: v bit 7 = repeat the previous
//                field's value, else (v & 0x7f) bytes.
// Invariants (trap): decode(encode(list)) == list, names and values byte for
// byte; fields asked to be never-indexed come back never-indexed; after each
// block the encoder's and decoder's dynamic tables hold the same entries in
// the same order with the same size and capacity, never above the setting.
#include <cstddef>
#include <cstdint>
#include <string>

#include "plugins/h2/engine/hpack/decoder.h"
#include "plugins/h2/engine/hpack/encoder.h"
#include "tests/fuzz/fuzz_input.h"

using strata::fuzz::Check;
using strata::fuzz::FuzzInput;
namespace hpack = strata::h2::hpack;

namespace {

const char* const kNames[] = {
    ":authority", ":method", ":path", ":scheme", ":status", "accept", "accept-encoding",
    "authorization", "cache-control", "content-length", "content-type", "cookie", "date",
    "etag", "host", "if-none-match", "location", "proxy-authorization", "set-cookie",
    "user-agent", "vary", "x-custom", "",
};

void CheckTablesEqual(const hpack::DynamicTable& a, const hpack::DynamicTable& b) {
  Check(a.size() == b.size());
  Check(a.capacity() == b.capacity());
  Check(a.count() == b.count());
  for (size_t i = 0; i < a.count(); ++i) {
    Check(a.Get(i).name == b.Get(i).name);
    Check(a.Get(i).value == b.Get(i).value);
  }
  Check(a.size() <= a.capacity());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  uint32_t cap = in.U16();
  hpack::Encoder encoder(cap);
  hpack::Decoder decoder;
  uint32_t setting = hpack::kDefaultTableSize;
  encoder.SetPeerTableSizeSetting(setting);
  int blocks = 0;
  while (!in.empty() && blocks < 64) {
    uint8_t h = in.U8();
    if (h < 0x10) {
      setting = in.U16();
      decoder.SetTableSizeSetting(setting);
      encoder.SetPeerTableSizeSetting(setting);
      continue;
    }
    ++blocks;
    hpack::HeaderList list;
    size_t n = h >> 4;
    for (size_t i = 0; i < n; ++i) {
      hpack::HeaderField f;
      uint8_t b = in.U8();
      f.never_index = (b & 0x80) != 0;
      if (b & 0x40) {
        f.name = kNames[(b & 0x3f) % (sizeof(kNames) / sizeof(kNames[0]))];
      } else {
        f.name = std::string(in.Bytes(b & 0x3f));
      }
      uint8_t v = in.U8();
      if ((v & 0x80) && !list.empty()) {
        f.value = list.back().value;
      } else {
        f.value = std::string(in.Bytes(v & 0x7f));
      }
      list.push_back(std::move(f));
    }
    std::string wire;
    encoder.EncodeBlock(list, &wire);
    hpack::HeaderList decoded;
    absl::Status st = decoder.DecodeBlock(wire, SIZE_MAX, &decoded);
    Check(st.ok());
    Check(decoded.size() == list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      Check(decoded[i].name == list[i].name);
      Check(decoded[i].value == list[i].value);
      if (list[i].never_index) Check(decoded[i].never_index);
    }
    // An empty list may leave a size update for the next block; the tables
    // agree once a block went out.
    if (!wire.empty()) {
      CheckTablesEqual(encoder.table(), decoder.table());
      Check(decoder.table().capacity() <= setting);
    }
    Check(encoder.table().capacity() <= std::min(setting, cap));
  }
  return 0;
}
