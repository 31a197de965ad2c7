-- luarocks make --tree DIR (in api/lua) installs strata for LuaJIT: the
-- modules only; libstrata.so comes from tools/install.sh (found by the
-- dynamic loader, or named by $STRATA_LIBRARY). The version is strata's
-- (runtime/version; //api/lua:lua_rockspec_test checks they agree).
rockspec_format = "3.0"
package = "strata"
version = "0.1.0-1"
-- luarocks make builds from this directory; source.url is only required by the format.
source = {
  url = "git+file:///strata",
}
description = {
  summary = "LuaJIT bindings of strata, an HTTP client whose layers are plugins",
  detailed = [[
strata: the runtime's fetch, submit and event loop over LuaJIT's ffi, and
strata.http, LuaSocket's http.request and LuaSec's https.request over strata
(ltn12 sinks and sources, LuaSec's TLS parameters).]],
  labels = {"http", "https", "luajit", "ffi"},
}
dependencies = {
  -- LuaJIT (ffi, bit): Lua 5.1's language.
  "lua == 5.1",
}
build = {
  type = "builtin",
  modules = {
    strata = "strata.lua",
    ["strata.http"] = "strata/http.lua",
    ["strata.luasec"] = "strata/luasec.lua",
  },
  copy_directories = {"examples"},
}
