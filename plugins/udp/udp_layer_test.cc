// Drives the udp layer through its C vtable (strata_plugin_entry()), with
// the tcp plugin's fake host and real loopback sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugins/tcp/testing/fake_host.h"
#include "plugins/udp/udp_layer.h"
#include "strata/plugin.h"

namespace strata::udp {
namespace {

using tcp::testing::FakeHost;

// Peer is a UDP socket on 127.0.0.1 the layer talks to.
struct Peer {
  Peer() {
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Peer() { close(fd); }
  // ConnectTo points the peer at the layer's local address, so it can send
  // with send()/sendmsg() and only hears the layer.
  void ConnectTo(const std::string& local) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(std::stoi(local.substr(local.rfind(':') + 1))));
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  }
  // SendGso sends |data| as datagrams of |segment| bytes with one sendmsg()
  // and UDP_SEGMENT, as a GSO sender (a QUIC server) does.
  void SendGso(const std::string& data, uint16_t segment) {
    iovec iov{const_cast<char*>(data.data()), data.size()};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(uint16_t))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* cm = CMSG_FIRSTHDR(&msg);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    std::memcpy(CMSG_DATA(cm), &segment, sizeof(segment));
    ASSERT_EQ(sendmsg(fd, &msg, 0), static_cast<ssize_t>(data.size())) << std::strerror(errno);
  }
  // Datagrams reads what has arrived (each recv() one datagram) until
  // nothing comes for 200 ms.
  std::vector<std::string> Datagrams() {
    std::vector<std::string> out;
    char buf[65536];
    pollfd p{fd, POLLIN, 0};
    while (poll(&p, 1, 200) == 1) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n < 0) break;
      out.emplace_back(buf, static_cast<size_t>(n));
    }
    return out;
  }
  int fd;
  uint16_t port;
};

// Segments is |count| datagrams of |size| bytes, each filled with its own
// letter, then a |tail| of '#' (0 for none).
std::string Segments(size_t count, size_t size, size_t tail = 0) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out.append(size, static_cast<char>('a' + i % 26));
  out.append(tail, '#');
  return out;
}

class UdpLayerTest : public ::testing::Test {
 protected:
  UdpLayerTest() {
    descriptor_ = strata_plugin_entry();
    descriptor_->init(host_.services());
    vtable_ = descriptor_->layer_types[0]->stream;
  }
  ~UdpLayerTest() override {
    if (self_) vtable_->destroy(self_);
    descriptor_->deinit();
    EXPECT_TRUE(host_.violations().empty()) << host_.violations().front();
    EXPECT_TRUE(host_.watched().empty()) << "a descriptor is still watched after destroy";
  }
  strata_status Create(const char* target, uint16_t port) {
    strata_layer_config config{};
    config.struct_size = sizeof(config);
    config.layer_name = "udp";
    config.options_json = "{}";
    config.host = target;
    config.port = port;
    config.hop = 1;
    return vtable_->create(host_.ctx(), &config, &self_);
  }
  strata_status Connect() {
    for (int i = 0; i < 500; ++i) {
      int done = 0;
      strata_status st = vtable_->connect(self_, &done);
      if (st != STRATA_AGAIN) return done || st < 0 ? st : STRATA_AGAIN;
      host_.WaitForEvent(vtable_->poll_interest(self_, STRATA_POLL_READ), 20);
    }
    return STRATA_AGAIN;
  }
  UdpLayer* layer() { return static_cast<UdpLayer*>(self_); }
  strata_status SendSegments(size_t segment) {
    strata_send_segments arg{sizeof(arg), segment};
    return vtable_->control(self_, STRATA_CONTROL_SEND_SEGMENTS, &arg, sizeof(arg));
  }
  // ConnectedTo creates and connects the layer to |peer| and points the
  // peer back at it.
  void ConnectedTo(Peer& peer) {
    ASSERT_EQ(Create("127.0.0.1", peer.port), STRATA_OK);
    ASSERT_EQ(Connect(), STRATA_OK) << host_.error_message();
    peer.ConnectTo(Query(STRATA_QUERY_LOCAL_ADDRESS));
  }
  // Drain hands up every datagram waiting (recv until STRATA_AGAIN).
  std::vector<std::string> Drain(size_t cap = 65536) {
    std::vector<std::string> out;
    std::vector<uint8_t> in(cap);
    host_.WaitForEvent(STRATA_POLL_READ, 2000);
    for (;;) {
      size_t n = 0;
      strata_status st = vtable_->recv(self_, in.data(), in.size(), &n);
      if (st != STRATA_OK) {
        EXPECT_EQ(st, STRATA_AGAIN) << host_.error_message();
        break;
      }
      out.emplace_back(reinterpret_cast<char*>(in.data()), n);
    }
    return out;
  }
  std::string Query(uint32_t q) {
    char buf[128];
    size_t len = sizeof(buf);
    if (vtable_->query(self_, q, buf, &len) != STRATA_OK) return "<error>";
    return std::string(buf, len - 1);
  }

