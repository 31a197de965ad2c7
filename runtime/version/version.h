// version.h — strata's version, in one place: strata_version(), the
// default User-Agent ("strata/VERSION") and the man page read it.
#ifndef STRATA_RUNTIME_VERSION_VERSION_H_
#define STRATA_RUNTIME_VERSION_VERSION_H_

namespace strata {

inline constexpr char kStrataVersion[] = "0.1.0";

}  // namespace strata

#endif  // STRATA_RUNTIME_VERSION_VERSION_H_
