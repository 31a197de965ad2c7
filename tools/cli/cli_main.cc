#include "tools/cli/cli_main.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "strata/strata.h"
#include "tools/cli/cli_hints.h"
#include "tools/cli/content_disposition.h"
#include "tools/cli/trace_dump.h"
#include "tools/cli/exit_codes.h"
#include "tools/cli/help.h"
#include "tools/cli/multipart.h"
#include "tools/cli/options.h"
#include "tools/cli/output_sink.h"
#include "tools/cli/progress_meter.h"
#include "tools/cli/request_body.h"
#include "tools/cli/request_options.h"
#include "tools/cli/response_head.h"
#include "tools/cli/runtime_config.h"
#include "runtime/url/url.h"
#include "tools/cli/netrc.h"
#include "tools/cli/url_glob.h"
#include "tools/cli/verbose.h"
#include "tools/cli/warning.h"
#include "tools/cli/write_out.h"

namespace strata::cli {
namespace {

// CreateParentDirectories makes every missing directory above |path|
// (--create-dirs), with curl's message when one cannot be made.
absl::Status CreateParentDirectories(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    const std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
      return absl::PermissionDeniedError(absl::StrCat("Failed to create the path directories to file ", path,
                                                      ": ", std::strerror(errno)));
    }
  }
  return absl::OkStatus();
}

int64_t NowUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

void WriteStderr(absl::string_view text) {
  while (!text.empty()) {
    ssize_t n = write(STDERR_FILENO, text.data(), text.size());
    if (n <= 0) return;  // nowhere left to report a failing stderr
    text.remove_prefix(static_cast<size_t>(n));
  }
}

int TerminalWidth() {
  winsize ws;
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
    return ws.ws_col;
  }
  if (const char* columns = std::getenv("COLUMNS")) {
    int n = std::atoi(columns);
    if (n > 0) return n;
  }
  return 79;
}

// Transfer is the state of one URL while it runs; the body writer and the
// event callback both reach it, the latter through Cli::current_ (or, with
// -Z, through Cli::Attribute).
class Cli;

// ContentLengthOf reads Content-Length from a head as the runtime's events
// render it ("Name: value" lines); -1 when there is none.
int64_t ContentLengthOf(absl::string_view head) {
  for (absl::string_view line : absl::StrSplit(head, '\n')) {
    if (absl::StartsWithIgnoreCase(line, "content-length:")) {
      int64_t length = -1;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(15)), &length) && length >= 0) return length;
    }
  }
  return -1;
}

struct Transfer {
  OutputSink* sink = nullptr;
  // -Z with the body going to stdout: bytes wait here until the transfer
  // completes, so concurrent bodies never interleave (curl does the same).
  std::string* memory = nullptr;
  bool include_headers = false;
  bool fail_on_error = false;
  HeadTracker heads;
  // -D: where the heads go as well (a file, or stdout for "-"); a failure
  // to write them does not fail the transfer.
  OutputSink* dump = nullptr;
  // -i without any head text from the runtime: the body waits here until
  // the response's headers can be printed in front of it.
  std::string held_body;
  bool hold_body = false;
  std::unique_ptr<ProgressMeter> meter;
  int64_t downloaded = 0;
  int64_t download_total = -1;  // the last head's Content-Length (-Z meter)
  int connects = 0;
  int max_hop = 0;  // redirects followed = hops started - 1
  bool hop_request_sent = false;
  bool hop_response_started = false;
  bool writer_failed = false;
  std::string write_error;
  // Body bytes to a terminal: curl refuses binary ones (a NUL byte), with
  // a warning (not under -s) and exit 23 but no error line. "-o -" says
  // the terminal is fine.
  bool refuse_binary = false;
  bool binary_refused = false;
  bool quiet = false;  // -s
  Cli* cli = nullptr;  // for --trace
  // -Z: the URL the runtime's events last named for this transfer, to tell
  // concurrent transfers' events apart (Cli::Attribute).
  std::string event_url;
  // -J: the -O file's name is still to come from a Content-Disposition
  // header; |file| is the -O file (its URL name, "" if the URL has none).
  bool name_from_header = false;
  OutputSink* file = nullptr;
  std::string named_path;  // -J: the file the header named (%{filename_effective})
  std::string file_url_name;

  void Dump(absl::string_view text) {
    if (dump != nullptr && !text.empty()) dump->Write(text).IgnoreError();
  }

  absl::Status Write(absl::string_view bytes) {
    if (memory != nullptr) {
      memory->append(bytes.data(), bytes.size());
      return absl::OkStatus();
    }
    return sink->Write(bytes);
  }
};

// Job is one URL from request setup to its -w line: the request, where the
// body goes, and the transfer's state.
struct Job {
  size_t index = 0;
  std::string url;
  std::string method;
  std::unique_ptr<OutputSink> file_sink;
  std::string output_path;  // -o/-O: the file (%{filename_effective})
  int64_t resume_from = 0;  // -C: the offset asked for (0: not resuming)
  std::string stdout_body;  // -Z without -o: the whole body, then stdout
  std::unique_ptr<strata_request, void (*)(strata_request*)> request{
      nullptr, strata_request_free};
  strata_transfer* transfer = nullptr;  // -Z: while submitted
  int64_t started_us = 0;
  Transfer t;
  // -T: the file read as the request body (stdin is not closed).
  std::unique_ptr<FILE, int (*)(FILE*)> upload{nullptr, fclose};
  FILE* upload_stream = nullptr;
  // -F: this transfer's pass over the multipart body.
  std::unique_ptr<MultipartReader> form;

  static strata_status ReadForm(void* user, uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) {
    MultipartReader* form = static_cast<Job*>(user)->form.get();
    absl::StatusOr<size_t> n = form->Read(reinterpret_cast<char*>(buf), cap);
    if (!n.ok()) return STRATA_E_IO;
    *out_read = *n;
    *out_eos = form->done() ? 1 : 0;
    return STRATA_OK;
  }

  static strata_status ReadUpload(void* user, uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) {
    FILE* in = static_cast<Job*>(user)->upload_stream;
    *out_read = fread(buf, 1, cap, in);
    if (ferror(in)) return STRATA_E_IO;
    *out_eos = feof(in) ? 1 : 0;
    return STRATA_OK;
  }
};

class Cli {
 public:
  explicit Cli(const CliOptions& options)
      : options_(options),
        stdout_sink_(OutputSink::ForFd(STDOUT_FILENO, isatty(STDOUT_FILENO) || options.no_buffer)),
        verbose_(EffectiveMethod(options)) {
    verbose_.KeepPostOn(options.post301, options.post302, options.post303);
  }

  ~Cli() { strata_runtime_free(runtime_); }

  int Run();

 private:
  bool ShowErrors() const { return !options_.silent || options_.show_error; }
  void ReportError(int code, absl::string_view message);
  // TraceEvent writes |event| to the --trace output: informational events
  // as "== Info:" lines, heads as the bytes they stand for.
  void TraceEvent(const strata_event& event);
  // Hints: what InCliTerms needs to name the right flags.
  HintContext Hints() const;
  // NetrcAuthorization is the Authorization value -n finds for |url|.
  std::optional<std::string> NetrcAuthorization(const std::string& url);
  // OnRetry reports an attempt that will be retried as curl 7.88 does: the
  // attempt's error (a failure), then "Problem : <class>. Will retry in N
  // seconds. M retries left.", and starts the transfer's view afresh.
  void OnRetry(Transfer* t, const strata_event& event);
  // NameFromHeader (-J) opens the -O file under the name a
  // Content-Disposition line of |head| gives, as curl 7.88 does.
  void NameFromHeader(Transfer* t, absl::string_view head);
  // BuildForm lays out -F's body and returns its Content-Type; a non-zero
  // *code is a failure, already reported.
  std::string BuildForm(int* code);
  // PrepareJob builds the request for URL |index| and where its body goes;
  // a non-zero result is a setup failure, already reported.
  int PrepareJob(size_t index, const std::string& body,
                 const std::vector<RequestHeader>& headers, Job& job);
  // FinishJob turns a transfer's outcome into output, the error message,
  // the -w line and the exit code. Takes |response| (may be NULL).
  // FinishJob takes |response| (success) and |record| (a failure's
  // figures, strata_transfer_take_record; may be null) and frees them.
  int FinishJob(Job& job, size_t body_size, strata_status status,
                strata_response* response, const strata_error& error, strata_response* record = nullptr);
  int RunOne(size_t index, const std::string& body,
             const std::vector<RequestHeader>& headers);
  // RunParallel runs every URL through the non-blocking interface, at most
  // --parallel-max at a time (-Z). Returns the exit code of the last URL
  // (in command-line order) that failed.
  int RunParallel(const std::string& body,
                  const std::vector<RequestHeader>& headers);
  // Attribute finds the running -Z transfer an event belongs to: the only
  // one running, or the one whose URL the event names, if that is unique.
  Transfer* Attribute(const strata_event& event);
  absl::StatusOr<std::string> WriteOutFormat();
  void PrintWriteOut(const std::string& format, const TransferSummary& summary);
  int CreateRuntime();

