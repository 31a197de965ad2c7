#include "plugins/h2/engine/session/message_checks.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace strata::h2 {
namespace {

absl::Status Malformed(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("malformed response: ", why));
}

absl::Status CheckRegularField(const hpack::HeaderField& f, bool response) {
  if (!IsValidFieldName(f.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat(response ? "malformed response: " : "", "invalid field name \"",
                     absl::CEscape(f.name), "\""));
  }
  if (!IsValidFieldValue(f.value)) {
    return absl::InvalidArgumentError(absl::StrCat(response ? "malformed response: " : "",
                                                   "invalid value for field ", f.name));
  }
  if (IsConnectionSpecific(f.name)) {
    return absl::InvalidArgumentError(absl::StrCat(response ? "malformed response: " : "",
                                                   "connection-specific field ", f.name));
  }
  return absl::OkStatus();
}

// Per-byte verdicts, one table lookup per byte instead of a chain of
// compares: validation of every field of every request and response showed
// in profiles.
struct FieldByteTables {
  bool name_ok[256];
  bool value_bad[256];
};

constexpr FieldByteTables MakeFieldByteTables() {
  FieldByteTables t{};
  for (int c = 0; c < 256; ++c) {
    // §8.2.1: no 0x00-0x20 or 0x7f-0xff, no uppercase; ':' only in
    // pseudo-header names, which their callers check.
    t.name_ok[c] = c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z') && c != ':';
    // RFC 9110 §5.5: field-vchar (VCHAR, obs-text), SP and HTAB only. RFC
    // 9113 §8.2.1 makes NUL, CR and LF malformed; the other controls are no
    // more legitimate in a value and are refused the same way.
    t.value_bad[c] = (c < 0x20 && c != '\t') || c == 0x7f;
  }
  return t;
}

constexpr FieldByteTables kFieldBytes = MakeFieldByteTables();

}  // namespace

bool IsValidFieldName(absl::string_view name) {
  if (name.empty()) return false;
  bool ok = true;
  for (unsigned char c : name) ok &= kFieldBytes.name_ok[c];
  return ok;
}

bool IsValidFieldValue(absl::string_view value) {
  // Eight bytes at a time: a word with no byte below 0x20 and none equal to
  // 0x7f is clean (values are mostly printable ASCII); a word that may hold
  // one (HTAB is allowed) is looked at byte by byte.
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const char* p = value.data();
  size_t n = value.size();
  bool bad = false;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
    const uint64_t del = w ^ (kOnes * 0x7f);
    const uint64_t is_del = (del - kOnes) & ~del & kHighs;
    if ((below_space | is_del) == 0) continue;
    for (int i = 0; i < 8; ++i) bad |= kFieldBytes.value_bad[static_cast<unsigned char>(p[i])];
  }
  for (size_t i = 0; i < n; ++i) bad |= kFieldBytes.value_bad[static_cast<unsigned char>(p[i])];
  if (bad) return false;
  if (!value.empty()) {
    const char first = value.front(), last = value.back();
    if (first == ' ' || first == '\t' || last == ' ' || last == '\t') return false;
  }
  return true;
}

bool IsConnectionSpecific(absl::string_view name) {
  // By length first: most names match none of the lengths.
  switch (name.size()) {
    case 7:
      return name == "upgrade";
    case 10:
      return name == "connection" || name == "keep-alive";
    case 16:
      return name == "proxy-connection";
    case 17:
      return name == "transfer-encoding";
    default:
      return false;
  }
}

