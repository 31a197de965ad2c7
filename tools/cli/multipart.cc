#include "tools/cli/multipart.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace strata::cli {
namespace {

constexpr char kReadFailed[] = "Failed to open/read local data from file/application";

// ReadAll reads |fd| to its end.
absl::StatusOr<std::string> ReadAll(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::NotFoundError(kReadFailed);
    if (n == 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

absl::StatusOr<std::string> ReadRealStdin() { return ReadAll(STDIN_FILENO); }

// HeaderValue is the value of the first |headers| line named |name| (as
// curl's search_header: name, ':', spaces skipped), or nullopt.
std::optional<std::string> HeaderValue(const std::vector<std::string>& headers, absl::string_view name) {
  for (const std::string& line : headers) {
    if (line.size() > name.size() && line[name.size()] == ':' &&
        absl::EqualsIgnoreCase(absl::string_view(line).substr(0, name.size()), name)) {
      return std::string(absl::StripLeadingAsciiWhitespace(absl::string_view(line).substr(name.size() + 1)));
    }
  }
  return std::nullopt;
}

// TypeMatches: |type| is |target| followed by its end, a space or ';'.
bool TypeMatches(absl::string_view type, absl::string_view target) {
  if (!absl::StartsWithIgnoreCase(type, target)) return false;
  if (type.size() == target.size()) return true;
  char c = type[target.size()];
  return c == '\t' || c == '\r' || c == '\n' || c == ' ' || c == ';';
}

std::string BaseName(absl::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == absl::string_view::npos ? path : path.substr(slash + 1));
}

// Part is one MIME part before it is laid out (curl's part kinds: data in
// memory, a file, or a multipart of subparts).
struct Part {
  enum class Kind { kData, kFile, kMultipart };
  Kind kind = Kind::kData;
  std::optional<std::string> name;
  std::optional<std::string> filename;
  std::optional<std::string> type;  // ;type=
  std::string data;                 // kData: the bytes
  std::string path;                 // kFile: the file, named for its type too
  int64_t file_size = 0;            // kFile: -1 for a pipe or device (unknown)
  std::vector<std::string> headers;  // the user's, in order
  std::vector<Part> subparts;        // kMultipart
  std::string boundary;              // kMultipart
};

class Builder {
 public:
  Builder(std::vector<std::string>* warnings, FormStdin read_stdin)
      : warnings_(warnings), read_stdin_(std::move(read_stdin)) {}

  // Piece turns one piece into a part: a file (opened and sized now), or
  // data (text, standard input, or a file that is not a regular one).
  absl::StatusOr<Part> Piece(const FormPiece& piece, bool from_file, bool file_names_part) {
    Part part;
    part.type = piece.type;
    part.filename = piece.filename;
    for (const FormHeader& header : piece.headers) {
      if (!header.from_file) {
        part.headers.push_back(header.text);
        continue;
      }
      int fd = open(header.text.c_str(), O_RDONLY | O_CLOEXEC);
      absl::StatusOr<std::string> content = fd < 0 ? absl::NotFoundError(std::strerror(errno)) : ReadAll(fd);
      const int err = errno;
      if (fd >= 0) close(fd);
      if (!content.ok()) {
        warnings_->push_back(absl::StrCat("Cannot read from ", header.text, ": ", std::strerror(err), "\n"));
        continue;
      }
      for (std::string& line : ParseFieldHeaders(*content, header.text, warnings_)) {
        part.headers.push_back(std::move(line));
      }
    }
    if (!from_file) {
      part.data = piece.data;
      return part;
    }
    if (piece.data == "-") {
      // curl reads standard input whole; "@-" names the part "-".
      if (file_names_part && !part.filename) part.filename = "-";
      absl::StatusOr<std::string> content = read_stdin_ ? read_stdin_() : ReadRealStdin();
      if (!content.ok()) return content.status();
      part.data = *std::move(content);
      return part;
    }
    int fd = open(piece.data.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return absl::NotFoundError(kReadFailed);
    struct stat st;
    if (fstat(fd, &st) != 0) {
      close(fd);
      return absl::NotFoundError(kReadFailed);
    }
    close(fd);
    if (file_names_part && !part.filename) part.filename = BaseName(piece.data);
    part.kind = Part::Kind::kFile;
    part.path = piece.data;
    // A pipe or a device is read to its end while the body is sent, its
    // size unknown until then (curl sends such a body chunked).
    part.file_size = S_ISREG(st.st_mode) ? st.st_size : -1;
    return part;
  }

  absl::StatusOr<Part> Field(const FormField& field) {
    Part part;
    if (field.kind == FormField::Kind::kFiles && field.pieces.size() > 1) {
      // Several files: one multipart/mixed part holding them.
      part.kind = Part::Kind::kMultipart;
      part.boundary = RandomBoundary();
      for (const FormPiece& piece : field.pieces) {
        absl::StatusOr<Part> sub = Piece(piece, true, true);
        if (!sub.ok()) return sub.status();
        part.subparts.push_back(*std::move(sub));
      }
    } else {
      absl::StatusOr<Part> single =
          Piece(field.pieces.at(0), field.kind != FormField::Kind::kText, field.kind == FormField::Kind::kFiles);
      if (!single.ok()) return single.status();
      part = *std::move(single);
    }
    part.name = field.name;
    return part;
  }

  // Lay appends |part|'s headers and content to |out|. |disposition| is
  // the parent's ("form-data" or none).
  void Lay(const Part& part, const std::optional<std::string>& disposition, MultipartBody* out) {
    std::optional<std::string> custom = part.type;
    if (!custom) custom = HeaderValue(part.headers, "Content-Type");
    std::optional<std::string> type = custom;
    if (!type) {
      switch (part.kind) {
        case Part::Kind::kMultipart:
          type = "multipart/mixed";
          break;
        case Part::Kind::kFile:
          if (part.filename) type = GuessContentType(*part.filename);
          if (!type) type = GuessContentType(part.path);
          if (!type && part.filename) type = "application/octet-stream";
          break;
        case Part::Kind::kData:
          if (part.filename) type = GuessContentType(*part.filename);
          break;
      }
    }
    // curl leaves text/plain out unless the user asked for it or the
    // part has a file name.
    if (part.kind != Part::Kind::kMultipart && type && !custom && TypeMatches(*type, "text/plain") &&
        !part.filename) {
      type.reset();
    }
    std::string head;
    if (!HeaderValue(part.headers, "Content-Disposition")) {
      std::optional<std::string> d = disposition;
      if (!d && (part.filename || part.name || (type && !absl::StartsWithIgnoreCase(*type, "multipart/")))) {
        d = "attachment";
      }
      if (d && *d == "attachment" && !part.name && !part.filename) d.reset();
      if (d) {
        absl::StrAppend(&head, "Content-Disposition: ", *d);
        if (part.name) absl::StrAppend(&head, "; name=\"", EscapeFormName(*part.name), "\"");
        if (part.filename) absl::StrAppend(&head, "; filename=\"", EscapeFormName(*part.filename), "\"");
        head += "\r\n";
      }
    }
    if (type) {
      absl::StrAppend(&head, "Content-Type: ", *type);
      if (part.kind == Part::Kind::kMultipart) absl::StrAppend(&head, "; boundary=", part.boundary);
      head += "\r\n";
    }
    for (const std::string& header : part.headers) {
      // The user's Content-Type has become the one above.
      if (HeaderValue({header}, "Content-Type")) continue;
      absl::StrAppend(&head, header, "\r\n");
    }
    head += "\r\n";
    Append(out, head);
    switch (part.kind) {
      case Part::Kind::kData:
        Append(out, part.data);
        break;
      case Part::Kind::kFile:
      {
        FormSegment file;
        file.path = part.path;
        file.size = part.file_size;
        out->segments.push_back(std::move(file));
        out->size = out->size < 0 || part.file_size < 0 ? -1 : out->size + part.file_size;
        break;
      }
      case Part::Kind::kMultipart:
        LayParts(part.subparts, part.boundary, TypeMatches(*type, "multipart/form-data"), out);
        break;
    }
  }

  void LayParts(const std::vector<Part>& parts, absl::string_view boundary, bool form_data, MultipartBody* out) {
    const std::optional<std::string> disposition =
        form_data ? std::optional<std::string>("form-data") : std::nullopt;
    for (const Part& part : parts) {
      Append(out, absl::StrCat("--", boundary, "\r\n"));
      Lay(part, disposition, out);
      Append(out, "\r\n");
    }
    Append(out, absl::StrCat("--", boundary, "--\r\n"));
  }

 private:
  // Append adds bytes, joining them to the last segment when it is bytes.
  static void Append(MultipartBody* out, absl::string_view bytes) {
    if (out->segments.empty() || !out->segments.back().path.empty()) out->segments.emplace_back();
    out->segments.back().bytes.append(bytes.data(), bytes.size());
    if (out->size >= 0) out->size += static_cast<int64_t>(bytes.size());
  }

  std::vector<std::string>* warnings_;
  FormStdin read_stdin_;
};

}  // namespace

std::string EscapeFormName(absl::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c == '"') {
      out += "%22";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> GuessContentType(absl::string_view filename) {
  static constexpr std::pair<absl::string_view, absl::string_view> kTypes[] = {
      {".gif", "image/gif"},  {".jpg", "image/jpeg"},     {".jpeg", "image/jpeg"},      {".png", "image/png"},
      {".svg", "image/svg+xml"}, {".txt", "text/plain"},  {".htm", "text/html"},        {".html", "text/html"},
      {".pdf", "application/pdf"}, {".xml", "application/xml"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (absl::EndsWithIgnoreCase(filename, extension)) return std::string(type);
  }
  return std::nullopt;
}

std::string RandomBoundary() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::random_device device;
  std::string out(24, '-');
  for (int i = 0; i < 16; ++i) out.push_back(kHex[device() & 15]);
  return out;
}

std::string FormContentTypeHeader(const std::optional<std::string>& user_value, absl::string_view boundary) {
  return absl::StrCat(user_value ? *user_value : "multipart/form-data", "; boundary=", boundary);
}

absl::StatusOr<MultipartBody> BuildMultipartBody(const std::vector<FormField>& fields, absl::string_view content_type,
                                                 absl::string_view boundary, std::vector<std::string>* warnings,
                                                 const FormStdin& read_stdin) {
  Builder builder(warnings, read_stdin);
  std::vector<Part> parts;
  for (const FormField& field : fields) {
    absl::StatusOr<Part> part = builder.Field(field);
    if (!part.ok()) return part.status();
    parts.push_back(*std::move(part));
  }
  MultipartBody body;
  builder.LayParts(parts, boundary, TypeMatches(content_type, "multipart/form-data"), &body);
  return body;
}

absl::StatusOr<std::string> MultipartBodyBytes(const MultipartBody& body) {
  if (body.size < 0) return absl::FailedPreconditionError("the form's size is unknown");
  std::string out(static_cast<size_t>(body.size), '\0');
  MultipartReader reader(&body);
  size_t filled = 0;
  while (!reader.done()) {
    absl::StatusOr<size_t> n = reader.Read(out.data() + filled, out.size() - filled);
    if (!n.ok()) return n.status();
    if (*n == 0) break;
    filled += *n;
  }
  if (!reader.done() || filled != out.size()) return absl::DataLossError("the form's files changed size");
  return out;
}

MultipartReader::~MultipartReader() {
  if (fd_ >= 0) close(fd_);
}

absl::StatusOr<size_t> MultipartReader::Read(char* buf, size_t cap) {
  size_t filled = 0;
  // Finished segments are left at once, so done() turns true with the
  // read that returns the last byte.
  while (!done()) {
    const FormSegment& segment = body_->segments[index_];
    const int64_t length = segment.path.empty() ? static_cast<int64_t>(segment.bytes.size()) : segment.size;
    if (length >= 0 && offset_ >= length) {
      if (fd_ >= 0) close(fd_);
      fd_ = -1;
      ++index_;
      offset_ = 0;
      continue;
    }
    if (filled == cap) break;
    const size_t want = length < 0 ? cap - filled
                                   : static_cast<size_t>(std::min<int64_t>(length - offset_,
                                                                           static_cast<int64_t>(cap - filled)));
    if (segment.path.empty()) {
      std::memcpy(buf + filled, segment.bytes.data() + offset_, want);
      filled += want;
      offset_ += static_cast<int64_t>(want);
      continue;
    }
    if (fd_ < 0) {
      fd_ = open(segment.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd_ < 0) return absl::DataLossError(absl::StrCat("can't open '", segment.path, "': ", std::strerror(errno)));
      if (offset_ > 0 && lseek(fd_, offset_, SEEK_SET) < 0) {
        return absl::DataLossError(absl::StrCat("can't read '", segment.path, "': ", std::strerror(errno)));
      }
    }
    ssize_t n = read(fd_, buf + filled, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return absl::DataLossError(absl::StrCat("can't read '", segment.path, "': ", std::strerror(errno)));
    if (n == 0 && length < 0) {
      if (fd_ >= 0) close(fd_);
      fd_ = -1;
      ++index_;
      offset_ = 0;
      continue;
    }
    if (n == 0) {
      return absl::DataLossError(absl::StrCat("'", segment.path, "' became shorter while it was sent"));
    }
    filled += static_cast<size_t>(n);
    offset_ += n;
    // A pipe gives what it has; waiting for it to fill |buf| would hold
    // back bytes that could be sent now.
    if (length < 0) break;
  }
  return filled;
}

}  // namespace strata::cli
