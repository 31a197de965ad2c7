#include "tools/cli/options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sys/stat.h>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "runtime/cookies/cookie_date.h"
#include "tools/cli/curl_config.h"
#include "tools/cli/fault_argument.h"

namespace strata::cli {
namespace {

enum class Opt {
  kOutput,
  kRemoteName,
  kVerbose,
  kInclude,
  kHead,
  kRequest,
  kHeader,
  kData,
  kDataBinary,
  kDataRaw,
  kDataUrlencode,
  kJson,
  kGet,
  kUserAgent,
  kReferer,
  kOutputDir,
  kDumpHeader,
  kRange,
  kContinueAt,
  kCreateDirs,
  kFailWithBody,
  kNoProgressMeter,
  kCompressed,
  kRetry,
  kRetryDelay,
  kRetryMaxTime,
  kRetryAllErrors,
  kRetryConnrefused,
  kCookie,
  kCookieJar,
  kAltSvc,
  kJunkSessionCookies,
  kTimeCond,
  kEtagSave,
  kTrace,
  kTraceAscii,
  kTraceTime,
  kEtagCompare,
  kUploadFile,
  kForm,
  kFormString,
  kRemoteHeaderName,
  kGlobOff,
  kIpv4,
  kIpv6,
  kCurlConfig,
  kNetrc,
  kNetrcFile,
  kNetrcOptional,
  kRemoteNameAll,
  kNoBuffer,
  kUser,
  kResolve,
  kConnectTo,
  kInterface,
  kLocalPort,
  kUnixSocket,
  kAbstractUnixSocket,
  kFault,
  kConnectTimeout,
  kMaxTime,
  kLocation,
  kMaxRedirs,
  kUnsafeRedirect,
  kLocationTrusted,
  kPost301,
  kPost302,
  kPost303,
  kProxy,
  kPreproxy,
  kSocks4,
  kSocks4a,
  kSocks5,
  kSocks5Hostname,
  kProxyUser,
  kNoProxy,
  kProxyTunnel,
  kProxyHttp2,
  kProxyCacert,
  kProxyCapath,
  kProxyInsecure,
  kCacert,
  kCapath,
  kInsecure,
  kCert,
  kKey,
  kTlsv12,
  kTlsv13,
  kTlsMax,
  kTlsEarlydata,
  kCiphers,
  kPinnedPubkey,
  kCurves,
  kWriteOut,
  kConfig,
  kPluginDir,
  kPipeline,
  kHttp11,
  kHttp2,
  kHttp2PriorKnowledge,
  kHttp3,
  kHttp3Only,
  kParallel,
  kParallelMax,
  kFail,
  kSilent,
  kShowError,
  kProgressBar,
  kUrl,
  kHelp,
  kVersion,
};

struct OptSpec {
  char short_name;  // 0 if none
  absl::string_view long_name;
  bool takes_arg;
  Opt id;
};

// One table for both spellings keeps the short and long forms from
// drifting apart; --help text lives in cli_main.cc.
constexpr OptSpec kOptions[] = {
    {'o', "output", true, Opt::kOutput},
    {'O', "remote-name", false, Opt::kRemoteName},
    {'v', "verbose", false, Opt::kVerbose},
    {'i', "include", false, Opt::kInclude},
    {'I', "head", false, Opt::kHead},
    {'X', "request", true, Opt::kRequest},
    {'H', "header", true, Opt::kHeader},
    {'d', "data", true, Opt::kData},
    {0, "data-ascii", true, Opt::kData},
    {0, "data-binary", true, Opt::kDataBinary},
    {0, "data-raw", true, Opt::kDataRaw},
    {0, "data-urlencode", true, Opt::kDataUrlencode},
    {0, "json", true, Opt::kJson},
    {'G', "get", false, Opt::kGet},
    {'A', "user-agent", true, Opt::kUserAgent},
    {'e', "referer", true, Opt::kReferer},
    {0, "output-dir", true, Opt::kOutputDir},
    {'D', "dump-header", true, Opt::kDumpHeader},
    {'r', "range", true, Opt::kRange},
    {'C', "continue-at", true, Opt::kContinueAt},
    {0, "create-dirs", false, Opt::kCreateDirs},
    {0, "fail-with-body", false, Opt::kFailWithBody},
    {0, "no-progress-meter", false, Opt::kNoProgressMeter},
    {0, "compressed", false, Opt::kCompressed},
    {0, "retry", true, Opt::kRetry},
    {0, "retry-delay", true, Opt::kRetryDelay},
    {0, "retry-max-time", true, Opt::kRetryMaxTime},
    {0, "retry-all-errors", false, Opt::kRetryAllErrors},
    {0, "retry-connrefused", false, Opt::kRetryConnrefused},
    {'b', "cookie", true, Opt::kCookie},
    {'c', "cookie-jar", true, Opt::kCookieJar},
    {0, "alt-svc", true, Opt::kAltSvc},
    {'j', "junk-session-cookies", false, Opt::kJunkSessionCookies},
    {'z', "time-cond", true, Opt::kTimeCond},
    {0, "etag-save", true, Opt::kEtagSave},
    {0, "trace", true, Opt::kTrace},
    {0, "trace-ascii", true, Opt::kTraceAscii},
    {0, "trace-time", false, Opt::kTraceTime},
    {0, "etag-compare", true, Opt::kEtagCompare},
    {'T', "upload-file", true, Opt::kUploadFile},
    {'F', "form", true, Opt::kForm},
    {0, "form-string", true, Opt::kFormString},
    {'J', "remote-header-name", false, Opt::kRemoteHeaderName},
    {'g', "globoff", false, Opt::kGlobOff},
    {'4', "ipv4", false, Opt::kIpv4},
    {'6', "ipv6", false, Opt::kIpv6},
    // curl's -K; its long form --config stays strata's JSON configuration.
    {'K', "curl-config", true, Opt::kCurlConfig},
    {'n', "netrc", false, Opt::kNetrc},
    {0, "netrc-file", true, Opt::kNetrcFile},
    {0, "netrc-optional", false, Opt::kNetrcOptional},
    {0, "remote-name-all", false, Opt::kRemoteNameAll},
    {'N', "no-buffer", false, Opt::kNoBuffer},
    {'u', "user", true, Opt::kUser},
    {0, "resolve", true, Opt::kResolve},
    {0, "connect-to", true, Opt::kConnectTo},
    {0, "interface", true, Opt::kInterface},
    {0, "local-port", true, Opt::kLocalPort},
    {0, "unix-socket", true, Opt::kUnixSocket},
    {0, "abstract-unix-socket", true, Opt::kAbstractUnixSocket},
    {0, "fault", true, Opt::kFault},
    {0, "connect-timeout", true, Opt::kConnectTimeout},
    {'m', "max-time", true, Opt::kMaxTime},
    {'L', "location", false, Opt::kLocation},
    {0, "max-redirs", true, Opt::kMaxRedirs},
    {0, "unsafe-redirect", false, Opt::kUnsafeRedirect},
    {0, "location-trusted", false, Opt::kLocationTrusted},
    {0, "post301", false, Opt::kPost301},
    {0, "post302", false, Opt::kPost302},
    {0, "post303", false, Opt::kPost303},
    {'x', "proxy", true, Opt::kProxy},
    {0, "preproxy", true, Opt::kPreproxy},
    {0, "socks4", true, Opt::kSocks4},
    {0, "socks4a", true, Opt::kSocks4a},
    {0, "socks5", true, Opt::kSocks5},
    {0, "socks5-hostname", true, Opt::kSocks5Hostname},
    {'U', "proxy-user", true, Opt::kProxyUser},
    {0, "noproxy", true, Opt::kNoProxy},
    {'p', "proxytunnel", false, Opt::kProxyTunnel},
    {0, "proxy-http2", false, Opt::kProxyHttp2},
    {0, "proxy-cacert", true, Opt::kProxyCacert},
    {0, "proxy-capath", true, Opt::kProxyCapath},
    {0, "proxy-insecure", false, Opt::kProxyInsecure},
    {0, "cacert", true, Opt::kCacert},
    {0, "capath", true, Opt::kCapath},
    {'k', "insecure", false, Opt::kInsecure},
    {'E', "cert", true, Opt::kCert},
    {0, "key", true, Opt::kKey},
    {0, "tlsv1.2", false, Opt::kTlsv12},
    {0, "tlsv1.3", false, Opt::kTlsv13},
    {0, "tls-max", true, Opt::kTlsMax},
    {0, "tls-earlydata", false, Opt::kTlsEarlydata},
    {0, "ciphers", true, Opt::kCiphers},
    {0, "pinnedpubkey", true, Opt::kPinnedPubkey},
    {0, "curves", true, Opt::kCurves},
    {'w', "write-out", true, Opt::kWriteOut},
    {0, "config", true, Opt::kConfig},
    {0, "plugin-dir", true, Opt::kPluginDir},
    {0, "pipeline", true, Opt::kPipeline},
    {0, "http1.1", false, Opt::kHttp11},
    {0, "http2", false, Opt::kHttp2},
    {0, "http2-prior-knowledge", false, Opt::kHttp2PriorKnowledge},
    {0, "http3", false, Opt::kHttp3},
    {0, "http3-only", false, Opt::kHttp3Only},
    {'Z', "parallel", false, Opt::kParallel},
    {0, "parallel-max", true, Opt::kParallelMax},
    {'f', "fail", false, Opt::kFail},
    {'s', "silent", false, Opt::kSilent},
    {'S', "show-error", false, Opt::kShowError},
    {'#', "progress-bar", false, Opt::kProgressBar},
    {0, "url", true, Opt::kUrl},
    {'h', "help", false, Opt::kHelp},
    {'V', "version", false, Opt::kVersion},
};

// Warn keeps a warning to print, as curl prints one while parsing: muted
// by a -s that came before it, not by one after.
void Warn(CliOptions& options, std::string text) {
  if (!options.silent) options.warnings.push_back(std::move(text));
}

const OptSpec* FindShort(char c) {
  for (const OptSpec& spec : kOptions) {
    if (spec.short_name == c) return &spec;
  }
  return nullptr;
}

const OptSpec* FindLong(absl::string_view name) {
  for (const OptSpec& spec : kOptions) {
    if (spec.long_name == name) return &spec;
  }
  return nullptr;
}

// OptionTakesArgument answers for "--name" or "-x" (a config file line).
std::optional<bool> OptionTakesArgument(absl::string_view dashed) {
  const OptSpec* spec = nullptr;
  if (absl::StartsWith(dashed, "--")) {
    spec = FindLong(dashed.substr(2));
  } else if (dashed.size() == 2 && dashed[0] == '-') {
    spec = FindShort(dashed[1]);
  }
  if (spec == nullptr) return std::nullopt;
  return spec->takes_arg;
}

std::string Spelling(const OptSpec& spec) {
  if (spec.short_name != 0) {
    return absl::StrCat("-", std::string(1, spec.short_name), ", --",
                        spec.long_name);
  }
  return absl::StrCat("--", spec.long_name);
}

absl::Status UsageError(const OptSpec& spec, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("option ", Spelling(spec), ": ", what));
}

// MethodClash is curl's refusal of an option asking for another request
// method than an earlier one did (-F after -I, or -I after -F).
absl::Status MethodClash(const OptSpec& spec, absl::string_view asked, absl::string_view earlier) {
  return absl::InvalidArgumentError(absl::StrCat("You can only select one HTTP request method! You asked for both ",
                                                 asked, " and ", earlier, ".\nstrata: option ", Spelling(spec),
                                                 ": is badly used here"));
}

}  // namespace

