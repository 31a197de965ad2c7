#include "tests/integration/h2/h2_peers.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "tests/support/free_port.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;

bool WaitForPort(uint16_t port, Process* process) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (PortAcceptsConnections(port)) return true;
    if (!process->Running()) return false;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

uint64_t Fnv1a64(const std::string& data) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Nghttpd::Nghttpd(uint32_t max_concurrent_streams)
    : docroot_(MakeTempDir("nghttpd-docs")), max_concurrent_streams_(max_concurrent_streams) {}

Nghttpd::~Nghttpd() { process_.Stop(2s); }

void Nghttpd::WriteDocFile(const std::string& name, const std::string& content) const {
  WriteFileOrDie(docroot_ + "/" + name, content);
}

bool Nghttpd::Start(std::string* error) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreePort();
    ProcessOptions o;
    o.argv = {"/usr/sbin/nghttpd", "--echo-upload", "-d", docroot_};
    if (key_.empty()) o.argv.push_back("--no-tls");
    if (max_concurrent_streams_ > 0) {
      o.argv.push_back("--max-concurrent-streams=" + std::to_string(max_concurrent_streams_));
    }
    o.argv.push_back(std::to_string(port_));
    if (!key_.empty()) {
      o.argv.push_back(key_);
      o.argv.push_back(cert_);
    }
    if (!process_.Start(o, error)) return false;
    if (WaitForPort(port_, &process_)) return true;
    process_.Stop(1s);  // probably a port clash: try another
  }
  *error = "nghttpd did not start: " + Log();
  return false;
}

std::string Nghttpd::Log() const { return process_.Stdout() + process_.Stderr(); }

bool AlpnNginx::Start(std::string* error) {
  if (!pki_.MakeCa("ca", error) || !pki_.MakeLocalhostLeaf("ca", error)) return false;
  const std::string certs = "    ssl_certificate \"" + pki_.Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                            pki_.Key("localhost") + "\";\n";
  const std::string report =
      "    location / { return 200 \"alpn=$ssl_alpn_protocol protocol=$server_protocol\\n\"; }\n";
  h1_port_ = nginx_.AddServer(certs + report);
  // TlsNginx writes a plain "ssl" listen line; this block adds a port of
  // its own with http2.
  h2_port_ = FreePort();
  nginx_.AddServer("    listen 127.0.0.1:" + std::to_string(h2_port_) + " ssl http2;\n" + certs + report);
  if (!nginx_.Start(error)) return false;
  for (int i = 0; i < 200 && !PortAcceptsConnections(h2_port_); ++i) std::this_thread::sleep_for(10ms);
  if (PortAcceptsConnections(h2_port_)) return true;
  *error = "nginx does not accept connections on its http2 port: " + nginx_.ErrorLog();
  return false;
}

ApacheH2c::ApacheH2c(bool mpm_event) : mpm_event_(mpm_event) {
  std::string templ = "/tmp/strata-apache-h2c-XXXXXX";
  char* made = mkdtemp(templ.data());
  if (!made) abort();
  dir_ = made;
  chmod(made, 0755);
  mkdir((dir_ + "/docs").c_str(), 0755);
  mkdir((dir_ + "/logs").c_str(), 0755);
}

ApacheH2c::~ApacheH2c() {
  Stop();
  if (dir_.rfind("/tmp/strata-apache-h2c-", 0) == 0) {
    std::string cmd = "rm -rf '" + dir_ + "'";
    if (system(cmd.c_str()) != 0) {
    }
  }
}

void ApacheH2c::WriteDocFile(const std::string& name, const std::string& content) const {
  const std::string path = dir_ + "/docs/" + name;
  WriteFileOrDie(path, content);
  chmod(path.c_str(), 0644);
}

bool ApacheH2c::Start(std::string* error) {
  const std::string modules = "/usr/lib/apache2/modules/";
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreePort();
    std::string conf =
        "ServerRoot \"" + dir_ + "\"\n"
        "ServerName 127.0.0.1\n"
        "Listen 127.0.0.1:" + std::to_string(port_) + "\n"
        "PidFile \"" + dir_ + "/httpd.pid\"\n"
        "ErrorLog \"" + dir_ + "/logs/error.log\"\n"
        "LogLevel warn\n" +
        (mpm_event_ ? "LoadModule mpm_event_module " + modules + "mod_mpm_event.so\n"
                    : "LoadModule mpm_worker_module " + modules + "mod_mpm_worker.so\n") +
        "LoadModule authz_core_module " + modules + "mod_authz_core.so\n"
        "LoadModule mime_module " + modules + "mod_mime.so\n"
        "LoadModule http2_module " + modules + "mod_http2.so\n"
        "TypesConfig /etc/mime.types\n"
        "User nobody\nGroup nogroup\n"
        "DocumentRoot \"" + dir_ + "/docs\"\n"
        "<Directory \"" + dir_ + "/docs\">\n  Require all granted\n</Directory>\n"
        "KeepAlive On\nKeepAliveTimeout 30\n"
        "Protocols h2c http/1.1\nH2Upgrade on\n";
    WriteFileOrDie(dir_ + "/httpd.conf", conf);
    ProcessOptions o;
    o.argv = {"/usr/sbin/apache2", "-f", dir_ + "/httpd.conf", "-DFOREGROUND"};
    if (!process_.Start(o, error)) return false;
    started_ = true;
    if (WaitForPort(port_, &process_)) return true;
    Stop();
  }
  *error = "apache2 did not start: " + process_.Stderr() + ErrorLog();
  return false;
}

void ApacheH2c::Stop() {
  if (!started_) return;
  started_ = false;
  process_.Stop(5s);
}

std::string ApacheH2c::ErrorLog() const { return ReadFileIfExists(dir_ + "/logs/error.log"); }

}  // namespace strata::test
