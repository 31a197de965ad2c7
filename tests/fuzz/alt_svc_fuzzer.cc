// alt_svc_fuzzer.cc — runtime/altsvc: the Alt-Svc field parser, the cache
// and curl's alt-svc file format.
//
// Input: a 16-bit length then that many bytes as a cache file text; the
// rest is Alt-Svc field values, one a line, each applied as from an origin
// picked by the line's first byte; every line is one second later.
// Invariants (violations trap):
//   - the parser keeps its limits (alternatives, host length, ports 1..65535,
//     max-age capped) and never returns both "clear" and alternatives;
//   - the cache never holds more than kAltSvcMaxEntries entries, each with
//     a known ALPN id, a non-empty host and non-zero ports;
//   - Serialize -> Load -> Serialize is a fixed point, and the load finds
//     nothing malformed in what Serialize wrote.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "runtime/altsvc/alt_svc_cache.h"
#include "runtime/altsvc/alt_svc_header.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using strata::fuzz::Check;

struct Origin {
  const char* alpn;
  const char* host;
  uint16_t port;
};
const Origin kOrigins[] = {
    {"h2", "www.example.com", 443}, {"h1", "Example.COM.", 8443}, {"h3", "::1", 443}, {"h2", "127.0.0.1", 1},
};
constexpr int64_t kNow = 1796601600;

bool KnownAlpn(const std::string& id) { return id == "h1" || id == "h2" || id == "h3"; }

void CheckField(const strata::AltSvcField& f) {
  Check(!(f.clear && !f.alternatives.empty()));
  Check(f.alternatives.size() <= strata::kAltSvcMaxAlternatives);
  for (const strata::AltSvcAlternative& a : f.alternatives) {
    Check(!a.protocol_id.empty());
    Check(a.port != 0);
    Check(a.host.size() <= strata::kAltSvcMaxHostBytes);
    Check(a.max_age_seconds <= strata::kAltSvcMaxMaxAgeSeconds);
  }
}

void CheckCache(const strata::AltSvcCache& cache) {
  Check(cache.entries().size() <= strata::kAltSvcMaxEntries);
  for (const strata::AltSvcEntry& e : cache.entries()) {
    Check(KnownAlpn(e.src_alpn) && KnownAlpn(e.dst_alpn));
    Check(!e.src_host.empty() && !e.dst_host.empty());
    Check(e.src_port != 0 && e.dst_port != 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  strata::fuzz::FuzzInput in(data, size);
  std::string_view file = in.Bytes(in.U16());
  std::string_view lines = in.Rest();

  strata::AltSvcCache cache;
  int64_t now = kNow;
  cache.Load(absl::string_view(file.data(), file.size()), now);
  CheckCache(cache);
  for (absl::string_view line : absl::StrSplit(absl::string_view(lines.data(), lines.size()), '\n')) {
    ++now;
    if (line.empty()) continue;
    const Origin& o = kOrigins[static_cast<uint8_t>(line[0]) % (sizeof(kOrigins) / sizeof(kOrigins[0]))];
    strata::AltSvcField field = strata::ParseAltSvc(line.substr(1));
    CheckField(field);
    cache.Apply(o.alpn, o.host, o.port, field, now);
    CheckCache(cache);
    (void)cache.Lookup(o.host, o.port, "h3", now);
  }
  const std::string saved = cache.Serialize(now);
  strata::AltSvcCache reloaded;
  strata::AltSvcLoadStats stats = reloaded.Load(saved, now);
  Check(stats.malformed == 0 && stats.expired == 0);
  Check(reloaded.Serialize(now) == saved);
  return 0;
}
