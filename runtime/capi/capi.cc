// capi.cc — the C API of strata/strata.h, a thin layer over strata::Runtime.
// Nothing here may throw across the boundary: every entry point catches.
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "runtime/version/version.h"
#include "runtime/chain/connection.h"
#include "runtime/client/runtime.h"
#include "runtime/capi/library_versions.h"
#include "runtime/capi/option_table.h"
#include "runtime/client/connect_to.h"
#include "runtime/client/transfer.h"
#include "runtime/cookies/cookie_store.h"
#include "runtime/cookies/netscape_jar.h"
#include "runtime/http/message.h"
#include "runtime/loop/event_loop.h"
#include "runtime/status/status_code.h"
#include "runtime/url/url.h"
#include "strata/plugin.h"
#include "strata/strata.h"

struct strata_runtime {
  std::unique_ptr<strata::Runtime> rt;
  // The handles of transfers not yet freed (an intrusive list through
  // strata_transfer: no allocation or hashing per transfer). A Transfer
  // finds its own handle through Transfer::api_handle().
  strata_transfer* handles = nullptr;
};

// A request is shared with the transfers submitted from it, not copied for
// each one; changing it while a transfer still holds it copies it first
// (Mut), so a transfer never sees a change made after its submission.
struct strata_request {
  std::shared_ptr<strata::Request> shared = std::make_shared<strata::Request>();
  strata::Request& Mut() {
    if (shared.use_count() > 1) {
      shared = std::make_shared<strata::Request>(*shared);
    } else {
      // The last other holder (a transfer, perhaps on another thread) let
      // go with a release decrement; this pairs with it, so its reads
      // happen before the writes that follow.
      std::atomic_thread_fence(std::memory_order_acquire);
    }
    return *shared;
  }
};

struct strata_response {
  strata::Response resp;
};

struct strata_transfer {
  strata_runtime* owner = nullptr;
  strata_transfer* prev = nullptr;  // owner's list of handles
  strata_transfer* next = nullptr;
  std::unique_ptr<strata::Transfer> t;
  // strata_transfer_peek_response's snapshot (made on first use).
  std::unique_ptr<strata_response> head_view;
};

struct strata_connection {
  strata_runtime* owner = nullptr;
  std::unique_ptr<strata::Connection> conn;
  std::string describe;
  std::string host;
  uint16_t port = 0;
};

namespace {


void CopyTruncated(char* dst, size_t cap, const std::string& src) {
  size_t n = std::min(cap - 1, src.size());
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

// FillError writes an error for callers that passed |out|. Old callers with a
// smaller struct_size get only the fields they know.
void FillError(strata_error* out, strata_status code, const std::string& layer, const std::string& message,
               int32_t hop = 0, const std::string& url = "") {
  if (!out || out->struct_size < offsetof(strata_error, message) + sizeof(out->message)) return;
  out->code = code;
  out->hop = hop;
  CopyTruncated(out->layer, sizeof(out->layer), layer);
  CopyTruncated(out->message, sizeof(out->message), message);
  if (out->struct_size >= offsetof(strata_error, url) + sizeof(out->url)) CopyTruncated(out->url, sizeof(out->url), url);
  if (STRATA_HAS_FIELD(out, strata_error, http_connect)) out->http_connect = 0;
}

void CopyError(strata_error* out, const strata_error& in) {
  FillError(out, in.code, in.layer, in.message, in.hop, in.url);
  if (out && STRATA_HAS_FIELD(out, strata_error, http_connect)) out->http_connect = in.http_connect;
}

template <typename Fn>
strata_status Guard(strata_error* err, Fn&& fn) noexcept {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    FillError(err, STRATA_E_NO_MEMORY, "runtime", "out of memory");
    return STRATA_E_NO_MEMORY;
  } catch (const std::exception& e) {
    FillError(err, STRATA_E_INTERNAL, "runtime", absl::StrCat("internal error: ", e.what()));
    return STRATA_E_INTERNAL;
  } catch (...) {
    FillError(err, STRATA_E_INTERNAL, "runtime", "internal error");
    return STRATA_E_INTERNAL;
  }
}

strata_status RuntimeFromText(const std::string& text, strata_runtime** out, strata_error* err) {
  absl::StatusOr<std::unique_ptr<strata::Runtime>> rt = strata::Runtime::Create(text);
  if (!rt.ok()) {
    strata_status code = strata::CodeOf(rt.status(), STRATA_E_CONFIG);
    std::string layer = code == STRATA_E_CONFIG || code == STRATA_E_UNKNOWN_LAYER ? "config" : "plugin";
    FillError(err, code, layer, std::string(rt.status().message()));
    return code;
  }
  auto* r = new strata_runtime();
  r->rt = *std::move(rt);
  *out = r;
  return STRATA_OK;
}

// WaitUntil runs the loop until |done| or the deadline (0 = none).
template <typename Pred>
bool WaitUntil(strata::Runtime* rt, uint64_t deadline_ms, Pred&& done) {
  while (!done()) {
    int64_t wait = -1;
    if (deadline_ms) {
      uint64_t now = strata::MonotonicMs();
      if (now >= deadline_ms) return false;
      wait = static_cast<int64_t>(deadline_ms - now);
    }
    rt->loop().RunOnce(wait);
  }
  return true;
}

uint64_t DeadlineFrom(int32_t timeout_ms) {
  return timeout_ms < 0 ? 0 : strata::MonotonicMs() + static_cast<uint64_t>(timeout_ms);
}

strata_status RunToCompletion(strata_runtime* runtime, strata::Transfer* t, strata_response** out,
                              strata_error* err) {
  while (!t->done()) {
    size_t running = 0;
    runtime->rt->RunOnce(-1, &running);
  }
  strata_status result = t->result();
  if (result != STRATA_OK) {
    CopyError(err, t->error());
    runtime->rt->Forget(t);
    return result;
  }
  auto* resp = new strata_response();
  resp->resp = std::move(*t->response());
  t->MarkResponseTaken();
  runtime->rt->Forget(t);
  *out = resp;
  return STRATA_OK;
}

}  // namespace

