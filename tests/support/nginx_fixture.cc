#include "tests/support/nginx_fixture.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <thread>

#include "tests/support/free_port.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

void MakeDirs(const std::string& path) {
  // mkdir -p: create each prefix; existing directories are fine.
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    mkdir(path.substr(0, pos).c_str(), 0755);
  }
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return parts;
    start = pos + 1;
  }
}

uint64_t ToU64(const std::string& s) { return std::strtoull(s.c_str(), nullptr, 10); }

std::string Tail(const std::string& text, size_t n) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

}  // namespace

const char* NginxBinary() { return "/usr/sbin/nginx"; }

NginxFixture::NginxFixture(NginxOptions options) : options_(std::move(options)) {
  dir_ = MakeTempDir("nginx-");
  docroot_ = dir_ + "/www";
  MakeDirs(docroot_ + "/chunked");
  MakeDirs(docroot_ + "/dav");
  MakeDirs(dir_ + "/temp/uploads");
}

NginxFixture::~NginxFixture() { Stop(); }

std::string NginxFixture::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void NginxFixture::WriteDocFile(const std::string& relative, const std::string& content) const {
  std::string path = docroot_ + "/" + relative;
  size_t slash = path.rfind('/');
  MakeDirs(path.substr(0, slash));
  WriteFileOrDie(path, content);
}

std::string NginxFixture::Config() const {
  const std::string& d = dir_;
  std::ostringstream c;
  // master_process off: one process we can stop and whose exit we see.
  c << "daemon off;\nmaster_process off;\nworker_processes 1;\n";
  // As root nginx would switch to "nobody", which Bazel's sandbox lacks.
  if (geteuid() == 0) c << "user root root;\n";
  c << "error_log \"" << d << "/error.log\" info;\n"
    << "pid \"" << d << "/nginx.pid\";\n"
    << "events { worker_connections 256; }\n"
    << "http {\n"
    << "  default_type application/octet-stream;\n"
    << "  types { text/plain txt; text/html html; }\n"
    << "  client_body_temp_path \"" << d << "/temp/client_body\";\n"
    << "  proxy_temp_path \"" << d << "/temp/proxy\";\n"
    << "  fastcgi_temp_path \"" << d << "/temp/fastcgi\";\n"
    << "  uwsgi_temp_path \"" << d << "/temp/uwsgi\";\n"
    << "  scgi_temp_path \"" << d << "/temp/scgi\";\n"
    // '|' separates fields: $request contains spaces.
    << "  log_format strata '$connection|$connection_requests|$request|$status|"
       "$request_length|$content_length|$body_bytes_sent|$request_body_file|"
       "$http_transfer_encoding';\n"
    << "  access_log \"" << d << "/access.log\" strata;\n"
    << "  keepalive_requests " << options_.keepalive_requests << ";\n"
    << "  keepalive_timeout " << options_.keepalive_timeout << ";\n"
    << "  client_max_body_size 256m;\n"
    << "  server {\n"
    << "    listen 127.0.0.1:" << port_ << ";\n"
    << "    server_name localhost;\n"
    << "    root \"" << docroot_ << "\";\n"
    << "    location / { }\n"
    // sub_filter changes the length, so nginx must send chunked.
    << "    location /chunked/ {\n"
    << "      sub_filter_types *;\n"
    << "      sub_filter_once off;\n"
    << "      sub_filter 'a' 'b';\n"
    << "    }\n"
    // The body is kept in a file whose path is logged: byte-exact proof
    // that the upload arrived. return alone would discard the body unread,
    // so the body is read by proxying to ourselves.
    << "    location = /upload {\n"
    << "      client_body_in_file_only on;\n"
    << "      client_body_temp_path \"" << d << "/temp/uploads\";\n"
    << "      proxy_pass http://127.0.0.1:" << port_ << "/upload-done;\n"
    << "    }\n"
    << "    location = /upload-done { return 200 \"stored\\n\"; }\n"
    << "    location /dav/ {\n"
    << "      dav_methods PUT DELETE;\n"
    << "      create_full_put_path on;\n"
    << "    }\n"
    << "    location = /headers {\n"
    << "      return 200 \"ua=$http_user_agent test=$http_x_strata_test\\n\";\n"
    << "    }\n";
  for (const std::string& extra : options_.extra_locations) c << "    " << extra << "\n";
  c << "  }\n}\n";
  return c.str();
}

bool NginxFixture::StartOnce(std::string* error, bool* port_clash) {
  *port_clash = false;
  port_ = FreePort();
  std::string conf = dir_ + "/nginx.conf";
  WriteFileOrDie(conf, Config());
  std::string error_log = dir_ + "/error.log";
  WriteFileOrDie(error_log, "");
  ProcessOptions opts;
  // -e: nginx opens its compiled-in error log (/var/log/nginx) before it
  // reads the config unless told otherwise.
  opts.argv = {NginxBinary(), "-p", dir_ + "/", "-c", conf, "-e", error_log};
  opts.stdout_path = dir_ + "/nginx.stdout";
  opts.stderr_path = dir_ + "/nginx.stderr";
  if (!process_.Start(opts, error)) return false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_.Running()) {
      std::string log = ErrorLog() + process_.Stderr();
      *port_clash = log.find("Address already in use") != std::string::npos;
      *error = "nginx exited during startup: " + Tail(log, 2000);
      return false;
    }
    if (PortAcceptsConnections(port_)) {
      started_ = true;
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  *error = "nginx did not accept connections within 15 s: " + Tail(ErrorLog(), 2000);
  process_.Stop();
  return false;
}

bool NginxFixture::Start(std::string* error) {
  bool port_clash = false;
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (StartOnce(error, &port_clash)) return true;
    if (!port_clash) return false;
  }
  return false;
}

void NginxFixture::Stop() {
  if (process_.pid() > 0) process_.Stop(std::chrono::seconds(5));
  started_ = false;
}

std::vector<AccessLogEntry> NginxFixture::AccessLog() const {
  std::vector<AccessLogEntry> entries;
  std::istringstream in(ReadFileIfExists(dir_ + "/access.log"));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = Split(line, '|');
    if (f.size() != 9) continue;
    AccessLogEntry e;
    e.connection = ToU64(f[0]);
    e.connection_requests = ToU64(f[1]);
    e.request = f[2];
    e.status = std::atoi(f[3].c_str());
    e.request_length = ToU64(f[4]);
    e.content_length = f[5];
    e.body_bytes_sent = ToU64(f[6]);
    e.request_body_file = f[7];
    e.transfer_encoding = f[8];
    entries.push_back(e);
  }
  return entries;
}

std::vector<AccessLogEntry> NginxFixture::WaitForAccessLog(
    size_t n, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::vector<AccessLogEntry> entries = AccessLog();
    if (entries.size() >= n || std::chrono::steady_clock::now() >= deadline) return entries;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

size_t NginxFixture::SettledAccessLogSize(std::chrono::milliseconds quiet) const {
  size_t size = AccessLog().size();
  auto stable_since = std::chrono::steady_clock::now();
  const auto give_up = stable_since + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() - stable_since < quiet && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const size_t now = AccessLog().size();
    if (now != size) {
      size = now;
      stable_since = std::chrono::steady_clock::now();
    }
  }
  return size;
}

std::string NginxFixture::ErrorLog() const { return ReadFileIfExists(dir_ + "/error.log"); }

}  // namespace strata::test
