#include "tools/cli/response_head.h"

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

TEST(ResponseHead, SplitLines) {
  EXPECT_EQ(SplitLines("a\r\nb\r\n"),
            (std::vector<absl::string_view>{"a", "b"}));
  EXPECT_EQ(SplitLines("a\n\nb"),
            (std::vector<absl::string_view>{"a", "", "b"}));
  EXPECT_TRUE(SplitLines("").empty());
}

TEST(ResponseHead, WholeHeadInOneEvent) {
  HeadTracker t;
  std::string out = t.Feed(
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\n");
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\n");
  EXPECT_EQ(t.status(), 200);
  EXPECT_EQ(t.content_length(), 5);
  EXPECT_EQ(t.CloseHead(), "") << "the blank line was already printed";
}

TEST(ResponseHead, OneLinePerEventWithoutBlankLine) {
  HeadTracker t;
  std::string out = t.Feed("HTTP/1.1 404 Not Found");
  out += t.Feed("content-length: 12");
  EXPECT_EQ(t.status(), 404);
  EXPECT_EQ(t.content_length(), 12);
  out += t.CloseHead();
  EXPECT_EQ(out, "HTTP/1.1 404 Not Found\r\ncontent-length: 12\r\n\r\n");
}

TEST(ResponseHead, NextHeadClosesThePreviousAndResetsLength) {
  HeadTracker t;
  std::string out = t.Feed("HTTP/1.1 301 Moved\nLocation: /b\nContent-Length: 3\n");
  out += t.Feed("HTTP/1.1 200 OK\n");
  EXPECT_EQ(out,
            "HTTP/1.1 301 Moved\r\nLocation: /b\r\nContent-Length: 3\r\n\r\n"
            "HTTP/1.1 200 OK\r\n");
  EXPECT_EQ(t.status(), 200);
  EXPECT_EQ(t.content_length(), -1);
  EXPECT_EQ(t.heads(), 2);
}

TEST(ResponseHead, Http2PseudoHeaderStatus) {
  HeadTracker t;
  t.Feed(":status: 204\r\ncontent-length: 0\r\n");
  EXPECT_EQ(t.status(), 204);
  EXPECT_EQ(t.content_length(), 0);
}

TEST(ResponseHead, BadContentLengthIsIgnored) {
  HeadTracker t;
  t.Feed("HTTP/1.1 200 OK\r\nContent-Length: -4\r\n");
  EXPECT_EQ(t.content_length(), -1);
  EXPECT_FALSE(HeadTracker().seen_any());
  EXPECT_TRUE(t.seen_any());
}

TEST(ResponseHead, FormatHeadFromResponse) {
  EXPECT_EQ(FormatHead(20, 200, {{"content-type", "text/html"}}),
            "HTTP/2 200\r\ncontent-type: text/html\r\n\r\n");
  EXPECT_EQ(FormatHead(11, 404, {}), "HTTP/1.1 404\r\n\r\n");
}

}  // namespace
}  // namespace strata::cli