absl::StatusOr<std::pair<int64_t, int64_t>> ParseLocalPortRange(absl::string_view text) {
  // curl 7.88: digits, then optionally " - " and the last port; the range
  // must not end before it starts. 0 is accepted and binds no port.
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "is badly used here ('", text, "' is not a port or a range N-M within 0-65535)"));
  };
  size_t digits = 0;
  while (digits < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  int64_t first = 0;
  if (digits == 0 || digits > 5 || !absl::SimpleAtoi(text.substr(0, digits), &first) || first > 65535) {
    return bad();
  }
  absl::string_view rest = absl::StripAsciiWhitespace(text.substr(digits));
  if (rest.empty()) return std::make_pair(first, int64_t{1});
  if (rest.front() != '-') return bad();
  rest = absl::StripAsciiWhitespace(rest.substr(1));
  int64_t last = 0;
  if (rest.empty() || rest.size() > 5 ||
      rest.find_first_not_of("0123456789") != absl::string_view::npos || !absl::SimpleAtoi(rest, &last) ||
      last > 65535 || last < first) {
    return bad();
  }
  return std::make_pair(first, last - first + 1);
}

absl::StatusOr<HeaderArg> ParseHeader(const std::string& text) {
  size_t sep = text.find_first_of(":;");
  if (sep == std::string::npos || sep == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("header '", text, "' is not of the form 'Name: value'"));
  }
  HeaderArg header;
  header.name = text.substr(0, sep);
  absl::string_view rest = absl::string_view(text).substr(sep + 1);
  if (text[sep] == ';') {
    // "Name;" is curl's way to send an empty value; anything after the
    // semicolon means it was not that form.
    if (!absl::StripAsciiWhitespace(rest).empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "header '", text, "' is not of the form 'Name: value'"));
    }
    return header;
  }
  absl::string_view value = absl::StripAsciiWhitespace(rest);
  header.value = std::string(value);
  header.remove = value.empty();
  return header;
}

