#include "plugins/h2/engine/hpack/static_table.h"

#include <array>
#include <string_view>
#include <unordered_map>

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
  // name maps to one run of at most 7 entries: one hash look-up and a
  // short scan, instead of comparing against all 61 names on every field.
  struct Run {
    uint8_t first;  // 0-based index into kEntries
    uint8_t count;
  };
  static const auto* const index = [] {
    auto* m = new std::unordered_map<std::string_view, Run>();
    for (size_t i = 0; i < kEntries.size(); ++i) {
      std::string_view n(kEntries[i].name.data(), kEntries[i].name.size());
      auto [it, fresh] = m->emplace(n, Run{static_cast<uint8_t>(i), 0});
      it->second.count++;
    }
    return m;
  }();
  auto it = index->find(std::string_view(name.data(), name.size()));
  if (it == index->end()) return;
  const Run run = it->second;
  *out_name = run.first + 1u;
  for (size_t i = run.first; i < static_cast<size_t>(run.first) + run.count; ++i) {
    if (kEntries[i].value == value) {
      *out_exact = i + 1;
      return;
    }
  }
}

}  // namespace strata::h2::hpack