  static void OnEvent(void* user, const strata_event* event);
  static strata_status OnBody(void* user, const uint8_t* data, size_t len);

  const CliOptions& options_;
  strata_runtime* runtime_ = nullptr;
  std::unique_ptr<OutputSink> stdout_sink_;
  std::unique_ptr<OutputSink> dump_sink_;  // -D FILE
  // --trace/--trace-ascii: a file, or stdout ("-", through stdout_sink_
  // so it stays in order with bodies) or stderr ("%").
  std::unique_ptr<OutputSink> trace_sink_;
  const std::string* current_body_ = nullptr;  // the request body from memory, for --trace
  OutputSink* trace_ = nullptr;
  bool trace_to_stderr_ = false;
  bool tracing() const { return trace_ != nullptr || trace_to_stderr_; }
  void Trace(absl::string_view text);
  // TraceLabel: "[time ]" before a block when --trace-time is on.
  std::string TracePrefix() const;
  void TraceData(absl::string_view label, absl::string_view data) {
    if (tracing()) Trace(TraceBlock(options_.trace_ascii ? TraceStyle::kAscii : TraceStyle::kHex, TracePrefix(), label, data));
  }
  OutputSink* dump_ = nullptr;             // -D: dump_sink_, or stdout for "-"
  VerboseFormatter verbose_;
  Transfer* current_ = nullptr;
  std::unique_ptr<std::ofstream> etag_sink_;  // --etag-save
  std::optional<std::string> netrc_text_;     // -n: the file, once read ("" if none)
  std::vector<Job*> running_;  // -Z: submitted, not yet finished
  std::optional<MultipartBody> form_;  // -F
  // -F bodies up to kFormInMemoryMax are sent from memory, so a 307/308
  // redirect or a retry can send them again (as curl does); larger ones,
  // and those reading a pipe (size unknown: sent chunked), stream from
  // their files (and a 307/308 then fails: the runtime cannot replay a
  // reader).
  static constexpr int64_t kFormInMemoryMax = 1 << 20;
  std::optional<std::string> form_bytes_;
};

std::optional<std::string> Cli::NetrcAuthorization(const std::string& url) {
  // The file is read once, for every URL of the command line.
  if (!netrc_text_) {
    netrc_text_.emplace();
    std::string path;
    if (options_.netrc_file) {
      path = *options_.netrc_file;
    } else if (const char* home = getenv("HOME")) {
      path = absl::StrCat(home, "/.netrc");
    }
    std::ifstream in(path);
    if (!path.empty() && in) {
      std::stringstream text;
      text << in.rdbuf();
      *netrc_text_ = text.str();
    }
  }
  absl::StatusOr<Url> parsed = ParseUrl(url);
  if (netrc_text_->empty() || !parsed.ok()) return std::nullopt;
  // A password in the URL does not stop -n: curl 7.88 takes the netrc's.
  const std::string user = parsed->userinfo.substr(0, parsed->userinfo.find(':'));
  std::optional<NetrcCredentials> c = FindNetrcCredentials(*netrc_text_, parsed->host, user);
  if (!c) return std::nullopt;
  verbose_.AddSecret(absl::StrCat(c->login, ":", c->password));
  return BasicAuthorization(absl::StrCat(c->login, ":", c->password));
}

void Cli::TraceEvent(const strata_event& event) {
  absl::string_view message = event.message;
  switch (event.type) {
    case STRATA_EVENT_DATA_OUT: {
      // The head as sent: CRLF line ends and the blank line.
      std::string head = absl::StrReplaceAll(message, {{"\n", "\r\n"}});
      if (!absl::EndsWith(head, "\r\n")) head += "\r\n";
      head += "\r\n";
      TraceData("=> Send header", head);
      // A body from memory (-d, --json, -F...) goes right after its head,
      // unless the hop dropped it (a 303 turns the POST into a GET).
      const absl::string_view method = message.substr(0, message.find(' '));
      if (current_body_ != nullptr && !current_body_->empty() && method != "GET" && method != "HEAD") {
        TraceData("=> Send data", *current_body_);
      }
      break;
    }
    case STRATA_EVENT_DATA_IN: {
      // One block per line, as curl delivers headers, then the blank line.
      for (absl::string_view line : absl::StrSplit(message, '\n', absl::SkipEmpty())) {
        TraceData("<= Recv header", absl::StrCat(line, "\r\n"));
      }
      TraceData("<= Recv header", "\r\n");
      break;
    }
    default: {
      for (absl::string_view line : absl::StrSplit(verbose_.Format(event), '\n', absl::SkipEmpty())) {
        absl::ConsumePrefix(&line, "* ");
        Trace(TraceInfo(TracePrefix(), line));
      }
      break;
    }
  }
}

void Cli::Trace(absl::string_view text) {
  if (trace_to_stderr_) {
    stdout_sink_->Flush().IgnoreError();
    WriteStderr(text);
  } else if (trace_ != nullptr) {
    trace_->Write(text).IgnoreError();
  }
}

std::string Cli::TracePrefix() const {
  if (!options_.trace_time) return "";
  return TraceTimePrefix(absl::ToUnixMicros(absl::Now()));
}

HintContext Cli::Hints() const {
  HintContext context;
  if (options_.proxy && !options_.proxy->empty()) {
    const std::string& proxy = *options_.proxy;
    absl::StatusOr<Url> parsed = ParseUrl(absl::StrContains(proxy, "://") ? proxy : "http://" + proxy);
    if (parsed.ok()) context.proxy_authority = parsed->HostPort();
  }
  return context;
}

void Cli::ReportError(int code, absl::string_view message) {
  if (!ShowErrors()) return;
  stdout_sink_->Flush().IgnoreError();
  WriteStderr(absl::StrCat("strata: (", code, ") ", InCliTerms(std::string(message), Hints()), "\n"));
}

void Cli::OnRetry(Transfer* t, const strata_event& event) {
  // curl 7.88's classes, in the order it tests them.
  absl::string_view cls = "(retrying all errors)";
  if (event.status > 0) {
    cls = "HTTP error";
  } else if (event.status == STRATA_E_TIMEOUT || event.status == STRATA_E_RESOLVE) {
    cls = "timeout";
  } else if (event.status == STRATA_E_CONNECT && options_.retry_connrefused) {
    cls = "connection refused";
  }
  if (event.status < 0) {
    // curl prints each failed attempt's error before the warning.
    FailureContext context;
    context.request_sent = t->hop_request_sent;
    context.response_started = t->hop_response_started;
    ReportError(ExitCodeFor(event.status, context), event.message);
  }
  if (!options_.silent) {
    stdout_sink_->Flush().IgnoreError();
    WriteStderr(FormatCurlWarning(absl::StrCat("Problem : ", cls, ". Will retry in ", event.retry_delay_ms / 1000,
                                               " seconds. ", event.retries_left, " retries left.\n")));
  }
  t->heads.Reset();
  t->hop_request_sent = false;
  t->hop_response_started = false;
  t->max_hop = 0;
}

