// The --interface and --local-port forms, and binding real sockets with
// them on loopback.
#include "plugins/tcp/local_binding.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::tcp {
namespace {

LocalBinding Interface(const std::string& text) {
  LocalBinding b;
  EXPECT_TRUE(ParseInterface(text, &b).ok()) << text;
  return b;
}

TEST(ParseInterface, PrefixesSayWhatTheNameIs) {
  LocalBinding b = Interface("eth0");
  EXPECT_EQ(b.device, "eth0");
  EXPECT_EQ(b.kind, LocalBinding::DeviceKind::kEither);
  b = Interface("if!lo");
  EXPECT_EQ(b.device, "lo");
  EXPECT_EQ(b.kind, LocalBinding::DeviceKind::kInterface);
  b = Interface("host!127.0.0.1");
  EXPECT_EQ(b.device, "127.0.0.1");
  EXPECT_EQ(b.kind, LocalBinding::DeviceKind::kHost);
  b = Interface("::1");
  EXPECT_EQ(b.device, "::1");
}

TEST(ParseInterface, EmptyOrHugeNamesAreRefused) {
  LocalBinding b;
  EXPECT_FALSE(ParseInterface("", &b).ok());
  EXPECT_FALSE(ParseInterface("if!", &b).ok());
  EXPECT_FALSE(ParseInterface("host!", &b).ok());
  EXPECT_FALSE(ParseInterface(std::string(300, 'a'), &b).ok());
  EXPECT_FALSE(ParseInterface(std::string("a\0b", 3), &b).ok());
}

TEST(ParseLocalPort, PortsAndRanges) {
  LocalBinding b;
  ASSERT_TRUE(ParseLocalPort("40000", &b).ok());
  EXPECT_EQ(b.port, 40000);
  EXPECT_EQ(b.port_count, 1u);
  ASSERT_TRUE(ParseLocalPort("40000-40009", &b).ok());
  EXPECT_EQ(b.port, 40000);
  EXPECT_EQ(b.port_count, 10u);
  ASSERT_TRUE(ParseLocalPort("7 - 7", &b).ok());  // curl's sscanf(" - %6s") allows spaces
  EXPECT_EQ(b.port, 7);
  EXPECT_EQ(b.port_count, 1u);
  ASSERT_TRUE(ParseLocalPort("1-65535", &b).ok());
  EXPECT_EQ(b.port_count, 65535u);
}

TEST(ParseLocalPort, BadValuesAreRefused) {
  for (const char* bad : {"", "abc", "0", "65536", "5-3", "-5", "5-", "5-x", "1.5", "+5", "99999999999", "5-70000"}) {
    LocalBinding b;
    absl::Status s = ParseLocalPort(bad, &b);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find("local_port"), absl::string_view::npos) << s.message();
  }
}

// Ipv4Socket is a fresh TCP socket; TakePort holds |port| on 127.0.0.1.
int Ipv4Socket() { return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); }

