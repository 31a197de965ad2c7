// Drives the tcp layer through its C vtable (strata_plugin_entry()), with a
// fake host and real sockets. Only loopback addresses are ever contacted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "plugins/tcp/resolver.h"
#include "plugins/tcp/testing/fake_host.h"
#include "strata/plugin.h"

namespace strata::tcp {
namespace {

using testing::FakeHost;

// Socket is an owned descriptor.
class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  ~Socket() { Reset(); }
  Socket(Socket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  Socket& operator=(Socket&& other) noexcept {
    Reset();
    fd_ = other.fd_;
    other.fd_ = -1;
    return *this;
  }
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// BoundSocket binds a TCP socket to |ip|:|port| (0: ephemeral); listens with
// |backlog| unless it is negative. Returns an invalid Socket on failure.
Socket BoundSocket(const char* ip, uint16_t port, int backlog) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, ip, &addr.sin_addr);
  Socket s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return Socket();
  if (backlog >= 0 && listen(s.get(), backlog) != 0) return Socket();
  return s;
}

// BoundSocket6 is BoundSocket for [::1]; invalid when IPv6 is unavailable.
Socket BoundSocket6(uint16_t port, int backlog) {
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_port = htons(port);
  addr.sin6_addr = in6addr_loopback;
  Socket s(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return s;
  if (bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return Socket();
  if (backlog >= 0 && listen(s.get(), backlog) != 0) return Socket();
  return s;
}

uint16_t PortOf(const Socket& s) {
  sockaddr_in6 addr{};  // large enough for either family; the port sits at the same offset
  socklen_t len = sizeof(addr);
  getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin6_port);
}

Socket Accept(const Socket& listener, int timeout_ms = 5000) {
  pollfd p{listener.get(), POLLIN, 0};
  if (poll(&p, 1, timeout_ms) != 1) return Socket();
  return Socket(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
}

// FillAcceptQueue makes further connects to |listener| (listening with
// backlog 0) hang: one connection completes into the accept queue and is
// never accepted, so the kernel drops later SYNs.
std::vector<Socket> FillAcceptQueue(const char* ip, uint16_t port) {
  std::vector<Socket> fillers;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, ip, &addr.sin_addr);
  for (int i = 0; i < 2; ++i) {
    Socket c(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    connect(c.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    if (i == 0) {
      pollfd p{c.get(), POLLOUT, 0};
      poll(&p, 1, 2000);
    }
    fillers.push_back(std::move(c));
  }
  return fillers;
}

// LayerUnderTest is one tcp layer instance created through the plugin's
// descriptor, as the runtime would load it.
class LayerUnderTest {
 public:
  LayerUnderTest() {
    descriptor_ = strata_plugin_entry();
    descriptor_->init(host_.services());
    vtable_ = descriptor_->layer_types[0]->stream;
  }
  ~LayerUnderTest() {
    Destroy();
    descriptor_->deinit();
  }

  FakeHost& host() { return host_; }
  const strata_stream_layer_vtable* vtable() { return vtable_; }
  void* self() { return self_; }

  strata_status Create(const std::string& target_host, uint16_t port) {
    strata_layer_config config{};
    config.struct_size = sizeof(config);
    config.layer_name = "tcp";
    config.options_json = "{}";
    config.host = target_host.c_str();
    config.port = port;
    config.hop = 1;
    return vtable_->create(host_.ctx(), &config, &self_);
  }
  void Destroy() {
    if (self_ != nullptr) vtable_->destroy(self_);
    self_ = nullptr;
  }

  // ConnectUntilDone drives connect() as an event loop would, for at most
  // |limit_ms|. Returns the last status (STRATA_AGAIN if the limit hit).
  strata_status ConnectUntilDone(uint64_t limit_ms = 10000) {
    uint64_t until = FakeHost::NowMs() + limit_ms;
    for (;;) {
      int done = 0;
      strata_status st = vtable_->connect(self_, &done);
      if (st != STRATA_AGAIN) {
        EXPECT_TRUE(st < 0 || done == 1) << "STRATA_OK without done";
        return st;
      }
      if (FakeHost::NowMs() >= until) return st;
      host_.WaitForEvent(vtable_->poll_interest(self_, STRATA_POLL_READ), until - FakeHost::NowMs());
    }
  }

  std::string QueryText(uint32_t query) {
    char buf[128];
    size_t len = sizeof(buf);
    if (vtable_->query(self_, query, buf, &len) != STRATA_OK) return "<error>";
    return std::string(buf, len - 1);
  }

  // SendAll / RecvSome move bytes, waiting on the socket like the host.
  void SendAll(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      size_t n = 0;
      strata_status st = vtable_->send(
          self_, reinterpret_cast<const uint8_t*>(data.data()) + off, data.size() - off, &n);
      ASSERT_TRUE(st == STRATA_OK || st == STRATA_AGAIN) << host_.error_message();
      off += n;
      if (st == STRATA_AGAIN) host_.WaitForEvent(STRATA_POLL_WRITE, 1000);
    }
  }
  strata_status RecvSome(std::string* out, uint64_t limit_ms = 5000) {
    uint64_t until = FakeHost::NowMs() + limit_ms;
    for (;;) {
      uint8_t buf[4096];
      size_t n = 0;
      strata_status st = vtable_->recv(self_, buf, sizeof(buf), &n);
      if (st != STRATA_AGAIN) {
        out->assign(reinterpret_cast<char*>(buf), n);
        return st;
      }
      if (FakeHost::NowMs() >= until) return st;
      host_.WaitForEvent(vtable_->poll_interest(self_, STRATA_POLL_READ), 100);
    }
  }

 private:
  FakeHost host_;
  const strata_plugin_descriptor* descriptor_;
  const strata_stream_layer_vtable* vtable_;
  void* self_ = nullptr;
};

class TcpLayerTest : public ::testing::Test {
 protected:
  void TearDown() override {
    layer_.Destroy();
    EXPECT_TRUE(layer_.host().watched().empty()) << "descriptors still watched after destroy";
    EXPECT_TRUE(layer_.host().violations().empty()) << layer_.host().violations().front();
  }
  LayerUnderTest layer_;
};

TEST_F(TcpLayerTest, DescriptorNamesThePluginAndLayer) {
  const strata_plugin_descriptor* d = strata_plugin_entry();
  EXPECT_STREQ(d->name, "tcp");
  EXPECT_STREQ(d->version, "0.1.0");
  ASSERT_EQ(d->layer_type_count, 1u);
  EXPECT_STREQ(d->layer_types[0]->name, "tcp");
  EXPECT_EQ(d->layer_types[0]->kind, STRATA_LAYER_BYTE_STREAM);
}

TEST_F(TcpLayerTest, ConnectsToLoopbackListenerAndExchangesBytesBothWays) {
  Socket listener = BoundSocket("127.0.0.1", 0, 16);
  ASSERT_GE(listener.get(), 0);
  uint16_t port = PortOf(listener);
  const std::string endpoint = "127.0.0.1:" + std::to_string(port);
  ASSERT_EQ(layer_.Create("127.0.0.1", port), STRATA_OK);
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_DESCRIBE), "tcp(" + endpoint + ")");

  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK) << layer_.host().error_message();
  Socket server = Accept(listener);
  ASSERT_GE(server.get(), 0);

