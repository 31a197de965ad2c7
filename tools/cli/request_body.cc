#include "tools/cli/request_body.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

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

absl::StatusOr<std::string> BuildRequestBody(const std::vector<DataArg>& data) {
  std::string body;
  for (size_t i = 0; i < data.size(); ++i) {
    const DataArg& arg = data[i];
    if (i > 0) body.push_back('&');
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
  if (!options.data.empty()) return "POST";
  return "GET";
}

std::vector<RequestHeader> BuildRequestHeaders(const CliOptions& options) {
  std::vector<RequestHeader> headers;
  if (options.user && !HasHeader(options, "Authorization")) {
    headers.push_back({"Authorization", BasicAuthorization(*options.user)});
  }
  if (!options.data.empty() && !HasHeader(options, "Content-Type")) {
    headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
  }
  for (const HeaderArg& header : options.headers) {
    if (header.remove) continue;
    headers.push_back({header.name, header.value});
  }
  return headers;
}

}  // namespace strata::cli
