#include "tools/cli/response_head.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/cli/write_out.h"

namespace strata::cli {
namespace {

// HeaderValue returns the value of "Name: value" (or "name value", the
// unpunctuated form some HTTP/2 dumps use) when the name matches.
bool HeaderValue(absl::string_view line, absl::string_view name,
                 absl::string_view* out_value) {
  if (line.size() <= name.size() ||
      !absl::StartsWithIgnoreCase(line, name)) {
    return false;
  }
  char sep = line[name.size()];
  if (sep != ':' && sep != ' ') return false;
  *out_value = absl::StripAsciiWhitespace(line.substr(name.size() + 1));
  return true;
}

}  // namespace

std::vector<absl::string_view> SplitLines(absl::string_view text) {
  std::vector<absl::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    absl::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == absl::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string HeadTracker::Feed(absl::string_view text) {
  std::string out;
  for (absl::string_view line : SplitLines(text)) {
    absl::string_view value;
    if (absl::StartsWith(line, "HTTP/") || HeaderValue(line, ":status", &value)) {
      out += CloseHead();
      ++heads_;
      content_length_ = -1;
      status_ = 0;
      absl::string_view code =
          absl::StartsWith(line, "HTTP/")
              ? line.substr(std::min(line.size(), line.find(' ') + 1), 3)
              : value.substr(0, 3);
      int parsed = 0;
      if (absl::SimpleAtoi(code, &parsed)) status_ = parsed;
    } else if (HeaderValue(line, "content-length", &value)) {
      int64_t length = 0;
      if (absl::SimpleAtoi(value, &length) && length >= 0) {
        content_length_ = length;
      }
    }
    if (line.empty()) {
      if (!open_) continue;  // a stray blank line outside a head
      open_ = false;
    } else {
      open_ = true;
    }
    absl::StrAppend(&out, line, "\r\n");
  }
  return out;
}

std::string HeadTracker::CloseHead() {
  if (!open_) return "";
  open_ = false;
  return "\r\n";
}

std::string FormatHead(
    int http_version, int status,
    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string head = absl::StrCat("HTTP/", FormatHttpVersion(http_version),
                                  " ", status, "\r\n");
  for (const auto& [name, value] : headers) {
    absl::StrAppend(&head, name, ": ", value, "\r\n");
  }
  head += "\r\n";
  return head;
}

}  // namespace strata::cli
