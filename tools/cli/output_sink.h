// output_sink.h — where response bodies (and -i heads) go: stdout or a
// file, written with write(2) through one buffer.
//
// The CLI's CPU cost is measured against curl, so bytes take the shortest
// path: small chunks are gathered in a buffer, chunks at least as large as
// the buffer go straight to write(2), and nothing grows with the body.
#ifndef STRATA_TOOLS_CLI_OUTPUT_SINK_H_
#define STRATA_TOOLS_CLI_OUTPUT_SINK_H_

#include <cstddef>
#include <memory>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace strata::cli {

class OutputSink {
 public:
  // ForFd writes to |fd| (not closed by the sink). |interactive| flushes
  // after every write so a terminal shows bytes as they arrive.
  static std::unique_ptr<OutputSink> ForFd(int fd, bool interactive);
  // ForFile writes to |path|, created (or truncated) at the first write,
  // as curl does, so a transfer that fails before its body leaves an
  // existing file alone and creates no empty one.
  // |append| (-C, resuming) adds to an existing file instead.
  static std::unique_ptr<OutputSink> ForFile(std::string path, bool append = false);

  // Open creates the file now if it was not yet (a successful transfer
  // with an empty body still leaves a file). No-op for descriptors.
  absl::Status Open();

  // OpenNew (-J) names the file afresh and creates it now, refusing to
  // replace an existing file (O_EXCL): the error is "Failed to open the
  // file PATH: File exists". Only before anything was opened or written.
  absl::Status OpenNew(std::string path);

  ~OutputSink();
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;

  // Write queues or writes |data|; an error (disk full, closed pipe) is
  // sticky and later writes fail at once.
  absl::Status Write(absl::string_view data);
  absl::Status Flush();
  // Close flushes and closes a file the sink opened.
  absl::Status Close();

  const std::string& name() const { return name_; }

 private:
  OutputSink(int fd, bool owns_fd, bool interactive, std::string name,
             std::string path);
  absl::Status WriteAll(const char* data, size_t len);

  int fd_;
  bool owns_fd_;
  bool interactive_;
  std::string name_;
  std::string path_;  // "" for a descriptor given to ForFd
  bool append_ = false;
  bool exclusive_ = false;  // OpenNew: never replace an existing file
  std::unique_ptr<char[]> buffer_;
  size_t used_ = 0;
  absl::Status error_;
};

// RemoteName is the file name -O uses: the URL's last path segment,
// without query or fragment; "" when the URL ends in "/".
std::string RemoteName(absl::string_view url);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_OUTPUT_SINK_H_
