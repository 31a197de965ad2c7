#include "plugins/h2/engine/hpack/static_table.h"

#include <array>
#include <string_view>

#include "plugins/h2/engine/hpack/header_field.h"

namespace strata::h2::hpack {
namespace {

constexpr std::array<StaticEntry, kStaticTableSize> kEntries = {{
    {":authority", ""},
    {":method", "GET"},
    {":method", "POST"},
    {":path", "/"},
    {":path", "/index.html"},
    {":scheme", "http"},
    {":scheme", "https"},
    {":status", "200"},
    {":status", "204"},
    {":status", "206"},
    {":status", "304"},
    {":status", "400"},
    {":status", "404"},
    {":status", "500"},
    {"accept-charset", ""},
    {"accept-encoding", "gzip, deflate"},
    {"accept-language", ""},
    {"accept-ranges", ""},
    {"accept", ""},
    {"access-control-allow-origin", ""},
    {"age", ""},
    {"allow", ""},
    {"authorization", ""},
    {"cache-control", ""},
    {"content-disposition", ""},
    {"content-encoding", ""},
    {"content-language", ""},
    {"content-length", ""},
    {"content-location", ""},
    {"content-range", ""},
    {"content-type", ""},
    {"cookie", ""},
    {"date", ""},
    {"etag", ""},
    {"expect", ""},
    {"expires", ""},
    {"from", ""},
    {"host", ""},
    {"if-match", ""},
    {"if-modified-since", ""},
    {"if-none-match", ""},
    {"if-range", ""},
    {"if-unmodified-since", ""},
    {"last-modified", ""},
    {"link", ""},
    {"location", ""},
    {"max-forwards", ""},
    {"proxy-authenticate", ""},
    {"proxy-authorization", ""},
    {"range", ""},
    {"referer", ""},
    {"refresh", ""},
    {"retry-after", ""},
    {"server", ""},
    {"set-cookie", ""},
    {"strict-transport-security", ""},
    {"transfer-encoding", ""},
    {"user-agent", ""},
    {"vary", ""},
    {"via", ""},
    {"www-authenticate", ""},
}};

}  // namespace

const StaticEntry& StaticTableEntry(size_t index) { return kEntries[index - 1]; }

void StaticTableFind(absl::string_view name, absl::string_view value, size_t* out_exact,
                     size_t* out_name) {
  *out_exact = 0;
  *out_name = 0;
  // Entries with the same name are adjacent (RFC 7541 Appendix A), so a
  // name maps to one run of at most 7 entries: one table probe and a short
  // scan. The probe hashes only the length and two bytes into an open-
  // addressed table of 128 slots (40-odd names): std::hash over every byte
  // and the node walk of an unordered_map were 1.5% of a small request.
  struct Run {
    uint8_t first = 0;  // 0-based index into kEntries
    uint8_t count = 0;  // 0: empty slot
  };
  constexpr size_t kSlots = 128;
  auto slot_of = [](absl::string_view n) {
    return (n.size() * 31u + static_cast<unsigned char>(n.front()) * 7u +
            static_cast<unsigned char>(n.back())) % kSlots;
  };
  static const std::array<Run, kSlots> index = [&] {
    std::array<Run, kSlots> t{};
    for (size_t i = 0; i < kEntries.size(); ++i) {
      absl::string_view n = kEntries[i].name;
      size_t k = slot_of(n);
      while (t[k].count != 0 && kEntries[t[k].first].name != n) k = (k + 1) % kSlots;
      if (t[k].count == 0) t[k].first = static_cast<uint8_t>(i);
      t[k].count++;
    }
    return t;
  }();
  if (name.empty()) return;
  size_t k = slot_of(name);
  while (index[k].count != 0 && !SameBytes(kEntries[index[k].first].name, name)) {
    k = (k + 1) % kSlots;
  }
  if (index[k].count == 0) return;
  const Run run = index[k];
  *out_name = run.first + 1u;
  for (size_t i = run.first; i < static_cast<size_t>(run.first) + run.count; ++i) {
    if (SameBytes(kEntries[i].value, value)) {
      *out_exact = i + 1;
      return;
    }
  }
}

}  // namespace strata::h2::hpack
