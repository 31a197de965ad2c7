-- strata/http.lua — LuaSocket's http.request and LuaSec's https.request
-- over strata, for http and https URLs alike.
--
--   local http = require "strata.http"
--   local body, code, headers, status = http.request("https://example.test/")
--   local ok, code, headers, status = http.request{
--     url = "https://example.test/", sink = ltn12.sink.table(t),
--     cafile = "/etc/my-ca.pem", redirect = true}
--
-- Failures return nil and a message string, as LuaSocket and LuaSec do.
-- Every call runs on one runtime of the module (connections are kept
-- between calls): http.runtime() gives it, http.set_runtime(rt) replaces
-- it. In a coroutine of a scheduler (strata.cooperative), a call yields
-- instead of blocking (see rt:fetch in strata.lua).

local strata = require "strata"

local M = {
  _VERSION = "strata.http " .. strata._VERSION,
  PORT = 443,
  -- Seconds allowed to connect, and without progress once connected
  -- (LuaSocket's per-operation timeout).
  TIMEOUT = 60,
  -- A proxy for every request without its own (LuaSocket's http.PROXY).
  PROXY = nil,
  -- The User-Agent sent unless the headers have one (nil: strata's own).
  USERAGENT = nil,
}

local runtime
function M.runtime()
  if runtime == nil or runtime:closed() then
    local err
    runtime, err = strata.runtime{}
    if not runtime then error("strata.http: cannot start a runtime: " .. tostring(err), 2) end
  end
  return runtime
end
function M.set_runtime(rt) runtime = rt end

-- The fields of a table request: LuaSocket's, LuaSec's TLS parameters, and
-- strata's unsaferedirect. value: how it is used (for the messages).
local fields = {
  url = true, sink = true, method = true, headers = true, source = true, step = true, proxy = true,
  redirect = true, maxredirects = true, create = true, unsaferedirect = true, user = true, password = true,
  -- LuaSec (ssl.wrap parameters)
  mode = true, protocol = true, verify = true, cafile = true, capath = true, certificate = true, key = true,
  options = true, ciphers = true, depth = true,
}
-- LuaSocket's URL parts, which strata.http takes only inside url.
local url_parts = {scheme = true, host = true, port = true, path = true, params = true, query = true,
                   fragment = true, uri = true}

local protocols = {any = false, tlsv1_2 = "1.2", tlsv1_3 = "1.3"}

-- The message of a strata error table, or the sink's / source's own error
-- when one of them stopped the transfer (as LuaSocket returns it).
local function message(err)
  if type(err) ~= "table" then return tostring(err) end
  if err.cause ~= nil then return tostring(err.cause) end
  return err.message
end

-- Base64 for user/password (LuaSocket's mime.b64 of "user:password").
local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
local function b64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local q = {math.floor(n / 262144) % 64, math.floor(n / 4096) % 64, math.floor(n / 64) % 64, n % 64}
    out[#out + 1] = b64chars:sub(q[1] + 1, q[1] + 1) .. b64chars:sub(q[2] + 1, q[2] + 1) ..
                    (b and b64chars:sub(q[3] + 1, q[3] + 1) or "=") .. (c and b64chars:sub(q[4] + 1, q[4] + 1) or "=")
  end
  return table.concat(out)
end
M.b64 = b64

-- The tls layer options from LuaSec's parameters, or nil, message.
local function tls_options(t)
  local o = {}
  if t.mode ~= nil and t.mode ~= "client" then return nil, "mode: only \"client\" is supported" end
  if t.protocol ~= nil then
    local v = protocols[t.protocol]
    if v == nil then return nil, "protocol: \"any\", \"tlsv1_2\" or \"tlsv1_3\" (strata speaks TLS 1.2 and 1.3)" end
    if v then o.min_version = v end
  end
  if t.verify ~= nil then
    local list = type(t.verify) == "table" and t.verify or {t.verify}
    local verify
    for _, v in ipairs(list) do
      if v == "none" then
        verify = verify or false
      elseif v == "peer" or v == "fail_if_no_peer_cert" or v == "client_once" then
        verify = true
      else
        return nil, "verify: \"none\" or \"peer\" (got " .. tostring(v) .. ")"
      end
    end
    if verify ~= nil then o.verify = verify end
  end
  if t.cafile ~= nil then o.ca_file = t.cafile end
  if t.capath ~= nil then o.ca_path = t.capath end
  if t.certificate ~= nil then o.cert = t.certificate end
  if t.key ~= nil then o.key = t.key end
  if t.ciphers ~= nil then
    local list = {}
    for c in tostring(t.ciphers):gmatch("[^:]+") do list[#list + 1] = c end
    o.ciphers = strata.array(list)
  end
  return o
end

local function lower_headers(h)
  local out, length, chunked = {}, nil, false
  for k, v in pairs(h or {}) do
    local name = tostring(k):lower()
    if name == "content-length" then
      length = tonumber(v)
    elseif name == "transfer-encoding" then
      -- strata frames a body of unknown length itself.
      chunked = true
    else
      out[name] = v
    end
  end
  return out, length, chunked
end

-- The strata request for a table of request{} (after checks), or nil, message.
local function build(t, sink)
  local headers, length = lower_headers(t.headers)
  if M.USERAGENT and headers["user-agent"] == nil then headers["user-agent"] = M.USERAGENT end
  if t.user ~= nil and t.password ~= nil and headers.authorization == nil then
    headers.authorization = "Basic " .. b64(t.user .. ":" .. t.password)
  end
  local method = (t.method or "GET"):upper()
  -- LuaSocket follows redirects of GET and HEAD without a body unless
  -- redirect = false; redirect = true follows those of every request.
  local follow
  if t.redirect == nil then
    follow = (method == "GET" or method == "HEAD") and t.source == nil
  else
    follow = t.redirect and true or false
  end
  local tls, err = tls_options(t)
  if not tls then return nil, err end
  local o = {
    url = t.url, method = method, headers = headers, sink = sink, follow_redirects = follow,
    unsafe_redirect = t.unsaferedirect and true or nil,
    connect_timeout = M.TIMEOUT, idle_timeout = M.TIMEOUT,
    tls = next(tls) and tls or nil,
  }
  if follow then
    if t.maxredirects == false then
      o.max_redirects = 1000
    else
      o.max_redirects = t.maxredirects or 5
    end
  end
  local proxy = t.proxy or M.PROXY
  if proxy then o.proxy = proxy end
  if t.source ~= nil then
    o.body = t.source
    o.length = length
  end
  return o
end

local headers_of

-- request(url[, body]) → body, code, headers, status
-- request{url = ..., ...} → 1, code, headers, status
-- or nil, message.
function M.request(reqt, body)
  if type(reqt) == "string" then
    local headers
    if body ~= nil then headers = {["content-type"] = "application/x-www-form-urlencoded"} end
    local o, err = build({url = reqt, method = body ~= nil and "POST" or "GET", headers = headers})
    if not o then return nil, err end
    if body ~= nil then o.body = tostring(body) end
    local res, e = M.runtime():fetch(o)
    if not res then return nil, message(e) end
    return res.body, res.status, headers_of(res), M.status_line(res)
  end
  if type(reqt) ~= "table" then
    return nil, "request: expected a URL string or a request table, got " .. type(reqt)
  end
  for k in pairs(reqt) do
    if not fields[k] then
      if url_parts[k] then
        return nil, "request field '" .. tostring(k) .. "' is not supported: put it in url"
      end
      return nil, "unknown request field '" .. tostring(k) .. "'"
    end
  end
  if type(reqt.url) ~= "string" then return nil, "request: url must be a string" end
  if reqt.create ~= nil then return nil, "create function not permitted" end
  if reqt.method ~= nil and type(reqt.method) ~= "string" then return nil, "method must be a string" end
  if reqt.headers ~= nil and type(reqt.headers) ~= "table" then return nil, "headers must be a table" end
  if reqt.proxy ~= nil and type(reqt.proxy) ~= "string" then return nil, "proxy must be a URL string" end
  if reqt.source ~= nil and type(reqt.source) ~= "function" then
    return nil, "source must be a function (an ltn12 source)"
  end
  if reqt.sink ~= nil and type(reqt.sink) ~= "function" and not (getmetatable(reqt.sink) or {}).__call then
    return nil, "sink must be a function (an ltn12 sink)"
  end
  if reqt.password ~= nil and reqt.user == nil then
    return nil, "password without user (encrypted keys are not supported)"
  end
  -- The body goes to the sink; without one it is dropped (LuaSocket's
  -- ltn12.sink.null), never collected in memory.
  local user_sink = reqt.sink
  local sink_failed = false
  local sink = function(chunk)
    if user_sink == nil then return 1 end
    local ok, err = user_sink(chunk)
    if not ok then sink_failed = true end
    return ok, err
  end
  local o, err = build(reqt, sink)
  if not o then return nil, err end
  local res, e = M.runtime():fetch(o)
  if not res then
    -- The end of the stream with the error, as ltn12.pump does.
    if user_sink and not sink_failed then pcall(user_sink, nil, message(e)) end
    return nil, message(e)
  end
  -- The end of the stream: ltn12 sinks are called with nil once.
  if user_sink then
    local ok, serr = user_sink(nil)
    if not ok and serr ~= nil then return nil, tostring(serr) end
  end
  return 1, res.status, headers_of(res), M.status_line(res)
end

-- "HTTP/1.1 200 OK" of a strata response: HTTP/1 has a space after the
-- code even when the reason is empty ("HTTP/1.1 418 "); HTTP/2 has no reason.
function M.status_line(res)
  local line = "HTTP/" .. res.http_version .. " " .. res.status
  if res.http_version:sub(1, 1) == "1" then line = line .. " " .. (res.reason or "") end
  return line
end

-- The response headers as LuaSocket gives them (lower-case names, repeats
-- joined with ", "); after redirects, location holds where the last one
-- led, "as a hint we redirected", as LuaSocket does.
function headers_of(res)
  local h = res.headers
  if res.num_redirects > 0 and h.location == nil then h.location = res.url end
  return h
end

return M
