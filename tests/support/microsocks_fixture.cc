#include "tests/support/microsocks_fixture.h"

#include <thread>
#include <utility>

#include "tests/support/free_port.h"
#include "tests/support/test_env.h"

namespace strata::test {

using namespace std::chrono_literals;

const char* MicrosocksBinary() { return "/usr/bin/microsocks"; }

MicrosocksFixture::MicrosocksFixture(std::string user, std::string password)
    : user_(std::move(user)), password_(std::move(password)) {}

MicrosocksFixture::~MicrosocksFixture() { Stop(); }

bool MicrosocksFixture::Start(std::string* error) {
  if (!FileExists(MicrosocksBinary())) {
    *error = "microsocks is not installed (Debian package microsocks; tools/setup/install-deps.sh)";
    return false;
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = FreePort();
    ProcessOptions o;
    o.argv = {MicrosocksBinary(), "-i", "127.0.0.1", "-p", std::to_string(port_)};
    if (!user_.empty()) {
      o.argv.insert(o.argv.end(), {"-u", user_, "-P", password_});
    }
    if (!process_.Start(o, error)) return false;
    for (int i = 0; i < 100; ++i) {
      if (PortAcceptsConnections(port_)) return true;
      if (!process_.Running()) break;
      std::this_thread::sleep_for(20ms);
    }
    process_.Stop(1s);  // probably a port clash: try another
  }
  *error = "microsocks did not start: " + Log();
  return false;
}

void MicrosocksFixture::Stop() { process_.Stop(2s); }

std::string MicrosocksFixture::Log() const { return process_.Stderr(); }

bool MicrosocksFixture::WaitForLog(const std::string& needle,
                                   std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Log().find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(20ms);
  }
  return Log().find(needle) != std::string::npos;
}

}  // namespace strata::test
