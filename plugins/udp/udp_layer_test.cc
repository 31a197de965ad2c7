// Drives the udp layer through its C vtable (strata_plugin_entry()), with
// the tcp plugin's fake host and real loopback sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "plugins/tcp/testing/fake_host.h"
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
  int fd;
  uint16_t port;
};

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

TEST_F(UdpLayerTest, NoTargetIsRefusedAtCreate) {
  EXPECT_EQ(Create("", 443), STRATA_E_INVALID_ARGUMENT);
  self_ = nullptr;
  EXPECT_EQ(Create("127.0.0.1", 0), STRATA_E_INVALID_ARGUMENT);
  self_ = nullptr;
}

}  // namespace
}  // namespace strata::udp