extern "C" {

const char* strata_version(void) { return strata::kStrataVersion; }

uint32_t strata_abi_version(void) { return STRATA_ABI_MAJOR * 1000u + STRATA_ABI_MINOR; }

const char* strata_libraries(void) {
  static const std::string* const kText = new std::string(strata::LibraryVersions());
  return kText->c_str();
}

strata_status strata_runtime_list_plugins(strata_runtime* runtime, strata_plugin_fn fn, void* user) {
  if (!runtime || !fn) return STRATA_E_INVALID_ARGUMENT;
  for (const auto& p : runtime->rt->registry().plugins()) fn(user, p->name.c_str(), p->version.c_str(), p->path.c_str());
  return STRATA_OK;
}

strata_status strata_runtime_new(const char* config_json, strata_runtime** out_runtime, strata_error* out_error) {
  if (!out_runtime) return STRATA_E_INVALID_ARGUMENT;
  *out_runtime = nullptr;
  return Guard(out_error, [&] { return RuntimeFromText(config_json ? config_json : "", out_runtime, out_error); });
}

strata_status strata_runtime_new_from_file(const char* path, strata_runtime** out_runtime, strata_error* out_error) {
  if (!out_runtime || !path) return STRATA_E_INVALID_ARGUMENT;
  *out_runtime = nullptr;
  return Guard(out_error, [&]() -> strata_status {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      FillError(out_error, STRATA_E_CONFIG, "config",
                absl::StrCat("cannot read configuration file ", path, ": ", std::strerror(errno)));
      return STRATA_E_CONFIG;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
      // A file that should hold a configuration but is empty is a mistake,
      // not a request for the defaults (pass NULL to strata_runtime_new).
      FillError(out_error, STRATA_E_CONFIG, "config",
                absl::StrCat("configuration file ", path, " is empty (write {} for the built-in configuration)"));
      return STRATA_E_CONFIG;
    }
    strata_status st = RuntimeFromText(text, out_runtime, out_error);
    if (st != STRATA_OK && out_error) {
      std::string msg = absl::StrCat(path, ": ", out_error->message);
      CopyTruncated(out_error->message, sizeof(out_error->message), msg);
    }
    return st;
  });
}

void strata_runtime_free(strata_runtime* runtime) {
  if (!runtime) return;
  try {
    for (strata_transfer* handle = runtime->handles; handle != nullptr;) {
      strata_transfer* next = handle->next;
      runtime->rt->Forget(handle->t.get());
      handle->owner = nullptr;
      handle->prev = handle->next = nullptr;
      handle = next;
    }
    runtime->handles = nullptr;
    delete runtime;
  } catch (...) {
  }
}

void strata_runtime_set_event_callback(strata_runtime* runtime, strata_event_fn fn, void* user, uint32_t type_mask) {
  if (runtime) runtime->rt->SetEventCallback(fn, user, type_mask);
}

// ---------------------------------------------------------------------------
// Cookies

namespace {

int64_t UnixNow() { return absl::ToUnixSeconds(absl::Now()); }

}  // namespace

strata_status strata_cookies_enable(strata_runtime* runtime, int enabled) {
  if (!runtime) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    runtime->rt->EnableCookies(enabled != 0);
    return STRATA_OK;
  });
}

strata_status strata_cookies_load(strata_runtime* runtime, const char* path, int drop_session, size_t* out_loaded) {
  if (out_loaded) *out_loaded = 0;
  if (!runtime || !path || !path[0]) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    std::ifstream in(path, std::ios::binary);
    if (!in) return STRATA_E_IO;
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) return STRATA_E_IO;
    runtime->rt->EnableCookies(true);
    strata::CookieStore& store = runtime->rt->Cookies();
    strata::JarLoadStats stats = strata::LoadNetscapeJar(store, text.str(), UnixNow());
    if (drop_session) store.DropSessionCookies();
    if (out_loaded) *out_loaded = stats.loaded;
    return STRATA_OK;
  });
}

strata_status strata_cookies_save(strata_runtime* runtime, const char* path) {
  if (!runtime || !path || !path[0]) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    std::string jar = strata::SaveNetscapeJar(runtime->rt->Cookies(), UnixNow());
    if (std::string_view(path) == "-") {
      return fwrite(jar.data(), 1, jar.size(), stdout) == jar.size() && fflush(stdout) == 0 ? STRATA_OK : STRATA_E_IO;
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << jar;
    out.close();
    return out ? STRATA_OK : STRATA_E_IO;
  });
}

strata_status strata_alt_svc_enable(strata_runtime* runtime, int enabled) {
  if (!runtime) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    runtime->rt->EnableAltSvc(enabled != 0);
    return STRATA_OK;
  });
}

strata_status strata_alt_svc_load(strata_runtime* runtime, const char* path, size_t* out_loaded) {
  if (out_loaded) *out_loaded = 0;
  if (!runtime || !path || !path[0]) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    runtime->rt->EnableAltSvc(true);
    strata::AltSvcLoadStats stats;
    if (!strata::LoadAltSvcFile(path, &runtime->rt->AltSvc(), UnixNow(), &stats).ok()) return STRATA_E_IO;
    if (out_loaded) *out_loaded = stats.loaded;
    return STRATA_OK;
  });
}

