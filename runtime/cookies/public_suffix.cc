#include "runtime/cookies/public_suffix.h"

#include <libpsl.h>

#include "runtime/cookies/cookie_match.h"

namespace strata {
namespace {

// The context lives as long as the process: psl_latest's copy is never
// freed, psl_builtin's is static in libpsl.
const psl_ctx_t* Psl() {
  static const psl_ctx_t* const psl = [] {
    const psl_ctx_t* latest = psl_latest(nullptr);
    return latest != nullptr ? latest : psl_builtin();
  }();
  return psl;
}

}  // namespace

bool IsPublicSuffix(absl::string_view domain) {
  const psl_ctx_t* psl = Psl();
  // Without any list, every domain counts as a suffix: cookies stay
  // host-only rather than spreading to sites we cannot tell apart.
  if (psl == nullptr) return true;
  return psl_is_public_suffix(psl, std::string(domain).c_str()) != 0;
}

std::string CookieSite(absl::string_view domain) {
  const psl_ctx_t* psl = Psl();
  if (psl == nullptr || IsIpLiteral(domain)) return std::string(domain);
  const std::string text(domain);
  const char* site = psl_registrable_domain(psl, text.c_str());
  return site != nullptr ? std::string(site) : text;
}

}  // namespace strata
