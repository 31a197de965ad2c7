#include "plugins/h1/response_parser.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace strata::h1 {
namespace {

// Drive feeds |pieces| to a parser and returns a transcript of what it
// reported. Body bytes are merged so that transcripts of different splits of
// the same input compare equal.
struct Result {
  std::string transcript;
  absl::Status error;
  bool done = false;
  bool reusable = true;
  BodyFraming framing = BodyFraming::kUnknown;
  std::string body;
  size_t leftover = 0;  // bytes after the end of the message
  std::optional<uint64_t> content_length;
  uint64_t body_bytes = 0;
};

// With |reuse|, that parser is Reset for the input instead of a new one
// being made (|limits| are then the reused parser's own).
Result Drive(const std::vector<std::string_view>& pieces, bool eof = true,
             RequestContext ctx = {}, ResponseParserLimits limits = {},
             ResponseParser* reuse = nullptr) {
  ResponseParser own(ctx, limits);
  if (reuse) reuse->Reset(ctx);
  ResponseParser& parser = reuse ? *reuse : own;
  Result r;
  std::string pending_body;
  auto flush_body = [&] {
    if (!pending_body.empty()) {
      r.transcript += "DATA " + pending_body + "\n";
      pending_body.clear();
    }
  };
  auto handle = [&](ResponseEvent ev) {
    switch (ev) {
      case ResponseEvent::kHead: {
        flush_body();
        const ResponseHead& h = parser.head();
        r.transcript += "HEAD " + std::to_string(h.version) + " " + std::to_string(h.status) +
                        " [" + std::string(h.reason) + "]\n";
        for (const HeaderField& f : h.fields) {
          r.transcript += "  " + std::string(f.name) + ": [" + std::string(f.value) + "]\n";
        }
        break;
      }
      case ResponseEvent::kData:
        pending_body.append(parser.data());
        r.body.append(parser.data());
        break;
      case ResponseEvent::kEnd:
        flush_body();
        r.transcript += "END\n";
        for (const HeaderField& f : parser.trailers()) {
          r.transcript += "  " + std::string(f.name) + ": [" + std::string(f.value) + "]\n";
        }
        r.done = true;
        break;
      case ResponseEvent::kNeedMore:
        break;
    }
  };
  for (std::string_view piece : pieces) {
    while (!r.done) {
      size_t used = 0;
      absl::StatusOr<ResponseEvent> ev = parser.Parse(piece, &used);
      if (!ev.ok()) {
        flush_body();
        r.error = ev.status();
        r.transcript += "ERROR " + std::string(ev.status().message()) + "\n";
        return r;
      }
      EXPECT_LE(used, piece.size());
      piece.remove_prefix(used);
      handle(*ev);
      if (*ev == ResponseEvent::kNeedMore) {
        EXPECT_TRUE(piece.empty());
        break;
      }
    }
    if (r.done) r.leftover += piece.size();
  }
  if (eof && !r.done) {
    absl::StatusOr<ResponseEvent> ev = parser.ParseEof();
    if (!ev.ok()) {
      flush_body();
      r.error = ev.status();
      r.transcript += "ERROR " + std::string(ev.status().message()) + "\n";
      return r;
    }
    handle(*ev);
  }
  flush_body();
  r.reusable = parser.reusable();
  r.framing = parser.framing();
  r.content_length = parser.content_length();
  r.body_bytes = parser.body_bytes();
  r.transcript += "reusable=" + std::to_string(r.reusable) +
                  " leftover=" + std::to_string(r.leftover) + "\n";
  return r;
}

Result Whole(std::string_view input, bool eof = true, RequestContext ctx = {},
             ResponseParserLimits limits = {}) {
  return Drive({input}, eof, ctx, limits);
}

// ExpectSameAtEverySplit checks that splitting |input| at each byte boundary,
// and feeding it one byte at a time, gives the transcript of one piece.
void ExpectSameAtEverySplit(std::string_view input, bool eof = true, RequestContext ctx = {}) {
  Result whole = Whole(input, eof, ctx);
  for (size_t i = 0; i <= input.size(); ++i) {
    Result split = Drive({input.substr(0, i), input.substr(i)}, eof, ctx);
    ASSERT_EQ(split.transcript, whole.transcript) << "split at " << i;
  }
  std::vector<std::string_view> bytes;
  for (size_t i = 0; i < input.size(); ++i) bytes.push_back(input.substr(i, 1));
  EXPECT_EQ(Drive(bytes, eof, ctx).transcript, whole.transcript) << "byte by byte";
}

// ---------------------------------------------------------------------------
// Framing (RFC 9112 §6.3)

TEST(ResponseParser, Rfc9112_6_3_ContentLengthBody) {
  Result r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello", false);
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.framing, BodyFraming::kContentLength);
  EXPECT_TRUE(r.reusable);
  EXPECT_EQ(r.transcript,
            "HEAD 11 200 [OK]\n  Content-Length: [5]\n  X-A: [b]\nDATA hello\nEND\n"
            "reusable=1 leftover=0\n");
}

