#include "plugins/h2/engine/hpack/static_table.h"

#include <array>

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
  // 61 short entries: a linear scan is cheaper than building an index.
  for (size_t i = 0; i < kEntries.size(); ++i) {
    if (kEntries[i].name != name) continue;
    if (*out_name == 0) *out_name = i + 1;
    if (kEntries[i].value == value) {
      *out_exact = i + 1;
      return;
    }
  }
}

}  // namespace strata::h2::hpack