strata_status strata_alt_svc_save(strata_runtime* runtime, const char* path) {
  if (!runtime || !path || !path[0]) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    return strata::SaveAltSvcFile(path, runtime->rt->AltSvc(), UnixNow()).ok() ? STRATA_OK : STRATA_E_IO;
  });
}

strata_status strata_cookies_add(strata_runtime* runtime, const char* url, const char* set_cookie) {
  if (!runtime || !url || !set_cookie) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    absl::StatusOr<strata::Url> u = strata::ParseUrl(url);
    if (!u.ok() || (u->scheme != "http" && u->scheme != "https")) return STRATA_E_INVALID_ARGUMENT;
    strata::CookieStore& store = runtime->rt->Cookies();
    absl::Status s = store.SetFromHeader(set_cookie, strata::CookieUrl{u->scheme, u->host, u->path}, UnixNow());
    if (!s.ok()) return STRATA_E_INVALID_ARGUMENT;
    runtime->rt->EnableCookies(true);
    return STRATA_OK;
  });
}

strata_status strata_cookies_list(strata_runtime* runtime, strata_cookie_fn fn, void* user) {
  if (!runtime || !fn) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    for (const strata::Cookie& c : runtime->rt->Cookies().List(UnixNow())) {
      strata_cookie out{};
      out.struct_size = sizeof(out);
      out.name = c.name.c_str();
      out.value = c.value.c_str();
      out.domain = c.domain.c_str();
      out.path = c.path.c_str();
      out.host_only = c.host_only ? 1 : 0;
      out.secure = c.secure ? 1 : 0;
      out.http_only = c.http_only ? 1 : 0;
      switch (c.same_site) {
        case strata::SameSite::kNone: out.same_site = STRATA_SAME_SITE_NONE; break;
        case strata::SameSite::kLax: out.same_site = STRATA_SAME_SITE_LAX; break;
        case strata::SameSite::kStrict: out.same_site = STRATA_SAME_SITE_STRICT; break;
        default: out.same_site = STRATA_SAME_SITE_UNSET; break;
      }
      out.expires = c.expires_unix_s;
      fn(user, &out);
    }
    return STRATA_OK;
  });
}

strata_status strata_cookies_clear(strata_runtime* runtime, int session_only) {
  if (!runtime) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    if (session_only) {
      runtime->rt->Cookies().DropSessionCookies();
    } else {
      runtime->rt->Cookies().Clear();
    }
    return STRATA_OK;
  });
}

strata_status strata_request_new(const char* method, const char* url, strata_request** out_request) {
  if (!out_request || !method || !url || !method[0]) return STRATA_E_INVALID_ARGUMENT;
  *out_request = nullptr;
  if (!strata::ValidMethod(method)) return STRATA_E_INVALID_ARGUMENT;  // a token, RFC 9110 §9.1
  return Guard(nullptr, [&] {
    auto* r = new strata_request();
    r->shared->method = method;
    r->shared->url = url;
    // Parsed once here rather than at every submission; a URL that does
    // not parse is reported by the transfer, as before.
    if (absl::StatusOr<strata::Url> parsed = strata::ParseUrl(url); parsed.ok()) r->shared->parsed_url = *std::move(parsed);
    *out_request = r;
    return STRATA_OK;
  });
}

void strata_request_free(strata_request* request) { delete request; }

strata_status strata_request_add_header(strata_request* request, const char* name, const char* value) {
  if (!request || !name || !value) return STRATA_E_INVALID_ARGUMENT;
  if (!strata::ValidHeaderName(name) || !strata::ValidHeaderValue(value)) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    request->Mut().headers.push_back({name, value});
    return STRATA_OK;
  });
}

strata_status strata_request_remove_header(strata_request* request, const char* name) {
  if (!request || !name || !strata::ValidHeaderName(name)) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    strata::Request& r = request->Mut();
    strata::RemoveHeader(&r.headers, name);
    r.removed_headers.emplace_back(name);
    return STRATA_OK;
  });
}

strata_status strata_request_set_body(strata_request* request, const void* data, size_t len) {
  if (!request || (!data && len)) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    strata::BodySource& body = request->Mut().body;
    body = strata::BodySource{};
    body.kind = strata::BodySource::Kind::kMemory;
    body.data.assign(static_cast<const char*>(data), len);
    return STRATA_OK;
  });
}

strata_status strata_request_set_body_reader(strata_request* request, int64_t length, strata_read_fn fn, void* user) {
  if (!request || !fn || length < -1) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    strata::BodySource& body = request->Mut().body;
    body = strata::BodySource{};
    body.kind = strata::BodySource::Kind::kReader;
    body.read = fn;
    body.read_user = user;
    body.length = length;
    return STRATA_OK;
  });
}

strata_status strata_request_set_body_writer(strata_request* request, strata_write_fn fn, void* user) {
  if (!request) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    strata::Request& r = request->Mut();
    r.writer = fn;
    r.writer_user = user;
    return STRATA_OK;
  });
}

