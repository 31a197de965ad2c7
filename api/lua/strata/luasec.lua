-- strata/luasec.lua — runs a LuaSocket/LuaSec program on strata unchanged:
--   luajit -l strata.luasec program.lua
-- after which require "ssl.https" and require "socket.http" give
-- strata.http (LuaSocket's other modules, ltn12 among them, stay as they are).
local http = require "strata.http"
package.loaded["ssl.https"] = http
package.loaded["socket.http"] = http
return http
