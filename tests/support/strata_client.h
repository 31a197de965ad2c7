// strata_client.h — small RAII helpers over the public C API for tests.
//
// Header-only on purpose: it needs only api/strata/strata.h, so the support
// library builds without the runtime; a test that uses it links the
// implementation itself (//runtime/capi:capi, or libstrata.so via dlopen).
#ifndef STRATA_TESTS_SUPPORT_STRATA_CLIENT_H_
#define STRATA_TESTS_SUPPORT_STRATA_CLIENT_H_

#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "strata/strata.h"
#include "tests/support/test_env.h"

namespace strata::test {

struct RuntimeDeleter {
  void operator()(strata_runtime* r) const { strata_runtime_free(r); }
};
struct RequestDeleter {
  void operator()(strata_request* r) const { strata_request_free(r); }
};
struct ResponseDeleter {
  void operator()(strata_response* r) const { strata_response_free(r); }
};
using RuntimePtr = std::unique_ptr<strata_runtime, RuntimeDeleter>;
using RequestPtr = std::unique_ptr<strata_request, RequestDeleter>;
using ResponsePtr = std::unique_ptr<strata_response, ResponseDeleter>;

inline strata_error NewError() {
  strata_error error;
  std::memset(&error, 0, sizeof(error));
  error.struct_size = sizeof(error);
  return error;
}

// DistPluginDir is where //tools:dist puts the plugins in the runfiles.
inline std::string DistPluginDir() { return RunfilePath("tools"); }

// JsonString quotes |s| as a JSON string (paths from TEST_TMPDIR are plain,
// but a backslash or quote must not break the configuration).
inline std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// DefaultTestConfig: the dist plugins, http over tcp+h1, and timeouts short
// enough that a client bug shows as a failure, not a hung test.
inline std::string DefaultTestConfig(const std::string& extra_plugins = "",
                                     const std::string& http_pipeline = "[\"tcp\", \"h1\"]") {
  return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
         " \"plugins\": [\"tcp\", \"h1\"" + extra_plugins + "],"
         " \"pipelines\": {\"http\": " + http_pipeline + "},"
         " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000,"
         " \"idle_ms\": 10000, \"total_ms\": 30000}}";
}

struct RuntimeResult {
  strata_status status = STRATA_E_INTERNAL;
  strata_error error = NewError();
  RuntimePtr runtime;
};

inline RuntimeResult MakeRuntime(const std::string& config_json) {
  RuntimeResult r;
  strata_runtime* rt = nullptr;
  r.status = strata_runtime_new(config_json.c_str(), &rt, &r.error);
  r.runtime.reset(rt);
  return r;
}

// FetchSpec: what to send. Options are applied in order.
struct FetchSpec {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  bool has_body = false;
  std::string body;
  std::vector<std::pair<int32_t, int64_t>> int_options;
  std::vector<std::pair<int32_t, std::string>> string_options;
};

struct FetchResult {
  strata_status status = STRATA_E_INTERNAL;
  strata_error error = NewError();
  ResponsePtr response;

  int http_status() const { return response ? strata_response_status(response.get()) : 0; }
  std::string body() const {
    if (!response) return "";
    const uint8_t* data = nullptr;
    size_t len = 0;
    strata_response_body(response.get(), &data, &len);
    return std::string(reinterpret_cast<const char*>(data), len);
  }
  std::string header(const char* name) const {
    const char* v = response ? strata_response_header_get(response.get(), name) : nullptr;
    return v ? v : "";
  }
  bool has_header(const char* name) const {
    return response && strata_response_header_get(response.get(), name) != nullptr;
  }
  int64_t info(int32_t id) const {
    int64_t value = -1;
    if (!response || strata_response_info(response.get(), id, &value) != STRATA_OK) return -1;
    return value;
  }
  // Describe is for failure messages: the status name and error text.
  std::string Describe() const {
    return std::string(strata_status_name(status)) + " [" + error.layer + "] " + error.message;
  }
};

// PrepareRequest builds the request for |spec|; returns nullptr (and sets
// *status) on failure.
inline RequestPtr PrepareRequest(const FetchSpec& spec, strata_status* status) {
  strata_request* req = nullptr;
  *status = strata_request_new(spec.method.c_str(), spec.url.c_str(), &req);
  RequestPtr request(req);
  if (*status != STRATA_OK) return nullptr;
  for (const auto& [name, value] : spec.headers) {
    if ((*status = strata_request_add_header(req, name.c_str(), value.c_str())) != STRATA_OK) return nullptr;
  }
  if (spec.has_body &&
      (*status = strata_request_set_body(req, spec.body.data(), spec.body.size())) != STRATA_OK) {
    return nullptr;
  }
  for (const auto& [opt, value] : spec.int_options) {
    if ((*status = strata_request_set_option_int(req, opt, value)) != STRATA_OK) return nullptr;
  }
  for (const auto& [opt, value] : spec.string_options) {
    if ((*status = strata_request_set_option_string(req, opt, value.c_str())) != STRATA_OK) return nullptr;
  }
  return request;
}

inline FetchResult Fetch(strata_runtime* runtime, const FetchSpec& spec) {
  FetchResult r;
  RequestPtr request = PrepareRequest(spec, &r.status);
  if (!request) return r;
  strata_response* resp = nullptr;
  r.status = strata_fetch(runtime, request.get(), &resp, &r.error);
  r.response.reset(resp);
  return r;
}

// BodySink receives a body through a body writer, so a test sees exactly
// the bytes that would have gone to a file; |keep| false only counts them
// (a bomb, a large download).
struct BodySink {
  std::string bytes;
  int64_t total = 0;
  bool keep = true;
  static strata_status Write(void* user, const uint8_t* data, size_t len) {
    auto* self = static_cast<BodySink*>(user);
    self->total += static_cast<int64_t>(len);
    if (self->keep) self->bytes.append(reinterpret_cast<const char*>(data), len);
    return STRATA_OK;
  }
};

// FetchInto is Fetch with the body streamed to |sink| (not collected).
inline FetchResult FetchInto(strata_runtime* runtime, const FetchSpec& spec, BodySink* sink) {
  FetchResult r;
  RequestPtr request = PrepareRequest(spec, &r.status);
  if (!request) return r;
  strata_request_set_body_writer(request.get(), &BodySink::Write, sink);
  strata_response* resp = nullptr;
  r.status = strata_fetch(runtime, request.get(), &resp, &r.error);
  r.response.reset(resp);
  return r;
}

inline FetchResult Get(strata_runtime* runtime, const std::string& url) {
  FetchSpec spec;
  spec.url = url;
  return Fetch(runtime, spec);
}

// Chain is the final hop's chain ("tcp(…) → tls(…) → h2(…)"), or "".
inline std::string Chain(const FetchResult& r) {
  const char* chain = nullptr;
  if (!r.response || strata_response_info_string(r.response.get(), STRATA_INFO_STR_CHAIN, &chain) != STRATA_OK ||
      !chain) {
    return "";
  }
  return chain;
}

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_STRATA_CLIENT_H_