  // Connected: only the socket is watched and poll interest passes through.
  EXPECT_EQ(layer_.host().watched().size(), 1u);
  EXPECT_EQ(layer_.host().wake_at(), 0u);
  EXPECT_EQ(layer_.vtable()->poll_interest(layer_.self(), STRATA_POLL_READ), STRATA_POLL_READ);
  EXPECT_EQ(layer_.vtable()->poll_interest(layer_.self(), STRATA_POLL_WRITE), STRATA_POLL_WRITE);
  EXPECT_EQ(layer_.vtable()->data_pending(layer_.self()), 0);

  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_PEER_ADDRESS), endpoint);
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_DESCRIBE), "tcp(" + endpoint + ")");
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_LOCAL_ADDRESS).rfind("127.0.0.1:", 0), 0u);
  int fd = -1;
  size_t len = sizeof(fd);
  ASSERT_EQ(layer_.vtable()->query(layer_.self(), STRATA_QUERY_SOCKET_FD, &fd, &len), STRATA_OK);
  EXPECT_EQ(*layer_.host().watched().begin(), fd);
  int nodelay = 0;
  socklen_t optlen = sizeof(nodelay);
  ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &optlen), 0);
  EXPECT_NE(nodelay, 0) << "nodelay defaults to true";
  EXPECT_GE(layer_.host().LogIndex("trying " + endpoint), 0);
  EXPECT_GE(layer_.host().LogIndex("connected to " + endpoint + " in "), 0);

  layer_.SendAll("GET / HTTP/1.1\r\n\r\n");
  char buf[64];
  ssize_t n = recv(server.get(), buf, sizeof(buf), 0);
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "GET / HTTP/1.1\r\n\r\n");

  ASSERT_EQ(send(server.get(), "HTTP/1.1 200 OK\r\n", 17, 0), 17);
  std::string got;
  ASSERT_EQ(layer_.RecvSome(&got), STRATA_OK);
  EXPECT_EQ(got, "HTTP/1.1 200 OK\r\n");
}