TEST(ResponseParser, Rfc9112_6_3_ZeroContentLengthEndsAtHead) {
  Result r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false);
  EXPECT_TRUE(r.done);
  EXPECT_TRUE(r.reusable);
  EXPECT_EQ(r.body, "");
}

TEST(ResponseParser, Rfc9112_6_3_HeadResponseHasNoBody) {
  RequestContext head;
  head.head_request = true;
  Result r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", false, head);
  EXPECT_TRUE(r.done);
  EXPECT_TRUE(r.reusable);
  EXPECT_EQ(r.framing, BodyFraming::kNone);
}

TEST(ResponseParser, Rfc9112_6_3_NoContentAndNotModifiedHaveNoBody) {
  EXPECT_TRUE(Whole("HTTP/1.1 204 No Content\r\n\r\n", false).done);
  Result r = Whole("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", false);
  EXPECT_TRUE(r.done);
  EXPECT_TRUE(r.reusable);
}

TEST(ResponseParser, Rfc9112_6_3_ChunkedWithExtensionsAndTrailers) {
  std::string_view in =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "6 ; x=\"q\"\r\n world\r\n"
      "0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";
  Result r = Whole(in, false);
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.body, "hello world");
  EXPECT_EQ(r.framing, BodyFraming::kChunked);
  EXPECT_TRUE(r.reusable);
  EXPECT_NE(r.transcript.find("END\n  X-Checksum: [abc]\n  X-Other: [1]\n"), std::string::npos)
      << r.transcript;
  ExpectSameAtEverySplit(in, false);
}

TEST(ResponseParser, Rfc9112_6_3_ReadUntilCloseEndsAtEof) {
  Result r = Whole("HTTP/1.1 200 OK\r\n\r\nall of it");
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.body, "all of it");
  EXPECT_FALSE(r.reusable);
  EXPECT_EQ(r.framing, BodyFraming::kUntilClose);
}

TEST(ResponseParser, Rfc9112_6_3_ConnectSuccessOpensTunnel) {
  RequestContext connect;
  connect.connect_request = true;
  // HOSTILE 69: CL and TE on a CONNECT 2xx mean nothing.
  Result r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "\x16\x03\x01",
                   false, connect);
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.leftover, 3u);
  EXPECT_EQ(r.body, "");
}

