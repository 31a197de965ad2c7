-- strata.http (LuaSocket/LuaSec's request over strata) and coroutines,
-- against the peers of run_with_peers.sh: what is strata's own (strict
-- fields, the redirect switch, TLS parameters) and what the comparison with
-- LuaSec (luasec_script.lua) cannot show.
local strata = require "strata"
local http = require "strata.http"
local ltn12 = require "ltn12"
local scheduler = require "scheduler"

local HTTP = assert(os.getenv("STRATA_TEST_HTTP"))
local HTTPS = assert(os.getenv("STRATA_TEST_HTTPS_HOST"))
local CA = assert(os.getenv("STRATA_TEST_CA"))
local DOCROOT = assert(os.getenv("STRATA_TEST_DOCROOT"))
local PROXY = os.getenv("STRATA_TEST_PROXY")
local PKI = CA:match("^(.*)/[^/]*$")

local failures, ran = 0, 0
local function test(name, fn)
  ran = ran + 1
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    print("ok   " .. name)
  else
    failures = failures + 1
    print("FAIL " .. name .. "\n" .. tostring(err))
  end
end

local function eq(a, b, what)
  if a ~= b then error(string.format("%s: expected %q, got %q", what or "value", tostring(b), tostring(a)), 2) end
end
local function has(s, part, what)
  if type(s) ~= "string" or not s:find(part, 1, true) then
    error(string.format("%s: %q does not contain %q", what or "value", tostring(s), part), 2)
  end
end

if PROXY then
  -- lua_http_proxy_test: only the proxy (squid forwards http).
  test("proxy = squid's URL, and http.PROXY", function()
    local t = {}
    local r, code = http.request{url = HTTP .. "/hello.txt", proxy = PROXY, sink = ltn12.sink.table(t)}
    eq(r, 1, "result")
    eq(code, 200, "code")
    eq(table.concat(t), "hello from nginx\n", "body")
    http.PROXY = "http://127.0.0.1:1"
    local body, err = http.request(HTTP .. "/hello.txt")
    eq(body, nil, "through a proxy that is not there")
    eq(type(err), "string", "message")
    http.PROXY = PROXY
    body, code = http.request(HTTP .. "/hello.txt")
    http.PROXY = nil
    eq(code, 200, "code through http.PROXY")
    eq(body, "hello from nginx\n", "body")
  end)
  print(string.format("%d tests, %d failed", ran, failures))
  os.exit(failures == 0 and 0 or 1)
end

test("errors are strings; strata.fetch keeps its tables", function()
  local body, err = http.request("http://127.0.0.1:1/")
  eq(body, nil, "body")
  eq(type(err), "string", "type of the error")
  has(err, "127.0.0.1:1", "message")
  local res, e = strata.fetch("http://127.0.0.1:1/")
  eq(res, nil, "res")
  eq(type(e), "table", "strata.fetch's error")
  eq(e.name, "STRATA_E_CONNECT", "name")
  body, err = strata.request("http://127.0.0.1:1/")
  eq(type(err), "string", "strata.request is the compatible form")
end)