strata_status strata_request_set_option_int(strata_request* request, int32_t option, int64_t value) {
  if (!request) return STRATA_E_INVALID_ARGUMENT;
  // The option table decides which ids exist and which setter takes them.
  const strata::OptionEntry* entry = strata::FindRequestOption(option);
  if (!entry || entry->type != STRATA_OPTION_TYPE_INT) return STRATA_E_UNSUPPORTED;
  if (value < 0) return STRATA_E_INVALID_ARGUMENT;
  // Copied first if a live transfer shares it: the copy may fail.
  strata::RequestOptions* options = nullptr;
  if (strata_status st = Guard(nullptr, [&] {
        options = &request->Mut().options;
        return STRATA_OK;
      });
      st != STRATA_OK) {
    return st;
  }
  strata::RequestOptions& o = *options;
  switch (option) {
    case STRATA_OPT_TIMEOUT_MS: o.timeout_ms = value; break;
    case STRATA_OPT_CONNECT_TIMEOUT_MS: o.connect_timeout_ms = value; break;
    case STRATA_OPT_FIRST_BYTE_TIMEOUT_MS: o.first_byte_timeout_ms = value; break;
    case STRATA_OPT_IDLE_TIMEOUT_MS: o.idle_timeout_ms = value; break;
    case STRATA_OPT_FOLLOW_REDIRECTS: o.follow_redirects = value ? 1 : 0; break;
    case STRATA_OPT_MAX_REDIRECTS: o.max_redirects = value; break;
    case STRATA_OPT_FAIL_ON_HTTP_ERROR: o.fail_on_http_error = value != 0; break;
    case STRATA_OPT_MAX_BODY_BYTES: o.max_body_bytes = value; break;
    case STRATA_OPT_PROXY_TUNNEL: o.proxy_tunnel = value ? 1 : 0; break;
    case STRATA_OPT_PROXY_HTTP2: o.proxy_http2 = value ? 1 : 0; break;
    case STRATA_OPT_UNSAFE_REDIRECT: o.unsafe_redirect = value ? 1 : 0; break;
    case STRATA_OPT_LOCATION_TRUSTED: o.location_trusted = value ? 1 : 0; break;
    case STRATA_OPT_POST301: o.post301 = value ? 1 : 0; break;
    case STRATA_OPT_POST302: o.post302 = value ? 1 : 0; break;
    case STRATA_OPT_POST303: o.post303 = value ? 1 : 0; break;
    case STRATA_OPT_HTTP_VERSION:
      if (value != STRATA_HTTP_VERSION_DEFAULT && value != STRATA_HTTP_VERSION_1_1 &&
          value != STRATA_HTTP_VERSION_2 && value != STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE &&
          value != STRATA_HTTP_VERSION_3 && value != STRATA_HTTP_VERSION_3_ONLY) {
        return STRATA_E_INVALID_ARGUMENT;
      }
      o.http_version = value;
      break;
    case STRATA_OPT_RESUME_FROM:
      if (value < 0) return STRATA_E_INVALID_ARGUMENT;
      o.resume_from = value;
      break;
    case STRATA_OPT_MAX_DECODED_BYTES: o.max_decoded_bytes = value; break;
    case STRATA_OPT_MAX_DECODE_RATIO: o.max_decode_ratio = value; break;
    case STRATA_OPT_RETRY: o.retry = std::min<int64_t>(value, 1000000); break;
    case STRATA_OPT_RETRY_DELAY_MS: o.retry_delay_ms = value; break;
    case STRATA_OPT_RETRY_MAX_TIME_MS: o.retry_max_time_ms = value; break;
    case STRATA_OPT_RETRY_ON: o.retry_on = value; break;
    case STRATA_OPT_IF_MODIFIED_SINCE: o.if_modified_since = value; break;
    case STRATA_OPT_IF_UNMODIFIED_SINCE: o.if_unmodified_since = value; break;
    case STRATA_OPT_LOCAL_PORT:
      if (value > 65535) return STRATA_E_INVALID_ARGUMENT;
      o.local_port = value;
      break;
    case STRATA_OPT_LOCAL_PORT_RANGE:
      if (value < 1 || value > 65535) return STRATA_E_INVALID_ARGUMENT;
      o.local_port_range = value;
      break;
    default: return STRATA_E_UNSUPPORTED;
  }
  return STRATA_OK;
}

