// url_fuzzer.cc — runtime/url: ParseUrl and ResolveReference (Location).
//
// Input: byte 0 picks one of a few fixed bases; the rest is the text, used
// both as an absolute URL and as a reference resolved against that base.
// Invariants (violations trap):
//   - a parsed URL is normalised: lowercase scheme and host, non-empty host,
//     path starting with '/', port non-zero;
//   - ToString() of a parsed or resolved URL strictly re-parses to the same
//     scheme, host, port and path (and fragment): what we connect to after a
//     redirect is what any strict parser reads from the URL we print;
//   - resolving is deterministic and never yields a host containing bytes a
//     strict host parser would refuse.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "runtime/url/url.h"

namespace {

const char* const kBases[] = {
    "http://a/b/c/d;p?q",  // RFC 3986 §5.4
    "https://example.com/",
    "http://user:pw@[2001:db8::1]:8080/x/y?z#frag",
    "https://example.com:8443/dir/file?query#f",
    "http://127.0.0.1/",
    "http://h/a/../b/./c/",
};

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

void CheckNormalised(const strata::Url& u) {
  Check(!u.scheme.empty() && u.scheme == absl::AsciiStrToLower(u.scheme));
  Check(!u.host.empty() && u.host == absl::AsciiStrToLower(u.host));
  Check(u.port != 0);
  Check(!u.path.empty() && u.path.front() == '/');
  for (char c : u.host) {
    unsigned char b = static_cast<unsigned char>(c);
    Check(b > 0x20 && b < 0x7f && c != '/' && c != '\\' && c != '@' && c != '?' && c != '#' &&
          c != '%');
  }
}

// Reparse checks that u.ToString() strictly re-parses to the same URL.
void Reparse(const strata::Url& u) {
  std::string text = u.ToString();
  absl::StatusOr<strata::Url> again = strata::ParseUrl(text);
  Check(again.ok());
  Check(again->scheme == u.scheme);
  Check(again->host == u.host);
  Check(again->port == u.port);
  Check(again->path == u.path);
  Check(again->fragment == u.fragment);
  Check(again->ToString() == text);
  Check(again->Authority() == u.Authority());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const char* base_text = kBases[data[0] % (sizeof(kBases) / sizeof(kBases[0]))];
  absl::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  absl::StatusOr<strata::Url> parsed = strata::ParseUrl(text);
  if (parsed.ok()) {
    CheckNormalised(*parsed);
    Reparse(*parsed);
  }

  absl::StatusOr<strata::Url> base = strata::ParseUrl(base_text);
  Check(base.ok());
  absl::StatusOr<strata::Url> resolved = strata::ResolveReference(*base, text);
  absl::StatusOr<strata::Url> resolved2 = strata::ResolveReference(*base, text);
  Check(resolved.ok() == resolved2.ok());
  if (resolved.ok()) {
    Check(resolved->ToString() == resolved2->ToString());
    CheckNormalised(*resolved);
    Reparse(*resolved);
    // A reference with neither scheme nor authority keeps the base's origin.
    bool has_authority = text.substr(0, 2) == "//";
    size_t colon = text.find(':');
    size_t delim = text.find_first_of("/?#");
    bool maybe_scheme = colon != absl::string_view::npos && (delim == absl::string_view::npos || colon < delim);
    if (!has_authority && !maybe_scheme) Check(resolved->SameOrigin(*base));
    // An absolute reference resolves to what it parses to (modulo dot
    // segments in the path).
    if (parsed.ok()) {
      Check(resolved->scheme == parsed->scheme);
      Check(resolved->host == parsed->host);
      Check(resolved->port == parsed->port);
    }
  }
  return 0;
}
