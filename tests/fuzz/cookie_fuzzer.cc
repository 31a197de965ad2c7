// cookie_fuzzer.cc — runtime/cookies: Set-Cookie parsing, the cookie store
// and the Netscape jar.
//
// Input: byte 0 picks the first request URL from a fixed list, byte 1 the
// store's limits (small ones make eviction happen) and the SameSite
// context, a 16-bit length then takes that many bytes as a jar text; the
// rest is Set-Cookie field values, one a line. A line "@N" switches to URL
// N; every line is one second later than the one before.
// Invariants (violations trap):
//   - every stored cookie passes ValidateCookie (so name + value <= 4096,
//     no control characters, a sane domain and path);
//   - the store keeps its limits (total and per site);
//   - a Cookie header never carries CR, LF or NUL and keeps its length cap;
//   - Save -> Load -> Save is a fixed point, and the load finds nothing
//     malformed or expired in what Save wrote.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "runtime/cookies/cookie_store.h"
#include "runtime/cookies/netscape_jar.h"
#include "runtime/cookies/public_suffix.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using strata::fuzz::Check;

const strata::CookieUrl kUrls[] = {
    {"https", "www.example.com", "/dir/page"},
    {"http", "www.example.com", "/"},
    {"https", "example.com", "/a/b/c?q=/x"},
    {"http", "127.0.0.1", "/"},
    {"https", "[::1]", "/x/"},
    {"https", "github.io", "/"},
    {"https", "strata.github.io", "/p"},
    {"https", "a.b.example.co.uk", "/"},
    {"http", "localhost", "/sub/dir"},
    {"https", "xn--bcher-kva.example", "/"},
};
constexpr size_t kNumUrls = sizeof(kUrls) / sizeof(kUrls[0]);
constexpr int64_t kNow = 1796599096;

void CheckStore(const strata::CookieStore& store, const strata::CookieStoreLimits& limits, int64_t now) {
  std::vector<strata::Cookie> cookies = store.List(now);
  Check(cookies.size() <= store.size());
  Check(store.size() <= limits.max_total);
  std::map<std::string, size_t> per_site;
  for (const strata::Cookie& c : cookies) {
    Check(strata::ValidateCookie(c).ok());
    Check(c.name.size() + c.value.size() <= strata::kMaxCookieNameValueBytes);
    Check(++per_site[strata::CookieSite(c.domain)] <= limits.max_per_site);
  }
}

void CheckHeader(const std::string& header, const strata::CookieStoreLimits& limits) {
  Check(header.find_first_of(std::string("\r\n\0", 3)) == std::string::npos);
  Check(header.size() <= limits.max_header_bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::fuzz::FuzzInput in(data, size);
  size_t url = in.U8() % kNumUrls;
  const uint8_t flags = in.U8();
  strata::CookieStoreLimits limits;
  if (flags & 1) {
    limits.max_per_site = 1 + (flags >> 4);
    limits.max_total = 2 + (flags >> 5);
    limits.max_header_bytes = 16 + 8 * (flags >> 4);
  }
  const auto context = static_cast<strata::SiteContext>((flags >> 1) % 3);
  std::string_view jar = in.Bytes(in.U16());
  std::string_view lines = in.Rest();

  strata::CookieStore store(limits);
  int64_t now = kNow;
  strata::LoadNetscapeJar(store, absl::string_view(jar.data(), jar.size()), now);
  CheckStore(store, limits, now);
  for (absl::string_view line : absl::StrSplit(absl::string_view(lines.data(), lines.size()), '\n')) {
    ++now;
    if (line.size() == 2 && line[0] == '@' && line[1] >= '0' && line[1] <= '9') {
      url = static_cast<size_t>(line[1] - '0') % kNumUrls;
      continue;
    }
    (void)store.SetFromHeader(line, kUrls[url], now);
    CheckHeader(store.CookieHeaderFor(kUrls[url], now, context), limits);
  }
  CheckStore(store, limits, now);
  for (const strata::CookieUrl& u : kUrls) CheckHeader(store.CookieHeaderFor(u, now, context), limits);

  const std::string saved = strata::SaveNetscapeJar(store, now);
  strata::CookieStore reloaded(limits);
  strata::JarLoadStats stats = strata::LoadNetscapeJar(reloaded, saved, now);
  Check(stats.malformed == 0 && stats.expired == 0);
  Check(stats.loaded == store.List(now).size());
  Check(strata::SaveNetscapeJar(reloaded, now) == saved);
  return 0;
}
