"""strata's version for BUILD files (names like libstrata.so.0.N.M).

It must equal kStrataVersion in version.h: the genrule that makes
//tools:libstrata.so.VERSION fails the build when they differ."""

STRATA_VERSION = "0.1.0"

# The soname's number (-Wl,-soname,libstrata.so.0 in runtime/capi/BUILD).
STRATA_SOVERSION = "0"
