#include "tools/cli/output_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace strata::cli {
namespace {

// Large enough that a gigabit stream needs few syscalls, small enough not
// to matter for RSS.
constexpr size_t kBufferSize = 256 * 1024;

}  // namespace

OutputSink::OutputSink(int fd, bool owns_fd, bool interactive,
                       std::string name, std::string path)
    : fd_(fd),
      owns_fd_(owns_fd),
      interactive_(interactive),
      name_(std::move(name)),
      path_(std::move(path)),
      buffer_(new char[kBufferSize]) {}

OutputSink::~OutputSink() { Close().IgnoreError(); }

std::unique_ptr<OutputSink> OutputSink::ForFd(int fd, bool interactive) {
  return std::unique_ptr<OutputSink>(new OutputSink(
      fd, false, interactive, fd == 1 ? "stdout" : "output", ""));
}

std::unique_ptr<OutputSink> OutputSink::ForFile(std::string path, bool append) {
  std::string name = path;
  std::unique_ptr<OutputSink> sink(new OutputSink(-1, true, false, std::move(name), std::move(path)));
  sink->append_ = append;
  return sink;
}

absl::Status OutputSink::Open() {
  if (!error_.ok()) return error_;
  if (fd_ >= 0 || path_.empty()) return absl::OkStatus();
  const int mode = exclusive_ ? O_EXCL : append_ ? O_APPEND : O_TRUNC;
  fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | mode | O_CLOEXEC, 0666);
  if (fd_ < 0) {
    error_ = absl::PermissionDeniedError(absl::StrCat(
        "Failed to open the file ", path_, ": ", std::strerror(errno)));
  }
  path_.clear();  // opened (or failed) once; never reopened
  return error_;
}

absl::Status OutputSink::OpenNew(std::string path) {
  if (fd_ >= 0 || used_ > 0 || !error_.ok()) {
    return absl::FailedPreconditionError("the output file was already opened");
  }
  name_ = path;
  path_ = std::move(path);
  exclusive_ = true;
  append_ = false;
  if (path_.empty()) {
    // An empty name cannot be created (curl: fopen("") fails likewise).
    error_ = absl::PermissionDeniedError("Failed to open the file : No such file or directory");
    return error_;
  }
  return Open();
}

absl::Status OutputSink::WriteAll(const char* data, size_t len) {
  if (len == 0) return absl::OkStatus();
  if (absl::Status s = Open(); !s.ok()) return s;
  while (len > 0) {
    ssize_t n = write(fd_, data, len);
    if (n < 0) {
      if (errno == EINTR) continue;
      error_ = absl::DataLossError(absl::StrCat(
          "Failure writing output to ", name_, ": ", std::strerror(errno)));
      return error_;
    }
    data += n;
    len -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status OutputSink::Write(absl::string_view data) {
  if (!error_.ok()) return error_;
  if (used_ + data.size() > kBufferSize) {
    if (absl::Status s = Flush(); !s.ok()) return s;
  }
  if (data.size() >= kBufferSize) {
    return WriteAll(data.data(), data.size());
  }
  std::memcpy(buffer_.get() + used_, data.data(), data.size());
  used_ += data.size();
  if (interactive_) return Flush();
  return absl::OkStatus();
}

absl::Status OutputSink::Flush() {
  if (!error_.ok()) return error_;
  size_t len = used_;
  used_ = 0;
  return WriteAll(buffer_.get(), len);
}

absl::Status OutputSink::Close() {
  absl::Status status = Flush();
  if (owns_fd_ && fd_ >= 0) {
    if (close(fd_) != 0 && status.ok()) {
      status = absl::DataLossError(absl::StrCat(
          "Failure writing output to ", name_, ": ", std::strerror(errno)));
    }
    fd_ = -1;
  }
  return status;
}

std::string RemoteName(absl::string_view url) {
  size_t end = url.find_first_of("?#");
  if (end != absl::string_view::npos) url = url.substr(0, end);
  size_t scheme = url.find("://");
  if (scheme != absl::string_view::npos) url.remove_prefix(scheme + 3);
  size_t path = url.find('/');
  if (path == absl::string_view::npos) return "";
  url.remove_prefix(path);
  return std::string(url.substr(url.rfind('/') + 1));
}

}  // namespace strata::cli
