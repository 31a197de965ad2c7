// write_out.h — expansion of -w/--write-out formats.
//
// Supported, as in curl: %{http_code} (alias %{response_code}),
// %{http_version}, %{num_redirects}, %{num_connects}, %{url_effective},
// %{url}, %{method}, %{content_type}, %{size_download}, %{size_upload},
// %{time_total}, %{time_connect}, %{time_starttransfer}, %{errormsg},
// %{exitcode}, %{redirect_url}, %{http_connect}, %header{name},
// %{stdout}/%{stderr} (switch the stream the rest goes to), %{onerror} (the
// rest only when the transfer failed), %%, and the escapes \n \r \t \\.
// strata's own: %{strata_chain}, the layers of the final hop's connection.
#ifndef STRATA_TOOLS_CLI_WRITE_OUT_H_
#define STRATA_TOOLS_CLI_WRITE_OUT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace strata::cli {

// TransferSummary is everything -w can print about one transfer.
struct TransferSummary {
  int http_code = 0;
  int http_version = 0;  // 10, 11, 20; 0 when no response
  int64_t num_redirects = 0;
  int64_t num_connects = 0;
  int64_t size_download = 0;
  int64_t size_upload = 0;
  int64_t time_total_us = 0;
  int64_t time_connect_us = 0;
  int64_t time_starttransfer_us = 0;
  int64_t http_connect = 0;   // the last proxy CONNECT reply status, 0 if none
  std::string redirect_url;   // where a final 3xx pointed (not followed)
  std::string chain;          // "tcp(…) → tls(…) → h1" of the final hop
  std::string url;            // as given on the command line
  std::string url_effective;  // of the last hop
  std::string method;
  std::string errormsg;  // "" on success
  int exitcode = 0;
  // Response headers of the final hop, for %header{} and %{content_type}.
  std::vector<std::pair<std::string, std::string>> headers;
};

enum class WriteOutStream { kStdout, kStderr };

struct WriteOutChunk {
  WriteOutStream stream;
  std::string text;
};

struct WriteOutResult {
  std::vector<WriteOutChunk> chunks;  // adjacent text merged per stream
  std::vector<std::string> warnings;  // e.g. unknown variables
};

// ExpandWriteOut expands |format| for |summary|. Unknown variables expand
// to nothing and add a warning, as curl does.
WriteOutResult ExpandWriteOut(const std::string& format,
                              const TransferSummary& summary);

// FormatSeconds prints microseconds as seconds with six decimals
// ("1.250000"), curl's format for %{time_*}.
std::string FormatSeconds(int64_t us);

// FormatHttpVersion gives "1.0", "1.1", "2", "3" (or "0" when unknown).
std::string FormatHttpVersion(int version);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_WRITE_OUT_H_