Transfer* Cli::Attribute(const strata_event& event) {
  absl::string_view url = event.url;
  Transfer* found = nullptr;
  // A runtime that names the transfer (strata_event.transfer_user, the Job
  // given to strata_submit) settles it; URLs are the fallback for events of
  // no one transfer.
  if (event.struct_size >= offsetof(strata_event, transfer_id) + sizeof(event.transfer_id) &&
      event.transfer_user != nullptr) {
    for (Job* job : running_) {
      if (job == event.transfer_user) return &job->t;
    }
  }
  if (running_.size() == 1) {
    found = &running_.front()->t;
  } else if (!url.empty()) {
    // The runtime's events name the hop's URL but not the transfer; one
    // that matches exactly one running transfer is that transfer's. The
    // URL as typed may lack the path's "/" that the runtime's form has.
    for (Job* job : running_) {
      bool match = url == job->t.event_url || url == job->url ||
                   (url.size() == job->url.size() + 1 &&
                    absl::StartsWith(url, job->url) && url.back() == '/');
      if (!match) continue;
      if (found != nullptr) return nullptr;  // ambiguous: same URL twice
      found = &job->t;
    }
  }
  if (found != nullptr && !url.empty()) found->event_url = std::string(url);
  return found;
}

void Cli::OnEvent(void* user, const strata_event* event) {
  Cli* cli = static_cast<Cli*>(user);
  bool parallel = cli->options_.parallel;
  if (cli->tracing()) cli->TraceEvent(*event);
  if (cli->options_.verbose) {
    std::string text = cli->verbose_.Format(*event);
    if (!text.empty()) {
      cli->stdout_sink_->Flush().IgnoreError();
      WriteStderr(text);
    }
  }
  Transfer* t = parallel ? cli->Attribute(*event) : cli->current_;
  if (t == nullptr) return;
  if (event->hop > t->max_hop) t->max_hop = event->hop;
  switch (event->type) {
    case STRATA_EVENT_DATA_OUT:
      t->hop_request_sent = true;
      break;
    case STRATA_EVENT_DATA_IN: {
      t->hop_response_started = true;
      t->download_total = ContentLengthOf(event->message);
      if (t->name_from_header) cli->NameFromHeader(t, event->message);
      // -Z: events of the runtime's own (not a transfer's) are matched to
      // transfers by URL, which cannot be exact for every hop, so -i
      // prints the final response's head from the response itself
      // (FinishJob) rather than from events.
      if (parallel) break;
      std::string head = t->heads.Feed(event->message);
      t->Dump(head);
      if (t->include_headers && !t->writer_failed) {
        if (absl::Status s = t->Write(head); !s.ok()) {
          t->writer_failed = true;
          t->write_error = std::string(s.message());
        }
      }
      if (t->meter) t->meter->SetDownloadTotal(t->heads.content_length());
      break;
    }
    case STRATA_EVENT_CONNECT:
      if (!event->reused) ++t->connects;
      break;
    case STRATA_EVENT_HOP:
      t->hop_request_sent = false;
      t->hop_response_started = false;
      break;
    case STRATA_EVENT_RETRY:
      cli->OnRetry(t, *event);
      break;
    default:
      break;
  }
}

strata_status Cli::OnBody(void* user, const uint8_t* data, size_t len) {
  Transfer* t = static_cast<Transfer*>(user);
  if (t->name_from_header) {
    // -J: no Content-Disposition name came; the URL's name it is.
    t->name_from_header = false;
    if (t->file_url_name.empty() && !t->writer_failed) {
      t->writer_failed = true;
      t->write_error = "Failure writing output to destination";
    }
  }
  if (t->writer_failed) return STRATA_E_BODY;
  // The runtime stops -f transfers at the head; this guards the case where
  // body bytes of an error response still arrive.
  if (t->fail_on_error && t->heads.status() >= 400) return STRATA_OK;
  absl::string_view bytes(reinterpret_cast<const char*>(data), len);
  if (t->include_headers) {
    if (!t->heads.seen_any()) t->hold_body = true;
    if (t->hold_body) {
      t->held_body.append(bytes.data(), bytes.size());
      t->downloaded += static_cast<int64_t>(len);
      return STRATA_OK;
    }
    std::string close = t->heads.CloseHead();
    if (!close.empty()) t->Write(close).IgnoreError();
    t->Dump(close);
  } else if (t->dump != nullptr) {
    t->Dump(t->heads.CloseHead());
  }
  // As curl: only while the first 2000 bytes are written (a late NUL in a
  // long text does not cut it off).
  if (t->refuse_binary && t->downloaded < 2000 && std::memchr(data, 0, len) != nullptr) {
    if (!t->quiet) {
      WriteStderr(FormatCurlWarning(
          "Binary output can mess up your terminal. Use \"--output -\" to tell strata to output it to your "
          "terminal anyway, or consider \"--output <FILE>\" to save to a file.\n"));
    }
    t->binary_refused = true;
    t->writer_failed = true;
    return STRATA_E_BODY;
  }
  if (t->cli != nullptr) t->cli->TraceData("<= Recv data", bytes);
  if (absl::Status s = t->Write(bytes); !s.ok()) {
    t->writer_failed = true;
    t->write_error = std::string(s.message());
    return STRATA_E_BODY;
  }
  t->downloaded += static_cast<int64_t>(len);
  if (t->meter) t->meter->Update(t->downloaded, NowUs());
  return STRATA_OK;
}

void Cli::NameFromHeader(Transfer* t, absl::string_view head) {
  for (absl::string_view line : SplitLines(head)) {
    if (!IsContentDispositionLine(line)) continue;
    // The first Content-Disposition line decides, whichever response of
    // the transfer (a redirect's too) carries it.
    t->name_from_header = false;
    std::optional<std::string> name = FilenameFromContentDisposition(line);
    if (!name) return;
    std::string path = options_.output_dir ? absl::StrCat(*options_.output_dir, "/", *name) : *name;
    absl::Status opened = name->empty()         ? absl::InvalidArgumentError("Remote filename has no length!")
                          : options_.create_dirs ? CreateParentDirectories(path)
                                                 : absl::OkStatus();
    if (opened.ok()) opened = t->file->OpenNew(path);
    if (opened.ok()) t->named_path = path;
    if (!opened.ok()) {
      // curl: the reason as a warning, then "Failed writing header" (23).
      if (!options_.silent) WriteStderr(FormatCurlWarning(absl::StrCat(opened.message(), "\n")));
      t->writer_failed = true;
      t->write_error = "Failed writing header";
    }
    return;
  }
}

std::string Cli::BuildForm(int* code) {
  *code = kExitOk;
  // The request's type: the first -H Content-Type's ("" if it removes
  // it), else multipart/form-data; curl adds the boundary to either.
  std::optional<std::string> user_type;
  for (const HeaderArg& header : options_.headers) {
    if (absl::EqualsIgnoreCase(header.name, "Content-Type")) {
      user_type = header.value;
      break;
    }
  }
  const std::string boundary = RandomBoundary();
  std::vector<std::string> warnings;
  absl::StatusOr<MultipartBody> body =
      BuildMultipartBody(options_.form, user_type.value_or("multipart/form-data"), boundary, &warnings);
  if (!options_.silent) {
    for (const std::string& warning : warnings) WriteStderr(FormatCurlWarning(warning));
  }
  if (!body.ok()) {
    *code = kExitReadError;
    ReportError(*code, body.status().message());
    return "";
  }
  if (body->size >= 0 && body->size <= kFormInMemoryMax) {
    absl::StatusOr<std::string> bytes = MultipartBodyBytes(*body);
    if (!bytes.ok()) {
      *code = kExitReadError;
      ReportError(*code, bytes.status().message());
      return "";
    }
    form_bytes_ = *std::move(bytes);
  }
  form_ = *std::move(body);
  return FormContentTypeHeader(user_type, boundary);
}