TEST_F(TcpLayerTest, RecvReportsOrderlyCloseAsZeroBytes) {
  Socket listener = BoundSocket("127.0.0.1", 0, 16);
  ASSERT_EQ(layer_.Create("127.0.0.1", PortOf(listener)), STRATA_OK);
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK);
  Socket server = Accept(listener);
  ASSERT_EQ(send(server.get(), "bye", 3, 0), 3);
  server.Reset();

  std::string got;
  ASSERT_EQ(layer_.RecvSome(&got), STRATA_OK);
  EXPECT_EQ(got, "bye");
  ASSERT_EQ(layer_.RecvSome(&got), STRATA_OK);
  EXPECT_EQ(got, "");  // end of stream
}

TEST_F(TcpLayerTest, RecvAfterResetIsClosedError) {
  Socket listener = BoundSocket("127.0.0.1", 0, 16);
  ASSERT_EQ(layer_.Create("127.0.0.1", PortOf(listener)), STRATA_OK);
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK);
  Socket server = Accept(listener);
  linger abort_on_close{1, 0};  // close() sends RST instead of FIN
  setsockopt(server.get(), SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof(abort_on_close));
  server.Reset();

  std::string got;
  EXPECT_EQ(layer_.RecvSome(&got), STRATA_E_CLOSED);
  EXPECT_NE(layer_.host().error_message().find("connection reset by peer"), std::string::npos)
      << layer_.host().error_message();
}

TEST_F(TcpLayerTest, ShutdownSendsEndOfStreamToPeer) {
  Socket listener = BoundSocket("127.0.0.1", 0, 16);
  ASSERT_EQ(layer_.Create("127.0.0.1", PortOf(listener)), STRATA_OK);
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK);
  Socket server = Accept(listener);
  int done = 0;
  EXPECT_EQ(layer_.vtable()->shutdown(layer_.self(), &done), STRATA_OK);
  EXPECT_EQ(done, 1);
  char c;
  EXPECT_EQ(recv(server.get(), &c, 1, 0), 0);
}

TEST_F(TcpLayerTest, LocalPortAndInterfaceAreBoundBeforeConnect) {
  Socket listener = BoundSocket("127.0.0.1", 0, 16);
  ASSERT_GE(listener.get(), 0);
  // A port to bind: one the kernel just gave out, released again.
  uint16_t local = 0;
  {
    Socket probe = BoundSocket("127.0.0.1", 0, -1);
    local = PortOf(probe);
  }
  layer_.host().SetOption("interface", "host!127.0.0.1");
  layer_.host().SetOption("local_port", std::to_string(local));
  ASSERT_EQ(layer_.Create("127.0.0.1", PortOf(listener)), STRATA_OK) << layer_.host().error_message();
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK) << layer_.host().error_message();
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_LOCAL_ADDRESS), "127.0.0.1:" + std::to_string(local));
  EXPECT_GE(layer_.host().LogIndex("Local port: " + std::to_string(local)), 0);
}

TEST_F(TcpLayerTest, UnknownInterfaceFailsWithLocalBindAndNoSocketLeft) {
  Socket listener = BoundSocket("127.0.0.1", 0, 16);
  ASSERT_GE(listener.get(), 0);
  layer_.host().SetOption("interface", "if!strata-bogus0");
  ASSERT_EQ(layer_.Create("127.0.0.1", PortOf(listener)), STRATA_OK);
  EXPECT_EQ(layer_.ConnectUntilDone(), STRATA_E_LOCAL_BIND);
  EXPECT_EQ(layer_.host().error_message(), "Couldn't bind to interface 'strata-bogus0'");
  EXPECT_TRUE(layer_.host().watched().empty());
  // Nothing reached the listener.
  pollfd p{listener.get(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 100), 0);
}

