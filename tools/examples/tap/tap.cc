// tap.cc — the `tap` example plugin: a byte-stream layer that records the
// bytes crossing it, in both directions, to a file.
//
// Put it between any two layers. Between `tls` and `h1` it shows the
// plaintext HTTP/1.1 exchange of an https:// connection:
//
//   "https": ["tcp", "tls", {"layer": "tap", "options": {"file": "/tmp/t.log"}}, "h1"]
//
// The log (README.md in this folder) is a sequence of records:
//
//   # connected 127.0.0.1:8443 hop 1      once this layer carries data
//   > 78 bytes                             sent: a header line, the raw bytes,
//   GET /x HTTP/1.1\r\n...                 then one "\n" so the next record
//                                          starts on its own line
//   < 230 bytes                            received, the same way
//   < end of stream                        the layer below reported EOF
//
// The byte count makes the log parseable even when the payload is binary or
// contains lines that look like record headers.
//
// It is built only against the installed headers (strata/sdk.hpp and the C
// ABI under it), never against the runtime: see the Makefile.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "strata/sdk.hpp"

namespace {

class Tap : public strata::sdk::ByteStreamLayer {
 public:
  Tap(strata_layer_ctx* ctx, const strata_layer_config* config)
      : ByteStreamLayer(ctx), path_(Option("file")) {
    // create() must not do I/O, so the file is opened in Connect; a missing
    // option is a configuration mistake and is reported right away.
    if (path_.empty()) {
      throw strata::sdk::Error(STRATA_E_CONFIG,
                               "tap: option \"file\" is required (the path of the log to write)");
    }
    peer_ = std::string(config->host ? config->host : "") + ":" + std::to_string(config->port);
    hop_ = config->hop;
  }

  ~Tap() override {
    if (fd_ >= 0) close(fd_);
  }

  strata_status Connect(int* done) override {
    if (fd_ < 0) {
      // O_APPEND: every connection of a process may share one log, and each
      // record goes out in a single write(), so records never interleave.
      fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
      if (fd_ < 0) {
        return Fail(STRATA_E_IO, "tap: cannot open " + path_ + ": " + std::strerror(errno) +
                                     " (check the \"file\" option)");
      }
    }
    strata_status st = LowerConnect(done);
    if (st == STRATA_OK && *done && !announced_) {
      announced_ = true;
      Record("# connected " + peer_ + " hop " + std::to_string(hop_) + "\n");
    }
    return st;
  }

  strata_status Send(const uint8_t* data, size_t len, size_t* written) override {
    strata_status st = LowerSend(data, len, written);
    // Only what the layer below accepted was sent; the rest comes again.
    if (st == STRATA_OK) RecordBytes('>', data, *written);
    return st;
  }

  strata_status Recv(uint8_t* buf, size_t cap, size_t* read) override {
    strata_status st = LowerRecv(buf, cap, read);
    if (st == STRATA_OK) {
      if (*read == 0) {
        Record("< end of stream\n");
      } else {
        RecordBytes('<', buf, *read);
      }
    }
    return st;
  }

  strata_status Query(uint32_t query, void* out, size_t* len) override {
    // DESCRIBE names this layer alone in the chain the runtime prints
    // ("tcp(…) → tls(…) → tap(/tmp/t.log) → h1"); everything else is for the
    // layers below.
    if (query == STRATA_QUERY_DESCRIBE) return AnswerText("tap(" + path_ + ")", out, len);
    return LowerQuery(query, out, len);
  }

 private:
  void RecordBytes(char direction, const uint8_t* data, size_t len) {
    std::string record;
    record.reserve(len + 32);
    record += direction;
    record += " " + std::to_string(len) + " bytes\n";
    record.append(reinterpret_cast<const char*>(data), len);
    record += '\n';
    Record(record);
  }

  // Record writes one record. A tap must never break the connection it
  // watches, so a failed write is logged (once) and the bytes still flow.
  void Record(const std::string& record) {
    if (fd_ < 0 || write_failed_) return;
    size_t off = 0;
    while (off < record.size()) {
      ssize_t n = write(fd_, record.data() + off, record.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        write_failed_ = true;
        Log(STRATA_LOG_WARN, "tap: writing " + path_ + " failed: " + std::strerror(errno) +
                                 "; recording stops, the connection goes on");
        return;
      }
      off += static_cast<size_t>(n);
    }
  }

  std::string path_;
  std::string peer_;
  int32_t hop_ = 0;
  int fd_ = -1;
  bool announced_ = false;
  bool write_failed_ = false;
};

}  // namespace

STRATA_SDK_PLUGIN("tap", "1.0.0",
                  strata::sdk::StreamLayerType<Tap>(
                      "tap", "records the bytes crossing it, both directions, to the file in option \"file\""))