int Cli::CreateRuntime() {
  std::optional<std::string> file_text;
  std::string source = "configuration";
  if (options_.config_file) {
    source = *options_.config_file;
    absl::StatusOr<std::string> text = ReadFileOrStdin(*options_.config_file);
    if (!text.ok()) {
      WriteStderr(absl::StrCat("strata: --config: ", text.status().message(),
                               "\n"));
      return kExitInit;
    }
    if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
      // An empty file is a mistake (a truncated or wrong file), never a
      // quiet request for the built-in configuration.
      WriteStderr(absl::StrCat("strata: --config ", *options_.config_file,
                               ": the configuration file is empty (write {} "
                               "for the built-in configuration)\n"));
      return kExitInit;
    }
    file_text = *std::move(text);
  }
  absl::StatusOr<std::string> config =
      BuildRuntimeConfig(file_text, source, options_.plugin_dirs);
  if (config.ok() && options_.pinnedpubkey) {
    // curl checks the pin of every host the transfer reaches over TLS (not
    // of an https proxy) and reports any pin it cannot use at the handshake.
    config = AppendPolicy(*config, source,
                          {{"plugin", "policy-pin"},
                           {"options", {{"pins", {{"*", *options_.pinnedpubkey}}}, {"defer_errors", true}}}});
  }
  if (!config.ok()) {
    WriteStderr(absl::StrCat("strata: ", config.status().message(), "\n"));
    return kExitInit;
  }
  strata_error error{};
  error.struct_size = sizeof(error);
  strata_status status = strata_runtime_new(config->c_str(), &runtime_, &error);
  if (status != STRATA_OK) {
    std::string message =
        error.message[0] != '\0' ? error.message : strata_status_name(status);
    WriteStderr(absl::StrCat("strata: ", message, "\n"));
    return kExitInit;
  }
  uint32_t mask = (1u << STRATA_EVENT_DATA_IN) | (1u << STRATA_EVENT_DATA_OUT) |
                  (1u << STRATA_EVENT_HOP) | (1u << STRATA_EVENT_CONNECT) |
                  (1u << STRATA_EVENT_RETRY);
  if (options_.verbose || options_.trace_file) mask |= 1u << STRATA_EVENT_TRACE;
  strata_runtime_set_event_callback(runtime_, &Cli::OnEvent, this, mask);
  return kExitOk;
}

absl::StatusOr<std::string> Cli::WriteOutFormat() {
  const std::string& format = *options_.write_out;
  if (absl::StartsWith(format, "@")) return ReadFileOrStdin(format.substr(1));
  return format;
}

void Cli::PrintWriteOut(const std::string& format,
                        const TransferSummary& summary) {
  WriteOutResult result = ExpandWriteOut(format, summary);
  for (const std::string& warning : result.warnings) {
    WriteStderr(absl::StrCat("strata: ", warning, "\n"));
  }
  for (const WriteOutChunk& chunk : result.chunks) {
    if (chunk.stream == WriteOutStream::kStdout) {
      stdout_sink_->Write(chunk.text).IgnoreError();
    } else if (chunk.stream == WriteOutStream::kFile) {
      // %output{}: as in curl, a file that cannot be opened leaves the
      // text where it would have gone (here: nowhere) without an error.
      if (FILE* f = fopen(chunk.path.c_str(), chunk.append ? "a" : "w")) {
        fwrite(chunk.text.data(), 1, chunk.text.size(), f);
        fclose(f);
      }
    } else {
      stdout_sink_->Flush().IgnoreError();
      WriteStderr(chunk.text);
    }
  }
}

int Cli::PrepareJob(size_t index, const std::string& body,
                    const std::vector<RequestHeader>& headers, Job& job) {
  // The body -F built in memory, else -d's (a streamed -F or -T body is
  // not traced).
  current_body_ = form_bytes_ ? &*form_bytes_ : &body;
  job.index = index;
  job.url = options_.urls[index];
  // -G: the data is the query, not a body.
  if (options_.get && !options_.data.empty()) job.url = AppendQuery(job.url, body);
  job.method = EffectiveMethod(options_);
  if (options_.upload_file) job.url = UploadUrl(job.url, *options_.upload_file);
  job.resume_from = options_.resume_from.value_or(0);
  const std::string& url = job.url;

  OutputSink* sink = stdout_sink_.get();
  bool to_terminal = isatty(STDOUT_FILENO) != 0;
  if (index < options_.outputs.size() && options_.outputs[index].kind == OutputTarget::Kind::kFile &&
      options_.outputs[index].path == "-") {
    to_terminal = false;  // -o -: stdout, whatever it is, as asked
  } else if (index < options_.outputs.size()) {
    const OutputTarget& target = options_.outputs[index];
    std::string path = target.path;
    const bool name_from_header = options_.remote_header_name && target.kind == OutputTarget::Kind::kRemoteName;
    if (target.kind == OutputTarget::Kind::kRemoteName) {
      path = RemoteName(url);
      if (path.empty() && !name_from_header) {
        ReportError(kExitWriteError,
                    absl::StrCat("Remote file name has no length: ", url));
        return kExitWriteError;
      }
    }
    if (options_.output_dir && !path.empty()) path = absl::StrCat(*options_.output_dir, "/", path);
    if (options_.create_dirs) {
      if (absl::Status made = CreateParentDirectories(path); !made.ok()) {
        ReportError(kExitWriteError, made.message());
        return kExitWriteError;
      }
    }
    // -C -: resume from the file's size (a missing file: from 0).
    if (options_.resume_auto) {
      struct stat st;
      job.resume_from = stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
    }
    job.file_sink = OutputSink::ForFile(path, /*append=*/job.resume_from > 0);
    job.output_path = path;
    sink = job.file_sink.get();
    if (name_from_header) {
      job.t.name_from_header = true;
      job.t.file = sink;
      job.t.file_url_name = path;
    }
  }

  strata_request* request = nullptr;
  if (strata_status s = strata_request_new(job.method.c_str(), url.c_str(), &request);
      s != STRATA_OK) {
    if (s == STRATA_E_INVALID_ARGUMENT) {
      // The only input strata_request_new checks is the method (RFC 9110
      // §9.1: a token; no spaces or control characters).
      ReportError(kExitInit, absl::StrCat("-X/--request: '", job.method,
                                          "' is not a valid HTTP method (a token: letters, "
                                          "digits and !#$%&'*+-.^_`|~)"));
      return kExitInit;
    }
    ReportError(kExitOutOfMemory, "could not create the request");
    return kExitOutOfMemory;
  }
  job.request.reset(request);

  // Option and header refusals are the user's input being wrong (or an
  // option this build lacks), reported before anything is sent.
  auto setup_failed = [&](strata_status status, absl::string_view what) {
    int code = ExitCodeFor(status, {.url = url});
    ReportError(code, absl::StrCat(what, ": ", strata_status_name(status)));
    return code;
  };
  // Removals first: they also keep the runtime from adding its defaults,
  // and a header given with a value as well is still sent, as in curl.
  for (const std::string& name : RemovedHeaders(options_)) {
    if (strata_status s = strata_request_remove_header(request, name.c_str()); s != STRATA_OK) {
      return setup_failed(s, absl::StrCat("header '", name, "' refused"));
    }
  }
  for (const RequestHeader& header : headers) {
    strata_status s = strata_request_add_header(request, header.name.c_str(),
                                                header.value.c_str());
    if (s != STRATA_OK) {
      return setup_failed(s, absl::StrCat("header '", header.name, "' refused"));
    }
  }
  if (options_.netrc && !options_.user) {
    if (std::optional<std::string> authorization = NetrcAuthorization(url)) {
      verbose_.AddSecret(authorization->substr(sizeof("Basic ") - 1));
      if (strata_status s = strata_request_add_header(request, "Authorization", authorization->c_str()); s != STRATA_OK) {
        return setup_failed(s, "netrc credentials refused");
      }
    }
  }
  if (options_.upload_file) {
    const std::string& file = *options_.upload_file;
    int64_t length = -1;  // unknown (stdin, a pipe): sent chunked
    if (file == "-") {
      job.upload_stream = stdin;
    } else {
      job.upload.reset(fopen(file.c_str(), "rb"));
      job.upload_stream = job.upload.get();
      struct stat st;
      if (job.upload_stream && fstat(fileno(job.upload_stream), &st) == 0 && S_ISREG(st.st_mode)) length = st.st_size;
    }
    if (!job.upload_stream) {
      // curl says so even with -s, then names the exit code unless silent.
      WriteStderr(absl::StrCat("strata: Can't open '", file, "'!\nstrata: try 'strata --help' for more information\n"));
      if (ShowErrors()) WriteStderr("strata: (26) Failed to open/read local data from file/application\n");
      return kExitReadError;
    }
    if (strata_status s = strata_request_set_body_reader(request, length, &Job::ReadUpload, &job); s != STRATA_OK) {
      return setup_failed(s, "request body refused");
    }
  } else if (form_bytes_) {
    if (strata_status s = strata_request_set_body(request, form_bytes_->data(), form_bytes_->size()); s != STRATA_OK) {
      return setup_failed(s, "request body refused");
    }
  } else if (form_) {
    job.form = std::make_unique<MultipartReader>(&*form_);
    if (strata_status s = strata_request_set_body_reader(request, form_->size, &Job::ReadForm, &job); s != STRATA_OK) {
      return setup_failed(s, "request body refused");
    }
  } else if (!options_.data.empty() && !options_.get) {
    if (strata_status s = strata_request_set_body(request, body.data(), body.size());
        s != STRATA_OK) {
      return setup_failed(s, "request body refused");
    }
  }
  if (job.resume_from > 0) {
    if (strata_status s = strata_request_set_option_int(request, STRATA_OPT_RESUME_FROM, job.resume_from);
        s != STRATA_OK) {
      return setup_failed(s, "--continue-at refused");
    }
  }
  RequestOptions request_options = BuildRequestOptions(options_);
  for (const IntOption& option : request_options.ints) {
    if (strata_status s =
            strata_request_set_option_int(request, option.id, option.value);
        s != STRATA_OK) {
      return setup_failed(s, absl::StrCat(option.what, " refused"));
    }
  }
  for (const StringOption& option : request_options.strings) {
    if (strata_status s = strata_request_set_option_string(
            request, option.id, option.value.c_str());
        s != STRATA_OK) {
      if (option.refused_exit != 0) {
        ReportError(option.refused_exit, option.what);
        return option.refused_exit;
      }
      return setup_failed(s, absl::StrCat(option.what, " refused"));
    }
  }

  Transfer& t = job.t;
  t.sink = sink;
  if (options_.parallel && sink == stdout_sink_.get()) {
    t.memory = &job.stdout_body;
  }
  t.include_headers = options_.include_headers || options_.head;
  t.refuse_binary = to_terminal && sink == stdout_sink_.get();
  t.cli = this;
  t.quiet = options_.silent;
  t.dump = dump_;
  t.fail_on_error = options_.fail;
  strata_request_set_body_writer(request, &Cli::OnBody, &t);
  return kExitOk;
}

