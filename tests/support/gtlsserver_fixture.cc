#include "tests/support/gtlsserver_fixture.h"

#include <chrono>
#include <thread>

#include "tests/support/free_port.h"

namespace strata::test {

bool GtlsServer::Start(const std::string& htdocs, const std::string& cert, const std::string& key,
                       std::string* error, uint16_t port, const std::vector<std::string>& extra_args) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = port != 0 ? port : FreePort();
    ProcessOptions o;
    o.argv = {kGtlsServerPath, "-q", "-d", htdocs};
    o.argv.insert(o.argv.end(), extra_args.begin(), extra_args.end());
    o.argv.insert(o.argv.end(), {"127.0.0.1", std::to_string(port_), key, cert});
    if (!process_.Start(o, error)) return false;
    for (int i = 0; i < 200; ++i) {
      if (UdpPortBound(port_)) {
        started_ = true;
        return true;
      }
      if (!process_.Running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    process_.Stop();
    if (port != 0) break;
  }
  *error = "gtlsserver did not bind its UDP port: " + Log();
  return false;
}

void GtlsServer::Stop() {
  if (!started_) return;
  process_.Stop(std::chrono::seconds(2));
  started_ = false;
}

std::string GtlsServer::Log() const { return process_.Stdout() + process_.Stderr(); }

}  // namespace strata::test