test("unknown fields are errors in both forms and in strata.fetch", function()
  local r, err = http.request{url = HTTP .. "/redirect", follow_redirect = true}
  eq(r, nil, "result")
  eq(err, "unknown request field 'follow_redirect'", "message")
  r, err = http.request{url = HTTP .. "/hello.txt", host = "example.com"}
  eq(err, "request field 'host' is not supported: put it in url", "URL part")
  r, err = http.request{url = HTTP .. "/hello.txt", create = function() end}
  eq(err, "create function not permitted", "create")
  local res, e = strata.fetch{url = HTTP .. "/redirect", follow_redirect = true}
  eq(res, nil, "strata.fetch")
  eq(e.name, "STRATA_E_INVALID_ARGUMENT", "name")
  eq(e.message, "unknown request field 'follow_redirect'", "message")
  local rt = assert(strata.runtime{})
  res, e = rt:fetch{url = HTTP .. "/hello.txt", timeout_ms = 5}
  eq(e and e.message, "unknown request field 'timeout_ms'", "rt:fetch")
  local t
  t, e = rt:submit{url = HTTP .. "/hello.txt", sinks = print}
  eq(e and e.message, "unknown request field 'sinks'", "rt:submit")
  -- and the known ones still work
  res = assert(strata.fetch{url = HTTP .. "/redirect", follow_redirects = true, config = {}, tag = "x"})
  eq(res.status, 200, "status")
  rt:close()
  -- Mistyped values too.
  r, err = http.request{url = 42}
  eq(err, "request: url must be a string", "url")
  r, err = http.request{url = HTTP .. "/", method = 1}
  eq(err, "method must be a string", "method")
  r, err = http.request{url = HTTP .. "/", source = "text"}
  eq(err, "source must be a function (an ltn12 source)", "source")
  r, err = http.request{url = HTTP .. "/", sink = {}}
  eq(err, "sink must be a function (an ltn12 sink)", "sink")
  r, err = http.request(nil)
  eq(err, "request: expected a URL string or a request table, got nil", "nil")
  r, err = http.request("not a url")
  eq(r, nil, "a bad URL")
  eq(type(err), "string", "its message")
  r, err = http.request{url = HTTPS .. "/hello.txt", verify = "sometimes", sink = ltn12.sink.null()}
  has(err, "verify", "bad verify")
  r, err = http.request{url = HTTPS .. "/hello.txt", protocol = "sslv3"}
  has(err, "protocol", "bad protocol")
end)

test("redirect switch: true follows, https to http refused unless unsaferedirect", function()
  local t = {}
  local r, code, headers = http.request{url = HTTPS .. "/to-http", cafile = CA, redirect = true,
                                        sink = ltn12.sink.table(t)}
  eq(r, nil, "refused")
  has(code, "downgrades HTTPS to HTTP", "message")
  eq(table.concat(t), "", "nothing reached the sink")
  t = {}
  r, code, headers = http.request{url = HTTPS .. "/to-http", cafile = CA, redirect = true, unsaferedirect = true,
                                  sink = ltn12.sink.table(t)}
  eq(r, 1, "followed")
  eq(code, 200, "code")
  eq(table.concat(t), "hello from nginx\n", "body from the http server")
  has(headers.location, HTTP .. "/hello.txt", "location hint")
  -- A POST is not redirected by default (LuaSocket), but is with redirect = true.
  r, code = http.request{url = HTTP .. "/redirect", method = "POST", source = ltn12.source.string("x=1"),
                         headers = {["content-length"] = 3}, sink = ltn12.sink.null()}
  eq(code, 302, "POST not followed")
  r, code = http.request{url = HTTP .. "/redirect", method = "POST", source = ltn12.source.string("x=1"),
                         headers = {["content-length"] = 3}, redirect = true, sink = ltn12.sink.null()}
  eq(code, 200, "POST followed with redirect = true (as GET, like curl -L)")
  -- maxredirects
  local body, c = http.request(HTTP .. "/loop")
  eq(body, nil, "a loop ends")
  has(c, "redirect", "message")
  r, c = http.request{url = HTTP .. "/redirect2", maxredirects = 1, sink = ltn12.sink.null()}
  eq(r, nil, "two redirects, one allowed")
  r, c = http.request{url = HTTP .. "/redirect2", maxredirects = 2, sink = ltn12.sink.null()}
  eq(c, 200, "two allowed")
end)

