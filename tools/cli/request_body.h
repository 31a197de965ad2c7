// request_body.h — the request body and headers that -d/--data-binary/-u
// ask for, resolved from the parsed options.
#ifndef STRATA_TOOLS_CLI_REQUEST_BODY_H_
#define STRATA_TOOLS_CLI_REQUEST_BODY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/cli/options.h"

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

// EffectiveMethod is -X if given, else HEAD for -I, POST when there is
// data, GET otherwise.
std::string EffectiveMethod(const CliOptions& options);

// BuildRequestHeaders lists the headers to send: the user's -H headers in
// order, plus Authorization for -u and Content-Type for -d unless the user
// set or removed ("Name:") a header of that name.
std::vector<RequestHeader> BuildRequestHeaders(const CliOptions& options);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_REQUEST_BODY_H_
