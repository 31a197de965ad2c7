#!/usr/bin/env bash
# The rockspec as a user runs it: `luarocks make --tree DIR` in a copy of
# api/lua, then a LuaJIT that knows only that tree (luarocks path) fetches
# from nginx with strata.http and strata. Started by run_with_peers.sh.
#   rockspec_test.sh ROCKSPEC
set -euo pipefail
rockspec=$1
tmp=${TEST_TMPDIR:-$(mktemp -d)}
export HOME="$tmp/home"  # luarocks' cache and configuration
mkdir -p "$HOME"
src="$tmp/src"
rm -rf "$src" "$tmp/tree"
cp -rL "$(dirname "$rockspec")" "$src"
(cd "$src" && luarocks --lua-version 5.1 make --tree "$tmp/tree" "$(basename "$rockspec")")

for m in strata.lua strata/http.lua strata/luasec.lua; do
  cmp "$src/$m" "$tmp/tree/share/lua/5.1/$m" || { echo "FAIL: $m not installed as is" >&2; exit 1; }
done

# Only the tree: not api/lua.
unset LUA_PATH LUA_CPATH
eval "$(luarocks --lua-version 5.1 path --tree "$tmp/tree")"
out=$(luajit -e '
  local http = require "strata.http"
  assert(package.searchpath("strata", package.path):find(os.getenv("TEST_TMPDIR") or "/tmp", 1, true))
  local body, code, headers = http.request(os.getenv("STRATA_TEST_HTTP") .. "/hello.txt")
  print(code, body)
  local strata = require "strata"
  print("version " .. strata.version())
')
echo "$out"
[ "$(echo "$out" | head -1)" = "200	hello from nginx" ] || { echo "FAIL: the installed strata.http did not fetch" >&2; exit 1; }
# The rock's version is the library's (runtime/version).
version=$(echo "$out" | sed -n 's/^version //p')
case "$(basename "$rockspec")" in
  "strata-$version-"*.rockspec) ;;
  *) echo "FAIL: $(basename "$rockspec") is not version $version of the library" >&2; exit 1 ;;
esac
grep -q "^version = \"$version-" "$rockspec" || { echo "FAIL: version field of $rockspec" >&2; exit 1; }
echo "ok: luarocks make installed strata $version"
