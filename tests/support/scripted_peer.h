// scripted_peer.h — a deterministic fake HTTP server for tests.
//
// Real servers are too polite to test a client's defences. A ScriptedPeer
// listens on 127.0.0.1 (a port of its own, kept open, so there is no race
// for it) and plays one script per accepted connection: read a request,
// send exact bytes, sleep, close, half-close, reset, or never answer. It
// records every byte the client sent, so a test asserts on both sides: what
// the client made of the response and what it put on the wire.
//
// Connection N (0-based, in accept order) runs scripts[N]; connections
// beyond the list run the last script, or are closed at once when
// |extra_connections_close| is set. Every wait inside the peer is bounded and
// interruptible, and the destructor stops and joins all its threads and closes
// every descriptor, even while a script is "never answering".
#ifndef STRATA_TESTS_SUPPORT_SCRIPTED_PEER_H_
#define STRATA_TESTS_SUPPORT_SCRIPTED_PEER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace strata::test {

struct PeerStep {
  enum class Kind {
    kReadRequest,  // read one request: head to CRLFCRLF, then its body
    kSend,         // send |bytes| exactly
    kSleep,        // pause |ms|
    kClose,        // close the connection (end of script)
    kHalfClose,    // shutdown(SHUT_WR): the client sees EOF, we still read
    kReset,        // close with SO_LINGER 0: the client sees a RST
    kNeverAnswer,  // wait until the client closes or the peer is destroyed
    kReadUntilClose,  // read and record everything until the client closes
  };
  Kind kind;
  std::string bytes;
  int ms = 0;
};

// Step constructors, so scripts read like the exchange they describe.
PeerStep ReadRequest();
PeerStep Send(std::string bytes);
PeerStep Sleep(int ms);
PeerStep Close();
PeerStep HalfClose();
PeerStep Reset();
PeerStep NeverAnswer();
PeerStep ReadUntilClose();

using PeerScript = std::vector<PeerStep>;

// What happened on one accepted connection.
struct PeerConnection {
  std::vector<std::string> requests;  // raw bytes of each request read
  std::string received;               // every byte received, in order
  bool client_closed = false;         // the client closed (EOF or error)
  bool script_finished = false;       // the script ran to its end
  std::string note;                   // why a step stopped early, if it did
  uint16_t client_port = 0;           // the client's (local) port
};

class ScriptedPeer {
 public:
  explicit ScriptedPeer(std::vector<PeerScript> scripts,
                        bool extra_connections_close = false);
  ~ScriptedPeer();
  ScriptedPeer(const ScriptedPeer&) = delete;
  ScriptedPeer& operator=(const ScriptedPeer&) = delete;

  uint16_t port() const { return port_; }
  // Url returns "http://127.0.0.1:<port><path>".
  std::string Url(const std::string& path = "/") const;

  // ConnectionCount is the number of connections accepted so far.
  int ConnectionCount() const;
  // WaitForConnections waits until |n| connections were accepted.
  bool WaitForConnections(int n, std::chrono::milliseconds timeout) const;
  // WaitForScripts waits until every accepted connection's script ended
  // (or the client closed it).
  bool WaitForScripts(std::chrono::milliseconds timeout) const;
  // Connection returns a snapshot of what happened on connection |index|.
  PeerConnection Connection(int index) const;
  // AllRequests returns every request read, across connections, in order.
  std::vector<std::string> AllRequests() const;

  // How long kReadRequest waits for the client before giving up.
  void set_read_timeout(std::chrono::milliseconds t) { read_timeout_ = t; }

 private:
  struct Conn;
  void AcceptLoop();
  void RunScript(Conn* conn, const PeerScript& script);
  // WaitFd waits for |events| on |fd| or for the stop signal; true if ready.
  bool WaitFd(int fd, short events, std::chrono::milliseconds timeout) const;
  // RecvSome appends up to one read's worth into the connection's record.
  // Returns bytes read, 0 on EOF, -1 on error/timeout/stop.
  long RecvSome(Conn* conn, std::string* into, std::chrono::milliseconds timeout);

  std::vector<PeerScript> scripts_;
  bool extra_connections_close_;
  std::chrono::milliseconds read_timeout_{10000};
  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd: readable once the peer is stopping
  uint16_t port_ = 0;

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> conns_;
  std::thread acceptor_;
};

// ParseHeadValue returns the value of header |name| in a raw request head
// (case-insensitive name, trimmed value), or "" if absent.
std::string HeaderValue(const std::string& raw_request, const std::string& name);

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_SCRIPTED_PEER_H_
