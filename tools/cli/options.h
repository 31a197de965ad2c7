// options.h — the strata command line (argv) parsed into CliOptions.
//
// The syntax follows curl: short options may be bundled (`-sSL`), a short
// option's argument may be attached (`-XPOST`, `-ofile`) or the next word,
// long options take the next word (`--max-time 5`) or `=value`. Words that
// are not options are URLs. Parsing does no I/O: `@file` arguments are kept
// as file names and read later (request_body.h), so the parser stays pure
// and testable.
#ifndef STRATA_TOOLS_CLI_OPTIONS_H_
#define STRATA_TOOLS_CLI_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/cli/form_parse.h"

namespace strata::cli {

// OutputTarget is one -o/-O; targets are matched to URLs in order, as curl
// does, and URLs without a target write to stdout.
struct OutputTarget {
  enum class Kind { kFile, kRemoteName };
  Kind kind = Kind::kFile;
  std::string path;  // kFile only
};

// DataArg is one -d/--data-binary/--data-raw argument, not yet read.
struct DataArg {
  enum class Kind {
    kAscii,   // -d/--data: "@file" reads the file and drops CR and LF
    kBinary,  // --data-binary: "@file" reads the file verbatim
    kRaw,     // --data-raw: no "@" interpretation
    kUrlencode,  // --data-urlencode: "content", "=content", "name=content",
                 // "@file", "name@file"; the content percent-encoded
    kJson,    // --json: like --data-binary, but joined to the previous
              // piece without '&'
  };
  Kind kind = Kind::kAscii;
  std::string value;  // the text, or "@path" (for kAscii/kBinary)
};

// HeaderArg is one -H. curl's conventions: "Name: value" adds a header,
// "Name:" (nothing after the colon) removes a header the tool would add
// itself, "Name;" sends the header with an empty value.
struct HeaderArg {
  std::string name;
  std::string value;
  bool remove = false;
  // -H @file: the headers are the file's lines, read when the request is
  // built (ExpandHeaderFiles in request_body.h); name and value are unset.
  std::string file;
};

// HttpVersion is --http1.1 / --http2 / --http2-prior-knowledge (the last
// one given wins, as in curl); request_options.cc maps it onto
// STRATA_OPT_HTTP_VERSION.
enum class HttpVersion {
  kDefault,           // none given: the runtime's "<scheme>" template
  kHttp11,            // --http1.1
  kHttp2,             // --http2: ALPN on https, h2c Upgrade on http
  kHttp2PriorKnowledge,  // --http2-prior-knowledge
  kHttp3,             // --http3: HTTP/3 raced against TCP, with fallback
  kHttp3Only,         // --http3-only: https over QUIC (udp → h3), no fallback
};

// kParallelMaxDefault and kParallelMaxLimit are curl's --parallel-max
// default and ceiling.
constexpr int kParallelMaxDefault = 50;
constexpr int kParallelMaxLimit = 300;

struct CliOptions {
  std::vector<std::string> urls;
  std::vector<OutputTarget> outputs;
  std::optional<std::string> output_dir;  // --output-dir: prefixes -o/-O names
  std::optional<std::string> dump_header;  // -D FILE ("-": stdout)
  std::optional<std::string> range;        // -r, as sent after "bytes="
  bool resume_auto = false;                // -C -: from the output file's size
  std::optional<int64_t> resume_from;      // -C OFFSET
  // Warnings found while parsing, each kept only if no -s came before it
  // (curl prints them as it parses).
  std::vector<std::string> warnings;
  bool create_dirs = false;               // --create-dirs