TEST_F(TcpLayerTest, BadLocalBindingOptionsFailCreate) {
  layer_.host().SetOption("local_port", "0");
  EXPECT_EQ(layer_.Create("127.0.0.1", 80), STRATA_E_CONFIG);
  EXPECT_NE(layer_.host().error_message().find("local_port"), std::string::npos);
  layer_.host().SetOption("local_port", "10");
  layer_.host().SetOption("interface", "if!");
  EXPECT_EQ(layer_.Create("127.0.0.1", 80), STRATA_E_CONFIG);
  EXPECT_NE(layer_.host().error_message().find("interface"), std::string::npos);
}

TEST_F(TcpLayerTest, ConnectionRefusedNamesTheAddressesTried) {
  // Bound but not listening: the port is ours and every SYN is refused.
  Socket closed_port = BoundSocket("127.0.0.1", 0, -1);
  uint16_t port = PortOf(closed_port);
  ASSERT_EQ(layer_.Create("127.0.0.1", port), STRATA_OK);
  EXPECT_EQ(layer_.ConnectUntilDone(), STRATA_E_CONNECT);
  const std::string endpoint = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(layer_.host().error_message(),
            "could not connect to " + endpoint + ": connection refused (tried " + endpoint + ")");
  EXPECT_TRUE(layer_.host().watched().empty());
  // A failed layer keeps failing the same way.
  int done = 0;
  EXPECT_EQ(layer_.vtable()->connect(layer_.self(), &done), STRATA_E_CONNECT);
}

TEST_F(TcpLayerTest, LocalhostReachesListenerOnIpv4Only) {
  Socket listener = BoundSocket("127.0.0.1", 0, 16);
  uint16_t port = PortOf(listener);
  ASSERT_EQ(layer_.Create("localhost", port), STRATA_OK);
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_DESCRIBE), "tcp(localhost:" + std::to_string(port) + ")");

  int done = 0;
  strata_status first = layer_.vtable()->connect(layer_.self(), &done);
  if (first == STRATA_AGAIN && layer_.host().watched().size() == 1 &&
      layer_.host().LogIndex("resolved") < 0) {
    // Still resolving: only the eventfd is watched, for reading.
    EXPECT_EQ(layer_.vtable()->poll_interest(layer_.self(), STRATA_POLL_WRITE), STRATA_POLL_READ);
  }
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK) << layer_.host().error_message();
  // Whether or not localhost also maps to ::1 here, 127.0.0.1 wins.
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_PEER_ADDRESS), "127.0.0.1:" + std::to_string(port));
  EXPECT_GE(layer_.host().LogIndex("resolved localhost to "), 0);
  EXPECT_GE(layer_.host().LogIndex("127.0.0.1"), 0);
}

TEST_F(TcpLayerTest, ResolveOverrideReachesLocalListenerWithoutDns) {
  Socket listener = BoundSocket("127.0.0.1", 0, 16);
  uint16_t port = PortOf(listener);
  const std::string p = std::to_string(port);
  layer_.host().SetOption("resolve", "[\"other.invalid:" + p + ":127.0.0.9\", \"example.invalid:" +
                                         p + ":127.0.0.1\"]");
  ASSERT_EQ(layer_.Create("example.invalid", port), STRATA_OK);
  int done = 0;
  layer_.vtable()->connect(layer_.self(), &done);
  // No resolver: the very first call already started the attempt.
  EXPECT_GE(layer_.host().LogIndex("trying 127.0.0.1:" + p), 0);
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK) << layer_.host().error_message();
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_PEER_ADDRESS), "127.0.0.1:" + p);
  EXPECT_GE(layer_.host().LogIndex("resolved example.invalid to 127.0.0.1 (from the resolve option)"), 0);
  EXPECT_LT(layer_.host().LogIndex("127.0.0.9"), 0);
}

