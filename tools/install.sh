#!/bin/bash
# install.sh — installs strata for programs built outside Bazel.
#
#   tools/install.sh PREFIX              build //tools:dist with Bazel (-c opt), then install
#   tools/install.sh --from DIR PREFIX   install files already built: DIR holds what
#                                        //tools:dist holds (libstrata.so, strata,
#                                        strata-inspect, strata-*.so plugins)
#
# Installs
#   PREFIX/lib/libstrata.so.0.N.M        the library, named after its version (runtime/version)
#   PREFIX/lib/libstrata.so.0            -> libstrata.so.0.N.M (its soname: what programs load)
#   PREFIX/lib/libstrata.so              -> libstrata.so.0 (what -lstrata finds)
#   PREFIX/lib/strata/plugins/strata-*.so
#                                        where libstrata.so and the programs look by default
#   PREFIX/include/strata/               strata.h, plugin.h, status.h, sdk.hpp
#   PREFIX/bin/strata, PREFIX/bin/strata-inspect
#   PREFIX/share/man/man1/strata.1       man strata (man -l for the file itself)
#   PREFIX/share/bash-completion/completions/strata
#   PREFIX/lib/pkgconfig/strata.pc       cc prog.c $(pkg-config --cflags --libs strata)
#   PREFIX/lib/cmake/strata/strataConfig.cmake, strataConfigVersion.cmake
#                                        find_package(strata) -> target strata::strata
#
# The headers come from api/ next to this script (in a checkout, or in the
# runfiles of a test that ships this script with them).
#
# Environment: BAZEL (default "bazel"; e.g. "bazel --output_base=...") and
# BAZEL_FLAGS (extra build flags) for the build; DESTDIR for a staged
# install (files go under $DESTDIR/PREFIX, strata.pc still says PREFIX).
set -euo pipefail

usage() {
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

from=""
while [ $# -gt 0 ]; do
  case "$1" in
    --from)
      [ $# -ge 2 ] || usage
      from=$2
      shift 2
      ;;
    -h | --help) usage ;;
    -*) echo "install.sh: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || usage
prefix=$1
# strata.pc and the rpath in it must be absolute to work from anywhere.
case "$prefix" in
  /*) ;;
  *) prefix="$(pwd)/$prefix" ;;
esac
prefix=${prefix%/}

# Not resolved through symlinks on purpose: in a test's runfiles the script
# is a symlink into the source tree, and api/ is beside the symlink.
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
headers="$repo/api/strata"

if [ -z "$from" ]; then
  bazel=${BAZEL:-bazel}
  # -c opt: an installed library is for use, not for debugging the build.
  (cd "$repo" && $bazel build -c opt ${BAZEL_FLAGS:-} //tools:dist)
  from="$(cd "$repo" && $bazel info -c opt ${BAZEL_FLAGS:-} bazel-bin)/tools"
fi

for f in libstrata.so strata strata-inspect strata.1 strata.bash-completion; do
  [ -f "$from/$f" ] || { echo "install.sh: $from/$f is missing (expected the files of //tools:dist)" >&2; exit 1; }
done
plugins=("$from"/strata-*.so)
[ -f "${plugins[0]}" ] || { echo "install.sh: no strata-*.so plugin in $from" >&2; exit 1; }
for h in strata.h plugin.h status.h sdk.hpp; do
  [ -f "$headers/$h" ] || { echo "install.sh: header $headers/$h is missing" >&2; exit 1; }
done

# The file is named after the soname the linker records in programs, so
# they find it at run time; libstrata.so is only for -lstrata at link time.
soname=$(readelf -d "$from/libstrata.so" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
if [ -z "$soname" ]; then
  echo "install.sh: cannot read the soname of $from/libstrata.so (is readelf installed?)" >&2
  exit 1
fi
version=$("$from/strata" --version 2>/dev/null | sed -n '1s/^strata \([0-9][0-9.]*\).*/\1/p')
if [ -z "$version" ]; then
  echo "install.sh: cannot read the version from $from/strata --version" >&2
  exit 1
fi
# libstrata.so.0 must name a file of version 0.N.M.
case "$version" in
  "${soname#libstrata.so.}".*) ;;
  *) echo "install.sh: version $version does not belong to soname $soname" >&2; exit 1 ;;
esac
real="libstrata.so.$version"

dest="${DESTDIR:-}$prefix"
install -d "$dest/bin" "$dest/include/strata" "$dest/lib/pkgconfig" "$dest/lib/strata/plugins" \
  "$dest/lib/cmake/strata"
install -m 0755 "$from/libstrata.so" "$dest/lib/$real"
ln -sfn "$real" "$dest/lib/$soname"
ln -sfn "$soname" "$dest/lib/libstrata.so"
install -m 0755 "${plugins[@]}" "$dest/lib/strata/plugins/"
install -m 0755 "$from/strata" "$from/strata-inspect" "$dest/bin/"
install -d "$dest/share/man/man1" "$dest/share/bash-completion/completions"
install -m 0644 "$from/strata.1" "$dest/share/man/man1/strata.1"
install -m 0644 "$from/strata.bash-completion" "$dest/share/bash-completion/completions/strata"
for h in strata.h plugin.h status.h sdk.hpp; do
  install -m 0644 "$headers/$h" "$dest/include/strata/$h"
