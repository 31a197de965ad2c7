#include "plugins/h2/layer/request_headers.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace strata::h2 {
namespace {

absl::string_view View(const char* p, size_t n) { return p ? absl::string_view(p, n) : ""; }

absl::string_view TrimOws(absl::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return v;
}

// Fields that describe one hop of HTTP/1.1 and have no meaning (or are
// forbidden) in HTTP/2.
bool IsHopByHop(absl::string_view lower_name) {
  return lower_name == "connection" || lower_name == "keep-alive" ||
         lower_name == "proxy-connection" || lower_name == "transfer-encoding" ||
         lower_name == "upgrade" || lower_name == "http2-settings";
}

// Methods whose semantics anticipate content (RFC 9110 §8.6): an empty
// body is announced with content-length: 0, as in HTTP/1.1.
bool MethodExpectsBody(absl::string_view method) {
  return method != "GET" && method != "HEAD" && method != "DELETE" && method != "OPTIONS" &&
         method != "TRACE" && method != "CONNECT";
}

}  // namespace

bool RequestHasBody(const strata_request_head& head) {
  return (head.flags & STRATA_REQUEST_NO_BODY) == 0 && head.content_length != 0;
}

absl::StatusOr<hpack::HeaderList> BuildRequestHeaders(const strata_request_head& head) {
  hpack::HeaderList out;
  absl::Status st = BuildRequestHeaders(head, &out);
  if (!st.ok()) return st;
  return out;
}

absl::Status BuildRequestHeaders(const strata_request_head& head, hpack::HeaderList* list) {
  hpack::HeaderList& out = *list;
  out.clear();
  if (head.method == nullptr || head.method[0] == '\0') {
    return absl::InvalidArgumentError("request has no method");
  }
  const absl::string_view method = head.method;
  // Names listed in Connection are hop-by-hop too (RFC 9110 §7.6.1).
  std::vector<std::string> connection_named;
  const strata_header* authority_field = nullptr;
  for (size_t i = 0; i < head.header_count; ++i) {
    const strata_header& h = head.headers[i];
    const absl::string_view name = View(h.name, h.name_len);
    if (absl::EqualsIgnoreCase(name, "host")) {
      if (authority_field != nullptr) return absl::InvalidArgumentError("two Host fields");
      authority_field = &h;
    } else if (absl::EqualsIgnoreCase(name, "connection")) {
      for (absl::string_view token : absl::StrSplit(View(h.value, h.value_len), ',')) {
        token = TrimOws(token);
        if (!token.empty()) connection_named.push_back(absl::AsciiStrToLower(token));
      }
    } else if (absl::EqualsIgnoreCase(name, "content-length")) {
      return absl::InvalidArgumentError(
          "the request has its own Content-Length field; the body length comes from "
          "content_length");
    }
  }
  const std::string authority =
      authority_field ? std::string(TrimOws(View(authority_field->value, authority_field->value_len)))
                      : std::string(head.authority ? head.authority : "");
  if (authority.empty() && method == "CONNECT") {
    return absl::InvalidArgumentError("CONNECT needs an authority");
  }

  out.reserve(head.header_count + 5);  // pseudo-headers and content-length: no regrowth
  out.push_back({":method", std::string(method)});
  if (method != "CONNECT") {
    out.push_back({":scheme", head.scheme && head.scheme[0] ? head.scheme : "https"});
  }
  if (!authority.empty()) out.push_back({":authority", authority});
  if (method != "CONNECT") {
    const absl::string_view path = head.path && head.path[0] ? head.path : "/";
    out.push_back({":path", std::string(path)});
  }
  for (size_t i = 0; i < head.header_count; ++i) {
    const strata_header& h = head.headers[i];
    std::string name = absl::AsciiStrToLower(View(h.name, h.name_len));
    const absl::string_view value = TrimOws(View(h.value, h.value_len));
    if (name.empty()) return absl::InvalidArgumentError("a request field has an empty name");
    if (name[0] == ':') {
      return absl::InvalidArgumentError(absl::StrCat("application field named ", name,
                                                     " (pseudo-headers are set by the layer)"));
    }
    if (name == "host" || IsHopByHop(name)) continue;
    bool named = false;
    for (const std::string& n : connection_named) named = named || n == name;
    if (named) continue;
    if (name == "te") {
      // Only "trailers" may cross into HTTP/2 (§8.2.2).
      bool trailers = false;
      for (absl::string_view token : absl::StrSplit(value, ',')) {
        token = TrimOws(token.substr(0, token.find(';')));
        trailers = trailers || absl::EqualsIgnoreCase(token, "trailers");
      }
      if (trailers) out.push_back({"te", "trailers"});
      continue;
    }
    out.push_back({std::move(name), std::string(value)});
  }
  if (head.content_length > 0 ||
      (head.content_length == 0 && (head.flags & STRATA_REQUEST_NO_BODY) == 0 &&
       MethodExpectsBody(method))) {
    out.push_back({"content-length", absl::StrCat(head.content_length)});
  }
  return absl::OkStatus();
}

}  // namespace strata::h2
