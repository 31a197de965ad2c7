// The handshake engine alone: messages out, the proxy's bytes in, no I/O.
#include "plugins/socks/socks_handshake.h"

#include <string>

#include "gtest/gtest.h"

namespace strata::socks {
namespace {

using namespace std::string_literals;

HandshakeSettings Settings(SocksVersion version = SocksVersion::k5) {
  HandshakeSettings s;
  s.version = version;
  s.destination = *DestinationFor("example.com");
  s.port = 443;
  s.origin = "example.com:443";
  return s;
}

TEST(SocksWire, Socks5ConnectRequestPerAddressType) {
  EXPECT_EQ(Socks5ConnectRequest(*DestinationFor("example.com"), 443),
            "\x05\x01\x00\x03\x0b"s + "example.com" + "\x01\xbb"s);
  EXPECT_EQ(Socks5ConnectRequest(*DestinationFor("10.1.2.3"), 80),
            "\x05\x01\x00\x01\x0a\x01\x02\x03\x00\x50"s);
  EXPECT_EQ(Socks5ConnectRequest(*DestinationFor("[::1]"), 80),
            "\x05\x01\x00\x04"s + std::string(15, '\0') + "\x01\x00\x50"s);
}

TEST(SocksWire, DestinationNamesAreBounded) {
  EXPECT_TRUE(DestinationFor(std::string(255, 'a')).ok());
  EXPECT_FALSE(DestinationFor(std::string(256, 'a')).ok());
  EXPECT_FALSE(DestinationFor("").ok());
  EXPECT_FALSE(DestinationFor("a\nb").ok());
  EXPECT_FALSE(DestinationFor(std::string("a\0b", 3)).ok());
}

TEST(SocksHandshake, FullSocks5ExchangeFedAtOnceAndInPieces) {
  for (size_t piece : {size_t{1}, size_t{2}, size_t{100}}) {
    SCOPED_TRACE(piece);
    SocksHandshake h(Settings());
    EXPECT_EQ(h.Begin(), "\x05\x01\x00"s);
    std::string method = "\x05\x00"s;
    std::string next;
    for (size_t i = 0; i < method.size(); i += piece) {
      absl::StatusOr<std::string> out = h.Feed(method.substr(i, piece));
      ASSERT_TRUE(out.ok()) << out.status();
      next += *out;
    }
    EXPECT_EQ(next, "\x05\x01\x00\x03\x0b"s + "example.com" + "\x01\xbb"s);
    std::string reply = "\x05\x00\x00\x01\x01\x02\x03\x04\x00\x50"s + "tail";
    for (size_t i = 0; i < reply.size() && !h.open(); i += piece) {
      absl::StatusOr<std::string> out = h.Feed(reply.substr(i, piece));
      ASSERT_TRUE(out.ok()) << out.status();
      EXPECT_EQ(*out, "");
    }
    ASSERT_TRUE(h.open());
    EXPECT_EQ(h.bound(), "1.2.3.4:80");
    if (piece == 100) {
      EXPECT_EQ(h.TakeLeftover(), "tail");
    }
    EXPECT_FALSE(h.Feed("x").ok());  // the engine is done with the proxy
  }
}

TEST(SocksHandshake, StatusCodesSayWhatKindOfFailure) {
  {
    SocksHandshake h(Settings());
    h.Begin();
    EXPECT_EQ(h.Feed("\x05\xff"s).status().code(), absl::StatusCode::kPermissionDenied);
  }
  {
    SocksHandshake h(Settings());
    h.Begin();
    ASSERT_TRUE(h.Feed("\x05\x00"s).ok());
    EXPECT_EQ(h.Feed("\x05\x05"s).status().code(), absl::StatusCode::kUnavailable);
  }
  {
    SocksHandshake h(Settings());
    h.Begin();
    EXPECT_EQ(h.Feed("\x04\x00"s).status().code(), absl::StatusCode::kInvalidArgument);
    // Failure sticks.
    EXPECT_FALSE(h.Feed("\x05\x00"s).ok());
  }
}

TEST(SocksHandshake, EofMessagesNameTheAwaitedReply) {
  SocksHandshake h(Settings());
  h.Begin();
  EXPECT_NE(h.OnEof().message().find("without sending its reply to the greeting"),
            std::string::npos);
  ASSERT_TRUE(h.Feed("\x05\x00"s).ok());
  ASSERT_TRUE(h.Feed("\x05\x00\x00"s).ok());
  EXPECT_NE(h.OnEof().message().find("in the middle of its reply to CONNECT example.com:443 "
                                     "(after 3 bytes)"),
            std::string::npos)
      << h.OnEof();
}

TEST(SocksHandshake, Socks4aExchange) {
  HandshakeSettings s = Settings(SocksVersion::k4a);
  SocksHandshake h(s);
  EXPECT_EQ(h.Begin(), "\x04\x01\x01\xbb\x00\x00\x00\x01\x00"s + "example.com" + "\0"s);
  ASSERT_TRUE(h.Feed("\x00\x5a\x00\x00\x00\x00\x00\x00"s + "x").ok());
  EXPECT_TRUE(h.open());
  EXPECT_EQ(h.TakeLeftover(), "x");
}

}  // namespace
}  // namespace strata::socks