TEST(ResponseParser, Rfc9112_9_3_KeepAliveRules) {
  EXPECT_TRUE(Whole("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false).reusable);
  EXPECT_FALSE(Whole("HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n", false)
                   .reusable);
  EXPECT_FALSE(
      Whole("HTTP/1.1 200 OK\r\nConnection: foo, close\r\nContent-Length: 0\r\n\r\n", false)
          .reusable);
  EXPECT_FALSE(Whole("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false).reusable);
  EXPECT_TRUE(
      Whole("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", false)
          .reusable);
}

TEST(ResponseParser, Rfc9112_4_StatusLineForms) {
  Result r = Whole("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false);
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_NE(r.transcript.find("HEAD 11 200 []"), std::string::npos);
  r = Whole("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n", false);
  EXPECT_NE(r.transcript.find("HEAD 11 404 []"), std::string::npos);
  r = Whole("HTTP/1.1 599 Some Odd  Reason\r\nContent-Length: 0\r\n\r\n", false);
  EXPECT_NE(r.transcript.find("HEAD 11 599 [Some Odd  Reason]"), std::string::npos);
  r = Whole("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", false);
  EXPECT_NE(r.transcript.find("HEAD 10 200 [OK]"), std::string::npos);
  // RFC 9112 §2.3: a higher 1.x minor version is treated as 1.1.
  r = Whole("HTTP/1.2 200 OK\r\nContent-Length: 0\r\n\r\n", false);
  EXPECT_NE(r.transcript.find("HEAD 11 200 [OK]"), std::string::npos);
}

TEST(ResponseParser, Rfc9110_5_5_FieldValueWhitespaceIsTrimmed) {
  Result r = Whole("HTTP/1.1 200 OK\r\nX-A:   spaced out \t\r\nX-B:\r\nContent-Length: 0\r\n\r\n",
                   false);
  EXPECT_NE(r.transcript.find("X-A: [spaced out]"), std::string::npos) << r.transcript;
  EXPECT_NE(r.transcript.find("X-B: []"), std::string::npos) << r.transcript;
}

TEST(ResponseParser, BodyBytesAreViewsIntoTheInput) {
  std::string in = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody";
  ResponseParser parser({});
  size_t used = 0;
  ASSERT_EQ(*parser.Parse(in, &used), ResponseEvent::kHead);
  std::string_view rest = std::string_view(in).substr(used);
  ASSERT_EQ(*parser.Parse(rest, &used), ResponseEvent::kData);
  EXPECT_EQ(parser.data().data(), in.data() + in.size() - 4);
  EXPECT_EQ(*parser.Parse("", &used), ResponseEvent::kEnd);
}

TEST(ResponseParser, SplitAtEveryByteBoundaryGivesTheSameResult) {
  ExpectSameAtEverySplit(
      "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-Fold: a\r\n  b\r\n\r\nhello world",
      false);
  ExpectSameAtEverySplit("HTTP/1.0 200 OK\nServer: x\n\nuntil close body\n");
  ExpectSameAtEverySplit(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "a\r\n0123456789\r\n1\n!\n0\r\n\r\n",
      false);
  // Errors come out the same too.
  ExpectSameAtEverySplit("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 7\r\n\r\n");
  ExpectSameAtEverySplit("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
  ExpectSameAtEverySplit("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX");
}

// ---------------------------------------------------------------------------
// docs/hostile-peers.md section F and case 39

TEST(ResponseParser, Hostile39_EndlessInformationalResponsesHitTheCap) {
  std::string in;
  for (int i = 0; i < 1000; ++i) in += "HTTP/1.1 102 Processing\r\nX-Pad: 0123456789\r\n\r\n";
  ResponseParserLimits limits;
  limits.max_informational_bytes = 4096;
  Result r = Whole(in, false, {}, limits);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kResourceExhausted) << r.error;
  EXPECT_NE(r.error.message().find("informational (1xx)"), std::string_view::npos);
}

TEST(ResponseParser, Hostile53_DifferentContentLengthsAreRejected) {
  Result r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 7\r\n\r\nabcdefg");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.error.message(), "two different Content-Length values (6, 7)");
  r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 6, 7\r\n\r\nabcdefg");
  EXPECT_EQ(r.error.message(), "two different Content-Length values (6, 7)");
  // Identical values are one value (RFC 9112 §6.3 rule 5).
  r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 6,6\r\n\r\nabcdef", false);
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_EQ(r.body, "abcdef");
  r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 6\r\n\r\nabcdef", false);
  EXPECT_TRUE(r.done);
}

TEST(ResponseParser, Hostile54_MalformedContentLengthIsRejected) {
  for (const char* cl : {"-1", "+3", "0x10", "12345678901234567890", "99999999999999999999999",
                         "9223372036854775808", "1 2", "", "3a"}) {
    Result r = Whole(std::string("HTTP/1.1 200 OK\r\nContent-Length: ") + cl + "\r\n\r\nabc");
    EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument) << cl;
  }
  Result r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\n", false);
  EXPECT_TRUE(r.error.ok()) << r.error;
}

TEST(ResponseParser, Hostile55_TransferEncodingWinsOverContentLengthAndBlocksReuse) {
  Result r = Whole(
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n",
      false);
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.framing, BodyFraming::kChunked);
  EXPECT_FALSE(r.reusable);
}

TEST(ResponseParser, Hostile56_ChunkedNotFinalOrUnknownCodingReadsUntilClose) {
  Result r = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello");
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_EQ(r.framing, BodyFraming::kUntilClose);
  EXPECT_EQ(r.body, "5\r\nhello");
  EXPECT_FALSE(r.reusable);

  r = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw");
  EXPECT_EQ(r.framing, BodyFraming::kUntilClose);
  EXPECT_EQ(r.body, "raw");
  EXPECT_FALSE(r.reusable);

  // Chunked applied twice is an error, split over two fields or not.
  r = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  r = Whole(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);

  // A known coding before chunked is framed as chunked and stays reusable.
  r = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n0\r\n\r\n", false);
  EXPECT_EQ(r.framing, BodyFraming::kChunked);
  EXPECT_TRUE(r.reusable);
}

TEST(ResponseParser, Hostile57_TransferEncodingInHttp10IsParsedButNotReused) {
  Result r = Whole(
      "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n0\r\n\r\n",
      false);
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_EQ(r.body, "abc");
  EXPECT_FALSE(r.reusable);
}

TEST(ResponseParser, Hostile58_ChunkSizeOverflowOrNonHexIsRejected) {
  const char* head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* line : {"10000000000000000\r\n", "00000000000000001\r\n", "zz\r\n",
                           "-1\r\n", "\r\n", "5 x\r\n", "0x5\r\n"}) {
    Result r = Whole(std::string(head) + line);
    EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument) << line;
    EXPECT_NE(r.error.message().find("malformed chunked body"), std::string_view::npos);
  }
  // 16 digits is allowed; the body is then truncated, not overflowed.
  Result r = Whole(std::string(head) + "ffffffffffffffff\r\nabc");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kDataLoss) << r.error;
  // Data longer than its chunk size.
  r = Whole(std::string(head) + "3\r\nabcdef\r\n0\r\n\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
}

TEST(ResponseParser, Hostile59_ShortBodyThenCloseIsTruncated) {
  Result r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(1234, 'x'));
  EXPECT_EQ(r.error.code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(r.error.message(),
            "response truncated: connection closed after 1234 of 5000 body bytes");
  r = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(r.error.message().find("no last chunk"), std::string_view::npos);
  r = Whole("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kDataLoss);
  r = Whole("HTTP/1.1 200 OK\r\nContent-Le");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(r.error.message().find("inside the response head"), std::string_view::npos);
}

TEST(ResponseParser, Hostile60_ObsFoldIsReplacedBySpace) {
  Result r = Whole(
      "HTTP/1.1 200 OK\r\nX-Long: first\r\n   second\r\n\tthird\r\nX-Next: n\r\n"
      "Content-Length: 0\r\n\r\n",
      false);
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_NE(r.transcript.find("  X-Long: [first second third]\n  X-Next: [n]\n"),
            std::string::npos)
      << r.transcript;
}

TEST(ResponseParser, Hostile61_WhitespaceBeforeFirstHeaderOrColonIsRejected) {
  Result r = Whole("HTTP/1.1 200 OK\r\n X-A: b\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.error.message().find("whitespace before the first header"), std::string_view::npos);
  r = Whole("HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.error.message().find("between header name and colon"), std::string_view::npos);
  r = Whole("HTTP/1.1 200 OK\r\nBad Name: 0\r\n\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  r = Whole("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
}

TEST(ResponseParser, Hostile62_BareCrIsRejectedBareLfAccepted) {
  Result r = Whole("HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.error.message().find("bare CR"), std::string_view::npos);
  r = Whole("HTTP/1.1 200 OK\rContent-Length: 0\r\n\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  r = Whole("HTTP/1.1 200 OK\nContent-Length: 2\nX-A: b\n\nhi", false);
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_EQ(r.body, "hi");
  EXPECT_TRUE(r.done);
  // A NUL in a field value is refused as well (HOSTILE 72).
  r = Whole(std::string("HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n", 30));
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
}

TEST(ResponseParser, Hostile63_InformationalResponsesAreReportedThenSkipped) {
  Result r = Whole(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n"
      "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      false);
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_EQ(r.transcript,
            "HEAD 11 100 [Continue]\nHEAD 11 102 [Processing]\nHEAD 11 103 [Early Hints]\n"
            "  Link: [</s.css>]\nHEAD 11 200 [OK]\n  Content-Length: [2]\nDATA ok\nEND\n"
            "reusable=1 leftover=0\n");
  // A 101 nobody asked for is an error.
  r = Whole("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n");
  EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(r.error.message().find("101"), std::string_view::npos);
  // With an upgrade requested the message ends at the head; the rest is the
  // new protocol's.
  RequestContext upgrade;
  upgrade.upgrade_requested = true;
  r = Whole("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nPRI", false, upgrade);
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.leftover, 3u);
  EXPECT_FALSE(r.reusable);
}

TEST(ResponseParser, Hostile64_BodyBytesOnHeadNoContentOrNotModifiedAreNotBody) {
  RequestContext head;
  head.head_request = true;
  Result r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, head);
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.leftover, 5u);  // the session closes instead of parsing these
  r = Whole("HTTP/1.1 204 No Content\r\n\r\nstray", false);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.leftover, 5u);
  r = Whole("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.leftover, 5u);
}

TEST(ResponseParser, Hostile65_GarbageStatusLineIsRejected) {
  std::string long_code = "HTTP/1.1 " + std::string(100, '2') + " OK\r\n\r\n";
  std::string long_version = "HTTP/" + std::string(100, '1') + ".1 200 OK\r\n\r\n";
  for (const std::string& in :
       {long_code, long_version, std::string("HTTP/1.11 200 OK\r\n\r\n"),
        std::string("HTTP/2 200\r\n\r\n"), std::string("HTTP/2.0 200 OK\r\n\r\n"),
        std::string("HTTP/1.1 99 Low\r\n\r\n"), std::string("HTTP/1.1 2000 OK\r\n\r\n"),
        std::string("HTTP/1.1 20x OK\r\n\r\n"), std::string("HTTP/1.1  200 OK\r\n\r\n"),
        std::string("http/1.1 200 OK\r\n\r\n"), std::string("\r\nHTTP/1.1 200 OK\r\n\r\n"),
        std::string("<html>hello</html>\n")}) {
    Result r = Whole(in);
    EXPECT_EQ(r.error.code(), absl::StatusCode::kInvalidArgument) << in;
    EXPECT_TRUE(r.error.message().find("status line") != std::string_view::npos ||
                r.error.message().find("HTTP version") != std::string_view::npos)
        << r.error;
  }
  // An HTTP/0.9 reply has no line end to wait for: it is refused at once.
  ResponseParser parser({});
  size_t used = 0;
  absl::StatusOr<ResponseEvent> ev = parser.Parse("<html", &used);
  EXPECT_EQ(ev.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ev.status().message().find("malformed status line"), std::string_view::npos);
}

TEST(ResponseParser, Hostile66_HugeOrEndlessHeadersHitTheLimits) {
  ResponseParserLimits limits;
  limits.max_header_line_bytes = 1000;
  limits.max_header_block_bytes = 5000;
  limits.max_header_count = 20;
  Result r = Whole("HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n", true, {},
                   limits);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(r.error.message().find("max_header_line_bytes"), std::string_view::npos);

  std::string many = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 100; ++i) many += "X-Field-" + std::to_string(i) + ": " + std::string(90, 'v') + "\r\n";
  r = Whole(many + "\r\n", true, {}, limits);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(r.error.message().find("max_header_bytes"), std::string_view::npos);

  std::string count = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 21; ++i) count += "A: b\r\n";
  r = Whole(count + "\r\n", true, {}, limits);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(r.error.message().find("max_header_count"), std::string_view::npos);

  // The defaults are curl's: 100 KiB per line, 300 KiB per head, 5000 fields.
  ResponseParserLimits defaults;
  EXPECT_EQ(defaults.max_header_line_bytes, 100u * 1024);
  EXPECT_EQ(defaults.max_header_block_bytes, 300u * 1024);
  EXPECT_EQ(defaults.max_header_count, 5000u);
  // An endless header line without a line end fails once past the limit,
  // without buffering more than the limit.
  ResponseParser parser({}, limits);
  size_t used = 0;
  ASSERT_EQ(*parser.Parse("HTTP/1.1 200 OK\r\nX: ", &used), ResponseEvent::kNeedMore);
  absl::StatusOr<ResponseEvent> ev;
  for (int i = 0; i < 100 && (ev = parser.Parse(std::string(100, 'a'), &used)).ok(); ++i) {
  }
  EXPECT_EQ(ev.status().code(), absl::StatusCode::kResourceExhausted);
  // Trailers are bounded too.
  std::string trailers = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  for (int i = 0; i < 100; ++i) trailers += "T: " + std::string(90, 't') + "\r\n";
  r = Whole(trailers + "\r\n", true, {}, limits);
  EXPECT_EQ(r.error.code(), absl::StatusCode::kResourceExhausted);
}

TEST(ResponseParser, Hostile67_StackedContentEncodingIsPassedThroughUndecoded) {
  // Content decoding (and its chain cap of 5) belongs to the runtime; the
  // parser frames the bytes and hands every Content-Encoding field on as is.
  Result r = Whole(
      "HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip, gzip, gzip, gzip, gzip\r\n"
      "Content-Encoding: br\r\nContent-Length: 3\r\n\r\nxyz",
      false);
  EXPECT_TRUE(r.error.ok()) << r.error;
  EXPECT_EQ(r.body, "xyz");
  EXPECT_NE(r.transcript.find("Content-Encoding: [gzip, gzip, gzip, gzip, gzip, gzip]\n"
                              "  Content-Encoding: [br]"),
            std::string::npos);
}

TEST(ResponseParser, Hostile68_BytesAfterTheResponseAreNotPartOfIt) {
  Result r = Whole("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n", false);
  EXPECT_TRUE(r.done);
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(r.leftover, 17u);
  ResponseParser parser({});
  size_t used = 0;
  ASSERT_EQ(*parser.Parse("HTTP/1.1 204 No Content\r\n\r\n", &used), ResponseEvent::kHead);
  ASSERT_EQ(*parser.Parse("", &used), ResponseEvent::kEnd);
  EXPECT_EQ(parser.Parse("x", &used).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace strata::h1

namespace strata::h1 {
namespace {

// Found by tests/fuzz/h1_response_fuzzer (corpus file
// regression_garbage_long_line): a non-HTTP reply whose first line exceeds
// max_header_line_bytes was a limit error in one piece but a protocol error
// when split. The "HTTP/" check now runs before the bytes are buffered.
TEST(ResponseParser, FuzzGarbageFirstLineVerdictIndependentOfSplit) {
  ResponseParserLimits limits;
  limits.max_header_line_bytes = 16;
  const std::string garbage(40, '\0');
  Result whole = Drive({garbage}, true, {}, limits);
  Result split = Drive({std::string_view(garbage).substr(0, 1),
                        std::string_view(garbage).substr(1)},
                       true, {}, limits);
  EXPECT_EQ(whole.error.code(), absl::StatusCode::kInvalidArgument) << whole.error;
  EXPECT_EQ(split.error.code(), absl::StatusCode::kInvalidArgument) << split.error;
  EXPECT_NE(whole.error.message().find("does not start with \"HTTP/\""), std::string::npos);
}

// A connection resets one parser for each response: whatever the previous
// response left (a chunked body with trailers, a folded field, a 1xx, a
// close-delimited body, a HEAD, an error), a reset parser reports exactly
// what a new one does.
TEST(ResponseParser, AResetParserBehavesAsANewOne) {
  const std::vector<std::pair<std::string, RequestContext>> inputs = {
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n", {}},
      {"HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 3\r\n\r\nabc", {}},
      {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nServer: x\r\n\r\n", {}},
      {"HTTP/1.0 200 OK\r\n\r\nuntil close", {}},
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", {true, false, false}},
      {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", {}},
      {"HTTP/1.1 301 Moved\r\nLocation: /x\r\nContent-Length: 2\r\n\r\nhiEXTRA", {}},
  };
  ResponseParser shared(RequestContext{});
  for (size_t before = 0; before < inputs.size(); ++before) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      Drive({inputs[before].first}, true, inputs[before].second, {}, &shared);
      Result reused = Drive({inputs[i].first}, true, inputs[i].second, {}, &shared);
      Result fresh = Drive({inputs[i].first}, true, inputs[i].second);
      EXPECT_EQ(reused.transcript, fresh.transcript) << "input " << i << " after input " << before;
      EXPECT_EQ(reused.framing, fresh.framing) << "input " << i << " after input " << before;
      EXPECT_EQ(reused.body, fresh.body);
      EXPECT_EQ(reused.content_length, fresh.content_length) << "input " << i << " after input " << before;
      EXPECT_EQ(reused.body_bytes, fresh.body_bytes) << "input " << i << " after input " << before;
    }
  }
}

}  // namespace
}  // namespace strata::h1
