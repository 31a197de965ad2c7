// response_head.h — reading response heads from the runtime's DATA_IN
// events.
//
// The body writer runs before strata_fetch returns the response, so -i,
// -f and the progress meter learn the status and Content-Length from the
// header text the runtime reports as it arrives. The text may come as one
// event per head or per line; HeadTracker accepts either.
#ifndef STRATA_TOOLS_CLI_RESPONSE_HEAD_H_
#define STRATA_TOOLS_CLI_RESPONSE_HEAD_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

namespace strata::cli {

// SplitLines splits |text| at "\n", drops a "\r" before it, and drops the
// empty piece after a final newline ("a\r\nb\r\n" → {"a", "b"}).
std::vector<absl::string_view> SplitLines(absl::string_view text);

class HeadTracker {
 public:
  // Feed takes one DATA_IN message and returns its lines in the wire form
  // -i prints ("Name: value\r\n"). A status line ("HTTP/1.1 200 OK", or
  // ":status: 200" from an HTTP/2 layer) starts a new head, first closing
  // the previous one with its blank line if the text did not carry it.
  std::string Feed(absl::string_view text);

  // CloseHead returns the blank line that ends the current head if it has
  // not been printed yet, else "". Call it before the first body byte.
  std::string CloseHead();

  // Reset forgets everything (a new transfer).
  void Reset() { *this = HeadTracker(); }

  int status() const { return status_; }              // 0 until known
  int64_t content_length() const { return content_length_; }  // -1 unknown
  bool seen_any() const { return heads_ > 0; }
  int heads() const { return heads_; }

 private:
  int status_ = 0;
  int64_t content_length_ = -1;
  int heads_ = 0;
  bool open_ = false;  // a head's lines were printed without its blank line
};

// FormatHead builds a head for -i/-I from a response when no DATA_IN text
// arrived: "HTTP/1.1 200\r\n" (no reason phrase: the API has none), the
// headers, and the blank line.
std::string FormatHead(int http_version, int status,
                       const std::vector<std::pair<std::string, std::string>>&
                           headers);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_RESPONSE_HEAD_H_