strata_status strata_request_set_option_string(strata_request* request, int32_t option, const char* value) {
  if (!request || !value) return STRATA_E_INVALID_ARGUMENT;
  const strata::OptionEntry* entry = strata::FindRequestOption(option);
  if (!entry || entry->type != STRATA_OPTION_TYPE_STRING) return STRATA_E_UNSUPPORTED;
  return Guard(nullptr, [&] {
    switch (option) {
      case STRATA_OPT_PIPELINE:
        request->Mut().options.pipeline = value;
        return STRATA_OK;
      case STRATA_OPT_ACCEPT_ENCODING:
        // A header value too (unless "", which asks for every coding).
        if (!strata::ValidHeaderValue(value)) return STRATA_E_INVALID_ARGUMENT;
        request->Mut().options.accept_encoding = std::string(value);
        return STRATA_OK;
      case STRATA_OPT_COOKIE:
        if (!strata::ValidHeaderValue(value)) return STRATA_E_INVALID_ARGUMENT;
        request->Mut().options.cookie = value;
        return STRATA_OK;
      case STRATA_OPT_RANGE:
        // It becomes a header value: the same rule applies.
        if (!strata::ValidHeaderValue(value)) return STRATA_E_INVALID_ARGUMENT;
        request->Mut().options.range = value;
        return STRATA_OK;
      case STRATA_OPT_PROXY:
        request->Mut().options.proxy = std::string(value);
        return STRATA_OK;
      case STRATA_OPT_PROXY_CREDENTIALS:
        request->Mut().options.proxy_credentials = std::string(value);
        return STRATA_OK;
      case STRATA_OPT_NO_PROXY:
        request->Mut().options.no_proxy = std::string(value);
        return STRATA_OK;
      case STRATA_OPT_PREPROXY: {
        // One URL per line; "" leaves the list empty but set (none, over
        // the configuration's). The URLs are checked per hop, where the
        // error can name the entry.
        auto& list = request->Mut().options.preproxies;
        if (!list) list.emplace();
        for (absl::string_view line : absl::StrSplit(value, absl::ByAnyChar("\r\n"), absl::SkipWhitespace())) {
          list->push_back(strata::ProxyEntry{std::string(absl::StripAsciiWhitespace(line)), ""});
        }
        return STRATA_OK;
      }
      case STRATA_OPT_LAYER_OPTIONS: {
        nlohmann::json doc = nlohmann::json::parse(value, nullptr, /*allow_exceptions=*/false);
        if (!doc.is_object()) return STRATA_E_INVALID_ARGUMENT;
        for (auto it = doc.begin(); it != doc.end(); ++it) {
          if (!it.value().is_object()) return STRATA_E_INVALID_ARGUMENT;
        }
        nlohmann::json& merged = request->Mut().options.layer_options;
        for (auto it = doc.begin(); it != doc.end(); ++it) {
          if (!merged.contains(it.key())) merged[it.key()] = nlohmann::json::object();
          merged[it.key()].update(it.value());
        }
        return STRATA_OK;
      }
      case STRATA_OPT_RESOLVE: {
        // host:port:addr — checked here so a typo fails at once.
        std::string v = value;
        size_t a = v.find(':');
        size_t b = a == std::string::npos ? a : v.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos || a == 0 || b == a + 1 || b + 1 >= v.size()) {
          return STRATA_E_INVALID_ARGUMENT;
        }
        request->Mut().options.resolve.push_back(v);
        return STRATA_OK;
      }
      case STRATA_OPT_CONNECT_TO:
        if (!strata::ParseConnectTo(value).ok()) return STRATA_E_INVALID_ARGUMENT;
        request->Mut().options.connect_to.push_back(value);
        return STRATA_OK;
      case STRATA_OPT_INTERFACE: {
        // The tcp layer checks the rest; a name it could never bind is
        // refused here already.
        std::string v = value;
        std::string name = v.rfind("if!", 0) == 0 ? v.substr(3) : v.rfind("host!", 0) == 0 ? v.substr(5) : v;
        if (!v.empty() && (name.empty() || name.size() >= 255)) return STRATA_E_INVALID_ARGUMENT;
        request->Mut().options.interface = v;
        return STRATA_OK;
      }
      case STRATA_OPT_UNIX_SOCKET:
      case STRATA_OPT_ABSTRACT_UNIX_SOCKET:
        if (std::strlen(value) > 107) return STRATA_E_INVALID_ARGUMENT;  // sun_path's room
        request->Mut().options.unix_socket = value;
        request->Mut().options.abstract_unix_socket = option == STRATA_OPT_ABSTRACT_UNIX_SOCKET;
        return STRATA_OK;
      case STRATA_OPT_LAYER_ABOVE_BOTTOM:
        // A layer type name (the registry says at connect time whether it
        // is loaded): printable, no spaces.
        for (const char* c = value; *c; ++c) {
          if (*c <= ' ' || *c > '~') return STRATA_E_INVALID_ARGUMENT;
        }
        request->Mut().options.layer_above_bottom = value;
        return STRATA_OK;
      default:
        return STRATA_E_UNSUPPORTED;
    }
  });
}

size_t strata_option_count(void) { return strata::RequestOptionTable().size(); }

strata_status strata_option_at(size_t index, strata_option_info* out) {
  std::span<const strata::OptionEntry> table = strata::RequestOptionTable();
  if (!out || out->struct_size < offsetof(strata_option_info, name) + sizeof(out->name) || index >= table.size()) {
    return STRATA_E_INVALID_ARGUMENT;
  }
  const strata::OptionEntry& e = table[index];
  out->id = e.id;
  out->type = e.type;
  out->name = e.name;
  if (STRATA_HAS_FIELD(out, strata_option_info, repeatable)) out->repeatable = e.repeatable ? 1 : 0;
  return STRATA_OK;
}

const char* strata_response_reason(const strata_response* r) { return r ? r->resp.reason.c_str() : ""; }

int32_t strata_response_status(const strata_response* r) { return r ? r->resp.status : 0; }
int32_t strata_response_http_version(const strata_response* r) { return r ? r->resp.http_version : 0; }
size_t strata_response_header_count(const strata_response* r) { return r ? r->resp.headers.size() : 0; }

strata_status strata_response_header(const strata_response* r, size_t index, const char** out_name,
                                     size_t* out_name_len, const char** out_value, size_t* out_value_len) {
  if (!r || index >= r->resp.headers.size()) return STRATA_E_INVALID_ARGUMENT;
  // Both end before a NUL in the block: C strings.
  const strata::FieldView h = r->resp.headers[index];
  if (out_name) *out_name = h.name.data();
  if (out_name_len) *out_name_len = h.name.size();
  if (out_value) *out_value = h.value.data();
  if (out_value_len) *out_value_len = h.value.size();
  return STRATA_OK;
}

const char* strata_response_header_get(const strata_response* r, const char* name) {
  if (!r || !name) return nullptr;
  std::optional<absl::string_view> v = r->resp.headers.Find(name);
  return v ? v->data() : nullptr;  // NUL-terminated in the block
}

