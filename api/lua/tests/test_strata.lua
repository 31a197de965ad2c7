-- LuaJIT bindings against real peers (started by run_with_peers.sh):
-- nginx over http and https, squid when STRATA_TEST_PROXY is set.
local strata = require "strata"
local ffi = require "ffi"

local HTTP = assert(os.getenv("STRATA_TEST_HTTP"))
local HTTPS = assert(os.getenv("STRATA_TEST_HTTPS_HOST"))
local CA = assert(os.getenv("STRATA_TEST_CA"))
local DOCROOT = assert(os.getenv("STRATA_TEST_DOCROOT"))
local PROXY = os.getenv("STRATA_TEST_PROXY")
local H2 = os.getenv("STRATA_TEST_H2")
local ROOT = assert(os.getenv("STRATA_ROOT"))
local LIB = assert(os.getenv("STRATA_LIBRARY"))
local ONLY = os.getenv("STRATA_TEST_ONLY")  -- "proxy" runs only the proxy tests

local failures, ran, skipped = 0, 0, 0
local function test(name, fn, group)
  if ONLY and group ~= ONLY then return end
  if not ONLY and group == "proxy" then return end
  ran = ran + 1
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    print("ok   " .. name)
  elseif tostring(err):match("SKIP:") then
    skipped = skipped + 1
    print("skip " .. name .. ": " .. tostring(err))
  else
    failures = failures + 1
    print("FAIL " .. name .. "\n" .. tostring(err))
  end
end

local function eq(a, b, what)
  if a ~= b then error(string.format("%s: expected %q, got %q", what or "value", tostring(b), tostring(a)), 2) end
end

