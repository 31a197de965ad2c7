#!/usr/bin/env bash
# Runs luasec_script.lua unchanged twice against the same peers: with the
# real LuaSocket/LuaSec (Debian lua-socket, lua-sec) and with strata.http in
# their place (luajit -l strata.luasec), and fails unless both print the
# same lines. Started by run_with_peers.sh (the peers' environment).
set -euo pipefail
script=$1
dir=${TEST_TMPDIR:-$(mktemp -d)}
LUASEC_SCRIPT_RUN=luasec luajit "$script" >"$dir/luasec.out"
LUASEC_SCRIPT_RUN=strata luajit -l strata.luasec "$script" >"$dir/strata.out"
echo "--- LuaSec and LuaSocket:"
cat "$dir/luasec.out"
if ! diff -u "$dir/luasec.out" "$dir/strata.out"; then
  echo "FAIL: strata.http differs from LuaSec (- LuaSec, + strata)" >&2
  exit 1
fi
# The script must have run to its end, with real results.
lines=$(wc -l <"$dir/strata.out")
[ "$lines" -ge 24 ] || { echo "FAIL: only $lines lines" >&2; exit 1; }
grep -q '^https cafile | 1 | 200 ' "$dir/strata.out" || { echo "FAIL: https with cafile did not succeed" >&2; exit 1; }
echo "--- strata.http prints the same $lines lines"