// ReadFigures takes the runtime's figures of a transfer (-w's timers,
// sizes, connections and addresses) from |r|, a response or a failed
// transfer's record.
void ReadFigures(const strata_response* r, TransferSummary* s) {
  auto info = [&](int32_t id, int64_t* out) {
    int64_t value = 0;
    if (strata_response_info(r, id, &value) == STRATA_OK) *out = value;
  };
  info(STRATA_INFO_NUM_REDIRECTS, &s->num_redirects);
  info(STRATA_INFO_NUM_CONNECTS, &s->num_connects);
  info(STRATA_INFO_SIZE_UPLOAD, &s->size_upload);
  info(STRATA_INFO_TIME_NAMELOOKUP_US, &s->time_namelookup_us);
  info(STRATA_INFO_TIME_TCP_CONNECT_US, &s->time_connect_us);
  info(STRATA_INFO_TIME_APPCONNECT_US, &s->time_appconnect_us);
  info(STRATA_INFO_TIME_PRETRANSFER_US, &s->time_pretransfer_us);
  info(STRATA_INFO_TIME_STARTTRANSFER_US, &s->time_starttransfer_us);
  info(STRATA_INFO_TIME_REDIRECT_US, &s->time_redirect_us);
  info(STRATA_INFO_SIZE_HEADER, &s->size_header);
  info(STRATA_INFO_SIZE_REQUEST, &s->size_request);
  info(STRATA_INFO_REMOTE_PORT, &s->remote_port);
  info(STRATA_INFO_LOCAL_PORT, &s->local_port);
  info(STRATA_INFO_TLS_VERIFY_RESULT, &s->ssl_verify_result);
  info(STRATA_INFO_PROXY_TLS_VERIFY_RESULT, &s->proxy_ssl_verify_result);
  auto text = [&](int32_t id, std::string* out) {
    const char* value = nullptr;
    if (strata_response_info_string(r, id, &value) == STRATA_OK && value != nullptr) *out = value;
  };
  text(STRATA_INFO_STR_REMOTE_IP, &s->remote_ip);
  text(STRATA_INFO_STR_LOCAL_IP, &s->local_ip);
  text(STRATA_INFO_STR_LAYER_TIMES, &s->layer_times);
  text(STRATA_INFO_STR_HTTP_CONNECTS, &s->http_connects);
}

