#include "tools/cli/netrc.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace strata::cli {
namespace {

// Tokens of the file; a macdef's body is dropped.
std::vector<std::string> Tokens(absl::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    if (absl::ascii_isspace(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::string token;
    if (text[i] == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        token += text[i];
      }
      ++i;
    } else {
      while (i < text.size() && !absl::ascii_isspace(static_cast<unsigned char>(text[i]))) token += text[i++];
    }
    if (token == "macdef") {
      // The macro runs to the first empty line.
      size_t end = text.find("\n\n", i);
      i = end == absl::string_view::npos ? text.size() : end + 2;
      continue;
    }
    out.push_back(std::move(token));
  }
  return out;
}

struct Entry {
  bool is_default = false;
  std::string machine, login, password;
};

}  // namespace

std::optional<NetrcCredentials> FindNetrcCredentials(absl::string_view text, absl::string_view host,
                                                     absl::string_view user) {
  std::vector<Entry> entries;
  std::vector<std::string> tokens = Tokens(text);
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t == "machine" && i + 1 < tokens.size()) {
      entries.push_back({false, tokens[++i], "", ""});
    } else if (t == "default") {
      entries.push_back({true, "", "", ""});
    } else if ((t == "login" || t == "password") && i + 1 < tokens.size() && !entries.empty()) {
      (t == "login" ? entries.back().login : entries.back().password) = tokens[++i];
    }
  }
  for (const Entry& e : entries) {
    if (e.is_default || !absl::EqualsIgnoreCase(e.machine, host)) continue;
    if (!user.empty() && e.login != user) continue;
    return NetrcCredentials{e.login, e.password};
  }
  for (const Entry& e : entries) {
    if (!e.is_default) continue;
    return NetrcCredentials{user.empty() ? e.login : std::string(user), e.password};
  }
  return std::nullopt;
}

}  // namespace strata::cli