test("LuaSec TLS parameters: cafile, verify none, capath, certificate and key", function()
  local body, code = http.request(HTTPS .. "/hello.txt")
  eq(body, nil, "the test CA is not trusted by default (unlike LuaSec, strata verifies)")
  has(code, "verif", "message")
  local r
  r, code = http.request{url = HTTPS .. "/hello.txt", verify = "none", sink = ltn12.sink.null()}
  eq(code, 200, "verify = none")
  r, code = http.request{url = HTTPS .. "/hello.txt", verify = {"peer", "fail_if_no_peer_cert"}, cafile = CA,
                         protocol = "tlsv1_2", mode = "client", options = {"all"}, sink = ltn12.sink.null()}
  eq(code, 200, "a list of verify flags")
  r, code = http.request{url = HTTPS .. "/hello.txt", cafile = "/nonexistent/ca.pem", sink = ltn12.sink.null()}
  eq(r, nil, "a missing cafile")
  has(code, "/nonexistent/ca.pem", "message names it")
  -- A client certificate (nginx does not ask for one) must still load...
  r, code = http.request{url = HTTPS .. "/hello.txt", cafile = CA, certificate = PKI .. "/server.pem",
                         key = PKI .. "/server.key", sink = ltn12.sink.null()}
  eq(code, 200, "certificate and key")
  -- ...and a key that does not match it is refused.
  r, code = http.request{url = HTTPS .. "/hello.txt", cafile = CA, certificate = PKI .. "/server.pem",
                         key = PKI .. "/ca.key", sink = ltn12.sink.null()}
  eq(r, nil, "mismatched key")
  eq(type(code), "string", "message")
end)

