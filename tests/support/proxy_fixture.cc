#include "tests/support/proxy_fixture.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include <chrono>
#include <thread>

#include "tests/support/free_port.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;

bool WaitForPort(uint16_t port, Process* process, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (PortAcceptsConnections(port)) return true;
    if (!process->Running()) return false;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// DaemonDir makes a directory the unprivileged user a daemon drops to can
// reach: $TEST_TMPDIR may sit under /root (mode 0700) when tests run as
// root, so the directory lives under /tmp and the fixture removes it.
std::string DaemonDir(const char* prefix) {
  std::string templ = std::string("/tmp/strata-") + prefix + "-XXXXXX";
  char* made = mkdtemp(templ.data());
  if (!made) abort();
  chmod(made, 0777);
  return made;
}

void RemoveDir(const std::string& dir) {
  if (dir.rfind("/tmp/strata-", 0) != 0) return;  // never anything else
  std::string cmd = "rm -rf '" + dir + "'";
  if (system(cmd.c_str()) != 0) {
  }
}

}  // namespace

SquidFixture::SquidFixture() : dir_(DaemonDir("squid")) {}

SquidFixture::~SquidFixture() {
  Stop();
  RemoveDir(dir_);
}

void SquidFixture::EnableTls(const std::string& cert, const std::string& key) {
  cert_ = cert;
  key_ = key;
}

bool SquidFixture::Start(std::string* error) {
  port_ = FreePort();
  std::string tls;
  if (!cert_.empty()) {
    tls_port_ = FreePort();
    tls = "https_port 127.0.0.1:" + std::to_string(tls_port_) + " tls-cert=" + cert_ + " tls-key=" + key_ + "\n";
  }
  std::string conf = "http_port 127.0.0.1:" + std::to_string(port_) + "\n" + tls +
                     "pid_filename " + dir_ + "/squid.pid\n"
                     "cache_log " + dir_ + "/cache.log\n"
                     "access_log stdio:" + dir_ + "/access.log\n"
                     "cache_store_log none\n"
                     "cache deny all\n"
                     "coredump_dir " + dir_ + "\n"
                     "netdb_filename none\n"
                     "pinger_enable off\n"
                     "shutdown_lifetime 0 seconds\n"
                     "dns_v4_first on\n"
                     "acl local src 127.0.0.0/8\n"
                     "acl CONNECT method CONNECT\n"
                     "http_access allow local\n"
                     "http_access deny all\n"
                     "forwarded_for delete\n"
                     "via off\n";
  WriteFileOrDie(dir_ + "/squid.conf", conf);
  ProcessOptions opts;
  // A service name of its own: squid names its shared memory after it, so
  // two squids with the default name collide.
  opts.argv = {"/usr/sbin/squid", "-N", "-n", "strata" + std::to_string(port_), "-f", dir_ + "/squid.conf"};
  if (!process_.Start(opts, error)) return false;
  started_ = true;
  if (!WaitForPort(port_, &process_, 20s) || (tls_port_ && !WaitForPort(tls_port_, &process_, 10s))) {
    *error = "squid did not start: " + ReadFileIfExists(dir_ + "/cache.log") + process_.Stderr();
    Stop();
    return false;
  }
  return true;
}

void SquidFixture::Stop() {
  if (!started_) return;
  started_ = false;
  process_.Stop(2s);
}

std::string SquidFixture::AccessLog() const { return ReadFileIfExists(dir_ + "/access.log"); }
std::string SquidFixture::CacheLog() const { return ReadFileIfExists(dir_ + "/cache.log"); }

TinyproxyFixture::TinyproxyFixture(std::string user, std::string password)
    : dir_(DaemonDir("tinyproxy")), user_(std::move(user)), password_(std::move(password)) {}

TinyproxyFixture::~TinyproxyFixture() {
  Stop();
  RemoveDir(dir_);
}

bool TinyproxyFixture::Start(std::string* error) {
  port_ = FreePort();
  std::string conf = "User nobody\nGroup nogroup\n"
                     "Port " + std::to_string(port_) + "\n"
                     "Listen 127.0.0.1\n"
                     "Timeout 30\n"
                     "LogFile \"" + dir_ + "/tinyproxy.log\"\n"
                     "LogLevel Info\n"
                     "PidFile \"" + dir_ + "/tinyproxy.pid\"\n"
                     "MaxClients 50\n"
                     "Allow 127.0.0.1\n"
                     "DisableViaHeader Yes\n";
  if (!user_.empty()) conf += "BasicAuth " + user_ + " " + password_ + "\n";
  WriteFileOrDie(dir_ + "/tinyproxy.conf", conf);
  ProcessOptions opts;
  opts.argv = {"/usr/bin/tinyproxy", "-d", "-c", dir_ + "/tinyproxy.conf"};
  if (!process_.Start(opts, error)) return false;
  started_ = true;
  if (!WaitForPort(port_, &process_, 10s)) {
    *error = "tinyproxy did not start: " + Log() + process_.Stderr();
    Stop();
    return false;
  }
  return true;
}

void TinyproxyFixture::Stop() {
  if (!started_) return;
  started_ = false;
  process_.Stop(2s);
}

std::string TinyproxyFixture::Log() const { return ReadFileIfExists(dir_ + "/tinyproxy.log"); }

NghttpxFixture::NghttpxFixture(uint16_t backend_port, std::string cert, std::string key)
    : dir_(DaemonDir("nghttpx")), backend_port_(backend_port), cert_(std::move(cert)), key_(std::move(key)) {}

NghttpxFixture::~NghttpxFixture() {
  Stop();
  RemoveDir(dir_);
}

bool NghttpxFixture::Start(std::string* error) {
  port_ = FreePort();
  ProcessOptions opts;
  // --conf=/dev/null: no system configuration file; one worker so the log
  // lines come in order.
  opts.argv = {"/usr/sbin/nghttpx",
               "--conf=/dev/null",
               "--http2-proxy",
               "--frontend=127.0.0.1," + std::to_string(port_),
               "--backend=127.0.0.1," + std::to_string(backend_port_),
               "--workers=1",
               // nghttpx -s opens at most 8 backend connections per origin
               // by default and queues further CONNECTs to it until one
               // closes; tests run more tunnels than that at once.
               "--backend-connections-per-host=64",
               "--no-ocsp",
               "--accesslog-file=" + dir_ + "/access.log",
               "--accesslog-format=$remote_port $alpn \"$request\" $status",
               "--errorlog-file=" + dir_ + "/error.log",
               "--pid-file=" + dir_ + "/nghttpx.pid",
               key_,
               cert_};
  if (!process_.Start(opts, error)) return false;
  started_ = true;
  if (!WaitForPort(port_, &process_, 20s)) {
    *error = "nghttpx did not start: " + ErrorLog() + process_.Stderr();
    Stop();
    return false;
  }
  return true;
}

void NghttpxFixture::Stop() {
  if (!started_) return;
  started_ = false;
  process_.Stop(2s);
}

std::string NghttpxFixture::AccessLog() const { return ReadFileIfExists(dir_ + "/access.log"); }
std::string NghttpxFixture::ErrorLog() const { return ReadFileIfExists(dir_ + "/error.log"); }

}  // namespace strata::test