  FakeHost host_;
  const strata_plugin_descriptor* descriptor_;
  const strata_stream_layer_vtable* vtable_;
  void* self_ = nullptr;
};

TEST_F(UdpLayerTest, OneSendIsOneDatagramAndOneRecvIsOneDatagram) {
  Peer peer;
  ASSERT_EQ(Create("127.0.0.1", peer.port), STRATA_OK);
  ASSERT_EQ(Connect(), STRATA_OK) << host_.error_message();
  EXPECT_EQ(Query(STRATA_QUERY_DESCRIBE), "udp(127.0.0.1:" + std::to_string(peer.port) + ")");
  EXPECT_EQ(Query(STRATA_QUERY_PEER_ADDRESS), "127.0.0.1:" + std::to_string(peer.port));
  EXPECT_EQ(Query(STRATA_QUERY_LOCAL_ADDRESS).rfind("127.0.0.1:", 0), 0u);

  size_t written = 0;
  ASSERT_EQ(vtable_->send(self_, reinterpret_cast<const uint8_t*>("first"), 5, &written), STRATA_OK);
  EXPECT_EQ(written, 5u);
  ASSERT_EQ(vtable_->send(self_, reinterpret_cast<const uint8_t*>("second!"), 7, &written), STRATA_OK);
  char buf[64];
  sockaddr_in from{};
  socklen_t len = sizeof(from);
  ASSERT_EQ(recvfrom(peer.fd, buf, sizeof(buf), 0, reinterpret_cast<sockaddr*>(&from), &len), 5);
  ASSERT_EQ(recvfrom(peer.fd, buf, sizeof(buf), 0, nullptr, nullptr), 7);

  // Two datagrams back: two reads, never merged.
  sendto(peer.fd, "abc", 3, 0, reinterpret_cast<sockaddr*>(&from), len);
  sendto(peer.fd, "defgh", 5, 0, reinterpret_cast<sockaddr*>(&from), len);
  uint8_t in[64];
  size_t n = 0;
  host_.WaitForEvent(STRATA_POLL_READ, 2000);
  ASSERT_EQ(vtable_->recv(self_, in, sizeof(in), &n), STRATA_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(in), n), "abc");
  ASSERT_EQ(vtable_->recv(self_, in, sizeof(in), &n), STRATA_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(in), n), "defgh");
  EXPECT_EQ(vtable_->recv(self_, in, sizeof(in), &n), STRATA_AGAIN);
}

