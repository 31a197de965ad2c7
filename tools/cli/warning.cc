#include "tools/cli/warning.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace strata::cli {

std::string FormatCurlWarning(absl::string_view message) {
  constexpr absl::string_view kPrefix = "Warning: ";
  constexpr size_t kWidth = 79 - kPrefix.size();
  // Most of curl's warnings end in "\n", which counts towards the width.
  const bool newline = absl::ConsumeSuffix(&message, "\n");
  std::string out;
  while (!message.empty()) {
    absl::StrAppend(&out, kPrefix);
    if (message.size() + (newline ? 1 : 0) <= kWidth) {
      absl::StrAppend(&out, message, "\n");
      break;
    }
    // The cut keeps the space it is made at at the end of the line.
    size_t cut = kWidth - 1;
    while (cut > 0 && message[cut] != ' ') --cut;
    if (cut == 0) cut = kWidth - 1;
    absl::StrAppend(&out, message.substr(0, cut + 1), "\n");
    message.remove_prefix(cut + 1);
  }
  return out;
}

}  // namespace strata::cli
