#include "runtime/capi/library_versions.h"

#include <brotli/decode.h>
#include <libpsl.h>
#include <zlib.h>
#include <zstd.h>

#include "absl/strings/str_cat.h"

namespace strata {

std::string LibraryVersions() {
  // Brotli packs its version as 0xMMMmmmppp (12 bits each).
  const uint32_t br = BrotliDecoderVersion();
  return absl::StrCat("zlib/", zlibVersion(), " brotli/", br >> 24, ".", (br >> 12) & 0xfff, ".", br & 0xfff,
                      " zstd/", ZSTD_versionString(), " libpsl/", psl_get_version());
}

}  // namespace strata