void strata_response_body(const strata_response* r, const uint8_t** out_data, size_t* out_len) {
  if (out_data) *out_data = r ? reinterpret_cast<const uint8_t*>(r->resp.body.data()) : nullptr;
  if (out_len) *out_len = r ? r->resp.body.size() : 0;
}

const char* strata_response_effective_url(const strata_response* r) { return r ? r->resp.effective_url.c_str() : ""; }

strata_status strata_response_info(const strata_response* r, int32_t info, int64_t* out_value) {
  if (!r || !out_value) return STRATA_E_INVALID_ARGUMENT;
  const strata::Response& x = r->resp;
  switch (info) {
    case STRATA_INFO_STATUS: *out_value = x.status; break;
    case STRATA_INFO_HTTP_VERSION: *out_value = x.http_version; break;
    case STRATA_INFO_NUM_REDIRECTS: *out_value = x.num_redirects; break;
    case STRATA_INFO_NUM_CONNECTS: *out_value = x.num_connects; break;
    case STRATA_INFO_SIZE_DOWNLOAD: *out_value = x.size_download; break;
    case STRATA_INFO_TIME_TOTAL_US: *out_value = static_cast<int64_t>(x.time_total_us); break;
    case STRATA_INFO_TIME_CONNECT_US: *out_value = static_cast<int64_t>(x.time_connect_us); break;
    case STRATA_INFO_TIME_FIRST_BYTE_US: *out_value = static_cast<int64_t>(x.time_first_byte_us); break;
    case STRATA_INFO_SIZE_UPLOAD: *out_value = x.size_upload; break;
    case STRATA_INFO_HTTP_CONNECT: *out_value = x.http_connect; break;
    case STRATA_INFO_CONDITION_UNMET: *out_value = x.condition_unmet ? 1 : 0; break;
    case STRATA_INFO_TIME_NAMELOOKUP_US: *out_value = static_cast<int64_t>(x.time_namelookup_us); break;
    case STRATA_INFO_TIME_APPCONNECT_US: *out_value = static_cast<int64_t>(x.time_appconnect_us); break;
    case STRATA_INFO_TIME_PRETRANSFER_US: *out_value = static_cast<int64_t>(x.time_pretransfer_us); break;
    case STRATA_INFO_TIME_REDIRECT_US: *out_value = static_cast<int64_t>(x.time_redirect_us); break;
    case STRATA_INFO_SIZE_HEADER: *out_value = x.size_header; break;
    case STRATA_INFO_SIZE_REQUEST: *out_value = x.size_request; break;
    case STRATA_INFO_REMOTE_PORT: *out_value = x.remote_port; break;
    case STRATA_INFO_LOCAL_PORT: *out_value = x.local_port; break;
    case STRATA_INFO_TLS_VERIFY_RESULT: *out_value = x.tls_verify_result; break;
    case STRATA_INFO_PROXY_TLS_VERIFY_RESULT: *out_value = x.proxy_tls_verify_result; break;
    case STRATA_INFO_TIME_TCP_CONNECT_US: *out_value = static_cast<int64_t>(x.time_tcp_connect_us); break;
    case STRATA_INFO_TIME_STARTTRANSFER_US: *out_value = static_cast<int64_t>(x.time_starttransfer_us); break;
    default: return STRATA_E_UNSUPPORTED;
  }
  return STRATA_OK;
}

strata_status strata_response_info_string(const strata_response* r, int32_t info, const char** out_value) {
  if (!r || !out_value) return STRATA_E_INVALID_ARGUMENT;
  switch (info) {
    case STRATA_INFO_STR_EFFECTIVE_URL: *out_value = r->resp.effective_url.c_str(); break;
    case STRATA_INFO_STR_REDIRECT_URL: *out_value = r->resp.redirect_url.c_str(); break;
    case STRATA_INFO_STR_CHAIN: *out_value = r->resp.chain.c_str(); break;
    case STRATA_INFO_STR_REMOTE_IP: *out_value = r->resp.remote_ip.c_str(); break;
    case STRATA_INFO_STR_LOCAL_IP: *out_value = r->resp.local_ip.c_str(); break;
    case STRATA_INFO_STR_LAYER_TIMES: *out_value = r->resp.layer_times.c_str(); break;
    case STRATA_INFO_STR_METHOD: *out_value = r->resp.effective_method.c_str(); break;
    case STRATA_INFO_STR_HTTP_CONNECTS: *out_value = r->resp.http_connects.c_str(); break;
    default: return STRATA_E_UNSUPPORTED;
  }
  return STRATA_OK;
}

void strata_response_free(strata_response* r) { delete r; }

strata_status strata_fetch(strata_runtime* runtime, const strata_request* request, strata_response** out_response,
                           strata_error* out_error) {
  if (!runtime || !request || !out_response) return STRATA_E_INVALID_ARGUMENT;
  *out_response = nullptr;
  return Guard(out_error, [&] {
    std::unique_ptr<strata::Transfer> t = runtime->rt->Submit(request->shared, nullptr);
    return RunToCompletion(runtime, t.get(), out_response, out_error);
  });
}

strata_status strata_submit(strata_runtime* runtime, const strata_request* request, void* user,
                            strata_transfer** out_transfer) {
  if (!runtime || !request || !out_transfer) return STRATA_E_INVALID_ARGUMENT;
  *out_transfer = nullptr;
  return Guard(nullptr, [&] {
    auto* handle = new strata_transfer();
    handle->owner = runtime;
    handle->t = runtime->rt->Submit(request->shared, user);
    handle->t->set_api_handle(handle);
    handle->next = runtime->handles;
    if (runtime->handles) runtime->handles->prev = handle;
    runtime->handles = handle;
    *out_transfer = handle;
    return STRATA_OK;
  });
}

