// content_disposition.h — -J/--remote-header-name: the file name a
// response's Content-Disposition header gives, read as curl 7.88 reads it.
//
// curl's rules, kept on purpose since scripts rely on them: only the first
// "filename=" parameter counts (lower case, as written; "filename*=" and
// "FILENAME=" are not it); a value starting with ' or " ends at the same
// quote (or, unterminated, runs to the end), an unquoted one at ';'; the
// name keeps only what follows its last '/' and then its last '\', so a
// server cannot point the file anywhere but the current (or --output-dir)
// directory; nothing is trimmed but a CR or LF and what follows it.
#ifndef STRATA_TOOLS_CLI_CONTENT_DISPOSITION_H_
#define STRATA_TOOLS_CLI_CONTENT_DISPOSITION_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace strata::cli {

// IsContentDispositionLine: |line| is a "Content-Disposition:" header line
// (any case), as curl's header callback recognises it.
bool IsContentDispositionLine(absl::string_view line);

// FilenameFromContentDisposition reads the file name out of a
// Content-Disposition header |line| ("Content-Disposition: attachment;
// filename=\"a.txt\"", without its CRLF). nullopt: no filename parameter,
// or one that ends in '/' or '\' (curl then keeps the URL's name); "": an
// empty name (which curl fails to create: exit 23).
std::optional<std::string> FilenameFromContentDisposition(absl::string_view line);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_CONTENT_DISPOSITION_H_