int Cli::FinishJob(Job& job, size_t body_size, strata_status status,
                   strata_response* response, const strata_error& error, strata_response* record) {
  Transfer& t = job.t;
  const std::string& url = job.url;
  TransferSummary summary;
  summary.url = url;
  summary.url_effective = url;
  summary.method = job.method;
  summary.urlnum = static_cast<int64_t>(job.index);
  summary.filename_effective = !job.t.named_path.empty() ? job.t.named_path : job.output_path;
  summary.referer = options_.referer.value_or("");
  summary.version = absl::StrCat("strata/", strata_version());
  if (t.meter) {
    const int64_t upload = form_ ? std::max<int64_t>(form_->size, 0) : static_cast<int64_t>(body_size);
    if (status == STRATA_OK) t.meter->SetUpload(upload, upload);
    t.meter->Finish(NowUs());
  }

  // Response facts; when the transfer failed they come from what the
  // events showed so far, which is what curl prints for -w too.
  summary.http_code = t.heads.status();
  summary.num_connects = t.connects;
  summary.num_redirects = t.max_hop > 1 ? t.max_hop - 1 : 0;
  summary.size_download = t.downloaded;
  summary.time_total_us = NowUs() - job.started_us;
  if (status != STRATA_OK) summary.http_connect = error.http_connect;
  // A failed transfer's figures (times, sizes, addresses) come from its
  // record, as curl prints them after an error.
  if (response == nullptr && record != nullptr) ReadFigures(record, &summary);
  if (response != nullptr) {
    summary.http_code = strata_response_status(response);
    summary.http_version = strata_response_http_version(response);
    summary.url_effective = strata_response_effective_url(response);
    ReadFigures(response, &summary);
    auto info = [&](int32_t id, int64_t* out) {
      int64_t value = 0;
      if (strata_response_info(response, id, &value) == STRATA_OK) *out = value;
    };
    info(STRATA_INFO_SIZE_DOWNLOAD, &summary.size_download);
    info(STRATA_INFO_TIME_TOTAL_US, &summary.time_total_us);
    info(STRATA_INFO_HTTP_CONNECT, &summary.http_connect);
    int64_t unmet = 0;
    info(STRATA_INFO_CONDITION_UNMET, &unmet);
    // curl reports a 2xx that did not meet -z as the 304 it stands for.
    if (unmet && summary.http_code >= 200 && summary.http_code < 300) summary.http_code = 304;
    if (etag_sink_ && *etag_sink_) {
      if (const char* etag = strata_response_header_get(response, "ETag")) *etag_sink_ << etag << "\n";
      etag_sink_->flush();
    }
    auto info_string = [&](int32_t id, std::string* out) {
      const char* value = nullptr;
      if (strata_response_info_string(response, id, &value) == STRATA_OK &&
          value != nullptr) {
        *out = value;
      }
    };
    info_string(STRATA_INFO_STR_REDIRECT_URL, &summary.redirect_url);
    info_string(STRATA_INFO_STR_CHAIN, &summary.chain);
    info_string(STRATA_INFO_STR_METHOD, &summary.method);
    size_t count = strata_response_header_count(response);
    for (size_t i = 0; i < count; ++i) {
      const char* name;
      const char* value;
      size_t name_len, value_len;
      if (strata_response_header(response, i, &name, &name_len, &value,
                                 &value_len) == STRATA_OK) {
        summary.headers.emplace_back(std::string(name, name_len),
                                     std::string(value, value_len));
      }
    }
    if (t.include_headers || t.dump != nullptr) {
      // The end of the head text the events showed, or, when they showed
      // none (with -Z they are not used), the response's whole head.
      std::string tail = t.heads.seen_any()
                             ? t.heads.CloseHead()
                             : FormatHead(summary.http_version, summary.http_code, summary.headers);
      if (t.include_headers && !t.writer_failed) t.Write(tail).IgnoreError();
      t.Dump(tail);
      if (t.include_headers && !t.writer_failed && !t.held_body.empty()) t.Write(t.held_body).IgnoreError();
    }
    strata_response_free(response);
  }
  if (record != nullptr) strata_response_free(record);

  // -Z to stdout: the whole body now, in one piece.
  if (t.memory != nullptr && !t.writer_failed) {
    if (absl::Status s = stdout_sink_->Write(*t.memory); !s.ok()) {
      t.writer_failed = true;
      t.write_error = std::string(s.message());
    }
    t.memory->clear();
    t.memory->shrink_to_fit();
  }
  // curl leaves an (empty) file for a successful transfer without a body.
  if (job.file_sink && status == STRATA_OK) {
    job.file_sink->Open().IgnoreError();  // the error is sticky: Close reports it
  }
  absl::Status closed =
      job.file_sink ? job.file_sink->Close() : stdout_sink_->Flush();
  if (!closed.ok() && !t.writer_failed) {
    t.writer_failed = true;
    t.write_error = std::string(closed.message());
  }

  int code = kExitOk;
  if (status != STRATA_OK) {
    FailureContext context;
    context.writer_failed = t.writer_failed;
    context.request_sent = t.hop_request_sent;
    context.response_started = t.hop_response_started;
    context.proxy_involved = absl::StrContains(error.layer, "proxy") ||
                             absl::StrContains(error.layer, "tunnel") ||
                             absl::StrContains(error.layer, "h2-connect");
    // A refused CONNECT is 56 for curl, over HTTP/1.1 or HTTP/2 alike.
    context.http_tunnel = absl::StrContains(error.layer, "connect-tunnel") || absl::StrContains(error.layer, "h2-connect");
    context.url = error.url[0] != '\0' ? absl::string_view(error.url)
                                       : absl::string_view(url);
    code = ExitCodeFor(status, context);
    summary.errormsg = status == STRATA_E_HTTP_STATUS && summary.http_code >= 400
                           ? absl::StrCat("The requested URL returned error: ", summary.http_code)  // curl's words
                       : t.writer_failed && !t.write_error.empty()
                           ? t.write_error
                           : (error.message[0] != '\0'
                                  ? InCliTerms(error.message, Hints())
                                  : absl::StrCat(strata_status_name(status),
                                                 " (", url, ")"));
  } else if (t.writer_failed) {
    code = kExitWriteError;
    summary.errormsg = t.write_error;
  } else if (options_.fail_with_body && summary.http_code >= 400) {
    // The body has been written; the exit code and message are -f's.
    code = kExitHttpError;
    summary.errormsg = absl::StrCat("The requested URL returned error: ", summary.http_code);
  }
  if (t.binary_refused) {
    // curl's warning said it all: no error line (curl prints none).
    code = kExitWriteError;
    summary.errormsg = "Failure writing output to destination";
  }
  summary.exitcode = code;
  if (code != kExitOk && !t.binary_refused) ReportError(code, summary.errormsg);

  if (options_.write_out) {
    absl::StatusOr<std::string> format = WriteOutFormat();
    if (!format.ok()) {
      ReportError(kExitReadError,
                  absl::StrCat("--write-out: ", format.status().message()));
      if (code == kExitOk) code = kExitReadError;
    } else {
      PrintWriteOut(*format, summary);
    }
  }
  stdout_sink_->Flush().IgnoreError();
  return code;
}

int Cli::RunOne(size_t index, const std::string& body,
                const std::vector<RequestHeader>& headers) {
  Job job;
  if (int code = PrepareJob(index, body, headers, job); code != kExitOk) {
    return code;
  }
  Transfer& t = job.t;

  // curl's rule: the meter appears when the body is not going to the
  // terminal (so it does not garble it) and stderr is one; -# always shows.
  bool body_to_terminal =
      t.sink == stdout_sink_.get() && isatty(STDOUT_FILENO);
  bool show_meter = !options_.silent && !options_.verbose && !options_.no_progress_meter &&
                    (options_.progress_bar ||
                     (isatty(STDERR_FILENO) && !body_to_terminal));
  if (show_meter) {
    t.meter = std::make_unique<ProgressMeter>(
        options_.progress_bar ? ProgressMeter::Style::kBar
                              : ProgressMeter::Style::kMeter,
        TerminalWidth(), [](absl::string_view text) { WriteStderr(text); });
    t.meter->SetUpload(form_ ? std::max<int64_t>(form_->size, 0) : static_cast<int64_t>(body.size()), 0);
    t.meter->Start(NowUs());
  }
  verbose_.Reset(job.method);
  current_ = &t;

  job.started_us = NowUs();
  strata_error error{};
  error.struct_size = sizeof(error);
  strata_response* response = nullptr;
  strata_status status;
  strata_response* record = nullptr;
  // The non-blocking interface lets the meter tick while no bytes come,
  // and keeps a failed transfer's figures for -w (its record).
  strata_transfer* transfer = nullptr;
  status = strata_submit(runtime_, job.request.get(), nullptr, &transfer);
  if (status == STRATA_OK) {
    while (!strata_transfer_done(transfer)) {
      size_t running = 0;
      strata_status run = strata_runtime_run(runtime_, show_meter ? 200 : 1000, &running);
      if (t.meter) t.meter->Update(t.downloaded, NowUs());
      if (run < 0) {
        strata_transfer_cancel(transfer);
        break;
      }
    }
    status = strata_transfer_result(transfer, &error);
    response = strata_transfer_take_response(transfer);
    if (response == nullptr) record = strata_transfer_take_record(transfer);
    while (strata_runtime_next_done(runtime_) != nullptr) {
    }
    strata_transfer_free(transfer);
  }
  current_ = nullptr;
  return FinishJob(job, body.size(), status, response, error, record);
}