TEST_F(UdpLayerTest, IcmpPortUnreachableIsAConnectError) {
  uint16_t port;
  {
    Peer gone;  // bound, then closed: nothing listens on the port now
    port = gone.port;
  }
  ASSERT_EQ(Create("127.0.0.1", port), STRATA_OK);
  ASSERT_EQ(Connect(), STRATA_OK);
  size_t written = 0;
  ASSERT_EQ(vtable_->send(self_, reinterpret_cast<const uint8_t*>("x"), 1, &written), STRATA_OK);
  host_.WaitForEvent(STRATA_POLL_READ, 2000);
  uint8_t in[16];
  size_t n = 0;
  EXPECT_EQ(vtable_->recv(self_, in, sizeof(in), &n), STRATA_E_CONNECT);
  EXPECT_NE(host_.error_message().find("ICMP port unreachable"), std::string::npos) << host_.error_message();
}

TEST_F(UdpLayerTest, ResolveOverridesApplyAndNamesAreResolved) {
  Peer peer;
  host_.SetOption("resolve", "[\"example.test:" + std::to_string(peer.port) + ":127.0.0.1\"]");
  ASSERT_EQ(Create("example.test", peer.port), STRATA_OK);
  ASSERT_EQ(Connect(), STRATA_OK) << host_.error_message();
  EXPECT_EQ(Query(STRATA_QUERY_PEER_ADDRESS), "127.0.0.1:" + std::to_string(peer.port));
}

TEST_F(UdpLayerTest, LocalPortIsBoundBeforeConnect) {
  Peer peer;
  uint16_t local;
  {
    Peer spare;  // a port that was free a moment ago
    local = spare.port;
  }
  host_.SetOption("local_port", std::to_string(local));
  ASSERT_EQ(Create("127.0.0.1", peer.port), STRATA_OK);
  ASSERT_EQ(Connect(), STRATA_OK) << host_.error_message();
  EXPECT_EQ(Query(STRATA_QUERY_LOCAL_ADDRESS), "127.0.0.1:" + std::to_string(local));
}

TEST_F(UdpLayerTest, NoTargetIsRefusedAtCreate) {
  EXPECT_EQ(Create("", 443), STRATA_E_INVALID_ARGUMENT);
  self_ = nullptr;
  EXPECT_EQ(Create("127.0.0.1", 0), STRATA_E_INVALID_ARGUMENT);
  self_ = nullptr;
}

// --- GRO: one recvmsg, many datagrams --------------------------------------

TEST_F(UdpLayerTest, GroHandsUpTenSegmentsInOrderFromOneRecvmsg) {
  Peer peer;
  ConnectedTo(peer);
  if (!layer()->gro_active()) GTEST_SKIP() << "this kernel has no UDP_GRO (Linux >= 5.0)";
  peer.SendGso(Segments(10, 1000), 1000);
  host_.WaitForEvent(STRATA_POLL_READ, 2000);
  uint8_t in[65536];
  for (int i = 0; i < 10; ++i) {
    size_t n = 0;
    ASSERT_EQ(vtable_->recv(self_, in, sizeof(in), &n), STRATA_OK) << i;
    EXPECT_EQ(std::string(reinterpret_cast<char*>(in), n), std::string(1000, static_cast<char>('a' + i))) << i;
    // While datagrams are left, the layer has the host drive it again: the
    // socket is empty and will not turn readable for them.
    EXPECT_EQ(vtable_->data_pending(self_) != 0, i < 9) << i;
    EXPECT_EQ(host_.wake_at() != 0, i < 9) << i;
  }
  size_t n = 0;
  EXPECT_EQ(vtable_->recv(self_, in, sizeof(in), &n), STRATA_AGAIN);
  EXPECT_EQ(layer()->stats().recv_calls, 1u);
  EXPECT_EQ(layer()->stats().gro_batches, 1u);
}

