// trace_dump.h — curl's --trace and --trace-ascii text.
//
// A traced exchange is a series of blocks: "== Info: TEXT" lines and data
// blocks, "=> Send header, 79 bytes (0x4f)" followed by the bytes, 16 per
// line in hex and printable ASCII (--trace), or 64 per line as ASCII only
// with each CRLF ending a line (--trace-ascii). With --trace-time every
// block's first line starts with the local time, "HH:MM:SS.uuuuuu ".
#ifndef STRATA_TOOLS_CLI_TRACE_DUMP_H_
#define STRATA_TOOLS_CLI_TRACE_DUMP_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace strata::cli {

enum class TraceStyle { kHex, kAscii };

// TraceBlock renders |data| under |label| ("=> Send header", "<= Recv
// data", ...), |time_prefix| before the label line.
std::string TraceBlock(TraceStyle style, absl::string_view time_prefix, absl::string_view label,
                       absl::string_view data);

// TraceInfo renders one informational line (|text| without its newline).
std::string TraceInfo(absl::string_view time_prefix, absl::string_view text);

// TraceTimePrefix is "HH:MM:SS.uuuuuu " for |unix_us| in local time.
std::string TraceTimePrefix(int64_t unix_us);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_TRACE_DUMP_H_
