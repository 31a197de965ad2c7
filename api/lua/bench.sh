#!/usr/bin/env bash
# bench.sh [seconds per workload] — builds //tools:dist with -c opt and runs
# bench.lua against a local nginx (http and https with a fresh CA), printing
# a Markdown table of requests per second: strata from LuaJIT against
# LuaSocket's http.request and LuaSec's https.request (Debian lua-socket and
# lua-sec; skipped when absent). BAZEL_FLAGS are passed to the build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
bazel build -c opt ${BAZEL_FLAGS:-} //tools:dist >&2
bin=$(bazel info -c opt ${BAZEL_FLAGS:-} bazel-bin 2>/dev/null)
export STRATA_LIBRARY="$bin/tools/libstrata.so"
export LUA_PATH="$here/?.lua;$here/examples/?.lua;;"
exec /usr/bin/python3 "$repo/tests/ffi/nginx_launcher.py" --h2 -- luajit "$here/bench.lua" "$@"
