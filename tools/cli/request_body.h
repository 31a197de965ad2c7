// request_body.h — the request body and headers that -d/--data-binary/-u
// ask for, resolved from the parsed options.
#ifndef STRATA_TOOLS_CLI_REQUEST_BODY_H_
#define STRATA_TOOLS_CLI_REQUEST_BODY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/cli/options.h"
#include "tools/cli/warning.h"

namespace strata::cli {

// ReadFileOrStdin reads all of |path| ("-" is standard input). The error
// names the file and the reason.
absl::StatusOr<std::string> ReadFileOrStdin(const std::string& path);

// BuildRequestBody joins the -d arguments with '&' as curl does. "@file"
// reads a file ("@-" standard input); -d/--data drops CR and LF from file
// contents, --data-binary keeps them, --data-raw never reads files.
// Errors are read errors (exit code 26).
absl::StatusOr<std::string> BuildRequestBody(const std::vector<DataArg>& data);

// BasicAuthorization returns the Authorization header value for -u
// "user:password" ("Basic base64(user:password)"). A missing ":" means an
// empty password.
std::string BasicAuthorization(const std::string& user);

// RequestHeader is one header the CLI sends.
struct RequestHeader {
  std::string name;
  std::string value;
};

// EffectiveMethod is -X if given, else HEAD for -I, PUT for -T, POST for
// -F or when there is data (unless -G), GET otherwise.
std::string EffectiveMethod(const CliOptions& options);

// UrlEncode percent-encodes every byte but ALPHA, DIGIT and "-._~", as
// curl 7.88's --data-urlencode does, except a space, which becomes '+'.
std::string UrlEncode(absl::string_view in);

// AppendQuery adds -G's data to |url| as curl 7.88 does: after '?', or
// after '&' when the URL already has a query; "http://host" becomes
// "http://host/?data".
std::string AppendQuery(const std::string& url, const std::string& query);

// ExpandHeaderFiles replaces each -H @file by the headers on the file's
// lines. A file that cannot be read adds curl's warning to *warnings and
// contributes nothing; lines that are not headers are skipped.
void ExpandHeaderFiles(CliOptions& options, std::string* warnings);

// BuildRequestHeaders lists the headers to send: the user's -H headers in
// order, plus Authorization for -u, Content-Type for -d (application/json
// for --json, which adds Accept: application/json too; none with -G),
// User-Agent for -A and Referer for -e, each unless the user set or
// removed ("Name:") a header of that name.
std::vector<RequestHeader> BuildRequestHeaders(const CliOptions& options);

// UploadUrl is the URL -T FILE sends to: FILE's base name is appended when
// the URL has no path or its path ends in '/' (not for "-", stdin), as curl
// does.
std::string UploadUrl(const std::string& url, const std::string& file);

// RemovedHeaders names the headers not to send at all, the runtime's own
// defaults included (strata_request_remove_header): each -H "Name:", and
// User-Agent for -A "".
std::vector<std::string> RemovedHeaders(const CliOptions& options);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_REQUEST_BODY_H_
