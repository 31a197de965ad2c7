#include "runtime/cookies/set_cookie_syntax.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "runtime/cookies/cookie.h"

namespace strata {
namespace {

// RFC 6265bis trims WSP (SP and HTAB) only, not every ASCII space.
absl::string_view TrimWsp(absl::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

const std::string* SetCookieSyntax::Find(absl::string_view name) const {
  for (auto it = attributes.rbegin(); it != attributes.rend(); ++it) {
    if (absl::EqualsIgnoreCase(it->name, name)) return &it->value;
  }
  return nullptr;
}

absl::StatusOr<SetCookieSyntax> LexSetCookie(absl::string_view header_value) {
  for (size_t i = 0; i < header_value.size(); ++i) {
    const unsigned char c = header_value[i];
    if ((c < 0x20 && c != '\t') || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat("Set-Cookie has control character 0x", absl::Hex(c, absl::kZeroPad2), " at offset ", i));
    }
  }
  const size_t semi = header_value.find(';');
  absl::string_view pair = header_value.substr(0, semi);
  absl::string_view rest = semi == absl::string_view::npos ? absl::string_view() : header_value.substr(semi);

  SetCookieSyntax out;
  const size_t eq = pair.find('=');
  if (eq == absl::string_view::npos) {
    out.value = std::string(TrimWsp(pair));
  } else {
    out.name = std::string(TrimWsp(pair.substr(0, eq)));
    out.value = std::string(TrimWsp(pair.substr(eq + 1)));
  }
  if (out.name.empty() && out.value.empty()) return absl::InvalidArgumentError("Set-Cookie has no name and no value");
  if (out.name.size() + out.value.size() > kMaxCookieNameValueBytes) {
    return absl::InvalidArgumentError(absl::StrCat("Set-Cookie name and value are ", out.name.size() + out.value.size(),
                                                   " bytes; the limit is ", kMaxCookieNameValueBytes));
  }
  if (absl::StrContains(out.name, '\t') || absl::StrContains(out.value, '\t')) {
    return absl::InvalidArgumentError("Set-Cookie name or value has a tab inside (a cookie jar could not store it)");
  }

  while (!rest.empty()) {
    rest.remove_prefix(1);  // the ';'
    const size_t next = rest.find(';');
    absl::string_view av = rest.substr(0, next);
    rest = next == absl::string_view::npos ? absl::string_view() : rest.substr(next);
    const size_t av_eq = av.find('=');
    SetCookieAttribute attribute;
    attribute.name = std::string(TrimWsp(av.substr(0, av_eq)));
    if (av_eq != absl::string_view::npos) attribute.value = std::string(TrimWsp(av.substr(av_eq + 1)));
    if (attribute.value.size() > kMaxCookieAttributeValueBytes) continue;  // §5.6 step 7: ignore it
    if (attribute.name.empty() && attribute.value.empty()) continue;       // "a=1;;" or a trailing ';'
    out.attributes.push_back(std::move(attribute));
  }
  return out;
}

}  // namespace strata
