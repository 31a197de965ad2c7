#include "tests/integration/tls_e2e/tls_peers.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "tests/support/free_port.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/test_env.h"

namespace strata::test {

// ---------------------------------------------------------------------------
// TestPki

TestPki::TestPki() : dir_(MakeTempDir("pki")) {}

bool TestPki::Run(const std::vector<std::string>& args, std::string* error) {
  ProcessOptions p;
  p.argv = {"/usr/bin/openssl"};
  p.argv.insert(p.argv.end(), args.begin(), args.end());
  RunResult r = RunProcess(p, std::chrono::seconds(30));
  if (!r.start_error.empty() || !r.exit.exited || r.exit.exit_code != 0) {
    *error = "openssl " + args[0] + " failed: " + r.start_error + r.exit.Describe() + "\n" + r.stderr_text;
    return false;
  }
  return true;
}

bool TestPki::PublicKeyPin(const std::string& name, std::string* pin, std::string* error) {
  if (!Run({"x509", "-in", Cert(name), "-pubkey", "-noout", "-out", PublicKey(name)}, error)) return false;
  ProcessOptions sh;
  sh.argv = {"/bin/sh", "-c",
             "openssl pkey -pubin -in '" + PublicKey(name) +
                 "' -outform der | openssl dgst -sha256 -binary | openssl enc -base64"};
  sh.env = {{"PATH", "/usr/bin:/bin"}};
  RunResult r = RunProcess(sh, std::chrono::seconds(30));
  if (!r.start_error.empty() || !r.exit.exited || r.exit.exit_code != 0) {
    *error = "hashing the public key of " + name + " failed: " + r.start_error + r.exit.Describe() + "\n" +
             r.stderr_text;
    return false;
  }
  *pin = "sha256//" + r.stdout_text.substr(0, r.stdout_text.find('\n'));
  return true;
}

bool TestPki::MakeCa(const std::string& name, std::string* error) {
  return Run({"req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
              "-keyout", Key(name), "-out", Cert(name), "-days", "2", "-subj", "/CN=strata test " + name,
              "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
             error);
}

bool TestPki::MakeLeaf(const std::string& name, const std::string& ca, const std::string& common_name,
                       const std::string& san, const std::string& usage, std::string* error) {
  std::string csr = dir_ + "/" + name + ".csr";
  std::string ext = dir_ + "/" + name + ".ext";
  WriteFileOrDie(ext, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                      "extendedKeyUsage=" + usage + "\n" + (san.empty() ? "" : "subjectAltName=" + san + "\n"));
  return Run({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
              Key(name), "-out", csr, "-subj", "/CN=" + common_name},
             error) &&
         Run({"x509", "-req", "-in", csr, "-CA", Cert(ca), "-CAkey", Key(ca), "-set_serial",
              std::to_string(++serial_), "-days", "2", "-out", Cert(name), "-extfile", ext},
             error);
}

// ---------------------------------------------------------------------------
// TlsNginx

TlsNginx::TlsNginx() : dir_(MakeTempDir("tls-nginx")) {}

TlsNginx::~TlsNginx() { Stop(); }

uint16_t TlsNginx::AddServer(const std::string& body, uint16_t port) {
  if (port == 0) port = FreePort();
  servers_.emplace_back(port, body);
  return port;
}

bool TlsNginx::Start(std::string* error) {
  std::ostringstream c;
  c << "daemon off;\nmaster_process off;\nworker_processes 1;\n";
  // As root nginx would switch to "nobody", which Bazel's sandbox lacks.
  if (geteuid() == 0) c << "user root root;\n";
  c << "error_log \"" << dir_ << "/error.log\" info;\n"
    << "pid \"" << dir_ << "/nginx.pid\";\n"
    << "events { worker_connections 64; }\n"
    << "http {\n"
    << "  access_log off;\n"
    // nginx 1.22 leaves TLS 1.3 out of its default list.
    << "  ssl_protocols TLSv1.2 TLSv1.3;\n"
    << "  default_type text/plain;\n";
  for (const char* t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
    c << "  " << t << "_temp_path \"" << dir_ << "/temp_" << t << "\";\n";
  }
  for (const auto& [port, body] : servers_) {
    c << "  server {\n    listen 127.0.0.1:" << port << " ssl;\n" << body << "\n  }\n";
  }
  c << "}\n";
  std::string conf = dir_ + "/nginx.conf";
  WriteFileOrDie(conf, c.str());
  ProcessOptions p;
  p.argv = {NginxBinary(), "-p", dir_, "-c", conf, "-e", dir_ + "/error.log"};
  if (!process_.Start(p, error)) return false;
  started_ = true;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (const auto& server : servers_) {
    while (!PortAcceptsConnections(server.first)) {
      if (!process_.Running() || std::chrono::steady_clock::now() > deadline) {
        *error = "nginx did not come up on port " + std::to_string(server.first) + ":\n" + ErrorLog() +
                 process_.Stderr();
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return true;
}

void TlsNginx::Stop() {
  if (!started_) return;
  started_ = false;
  process_.Signal(SIGQUIT);
  process_.Stop(std::chrono::seconds(3));
}

std::string TlsNginx::ErrorLog() const { return ReadFileIfExists(dir_ + "/error.log"); }

}  // namespace strata::test
