#include "tools/cli/trace_dump.h"

#include <string>

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

constexpr char kRequest[] = "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:18601\r\nUser-Agent: x\r\nAccept: */*\r\n\r\n";

// Both expectations are curl 7.88's output for the same bytes.
TEST(TraceDump, HexIsCurls) {
  EXPECT_EQ(TraceBlock(TraceStyle::kHex, "", "=> Send header", kRequest),
            "=> Send header, 79 bytes (0x4f)\n"
            "0000: 47 45 54 20 2f 69 6e 64 65 78 2e 68 74 6d 6c 20 GET /index.html \n"
            "0010: 48 54 54 50 2f 31 2e 31 0d 0a 48 6f 73 74 3a 20 HTTP/1.1..Host: \n"
            "0020: 31 32 37 2e 30 2e 30 2e 31 3a 31 38 36 30 31 0d 127.0.0.1:18601.\n"
            "0030: 0a 55 73 65 72 2d 41 67 65 6e 74 3a 20 78 0d 0a .User-Agent: x..\n"
            "0040: 41 63 63 65 70 74 3a 20 2a 2f 2a 0d 0a 0d 0a    Accept: */*....\n");
}

TEST(TraceDump, AsciiBreaksAtCrlfLikeCurl) {
  EXPECT_EQ(TraceBlock(TraceStyle::kAscii, "", "=> Send header", kRequest),
            "=> Send header, 79 bytes (0x4f)\n"
            "0000: GET /index.html HTTP/1.1\n"
            "001a: Host: 127.0.0.1:18601\n"
            "0031: User-Agent: x\n"
            "0040: Accept: */*\n"
            "004d: \n");
  EXPECT_EQ(TraceBlock(TraceStyle::kAscii, "", "<= Recv header", "\r\n"), "<= Recv header, 2 bytes (0x2)\n0000: \n");
  EXPECT_EQ(TraceBlock(TraceStyle::kAscii, "", "<= Recv data", std::string(100, 'x')),
            "<= Recv data, 100 bytes (0x64)\n"
            "0000: " + std::string(64, 'x') + "\n"
            "0040: " + std::string(36, 'x') + "\n");
}

TEST(TraceDump, AsciiCrlfRightAfterAFullLine) {
  // 64 bytes then CRLF: the CRLF ends that line, the next starts after it.
  std::string data = std::string(63, 'a') + "\r\nb";
  EXPECT_EQ(TraceBlock(TraceStyle::kAscii, "", "<= Recv data", data),
            "<= Recv data, 66 bytes (0x42)\n"
            "0000: " + std::string(63, 'a') + "\n"
            "0041: b\n");
}

TEST(TraceDump, UnprintableBytesAreDots) {
  EXPECT_EQ(TraceBlock(TraceStyle::kHex, "", "<= Recv data", std::string("\x00\x7f\x80\xff a", 6)),
            "<= Recv data, 6 bytes (0x6)\n"
            "0000: 00 7f 80 ff 20 61                               .\x7f.. a\n");
  EXPECT_EQ(TraceBlock(TraceStyle::kHex, "", "<= Recv data", ""), "<= Recv data, 0 bytes (0x0)\n");
}

TEST(TraceDump, InfoAndTime) {
  EXPECT_EQ(TraceInfo("", "Connected"), "== Info: Connected\n");
  std::string prefix = TraceTimePrefix(1765000000123456);
  ASSERT_EQ(prefix.size(), 16u);
  EXPECT_EQ(prefix.substr(8), ".123456 ");
  EXPECT_EQ(prefix[2], ':');
  EXPECT_EQ(TraceInfo(prefix, "x"), prefix + "== Info: x\n");
}

}  // namespace
}  // namespace strata::cli
