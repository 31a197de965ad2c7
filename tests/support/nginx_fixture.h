// nginx_fixture.h — a real nginx on 127.0.0.1 for integration tests.
//
// Each fixture runs its own nginx (Debian's /usr/sbin/nginx) in the
// foreground with master_process off, on a free port, with every path it
// writes (config, logs, pid, temp dirs, docroot) in a fresh directory under
// $TEST_TMPDIR, so fixtures in parallel tests never share anything. The
// access log records, per request, nginx's connection serial number, so a
// test can prove on the server side that two requests shared a connection.
//
// Built-in locations (all under the docroot the test fills):
//   /...            static files
//   /chunked/...    the same files passed through sub_filter ('a' → 'b'),
//                   which drops Content-Length, so nginx answers chunked
//   /upload         reads the request body into a file that is kept, and
//                   logs its path ($request_body_file), then answers
//                   200 "stored\n" (via a proxied subrequest to itself)
//   /dav/...        PUT writes the body to <docroot>/dav/... (dav module)
//   /headers        200 with the request's User-Agent and X-Strata-Test
// A missing file gives nginx's own 404.
#ifndef STRATA_TESTS_SUPPORT_NGINX_FIXTURE_H_
#define STRATA_TESTS_SUPPORT_NGINX_FIXTURE_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace strata::test {

struct NginxOptions {
  // Extra text inserted verbatim in the server block, e.g. location blocks.
  std::vector<std::string> extra_locations;
  // keepalive_requests / keepalive_timeout of the server.
  int keepalive_requests = 1000;
  std::string keepalive_timeout = "60s";
};

// One line of the access log.
struct AccessLogEntry {
  uint64_t connection = 0;       // $connection: serial number of the connection
  uint64_t connection_requests = 0;  // $connection_requests: nth on it
  std::string request;           // $request: "GET /a HTTP/1.1"
  int status = 0;
  uint64_t request_length = 0;   // bytes of request line, head and body
  // The request's Content-Length; for a chunked request nginx fills in the
  // decoded length once it has read the body.
  std::string content_length;
  uint64_t body_bytes_sent = 0;
  std::string request_body_file; // where /upload kept the body, "-" otherwise
  std::string transfer_encoding; // the request's Transfer-Encoding, "-" if none
};

class NginxFixture {
 public:
  explicit NginxFixture(NginxOptions options = {});
  ~NginxFixture();
  NginxFixture(const NginxFixture&) = delete;
  NginxFixture& operator=(const NginxFixture&) = delete;

  // Start writes the configuration and starts nginx, waiting (bounded) until
  // the port accepts connections. Retries with a new port if another process
  // took the one chosen. Returns false with *error (including the tail of
  // nginx's error log) on failure.
  bool Start(std::string* error);
  // Stop ends nginx (SIGQUIT, then SIGKILL after a grace period).
  void Stop();

  uint16_t port() const { return port_; }
  // Url returns "http://127.0.0.1:<port><path>".
  std::string Url(const std::string& path) const;
  const std::string& dir() const { return dir_; }
  const std::string& docroot() const { return docroot_; }

  // WriteDocFile creates <docroot>/<relative> (and its directories).
  void WriteDocFile(const std::string& relative, const std::string& content) const;

  // AccessLog parses the access log as it is now.
  std::vector<AccessLogEntry> AccessLog() const;
  // WaitForAccessLog waits until at least |n| entries are logged: nginx logs
  // after it has sent the response, so a fast client can look first.
  std::vector<AccessLogEntry> WaitForAccessLog(
      size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  // SettledAccessLogSize: the number of entries once none has been added for
  // |quiet| (an earlier test's last line may still be on its way), for a
  // "nothing more reached nginx" check.
  size_t SettledAccessLogSize(std::chrono::milliseconds quiet = std::chrono::milliseconds(150)) const;
  std::string ErrorLog() const;

 private:
  bool StartOnce(std::string* error, bool* port_clash);
  std::string Config() const;

  NginxOptions options_;
  std::string dir_;
  std::string docroot_;
  uint16_t port_ = 0;
  Process process_;
  bool started_ = false;
};

// NginxBinary is the nginx used by the fixtures.
const char* NginxBinary();

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_NGINX_FIXTURE_H_