strata_status strata_runtime_run(strata_runtime* runtime, int32_t timeout_ms, size_t* out_running) {
  if (!runtime) return STRATA_E_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    runtime->rt->RunOnce(timeout_ms, out_running);
    return STRATA_OK;
  });
}

int strata_runtime_fd(const strata_runtime* runtime) { return runtime ? runtime->rt->fd() : -1; }

int64_t strata_runtime_timeout_ms(const strata_runtime* runtime) { return runtime ? runtime->rt->TimeoutMs() : -1; }

strata_transfer* strata_runtime_next_done(strata_runtime* runtime) {
  if (!runtime) return nullptr;
  while (strata::Transfer* t = runtime->rt->NextDone()) {
    // Transfers of strata_fetch have no handle and are not the caller's.
    if (void* handle = t->api_handle()) return static_cast<strata_transfer*>(handle);
  }
  return nullptr;
}

int strata_transfer_done(const strata_transfer* transfer) { return transfer && transfer->t->done() ? 1 : 0; }
void* strata_transfer_user(const strata_transfer* transfer) { return transfer ? transfer->t->user() : nullptr; }
uint64_t strata_transfer_id(const strata_transfer* transfer) { return transfer ? transfer->t->id() : 0; }

strata_status strata_transfer_result(const strata_transfer* transfer, strata_error* out_error) {
  if (!transfer) return STRATA_E_INVALID_ARGUMENT;
  strata_status r = transfer->t->result();
  if (r < 0) CopyError(out_error, transfer->t->error());
  return r;
}

strata_response* strata_transfer_take_record(strata_transfer* transfer) {
  if (!transfer || !transfer->t->done() || transfer->t->response_taken()) return nullptr;
  try {
    auto* resp = new strata_response();
    resp->resp = std::move(*transfer->t->response());
    transfer->t->MarkResponseTaken();
    return resp;
  } catch (...) {
    return nullptr;
  }
}

strata_response* strata_transfer_take_response(strata_transfer* transfer) {
  if (!transfer || !transfer->t->done() || transfer->t->result() != STRATA_OK || transfer->t->response_taken()) {
    return nullptr;
  }
  try {
    auto* resp = new strata_response();
    resp->resp = std::move(*transfer->t->response());
    transfer->t->MarkResponseTaken();
    return resp;
  } catch (...) {
    return nullptr;
  }
}

strata_status strata_transfer_peek_response(strata_transfer* transfer, const strata_response** out_view) {
  if (out_view) *out_view = nullptr;
  if (!transfer || !out_view) return STRATA_E_INVALID_ARGUMENT;
  strata::Response* live = transfer->t->response();
  if (!live) return STRATA_E_STATE;
  // The runtime sets the response's status at the final head only (a
  // followed redirect and a 1xx leave it 0; a retry resets it).
  if (live->status == 0) return STRATA_AGAIN;
  return Guard(nullptr, [&] {
    if (!transfer->head_view) transfer->head_view = std::make_unique<strata_response>();
    strata::Response& v = transfer->head_view->resp;
    v = strata::Response{};
    v.status = live->status;
    v.http_version = live->http_version;
    v.reason = live->reason;
    v.headers = live->headers;
    v.effective_url = live->effective_url;
    v.effective_method = live->effective_method;
    v.redirect_url = live->redirect_url;
    v.num_redirects = live->num_redirects;
    v.num_connects = live->num_connects;
    v.size_download = live->size_download;
    v.size_upload = live->size_upload;
    v.time_first_byte_us = live->time_first_byte_us;
    v.time_connect_us = live->time_connect_us;
    v.http_connect = live->http_connect;
    v.http_connects = live->http_connects;
    *out_view = transfer->head_view.get();
    return STRATA_OK;
  });
}

void strata_transfer_cancel(strata_transfer* transfer) {
  if (transfer && transfer->owner) transfer->owner->rt->Cancel(transfer->t.get());
}

strata_status strata_transfer_resume(strata_transfer* transfer) {
  if (!transfer) return STRATA_E_INVALID_ARGUMENT;
  if (!transfer->owner || transfer->t->done()) return STRATA_E_STATE;
  transfer->owner->rt->Resume(transfer->t.get(), /*by_application=*/true);
  return STRATA_OK;
}

void strata_transfer_free(strata_transfer* transfer) {
  if (!transfer) return;
  try {
    if (transfer->owner) {
      transfer->owner->rt->Forget(transfer->t.get());
      (transfer->prev ? transfer->prev->next : transfer->owner->handles) = transfer->next;
      if (transfer->next) transfer->next->prev = transfer->prev;
    }
    delete transfer;
  } catch (...) {
  }
}