namespace {

// SplitList splits curl's colon-separated --ciphers/--curves lists (commas
// and spaces separate too, as OpenSSL allows).
std::vector<std::string> SplitList(absl::string_view text) {
  std::vector<std::string> out;
  for (absl::string_view item :
       absl::StrSplit(text, absl::ByAnyChar(": ,"), absl::SkipEmpty())) {
    out.emplace_back(item);
  }
  return out;
}

// TlsVersionRank orders "1.2" < "1.3"; the values come from the parser.
int TlsVersionRank(const std::string& version) {
  return version == "1.3" ? 3 : 2;
}

absl::Status Apply(const OptSpec& spec, const std::string& arg,
                   CliOptions& options) {
  switch (spec.id) {
    case Opt::kOutput:
      if (arg.empty()) return UsageError(spec, "expects a file name");
      options.outputs.push_back({OutputTarget::Kind::kFile, arg});
      break;
    case Opt::kRemoteName:
      options.outputs.push_back({OutputTarget::Kind::kRemoteName, ""});
      break;
    case Opt::kVerbose:
      // -v, --trace and --trace-ascii are one setting in curl: the last
      // wins, with a warning when it replaces another kind.
      if (options.trace_file) Warn(options, "-v, --verbose overrides an earlier trace/verbose option\n");
      options.trace_file.reset();
      options.verbose = true;
      break;
    case Opt::kTrace:
    case Opt::kTraceAscii: {
      const bool ascii = spec.id == Opt::kTraceAscii;
      if (options.verbose || (options.trace_file && options.trace_ascii != ascii)) {
        Warn(options, absl::StrCat("--", spec.long_name, " overrides an earlier trace/verbose option\n"));
      }
      options.verbose = false;
      options.trace_file = arg;
      options.trace_ascii = ascii;
      break;
    }
    case Opt::kTraceTime:
      options.trace_time = true;
      break;
    case Opt::kInclude:
      options.include_headers = true;
      break;
    case Opt::kHead:
      if (!options.form.empty()) return MethodClash(spec, "HEAD (-I, --head)", "multipart formpost (-F, --form)");
      options.head = true;
      break;
    case Opt::kRequest:
      if (arg.empty()) return UsageError(spec, "expects a method name");
      options.method = arg;
      break;
    case Opt::kHeader: {
      if (!arg.empty() && arg[0] == '@') {
        // curl: one header per line of the file ("@-": standard input).
        HeaderArg from_file;
        from_file.file = arg.substr(1);
        options.headers.push_back(std::move(from_file));
        break;
      }
      absl::StatusOr<HeaderArg> header = ParseHeader(arg);
      if (!header.ok()) return UsageError(spec, header.status().message());
      options.headers.push_back(*std::move(header));
      break;
    }
    case Opt::kData:
      options.data.push_back({DataArg::Kind::kAscii, arg});
      break;
    case Opt::kDataBinary:
      options.data.push_back({DataArg::Kind::kBinary, arg});
      break;
    case Opt::kDataRaw:
      options.data.push_back({DataArg::Kind::kRaw, arg});
      break;
    case Opt::kDataUrlencode:
      options.data.push_back({DataArg::Kind::kUrlencode, arg});
      break;
    case Opt::kJson:
      options.data.push_back({DataArg::Kind::kJson, arg});
      options.json = true;
      break;
    case Opt::kGet:
      options.get = true;
      break;
    case Opt::kUserAgent:
      options.user_agent = arg;
      break;
    case Opt::kReferer:
      // curl's ";auto" sets the Referer of each followed redirect to the
      // URL it came from: not implemented, so refused rather than ignored.
      if (absl::EndsWith(arg, ";auto")) {
        return UsageError(spec, "';auto' (a Referer on followed redirects) is not supported");
      }
      options.referer = arg;
      break;
    case Opt::kOutputDir:
      if (arg.empty()) return UsageError(spec, "expects a directory");
      options.output_dir = arg;
      break;
    case Opt::kRange: {
      // curl 7.88's reading: a bare number N means "N-" (with a warning);
      // other characters than digits, '-' and ',' are sent as given, with
      // a warning.
      std::string range = arg;
      if (!range.empty() && absl::ascii_isdigit(static_cast<unsigned char>(range[0])) &&
          range.find('-') == std::string::npos) {
        int64_t start = 0;
        if (!absl::SimpleAtoi(range, &start)) return UsageError(spec, absl::StrCat("'", arg, "' is not a range"));
        Warn(options, "A specified range MUST include at least one dash (-). Appending one for you!");
        range = absl::StrCat(start, "-");
      } else {
        for (char c : range) {
          if (!absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '-' && c != ',') {
            Warn(options, 
                "Invalid character is found in given range. A specified range MUST have only digits in "
                "'start'-'stop'. The server's response to this request is uncertain.");
            break;
          }
        }
      }
      options.range = range;
      break;
    }
    case Opt::kContinueAt: {
      if (arg == "-") {
        options.resume_auto = true;
        options.resume_from.reset();
        break;
      }
      int64_t offset = 0;
      if (!absl::SimpleAtoi(arg, &offset) || offset < 0) {
        return UsageError(spec, absl::StrCat("'", arg, "' is not an offset (a number of bytes, or - for the "
                                             "output file's size)"));
      }
      options.resume_auto = false;
      options.resume_from = offset;
      break;
    }
    case Opt::kDumpHeader:
      if (arg.empty()) return UsageError(spec, "expects a file name");
      options.dump_header = arg;
      break;
    case Opt::kCreateDirs:
      options.create_dirs = true;
      break;
    case Opt::kFailWithBody:
      options.fail_with_body = true;
      break;
    case Opt::kNoProgressMeter:
      options.no_progress_meter = true;
      break;
    case Opt::kCompressed:
      options.compressed = true;
      break;
    case Opt::kRetry:
    case Opt::kRetryDelay:
    case Opt::kRetryMaxTime: {
      // Whole numbers, as curl takes them (seconds for the two times).
      int64_t n = 0;
      if (!absl::SimpleAtoi(arg, &n) || n < 0 || n > 1000000000) {
        return UsageError(spec, "expected a proper numerical parameter");
      }
      if (spec.id == Opt::kRetry) options.retry = n;
      if (spec.id == Opt::kRetryDelay) options.retry_delay_ms = n * 1000;
      if (spec.id == Opt::kRetryMaxTime) options.retry_max_time_ms = n * 1000;
      break;
    }
    case Opt::kRetryAllErrors:
      options.retry_all_errors = true;
      break;
    case Opt::kRetryConnrefused:
      options.retry_connrefused = true;
      break;
    case Opt::kCookie:
      // curl's rule: with a '=' it is cookie data to send, else a file to
      // read cookies from ("" turns the cookie engine on, reading nothing).
      if (arg.find('=') != std::string::npos) {
        options.cookie_data.push_back(arg);
      } else {
        options.cookie_files.push_back(arg);
      }
      break;
    case Opt::kCookieJar:
      options.cookie_jar = arg;
      break;
    case Opt::kAltSvc:
      options.alt_svc_files.push_back(arg);
      break;
    case Opt::kJunkSessionCookies:
      options.junk_session_cookies = true;
      break;
    case Opt::kTimeCond: {
      // curl's -z: a date, or a file whose modification time is taken; a
      // leading '-' asks for "unmodified since" instead.
      absl::string_view when = arg;
      bool unmodified = absl::ConsumePrefix(&when, "-");
      std::optional<int64_t> seconds;
      struct stat st;
      if (stat(std::string(when).c_str(), &st) == 0) {
        seconds = static_cast<int64_t>(st.st_mtime);
      } else {
        seconds = ParseCookieDate(when);
      }
      options.if_modified_since.reset();
      options.if_unmodified_since.reset();
      if (!seconds) {
        Warn(options, 
            "Illegal date format for -z, --time-cond (and not a file name). Disabling time condition. See "
            "curl_getdate(3) for valid date syntax.\n");
      } else {
        (unmodified ? options.if_unmodified_since : options.if_modified_since) = *seconds;
      }
      break;
    }
    case Opt::kEtagSave:
      options.etag_save = arg;
      break;
    case Opt::kEtagCompare:
      options.etag_compare = arg;
      break;
    case Opt::kUploadFile:
      options.upload_file = arg;
      break;
    case Opt::kForm:
    case Opt::kFormString: {
      absl::StatusOr<ParsedForm> parsed = ParseFormArgument(arg, spec.id == Opt::kFormString);
      if (!parsed.ok()) {
        // curl: its warning, then "option -F: is badly used here" (exit 2).
        return absl::InvalidArgumentError(
            absl::StrCat(parsed.status().message(), "\nstrata: option ", Spelling(spec), ": is badly used here"));
      }
      for (std::string& warning : parsed->warnings) Warn(options, std::move(warning));
      if (options.head) return MethodClash(spec, "multipart formpost (-F, --form)", "HEAD (-I, --head)");
      options.form.push_back(std::move(parsed->field));
      break;
    }
    case Opt::kRemoteHeaderName:
      options.remote_header_name = true;
      break;
    case Opt::kGlobOff:
      options.globoff = true;
      break;
    case Opt::kCurlConfig:
      break;  // expanded by ParseCommandLine, where the words are
    case Opt::kNetrc:
    case Opt::kNetrcOptional:
      // curl 7.88 carries on without credentials when the file is missing
      // either way.
      options.netrc = true;
      break;
    case Opt::kRemoteNameAll:
      options.remote_name_all = true;
      break;
    case Opt::kNoBuffer:
      options.no_buffer = true;
      break;
    case Opt::kNetrcFile:
      options.netrc = true;
      options.netrc_file = arg;
      break;
    case Opt::kIpv4:
    case Opt::kIpv6:
      // The last one given wins, as in curl.
      options.ip_family = spec.id == Opt::kIpv4 ? "ipv4" : "ipv6";
      break;
    case Opt::kUser:
      options.user = arg;
      break;
    case Opt::kResolve: {
      // host:port:addr — the address may itself contain colons (IPv6), so
      // only the first two separators are checked here.
      size_t first = arg.find(':');
      size_t second =
          first == std::string::npos ? first : arg.find(':', first + 1);
      uint32_t port = 0;
      if (first == 0 || second == std::string::npos ||
          second + 1 >= arg.size() ||
          !absl::SimpleAtoi(arg.substr(first + 1, second - first - 1),
                            &port) ||
          port == 0 || port > 65535) {
        return UsageError(spec, absl::StrCat("'", arg,
                                             "' is not of the form "
                                             "host:port:address"));
      }
      options.resolve.push_back(arg);
      break;
    }
    case Opt::kConnectTo:
      // Checked when the request is built, where curl's exit code 49 and
      // message can be given (request_options.cc).
      options.connect_to.push_back(arg);
      break;
    case Opt::kInterface:
      options.interface = arg;
      break;
    case Opt::kLocalPort: {
      absl::StatusOr<std::pair<int64_t, int64_t>> ports = ParseLocalPortRange(arg);
      if (!ports.ok()) return UsageError(spec, ports.status().message());
      options.local_port = ports->first;
      options.local_port_range = ports->second;
      break;
    }
    case Opt::kUnixSocket:
    case Opt::kAbstractUnixSocket:
      // One socket: the last option given wins, as in curl.
      options.unix_socket = arg;
      options.abstract_unix_socket = spec.id == Opt::kAbstractUnixSocket;
      break;
    case Opt::kFault: {
      // Repeated --fault options add up; a later key wins.
      absl::Status merged = MergeFaultArgument(arg, &options.fault);
      if (!merged.ok()) return UsageError(spec, merged.message());
      break;
    }
    case Opt::kConnectTimeout:
    case Opt::kMaxTime: {
      absl::StatusOr<int64_t> ms = ParseSecondsToMs(arg);
      if (!ms.ok()) return UsageError(spec, ms.status().message());
      (spec.id == Opt::kMaxTime ? options.max_time_ms
                                : options.connect_timeout_ms) = *ms;
      break;
    }
    case Opt::kLocation:
      options.follow_redirects = true;
      break;
    case Opt::kMaxRedirs: {
      int64_t n = 0;
      if (!absl::SimpleAtoi(arg, &n) || n < -1) {
        return UsageError(spec, absl::StrCat("'", arg,
                                             "' is not a number of redirects "
                                             "(-1 for no limit)"));
      }
      options.max_redirects = n;
      break;
    }
    case Opt::kUnsafeRedirect:
      options.unsafe_redirect = true;
      break;
    case Opt::kLocationTrusted:
      // curl: "like -L, and ..." — it turns following on by itself.
      options.location_trusted = true;
      options.follow_redirects = true;
      break;
    case Opt::kPost301:
      options.post301 = true;
      break;
    case Opt::kPost302:
      options.post302 = true;
      break;
    case Opt::kPost303:
      options.post303 = true;
      break;
    case Opt::kProxy:
      // Checked by the runtime, which owns the proxy URL syntax (no scheme
      // means http); "" turns proxies off, the environment's included.
      options.proxy = arg;
      break;
    case Opt::kPreproxy:
      // curl 7.88's --preproxy is one SOCKS proxy, SOCKS4 when the URL has
      // no scheme; strata takes any proxy URL, repeatable, nearest this
      // client first (the runtime checks them).
      if (arg.empty()) return UsageError(spec, "expects a proxy URL");
      options.preproxy.push_back(absl::StrContains(arg, "://") ? arg : absl::StrCat("socks4://", arg));
      break;
    case Opt::kSocks4:
    case Opt::kSocks4a:
    case Opt::kSocks5:
    case Opt::kSocks5Hostname: {
      // curl: HOST[:PORT] of a SOCKS proxy, replacing any -x; the flag
      // names the protocol (a URL given with a scheme keeps its own).
      const char* scheme = spec.id == Opt::kSocks4    ? "socks4://"
                           : spec.id == Opt::kSocks4a ? "socks4a://"
                           : spec.id == Opt::kSocks5  ? "socks5://"
                                                      : "socks5h://";
      options.proxy = absl::StrContains(arg, "://") ? arg : absl::StrCat(scheme, arg);
      break;
    }
    case Opt::kProxyUser:
      if (arg.empty()) return UsageError(spec, "expects user:password");
      options.proxy_user = arg;
      break;
    case Opt::kNoProxy:
      options.noproxy = arg;  // "" is a valid, empty list
      break;
    case Opt::kProxyTunnel:
      options.proxytunnel = true;
      break;
    case Opt::kProxyHttp2:
      options.proxy_http2 = true;
      break;
    case Opt::kProxyCacert:
    case Opt::kCacert:
    case Opt::kKey:
      if (arg.empty()) return UsageError(spec, "expects a file name");
      (spec.id == Opt::kCacert       ? options.cacert
       : spec.id == Opt::kProxyCacert ? options.proxy_cacert
                                      : options.key) = arg;
      break;
    case Opt::kProxyCapath:
    case Opt::kCapath:
      if (arg.empty()) return UsageError(spec, "expects a directory");
      (spec.id == Opt::kCapath ? options.capath : options.proxy_capath) = arg;
      break;
    case Opt::kProxyInsecure:
      options.proxy_insecure = true;
      break;
    case Opt::kInsecure:
      options.insecure = true;
      break;
    case Opt::kCert: {
      bool had_password = false;
      std::string file = SplitCertArgument(arg, &had_password);
      if (file.empty()) return UsageError(spec, "expects a file name");
      options.cert = file;
      options.cert_password_ignored = had_password;
      break;
    }
    case Opt::kTlsv12:
      options.tls_min = "1.2";
      break;
    case Opt::kTlsv13:
      options.tls_min = "1.3";
      break;
    case Opt::kTlsEarlydata:
      options.tls_earlydata = true;
      break;
    case Opt::kTlsMax:
      if (arg == "1.2" || arg == "1.3") {
        options.tls_max = arg;
      } else if (arg == "default") {
        options.tls_max.reset();  // curl's spelling for "the highest known"
      } else {
        return UsageError(spec, absl::StrCat("'", arg,
                                             "' is not a TLS version this "
                                             "build supports (1.2 or 1.3)"));
      }
      break;
    case Opt::kCiphers:
    case Opt::kCurves: {
      std::vector<std::string> list = SplitList(arg);
      if (list.empty()) {
        return UsageError(spec, "expects a colon-separated list of names");
      }
      (spec.id == Opt::kCiphers ? options.ciphers : options.curves) =
          std::move(list);
      break;
    }
    case Opt::kPinnedPubkey:
      // Checked at each handshake (plugins/policy_pin), as curl does: a
      // malformed pin or unreadable file fails the transfer with 90.
      options.pinnedpubkey = arg;
      break;
    case Opt::kWriteOut:
      options.write_out = arg;
      break;
    case Opt::kConfig:
      if (arg.empty()) return UsageError(spec, "expects a file name");
      options.config_file = arg;
      break;
    case Opt::kPluginDir:
      if (arg.empty()) return UsageError(spec, "expects a directory");
      options.plugin_dirs.push_back(arg);
      break;
    case Opt::kPipeline:
      if (arg.empty()) return UsageError(spec, "expects a pipeline name");
      options.pipeline = arg;
      break;
    case Opt::kHttp11:
      options.http_version = HttpVersion::kHttp11;
      break;
    case Opt::kHttp2:
      options.http_version = HttpVersion::kHttp2;
      break;
    case Opt::kHttp2PriorKnowledge:
      options.http_version = HttpVersion::kHttp2PriorKnowledge;
      break;
    case Opt::kHttp3:
      options.http_version = HttpVersion::kHttp3;
      break;
    case Opt::kHttp3Only:
      options.http_version = HttpVersion::kHttp3Only;
      break;
    case Opt::kParallel:
      options.parallel = true;
      break;
    case Opt::kParallelMax: {
      int64_t n = 0;
      if (!absl::SimpleAtoi(arg, &n) || n < 0) {
        return UsageError(spec, absl::StrCat("'", arg,
                                             "' is not a number of "
                                             "transfers"));
      }
      // curl's rules: 0 means the default, and a number above the ceiling
      // is capped rather than refused.
      options.parallel_max = n == 0                  ? kParallelMaxDefault
                             : n > kParallelMaxLimit ? kParallelMaxLimit
                                                     : static_cast<int>(n);
      break;
    }
    case Opt::kFail:
      options.fail = true;
      break;
    case Opt::kSilent:
      options.silent = true;
      break;
    case Opt::kShowError:
      options.show_error = true;
      break;
    case Opt::kProgressBar:
      options.progress_bar = true;
      break;
    case Opt::kUrl:
      if (arg.empty()) return UsageError(spec, "expects a URL");
      options.urls.push_back(arg);
      break;
    case Opt::kHelp:
      options.show_help = true;
      break;
    case Opt::kVersion:
      options.show_version = true;
      break;
  }
  return absl::OkStatus();
}

// At most this many -K files per command line (nested ones included).
constexpr int kMaxCurlConfigs = 16;

bool ReadWholeFile(const std::string& path, std::string* out) {
  std::ifstream in;
  std::istream* stream = &std::cin;
  if (path != "-") {
    in.open(path, std::ios::binary);
    if (!in) return false;
    stream = &in;
  }
  std::ostringstream text;
  text << stream->rdbuf();
  *out = text.str();
  return !stream->bad();
}

absl::Status CheckConsistency(const CliOptions& options) {
  if (options.show_help || options.show_version) return absl::OkStatus();
  if (options.urls.empty()) {
    return absl::InvalidArgumentError("no URL specified");
  }
  if (options.fail && options.fail_with_body) {
    // curl 7.88's words and exit code (2).
    return absl::InvalidArgumentError("You must select either --fail or --fail-with-body, not both.");
  }
  if (options.remote_header_name && (options.include_headers || options.head)) {
    return absl::InvalidArgumentError("showing headers and --remote-header-name cannot be combined");
  }
  if (options.head && !options.data.empty() && !options.get) {
    // curl refuses this too: HEAD cannot carry the body -d asks for.
    return absl::InvalidArgumentError(
        "-I (HEAD) and -d (POST) cannot be used together");
  }
  if (options.tls_min && options.tls_max &&
      TlsVersionRank(*options.tls_min) > TlsVersionRank(*options.tls_max)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--tlsv", *options.tls_min, " asks for at least TLS ", *options.tls_min,
        " but --tls-max allows at most ", *options.tls_max));
  }
  if (options.outputs.size() > options.urls.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat(options.outputs.size(), " outputs (-o/-O) given for ",
                     options.urls.size(), " URL(s)"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string SplitCertArgument(const std::string& text, bool* had_password) {
  std::string file;
  *had_password = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() &&
        (text[i + 1] == ':' || text[i + 1] == '\\')) {
      file.push_back(text[++i]);
    } else if (c == ':') {
      *had_password = true;
      break;
    } else {
      file.push_back(c);
    }
  }
  return file;
}

