#include "plugins/h1/request_writer.h"

#include <cstring>

#include "plugins/h1/http_chars.h"

namespace strata::h1 {
namespace {

absl::Status Invalid(const std::string& what) { return absl::InvalidArgumentError(what); }

std::string_view View(const char* s) { return s ? std::string_view(s) : std::string_view(); }

// IsTargetChar: bytes allowed in a request target or authority as we send
// them (visible ASCII and obs-text); SP or a control byte would split or
// smuggle the request line.
bool IsTargetChar(unsigned char c) { return c > 0x20 && c != 0x7f; }

bool HasOnlyTargetChars(std::string_view s) {
  for (unsigned char c : s) {
    if (!IsTargetChar(c)) return false;
  }
  return true;
}

bool IsScheme(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    bool other = (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
    if (!alpha && !(i > 0 && other)) return false;
  }
  return true;
}

// MethodAnticipatesBody: RFC 9110 §8.6 — no Content-Length: 0 for methods
// whose requests normally carry no content.
bool MethodAnticipatesBody(std::string_view method) {
  for (const char* m : {"GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT"}) {
    if (method == m) return false;
  }
  return true;
}

absl::Status CheckFieldValue(std::string_view name, std::string_view value) {
  for (char c : value) {
    if (!IsFieldValueChar(static_cast<unsigned char>(c))) {
      return Invalid(Cat("request header ", Quoted(name),
                         " has a value containing a control character (RFC 9110 §5.5): ",
                         Quoted(value)));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SerializedRequestHead> SerializeRequestHead(const strata_request_head& head) {
  std::string_view method = View(head.method);
  std::string_view authority = View(head.authority);
  std::string_view path = View(head.path);
  if (!IsToken(method)) return Invalid(Cat("invalid request method ", Quoted(method)));
  if (authority.empty() || !HasOnlyTargetChars(authority) ||
      authority.find_first_of("/?#@\\") != std::string_view::npos) {
    return Invalid(Cat("invalid request authority ", Quoted(authority)));
  }
  if (head.header_count > 0 && head.headers == nullptr) {
    return Invalid("request headers are missing (header_count > 0, headers NULL)");
  }

  SerializedRequestHead out;
  std::string& b = out.bytes;
  b.reserve(256);
  b.append(method);
  b += ' ';
  if (method == "CONNECT") {
    b.append(authority);  // authority-form, RFC 9112 §3.2.3
  } else {
    bool asterisk = method == "OPTIONS" && path == "*";
    if (!asterisk && (path.empty() || path.front() != '/')) {
      return Invalid(Cat("request path must start with '/': ", Quoted(path)));
    }
    if (!HasOnlyTargetChars(path) || path.find('#') != std::string_view::npos) {
      return Invalid(Cat("request path contains a space, control byte or '#': ", Quoted(path)));
    }
    if (head.flags & STRATA_REQUEST_ABSOLUTE_FORM) {
      std::string_view scheme = View(head.scheme);
      if (!IsScheme(scheme)) return Invalid(Cat("invalid request scheme ", Quoted(scheme)));
      b.append(scheme);
      b += "://";
      b.append(authority);
      if (!asterisk) b.append(path);
    } else {
      b.append(path);
    }
  }
  b += " HTTP/1.1\r\n";

  // Host first (RFC 9112 §3.2); the application's own value wins.
  const strata_header* app_host = nullptr;
  for (size_t i = 0; i < head.header_count; ++i) {
    const strata_header& h = head.headers[i];
    std::string_view name(h.name ? h.name : "", h.name ? h.name_len : 0);
    std::string_view value(h.value ? h.value : "", h.value ? h.value_len : 0);
    if (!IsToken(name)) return Invalid(Cat("invalid request header name ", Quoted(name)));
    absl::Status st = CheckFieldValue(name, value);
    if (!st.ok()) return st;
    if (EqualsIgnoreCase(name, "host")) {
      if (app_host != nullptr) return Invalid("the request has two Host headers");
      app_host = &h;
    } else if (EqualsIgnoreCase(name, "content-length") ||
               EqualsIgnoreCase(name, "transfer-encoding")) {
      return Invalid(Cat("request header ", Quoted(name),
                         " is set by the h1 layer from the body length; remove it"));
    }
  }
  b += "Host: ";
  if (app_host != nullptr) {
    b.append(app_host->value ? app_host->value : "", app_host->value ? app_host->value_len : 0);
  } else {
    b.append(authority);
  }
  b += "\r\n";
  for (size_t i = 0; i < head.header_count; ++i) {
    const strata_header& h = head.headers[i];
    if (&h == app_host) continue;
    b.append(h.name, h.name_len);
    b += ": ";
    if (h.value) b.append(h.value, h.value_len);
    b += "\r\n";
  }

  bool no_body = (head.flags & STRATA_REQUEST_NO_BODY) != 0;
  if (no_body && head.content_length > 0) {
    return Invalid(Cat("request says it has no body but content_length is ",
                       head.content_length));
  }
  if (head.content_length < -1) {
    return Invalid(Cat("invalid request content_length ", head.content_length));
  }
  if (head.content_length == -1 && !no_body) {
    out.body_framing = RequestBodyFraming::kChunked;
    b += "Transfer-Encoding: chunked\r\n";
  } else if (head.content_length > 0) {
    out.body_framing = RequestBodyFraming::kContentLength;
    out.content_length = static_cast<uint64_t>(head.content_length);
    b += Cat("Content-Length: ", out.content_length, "\r\n");
  } else if (MethodAnticipatesBody(method)) {
    b += "Content-Length: 0\r\n";
  }
  b += "\r\n";
  return out;
}

void AppendChunkSizeLine(uint64_t size, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  char digits[16];
  int n = 0;
  do {
    digits[n++] = kHex[size & 15];
    size >>= 4;
  } while (size != 0);
  while (n > 0) *out += digits[--n];
  out->append(kChunkEnd);
}

void AppendChunk(std::string_view data, std::string* out) {
  if (data.empty()) return;
  AppendChunkSizeLine(data.size(), out);
  out->append(data);
  out->append(kChunkEnd);
}

}  // namespace strata::h1
