-- strata.lua — LuaJIT bindings of libstrata.so (strata/strata.h) with ffi only.
--
--   local strata = require "strata"
--   local res, err = strata.fetch{url = "https://example.test/", follow_redirects = true,
--                                 tls = {ca_file = "/etc/my-ca.pem"}}
--   if not res then error(err.message) end
--   print(res.status, res.headers["content-type"], #res.body, res.hops[1].chain)
--
-- Failures return nil and an error table {code, name, layer, hop, url,
-- message} (tostring gives the message), like LuaSec's http.request.
-- strata.runtime{...} keeps connections between requests, and runs many at
-- once with rt:submit{} / rt:run() / rt:completed(list).
--
-- The library is ffi.load(opts.library or $STRATA_LIBRARY or "strata").

local ffi = require "ffi"
local bit = require "bit"

local M = {_VERSION = "0.1.0"}

-- Written by hand from api/strata/status.h and api/strata/strata.h; a test
-- compares the function names with `nm -D libstrata.so`.
ffi.cdef [[
typedef int32_t strata_status;
enum {
  STRATA_OK = 0,
  STRATA_AGAIN = 1,
  STRATA_E_INVALID_ARGUMENT = -1,
  STRATA_E_NO_MEMORY = -2,
  STRATA_E_UNSUPPORTED = -3,
  STRATA_E_BUFFER_TOO_SMALL = -4,
  STRATA_E_STATE = -5,
  STRATA_E_CONFIG = -20,
  STRATA_E_PLUGIN_LOAD = -21,
  STRATA_E_PLUGIN_ABI = -22,
  STRATA_E_PLUGIN_INIT = -23,
  STRATA_E_UNKNOWN_LAYER = -24,
  STRATA_E_URL = -25,
  STRATA_E_RESOLVE = -40,
  STRATA_E_CONNECT = -41,
  STRATA_E_TIMEOUT = -42,
  STRATA_E_IO = -43,
  STRATA_E_CLOSED = -44,
  STRATA_E_TLS = -45,
  STRATA_E_TLS_VERIFY = -46,
  STRATA_E_PROXY = -47,
  STRATA_E_TLS_CA = -48,
  STRATA_E_TLS_PINNED_KEY = -49,
  STRATA_E_LOCAL_BIND = -50,
  STRATA_E_POLICY_DENIED = -51,
  STRATA_E_PROTOCOL = -60,
  STRATA_E_TRUNCATED = -61,
  STRATA_E_LIMIT = -62,
  STRATA_E_HTTP_STATUS = -63,
  STRATA_E_REDIRECT = -64,
  STRATA_E_BODY = -65,
  STRATA_E_CANCELLED = -66,
  STRATA_E_STREAM_RESET = -67,
  STRATA_E_NOT_PROCESSED = -68,
  STRATA_E_RANGE = -69,
  STRATA_E_CONTENT_ENCODING = -70,
  STRATA_E_INTERNAL = -99,
  STRATA_FATAL_BELOW = -40
};

typedef struct strata_runtime strata_runtime;
typedef struct strata_request strata_request;
typedef struct strata_response strata_response;
typedef struct strata_transfer strata_transfer;
typedef struct strata_connection strata_connection;

const char* strata_version(void);
uint32_t strata_abi_version(void);
const char* strata_status_name(strata_status status);

typedef struct strata_error {
  size_t struct_size;
  strata_status code;
  int32_t hop;
  char layer[64];
  char message[1024];
  char url[1024];
  int32_t http_connect;
} strata_error;

strata_status strata_runtime_new(const char* config_json, strata_runtime** out_runtime, strata_error* out_error);
strata_status strata_runtime_new_from_file(const char* path, strata_runtime** out_runtime, strata_error* out_error);
void strata_runtime_free(strata_runtime* runtime);

enum {
  STRATA_EVENT_TRACE = 1,
  STRATA_EVENT_HOP = 2,
  STRATA_EVENT_CONNECT = 3,
  STRATA_EVENT_DATA_IN = 4,
  STRATA_EVENT_DATA_OUT = 5,
  STRATA_EVENT_RETRY = 6
};

typedef struct strata_event {
  size_t struct_size;
  int32_t type;
  int32_t hop;
  const char* layer;
  const char* message;
  const char* url;
  int32_t status;
  int32_t reused;
  const char* chain;
  uint64_t elapsed_us;
  int32_t attempt;
  int32_t retries_left;
  int64_t retry_delay_ms;
  void* transfer_user;
  uint64_t transfer_id;
} strata_event;

typedef void (*strata_event_fn)(void* user, const strata_event* event);
void strata_runtime_set_event_callback(strata_runtime* runtime, strata_event_fn fn, void* user, uint32_t type_mask);

typedef struct strata_cookie {
  size_t struct_size;
  const char* name;
  const char* value;
  const char* domain;
  const char* path;
  int32_t host_only;
  int32_t secure;
  int32_t http_only;
  int32_t same_site;
  int64_t expires;
} strata_cookie;
enum {
  STRATA_SAME_SITE_UNSET = 0,
  STRATA_SAME_SITE_NONE = 1,
  STRATA_SAME_SITE_LAX = 2,
  STRATA_SAME_SITE_STRICT = 3
};
typedef void (*strata_cookie_fn)(void* user, const strata_cookie* cookie);
strata_status strata_cookies_enable(strata_runtime* runtime, int enabled);
strata_status strata_cookies_load(strata_runtime* runtime, const char* path, int drop_session, size_t* out_loaded);
strata_status strata_cookies_save(strata_runtime* runtime, const char* path);
strata_status strata_cookies_add(strata_runtime* runtime, const char* url, const char* set_cookie);
strata_status strata_cookies_list(strata_runtime* runtime, strata_cookie_fn fn, void* user);
strata_status strata_cookies_clear(strata_runtime* runtime, int session_only);
strata_status strata_alt_svc_enable(strata_runtime* runtime, int enabled);
strata_status strata_alt_svc_load(strata_runtime* runtime, const char* path, size_t* out_loaded);
strata_status strata_alt_svc_save(strata_runtime* runtime, const char* path);
typedef void (*strata_plugin_fn)(void* user, const char* name, const char* version, const char* path);
strata_status strata_runtime_list_plugins(strata_runtime* runtime, strata_plugin_fn fn, void* user);
const char* strata_libraries(void);

strata_status strata_request_new(const char* method, const char* url, strata_request** out_request);
void strata_request_free(strata_request* request);
strata_status strata_request_add_header(strata_request* request, const char* name, const char* value);
strata_status strata_request_remove_header(strata_request* request, const char* name);
strata_status strata_request_set_body(strata_request* request, const void* data, size_t len);
typedef strata_status (*strata_read_fn)(void* user, uint8_t* buf, size_t cap, size_t* out_read, int* out_eos);
strata_status strata_request_set_body_reader(strata_request* request, int64_t length, strata_read_fn fn, void* user);
typedef strata_status (*strata_write_fn)(void* user, const uint8_t* data, size_t len);
strata_status strata_request_set_body_writer(strata_request* request, strata_write_fn fn, void* user);

enum {
  STRATA_OPT_TIMEOUT_MS = 1,
  STRATA_OPT_CONNECT_TIMEOUT_MS = 2,
  STRATA_OPT_FIRST_BYTE_TIMEOUT_MS = 3,
  STRATA_OPT_IDLE_TIMEOUT_MS = 4,
  STRATA_OPT_FOLLOW_REDIRECTS = 5,
  STRATA_OPT_MAX_REDIRECTS = 6,
  STRATA_OPT_FAIL_ON_HTTP_ERROR = 7,
  STRATA_OPT_PIPELINE = 8,
  STRATA_OPT_RESOLVE = 9,
  STRATA_OPT_MAX_BODY_BYTES = 10,
  STRATA_OPT_PROXY = 11,
  STRATA_OPT_PROXY_CREDENTIALS = 12,
  STRATA_OPT_NO_PROXY = 13,
  STRATA_OPT_PROXY_TUNNEL = 14,
  STRATA_OPT_UNSAFE_REDIRECT = 15,
  STRATA_OPT_LOCATION_TRUSTED = 16,
  STRATA_OPT_POST301 = 17,
  STRATA_OPT_POST302 = 18,
  STRATA_OPT_POST303 = 19,
  STRATA_OPT_LAYER_OPTIONS = 20,
  STRATA_OPT_HTTP_VERSION = 21,
  STRATA_OPT_RANGE = 22,
  STRATA_OPT_RESUME_FROM = 23,
  STRATA_OPT_ACCEPT_ENCODING = 24,
  STRATA_OPT_MAX_DECODED_BYTES = 25,
  STRATA_OPT_MAX_DECODE_RATIO = 26,
  STRATA_OPT_RETRY = 27,
  STRATA_OPT_RETRY_DELAY_MS = 28,
  STRATA_OPT_RETRY_MAX_TIME_MS = 29,
  STRATA_OPT_RETRY_ON = 30,
  STRATA_OPT_COOKIE = 31,
  STRATA_OPT_IF_MODIFIED_SINCE = 32,
  STRATA_OPT_IF_UNMODIFIED_SINCE = 33,
  STRATA_OPT_CONNECT_TO = 40,
  STRATA_OPT_INTERFACE = 41,
  STRATA_OPT_LOCAL_PORT = 42,
  STRATA_OPT_LOCAL_PORT_RANGE = 43,
  STRATA_OPT_UNIX_SOCKET = 44,
  STRATA_OPT_ABSTRACT_UNIX_SOCKET = 45,
  STRATA_OPT_LAYER_ABOVE_BOTTOM = 46,
  STRATA_OPT_PROXY_HTTP2 = 47,
  STRATA_OPT_PREPROXY = 48
};

enum {
  STRATA_RETRY_ON_TIMEOUT = 1,
  STRATA_RETRY_ON_CONNECT = 2,
  STRATA_RETRY_ON_RESET = 4,
  STRATA_RETRY_ON_HTTP = 8,
  STRATA_RETRY_ON_ALL_ERRORS = 16,
  STRATA_RETRY_NON_IDEMPOTENT = 32,
  STRATA_RETRY_NO_JITTER = 64
};

enum {
  STRATA_HTTP_VERSION_DEFAULT = 0,
  STRATA_HTTP_VERSION_1_1 = 11,
  STRATA_HTTP_VERSION_2 = 20,
  STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE = 21,
  STRATA_HTTP_VERSION_3 = 30,
  STRATA_HTTP_VERSION_3_ONLY = 31
};

enum {
  STRATA_OPTION_TYPE_INT = 1,
  STRATA_OPTION_TYPE_STRING = 2
};
typedef struct strata_option_info {
  size_t struct_size;
  int32_t id;
  int32_t type;
  const char* name;
  int32_t repeatable;
} strata_option_info;
size_t strata_option_count(void);
strata_status strata_option_at(size_t index, strata_option_info* out);
strata_status strata_request_set_option_int(strata_request* request, int32_t option, int64_t value);
strata_status strata_request_set_option_string(strata_request* request, int32_t option, const char* value);

enum {
  STRATA_INFO_STATUS = 1,
  STRATA_INFO_HTTP_VERSION = 2,
  STRATA_INFO_NUM_REDIRECTS = 3,
  STRATA_INFO_NUM_CONNECTS = 4,
  STRATA_INFO_SIZE_DOWNLOAD = 5,
  STRATA_INFO_TIME_TOTAL_US = 6,
  STRATA_INFO_TIME_CONNECT_US = 7,
  STRATA_INFO_TIME_FIRST_BYTE_US = 8,
  STRATA_INFO_SIZE_UPLOAD = 9,
  STRATA_INFO_HTTP_CONNECT = 10,
  STRATA_INFO_CONDITION_UNMET = 11,
  STRATA_INFO_TIME_NAMELOOKUP_US = 12,
  STRATA_INFO_TIME_APPCONNECT_US = 13,
  STRATA_INFO_TIME_PRETRANSFER_US = 14,
  STRATA_INFO_TIME_REDIRECT_US = 15,
  STRATA_INFO_SIZE_HEADER = 16,
  STRATA_INFO_SIZE_REQUEST = 17,
  STRATA_INFO_REMOTE_PORT = 18,
  STRATA_INFO_LOCAL_PORT = 19,
  STRATA_INFO_TLS_VERIFY_RESULT = 20,
  STRATA_INFO_PROXY_TLS_VERIFY_RESULT = 21,
  STRATA_INFO_TIME_TCP_CONNECT_US = 22,
  STRATA_INFO_TIME_STARTTRANSFER_US = 23
};

enum {
  STRATA_INFO_STR_EFFECTIVE_URL = 1,
  STRATA_INFO_STR_REDIRECT_URL = 2,
  STRATA_INFO_STR_CHAIN = 3,
  STRATA_INFO_STR_REMOTE_IP = 4,
  STRATA_INFO_STR_LOCAL_IP = 5,
  STRATA_INFO_STR_LAYER_TIMES = 6,
  STRATA_INFO_STR_METHOD = 7,
  STRATA_INFO_STR_HTTP_CONNECTS = 8
};

int32_t strata_response_status(const strata_response* response);
int32_t strata_response_http_version(const strata_response* response);
size_t strata_response_header_count(const strata_response* response);
strata_status strata_response_header(const strata_response* response, size_t index, const char** out_name,
                                     size_t* out_name_len, const char** out_value, size_t* out_value_len);
const char* strata_response_header_get(const strata_response* response, const char* name);
void strata_response_body(const strata_response* response, const uint8_t** out_data, size_t* out_len);
const char* strata_response_effective_url(const strata_response* response);
strata_status strata_response_info(const strata_response* response, int32_t info, int64_t* out_value);
strata_status strata_response_info_string(const strata_response* response, int32_t info, const char** out_value);
const char* strata_response_reason(const strata_response* response);
void strata_response_free(strata_response* response);

strata_status strata_fetch(strata_runtime* runtime, const strata_request* request, strata_response** out_response,
                           strata_error* out_error);

strata_status strata_submit(strata_runtime* runtime, const strata_request* request, void* user,
                            strata_transfer** out_transfer);
strata_status strata_runtime_run(strata_runtime* runtime, int32_t timeout_ms, size_t* out_running);
int strata_runtime_fd(const strata_runtime* runtime);
int64_t strata_runtime_timeout_ms(const strata_runtime* runtime);
strata_transfer* strata_runtime_next_done(strata_runtime* runtime);
int strata_transfer_done(const strata_transfer* transfer);
void* strata_transfer_user(const strata_transfer* transfer);
uint64_t strata_transfer_id(const strata_transfer* transfer);
strata_response* strata_transfer_take_record(strata_transfer* transfer);
strata_status strata_transfer_result(const strata_transfer* transfer, strata_error* out_error);
strata_response* strata_transfer_take_response(strata_transfer* transfer);
strata_status strata_transfer_peek_response(strata_transfer* transfer, const strata_response** out_view);
void strata_transfer_cancel(strata_transfer* transfer);
strata_status strata_transfer_resume(strata_transfer* transfer);
void strata_transfer_free(strata_transfer* transfer);

strata_status strata_connection_open(strata_runtime* runtime, const char* pipeline, const char* host, uint16_t port,
                                     int32_t timeout_ms, strata_connection** out_conn, strata_error* out_error);
strata_status strata_connection_send(strata_connection* conn, const void* data, size_t len, int32_t timeout_ms,
                                     strata_error* out_error);
strata_status strata_connection_recv(strata_connection* conn, void* buf, size_t cap, size_t* out_read,
                                     int32_t timeout_ms, strata_error* out_error);
strata_status strata_connection_request(strata_connection* conn, const strata_request* request,
                                        strata_response** out_response, strata_error* out_error);
const char* strata_connection_describe(const strata_connection* conn);
void strata_connection_close(strata_connection* conn);
]]

local C = ffi.C

local function addr(p) return tonumber(ffi.cast("intptr_t", p)) end
local libs = {}

local function load(path)
  path = path or os.getenv("STRATA_LIBRARY") or "strata"
  local lib = libs[path]
  if not lib then
    lib = ffi.load(path)
    libs[path] = lib
  end
  return lib
end
M.load = load

-- ---------------------------------------------------------------------------
-- JSON (enough for configurations and layer options)

M.null = setmetatable({}, {__tostring = function() return "null" end})
local array_mt = {}
-- strata.array{...} marks a table as a JSON array (for an empty one: alpn = strata.array{}).
function M.array(t) return setmetatable(t or {}, array_mt) end

local function is_array(t)
  if getmetatable(t) == array_mt then return true end
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n > 0 and n == #t
end

local escapes = {['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f", ["\n"] = "\\n", ["\r"] = "\\r",
                 ["\t"] = "\\t"}
local function encode(v, out)
  local t = type(v)
  if v == M.null or v == nil then
    out[#out + 1] = "null"
  elseif t == "boolean" then
    out[#out + 1] = tostring(v)
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then error("cannot encode " .. tostring(v) .. " as JSON") end
    out[#out + 1] = (math.floor(v) == v and math.abs(v) < 2^53) and string.format("%d", v) or string.format("%.17g", v)
  elseif t == "string" then
    out[#out + 1] = '"' .. v:gsub('[%c"\\]', function(c)
      return escapes[c] or string.format("\\u%04x", c:byte())
    end) .. '"'
  elseif t == "table" then
    if is_array(v) then
      out[#out + 1] = "["
      for i = 1, #v do
        if i > 1 then out[#out + 1] = "," end
        encode(v[i], out)
      end
      out[#out + 1] = "]"
    else
      out[#out + 1] = "{"
      local first = true
      for k, x in pairs(v) do
        if not first then out[#out + 1] = "," end
        first = false
        encode(tostring(k), out)
        out[#out + 1] = ":"
        encode(x, out)
      end
      out[#out + 1] = "}"
    end
  else
    error("cannot encode a " .. t .. " as JSON")
  end
  return out
end
function M.json_encode(v) return table.concat(encode(v, {})) end

-- ---------------------------------------------------------------------------
-- Errors

local error_mt = {__tostring = function(e) return e.message end}

local function status_name(lib, code)
  return ffi.string(lib.strata_status_name(code))
end

local function make_error(lib, code, message, layer, hop, url, hops)
  return setmetatable({code = code, name = status_name(lib, code), message = message or status_name(lib, code),
                       layer = layer or "", hop = hop or 0, url = url or "", hops = hops or {}}, error_mt)
end

local function error_from_struct(lib, code, err, hops)
  local c = err.code ~= 0 and err.code or code
  local e = make_error(lib, c, ffi.string(err.message), ffi.string(err.layer), err.hop, ffi.string(err.url), hops)
  e.http_connect = err.http_connect
  return e
end

local function new_error()
  local e = ffi.new("strata_error")
  e.struct_size = ffi.sizeof("strata_error")
  return e
end

-- ---------------------------------------------------------------------------
-- Responses

local versions = {[10] = "1.0", [11] = "1.1", [20] = "2", [30] = "3"}

local function headers_table(list)
  local h = {}
  for _, p in ipairs(list) do
    local k = p[1]:lower()
    h[k] = h[k] and (h[k] .. ", " .. p[2]) or p[2]
  end
  return h
end

local function read_response(lib, p, hops, keep_body)
  local r = {}
  r.status = lib.strata_response_status(p)
  r.reason = ffi.string(lib.strata_response_reason(p))
  local v = lib.strata_response_http_version(p)
  r.http_version = versions[v] or string.format("%d.%d", math.floor(v / 10), v % 10)
  local list = {}
  local name, value = ffi.new("const char*[1]"), ffi.new("const char*[1]")
  local nlen, vlen = ffi.new("size_t[1]"), ffi.new("size_t[1]")
  for i = 0, tonumber(lib.strata_response_header_count(p)) - 1 do
    if lib.strata_response_header(p, i, name, nlen, value, vlen) == 0 then
      list[#list + 1] = {ffi.string(name[0], nlen[0]), ffi.string(value[0], vlen[0])}
    end
  end
  r.header_list = list
  r.headers = headers_table(list)
  if keep_body ~= false then
    local data, len = ffi.new("const uint8_t*[1]"), ffi.new("size_t[1]")
    lib.strata_response_body(p, data, len)
    r.body = len[0] > 0 and ffi.string(data[0], len[0]) or ""
  end
  r.url = ffi.string(lib.strata_response_effective_url(p))
  local out = ffi.new("int64_t[1]")
  local function info(i) return lib.strata_response_info(p, i, out) == 0 and tonumber(out[0]) or 0 end
  r.num_redirects = info(C.STRATA_INFO_NUM_REDIRECTS)
  r.num_connects = info(C.STRATA_INFO_NUM_CONNECTS)
  r.http_connect = info(C.STRATA_INFO_HTTP_CONNECT)
  r.condition_unmet = info(C.STRATA_INFO_CONDITION_UNMET) == 1
  r.size_download = info(C.STRATA_INFO_SIZE_DOWNLOAD)
  r.size_upload = info(C.STRATA_INFO_SIZE_UPLOAD)
  r.timings = {total = info(C.STRATA_INFO_TIME_TOTAL_US) / 1e6, connect = info(C.STRATA_INFO_TIME_CONNECT_US) / 1e6,
               first_byte = info(C.STRATA_INFO_TIME_FIRST_BYTE_US) / 1e6}
  local s = ffi.new("const char*[1]")
  r.redirect_url = lib.strata_response_info_string(p, C.STRATA_INFO_STR_REDIRECT_URL, s) == 0 and ffi.string(s[0]) or ""
  r.chain = lib.strata_response_info_string(p, C.STRATA_INFO_STR_CHAIN, s) == 0 and ffi.string(s[0]) or ""
  r.hops = hops
  lib.strata_response_free(p)
  return r
end

-- ---------------------------------------------------------------------------
-- Requests: a strata_request and the callbacks it borrows.

local Request = {}
Request.__index = Request

-- The request options: field name -> STRATA_OPT_* of strata.h, by kind of
-- value. This is the one table of options of these bindings (with
-- other_fields below, every field a request table may hold); when the C
-- library describes its options itself, it is built from that here.
-- The request options come from the library's own table (strata_option_count
-- and strata_option_at), so a new option is a field here without an edit.
-- Names are the C ones ("follow_redirects"); those ending in _ms are given
-- in seconds without the suffix ("timeout" = 2.5). The options below are
-- handled by new_request itself, with a Lua shape of their own.
local special_options = {retry_on = true, http_version = true, resolve = true, connect_to = true,
                         layer_options = true}
-- Fields handled by new_request itself, and "tag" (kept on the transfer).
local other_fields = {
  "url", "method", "headers", "body", "source", "length", "sink", "retry_on", "retry_non_idempotent",
  "http_version", "resolve", "connect_to", "tls", "proxy_tls", "layer_options", "tag",
}
local option_tables_of = setmetatable({}, {__mode = "k"})

-- option_tables(lib) → {int = {name → id}, ms = {...}, string = {...},
-- known = {field → true}}, read once per library.
local function option_tables(lib)
  local t = option_tables_of[lib]
  if t then return t end
  t = {int = {}, ms = {}, string = {}, known = {}}
  local info = ffi.new("strata_option_info")
  for i = 0, tonumber(lib.strata_option_count()) - 1 do
    info.struct_size = ffi.sizeof(info)
    assert(lib.strata_option_at(i, info) == 0, "strata_option_at failed")
    local name = ffi.string(info.name)
    if not special_options[name] then
      if name:sub(-3) == "_ms" then
        t.ms[name:sub(1, -4)] = info.id
      elseif info.type == C.STRATA_OPTION_TYPE_INT then
        t.int[name] = info.id
      else
        t.string[name] = info.id
      end
    end
  end
  for _, set in ipairs({t.int, t.ms, t.string}) do
    for name in pairs(set) do t.known[name] = true end
  end
  for _, name in ipairs(other_fields) do t.known[name] = true end
  option_tables_of[lib] = t
  return t
end
-- request_fields() → the request fields the default library knows.
function M.request_fields(path) return option_tables(load(path)).known end

-- unknown_field(lib, o) → the first field of o that is no request field, or
-- nil: a misspelt option is an error, not a silently ignored one.
local function unknown_field(lib, o)
  local known = option_tables(lib).known
  for k in pairs(o) do
    if not known[k] then return tostring(k) end
  end
end

local function new_request(lib, o)
  if type(o) == "string" then o = {url = o} end
  if type(o) ~= "table" or type(o.url) ~= "string" then
    return nil, make_error(lib, C.STRATA_E_INVALID_ARGUMENT, "a request needs url = \"http(s)://...\"", "runtime")
  end
  local bad = unknown_field(lib, o)
  if bad then
    return nil, make_error(lib, C.STRATA_E_INVALID_ARGUMENT, "unknown request field '" .. bad .. "'", "runtime", 0,
                           o.url)
  end
  local self = setmetatable({lib = lib, url = o.url, callbacks = {}}, Request)
  local pp = ffi.new("strata_request*[1]")
  local method = (o.method or "GET"):upper()
  local st = lib.strata_request_new(method, o.url, pp)
  if st ~= 0 then
    return nil, make_error(lib, st, "invalid request: method " .. method .. ", URL " .. o.url, "runtime", 0, o.url)
  end
  self.ptr = pp[0]
  local function check(s, what)
    if s ~= 0 then
      error(make_error(lib, s, what .. ": " .. status_name(lib, s), "runtime", 0, o.url), 0)
    end
  end
  local ok, err = pcall(function()
    for k, v in pairs(o.headers or {}) do
      if type(k) == "number" then k, v = v[1], v[2] end  -- {{"name", "value"}, ...}
      if v == false then
        -- false removes the header, the runtime's default (User-Agent, Accept) too.
        check(lib.strata_request_remove_header(self.ptr, tostring(k)), "header " .. tostring(k))
      else
        local values = type(v) == "table" and v or {v}
        for _, x in ipairs(values) do check(lib.strata_request_add_header(self.ptr, tostring(k), tostring(x)), "header " .. tostring(k)) end
      end
    end
    local body = o.body or o.source
    if type(body) == "string" then
      check(lib.strata_request_set_body(self.ptr, body, #body), "body")
    elseif body ~= nil then
      self:set_reader(body, o.length, check)
    end
    if o.sink then self:set_writer(o.sink, check) end
    local options = option_tables(lib)
    for name, id in pairs(options.int) do
      local v = o[name]
      if v ~= nil then
        if type(v) == "boolean" then v = v and 1 or 0 end
        check(lib.strata_request_set_option_int(self.ptr, id, v), name)
      end
    end
    for name, id in pairs(options.ms) do
      if o[name] ~= nil then
        check(lib.strata_request_set_option_int(self.ptr, id, math.floor(o[name] * 1000 + 0.5)), name)
      end
    end
    if o.retry_on ~= nil or o.retry_non_idempotent then
      local names = {timeout = C.STRATA_RETRY_ON_TIMEOUT, connect = C.STRATA_RETRY_ON_CONNECT,
                     reset = C.STRATA_RETRY_ON_RESET, http = C.STRATA_RETRY_ON_HTTP, all = C.STRATA_RETRY_ON_ALL_ERRORS}
      local chosen = o.retry_on or {"timeout", "connect", "reset", "http"}
      if type(chosen) == "string" then chosen = {chosen} end
      local bits = 0
      for _, name in ipairs(chosen) do
        if not names[name] then
          error(make_error(lib, C.STRATA_E_INVALID_ARGUMENT, "retry_on: unknown class '" .. tostring(name) ..
                           "' (timeout, connect, reset, http, all)", "runtime"))
        end
        bits = bit.bor(bits, names[name])
      end
      if o.retry_non_idempotent then bits = bit.bor(bits, C.STRATA_RETRY_NON_IDEMPOTENT) end
      check(lib.strata_request_set_option_int(self.ptr, C.STRATA_OPT_RETRY_ON, bits), "retry_on")
    end
    for name, id in pairs(options.string) do
      local v = o[name]
      if type(v) == "table" then v = table.concat(v, name == "proxy_credentials" and ":" or ",") end
      if name == "accept_encoding" and type(v) == "boolean" then v = v and "" or nil end
      if v ~= nil then check(lib.strata_request_set_option_string(self.ptr, id, v), name) end
    end
    if o.http_version ~= nil then
      local versions_opt = {["1.1"] = C.STRATA_HTTP_VERSION_1_1, ["2"] = C.STRATA_HTTP_VERSION_2,
                            ["2-prior"] = C.STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE,
                            ["3"] = C.STRATA_HTTP_VERSION_3, ["3-only"] = C.STRATA_HTTP_VERSION_3_ONLY}
      local v = versions_opt[tostring(o.http_version)]
      if not v then error(make_error(lib, C.STRATA_E_INVALID_ARGUMENT, "http_version: \"1.1\", \"2\", \"2-prior\", \"3\" or \"3-only\"", "runtime", 0, o.url), 0) end
      check(lib.strata_request_set_option_int(self.ptr, C.STRATA_OPT_HTTP_VERSION, v), "http_version")
    end
    local resolve = o.resolve
    if type(resolve) == "string" then resolve = {resolve} end
    for _, entry in ipairs(resolve or {}) do
      check(lib.strata_request_set_option_string(self.ptr, C.STRATA_OPT_RESOLVE, entry),
            "resolve entry " .. entry .. " (expected host:port:address)")
    end
    local connect_to = o.connect_to
    if type(connect_to) == "string" then connect_to = {connect_to} end
    for _, entry in ipairs(connect_to or {}) do
      check(lib.strata_request_set_option_string(self.ptr, C.STRATA_OPT_CONNECT_TO, entry),
            "connect_to entry " .. entry .. " (expected HOST1:PORT1:HOST2:PORT2)")
    end
    local layers = {}
    if o.tls then layers.tls = o.tls end
    if o.proxy_tls then layers["proxy:tls"] = o.proxy_tls end
    for _, doc in ipairs({layers, o.layer_options or {}}) do
      local text = type(doc) == "string" and doc or (next(doc) and M.json_encode(doc))
      if text then
        check(lib.strata_request_set_option_string(self.ptr, C.STRATA_OPT_LAYER_OPTIONS, text),
              "layer options (an object of layer name → object of options)")
      end
    end
  end)
  if not ok then
    self:free()
    if type(err) ~= "table" then err = make_error(lib, C.STRATA_E_INVALID_ARGUMENT, tostring(err), "runtime", 0, o.url) end
    return nil, err
  end
  return self
end

-- A body source: a function returning the next chunk (nil at the end; an
-- ltn12 source works), or a file (io.open) read to its end.
function Request:set_reader(body, length, check)
  local source, len = body, length or -1
  if io.type(body) == "file" then
    local here = body:seek()
    local size = body:seek("end")
    body:seek("set", here)
    if length == nil and size then len = size - here end
    source = function() return body:read(65536) end
  elseif type(body) ~= "function" then
    error(make_error(self.lib, C.STRATA_E_INVALID_ARGUMENT, "body must be a string, a function or a file", "runtime",
                     0, self.url), 0)
  end
  local pending, eof = "", false
  local cb = ffi.cast("strata_read_fn", function(_, buf, cap, out_read, out_eos)
    local ok, err = pcall(function()
      while #pending == 0 and not eof do
        local chunk, e = source()
        if chunk == nil then
          if e then error(e, 0) end
          eof = true
        else
          pending = tostring(chunk)
        end
      end
      local n = math.min(tonumber(cap), #pending)
      if n > 0 then ffi.copy(buf, pending, n) end
      pending = pending:sub(n + 1)
      out_read[0] = n
      out_eos[0] = (eof and #pending == 0) and 1 or 0
    end)
    if ok then return 0 end
    self.callback_error = err
    return C.STRATA_E_BODY
  end)
  self.callbacks[#self.callbacks + 1] = cb
  check(self.lib.strata_request_set_body_reader(self.ptr, len, cb, nil), "body reader")
end

-- A body sink: called with each piece of the response body (an ltn12 sink
-- works: returning nil, err aborts the transfer).
function Request:set_writer(sink, check)
  local cb = ffi.cast("strata_write_fn", function(_, data, len)
    local ok, res, err = pcall(sink, ffi.string(data, len))
    if ok and (res ~= nil or err == nil) then return 0 end
    self.callback_error = ok and err or res
    return C.STRATA_E_BODY
  end)
  self.callbacks[#self.callbacks + 1] = cb
  check(self.lib.strata_request_set_body_writer(self.ptr, cb, nil), "body writer")
end

function Request:free()
  if self.ptr ~= nil then
    self.lib.strata_request_free(self.ptr)
    self.ptr = nil
  end
  for _, cb in ipairs(self.callbacks) do cb:free() end
  self.callbacks = {}
end

-- An error from a failed call, with the callback's own error when one failed.
function Request:wrap_error(e)
  if self.callback_error ~= nil then
    e.cause = self.callback_error
    e.message = e.message .. ": " .. tostring(self.callback_error)
  end
  return e
end

-- ---------------------------------------------------------------------------
-- Runtime

local Runtime = {}
Runtime.__index = Runtime
local Transfer = {}
Transfer.__index = Transfer

local function cleanup(state)
  -- Transfers before the runtime, then the runtime, then the callback.
  for _, t in pairs(state.transfers) do
    t.err = t.err or make_error(state.lib, C.STRATA_E_CANCELLED, "the runtime was closed", "runtime", 0, t.url)
    t.done = true
    state.lib.strata_transfer_free(t.ptr)
    t.ptr = nil
    if t.request then t.request:free(); t.request = nil end
  end
  state.transfers = {}
end

-- strata.runtime{config = table or JSON text, config_file = path, library = path}
-- → runtime, or nil, err.
function M.runtime(o)
  o = o or {}
  local lib = load(o.library)
  local pp = ffi.new("strata_runtime*[1]")
  local err = new_error()
  local st
  if o.config_file then
    st = lib.strata_runtime_new_from_file(o.config_file, pp, err)
  else
    local cfg = o.config
    if type(cfg) == "table" then cfg = M.json_encode(cfg) end
    st = lib.strata_runtime_new(cfg, pp, err)
  end
  if st ~= 0 then return nil, error_from_struct(lib, st, err) end
  local state = {lib = lib, transfers = {}}
  local self = setmetatable({lib = lib, state = state, tracks_by_id = {}}, Runtime)
  local runtime_ptr = pp[0]
  -- The callback sees the runtime through a weak reference, so a runtime
  -- the program drops is still collected (and freed by its finalizer).
  local weak = setmetatable({self}, {__mode = "v"})
  self.event_cb = ffi.cast("strata_event_fn", function(_, ev)
    local rt = weak[1]
    if rt then rt:dispatch(ev) end
  end)
  local cb = self.event_cb
  self.ptr = ffi.gc(runtime_ptr, function(p)
    cleanup(state)
    lib.strata_runtime_free(p)
    cb:free()
  end)
  lib.strata_runtime_set_event_callback(self.ptr, self.event_cb, nil,
                                        bit.lshift(1, C.STRATA_EVENT_HOP))
  return self
end

function Runtime:close()
  if self.ptr == nil then return end
  local p = self.ptr
  ffi.gc(p, nil)
  self.ptr = nil
  cleanup(self.state)
  self.lib.strata_runtime_free(p)
  self.event_cb:free()
end

jit.off(Runtime.close)

function Runtime:closed() return self.ptr == nil end

-- Cookies: the runtime's store (off until enabled, loaded or added to).
-- Each returns true, or nil and an error table.
local function cookie_result(self, st, what)
  if st == 0 then return true end
  return nil, make_error(self.lib, st, what .. ": " .. status_name(self.lib, st), "cookies")
end

function Runtime:enable_cookies(on)
  return cookie_result(self, self.lib.strata_cookies_enable(self.ptr, on == false and 0 or 1), "enable_cookies")
end

-- rt:load_cookies(path, drop_session): a Netscape jar (curl's -b/-c files);
-- returns the number of cookies read.
function Runtime:load_cookies(path, drop_session)
  local n = ffi.new("size_t[1]")
  local ok, err = cookie_result(self, self.lib.strata_cookies_load(self.ptr, path, drop_session and 1 or 0, n),
                                "load_cookies " .. tostring(path))
  if not ok then return nil, err end
  return tonumber(n[0])
end

function Runtime:save_cookies(path)
  return cookie_result(self, self.lib.strata_cookies_save(self.ptr, path), "save_cookies " .. tostring(path))
end

function Runtime:add_cookie(url, set_cookie)
  return cookie_result(self, self.lib.strata_cookies_add(self.ptr, url, set_cookie), "add_cookie " .. tostring(set_cookie))
end

local same_site_names = {[1] = "None", [2] = "Lax", [3] = "Strict"}

-- rt:cookies(): the cookies held, oldest first, as tables.
function Runtime:cookies()
  local out = {}
  local cb = ffi.cast("strata_cookie_fn", function(_, c)
    out[#out + 1] = {name = ffi.string(c.name), value = ffi.string(c.value), domain = ffi.string(c.domain),
                     path = ffi.string(c.path), host_only = c.host_only ~= 0, secure = c.secure ~= 0,
                     http_only = c.http_only ~= 0, same_site = same_site_names[c.same_site],
                     expires = tonumber(c.expires)}
  end)
  local st = self.lib.strata_cookies_list(self.ptr, cb, nil)
  cb:free()
  local ok, err = cookie_result(self, st, "cookies")
  if not ok then return nil, err end
  return out
end

function Runtime:clear_cookies(session_only)
  return cookie_result(self, self.lib.strata_cookies_clear(self.ptr, session_only and 1 or 0), "clear_cookies")
end

-- rt:on_event(fn, {"trace", "hop", ...}): fn(event) for those types; nil removes.
local event_types = {trace = 1, hop = 2, connect = 3, data_in = 4, data_out = 5, retry = 6}
local event_names = {"trace", "hop", "connect", "data_in", "data_out", "retry"}
function Runtime:on_event(fn, types)
  self.user_event, self.user_mask = fn, 0
  for _, t in ipairs(types or {"trace", "hop", "connect"}) do
    self.user_mask = bit.bor(self.user_mask, bit.lshift(1, event_types[t]))
  end
  local mask = bit.bor(bit.lshift(1, C.STRATA_EVENT_HOP), fn and self.user_mask or 0)
  self.lib.strata_runtime_set_event_callback(self.ptr, self.event_cb, nil, mask)
end

function Runtime:dispatch(ev)
  local ok, err = pcall(function()
    local etype = ev.type
    if etype == C.STRATA_EVENT_HOP then
      local url = ffi.string(ev.url)
      local t
      -- The event names its transfer (strata_event.transfer_id, which this
      -- module's cdef requires); a blocking fetch learns its id from its
      -- first event. Nothing is guessed from URLs or head texts.
      local tid = tonumber(ev.transfer_id)
      t = self.tracks_by_id[tid]
      if t == nil and self.fetching ~= nil and tid ~= 0 then
        t, self.fetching = self.fetching, nil
        t.transfer_id = tid
        self.tracks_by_id[tid] = t
      end
      if t then
        t.hops[#t.hops + 1] = {hop = ev.hop, url = url, status = ev.status, chain = ffi.string(ev.chain),
                               reused = ev.reused ~= 0, elapsed = tonumber(ev.elapsed_us) / 1e6,
                               message = ffi.string(ev.message)}
      end
    end
    if self.user_event and bit.band(self.user_mask, bit.lshift(1, etype)) ~= 0 then
      local event = {type = event_names[etype], hop = ev.hop, layer = ffi.string(ev.layer),
                     message = ffi.string(ev.message), url = ffi.string(ev.url), status = ev.status,
                     reused = ev.reused ~= 0, chain = ffi.string(ev.chain), elapsed = tonumber(ev.elapsed_us) / 1e6}
      if etype == C.STRATA_EVENT_RETRY then
        event.attempt, event.retries_left = ev.attempt, ev.retries_left
        event.delay = tonumber(ev.retry_delay_ms) / 1000
      end
      self.user_event(event)
    end
  end)
  if not ok and self.callback_error == nil then self.callback_error = err end
end

local function track(self, url, owner, transfer_id)
  local t = {url = url, hops = {}, owner = owner, transfer_id = transfer_id}
  if transfer_id then self.tracks_by_id[transfer_id] = t end
  owner.track = t
  return t
end

local function untrack(self, t)
  if t.transfer_id then self.tracks_by_id[t.transfer_id] = nil end
  if self.fetching == t then self.fetching = nil end
end

local function closed_error(lib)
  return make_error(lib, C.STRATA_E_STATE, "the runtime is closed", "runtime")
end

-- rt:fetch{url = ..., ...} → res, or nil, err. Options: method, headers
-- ({name = value} or {{name, value}, ...}), body (string, function source,
-- file), length, sink (function receiving the body: then res.body is ""),
-- follow_redirects, max_redirects, timeout, connect_timeout,
-- first_byte_timeout, idle_timeout (seconds), proxy, proxy_credentials,
-- no_proxy, proxy_tunnel, proxy_http2, tls (tls layer options), proxy_tls,
-- layer_options, pipeline, http_version ("1.1", "2", "2-prior", "3-only"), resolve, fail_on_http_error, max_body_bytes,
-- unsafe_redirect, location_trusted, post301/post302/post303, connect_to
-- ("HOST1:PORT1:HOST2:PORT2" or a list), interface, local_port,
-- local_port_range, unix_socket, abstract_unix_socket.
--
-- In a coroutine registered in strata.cooperative (strata.cooperative[co] =
-- true; api/lua/examples/scheduler.lua does it), rt:fetch does not block:
-- it submits the request and yields (rt, transfer) until the transfer is
-- done. The scheduler waits on rt:fd() (and rt:timeout()), calls rt:run(0),
-- and resumes the coroutine whose transfer is done.
M.cooperative = setmetatable({}, {__mode = "k"})

function Runtime:fetch(o)
  local co = coroutine.running()
  if co and M.cooperative[co] then return self:fetch_yielding(o) end
  if self.ptr == nil then return nil, closed_error(self.lib) end
  local req, err = new_request(self.lib, o)
  if not req then return nil, err end
  local owner = {}
  self.fetching = track(self, req.url, owner)
  local out = ffi.new("strata_response*[1]")
  local e = new_error()
  local st = self.lib.strata_fetch(self.ptr, req.ptr, out, e)
  local res
  if st ~= 0 then
    err = req:wrap_error(error_from_struct(self.lib, st, e, owner.track.hops))
  else
    res = read_response(self.lib, out[0], nil)
    local t = owner.track
    res.hops = t.hops
  end
  untrack(self, owner.track)
  req:free()
  self:collect()
  if self.callback_error ~= nil then
    local ce = self.callback_error
    self.callback_error = nil
    return nil, make_error(self.lib, C.STRATA_E_BODY, "event callback failed: " .. tostring(ce), "runtime")
  end
  if not res then return nil, err end
  return res
end
jit.off(Runtime.fetch)

-- rt:submit{...} → transfer, or nil, err. The transfer finishes while
-- rt:run() / rt:completed() / t:wait() run the loop; then t.done is true
-- and t.res or t.err is set.
function Runtime:submit(o)
  if self.ptr == nil then return nil, closed_error(self.lib) end
  local req, err = new_request(self.lib, o)
  if not req then return nil, err end
  local pp = ffi.new("strata_transfer*[1]")
  local st = self.lib.strata_submit(self.ptr, req.ptr, nil, pp)
  if st ~= 0 then
    req:free()
    return nil, make_error(self.lib, st, "strata_submit failed", "runtime", 0, req.url)
  end
  local tr = setmetatable({runtime = self, request = req, ptr = pp[0], url = req.url, done = false,
                           tag = type(o) == "table" and o.tag or nil}, Transfer)
  track(self, req.url, tr, tonumber(self.lib.strata_transfer_id(pp[0])))
  self.state.transfers[addr(pp[0])] = tr
  self.nsubmitted = (self.nsubmitted or 0) + 1
  tr.index = self.nsubmitted
  return tr
end

-- rt:fetch_yielding{...}: rt:fetch that yields (rt, transfer) to the
-- coroutine's scheduler until the transfer is done.
function Runtime:fetch_yielding(o)
  local t, err = self:submit(o)
  if not t then return nil, err end
  while not t.done do
    if self.ptr == nil then return nil, closed_error(self.lib) end
    coroutine.yield(self, t)
  end
  if t.err then return nil, t.err end
  return t.res
end

-- Collects finished transfers: result, response, C objects freed at once.
function Runtime:collect()
  if self.ptr == nil then return end
  while true do
    local p = self.lib.strata_runtime_next_done(self.ptr)
    if p == nil then return end
    local tr = self.state.transfers[addr(p)]
    if tr then
      local e = new_error()
      local st = self.lib.strata_transfer_result(p, e)
      if st == 0 then
        local rp = self.lib.strata_transfer_take_response(p)
        tr.res = read_response(self.lib, rp, nil)
        tr.res.hops = tr.track.hops
      else
        tr.err = tr.request:wrap_error(error_from_struct(self.lib, st, e, tr.track.hops))
      end
      tr:release()
    end
  end
end

function Transfer:release()
  local rt = self.runtime
  self.done = true
  if self.ptr ~= nil then
    rt.state.transfers[addr(self.ptr)] = nil
    rt.lib.strata_transfer_free(self.ptr)
    self.ptr = nil
  end
  untrack(rt, self.track)
  if self.request then self.request:free(); self.request = nil end
end

-- rt:run(timeout): progresses every transfer, waiting at most |timeout|
-- seconds (0: do not wait; nil: until something happens). Returns the
-- number still running.
function Runtime:run(timeout)
  if self.ptr == nil then return nil, closed_error(self.lib) end
  local ms = timeout == nil and -1 or math.max(0, math.ceil(timeout * 1000))
  local running = ffi.new("size_t[1]")
  self.lib.strata_runtime_run(self.ptr, ms, running)
  self:collect()
  return tonumber(running[0])
end
jit.off(Runtime.run)

-- for t, res, err in rt:completed(list[, timeout]) do ... end: the transfers
-- in the order they finish.
function Runtime:completed(list, timeout)
  local pending = {}
  for i, t in ipairs(list) do pending[i] = t end
  local deadline = timeout and (os.time() + timeout)
  return function()
    while #pending > 0 do
      for i, t in ipairs(pending) do
        if t.done then
          table.remove(pending, i)
          return t, t.res, t.err
        end
      end
      if deadline and os.time() > deadline then return nil end
      self:run(1)
    end
    return nil
  end
end

-- rt:fetch_all{req1, req2, ...} → list of {res = ..., err = ...} in order.
function Runtime:fetch_all(reqs)
  local ts, out = {}, {}
  for i, r in ipairs(reqs) do
    local t, err = self:submit(r)
    ts[#ts + 1] = t
    out[i] = t and {} or {err = err}
  end
  for _ in self:completed(ts) do end
  local j = 0
  for i = 1, #reqs do
    if not out[i].err then
      j = j + 1
      out[i] = {res = ts[j].res, err = ts[j].err}
    end
  end
  return out
end

-- rt:fd() and rt:timeout() (seconds or nil): for embedding in another loop,
-- which calls rt:run(0) when the descriptor is readable or the time is up.
function Runtime:fd() return self.lib.strata_runtime_fd(self.ptr) end
function Runtime:timeout()
  local ms = tonumber(self.lib.strata_runtime_timeout_ms(self.ptr))
  if ms < 0 then return nil end
  return ms / 1000
end

-- t:wait() → res, or nil, err (runs the loop until this transfer is done).
function Transfer:wait(timeout)
  if not self.done then
    for _ in self.runtime:completed({self}, timeout) do end
  end
  if not self.done then
    return nil, make_error(self.runtime.lib, C.STRATA_E_TIMEOUT, "still running after " .. tostring(timeout) .. " s",
                           "runtime", 0, self.url)
  end
  if self.err then return nil, self.err end
  return self.res
end

function Transfer:cancel()
  if self.done or self.ptr == nil then return end
  self.runtime.lib.strata_transfer_cancel(self.ptr)
  self.runtime:collect()
  if not self.done then
    self.err = make_error(self.runtime.lib, C.STRATA_E_CANCELLED, "cancelled by the application", "runtime", 0, self.url)
    self:release()
  end
end

-- ---------------------------------------------------------------------------
-- Module-level helpers

-- strata.fetch{...} or strata.fetch(url): one request on a runtime of its
-- own (opts.config / opts.library), closed before returning.
function M.fetch(o)
  if type(o) == "string" then o = {url = o} end
  local rt, err = M.runtime{config = o.config, library = o.library}
  if not rt then return nil, err end
  local req = {}
  for k, v in pairs(o) do
    if k ~= "config" and k ~= "library" then req[k] = v end
  end
  local res, e = rt:fetch(req)
  rt:close()
  return res, e
end

-- strata.request(url[, body]) → body, code, headers, status line, or nil,
-- message: LuaSocket's simple form (strata.http.request, whose table form
-- takes LuaSocket's and LuaSec's fields).
function M.request(url, body)
  return require("strata.http").request(url, body)
end

function M.version(library) return ffi.string(load(library).strata_version()) end
function M.abi_version(library) return tonumber(load(library).strata_abi_version()) end
function M.status_name(code, library) return status_name(load(library), code) end
M.runtime_class, M.transfer_class = Runtime, Transfer

return M