absl::StatusOr<int64_t> ParseSecondsToMs(const std::string& text) {
  double seconds = 0;
  if (text.empty() || !absl::SimpleAtod(text, &seconds) ||
      !std::isfinite(seconds) || seconds < 0 ||
      seconds > 9.2e15 /* int64 milliseconds */) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not a number of seconds"));
  }
  // Round up so that a tiny positive timeout never becomes 0 ("none").
  return static_cast<int64_t>(std::ceil(seconds * 1000.0));
}

absl::StatusOr<CliOptions> ParseCommandLine(int argc,
                                            const char* const* argv) {
  CliOptions options;
  bool options_ended = false;
  // The words to parse: argv, with each -K FILE's words spliced in where
  // it stands (so later options still win, as in curl).
  std::vector<std::string> args(argv + 1, argv + argc);
  int configs_read = 0;
  auto expand_config = [&](size_t at, const std::string& file) -> absl::Status {
    if (++configs_read > kMaxCurlConfigs) {
      return absl::InvalidArgumentError(absl::StrCat("option -K: more than ", kMaxCurlConfigs,
                                                     " config files (one includes itself?)"));
    }
    std::string text;
    if (!ReadWholeFile(file, &text)) {
      // curl's words; RunCli maps NotFound to curl's exit code 26.
      // The first line is an error message (-s mutes it unless -S).
      const bool show = !options.silent || options.show_error;
      return absl::NotFoundError(absl::StrCat(show ? absl::StrCat("cannot read config from '", file, "'\nstrata: ") : "",
                                              "option -K: error encountered when reading a file"));
    }
    CurlConfigWords w = ParseCurlConfig(text, file == "-" ? "<stdin>" : file, [](absl::string_view dashed) {
      return OptionTakesArgument(dashed);
    });
    for (const std::string& warning : w.warnings) Warn(options, warning);
    args.insert(args.begin() + static_cast<std::ptrdiff_t>(at) + 1, w.words.begin(), w.words.end());
    return absl::OkStatus();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string word = args[i];
    if (options_ended || word.size() < 2 || word[0] != '-') {
      options.urls.push_back(word);
      continue;
    }
    if (word == "--") {
      options_ended = true;
      continue;
    }
    if (word[1] == '-') {
      std::string name = word.substr(2);
      std::optional<std::string> inline_value;
      if (size_t eq = name.find('='); eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
      }
      const OptSpec* spec = FindLong(name);
      if (spec == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("option --", name, ": is unknown"));
      }
      std::string arg;
      if (spec->takes_arg) {
        if (inline_value) {
          arg = *inline_value;
        } else if (i + 1 < args.size()) {
          arg = args[++i];
        } else {
          return UsageError(*spec, "requires an argument");
        }
      } else if (inline_value) {
        return UsageError(*spec, "takes no argument");
      }
      if (spec->id == Opt::kCurlConfig) {
        if (absl::Status s = expand_config(i, arg); !s.ok()) return s;
        continue;
      }
      if (absl::Status s = Apply(*spec, arg, options); !s.ok()) return s;
      continue;
    }
    // A bundle of short options; the first one that takes an argument
    // consumes the rest of the word, or the next word.
    for (size_t k = 1; k < word.size(); ++k) {
      const OptSpec* spec = FindShort(word[k]);
      if (spec == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("option -", std::string(1, word[k]), ": is unknown"));
      }
      std::string arg;
      if (spec->takes_arg) {
        if (k + 1 < word.size()) {
          arg = word.substr(k + 1);
        } else if (i + 1 < args.size()) {
          arg = args[++i];
        } else {
          return UsageError(*spec, "requires an argument");
        }
        k = word.size();
      }
      if (spec->id == Opt::kCurlConfig) {
        if (absl::Status s = expand_config(i, arg); !s.ok()) return s;
        continue;
      }
      if (absl::Status s = Apply(*spec, arg, options); !s.ok()) return s;
    }
  }
  if (absl::Status s = CheckConsistency(options); !s.ok()) return s;
  if (!options.form.empty() && (!options.data.empty() || options.upload_file)) {
    // curl's words (checked once the command line is read, whatever the
    // order): the warning, and exit 2.
    options.method_conflict =
        absl::StrCat("You can only select one HTTP request method! You asked for both ",
                     options.upload_file ? "PUT (-T, --upload-file)" : "POST (-d, --data)",
                     " and multipart formpost (-F, --form).\n");
  }
  return options;
}

std::vector<OptionSpelling> ListOptions() {
  std::vector<OptionSpelling> out;
  for (const OptSpec& spec : kOptions) {
    out.push_back({spec.short_name, std::string(spec.long_name), spec.takes_arg});
  }
  return out;
}

}  // namespace strata::cli
