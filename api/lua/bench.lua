-- bench.lua — requests per second from LuaJIT: strata (strata.http, rt:fetch,
-- rt:submit, coroutines) against LuaSocket's http.request and LuaSec's
-- https.request, on 1 KiB from a local nginx. Run by bench.sh, which builds
-- the -c opt library and starts nginx (tests/ffi/nginx_launcher.py):
--   api/lua/bench.sh [seconds per workload]
local strata = require "strata"
local shttp = require "strata.http"
local scheduler = require "scheduler"
local ok_socket, lhttp = pcall(require, "socket.http")
local ok_sec, lhttps = pcall(require, "ssl.https")
local ltn12 = ok_socket and require "ltn12"

local HTTP = assert(os.getenv("STRATA_TEST_HTTP"))
local HTTPS = assert(os.getenv("STRATA_TEST_HTTPS_HOST"))
local CA = assert(os.getenv("STRATA_TEST_CA"))
local DOCROOT = assert(os.getenv("STRATA_TEST_DOCROOT"))
local SECONDS = tonumber(arg[1] or os.getenv("BENCH_SECONDS") or "2")

local f = assert(io.open(DOCROOT .. "/bench-1k.bin", "wb"))
f:write(string.rep("x", 1024))
f:close()
local PATH = "/bench-1k.bin"

local ffi = require "ffi"
pcall(ffi.cdef, "struct lua_bench_timespec { long tv_sec; long tv_nsec; };"
                .. "int clock_gettime(int clk_id, struct lua_bench_timespec* tp);")
local ts = ffi.new("struct lua_bench_timespec")
local function now()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local rows = {}
-- Runs one(i) for SECONDS (at least 20 times); each call must return true.
local function sequential(name, one)
  assert(one(0), name .. ": the first request failed")
  local n, start = 0, now()
  repeat
    for _ = 1, 20 do
      n = n + 1
      if not one(n) then error(name .. ": request " .. n .. " failed") end
    end
  until now() - start >= SECONDS
  rows[#rows + 1] = {name, n, now() - start}
end

-- Runs batch(count) (count requests at once) until SECONDS have passed.
local function parallel(name, count, batch)
  local n, start = 0, now()
  repeat
    batch(count)
    n = n + count
  until now() - start >= SECONDS
  rows[#rows + 1] = {name, n, now() - start}
end

local tls = {ca_file = CA}
sequential("strata.http.request, http (sequential)", function()
  local body, code = shttp.request(HTTP .. PATH)
  return code == 200 and #body == 1024
end)
if ok_socket then
  sequential("LuaSocket http.request, http (sequential)", function()
    local body, code = lhttp.request(HTTP .. PATH)
    return code == 200 and #body == 1024
  end)
end
sequential("strata.http.request, https (sequential)", function()
  local t = {}
  local r, code = shttp.request{url = HTTPS .. PATH, cafile = CA, sink = ltn12 and ltn12.sink.table(t) or nil}
  return code == 200
end)
if ok_sec then
  sequential("LuaSec https.request, https (sequential)", function()
    local t = {}
    local r, code = lhttps.request{url = HTTPS .. PATH, cafile = CA, verify = "peer", sink = ltn12.sink.table(t)}
    return code == 200 and #table.concat(t) == 1024
  end)
end

local rt = assert(strata.runtime{})
sequential("strata rt:fetch, http (sequential)", function()
  local res = rt:fetch{url = HTTP .. PATH}
  return res and res.status == 200 and #res.body == 1024
end)

-- count transfers, at most |window| in flight (the test nginx takes 64
-- connections; HTTP/1.1 needs one per transfer in flight).
local function windowed(url, count, window, extra)
  local inflight, submitted, finished = {}, 0, 0
  while finished < count do
    while #inflight < window and submitted < count do
      local o = {url = url}
      for k, v in pairs(extra or {}) do o[k] = v end
      inflight[#inflight + 1] = assert(rt:submit(o))
      submitted = submitted + 1
    end
    rt:run(1)
    local keep = {}
    for _, t in ipairs(inflight) do
      if t.done then
        assert(t.res and t.res.status == 200 and #t.res.body == 1024, tostring(t.err))
        finished = finished + 1
      else
        keep[#keep + 1] = t
      end
    end
    inflight = keep
  end
end
for _, count in ipairs({500, 3000}) do
  parallel(string.format("strata rt:submit + rt:run, http, %d transfers, 50 at a time", count), count,
           function(c) windowed(HTTP .. PATH, c, 50) end)
end
-- Over HTTP/2, 100 streams at a time on one connection, made before
-- (nginx allows 128 concurrent streams on a connection).
local H2 = assert(os.getenv("STRATA_TEST_H2"), "bench.sh starts nginx with --h2")
assert(assert(rt:fetch{url = H2 .. PATH, tls = tls, http_version = "2"}).http_version == "2", "no h2")
for _, count in ipairs({500, 3000}) do
  parallel(string.format("strata rt:submit + rt:run, https h2, %d transfers, 100 at a time", count), count,
           function(c) windowed(H2 .. PATH, c, 100, {tls = tls, http_version = "2"}) end)
end
parallel("strata.http.request, http, 50 coroutines (examples/scheduler.lua)", 50, function(c)
  local s = scheduler.new()
  local done = 0
  for _ = 1, c do
    s:spawn(function()
      local body, code = shttp.request(HTTP .. PATH)
      assert(code == 200 and #body == 1024)
      done = done + 1
    end)
  end
  s:run()
  assert(done == c)
end)
rt:close()

print(string.format("LuaJIT %s, libstrata %s (%s), 1 KiB from nginx on 127.0.0.1, %g s per workload",
                    jit.version, strata.version(), os.getenv("STRATA_LIBRARY") or "strata", SECONDS))
print("| workload | requests | req/s |")
print("|---|---|---|")
for _, r in ipairs(rows) do print(string.format("| %s | %d | %.0f |", r[1], r[2], r[2] / r[3])) end
