#include "tools/cli/trace_dump.h"

#include <time.h>

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace strata::cli {
namespace {

char Printable(unsigned char c) { return c >= 0x20 && c < 0x80 ? static_cast<char>(c) : '.'; }

bool CrlfAt(absl::string_view data, size_t at) {
  return at + 1 < data.size() && data[at] == '\r' && data[at + 1] == '\n';
}

}  // namespace

std::string TraceBlock(TraceStyle style, absl::string_view time_prefix, absl::string_view label,
                       absl::string_view data) {
  std::string out = absl::StrCat(time_prefix, label, ", ", data.size(), " bytes (0x");
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%zx)\n", data.size());
  out += buf;
  const size_t width = style == TraceStyle::kHex ? 16 : 64;
  // In ASCII a line also ends after a CRLF (not shown), and the next one
  // starts at the byte after it: the offsets follow the data, as curl's.
  size_t i = 0;
  while (i < data.size()) {
    std::snprintf(buf, sizeof(buf), "%04zx: ", i);
    out += buf;
    if (style == TraceStyle::kHex) {
      for (size_t c = 0; c < width; ++c) {
        if (i + c < data.size()) {
          std::snprintf(buf, sizeof(buf), "%02x ", static_cast<unsigned char>(data[i + c]));
          out += buf;
        } else {
          out += "   ";
        }
      }
    }
    size_t next = i + width;
    for (size_t c = 0; c < width && i + c < data.size(); ++c) {
      if (style == TraceStyle::kAscii && CrlfAt(data, i + c)) {
        next = i + c + 2;
        break;
      }
      out += Printable(static_cast<unsigned char>(data[i + c]));
      // A CRLF right after the last byte that fits ends this line too,
      // rather than starting the next one with it.
      if (style == TraceStyle::kAscii && CrlfAt(data, i + c + 1)) {
        next = i + c + 3;
        break;
      }
    }
    out += '\n';
    i = next;
  }
  return out;
}

std::string TraceInfo(absl::string_view time_prefix, absl::string_view text) {
  return absl::StrCat(time_prefix, "== Info: ", text, "\n");
}

std::string TraceTimePrefix(int64_t unix_us) {
  time_t seconds = static_cast<time_t>(unix_us / 1000000);
  struct tm local {};
  localtime_r(&seconds, &local);
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%02d:%02d:%02d.%06lld ", local.tm_hour, local.tm_min, local.tm_sec,
                static_cast<long long>(unix_us % 1000000));
  return buf;
}

}  // namespace strata::cli
