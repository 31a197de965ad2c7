#!/usr/bin/env bash
# Runs a LuaJIT test file with strata.lua and libstrata.so from the runfiles,
# against peers started by tests/ffi/nginx_launcher.py (nginx http/https with
# a fresh CA, optionally squid), which stops them when the test ends.
#   run_with_peers.sh [launcher options...] -- test.lua
#   run_with_peers.sh [launcher options...] -- script.sh [args...]   (args: paths in the runfiles)
set -euo pipefail
root="${TEST_SRCDIR:-$(cd "$(dirname "$0")/../../../.." && pwd)}/strata"
[[ -d "$root" ]] || root="$(cd "$(dirname "$0")/../../.." && pwd)"
command -v luajit >/dev/null || { echo "luajit is not installed (apt-get install luajit)" >&2; exit 1; }
# strata, strata.http, and the example scheduler.
export LUA_PATH="$root/api/lua/?.lua;$root/api/lua/examples/?.lua;;"
export STRATA_LIBRARY="$root/tools/libstrata.so"
export STRATA_ROOT="$root"
# The source tree, for README.md (not exported by //:BUILD).
export STRATA_SOURCE_ROOT="$(cd "$(dirname "$(readlink -f "$root/api/lua/strata.lua")")/../.." && pwd)"
opts=()
while [[ $# -gt 0 && "$1" != "--" ]]; do opts+=("$1"); shift; done
shift
case "$1" in
  *.lua) exec python3 "$root/tests/ffi/nginx_launcher.py" "${opts[@]}" -- luajit "$root/$1" ;;
  *)
    args=()
    for a in "${@:2}"; do args+=("$root/$a"); done
    exec python3 "$root/tests/ffi/nginx_launcher.py" "${opts[@]}" -- bash "$root/$1" "${args[@]}"
    ;;
esac
