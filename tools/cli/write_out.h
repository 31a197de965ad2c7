// write_out.h — expansion of -w/--write-out formats.
//
// Supported, as in curl 7.88: %{http_code} (alias %{response_code}),
// %{http_version}, %{http_connect}, %{num_redirects}, %{num_connects},
// %{num_headers}, %{url_effective}, %{url}, %{urlnum}, %{method},
// %{scheme}, %{content_type}, %{redirect_url}, %{referer},
// %{filename_effective}, %{size_download}, %{size_upload},
// %{size_header}, %{size_request}, %{speed_download}, %{speed_upload},
// %{time_namelookup}, %{time_connect}, %{time_appconnect},
// %{time_pretransfer}, %{time_redirect}, %{time_starttransfer},
// %{time_total}, %{remote_ip}, %{remote_port}, %{local_ip},
// %{local_port}, %{ssl_verify_result}, %{proxy_ssl_verify_result},
// %{errormsg}, %{exitcode}, %{json} (all of them
// as one JSON object), %{header_json}, %header{name}, %{stdout}/%{stderr}
// (switch the stream the rest goes to), %{onerror} (the rest only when
// the transfer failed), %%, and the escapes \n \r \t \\.
// From later curl: %output{file} and %output{>>file} (the rest goes to a
// file, truncated or appended).
// Not supported: %{certs} and %{num_certs} (strata does not export the
// certificate chain), %{ftp_entry_path}; they warn as unknown variables.
// strata's own: %{http_connects}, every proxy's CONNECT reply status
// of a chain ("200 407"), %{strata_chain}, the layers of the final hop's
// connection, and %{time_layer:NAME}, when layer NAME of the final hop's
// new connection was ready ("proxy:tls" names a layer below a tunnel).
#ifndef STRATA_TOOLS_CLI_WRITE_OUT_H_
#define STRATA_TOOLS_CLI_WRITE_OUT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

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
  int64_t time_namelookup_us = 0;
  int64_t time_connect_us = 0;
  int64_t time_appconnect_us = 0;
  int64_t time_pretransfer_us = 0;
  int64_t time_starttransfer_us = 0;
  int64_t time_redirect_us = 0;
  int64_t size_header = 0;
  int64_t size_request = 0;
  int64_t ssl_verify_result = 0;
  int64_t proxy_ssl_verify_result = 0;
  std::string remote_ip, local_ip;
  int64_t remote_port = 0, local_port = 0;
  std::string layer_times;       // STRATA_INFO_STR_LAYER_TIMES: "tcp=812 tls=4512"
  std::string referer;           // -e, "" for none
  std::string filename_effective;  // the output file, "" for stdout
  int64_t urlnum = 0;            // the URL's index on the command line
  std::string version;           // strata's version line, for %{json}
  int64_t http_connect = 0;   // the last proxy CONNECT reply status, 0 if none
  std::string http_connects;  // every proxy's, nearest this client first: "200 407"
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

enum class WriteOutStream { kStdout, kStderr, kFile };

struct WriteOutChunk {
  WriteOutStream stream;
  std::string text;
  // kFile: the file, and whether to append to it (%output{>>file}) or
  // truncate it first (%output{file}).
  std::string path;
  bool append = false;
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

// JsonQuoted renders |text| as a JSON string the way curl does (only ",
// \\ and control characters escaped), |lowercase| folding A-Z.
std::string JsonQuoted(absl::string_view text, bool lowercase = false);

// FormatHttpVersion gives "1.0", "1.1", "2", "3" (or "0" when unknown).
std::string FormatHttpVersion(int version);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_WRITE_OUT_H_