local function read_file(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function free_port()
  -- A port nothing listens on: bind-free guess checked by a refused connect below.
  return 1
end

test("cdef matches the library's exports and strata.h", function()
  local src = read_file(ROOT .. "/api/lua/strata.lua")
  local cdef = src:match("ffi%.cdef %[%[(.-)%]%]")
  local declared = {}
  for name in cdef:gmatch("[%s%*](strata_[%w_]+)%(") do declared[name] = true end
  local exported = {}
  local nm = assert(io.popen("nm -D --defined-only '" .. LIB .. "'"))
  for line in nm:lines() do
    local name = line:match("%s[TW]%s+(strata_[%w_]+)$")
    if name then exported[name] = true end
  end
  nm:close()
  local header = {}
  for name in read_file(ROOT .. "/api/strata/strata.h"):gmatch("STRATA_API[^;]-[%s%*](strata_[%w_]+)%(") do
    header[name] = true
  end
  local n = 0
  for name in pairs(exported) do
    n = n + 1
    assert(declared[name], name .. " is exported by libstrata.so but not declared in the cdef")
  end
  assert(n >= 40, "too few exports: " .. n)
  for name in pairs(declared) do
    assert(exported[name], name .. " is declared in the cdef but not exported")
    assert(header[name], name .. " is declared in the cdef but not in strata.h")
  end
  for name in pairs(header) do assert(declared[name], name .. " is in strata.h but not in the cdef") end
  local lib = strata.load()
  for name in pairs(declared) do assert(lib[name], name) end
  eq(ffi.sizeof("strata_error"), 2136, "sizeof(strata_error)")
  eq(ffi.offsetof("strata_error", "http_connect"), 2128, "offsetof(strata_error, http_connect)")
  -- Every enum constant of strata.h and status.h, with its value.
  local n_enum = 0
  for _, h in ipairs({"strata.h", "status.h"}) do
    local text = read_file(ROOT .. "/api/strata/" .. h):gsub("/%*.-%*/", "")
    for name, value in text:gmatch("%s(STRATA_[%u%d_]+)%s*=%s*(%-?%d+)") do
      eq(tonumber(ffi.C[name]), tonumber(value), name)
      n_enum = n_enum + 1
    end
  end
  assert(n_enum > 60, n_enum)
  eq(ffi.offsetof("strata_error", "message"), 80, "offsetof(strata_error, message)")
  eq(ffi.sizeof("strata_event"), 96, "sizeof(strata_event)")
  eq(strata.abi_version(), 1003, "abi")  -- ABI 1.3
  eq(strata.status_name(-46), "STRATA_E_TLS_VERIFY", "status name")
end)

test("fetch over http: status, headers, body, hops, keep-alive", function()
  local rt = assert(strata.runtime{})
  local res = assert(rt:fetch{url = HTTP .. "/hello.txt", headers = {Accept = "text/plain", ["X-Test"] = "1"}})
  eq(res.status, 200, "status")
  eq(res.http_version, "1.1", "version")
  eq(res.body, "hello from nginx\n", "body")
  eq(res.headers["content-length"], "17", "content-length")
  eq(res.headers["content-type"], "text/plain", "content-type")
  eq(res.url, HTTP .. "/hello.txt", "url")
  eq(res.reason, "OK", "reason")
  eq(#res.hops, 1, "hops")
  eq(res.hops[1].status, 200, "hop status")
  eq(res.hops[1].reused, false, "first hop on a new connection")
  eq(res.num_connects, 1, "connects")
  local m = assert(rt:fetch{url = HTTP .. "/multi"})
  eq(m.headers["x-multi"], "one, two", "repeated header joined")
  eq(#m.header_list > 2, true, "header list")
  eq(m.hops[1].reused, true, "second request on the pooled connection")
  eq(m.num_connects, 0, "no new connection")
  local nf = assert(rt:fetch{url = HTTP .. "/missing"})
  eq(nf.status, 404, "404 is a response, not an error")
  local _, err = rt:fetch{url = HTTP .. "/teapot", fail_on_http_error = true}
  eq(err.name, "STRATA_E_HTTP_STATUS", "fail_on_http_error")
  rt:close()
  rt:close()
  local _, e = rt:fetch{url = HTTP .. "/"}
  eq(e.name, "STRATA_E_STATE", "closed runtime")
  local body, code, headers = strata.request(HTTP .. "/hello.txt")
  eq(body, "hello from nginx\n", "strata.request body")
  eq(code, 200, "strata.request code")
  eq(headers["content-length"], "17", "strata.request headers")
end)

test("headers: false removes one, the runtime's default included", function()
  local rt = assert(strata.runtime{})
  local res = assert(rt:fetch{url = HTTP .. "/headers"})
  assert(res.body:match("^ua=%[strata/[^%]]+%] accept=%[%*/%*%]\n$"), res.body)
  res = assert(rt:fetch{url = HTTP .. "/headers", headers = {["User-Agent"] = false, Accept = false}})
  eq(res.body, "ua=[] accept=[]\n", "both removed")
  rt:close()
end)

test("range and resume_from", function()
  local rt = assert(strata.runtime{})
  local res = assert(rt:fetch{url = HTTP .. "/hello.txt", range = "0-4"})
  eq(res.status, 206, "partial")
  eq(res.body, "hello", "first five bytes")
  res = assert(rt:fetch{url = HTTP .. "/hello.txt", resume_from = 6})
  eq(res.body, "from nginx\n", "resumed at 6")
  local ok, err = rt:fetch{url = HTTP .. "/headers", resume_from = 3}
  eq(ok, nil, "a 200 to a resume is an error")
  eq(err.name, "STRATA_E_RANGE", "error name")
  rt:close()
end)

test("content decoding", function()
  local rt = assert(strata.runtime{})
  local plain = assert(rt:fetch{url = HTTP .. "/gz/page.txt"})
  eq(plain.headers["content-encoding"], nil, "not asked: sent as is")
  for _, accept in ipairs({true, ""}) do
    local res = assert(rt:fetch{url = HTTP .. "/gz/page.txt", accept_encoding = accept})
    eq(res.headers["content-encoding"], "gzip", "gzip on the wire")
    eq(res.body, plain.body, "decoded to the page")
    assert(res.size_download < #plain.body / 4, res.size_download)
  end
  local ok, err = rt:fetch{url = HTTP .. "/compress", accept_encoding = true}
  eq(ok, nil, "an unknown coding is an error")
  eq(err.name, "STRATA_E_CONTENT_ENCODING", "error name")
  eq(err.layer, "decoding", "error layer")
  local total = 0
  ok, err = rt:fetch{url = HTTP .. "/zeros.gz", accept_encoding = true, sink = function(s) total = total + #s; return true end}
  eq(ok, nil, "the bomb stops")
  eq(err.name, "STRATA_E_LIMIT", "bomb error name")
  assert(total < 64 * 1048576, total)
  total = 0
  assert(rt:fetch{url = HTTP .. "/zeros.gz", accept_encoding = true, max_decode_ratio = 5000,
                  sink = function(s) total = total + #s; return true end})
  eq(total, 64 * 1048576, "a higher ratio lets it through")
  rt:close()
end)

test("retries", function()
  local rt = assert(strata.runtime{})
  local seen = {}
  rt:on_event(function(e) seen[#seen + 1] = e end, {"retry"})
  local res = assert(rt:fetch{url = HTTP .. "/busy", retry = 2, retry_delay = 0.05})
  eq(res.status, 503, "the last answer stands")
  eq(#seen, 2, "two retries")
  eq(seen[1].attempt, 1, "first attempt")
  eq(seen[2].retries_left, 1, "retries left")
  eq(seen[1].delay, 0.05, "fixed delay")
  seen = {}
  assert(rt:fetch{url = HTTP .. "/busy", method = "POST", body = "x", retry = 2, retry_delay = 0.05})
  eq(#seen, 0, "a POST is not retried unless asked")
  assert(rt:fetch{url = HTTP .. "/busy", method = "POST", body = "x", retry = 1, retry_delay = 0.05,
                  retry_non_idempotent = true})
  eq(#seen, 1, "asked")
  rt:close()
end)

test("cookies", function()
  local rt = assert(strata.runtime{})
  eq(assert(rt:fetch{url = HTTP .. "/login", follow_redirects = true}).body, "cookie=[]\n", "off by default")
  assert(rt:enable_cookies())
  eq(assert(rt:fetch{url = HTTP .. "/login", follow_redirects = true}).body, "cookie=[sid=abc]\n", "on the redirect")
  eq(assert(rt:fetch{url = HTTP .. "/echo-cookie", cookie = "x=1"}).body, "cookie=[sid=abc; x=1]\n", "with cookie=")
  local list = assert(rt:cookies())
  eq(#list, 1, "one cookie")
  eq(list[1].name .. "=" .. list[1].value .. " " .. list[1].domain, "sid=abc 127.0.0.1", "listed")
  local jar = os.tmpname()
  assert(rt:save_cookies(jar))
  local other = assert(strata.runtime{})
  eq(assert(other:load_cookies(jar)), 1, "loaded")
  eq(assert(other:fetch{url = HTTP .. "/echo-cookie"}).body, "cookie=[sid=abc]\n", "sent after loading")
  other:close()
  os.remove(jar)
  local ok, err = rt:add_cookie("http://www.example.co.uk/", "x=1; Domain=co.uk")
  eq(ok, nil, "a supercookie is refused")
  eq(err.name, "STRATA_E_INVALID_ARGUMENT", "refusal")
  ok, err = rt:load_cookies("/nonexistent/jar")
  eq(err.name, "STRATA_E_IO", "missing jar")
  rt:close()
end)

test("uploads: string, source function, file", function()
  local rt = assert(strata.runtime{})
  local payload = {}
  for i = 1, 20000 do payload[i] = string.format("%05d|", i) end
  payload = table.concat(payload)
  local res = assert(rt:fetch{url = HTTP .. "/up/lua-string.txt", method = "PUT", body = payload})
  assert(res.status == 201 or res.status == 204, res.status)
  eq(res.size_upload, #payload, "size_upload")
  local pos = 1
  res = assert(rt:fetch{url = HTTP .. "/up/lua-source.txt", method = "PUT", body = function()
    if pos > #payload then return nil end
    local chunk = payload:sub(pos, pos + 999)
    pos = pos + 1000
    return chunk
  end})
  assert(res.status == 201 or res.status == 204, res.status)
  local path = DOCROOT .. "/up/lua-string.txt"
  local f = assert(io.open(path, "rb"))
  res = assert(rt:fetch{url = HTTP .. "/up/lua-file.txt", method = "PUT", body = f})
  f:close()
  for _, name in ipairs({"lua-string.txt", "lua-source.txt", "lua-file.txt"}) do
    eq(read_file(DOCROOT .. "/up/" .. name), payload, name)
  end
  -- A source that fails aborts the transfer; the error says why.
  local _, err = rt:fetch{url = HTTP .. "/up/lua-fail.txt", method = "PUT", body = function() error("disk on fire") end}
  eq(err.name, "STRATA_E_BODY", "source failure")
  assert(tostring(err.cause):match("disk on fire"), tostring(err.cause))
  assert(err.message:match("disk on fire"), err.message)
  rt:close()
end)

test("redirects: followed with hops, loop reported", function()
  local rt = assert(strata.runtime{})
  local res = assert(rt:fetch{url = HTTP .. "/redirect2", follow_redirects = true})
  eq(res.status, 200, "status")
  eq(res.body, "hello from nginx\n", "body")
  eq(res.num_redirects, 2, "redirects")
  eq(#res.hops, 3, "hops")
  eq(res.hops[1].status, 301, "hop 1")
  eq(res.hops[2].url, HTTP .. "/redirect", "hop 2 url")
  eq(res.hops[3].url, HTTP .. "/hello.txt", "hop 3 url")
  local r = assert(rt:fetch{url = HTTP .. "/redirect"})
  eq(r.status, 302, "not followed by default")
  eq(r.redirect_url, HTTP .. "/hello.txt", "redirect_url")
  local _, err = rt:fetch{url = HTTP .. "/loop", follow_redirects = true}
  eq(err.name, "STRATA_E_REDIRECT", "loop")
  eq(err.code, -64, "code")
  eq(err.layer, "redirect", "layer")
  eq(#err.hops, 1, "hops before the loop")
  rt:close()
end)

test("errors: refused, bad config, missing plugin, bad arguments", function()
  local res, err = strata.fetch{url = "http://127.0.0.1:" .. free_port() .. "/x"}
  eq(res, nil, "no response")
  eq(err.name, "STRATA_E_CONNECT", "name")
  eq(err.code, -41, "code")
  eq(err.layer, "tcp", "layer")
  eq(err.hop, 1, "hop")
  eq(err.url, "http://127.0.0.1:1/x", "url")
  assert(tostring(err):match("refused"), tostring(err))
  local rt, e = strata.runtime{config = {timeouts = {connect_ms = "soon"}}}
  eq(rt, nil, "runtime")
  eq(e.name, "STRATA_E_CONFIG", "config error")
  assert(e.message:match("/timeouts/connect_ms"), e.message)
  rt, e = strata.runtime{config = '{"plugins": ["tcp", "h1", "no-such-plugin"]}'}
  eq(e.name, "STRATA_E_PLUGIN_LOAD", "plugin")
  rt, e = strata.runtime{config_file = DOCROOT .. "/absent.json"}
  eq(e.name, "STRATA_E_CONFIG", "config file")
  rt = assert(strata.runtime{config = {plugins = {"tcp", "h1"}, pipelines = {https = strata.null}}})
  local _, u = rt:fetch{url = HTTPS .. "/hello.txt"}
  assert(u, "https without its template fails")
  _, u = rt:fetch{url = HTTP .. "/", headers = {["X-Bad"] = "a\r\nInjected: 1"}}
  eq(u.name, "STRATA_E_INVALID_ARGUMENT", "header injection refused")
  _, u = rt:fetch{url = HTTP .. "/", resolve = "nonsense"}
  eq(u.name, "STRATA_E_INVALID_ARGUMENT", "resolve")
  _, u = rt:fetch{url = "ftp:/nope"}
  eq(u.name, "STRATA_E_URL", "url")
  _, u = rt:fetch{}
  eq(u.name, "STRATA_E_INVALID_ARGUMENT", "no url")
  rt:close()
end)

test("connect_to, interface: where the socket goes, how it is bound", function()
  local rt = assert(strata.runtime{})
  local port = assert(HTTP:match(":(%d+)/?$"), "a port in " .. HTTP)
  local res = assert(rt:fetch{url = "http://elsewhere.test/hello.txt", interface = "127.0.0.1",
                              connect_to = "elsewhere.test:80:127.0.0.1:" .. port})
  eq(res.status, 200, "connect_to reached nginx")
  eq(res.body, "hello from nginx\n", "body")
  local _, e = rt:fetch{url = HTTP .. "/hello.txt", interface = "if!strata-bogus0"}
  eq(e.name, "STRATA_E_LOCAL_BIND", "unknown interface")
  _, e = rt:fetch{url = HTTP .. "/", connect_to = "::127.0.0.1:abc"}
  eq(e.name, "STRATA_E_INVALID_ARGUMENT", "bad connect_to")
  rt:close()
end)

test("https: verified with tls.ca_file, verify failure without", function()
  local rt = assert(strata.runtime{})
  local res = assert(rt:fetch{url = HTTPS .. "/redirect", follow_redirects = true, tls = {ca_file = CA}})
  eq(res.status, 200, "status")
  eq(res.body, "hello from nginx\n", "body")
  assert(res.chain:match("tls"), res.chain)
  eq(#res.hops, 2, "hops")
  eq(res.hops[2].reused, true, "redirect on the same TLS connection")
  local _, err = rt:fetch{url = HTTPS .. "/hello.txt"}
  eq(err.name, "STRATA_E_TLS_VERIFY", "unknown CA")
  eq(err.layer, "tls", "layer")
  _, err = rt:fetch{url = HTTPS .. "/hello.txt", layer_options = {tls = {ca_file = "/nonexistent.pem"}}}
  eq(err.name, "STRATA_E_TLS_CA", "missing CA file")
  rt:close()
end)

test("many transfers at once: submit, completed, fetch_all, fd/timeout", function()
  local rt = assert(strata.runtime{})
  local ts = {}
  for i = 1, 30 do
    ts[i] = assert(rt:submit{url = HTTP .. (i % 3 == 0 and "/redirect" or "/hello.txt"), follow_redirects = true,
                             tag = i})
  end
  assert(rt:fd() >= 0)
  local order = {}
  for t, res, err in rt:completed(ts) do
    assert(res, err and err.message)
    eq(res.body, "hello from nginx\n", "body " .. t.tag)
    eq(#res.hops, t.tag % 3 == 0 and 2 or 1, "hops of " .. t.tag)
    order[#order + 1] = t.tag
  end
  eq(#order, 30, "all finished")
  -- One URL, two fates (followed or not): events name their transfer, so
  -- each keeps its own hops.
  local same = {}
  for i = 1, 10 do
    same[i] = assert(rt:submit{url = HTTP .. "/redirect", follow_redirects = (i % 2 == 0), tag = i})
  end
  for t, res, err in rt:completed(same) do
    assert(res, err and err.message)
    eq(#res.hops, t.tag % 2 == 0 and 2 or 1, "own hops of " .. t.tag)
    eq(res.hops[1].status, 302, "first hop of " .. t.tag)
  end
  local all = rt:fetch_all{HTTP .. "/data.json", {url = "http://127.0.0.1:1/"}, {url = HTTPS .. "/hello.txt", tls = {ca_file = CA}}}
  eq(all[1].res.status, 200, "first")
  eq(all[2].err.name, "STRATA_E_CONNECT", "second fails alone")
  eq(all[3].res.body, "hello from nginx\n", "third")
  local t = assert(rt:submit{url = HTTP .. "/hello.txt"})
  local res = assert(t:wait())
  eq(res.status, 200, "wait")
  local c = assert(rt:submit{url = HTTP .. "/hello.txt"})
  c:cancel()
  eq(c.done, true, "cancelled transfer done")
  eq(c.err.name, "STRATA_E_CANCELLED", "cancelled")
  local pending = assert(rt:submit{url = HTTP .. "/hello.txt"})
  rt:close()
  eq(pending.done, true, "closed with the runtime")
  eq(pending.err.name, "STRATA_E_CANCELLED", "closed runtime cancels")
end)

test("a large body through a sink, beyond the in-memory limit", function()
  local big = DOCROOT .. "/big.bin"
  local f = io.open(big, "rb")
  if not f then error("SKIP: no big.bin (run with --big)") end
  local size = f:seek("end")
  f:close()
  local rt = assert(strata.runtime{config = {limits = {max_body_bytes = 1048576}}})
  local _, err = rt:fetch{url = HTTP .. "/big.bin"}
  eq(err.name, "STRATA_E_LIMIT", "too big for memory")
  local got, pieces, sum = 0, 0, 0
  local res = assert(rt:fetch{url = HTTP .. "/big.bin", sink = function(chunk)
    got = got + #chunk
    pieces = pieces + 1
    sum = (sum + chunk:byte(1) + chunk:byte(#chunk)) % 65536
    return 1
  end})
  eq(res.status, 200, "status")
  eq(res.body, "", "body went to the sink")
  eq(got, size, "bytes")
  eq(res.size_download, size, "size_download")
  assert(pieces > 10, pieces)
  -- A sink returning nil, err aborts.
  _, err = rt:fetch{url = HTTP .. "/big.bin", sink = function() return nil, "enough" end}
  eq(err.name, "STRATA_E_BODY", "sink abort")
  eq(err.cause, "enough", "cause")
  rt:close()
end)

test("a runtime dropped without close is collected", function()
  for _ = 1, 3 do
    local rt = assert(strata.runtime{})
    assert(rt:fetch{url = HTTP .. "/hello.txt"})
    assert(rt:submit{url = HTTP .. "/hello.txt"})
  end
  collectgarbage()
  collectgarbage()
  local rt = assert(strata.runtime{})
  eq(assert(rt:fetch{url = HTTP .. "/hello.txt"}).status, 200, "still fine")
  rt:close()
end)

test("events: trace and request heads", function()
  local rt = assert(strata.runtime{})
  local seen = {}
  rt:on_event(function(ev) seen[#seen + 1] = ev end, {"hop", "data_out"})
  assert(rt:fetch{url = HTTP .. "/hello.txt"})
  local out
  for _, ev in ipairs(seen) do if ev.type == "data_out" then out = ev end end
  assert(out and out.message:match("^GET /hello.txt HTTP/1.1"), out and out.message)
  rt:on_event(function() error("handler bug") end, {"hop"})
  local _, err = rt:fetch{url = HTTP .. "/hello.txt"}
  assert(err and err.message:match("handler bug"), err and err.message)
  rt:on_event(nil)
  assert(rt:fetch{url = HTTP .. "/hello.txt"})
  rt:close()
end)

test("HTTP/2 by ALPN (pipeline https+h2)", function()
  local f = io.open(ROOT .. "/tools/strata-h2-alpn.so", "rb")
  if not f then error("SKIP: strata-h2-alpn.so is not in //tools:dist yet") end
  f:close()
  assert(H2, "run with --h2")
  local rt = assert(strata.runtime{})  -- the default configuration loads h2-alpn
  local ts = {}
  for i = 1, 8 do ts[i] = assert(rt:submit{url = H2 .. "/hello.txt", pipeline = "https+h2", tls = {ca_file = CA}}) end
  local connects = 0
  for _, res, err in rt:completed(ts) do
    assert(res, err and err.message)
    eq(res.http_version, "2", "version")
    eq(res.body, "hello from nginx\n", "body")
    connects = connects + res.num_connects
  end
  eq(connects, 1, "one multiplexed connection")
  local res = assert(rt:fetch{url = H2 .. "/hello.txt", http_version = "2", tls = {ca_file = CA}})
  eq(res.http_version, "2", "http_version = \"2\" picks https+h2")
  res = assert(rt:fetch{url = HTTPS .. "/hello.txt", http_version = "2", tls = {ca_file = CA}})
  eq(res.http_version, "1.1", "ALPN falls back to HTTP/1.1 where the server has no h2")
  rt:close()
end)

test("through squid: CONNECT tunnel with a redirect, forwarded http", function()
  local rt = assert(strata.runtime{})
  local res = assert(rt:fetch{url = HTTPS .. "/redirect", proxy = PROXY, no_proxy = "", follow_redirects = true,
                              tls = {ca_file = CA}})
  eq(res.status, 200, "status")
  eq(res.body, "hello from nginx\n", "body")
  eq(res.http_connect, 200, "CONNECT reply")
  eq(#res.hops, 2, "hops")
  assert(res.hops[1].chain:match("connect%-tunnel"), res.hops[1].chain)
  assert(res.hops[1].chain:find("127.0.0.1:" .. PROXY:match(":(%d+)$"), 1, true), res.hops[1].chain)
  eq(res.hops[2].reused, true, "redirect inside the tunnel")
  local r = assert(rt:fetch{url = HTTP .. "/redirect", proxy = PROXY, no_proxy = "", follow_redirects = true})
  eq(r.status, 200, "forwarded")
  eq(r.http_connect, 0, "no CONNECT for plain http")
  assert(r.hops[1].chain:find("127.0.0.1:" .. PROXY:match(":(%d+)$"), 1, true), r.hops[1].chain)
  local _, err = rt:fetch{url = "https://no-such-host.invalid/", proxy = PROXY, timeout = 20}
  eq(err.name, "STRATA_E_PROXY", "proxy refuses the tunnel")
  rt:close()
end, "proxy")

test("README example runs", function()
  local readme = read_file((os.getenv("STRATA_SOURCE_ROOT") or ROOT) .. "/README.md")
  local section = readme:match("\n## LuaJIT\n(.-)\n## ")
  local code = assert(section:match("```lua\n(.-)```"), "no lua block")
  code = code:gsub("http://127%.0%.0%.1:8080", HTTP)
  local lines = {}
  local env = setmetatable({print = function(...)
    local t = {}
    for i = 1, select("#", ...) do t[i] = tostring((select(i, ...))) end
    lines[#lines + 1] = table.concat(t, "\t")
  end}, {__index = _G})
  local fn = assert(loadstring(code, "README.md"))
  setfenv(fn, env)
  fn()
  assert(lines[1]:match("^200\ttext/plain\t17\ttcp%("), lines[1])
  eq(#lines, 12, "lines")
  eq(lines[12], "STRATA_E_CONNECT\ttcp\t1\thttp://127.0.0.1:1/", "error line")
end)

print(string.format("%d ran, %d failed, %d skipped", ran, failures, skipped))
os.exit(failures == 0 and 0 or 1)