  std::optional<std::string> method;  // -X
  std::vector<HeaderArg> headers;     // -H, in order
  std::vector<DataArg> data;          // joined with '&' like curl
  bool get = false;                   // -G: the data goes in the URL's query
  bool json = false;                  // --json was given
  std::optional<std::string> user_agent;  // -A (-H User-Agent wins)
  std::optional<std::string> referer;     // -e (-H Referer wins)
  std::optional<std::string> user;    // -u "user:password"
  std::vector<std::string> resolve;   // --resolve host:port:addr
  // Where the socket goes and how its local end is bound.
  std::vector<std::string> connect_to;    // --connect-to H1:P1:H2:P2 (checked per request)
  std::optional<std::string> interface;   // --interface NAME|IP|host
  int64_t local_port = 0;                 // --local-port N[-M]: first port, 0 = any
  int64_t local_port_range = 1;           //   and how many ports from it
  std::optional<std::string> unix_socket; // --unix-socket / --abstract-unix-socket
  bool abstract_unix_socket = false;
  // --fault: the fault layer's options as a JSON object text ("" = none);
  // the layer goes just above every hop's bottom layer.
  std::string fault;
  std::optional<std::string> pipeline;  // --pipeline NAME
  HttpVersion http_version = HttpVersion::kDefault;

  // -Z/--parallel: run the URLs' transfers concurrently, at most
  // |parallel_max| at a time (--parallel-max; curl's rules: below 1 means
  // the default, above 300 means 300).
  bool parallel = false;
  int parallel_max = kParallelMaxDefault;

  std::optional<int64_t> connect_timeout_ms;  // --connect-timeout
  std::optional<int64_t> max_time_ms;         // -m/--max-time
  bool follow_redirects = false;              // -L (also --location-trusted)
  std::optional<int64_t> max_redirects;       // --max-redirs (-1 = unlimited)
  bool unsafe_redirect = false;               // --unsafe-redirect (https → http)
  bool location_trusted = false;              // --location-trusted
  bool post301 = false;                       // --post301
  bool post302 = false;                       // --post302
  bool post303 = false;                       // --post303

  // Proxy. |proxy| "" means no proxy at all, not even from the environment.
  std::optional<std::string> proxy;          // -x/--proxy, passed on as is
  std::vector<std::string> preproxy;         // --preproxy URL (repeatable), before -x
  std::optional<std::string> proxy_user;     // -U/--proxy-user "user:password"
  std::optional<std::string> noproxy;        // --noproxy LIST
  bool proxytunnel = false;                  // -p/--proxytunnel
  bool proxy_http2 = false;                  // --proxy-http2 (curl 8.1's spelling)
  std::optional<std::string> proxy_cacert;   // --proxy-cacert FILE
  std::optional<std::string> proxy_capath;   // --proxy-capath DIR
  bool proxy_insecure = false;               // --proxy-insecure

  // TLS to the server (the "tls" layer's options).
  std::optional<std::string> cacert;         // --cacert FILE
  std::optional<std::string> capath;         // --capath DIR
  bool insecure = false;                     // -k/--insecure
  std::optional<std::string> cert;           // -E/--cert FILE (":password" cut off)
  bool cert_password_ignored = false;        // -E had a ":password" part
  std::optional<std::string> key;            // --key FILE
  std::optional<std::string> tls_min;        // --tlsv1.2 / --tlsv1.3: "1.2", "1.3"
  std::optional<std::string> tls_max;        // --tls-max: "1.2", "1.3"
  bool tls_earlydata = false;                // --tls-earlydata: idempotent requests in 0-RTT (h3)
  std::vector<std::string> ciphers;          // --ciphers a:b:c
  std::optional<std::string> pinnedpubkey;   // --pinnedpubkey sha256//B64[;...] or a key FILE
  std::vector<std::string> curves;           // --curves a:b

  std::optional<std::string> write_out;  // -w, "@file" kept as is
  std::optional<std::string> config_file;
  std::vector<std::string> plugin_dirs;

