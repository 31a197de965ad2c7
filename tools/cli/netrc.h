// netrc.h — credentials from a .netrc file, as curl 7.88 reads them
// (-n/--netrc, --netrc-file, --netrc-optional).
#ifndef STRATA_TOOLS_CLI_NETRC_H_
#define STRATA_TOOLS_CLI_NETRC_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace strata::cli {

struct NetrcCredentials {
  std::string login;
  std::string password;
};

// FindNetrcCredentials looks |host| up in the netrc |text|: the first
// "machine" entry for the host (case-insensitive) whose login is |user|
// when a user is given, else the "default" entry, whose password then goes
// with |user| (as curl does). Tokens are separated by white space and may
// be double-quoted; "macdef" bodies (up to a blank line) are skipped.
std::optional<NetrcCredentials> FindNetrcCredentials(absl::string_view text, absl::string_view host,
                                                     absl::string_view user);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_NETRC_H_