test("ltn12: file sink and source, end of stream, errors through the sink", function()
  local path = os.getenv("TEST_TMPDIR") .. "/lua-http-data.json"
  local r, code = http.request{url = HTTP .. "/data.json", sink = ltn12.sink.file(io.open(path, "wb"))}
  eq(code, 200, "code")
  local f = io.open(path, "rb")
  local got = f:read("*a")
  f:close()
  eq(got, '{"name": "strata", "layers": ["tcp", "tls", "h1"]}\n', "file written and closed by the nil call")
  r, code = http.request{url = HTTP .. "/up/from-file.json", method = "PUT", source = ltn12.source.file(io.open(path, "rb")),
                         sink = ltn12.sink.null()}
  eq(code, 201, "PUT from a file source (chunked)")
  f = io.open(DOCROOT .. "/up/from-file.json", "rb")
  eq(f:read("*a"), got, "uploaded")
  f:close()
  -- A failed transfer ends the sink with the error, as ltn12.pump does.
  local seen = {}
  r, code = http.request{url = "http://127.0.0.1:1/", sink = function(chunk, err)
    seen[#seen + 1] = {chunk, err}
    return 1
  end}
  eq(r, nil, "failed")
  eq(#seen, 1, "one call")
  eq(seen[1][1], nil, "end of stream")
  eq(seen[1][2], code, "with the message")
  -- A source error stops the upload with the source's message.
  r, code = http.request{url = HTTP .. "/up/never.txt", method = "PUT",
                         source = function() return nil, "source broke" end}
  eq(r, nil, "source error")
  eq(code, "source broke", "message")
  -- A chained sink (ltn12.sink.chain with a filter) sees the body too.
  local t = {}
  r, code = http.request{url = HTTP .. "/hello.txt", sink = ltn12.sink.chain(function(chunk)
    return chunk and chunk:upper()
  end, ltn12.sink.table(t))}
  eq(table.concat(t), "HELLO FROM NGINX\n", "filtered")
end)

test("user and password send Basic auth; headers are sent as given", function()
  local t = {}
  local r, code = http.request{url = HTTP .. "/echo-auth", user = "Aladdin", password = "open sesame",
                               sink = ltn12.sink.table(t)}
  eq(code, 200, "code")
  eq(table.concat(t), "auth=[Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==]\n", "RFC 7617's example")
  t = {}
  r, code = http.request{url = HTTP .. "/headers", headers = {["User-Agent"] = "LuaSocket 3.1.0", accept = "*/*"},
                         sink = ltn12.sink.table(t)}
  eq(table.concat(t), "ua=[LuaSocket 3.1.0] accept=[*/*]\n", "headers")
  http.USERAGENT = "my-agent/1"
  local body = http.request(HTTP .. "/headers")
  http.USERAGENT = nil
  has(body, "ua=[my-agent/1]", "http.USERAGENT")
end)

test("one runtime: connections are kept between calls", function()
  local rt = http.runtime()
  local hops = {}
  rt:on_event(function(ev) hops[#hops + 1] = ev end, {"hop"})
  assert(http.request(HTTP .. "/hello.txt?warm"))
  for i = 1, 4 do assert(http.request(HTTP .. "/hello.txt?" .. i)) end
  rt:on_event(nil)
  eq(#hops, 5, "one hop per request")
  for i = 2, 5 do eq(hops[i].reused, true, "request " .. i .. " on a kept connection") end
end)

test("coroutines: the example scheduler runs requests concurrently", function()
  local s = scheduler.new()
  local rt = assert(strata.runtime{})
  local results = {}
  for i = 1, 20 do
    s:spawn(function()
      if i % 2 == 0 then
        local body, code = http.request(HTTP .. "/hello.txt?" .. i)
        results[i] = code == 200 and body == "hello from nginx\n"
      else
        local res = assert(rt:fetch{url = HTTPS .. "/data.json?" .. i, tls = {ca_file = CA}})
        results[i] = res.status == 200 and #res.body == 51 and res.hops[1].status == 200
      end
    end)
  end
  s:run()
  for i = 1, 20 do eq(results[i], true, "task " .. i) end
  assert(s.max_waiting == 20, "all 20 were in flight at once, not one after another: " .. s.max_waiting)
  -- A failure is returned to its task, the others complete.
  s = scheduler.new()
  local errs = {}
  s:spawn(function() errs[1] = select(2, http.request("http://127.0.0.1:1/")) end)
  s:spawn(function() errs[2] = http.request(HTTP .. "/hello.txt") end)
  s:run()
  eq(type(errs[1]), "string", "the failure")
  eq(errs[2], "hello from nginx\n", "the success")
  -- Outside a scheduler's coroutine rt:fetch blocks as before, even in a coroutine.
  local co = coroutine.wrap(function() return rt:fetch{url = HTTP .. "/hello.txt"} end)
  eq(co().status, 200, "plain coroutine")
  rt:close()
end)

test("README's strata.http example runs", function()
  local f = assert(io.open((os.getenv("STRATA_SOURCE_ROOT") or os.getenv("STRATA_ROOT")) .. "/README.md", "rb"))
  local readme = f:read("*a")
  f:close()
  local section = readme:match("\n## LuaJIT\n(.-)\n## ")
  local blocks = {}
  for code in section:gmatch("```lua\n(.-)```") do blocks[#blocks + 1] = code end
  local code = assert(blocks[2], "no second lua block")
  code = code:gsub("http://127%.0%.0%.1:8080", HTTP):gsub("https://localhost:8443", HTTPS):gsub('"ca%.pem"', '"' .. CA .. '"')
  local lines = {}
  local env = setmetatable({print = function(...)
    local t = {}
    for i = 1, select("#", ...) do t[i] = tostring((select(i, ...))) end
    lines[#lines + 1] = table.concat(t, "\t")
  end}, {__index = _G})
  local fn = assert(loadstring(code, "README.md"))
  setfenv(fn, env)
  fn()
  eq(#lines, 3, "lines")
  eq(lines[1], "200\tHTTP/1.1 200 OK\ttext/plain\t17", "simple form")
  eq(lines[2], "1\t200\t17", "table form over https")
  eq(lines[3], "nil\tunknown request field 'follow_redirect'", "strictness")
end)

print(string.format("%d tests, %d failed", ran, failures))
os.exit(failures == 0 and 0 or 1)