TEST_F(TcpLayerTest, WildcardOverrideAppliesToAnyHostOnItsPort) {
  Socket listener = BoundSocket("127.0.0.1", 0, 16);
  uint16_t port = PortOf(listener);
  layer_.host().SetOption("resolve", "[\"*:" + std::to_string(port) + ":127.0.0.1\"]");
  ASSERT_EQ(layer_.Create("anything.invalid", port), STRATA_OK);
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK) << layer_.host().error_message();
}

TEST_F(TcpLayerTest, Ipv6LiteralTargetConnectsAndDescribesInBrackets) {
  Socket listener = BoundSocket6(0, 16);
  if (listener.get() < 0) GTEST_SKIP() << "no IPv6 loopback";
  const std::string endpoint = "[::1]:" + std::to_string(PortOf(listener));
  ASSERT_EQ(layer_.Create("::1", PortOf(listener)), STRATA_OK);
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_DESCRIBE), "tcp(" + endpoint + ")");
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK) << layer_.host().error_message();
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_PEER_ADDRESS), endpoint);
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_LOCAL_ADDRESS).rfind("[::1]:", 0), 0u);
}

TEST_F(TcpLayerTest, RefusedIpv6AttemptFallsBackToIpv4AtOnce) {
  // The shape of "localhost" on a dual-stack host whose server listens on
  // 127.0.0.1 only.
  Socket refusing = BoundSocket6(0, -1);
  if (refusing.get() < 0) GTEST_SKIP() << "no IPv6 loopback";
  uint16_t port = PortOf(refusing);
  Socket listener = BoundSocket("127.0.0.1", port, 16);
  if (listener.get() < 0) GTEST_SKIP() << "127.0.0.1:" << port << " is taken";
  const std::string p = std::to_string(port);
  layer_.host().SetOption("resolve", "[\"localhost:" + p + ":[::1],127.0.0.1\"]");
  layer_.host().SetOption("happy_eyeballs_delay_ms", "5000");
  ASSERT_EQ(layer_.Create("localhost", port), STRATA_OK);
  uint64_t start = FakeHost::NowMs();
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK) << layer_.host().error_message();
  EXPECT_LT(FakeHost::NowMs() - start, 1000u);
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_PEER_ADDRESS), "127.0.0.1:" + p);
  EXPECT_GE(layer_.host().LogIndex("resolved localhost to [::1], 127.0.0.1"), 0);
  int first = layer_.host().LogIndex("trying [::1]:" + p);
  EXPECT_GE(first, 0);
  EXPECT_GT(layer_.host().LogIndex("trying 127.0.0.1:" + p), first);
}

TEST_F(TcpLayerTest, RefusedOnEveryAddressListsThemAll) {
  Socket refusing6 = BoundSocket6(0, -1);
  if (refusing6.get() < 0) GTEST_SKIP() << "no IPv6 loopback";
  uint16_t port = PortOf(refusing6);
  Socket refusing4 = BoundSocket("127.0.0.1", port, -1);
  if (refusing4.get() < 0) GTEST_SKIP() << "127.0.0.1:" << port << " is taken";
  const std::string p = std::to_string(port);
  layer_.host().SetOption("resolve", "[\"localhost:" + p + ":[::1],127.0.0.1\"]");
  ASSERT_EQ(layer_.Create("localhost", port), STRATA_OK);
  EXPECT_EQ(layer_.ConnectUntilDone(), STRATA_E_CONNECT);
  EXPECT_EQ(layer_.host().error_message(), "could not connect to localhost:" + p +
                                               ": connection refused (tried [::1]:" + p +
                                               ", 127.0.0.1:" + p + ")");
}

TEST_F(TcpLayerTest, UnresolvableNameFailsWithResolveError) {
  ASSERT_EQ(layer_.Create("nonexistent.invalid", 80), STRATA_OK);
  EXPECT_EQ(layer_.ConnectUntilDone(), STRATA_E_RESOLVE);
  EXPECT_EQ(layer_.host().error_message().rfind("could not resolve host 'nonexistent.invalid': ", 0),
            0u)
      << layer_.host().error_message();
  EXPECT_TRUE(layer_.host().watched().empty());
}