int Cli::RunParallel(const std::string& body,
                     const std::vector<RequestHeader>& headers) {
  const size_t count = options_.urls.size();
  const size_t max_running = static_cast<size_t>(options_.parallel_max);
  std::vector<int> codes(count, kExitOk);
  std::vector<std::unique_ptr<Job>> jobs(count);
  size_t next = 0;

  // curl's aggregate meter: on stderr, terminal or not, unless -s or
  // --no-progress-meter.
  std::unique_ptr<ParallelMeter> meter;
  if (!options_.silent && !options_.no_progress_meter) {
    meter = std::make_unique<ParallelMeter>(NowUs(), [this](absl::string_view text) {
      stdout_sink_->Flush().IgnoreError();
      WriteStderr(text);
    });
  }
  ParallelSnapshot finished;  // what the transfers that ended contributed
  int64_t added = 0;
  auto tick = [&](bool final) {
    if (!meter) return;
    ParallelSnapshot s = finished;
    for (Job* job : running_) {
      s.downloaded += job->t.downloaded;
      if (job->t.download_total < 0) {
        s.download_known = false;
      } else {
        s.download_total += job->t.download_total;
      }
      // curl learns a transfer's upload size when it starts sending; a
      // body from memory is then sent whole.
      if (body.empty() || !job->t.hop_request_sent) {
        s.upload_known = false;
      } else {
        s.upload_total += static_cast<int64_t>(body.size());
        s.uploaded += static_cast<int64_t>(body.size());
      }
    }
    s.added = added;
    s.running = static_cast<int64_t>(running_.size());
    meter->Tick(s, NowUs(), final);
  };

  auto finish = [&](Job* job) {
    strata_error error{};
    error.struct_size = sizeof(error);
    strata_status status = strata_transfer_result(job->transfer, &error);
    strata_response* response = strata_transfer_take_response(job->transfer);
    strata_response* record = response == nullptr ? strata_transfer_take_record(job->transfer) : nullptr;
    strata_transfer_free(job->transfer);
    job->transfer = nullptr;
    running_.erase(std::find(running_.begin(), running_.end(), job));
    finished.downloaded += job->t.downloaded;
    finished.download_total += job->t.download_total > 0 ? job->t.download_total : 0;
    if (!body.empty() && status == STRATA_OK) {
      finished.uploaded += static_cast<int64_t>(body.size());
      finished.upload_total += static_cast<int64_t>(body.size());
    }
    codes[job->index] = FinishJob(*job, body.size(), status, response, error, record);
    jobs[job->index].reset();  // its file is closed, its memory returned
  };

  while (next < count || !running_.empty()) {
    // Start transfers up to the limit.
    while (next < count && running_.size() < max_running) {
      size_t index = next++;
      auto job = std::make_unique<Job>();
      if (int code = PrepareJob(index, body, headers, *job); code != kExitOk) {
        codes[index] = code;
        continue;
      }
      job->started_us = NowUs();
      strata_status status = strata_submit(runtime_, job->request.get(),
                                           job.get(), &job->transfer);
      if (status != STRATA_OK) {
        strata_error error{};
        error.struct_size = sizeof(error);
        codes[index] = FinishJob(*job, body.size(), status, nullptr, error);
        continue;
      }
      running_.push_back(job.get());
      jobs[index] = std::move(job);
      ++added;
    }
    tick(false);
    if (running_.empty()) continue;

    size_t still_running = 0;
    strata_status run = strata_runtime_run(runtime_, meter ? 500 : 1000, &still_running);
    if (run < 0) {
      // The loop itself failed: nothing can progress any more.
      for (Job* job : running_) strata_transfer_cancel(job->transfer);
    }
    while (strata_transfer* done = strata_runtime_next_done(runtime_)) {
      Job* job = static_cast<Job*>(strata_transfer_user(done));
      if (job != nullptr && job->transfer == done) finish(job);
    }
  }

  tick(true);
  // Like without -Z, the exit code is the last failure's, in URL order.
  int result = kExitOk;
  for (int code : codes) {
    if (code != kExitOk) result = code;
  }
  return result;
}

int Cli::Run() {
  absl::StatusOr<std::string> body = BuildRequestBody(options_.data);
  if (!body.ok()) {
    ReportError(kExitReadError, body.status().message());
    return kExitReadError;
  }
  if (options_.user) {
    // The Authorization value and the raw credentials must never show in -v.
    std::string authorization = BasicAuthorization(*options_.user);
    verbose_.AddSecret(authorization.substr(sizeof("Basic ") - 1));
    verbose_.AddSecret(*options_.user);
  }
  if (options_.proxy_user) {
    std::string credentials = ProxyCredentials(*options_.proxy_user);
    verbose_.AddSecret(
        BasicAuthorization(credentials).substr(sizeof("Basic ") - 1));
    verbose_.AddSecret(credentials);
  }
  if (options_.proxy) {
    // Credentials inside the proxy URL (http://user:pass@host) likewise.
    std::string userinfo = ProxyUrlUserinfo(*options_.proxy);
    if (!userinfo.empty()) {
      verbose_.AddSecret(
          BasicAuthorization(userinfo).substr(sizeof("Basic ") - 1));
      verbose_.AddSecret(userinfo);
    }
  }
  if (options_.cert_password_ignored && ShowErrors()) {
    WriteStderr(
        "strata: warning: -E/--cert: the password after ':' is ignored; "
        "strata reads unencrypted keys only\n");
  }
  if (options_.verbose) {
    // The tls layer logs this too, but only once a connection is made.
    if (options_.insecure) {
      WriteStderr(
          "* WARNING: -k/--insecure: the server's certificate and host name "
          "are NOT verified\n");
    }
    if (options_.proxy_insecure) {
      WriteStderr(
          "* WARNING: --proxy-insecure: the proxy's certificate and host name "
          "are NOT verified\n");
    }
  }
  if (int code = CreateRuntime(); code != kExitOk) return code;
  if (!options_.cookie_files.empty() || options_.cookie_jar) {
    strata_cookies_enable(runtime_, 1);
    for (const std::string& file : options_.cookie_files) {
      // A file that cannot be read is no error, as in curl: the cookie
      // engine is on, with what could be read.
      if (!file.empty()) strata_cookies_load(runtime_, file.c_str(), options_.junk_session_cookies ? 1 : 0, nullptr);
    }
  }
  if (!options_.alt_svc_files.empty()) {
    strata_alt_svc_enable(runtime_, 1);
    // As curl: every file is read, a missing or unreadable one is no error.
    for (const std::string& file : options_.alt_svc_files) {
      if (!file.empty()) strata_alt_svc_load(runtime_, file.c_str(), nullptr);
    }
  }
  if (options_.trace_file) {
    if (*options_.trace_file == "-") {
      trace_ = stdout_sink_.get();
    } else if (*options_.trace_file == "%") {
      trace_to_stderr_ = true;
    } else {
      trace_sink_ = OutputSink::ForFile(*options_.trace_file);
      if (trace_sink_->Open().ok()) {
        trace_ = trace_sink_.get();
      } else if (!options_.silent) {
        // curl goes on without the trace, after this warning.
        WriteStderr(FormatCurlWarning(absl::StrCat("Failed to create/open output\n")));
      }
    }
  }
  if (options_.dump_header) {
    // curl truncates the file once, before the first transfer, and every
    // transfer's heads (every hop's with -L) follow in order.
    if (*options_.dump_header == "-") {
      dump_ = stdout_sink_.get();
    } else {
      if (options_.create_dirs) {
        if (absl::Status made = CreateParentDirectories(*options_.dump_header); !made.ok()) {
          ReportError(kExitWriteError, made.message());
          return kExitWriteError;
        }
      }
      dump_sink_ = OutputSink::ForFile(*options_.dump_header);
      if (!dump_sink_->Open().ok()) {
        ReportError(kExitWriteError, absl::StrCat("Failed to open ", *options_.dump_header));
        return kExitWriteError;
      }
      dump_ = dump_sink_.get();
    }
  }
  std::vector<RequestHeader> headers = BuildRequestHeaders(options_);
  if (!options_.form.empty()) {
    int code = kExitOk;
    std::string type = BuildForm(&code);
    if (code != kExitOk) return code;
    // The form's Content-Type replaces the user's (curl's rule).
    headers.erase(std::remove_if(headers.begin(), headers.end(),
                                 [](const RequestHeader& h) { return absl::EqualsIgnoreCase(h.name, "Content-Type"); }),
                  headers.end());
    headers.push_back({"Content-Type", type});
  }
  if (options_.etag_compare) {
    // curl sends the file's first line as it is; an empty file gives "".
    std::ifstream in(*options_.etag_compare);
    if (!in) {
      if (ShowErrors()) WriteStderr(absl::StrCat("strata: Failed to open ", *options_.etag_compare, "\n"));
      return kExitReadError;
    }
    std::string etag;
    std::getline(in, etag);
    headers.push_back({"If-None-Match", etag.empty() ? "\"\"" : etag});
  }
  if (options_.etag_save) {
    // Created (emptied) before the transfer, as curl does: a response
    // without an ETag leaves it empty.
    etag_sink_ = std::make_unique<std::ofstream>(*options_.etag_save, std::ios::trunc);
    if (!*etag_sink_) {
      if (!options_.silent) {
        WriteStderr(FormatCurlWarning(absl::StrCat("Failed creating file for saving etags: \"", *options_.etag_save,
                                                   "\". Skip this transfer\n")));
      }
      if (ShowErrors()) WriteStderr("strata: no transfer performed\n");
      return kExitReadError;
    }
  }

  int result = kExitOk;
  if (options_.parallel) {
    result = RunParallel(*body, headers);
  } else {
    // Like curl, every URL is tried; the exit code is the last failure's.
    for (size_t i = 0; i < options_.urls.size(); ++i) {
      int code = RunOne(i, *body, headers);
      if (code != kExitOk) result = code;
    }
  }
  if (dump_sink_) dump_sink_->Close().IgnoreError();
  if (options_.cookie_jar) {
    // Written whatever happened, as curl does (its failure only shows
    // with -v).
    if (*options_.cookie_jar == "-") stdout_sink_->Flush().IgnoreError();
    if (strata_cookies_save(runtime_, options_.cookie_jar->c_str()) != STRATA_OK && options_.verbose) {
      WriteStderr(absl::StrCat("* WARNING: failed to save cookies in ", *options_.cookie_jar, "\n"));
    }
  }
  if (!options_.alt_svc_files.empty() && !options_.alt_svc_files.back().empty()) {
    // curl writes the last file named whatever happened.
    const std::string& file = options_.alt_svc_files.back();
    if (strata_alt_svc_save(runtime_, file.c_str()) != STRATA_OK && options_.verbose) {
      WriteStderr(absl::StrCat("* WARNING: failed to save the alt-svc cache in ", file, "\n"));
    }
  }
  return result;
}

}  // namespace

