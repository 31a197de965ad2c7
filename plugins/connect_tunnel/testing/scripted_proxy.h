// scripted_proxy.h — a fake HTTP proxy on 127.0.0.1 for end-to-end tests.
//
// tests/support's ScriptedPeer is visible only under //tests, so the tunnel
// carries this smaller one. Connection N (accept order) plays scripts[N]:
// read one request head, send exact bytes, close. After the script it keeps
// reading until the client closes, so everything the client sent — the
// CONNECT, then what it meant for the origin — is recorded. The destructor
// stops and joins every thread, even mid-script.
#ifndef STRATA_PLUGINS_CONNECT_TUNNEL_TESTING_SCRIPTED_PROXY_H_
#define STRATA_PLUGINS_CONNECT_TUNNEL_TESTING_SCRIPTED_PROXY_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace strata::connect_tunnel::testing {

struct ProxyStep {
  enum class Kind {
    kReadHead,  // read up to and including the next CRLFCRLF
    kSend,      // send |bytes|
    kClose,     // close now (end of script)
  };
  Kind kind;
  std::string bytes;
};

inline ProxyStep ReadHead() { return {ProxyStep::Kind::kReadHead, ""}; }
inline ProxyStep Send(std::string bytes) { return {ProxyStep::Kind::kSend, std::move(bytes)}; }
inline ProxyStep Close() { return {ProxyStep::Kind::kClose, ""}; }

using ProxyScript = std::vector<ProxyStep>;

class ScriptedProxy {
 public:
  explicit ScriptedProxy(std::vector<ProxyScript> scripts);
  ~ScriptedProxy();
  ScriptedProxy(const ScriptedProxy&) = delete;
  ScriptedProxy& operator=(const ScriptedProxy&) = delete;

  uint16_t port() const { return port_; }
  // Received returns every byte received on connection |index| so far.
  std::string Received(int index) const;
  int ConnectionCount() const;
  // WaitForClose waits until connection |index| ended (client closed, or
  // the script closed it).
  bool WaitForClose(int index, std::chrono::milliseconds timeout) const;

 private:
  struct Conn {
    int fd = -1;
    std::string received;
    size_t consumed = 0;  // bytes of |received| taken by kReadHead steps
    bool ended = false;
    std::thread thread;
  };
  void AcceptLoop();
  void Run(Conn* conn, const ProxyScript& script);
  // ReadMore appends one read to conn->received; false on EOF, error, stop
  // or a 10 s silence.
  bool ReadMore(Conn* conn);

  std::vector<ProxyScript> scripts_;
  int listen_fd_ = -1;
  int stop_fd_ = -1;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::thread acceptor_;
};

}  // namespace strata::connect_tunnel::testing

#endif  // STRATA_PLUGINS_CONNECT_TUNNEL_TESTING_SCRIPTED_PROXY_H_
