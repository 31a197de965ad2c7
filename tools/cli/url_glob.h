// url_glob.h — curl's URL globbing: "[1-5]", "[01-10:2]", "[a-z]" and
// "{one,two}" in a URL stand for every value, one transfer each, and "#1"
// in an -o name is the first pattern's value for that transfer.
#ifndef STRATA_TOOLS_CLI_URL_GLOB_H_
#define STRATA_TOOLS_CLI_URL_GLOB_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace strata::cli {

// One URL a glob stands for, and each pattern's value in it (in order).
struct GlobbedUrl {
  std::string url;
  std::vector<std::string> values;
};

// At most this many URLs from one glob (curl's own limit is far above what
// anyone types; this one keeps a typo from starting millions of transfers).
inline constexpr size_t kMaxGlobUrls = 100000;

// ExpandUrlGlob lists the URLs |url| stands for, the last pattern varying
// fastest, as curl orders them. A backslash makes the next "[]{}" literal;
// a bracketed IPv6 address ("[::1]") is not a pattern. A URL without
// patterns gives itself. InvalidArgument is curl's message for a malformed
// pattern, e.g. "bad range in URL position 25:\n<url>\n<spaces>^".
absl::StatusOr<std::vector<GlobbedUrl>> ExpandUrlGlob(absl::string_view url);

// EscapeGlobCharacters percent-encodes "[]{}" after the URL's authority,
// for -g: curl sends them raw, which RFC 3986 does not allow in a path or
// query and strata's URL parser refuses; a server decodes both the same.
std::string EscapeGlobCharacters(absl::string_view url);

// GlobOutputName replaces "#N" in an -o name with the N-th pattern's value
// (1-based); "#N" with no such pattern stays as it is.
std::string GlobOutputName(absl::string_view name, const std::vector<std::string>& values);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_URL_GLOB_H_