done

# The rpath in Libs lets a program built with pkg-config run without
# LD_LIBRARY_PATH when PREFIX is not a directory the dynamic linker searches.
cat >"$dest/lib/pkgconfig/strata.pc" <<EOF
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include
plugindir=\${libdir}/strata/plugins

Name: strata
Description: HTTP client transport whose layers are plugins behind a C ABI
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lstrata
EOF

# The CMake package: relocatable (paths from the file's own location), so
# it also works from a DESTDIR staging or a moved prefix.
major=${version%%.*}
minor=$(echo "$version" | cut -d. -f2)
cat >"$dest/lib/cmake/strata/strataConfig.cmake" <<EOF
# strataConfig.cmake — find_package(strata) for an installation made by
# strata's tools/install.sh. Defines the imported target strata::strata
# (libstrata and the include directory of strata/strata.h) and
#   strata_VERSION, strata_INCLUDE_DIR, strata_LIBRARY, strata_PLUGIN_DIR
get_filename_component(_strata_prefix "\${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(strata_VERSION "$version")
set(strata_INCLUDE_DIR "\${_strata_prefix}/include")
set(strata_LIBRARY "\${_strata_prefix}/lib/$real")
set(strata_PLUGIN_DIR "\${_strata_prefix}/lib/strata/plugins")
foreach(_strata_file IN ITEMS "\${strata_LIBRARY}" "\${strata_INCLUDE_DIR}/strata/strata.h")
  if(NOT EXISTS "\${_strata_file}")
    set(strata_FOUND FALSE)
    set(strata_NOT_FOUND_MESSAGE "\${_strata_file} is missing from the installation")
    return()
  endif()
endforeach()
if(NOT TARGET strata::strata)
  add_library(strata::strata SHARED IMPORTED)
  set_target_properties(strata::strata PROPERTIES
    IMPORTED_LOCATION "\${strata_LIBRARY}"
    IMPORTED_SONAME "$soname"
    INTERFACE_INCLUDE_DIRECTORIES "\${strata_INCLUDE_DIR}")
endif()
set(strata_FOUND TRUE)
unset(_strata_prefix)
unset(_strata_file)
EOF

# Compatible: the same major version not older than the one asked for
# (for 0.x the same minor too: 0.x releases may change the API); only for
# a 64-bit build, as the library is (a project without languages does not
# say).
cat >"$dest/lib/cmake/strata/strataConfigVersion.cmake" <<EOF
set(PACKAGE_VERSION "$version")
if(NOT CMAKE_SIZEOF_VOID_P STREQUAL "" AND NOT CMAKE_SIZEOF_VOID_P STREQUAL "8")
  set(PACKAGE_VERSION "\${PACKAGE_VERSION} (64-bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
  return()
endif()
set(PACKAGE_VERSION_COMPATIBLE FALSE)
set(PACKAGE_VERSION_EXACT FALSE)
if(NOT PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
elseif(PACKAGE_FIND_VERSION VERSION_EQUAL PACKAGE_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  set(PACKAGE_VERSION_EXACT TRUE)
elseif(PACKAGE_FIND_VERSION VERSION_LESS PACKAGE_VERSION AND PACKAGE_FIND_VERSION_MAJOR EQUAL $major)
  if(NOT $major EQUAL 0 OR PACKAGE_FIND_VERSION_MINOR EQUAL $minor)
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
endif()
EOF

echo "installed strata $version into $dest:"
echo "  $dest/lib/$real (+ $soname, libstrata.so), ${#plugins[@]} plugins in $dest/lib/strata/plugins"
echo "  $dest/include/strata, $dest/bin/strata, $dest/bin/strata-inspect"
echo "  $dest/share/man/man1/strata.1, $dest/share/bash-completion/completions/strata"
echo "  $dest/lib/cmake/strata (find_package(strata) gives the target strata::strata)"
echo "build with: PKG_CONFIG_PATH=$prefix/lib/pkgconfig cc prog.c \$(pkg-config --cflags --libs strata)"
echo "   or with: cmake -DCMAKE_PREFIX_PATH=$prefix (find_package(strata), strata::strata)"

# ---- Python (a separate, optional step) -------------------------------------
# STRATA_PYTHON=/path/to/python3 also installs the strata Python package
# (api/python) into that interpreter's environment, offline (pip --no-index
# --no-build-isolation; the package's build backend needs only the standard
# library), recording $prefix/lib so the module loads this libstrata.so.
if [ -n "${STRATA_PYTHON:-}" ]; then
  "$STRATA_PYTHON" -m pip install --quiet --no-index --no-build-isolation --no-deps --force-reinstall \
    --config-settings "libdir=$prefix/lib" "$repo/api/python"
  echo "  the strata Python package into $("$STRATA_PYTHON" -c 'import sys; print(sys.prefix)')"
fi