// VersionText is -V, shaped like curl -V: the version and libraries, the
// plugins a runtime with this command line's plugin directories loads, the
// protocols and the features they make.
std::string VersionText(const CliOptions& options) {
  uint32_t abi = strata_abi_version();
  std::string out = absl::StrCat("strata ", strata_version(), " (plugin ABI ", abi / 1000, ".", abi % 1000, ") ",
                                 strata_libraries(), "\n");
  std::vector<std::string> plugins;
  std::string failure;
  absl::StatusOr<std::string> config = BuildRuntimeConfig(std::nullopt, "configuration", options.plugin_dirs);
  strata_runtime* runtime = nullptr;
  strata_error error{};
  error.struct_size = sizeof(error);
  if (!config.ok()) {
    failure = std::string(config.status().message());
  } else if (strata_runtime_new(config->c_str(), &runtime, &error) != STRATA_OK) {
    failure = error.message;
  } else {
    strata_runtime_list_plugins(
        runtime,
        [](void* user, const char* name, const char* version, const char*) {
          static_cast<std::vector<std::string>*>(user)->push_back(absl::StrCat(name, "/", version));
        },
        &plugins);
    strata_runtime_free(runtime);
  }
  auto has = [&](absl::string_view prefix) {
    return std::any_of(plugins.begin(), plugins.end(), [&](const std::string& p) { return absl::StartsWith(p, prefix); });
  };
  absl::StrAppend(&out, "Plugins: ", failure.empty() ? absl::StrJoin(plugins, " ") : "none loaded (" + failure + ")",
                  "\n");
  absl::StrAppend(&out, "Protocols: http", has("tls/") ? " https" : "", "\n");
  std::vector<std::string> features = {"alt-svc", "brotli", "cookies"};
  if (has("h2")) features.push_back("h2c");
  if (has("h2")) features.push_back("HTTP2");
  if (has("h3/") && has("udp/")) features.push_back("HTTP3");
  if (has("tls/")) features.push_back("HTTPS-proxy");
  for (const char* f : {"IPv6", "Largefile", "libz", "PSL"}) features.push_back(f);
  if (has("tls/")) features.push_back("SSL");
  features.push_back("zstd");
  absl::StrAppend(&out, "Features: ", absl::StrJoin(features, " "), "\n");
  return out;
}

// ExpandGlobs replaces each URL by the URLs its glob stands for, each -o
// with "#N" filled in (an -o binds to the URL at its index, so outputs stay
// aligned). A malformed glob is curl's error 3.
int ExpandGlobs(CliOptions* options) {
  std::vector<std::string> urls;
  std::vector<OutputTarget> outputs;
  for (size_t i = 0; i < options->urls.size(); ++i) {
    absl::StatusOr<std::vector<GlobbedUrl>> expanded = ExpandUrlGlob(options->urls[i]);
    if (!expanded.ok()) {
      if (!options->silent || options->show_error) {
        WriteStderr(absl::StrCat("strata: (", kExitUrlMalformed, ") ", expanded.status().message(), "\n"));
      }
      return kExitUrlMalformed;
    }
    for (const GlobbedUrl& g : *expanded) {
      urls.push_back(g.url);
      if (i < options->outputs.size()) {
        OutputTarget target = options->outputs[i];
        if (target.kind == OutputTarget::Kind::kFile) target.path = GlobOutputName(target.path, g.values);
        outputs.push_back(std::move(target));
      }
    }
  }
  options->urls = std::move(urls);
  options->outputs = std::move(outputs);
  return kExitOk;
}

int RunCli(int argc, char** argv) {
  // A closed pipe (strata URL | head) must become exit code 23, not a
  // silent death by SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  absl::StatusOr<CliOptions> options = ParseCommandLine(argc, argv);
  if (!options.ok()) {
    WriteStderr(absl::StrCat("strata: ", options.status().message(),
                             "\nstrata: try 'strata --help' for more "
                             "information\n"));
    // A -K file that cannot be read is curl's 26; other mistakes are 2.
    return absl::IsNotFound(options.status()) ? kExitReadError : kExitInit;
  }
  if (options->method_conflict) {
    if (!options->silent) WriteStderr(FormatCurlWarning(*options->method_conflict));
    return kExitInit;
  }
  if (options->remote_name_all) {
    // Every URL without an -o of its own is saved as -O would save it.
    while (options->outputs.size() < options->urls.size()) {
      options->outputs.push_back({OutputTarget::Kind::kRemoteName, ""});
    }
  }
  if (!options->globoff) {
    if (int code = ExpandGlobs(&*options); code != kExitOk) return code;
  } else {
    for (std::string& url : options->urls) url = EscapeGlobCharacters(url);
  }
  if (options->show_help) {
    std::string help = HelpText();
    std::fwrite(help.data(), 1, help.size(), stdout);
    return kExitOk;
  }
  if (options->show_version) {
    std::string text = VersionText(*options);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  // -H @file: read before anything runs; curl warns about a file it
  // cannot open (not with -s) and carries on.
  // Parsing kept only the warnings no earlier -s muted; -H @file's are
  // muted by any -s.
  std::string warnings;
  for (const std::string& w : options->warnings) warnings += FormatCurlWarning(w);
  std::string file_warnings;
  ExpandHeaderFiles(*options, &file_warnings);
  if (!options->silent) warnings += file_warnings;
  if (!warnings.empty()) WriteStderr(warnings);
  Cli cli(*options);
  return cli.Run();
}

}  // namespace strata::cli
