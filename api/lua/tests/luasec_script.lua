-- luasec_script.lua — a LuaSocket/LuaSec program, written against their API
-- only. run_luasec_compare.sh runs it as is with the real LuaSec and
-- LuaSocket, and with `luajit -l strata.luasec` (strata.http in their
-- place), and requires the same output: each line is one call's results.
local http = require "socket.http"
local https = require "ssl.https"
local ltn12 = require "ltn12"

local HTTP = assert(os.getenv("STRATA_TEST_HTTP"))
local HTTPS = assert(os.getenv("STRATA_TEST_HTTPS_HOST"))
local CA = assert(os.getenv("STRATA_TEST_CA"))
local RUN = assert(os.getenv("LUASEC_SCRIPT_RUN"))  -- names this run's uploads

local function show(label, r, code, headers, status)
  local out = {label}
  if r == nil then
    out[#out + 1] = "nil"
    -- The messages differ between implementations: only that there is one.
    out[#out + 1] = type(code)
  else
    out[#out + 1] = type(r) == "string" and string.format("%q", r) or tostring(r)
    out[#out + 1] = tostring(code)
    headers = headers or {}
    for _, name in ipairs({"content-length", "content-type", "location", "x-multi"}) do
      if headers[name] then out[#out + 1] = name .. "=" .. headers[name] end
    end
    out[#out + 1] = tostring(status)
  end
  print((table.concat(out, " | "):gsub(RUN, "RUN")))
end

-- The simple form.
show("get", http.request(HTTP .. "/hello.txt"))
show("redirect followed", http.request(HTTP .. "/redirect2"))
show("status 418", http.request(HTTP .. "/teapot"))
show("repeated header", http.request(HTTP .. "/multi"))
local body, code, _, status = http.request(HTTP .. "/hello.txt", "a=1&b=2")
print("post to a file | " .. tostring(code) .. " | " .. tostring(status) .. " | " .. type(body))
show("refused", http.request("http://127.0.0.1:1/"))

-- The table form, with ltn12 sinks and sources.
local t = {}
show("table form", http.request{url = HTTP .. "/data.json", sink = ltn12.sink.table(t)})
print("sink got | " .. table.concat(t))
show("head", http.request{url = HTTP .. "/hello.txt", method = "HEAD"})
show("no redirect", http.request{url = HTTP .. "/redirect", redirect = false, sink = ltn12.sink.table({})})

local calls, nils = {}, 0
local function recorder(chunk, err)
  if chunk == nil then nils = nils + 1 else calls[#calls + 1] = chunk end
  return 1
end
show("custom sink", http.request{url = HTTP .. "/hello.txt", sink = recorder})
print("custom sink saw | " .. string.format("%q", table.concat(calls)) .. " | end-of-stream calls " .. nils)

show("sink error", http.request{url = HTTP .. "/hello.txt", sink = function(chunk)
  if chunk then return nil, "sink is full" end
  return 1
end})

local text = "uploaded by a LuaSec script\n"
show("put with length", http.request{url = HTTP .. "/up/" .. RUN .. "-a.txt", method = "PUT",
                                     source = ltn12.source.string(text),
                                     headers = {["content-length"] = #text, ["content-type"] = "text/plain"},
                                     sink = ltn12.sink.table({})})
show("put chunked", http.request{url = HTTP .. "/up/" .. RUN .. "-b.txt", method = "PUT",
                                 source = ltn12.source.string(text), sink = ltn12.sink.table({})})
show("read back a", http.request(HTTP .. "/up/" .. RUN .. "-a.txt"))
show("read back b", http.request(HTTP .. "/up/" .. RUN .. "-b.txt"))

-- https with LuaSec's TLS parameters.
t = {}
show("https cafile", https.request{url = HTTPS .. "/hello.txt", sink = ltn12.sink.table(t), cafile = CA,
                                   verify = "peer", protocol = "any"})
print("https sink got | " .. table.concat(t))
show("https redirect", https.request{url = HTTPS .. "/redirect", sink = ltn12.sink.table({}), cafile = CA,
                                     verify = "peer"})
show("https not verified", https.request{url = HTTPS .. "/hello.txt", sink = ltn12.sink.table({}),
                                         cafile = "/etc/ssl/certs/ca-certificates.crt", verify = "peer"})
show("https verify none", https.request{url = HTTPS .. "/hello.txt", sink = ltn12.sink.table({}), verify = "none"})
show("https to http not followed", https.request{url = HTTPS .. "/to-http", sink = ltn12.sink.table({}),
                                                 cafile = CA, verify = "peer", redirect = false})
show("https create refused", https.request{url = HTTPS .. "/hello.txt", create = function() end})