TEST_F(TcpLayerTest, ConnectTimesOutWhenTheSynIsDropped) {
  Socket listener = BoundSocket("127.0.0.1", 0, 0);
  uint16_t port = PortOf(listener);
  std::vector<Socket> fillers = FillAcceptQueue("127.0.0.1", port);
  layer_.host().SetOption("connect_timeout_ms", "300");
  ASSERT_EQ(layer_.Create("127.0.0.1", port), STRATA_OK);

  uint64_t start = FakeHost::NowMs();
  int done = 0;
  ASSERT_EQ(layer_.vtable()->connect(layer_.self(), &done), STRATA_AGAIN);
  // Connecting: only attempt sockets watched, for writing; woken at the deadline.
  EXPECT_EQ(layer_.host().watched().size(), 1u);
  EXPECT_EQ(layer_.vtable()->poll_interest(layer_.self(), STRATA_POLL_READ), STRATA_POLL_WRITE);
  EXPECT_GE(layer_.host().wake_at(), start + 300);
  EXPECT_LE(layer_.host().wake_at(), start + 310);

  EXPECT_EQ(layer_.ConnectUntilDone(5000), STRATA_E_TIMEOUT) << layer_.host().error_message();
  uint64_t elapsed = FakeHost::NowMs() - start;
  EXPECT_GE(elapsed, 300u);
  EXPECT_LT(elapsed, 1500u);
  const std::string endpoint = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(layer_.host().error_message().rfind(
                "connect to " + endpoint + " timed out after 300 ms (tried " + endpoint + ")", 0),
            0u)
      << layer_.host().error_message();
  EXPECT_TRUE(layer_.host().watched().empty());
  EXPECT_EQ(layer_.host().wake_at(), 0u);
}

TEST_F(TcpLayerTest, HappyEyeballsStartsNextAttemptAfterTheDelay) {
  // 127.0.0.2:P never answers (full accept queue), 127.0.0.1:P does.
  Socket hanging = BoundSocket("127.0.0.2", 0, 0);
  ASSERT_GE(hanging.get(), 0) << "127.0.0.2 not routable to loopback";
  uint16_t port = PortOf(hanging);
  Socket listener = BoundSocket("127.0.0.1", port, 16);
  if (listener.get() < 0) GTEST_SKIP() << "127.0.0.1:" << port << " is taken";
  std::vector<Socket> fillers = FillAcceptQueue("127.0.0.2", port);
  const std::string p = std::to_string(port);
  layer_.host().SetOption("resolve", "[\"he.invalid:" + p + ":127.0.0.2,127.0.0.1\"]");
  layer_.host().SetOption("happy_eyeballs_delay_ms", "200");

  ASSERT_EQ(layer_.Create("he.invalid", port), STRATA_OK);
  uint64_t start = FakeHost::NowMs();
  int done = 0;
  ASSERT_EQ(layer_.vtable()->connect(layer_.self(), &done), STRATA_AGAIN);
  EXPECT_EQ(layer_.host().LogIndex("trying 127.0.0.1:"), -1) << "second attempt started early";
  EXPECT_GE(layer_.host().wake_at(), start + 200);
  EXPECT_LE(layer_.host().wake_at(), start + 210);

  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK) << layer_.host().error_message();
  uint64_t elapsed = FakeHost::NowMs() - start;
  EXPECT_GE(elapsed, 200u);
  EXPECT_LT(elapsed, 2000u);
  EXPECT_EQ(layer_.QueryText(STRATA_QUERY_PEER_ADDRESS), "127.0.0.1:" + p);
  int first = layer_.host().LogIndex("trying 127.0.0.2:" + p);
  int second = layer_.host().LogIndex("trying 127.0.0.1:" + p);
  EXPECT_GE(first, 0);
  EXPECT_GT(second, first);
  // The losing attempt was closed: only the winner is watched.
  EXPECT_EQ(layer_.host().watched().size(), 1u);
}

