// library_versions.h — the third-party libraries linked into libstrata.
#ifndef STRATA_RUNTIME_CAPI_LIBRARY_VERSIONS_H_
#define STRATA_RUNTIME_CAPI_LIBRARY_VERSIONS_H_

#include <string>

namespace strata {

// LibraryVersions: "zlib/1.2.13 brotli/1.0.9 zstd/1.5.4 libpsl/0.21.2", as
// the running process has them (the shared libraries' own answers).
std::string LibraryVersions();

}  // namespace strata

#endif  // STRATA_RUNTIME_CAPI_LIBRARY_VERSIONS_H_
