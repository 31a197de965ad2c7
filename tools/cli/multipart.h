// multipart.h — the multipart/form-data body (RFC 7578) that -F builds,
// laid out byte for byte as curl 7.88 lays it out, and streamed: a file
// part is read from its file while the body is sent, never held whole.
//
// Building resolves what must be known before the request starts: every
// file is opened and its size taken (a missing file is curl's exit 26,
// before anything is sent), standard input ("-") is read into memory,
// ;headers=@file files are read. The total size is then known, so the
// request has a Content-Length, unless a file is not a regular one (a pipe
// such as /dev/stdin, a device): that one is read to its end while the
// body is sent, and the body goes chunked, as curl sends it.
#ifndef STRATA_TOOLS_CLI_MULTIPART_H_
#define STRATA_TOOLS_CLI_MULTIPART_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/cli/form_parse.h"

namespace strata::cli {

// FormSegment is a run of body bytes: |bytes| itself, or |size| bytes of
// the file at |path| (when path is not empty; size -1: up to its end).
struct FormSegment {
  std::string bytes;
  std::string path;
  int64_t size = 0;
};

// MultipartBody is a body ready to send.
struct MultipartBody {
  std::vector<FormSegment> segments;
  int64_t size = 0;  // all segments' bytes; -1 when a pipe's is unknown
};

// FormStdin reads standard input whole (replaceable for tests).
using FormStdin = std::function<absl::StatusOr<std::string>()>;

// BuildMultipartBody lays out |fields| under |content_type| (the request's
// Content-Type without the boundary: "multipart/form-data", or what -H
// Content-Type gave) with |boundary|. Parts get "form-data" dispositions
// when |content_type| is multipart/form-data, else "attachment" ones, as
// in curl. Warnings (an unreadable ;headers=@file) are appended to
// *warnings without the "Warning: " prefix. A file that cannot be opened
// or read is NotFound with curl's message for exit code 26.
absl::StatusOr<MultipartBody> BuildMultipartBody(const std::vector<FormField>& fields,
                                                 absl::string_view content_type, absl::string_view boundary,
                                                 std::vector<std::string>* warnings,
                                                 const FormStdin& read_stdin = nullptr);

// RandomBoundary is a boundary of curl's shape: 24 '-' and 16 random hex
// digits.
std::string RandomBoundary();

// FormContentTypeHeader is the request's Content-Type: |user_value| (the
// first -H Content-Type's value; "" for "-H Content-Type:") or
// multipart/form-data, with "; boundary=" appended either way, as curl
// does.
std::string FormContentTypeHeader(const std::optional<std::string>& user_value, absl::string_view boundary);

// EscapeFormName escapes a name or filename for Content-Disposition as
// curl 7.88 does (the HTML5 way): '"' is %22, CR %0D and LF %0A.
std::string EscapeFormName(absl::string_view name);

// GuessContentType is curl's Content-Type for a file name's extension
// (.gif .jpg .jpeg .png .svg .txt .htm .html .pdf .xml, any case), or
// nullopt.
std::optional<std::string> GuessContentType(absl::string_view filename);

// MultipartBodyBytes reads all of |body| into memory (for a small body,
// which can then be sent again on a 307/308 redirect or a retry: a
// streamed body cannot be replayed).
absl::StatusOr<std::string> MultipartBodyBytes(const MultipartBody& body);

// MultipartReader streams a body; it borrows |body|, which must outlive
// it. Files are opened one at a time as their bytes are reached.
class MultipartReader {
 public:
  explicit MultipartReader(const MultipartBody* body) : body_(body) {}
  ~MultipartReader();
  MultipartReader(const MultipartReader&) = delete;
  MultipartReader& operator=(const MultipartReader&) = delete;

  // Read fills up to |cap| bytes and returns how many; 0 only at the end.
  // A file that cannot be read, or ended before the size it had when the
  // body was built, is an error.
  absl::StatusOr<size_t> Read(char* buf, size_t cap);
  bool done() const { return index_ >= body_->segments.size(); }

 private:
  const MultipartBody* body_;
  size_t index_ = 0;     // the segment being read
  int64_t offset_ = 0;   // bytes of it already read
  int fd_ = -1;          // its file, once opened
};

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_MULTIPART_H_
