#include "tools/cli/request_body.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace strata::cli {
namespace {

bool HasHeader(const CliOptions& options, absl::string_view name) {
  for (const HeaderArg& header : options.headers) {
    if (absl::EqualsIgnoreCase(header.name, name)) return true;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::string> ReadFileOrStdin(const std::string& path) {
  int fd = path == "-" ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(
        absl::StrCat("can't open '", path, "': ", std::strerror(errno)));
  }
  std::string content;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      if (fd != STDIN_FILENO) close(fd);
      return absl::DataLossError(
          absl::StrCat("can't read '", path, "': ", std::strerror(err)));
    }
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
  }
  if (fd != STDIN_FILENO) close(fd);
  return content;
}

std::string UrlEncode(absl::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size());
  for (unsigned char c : in) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');  // curl 7.88 (form encoding), checked side by side
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

absl::StatusOr<std::string> UrlencodedPiece(const std::string& arg) {
  // curl's split: the first '=' ends the name; without one, the first '@'
  // does and names a file. A name is sent as it is (already encoded).
  size_t sep = arg.find('=');
  if (sep == std::string::npos) sep = arg.find('@');
  std::string name = sep == std::string::npos ? "" : arg.substr(0, sep);
  std::string content = sep == std::string::npos ? arg : arg.substr(sep + 1);
  if (sep != std::string::npos && arg[sep] == '@') {
    absl::StatusOr<std::string> file = ReadFileOrStdin(content);
    if (!file.ok()) return file.status();
    content = *std::move(file);
  }
  return name.empty() ? UrlEncode(content) : absl::StrCat(name, "=", UrlEncode(content));
}

absl::StatusOr<std::string> BuildRequestBody(const std::vector<DataArg>& data) {
  std::string body;
  for (size_t i = 0; i < data.size(); ++i) {
    const DataArg& arg = data[i];
    // --json pieces are concatenated (one JSON text split over options);
    // every other piece is joined with '&'.
    if (i > 0 && arg.kind != DataArg::Kind::kJson) body.push_back('&');
    if (arg.kind == DataArg::Kind::kUrlencode) {
      absl::StatusOr<std::string> piece = UrlencodedPiece(arg.value);
      if (!piece.ok()) return piece.status();
      body += *piece;
      continue;
    }
    bool from_file = arg.kind != DataArg::Kind::kRaw &&
                     !arg.value.empty() && arg.value[0] == '@';
    if (!from_file) {
      body += arg.value;
      continue;
    }
    absl::StatusOr<std::string> content = ReadFileOrStdin(arg.value.substr(1));
    if (!content.ok()) return content.status();
    if (arg.kind == DataArg::Kind::kAscii) {
      for (char c : *content) {
        if (c != '\r' && c != '\n') body.push_back(c);
      }
    } else {
      body += *content;
    }
  }
  return body;
}

std::string BasicAuthorization(const std::string& user) {
  std::string credentials = user;
  if (credentials.find(':') == std::string::npos) credentials.push_back(':');
  return absl::StrCat("Basic ", absl::Base64Escape(credentials));
}

std::string EffectiveMethod(const CliOptions& options) {
  if (options.method) return *options.method;
  if (options.head) return "HEAD";
  if (options.upload_file) return "PUT";
  if (!options.form.empty()) return "POST";  // -G or not, as curl
  if (!options.data.empty() && !options.get) return "POST";
  return "GET";
}

std::string UploadUrl(const std::string& url, const std::string& file) {
  if (file == "-") return url;
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("?#", start);
  std::string base = url.substr(0, end), rest = end == std::string::npos ? "" : url.substr(end);
  size_t slash = base.find('/', start);
  if (slash != std::string::npos && base.back() != '/') return url;
  if (slash == std::string::npos) base += '/';
  // The name is percent-encoded, as curl escapes it (a space as %20 in a
  // path: UrlEncode's '+' can only stand for one, a '+' itself is %2B).
  size_t name_at = file.rfind('/');
  std::string name = UrlEncode(name_at == std::string::npos ? file : file.substr(name_at + 1));
  for (size_t at; (at = name.find('+')) != std::string::npos;) name.replace(at, 1, "%20");
  return absl::StrCat(base, name, rest);
}

std::string AppendQuery(const std::string& url, const std::string& query) {
  // curl 7.88's rule: '?' unless the part after the last '/' of the URL
  // (past "scheme://") already has one; a URL with no path gets "/?".
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t slash = url.find('/', start) == std::string::npos ? std::string::npos : url.rfind('/');
  if (slash == std::string::npos) return absl::StrCat(url, "/?", query);
  const char sep = url.find('?', slash) != std::string::npos ? '&' : '?';
  return absl::StrCat(url, std::string(1, sep), query);
}

void ExpandHeaderFiles(CliOptions& options, std::string* warnings) {
  std::vector<HeaderArg> expanded;
  for (HeaderArg& header : options.headers) {
    if (header.file.empty()) {
      expanded.push_back(std::move(header));
      continue;
    }
    absl::StatusOr<std::string> content = ReadFileOrStdin(header.file);
    if (!content.ok()) {
      // curl warns and carries on without them.
      absl::StrAppend(warnings, FormatCurlWarning(absl::StrCat("Failed to open ", header.file, "!")));
      continue;
    }
    for (absl::string_view line : absl::StrSplit(*content, absl::ByAnyChar("\r\n"), absl::SkipEmpty())) {
      // A line that is not a header (no ':' or ';') is skipped, as curl
      // skips it when it builds the request.
      absl::StatusOr<HeaderArg> parsed = ParseHeader(std::string(line));
      if (parsed.ok()) expanded.push_back(*std::move(parsed));
    }
  }
  options.headers = std::move(expanded);
}

std::vector<std::string> RemovedHeaders(const CliOptions& options) {
  std::vector<std::string> names;
  for (const HeaderArg& header : options.headers) {
    if (header.remove) names.push_back(header.name);
  }
  // curl: -A "" removes the header altogether.
  if (options.user_agent && options.user_agent->empty() && !HasHeader(options, "User-Agent")) {
    names.push_back("User-Agent");
  }
  return names;
}

std::vector<RequestHeader> BuildRequestHeaders(const CliOptions& options) {
  std::vector<RequestHeader> headers;
  if (options.user && !HasHeader(options, "Authorization")) {
    headers.push_back({"Authorization", BasicAuthorization(*options.user)});
  }
  if (!options.data.empty() && !options.get && !HasHeader(options, "Content-Type")) {
    headers.push_back({"Content-Type", options.json ? "application/json" : "application/x-www-form-urlencoded"});
  }
  if (options.json && !HasHeader(options, "Accept")) headers.push_back({"Accept", "application/json"});
  if (options.user_agent && !options.user_agent->empty() && !HasHeader(options, "User-Agent")) {
    headers.push_back({"User-Agent", *options.user_agent});
  }
  if (options.referer && !HasHeader(options, "Referer")) headers.push_back({"Referer", *options.referer});
  for (const HeaderArg& header : options.headers) {
    if (header.remove) continue;
    headers.push_back({header.name, header.value});
  }
  return headers;
}

}  // namespace strata::cli