int TakePort(uint16_t port) {
  int fd = Ipv4Socket();
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || listen(fd, 1) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

sockaddr_in LocalOf(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return a;
}

// FreeRange finds |n| consecutive ports that can all be taken right now.
uint16_t FreeRange(int n) {
  for (uint16_t base = 42000; base < 60000; base += 97) {
    std::vector<int> held;
    for (int i = 0; i < n; ++i) {
      int fd = TakePort(static_cast<uint16_t>(base + i));
      if (fd < 0) break;
      held.push_back(fd);
    }
    bool all = static_cast<int>(held.size()) == n;
    for (int fd : held) close(fd);
    if (all) return base;
  }
  return 0;
}

const auto kNoLog = [](const std::string&) {};

TEST(BindLocal, AnAddressAndTheFirstFreePortOfTheRange) {
  uint16_t base = FreeRange(3);
  ASSERT_NE(base, 0);
  int taken = TakePort(base);
  ASSERT_GE(taken, 0);
  LocalBinding b = Interface("127.0.0.1");
  ASSERT_TRUE(ParseLocalPort(std::to_string(base) + "-" + std::to_string(base + 2), &b).ok());
  std::vector<std::string> log;
  int fd = Ipv4Socket();
  EXPECT_EQ(BindLocal(fd, AF_INET, b, [&](const std::string& l) { log.push_back(l); }), std::nullopt);
  sockaddr_in local = LocalOf(fd);
  EXPECT_EQ(ntohs(local.sin_port), base + 1) << "the first port was taken";
  EXPECT_EQ(ntohl(local.sin_addr.s_addr), INADDR_LOOPBACK);
  EXPECT_NE(std::find(log.begin(), log.end(), "Local port: " + std::to_string(base + 1)), log.end());
  close(fd);
  close(taken);
}

TEST(BindLocal, EveryPortTakenIsCurlsBindError) {
  uint16_t base = FreeRange(2);
  ASSERT_NE(base, 0);
  int a = TakePort(base), b2 = TakePort(base + 1);
  ASSERT_GE(a, 0);
  ASSERT_GE(b2, 0);
  LocalBinding b = Interface("127.0.0.1");
  ASSERT_TRUE(ParseLocalPort(std::to_string(base) + "-" + std::to_string(base + 1), &b).ok());
  int fd = Ipv4Socket();
  EXPECT_EQ(BindLocal(fd, AF_INET, b, kNoLog), "bind failed with errno 98: Address already in use");
  close(fd);
  close(a);
  close(b2);
}

TEST(BindLocal, UnknownInterfaceWordings) {
  int fd = Ipv4Socket();
  EXPECT_EQ(BindLocal(fd, AF_INET, Interface("if!strata-nonexistent0"), kNoLog),
            "Couldn't bind to interface 'strata-nonexistent0'");
  EXPECT_EQ(BindLocal(fd, AF_INET, Interface("strata-nonexistent0"), kNoLog),
            "Couldn't bind to 'strata-nonexistent0'");
  EXPECT_EQ(BindLocal(fd, AF_INET, Interface("host!strata-nonexistent0.invalid"), kNoLog),
            "Couldn't bind to 'strata-nonexistent0.invalid'");
  close(fd);
}

TEST(BindLocal, LoopbackInterfaceByName) {
  // As root the device itself is bound (SO_BINDTODEVICE); otherwise lo's
  // address. Either way a connect to 127.0.0.1 leaves from 127.0.0.1.
  int listener = TakePort(0);
  ASSERT_GE(listener, 0);
  sockaddr_in to = LocalOf(listener);
  int fd = Ipv4Socket();
  ASSERT_EQ(BindLocal(fd, AF_INET, Interface("lo"), kNoLog), std::nullopt);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
  EXPECT_EQ(ntohl(LocalOf(fd).sin_addr.s_addr), INADDR_LOOPBACK);
  close(fd);
  close(listener);
}

TEST(BindLocal, PortWithoutInterfaceBindsTheWildcardAddress) {
  uint16_t base = FreeRange(1);
  ASSERT_NE(base, 0);
  LocalBinding b;
  ASSERT_TRUE(ParseLocalPort(std::to_string(base), &b).ok());
  int fd = Ipv4Socket();
  ASSERT_EQ(BindLocal(fd, AF_INET, b, kNoLog), std::nullopt);
  sockaddr_in local = LocalOf(fd);
  EXPECT_EQ(ntohs(local.sin_port), base);
  EXPECT_EQ(local.sin_addr.s_addr, htonl(INADDR_ANY));
  close(fd);
}

TEST(BindLocal, AnIpv6AddressForAnIpv4SocketIsAFamilyMismatch) {
  int fd = Ipv4Socket();
  std::optional<std::string> error = BindLocal(fd, AF_INET, Interface("host!::1"), kNoLog);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->rfind("Couldn't bind to '::1'", 0), 0u) << *error;
  close(fd);
}

}  // namespace
}  // namespace strata::tcp
