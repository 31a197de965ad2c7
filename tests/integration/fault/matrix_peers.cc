#include "tests/integration/fault/matrix_peers.h"

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/integration/fault/fault_matrix.h"
#include "tests/support/free_port.h"
#include "tests/support/strata_client.h"

namespace strata::test {

bool MatrixPeers::Start(const std::string& which, std::string* error) {
  body_ = MatrixBody(kMatrixBodySize);
  if (which.find("h1") != std::string::npos) {
    h1_ = std::make_unique<NginxFixture>();
    h1_->WriteDocFile("body.bin", body_);
    if (!h1_->Start(error)) return false;
  }
  if (which.find("tls") != std::string::npos) {
    if (!pki_.MakeCa("ca", error) || !pki_.MakeLocalhostLeaf("ca", error)) return false;
    const std::string docroot = pki_.dir() + "/docs";
    mkdir(docroot.c_str(), 0755);
    std::ofstream(docroot + "/body.bin", std::ios::binary) << body_;
    const std::string server = "    ssl_certificate \"" + pki_.Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                               pki_.Key("localhost") + "\";\n    root \"" + docroot + "\";\n";
    tls_ = std::make_unique<TlsNginx>();
    tls_h1_port_ = tls_->AddServer(server);
    tls_h2_port_ = FreePort();
    tls_->AddServer("    listen 127.0.0.1:" + std::to_string(tls_h2_port_) + " ssl http2;\n" + server);
    if (!tls_->Start(error)) return false;
    for (int i = 0; i < 200 && !PortAcceptsConnections(tls_h2_port_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (which.find("h2c") != std::string::npos) {
    h2c_ = std::make_unique<Nghttpd>();
    h2c_->WriteDocFile("body.bin", body_);
    if (!h2c_->Start(error)) return false;
  }
  return true;
}

std::string MatrixPeers::Tls(const std::string& alpn) const {
  return R"({"layer": "tls", "options": {"alpn": )" + alpn + R"(, "ca_file": )" + JsonQuote(ca()) + "}}";
}

std::string MatrixPeers::Config(const std::string& extra_pipelines) const {
  const std::string h1 = Tls(R"(["http/1.1"])");
  const std::string h2 = Tls(R"(["h2", "http/1.1"])");
  return "{\"plugin_dirs\": [" + JsonQuote(DistPluginDir()) +
         "],"
         " \"plugins\": [\"tcp\", \"tls\", \"connect-tunnel\", \"h1\", \"h2-alpn\", \"fault\"],"
         " \"pipelines\": {\"http\": [\"tcp\", \"h1\"],"
         " \"https\": [\"tcp\", " + h2 + ", \"h2-alpn\"],"
         " \"https+h2\": [\"tcp\", " + h2 + ", \"h2-alpn\"],"
         " \"https+h1\": [\"tcp\", " + h1 + ", \"h1\"],"
         " \"http+h2-prior\": [\"tcp\", {\"layer\": \"h2-alpn\", \"options\": {\"prior_knowledge\": true}}]" +
         (extra_pipelines.empty() ? "" : ", " + extra_pipelines) +
         "},"
         " \"proxy\": {\"from_env\": false},"
         " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 8000, \"idle_ms\": 8000, \"total_ms\": 8000}}";
}

}  // namespace strata::test