absl::Status CheckResponseHead(hpack::HeaderList block, ResponseHead* out) {
  *out = ResponseHead();
  bool seen_regular = false;
  bool seen_status = false;
  for (hpack::HeaderField& f : block) {
    const absl::string_view name = f.name;
    if (!name.empty() && name[0] == ':') {
      if (seen_regular) return Malformed(absl::StrCat("pseudo-header ", f.name, " after a field"));
      if (name != ":status") {
        return Malformed(absl::StrCat("pseudo-header ", f.name, " in a response"));
      }
      if (seen_status) return Malformed(":status repeated");
      seen_status = true;
      if (f.value.size() != 3 || !absl::ascii_isdigit(f.value[0]) ||
          !absl::ascii_isdigit(f.value[1]) || !absl::ascii_isdigit(f.value[2])) {
        return Malformed(absl::StrCat(":status \"", absl::CEscape(f.value), "\" is not 3 digits"));
      }
      out->status = (f.value[0] - '0') * 100 + (f.value[1] - '0') * 10 + (f.value[2] - '0');
      continue;
    }
    seen_regular = true;
    absl::Status st = CheckRegularField(f, true);
    if (!st.ok()) return st;
    if (name == "te") return Malformed("te in a response");
    if (name == "content-length") {
      if (f.value.empty() || f.value.size() > 19) {
        return Malformed(absl::StrCat("content-length \"", absl::CEscape(f.value), "\""));
      }
      uint64_t v = 0;
      for (char c : f.value) {
        if (!absl::ascii_isdigit(c)) {
          return Malformed(absl::StrCat("content-length \"", absl::CEscape(f.value), "\""));
        }
        v = v * 10 + static_cast<uint64_t>(c - '0');
      }
      if (v > static_cast<uint64_t>(INT64_MAX)) return Malformed("content-length overflows");
      if (out->content_length && *out->content_length != v) {
        return Malformed("different content-length values");
      }
      out->content_length = v;
    }
  }
  if (!seen_status) return Malformed(":status missing");
  // :status is the only pseudo-header and comes first: the regular fields
  // are the rest, kept in |block|'s own storage (no copy, no allocation).
  out->status_field = std::move(block.front());
  block.erase(block.begin());
  out->fields = std::move(block);
  return absl::OkStatus();
}

absl::Status CheckTrailers(const hpack::HeaderList& block) {
  for (const hpack::HeaderField& f : block) {
    if (!f.name.empty() && f.name[0] == ':') {
      return Malformed(absl::StrCat("pseudo-header ", f.name, " in trailers"));
    }
    absl::Status st = CheckRegularField(f, true);
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status CheckRequestHead(const hpack::HeaderList& block, RequestInfo* out) {
  *out = RequestInfo();
  bool seen_regular = false;
  absl::string_view method;
  bool scheme = false, path = false;
  for (const hpack::HeaderField& f : block) {
    const absl::string_view name = f.name;
    if (!name.empty() && name[0] == ':') {
      if (seen_regular) {
        return absl::InvalidArgumentError(
            absl::StrCat("request pseudo-header ", name, " after a regular field"));
      }
      // string_view compares the length first: one memcmp at most.
      if (name == ":method") {
        if (!method.empty()) return absl::InvalidArgumentError(":method repeated");
        method = f.value;
      } else if (name == ":scheme") {
        scheme = true;
      } else if (name == ":path") {
        path = true;
        if (f.value.empty()) return absl::InvalidArgumentError(":path is empty");
      } else if (name != ":authority" && name != ":protocol") {
        return absl::InvalidArgumentError(absl::StrCat("unknown request pseudo-header ", name));
      }
      if (!IsValidFieldValue(f.value)) {
        return absl::InvalidArgumentError(absl::StrCat("invalid value for ", name));
      }
      continue;
    }
    seen_regular = true;
    absl::Status st = CheckRegularField(f, false);
    if (!st.ok()) return st;
    if (name == "te" && absl::string_view(f.value) != "trailers") {
      return absl::InvalidArgumentError("te other than \"trailers\" is not allowed in HTTP/2");
    }
    if (name == "priority") out->priority = ParsePriority(f.value);
  }
  if (method.empty()) return absl::InvalidArgumentError(":method missing");
  if (method != "CONNECT" && (!scheme || !path)) {
    return absl::InvalidArgumentError(":scheme and :path are required");
  }
  out->head = method == "HEAD";
  out->connect = method == "CONNECT";
  return absl::OkStatus();
}

}  // namespace strata::h2