strata_status strata_connection_open(strata_runtime* runtime, const char* pipeline, const char* host, uint16_t port,
                                     int32_t timeout_ms, strata_connection** out_conn, strata_error* out_error) {
  if (!runtime || !pipeline || !host || !out_conn || port == 0) return STRATA_E_INVALID_ARGUMENT;
  *out_conn = nullptr;
  return Guard(out_error, [&]() -> strata_status {
    std::string h = host;
    if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    absl::StatusOr<std::unique_ptr<strata::Connection>> conn = runtime->rt->OpenConnection(pipeline, h, port);
    if (!conn.ok()) {
      strata_status code = strata::CodeOf(conn.status(), STRATA_E_CONFIG);
      FillError(out_error, code, "runtime", std::string(conn.status().message()));
      return code;
    }
    strata::Connection* c = conn->get();
    int64_t limit = timeout_ms > 0 ? timeout_ms : runtime->rt->config().timeouts.connect_ms;
    c->Drive();
    bool finished = WaitUntil(runtime->rt.get(), limit > 0 ? strata::MonotonicMs() + limit : 0,
                              [&] { return c->state() != strata::Connection::State::kConnecting; });
    std::string where = absl::StrCat(h, ":", port);
    if (!finished) {
      FillError(out_error, STRATA_E_TIMEOUT, "runtime",
                absl::StrCat("runtime: connection setup timed out after ", limit, " ms (", where, ")"), 0, where);
      return STRATA_E_TIMEOUT;
    }
    if (c->state() == strata::Connection::State::kDead) {
      const strata::LayerError& e = c->error();
      FillError(out_error, e.status, e.layer, absl::StrCat(e.layer, ": ", e.message, " (", where, ")"), 0, where);
      return e.status < 0 ? e.status : STRATA_E_CONNECT;
    }
    auto* handle = new strata_connection();
    handle->owner = runtime;
    handle->conn = *std::move(conn);
    handle->describe = handle->conn->Describe();
    handle->host = h;
    handle->port = port;
    *out_conn = handle;
    return STRATA_OK;
  });
}

strata_status strata_connection_send(strata_connection* conn, const void* data, size_t len, int32_t timeout_ms,
                                     strata_error* out_error) {
  if (!conn || (!data && len)) return STRATA_E_INVALID_ARGUMENT;
  if (conn->conn->has_session()) {
    FillError(out_error, STRATA_E_STATE, "runtime", "this connection's pipeline ends in a session layer: use strata_connection_request");
    return STRATA_E_STATE;
  }
  return Guard(out_error, [&]() -> strata_status {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    uint64_t deadline = DeadlineFrom(timeout_ms);
    while (len > 0) {
      size_t written = 0;
      strata_status st = conn->conn->Send(p, len, &written);
      if (st < 0) {
        const strata::LayerError& e = conn->conn->error();
        FillError(out_error, st, e.layer, absl::StrCat(e.layer, ": ", e.message));
        return st;
      }
      if (st == STRATA_OK) {
        p += written;
        len -= written;
        continue;
      }
      conn->conn->SetRawWants(STRATA_POLL_WRITE);
      if (deadline && strata::MonotonicMs() >= deadline) {
        conn->conn->SetRawWants(0);
        FillError(out_error, STRATA_E_TIMEOUT, "runtime", "send timed out");
        return STRATA_E_TIMEOUT;
      }
      conn->owner->rt->loop().RunOnce(deadline ? static_cast<int64_t>(deadline - strata::MonotonicMs()) : -1);
    }
    conn->conn->SetRawWants(0);
    return STRATA_OK;
  });
}

strata_status strata_connection_recv(strata_connection* conn, void* buf, size_t cap, size_t* out_read,
                                     int32_t timeout_ms, strata_error* out_error) {
  if (!conn || !buf || !cap || !out_read) return STRATA_E_INVALID_ARGUMENT;
  *out_read = 0;
  if (conn->conn->has_session()) {
    FillError(out_error, STRATA_E_STATE, "runtime", "this connection's pipeline ends in a session layer: use strata_connection_request");
    return STRATA_E_STATE;
  }
  return Guard(out_error, [&]() -> strata_status {
    uint64_t deadline = DeadlineFrom(timeout_ms);
    for (;;) {
      strata_status st = conn->conn->Recv(static_cast<uint8_t*>(buf), cap, out_read);
      if (st < 0) {
        const strata::LayerError& e = conn->conn->error();
        FillError(out_error, st, e.layer, absl::StrCat(e.layer, ": ", e.message));
        return st;
      }
      if (st == STRATA_OK) {
        conn->conn->SetRawWants(0);
        return STRATA_OK;
      }
      conn->conn->SetRawWants(STRATA_POLL_READ);
      uint64_t now = strata::MonotonicMs();
      if (deadline && now >= deadline) {
        conn->conn->SetRawWants(0);
        FillError(out_error, STRATA_E_TIMEOUT, "runtime", absl::StrCat("no data within ", timeout_ms, " ms"));
        return STRATA_E_TIMEOUT;
      }
      conn->owner->rt->loop().RunOnce(deadline ? static_cast<int64_t>(deadline - now) : -1);
    }
  });
}

strata_status strata_connection_request(strata_connection* conn, const strata_request* request,
                                        strata_response** out_response, strata_error* out_error) {
  if (!conn || !request || !out_response) return STRATA_E_INVALID_ARGUMENT;
  *out_response = nullptr;
  if (!conn->conn->has_session()) {
    FillError(out_error, STRATA_E_STATE, "runtime", "this connection is a byte stream: use strata_connection_send/recv");
    return STRATA_E_STATE;
  }
  return Guard(out_error, [&] {
    std::unique_ptr<strata::Transfer> t = conn->owner->rt->SubmitOn(conn->conn.get(), *request->shared);
    return RunToCompletion(conn->owner, t.get(), out_response, out_error);
  });
}

const char* strata_connection_describe(const strata_connection* conn) { return conn ? conn->describe.c_str() : ""; }

void strata_connection_close(strata_connection* conn) {
  if (!conn) return;
  try {
    delete conn;
  } catch (...) {
  }
}

}  // extern "C"
