#include "plugins/h2/layer/request_headers.h"

#include <string>

#include "absl/container/inlined_vector.h"
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

// FieldWriter writes fields over the elements of a reused list, then trims
// the list to what was written (whatever way the build ends).
class FieldWriter {
 public:
  explicit FieldWriter(hpack::HeaderList* list) : list_(list) {}
  ~FieldWriter() { list_->resize(count_); }
  FieldWriter(const FieldWriter&) = delete;
  FieldWriter& operator=(const FieldWriter&) = delete;

  hpack::HeaderField& Put(absl::string_view name, absl::string_view value) {
    if (count_ == list_->size()) list_->emplace_back();
    hpack::HeaderField& f = (*list_)[count_++];
    f.name.assign(name.data(), name.size());
    f.value.assign(value.data(), value.size());
    f.never_index = false;
    return f;
  }
  // Unput takes back the last field written (its storage stays for reuse).
  void Unput() { --count_; }

 private:
  hpack::HeaderList* list_;
  size_t count_ = 0;
};

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
  // |list| is overwritten in place: the fields of the previous request are
  // assigned over, so their strings' storage serves this one too (no
  // allocation per request once a connection has seen a request this big).
  FieldWriter out(list);
  if (head.method == nullptr || head.method[0] == '\0') {
    return absl::InvalidArgumentError("request has no method");
  }
  const absl::string_view method = head.method;
  // Names listed in Connection are hop-by-hop too (RFC 9110 §7.6.1). The
  // tokens are views into the head, which outlives this call.
  absl::InlinedVector<absl::string_view, 4> connection_named;
  const strata_header* authority_field = nullptr;
  for (size_t i = 0; i < head.header_count; ++i) {
    const strata_header& h = head.headers[i];
    const absl::string_view name = View(h.name, h.name_len);
    // Only names of these lengths need a closer look.
    if (name.size() != 4 && name.size() != 10 && name.size() != 14) continue;
    if (absl::EqualsIgnoreCase(name, "host")) {
      if (authority_field != nullptr) return absl::InvalidArgumentError("two Host fields");
      authority_field = &h;
    } else if (absl::EqualsIgnoreCase(name, "connection")) {
      for (absl::string_view token : absl::StrSplit(View(h.value, h.value_len), ',')) {
        token = TrimOws(token);
        if (!token.empty()) connection_named.push_back(token);
      }
    } else if (absl::EqualsIgnoreCase(name, "content-length")) {
      return absl::InvalidArgumentError(
          "the request has its own Content-Length field; the body length comes from "
          "content_length");
    }
  }
  const absl::string_view authority =
      authority_field ? TrimOws(View(authority_field->value, authority_field->value_len))
                      : absl::string_view(head.authority ? head.authority : "");
  if (authority.empty() && method == "CONNECT") {
    return absl::InvalidArgumentError("CONNECT needs an authority");
  }

  list->reserve(head.header_count + 5);  // pseudo-headers and content-length: no regrowth
  out.Put(":method", method);
  if (method != "CONNECT") {
    out.Put(":scheme", head.scheme && head.scheme[0] ? head.scheme : "https");
  }
  if (!authority.empty()) out.Put(":authority", authority);
  if (method != "CONNECT") {
    out.Put(":path", head.path && head.path[0] ? head.path : "/");
  }
  for (size_t i = 0; i < head.header_count; ++i) {
    const strata_header& h = head.headers[i];
    const absl::string_view raw_name = View(h.name, h.name_len);
    const absl::string_view value = TrimOws(View(h.value, h.value_len));
    if (raw_name.empty()) return absl::InvalidArgumentError("a request field has an empty name");
    if (raw_name[0] == ':') {
      return absl::InvalidArgumentError(absl::StrCat("application field named ", raw_name,
                                                     " (pseudo-headers are set by the layer)"));
    }
    // Written first and taken back if dropped: the name is lowered in place
    // in the field's own storage.
    hpack::HeaderField& f = out.Put(raw_name, value);
    for (char& c : f.name) c = absl::ascii_tolower(static_cast<unsigned char>(c));
    const absl::string_view name = f.name;
    if (name == "host" || IsHopByHop(name)) {
      out.Unput();
      continue;
    }
    bool named = false;
    for (absl::string_view n : connection_named) named = named || absl::EqualsIgnoreCase(n, name);
    if (named) {
      out.Unput();
      continue;
    }
    if (name == "te") {
      // Only "trailers" may cross into HTTP/2 (§8.2.2).
      bool trailers = false;
      for (absl::string_view token : absl::StrSplit(value, ',')) {
        token = TrimOws(token.substr(0, token.find(';')));
        trailers = trailers || absl::EqualsIgnoreCase(token, "trailers");
      }
      if (trailers) {
        f.value.assign("trailers");
      } else {
        out.Unput();
      }
    }
  }
  if (head.content_length > 0 ||
      (head.content_length == 0 && (head.flags & STRATA_REQUEST_NO_BODY) == 0 &&
       MethodExpectsBody(method))) {
    hpack::HeaderField& f = out.Put("content-length", "");
    absl::StrAppend(&f.value, head.content_length);
  }
  return absl::OkStatus();
}

}  // namespace strata::h2
