#include "plugins/h2/engine/session/priority.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace strata::h2 {

Priority ParsePriority(absl::string_view value) {
  Priority p;
  for (absl::string_view member : absl::StrSplit(value, ',')) {
    member = absl::StripAsciiWhitespace(member);
    // Parameters (";...") are allowed and ignored.
    member = member.substr(0, member.find(';'));
    absl::string_view key = member.substr(0, member.find('='));
    absl::string_view val =
        member.find('=') == absl::string_view::npos ? "" : member.substr(member.find('=') + 1);
    if (key == "u") {
      if (val.size() == 1 && val[0] >= '0' && val[0] <= '7') p.urgency = val[0] - '0';
    } else if (key == "i") {
      if (val.empty() || val == "?1") p.incremental = true;
      else if (val == "?0") p.incremental = false;
    }
  }
  return p;
}

}  // namespace strata::h2