TEST_F(UdpLayerTest, GroShortLastSegmentAndTruncationKeepDatagramBoundaries) {
  Peer peer;
  ConnectedTo(peer);
  if (!layer()->gro_active()) GTEST_SKIP() << "this kernel has no UDP_GRO (Linux >= 5.0)";
  peer.SendGso(Segments(3, 1000, 123), 1000);
  host_.WaitForEvent(STRATA_POLL_READ, 2000);
  // A buffer shorter than the datagram gets its start; the rest is dropped
  // (as recv() drops it), and the next recv is the next datagram.
  uint8_t in[65536];
  size_t n = 0;
  ASSERT_EQ(vtable_->recv(self_, in, 500, &n), STRATA_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(in), n), std::string(500, 'a'));
  std::vector<std::string> rest = Drain();
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0], std::string(1000, 'b'));
  EXPECT_EQ(rest[1], std::string(1000, 'c'));
  EXPECT_EQ(rest[2], std::string(123, '#'));
  EXPECT_EQ(layer()->stats().recv_calls, 1u);
}

TEST_F(UdpLayerTest, GroOffReadsOneDatagramPerRecv) {
  Peer peer;
  host_.SetOption("gro", "false");
  ConnectedTo(peer);
  EXPECT_FALSE(layer()->gro_active());
  // Without UDP_GRO on the receiver the kernel cuts the GSO batch up.
  peer.SendGso(Segments(10, 1000), 1000);
  std::vector<std::string> got = Drain();
  ASSERT_EQ(got.size(), 10u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_EQ(got[i], std::string(1000, static_cast<char>('a' + i))) << i;
  EXPECT_EQ(layer()->stats().recv_calls, 10u);
  EXPECT_EQ(layer()->stats().gro_batches, 0u);
}

TEST_F(UdpLayerTest, GroOnStillReadsSingleDatagramsOneByOne) {
  Peer peer;
  ConnectedTo(peer);
  send(peer.fd, "abc", 3, 0);
  send(peer.fd, "defgh", 5, 0);
  std::vector<std::string> got = Drain();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], "abc");
  EXPECT_EQ(got[1], "defgh");
  EXPECT_EQ(host_.wake_at(), 0u);
}

// --- GSO: one sendmsg, many datagrams --------------------------------------

TEST_F(UdpLayerTest, GsoBatchArrivesAsDatagramsOfTheRightSizes) {
  Peer peer;
  ConnectedTo(peer);
  if (!layer()->gso_active()) GTEST_SKIP() << "this kernel has no UDP_SEGMENT (Linux >= 4.18)";
  const std::string batch = Segments(10, 1200, 500);
  ASSERT_EQ(SendSegments(1200), STRATA_OK);
  size_t written = 0;
  ASSERT_EQ(vtable_->send(self_, reinterpret_cast<const uint8_t*>(batch.data()), batch.size(), &written), STRATA_OK);
  EXPECT_EQ(written, batch.size());
  std::vector<std::string> got = peer.Datagrams();
  ASSERT_EQ(got.size(), 11u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(got[i], std::string(1200, static_cast<char>('a' + i))) << i;
  EXPECT_EQ(got[10], std::string(500, '#'));
  EXPECT_EQ(layer()->stats().send_calls, 1u);
  EXPECT_EQ(layer()->stats().gso_sends, 1u);

  // The segment size was for that one send: the next is one datagram.
  ASSERT_EQ(vtable_->send(self_, reinterpret_cast<const uint8_t*>(batch.data()), 2400, &written), STRATA_OK);
  got = peer.Datagrams();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].size(), 2400u);
}

TEST_F(UdpLayerTest, GsoBatchIsCutAtSixtyFourDatagrams) {
  Peer peer;
  ConnectedTo(peer);
  if (!layer()->gso_active()) GTEST_SKIP() << "this kernel has no UDP_SEGMENT (Linux >= 4.18)";
  const std::string batch = Segments(70, 100);
  ASSERT_EQ(SendSegments(100), STRATA_OK);
  size_t written = 0;
  ASSERT_EQ(vtable_->send(self_, reinterpret_cast<const uint8_t*>(batch.data()), batch.size(), &written), STRATA_OK);
  EXPECT_EQ(written, 6400u);  // whole datagrams only; the caller sends the rest
  EXPECT_EQ(peer.Datagrams().size(), 64u);
}