  bool verbose = false;          // -v
  // --trace FILE / --trace-ascii FILE ("-": stdout, "%": stderr); -v and
  // these replace one another, the last given wins (as in curl).
  std::optional<std::string> trace_file;
  bool trace_ascii = false;
  bool trace_time = false;       // --trace-time: a time before each block
  bool include_headers = false;  // -i
  bool head = false;             // -I
  bool fail = false;             // -f
  bool fail_with_body = false;   // --fail-with-body: -f, but the body is kept
  bool compressed = false;       // --compressed: ask for every coding, decode
  int64_t retry = 0;             // --retry N
  int64_t retry_delay_ms = 0;    // --retry-delay S (0: backoff)
  int64_t retry_max_time_ms = 0; // --retry-max-time S (0: no limit)
  bool retry_all_errors = false; // --retry-all-errors
  bool retry_connrefused = false;  // --retry-connrefused
  std::vector<std::string> cookie_data;   // -b NAME=VALUE...: sent as they are
  std::vector<std::string> cookie_files;  // -b FILE: read into the cookie store
  std::optional<std::string> cookie_jar;  // -c FILE: the store written at the end
  // --alt-svc FILE (repeatable, as curl): every file is read into the
  // Alt-Svc cache, the last one is written at the end; "" keeps the cache
  // in memory only.
  std::vector<std::string> alt_svc_files;
  bool junk_session_cookies = false;      // -j: session cookies from -b files dropped
  std::optional<int64_t> if_modified_since;    // -z DATE|FILE (Unix seconds)
  std::optional<int64_t> if_unmodified_since;  // -z -DATE|-FILE
  std::optional<std::string> etag_save;        // --etag-save FILE
  std::optional<std::string> etag_compare;     // --etag-compare FILE
  std::optional<std::string> upload_file;      // -T FILE ("-": stdin)
  std::vector<FormField> form;                 // -F/--form-string, in order
  bool remote_header_name = false;             // -J: -O names from Content-Disposition
  // -F with -d/--json/-T: curl's warning, then exit 2 (RunCli prints it
  // unless -s); curl finds this after parsing, so no usage line follows.
  std::optional<std::string> method_conflict;
  bool globoff = false;                        // -g: "[]{}" in URLs are literal
  bool remote_name_all = false;                // --remote-name-all: -O for every URL without -o
  bool no_buffer = false;                      // -N: stdout flushed after every write
  bool netrc = false;                          // -n, --netrc-optional, --netrc-file
  std::optional<std::string> netrc_file;       // --netrc-file (else $HOME/.netrc)
  std::optional<std::string> ip_family;        // -4 "ipv4", -6 "ipv6": the tcp layer's family
  bool no_progress_meter = false;  // --no-progress-meter
  bool silent = false;           // -s
  bool show_error = false;       // -S
  bool progress_bar = false;     // -#
  bool show_help = false;
  bool show_version = false;
};

// ParseCommandLine parses argv (argv[0] is the program name and ignored).
// Errors are usage errors (exit code 2) whose message is ready to print
// after "strata: ", e.g. "option --max-time: expects a number of seconds".
// A command line without URLs is an error unless --help or --version is
// given.
absl::StatusOr<CliOptions> ParseCommandLine(int argc, const char* const* argv);

// ParseHeader parses one -H argument ("Name: value", "Name:", "Name;").
absl::StatusOr<HeaderArg> ParseHeader(const std::string& text);

// ParseLocalPortRange reads --local-port's "N" or "N-M" (curl's rules: 0-65535,
// M >= N) into the first port and how many ports from it may be tried.
absl::StatusOr<std::pair<int64_t, int64_t>> ParseLocalPortRange(absl::string_view text);

// SplitCertArgument splits curl's -E "file:password" and returns the file;
// *had_password is set when a password part was present. As in curl, "\:"
// is a colon and "\\" a backslash inside the file name.
std::string SplitCertArgument(const std::string& text, bool* had_password);

// ParseSeconds turns "1.5" into 1500 milliseconds. Negative, non-finite or
// non-numeric text is an error.
absl::StatusOr<int64_t> ParseSecondsToMs(const std::string& text);

// OptionSpelling is one entry of the parser's option table: what --help,
// the man page and the shell completion must all list (docs_gen.h).
struct OptionSpelling {
  char short_name = 0;  // 0: none
  std::string long_name;
  bool takes_arg = false;
};

// ListOptions returns the parser's table, in its order.
std::vector<OptionSpelling> ListOptions();

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_OPTIONS_H_