TEST_F(TcpLayerTest, FailedAttemptStartsTheNextOneWithoutWaiting) {
  Socket refusing = BoundSocket("127.0.0.2", 0, -1);
  ASSERT_GE(refusing.get(), 0);
  uint16_t port = PortOf(refusing);
  Socket listener = BoundSocket("127.0.0.1", port, 16);
  if (listener.get() < 0) GTEST_SKIP() << "127.0.0.1:" << port << " is taken";
  const std::string p = std::to_string(port);
  layer_.host().SetOption("resolve", "[\"he.invalid:" + p + ":127.0.0.2,127.0.0.1\"]");
  layer_.host().SetOption("happy_eyeballs_delay_ms", "5000");
  ASSERT_EQ(layer_.Create("he.invalid", port), STRATA_OK);
  uint64_t start = FakeHost::NowMs();
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK) << layer_.host().error_message();
  EXPECT_LT(FakeHost::NowMs() - start, 1000u);
  EXPECT_GE(layer_.host().LogIndex("connect to 127.0.0.2:" + p + " failed: connection refused"), 0);
}

TEST_F(TcpLayerTest, DestroyDuringResolutionReturnsAtOnce) {
  ASSERT_EQ(layer_.Create("localhost", 80), STRATA_OK);
  int done = 0;
  strata_status st = layer_.vtable()->connect(layer_.self(), &done);
  EXPECT_TRUE(st == STRATA_AGAIN || st == STRATA_E_CONNECT) << st;
  auto start = std::chrono::steady_clock::now();
  layer_.Destroy();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_TRUE(layer_.host().watched().empty());
  // Let the abandoned lookup finish so leak checks see a quiet process.
  for (int i = 0; i < 500 && AsyncResolver::InFlight() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(AsyncResolver::InFlight(), 0);
}

TEST_F(TcpLayerTest, FamilyOptionFiltersAddresses) {
  layer_.host().SetOption("family", "ipv6");
  ASSERT_EQ(layer_.Create("127.0.0.1", 80), STRATA_OK);
  EXPECT_EQ(layer_.ConnectUntilDone(), STRATA_E_RESOLVE);
  EXPECT_NE(layer_.host().error_message().find("family=ipv6"), std::string::npos)
      << layer_.host().error_message();
}

TEST_F(TcpLayerTest, NodelayFalseLeavesNagleOn) {
  Socket listener = BoundSocket("127.0.0.1", 0, 16);
  layer_.host().SetOption("nodelay", "false");
  ASSERT_EQ(layer_.Create("127.0.0.1", PortOf(listener)), STRATA_OK);
  ASSERT_EQ(layer_.ConnectUntilDone(), STRATA_OK);
  int fd = -1;
  size_t len = sizeof(fd);
  ASSERT_EQ(layer_.vtable()->query(layer_.self(), STRATA_QUERY_SOCKET_FD, &fd, &len), STRATA_OK);
  int nodelay = 1;
  socklen_t optlen = sizeof(nodelay);
  ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &optlen), 0);
  EXPECT_EQ(nodelay, 0);
}

TEST_F(TcpLayerTest, BadOptionFailsCreateWithConfigError) {
  layer_.host().SetOption("connect_timeout_ms", "-5");
  EXPECT_EQ(layer_.Create("127.0.0.1", 80), STRATA_E_CONFIG);
  EXPECT_NE(layer_.host().error_message().find("connect_timeout_ms"), std::string::npos);
}

TEST_F(TcpLayerTest, BadResolveEntryFailsCreateWithConfigError) {
  layer_.host().SetOption("resolve", "[\"example.com:80\"]");
  EXPECT_EQ(layer_.Create("example.com", 80), STRATA_E_CONFIG);
  EXPECT_NE(layer_.host().error_message().find("example.com:80"), std::string::npos);
}

TEST_F(TcpLayerTest, UnknownQueriesAndControlsAreUnsupported) {
  ASSERT_EQ(layer_.Create("127.0.0.1", 80), STRATA_OK);
  char buf[16];
  size_t len = sizeof(buf);
  EXPECT_EQ(layer_.vtable()->query(layer_.self(), STRATA_QUERY_ALPN, buf, &len),
            STRATA_E_UNSUPPORTED);
  EXPECT_EQ(layer_.vtable()->control(layer_.self(), 999, nullptr, 0), STRATA_E_UNSUPPORTED);
  EXPECT_EQ(layer_.vtable()->control(layer_.self(), STRATA_CONTROL_IDLE, nullptr, 0), STRATA_OK);
  size_t n = 0;
  EXPECT_EQ(layer_.vtable()->send(layer_.self(), reinterpret_cast<const uint8_t*>("x"), 1, &n),
            STRATA_E_STATE);
}

}  // namespace
}  // namespace strata::tcp