TEST_F(UdpLayerTest, GsoOffRefusesTheControlSoTheCallerSendsOneByOne) {
  Peer peer;
  host_.SetOption("gso", "false");
  ConnectedTo(peer);
  EXPECT_FALSE(layer()->gso_active());
  EXPECT_EQ(SendSegments(1200), STRATA_E_UNSUPPORTED);
  size_t written = 0;
  const std::string two = Segments(2, 1200);
  ASSERT_EQ(vtable_->send(self_, reinterpret_cast<const uint8_t*>(two.data()), two.size(), &written), STRATA_OK);
  std::vector<std::string> got = peer.Datagrams();
  ASSERT_EQ(got.size(), 1u);  // no segment size: one datagram, as before ABI 1.3
  EXPECT_EQ(got[0].size(), 2400u);
}

TEST_F(UdpLayerTest, KernelRefusingGsoFallsBackForGood) {
  Peer peer;
  ConnectedTo(peer);
  if (!layer()->gso_active()) GTEST_SKIP() << "this kernel has no UDP_SEGMENT (Linux >= 4.18)";
  // Without UDP checksums the kernel refuses GSO at sendmsg() (EINVAL), as
  // a device without checksum offload does (EIO).
  int fd = -1;
  size_t len = sizeof(fd);
  ASSERT_EQ(vtable_->query(self_, STRATA_QUERY_SOCKET_FD, &fd, &len), STRATA_OK);
  int on = 1;
  ASSERT_EQ(setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &on, sizeof(on)), 0);
  const std::string batch = Segments(5, 1000, 10);
  ASSERT_EQ(SendSegments(1000), STRATA_OK);
  size_t written = 0;
  ASSERT_EQ(vtable_->send(self_, reinterpret_cast<const uint8_t*>(batch.data()), batch.size(), &written), STRATA_OK)
      << host_.error_message();
  EXPECT_EQ(written, batch.size());
  std::vector<std::string> got = peer.Datagrams();
  ASSERT_EQ(got.size(), 6u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(got[i], std::string(1000, static_cast<char>('a' + i))) << i;
  EXPECT_EQ(got[5], std::string(10, '#'));
  EXPECT_EQ(layer()->stats().gso_sends, 0u);
  EXPECT_EQ(layer()->stats().send_calls, 6u);
  EXPECT_FALSE(layer()->gso_active());
  EXPECT_GE(host_.LogIndex("refused a GSO batch"), 0);
  EXPECT_EQ(SendSegments(1000), STRATA_E_UNSUPPORTED);
}

TEST_F(UdpLayerTest, SendSegmentsWithABadArgumentIsRefused) {
  Peer peer;
  ConnectedTo(peer);
  EXPECT_EQ(vtable_->control(self_, STRATA_CONTROL_SEND_SEGMENTS, nullptr, 0), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(SendSegments(0), STRATA_E_INVALID_ARGUMENT);
  EXPECT_NE(host_.error_message().find("segment size 0"), std::string::npos) << host_.error_message();
  EXPECT_EQ(SendSegments(70000), STRATA_E_INVALID_ARGUMENT);
}

TEST_F(UdpLayerTest, SendSegmentsBeforeConnectIsRefused) {
  Peer peer;
  ASSERT_EQ(Create("127.0.0.1", peer.port), STRATA_OK);
  EXPECT_EQ(SendSegments(1200), STRATA_E_UNSUPPORTED);
}

TEST_F(UdpLayerTest, BadOffloadOptionsAreConfigErrors) {
  host_.SetOption("gso", "yes");
  EXPECT_EQ(Create("127.0.0.1", 4433), STRATA_E_CONFIG);
  self_ = nullptr;
  EXPECT_NE(host_.error_message().find("option 'gso' must be true or false, found yes"), std::string::npos)
      << host_.error_message();
}

}  // namespace
}  // namespace strata::udp
