// HTTP/1.1 responses from a misbehaving server: docs/hostile-peers.md section F
// (cases 53–68) and case 39, end to end through the public C API against a
// ScriptedPeer that sends the exact bytes. Each test is named after its
// case. The client must return the expected status with a message, never
// crash or hang (every fetch is timed), and must not reuse a connection
// whose framing is in doubt: the follow-up request has to arrive on a new
// connection, which the peer records.
#include <cctype>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kPrompt = seconds(8);

const std::string kGoodFromNew =
    "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nfrom-new";
const std::string kGoodFromOld =
    "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nfrom-old";

class H1HostileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RuntimeResult rt = MakeRuntime(DefaultTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
  }

  // TimedGet fetches |url| and fails the test if it takes too long.
  FetchResult TimedGet(const std::string& url, const std::string& method = "GET") {
    FetchSpec spec;
    spec.method = method;
    spec.url = url;
    auto start = std::chrono::steady_clock::now();
    FetchResult r = Fetch(runtime_.get(), spec);
    EXPECT_LT(std::chrono::steady_clock::now() - start, kPrompt) << "fetch of " << url << " hung";
    return r;
  }

  // ExpectError checks the status and that the message says something.
  static void ExpectError(const FetchResult& r, strata_status want, const char* mentions = nullptr) {
    EXPECT_EQ(r.status, want) << r.Describe();
    EXPECT_EQ(r.response, nullptr);
    EXPECT_STRNE(r.error.message, "");
    if (mentions) {
      std::string lower = r.error.message;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      EXPECT_NE(lower.find(mentions), std::string::npos)
          << "message should mention \"" << mentions << "\": " << r.error.message;
    }
  }

  // FirstConnection is what the peer plays on the connection that gets the
  // hostile response: after it, the connection stays open and would answer
  // "from-old" — so a client that reuses it is caught.
  static PeerScript HostileThenOld(const std::string& response) {
    return {ReadRequest(), Send(response), ReadRequest(), Send(kGoodFromOld), ReadUntilClose()};
  }

  // ExpectNotReused fetches again and requires a new connection.
  void ExpectNotReused(ScriptedPeer& peer) {
    FetchResult next = TimedGet(peer.Url("/next"));
    ASSERT_EQ(next.status, STRATA_OK) << next.Describe();
    EXPECT_EQ(next.body(), "from-new") << "the doubtful connection was reused";
    EXPECT_EQ(peer.ConnectionCount(), 2);
    EXPECT_EQ(peer.Connection(0).requests.size(), 1u);
  }

  RuntimePtr runtime_;
};

// ---- 53: conflicting Content-Length --------------------------------------

TEST_F(H1HostileTest, Case53_TwoDifferentContentLengths) {
  ScriptedPeer peer({HostileThenOld("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 7\r\n\r\n"
                                    "abcdefg"),
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_PROTOCOL, "content-length");
  ExpectNotReused(peer);
}

TEST_F(H1HostileTest, Case53_ListOfDifferentContentLengths) {
  ScriptedPeer peer({HostileThenOld("HTTP/1.1 200 OK\r\nContent-Length: 6, 7\r\n\r\nabcdefg"),
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_PROTOCOL, "content-length");
  ExpectNotReused(peer);
}

TEST_F(H1HostileTest, Case53_IdenticalContentLengthsAreAccepted) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\nContent-Length: 6,6\r\nContent-Length: 6\r\n\r\nabcdef"),
                      ReadUntilClose()}});
  FetchResult r = TimedGet(peer.Url("/"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "abcdef");
}

// ---- 54: malformed Content-Length ----------------------------------------

class Case54 : public H1HostileTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(Case54, MalformedContentLengthIsAnError) {
  ScriptedPeer peer({HostileThenOld(std::string("HTTP/1.1 200 OK\r\nContent-Length: ") + GetParam() +
                                    "\r\n\r\nabc"),
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_PROTOCOL, "content-length");
  ExpectNotReused(peer);
}

INSTANTIATE_TEST_SUITE_P(H1Hostile, Case54,
                         ::testing::Values("-1", "+3", "0x10", "123456789012345678901", "3 3", "3a"));

// ---- 55: Transfer-Encoding and Content-Length ----------------------------

TEST_F(H1HostileTest, Case55_ChunkedWinsOverContentLengthAndNoReuse) {
  ScriptedPeer peer({HostileThenOld("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                                    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  FetchResult r = TimedGet(peer.Url("/"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "hello");
  ExpectNotReused(peer);
}

// ---- 56: chunked not final, duplicated, unknown coding -------------------

// HOSTILE 56 allows either outcome: read until close (the raw bytes are the
// body) or an error. Both are checked exactly, and there is no reuse.
void ExpectReadToCloseOrProtocolError(const FetchResult& r, const std::string& raw) {
  if (r.status == STRATA_OK) {
    EXPECT_EQ(r.body(), raw) << "read-until-close must deliver the raw bytes";
  } else {
    EXPECT_EQ(r.status, STRATA_E_PROTOCOL) << r.Describe();
    EXPECT_STRNE(r.error.message, "");
  }
}

TEST_F(H1HostileTest, Case56_UnknownTransferCoding) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\nTransfer-Encoding: strata-unknown\r\n\r\nraw bytes"),
                      Close()},
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  ExpectReadToCloseOrProtocolError(TimedGet(peer.Url("/")), "raw bytes");
  ExpectNotReused(peer);
}

TEST_F(H1HostileTest, Case56_DuplicatedChunked) {
  const std::string body = "5\r\nhello\r\n0\r\n\r\n";
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n" + body),
                      Close()},
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  ExpectReadToCloseOrProtocolError(TimedGet(peer.Url("/")), body);
  ExpectNotReused(peer);
}

// chunked not last: RFC 9112 §6.3 rule 4 says read until close.
TEST_F(H1HostileTest, Case56_ChunkedNotTheFinalCoding) {
  const std::string body = "5\r\nhello\r\n0\r\n\r\n";
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n" + body), Close()},
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  ExpectReadToCloseOrProtocolError(TimedGet(peer.Url("/")), body);
  ExpectNotReused(peer);
}

// ---- 57: Transfer-Encoding in an HTTP/1.0 response -----------------------

TEST_F(H1HostileTest, Case57_TransferEncodingInHttp10MeansFaultyFraming) {
  ScriptedPeer peer({HostileThenOld("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n"
                                    "Content-Length: 100\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  FetchResult r = TimedGet(peer.Url("/"));
  // Processing the message is allowed (as chunked, or read to close), as
  // is refusing it; the connection must be closed afterwards either way.
  if (r.status != STRATA_OK) {
    EXPECT_TRUE(r.status == STRATA_E_PROTOCOL || r.status == STRATA_E_TRUNCATED) << r.Describe();
  }
  ExpectNotReused(peer);
}

// ---- 58: chunk size overflow or non-hex ----------------------------------

TEST_F(H1HostileTest, Case58_ChunkSizeOverflow) {
  ScriptedPeer peer({HostileThenOld("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "1000000000000000000000005\r\nhello\r\n0\r\n\r\n"),
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_PROTOCOL, "chunk");
  ExpectNotReused(peer);
}

TEST_F(H1HostileTest, Case58_ChunkSizeNotHex) {
  ScriptedPeer peer({HostileThenOld("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                    "zz\r\nhello\r\n0\r\n\r\n"),
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_PROTOCOL, "chunk");
  ExpectNotReused(peer);
}

// ---- 59: short body / no last-chunk, then close --------------------------

TEST_F(H1HostileTest, Case59_ShortBodyThenClose) {
  ScriptedPeer peer({{ReadRequest(), Send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello"), Close()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_TRUNCATED);
}

TEST_F(H1HostileTest, Case59_NoLastChunkThenClose) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"),
                      Close()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_TRUNCATED);
}

TEST_F(H1HostileTest, Case59_CloseInsideTheHead) {
  ScriptedPeer peer({{ReadRequest(), Send("HTTP/1.1 200 OK\r\nContent-Le"), Close()}});
  FetchResult r = TimedGet(peer.Url("/"));
  EXPECT_LT(r.status, 0) << r.Describe();
  EXPECT_EQ(r.response, nullptr);
}

// ---- 60: obs-fold ---------------------------------------------------------

TEST_F(H1HostileTest, Case60_ObsFoldBecomesSpaceNotANewHeader) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\nX-Folded: first\r\n Injected: yes\r\n"
                           "Content-Length: 2\r\n\r\nok"),
                      ReadUntilClose()}});
  FetchResult r = TimedGet(peer.Url("/"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "ok");
  EXPECT_FALSE(r.has_header("Injected"));
  std::string folded = r.header("X-Folded");
  EXPECT_EQ(folded.rfind("first", 0), 0u) << folded;
  EXPECT_NE(folded.find("Injected: yes"), std::string::npos) << folded;
  EXPECT_EQ(folded.find_first_of("\r\n"), std::string::npos) << folded;
}

// ---- 61: whitespace before the first header or before the colon ----------

TEST_F(H1HostileTest, Case61_WhitespaceBeforeFirstHeader) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\n X-Smuggled: 1\r\nContent-Length: 2\r\n\r\nok"), Close()}});
  FetchResult r = TimedGet(peer.Url("/"));
  if (r.status == STRATA_OK) {
    EXPECT_FALSE(r.has_header("X-Smuggled")) << "the line must be skipped, not parsed";
  } else {
    ExpectError(r, STRATA_E_PROTOCOL);
  }
}

TEST_F(H1HostileTest, Case61_WhitespaceBeforeColon) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\nContent-Length : 5\r\nContent-Length: 2\r\n\r\nok"),
                      Close()}});
  FetchResult r = TimedGet(peer.Url("/"));
  if (r.status == STRATA_OK) {
    EXPECT_EQ(r.body(), "ok");  // the malformed line was skipped, not used for framing
  } else {
    ExpectError(r, STRATA_E_PROTOCOL);
  }
}

// ---- 62: bare CR and bare LF ---------------------------------------------

TEST_F(H1HostileTest, Case62_BareCrInAHeaderValue) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\nX-Cr: a\rInjected: b\r\nContent-Length: 2\r\n\r\nok"),
                      Close()}});
  FetchResult r = TimedGet(peer.Url("/"));
  if (r.status == STRATA_OK) {
    EXPECT_FALSE(r.has_header("Injected"));
    EXPECT_EQ(r.header("X-Cr").find('\r'), std::string::npos) << "CR must be replaced";
  } else {
    ExpectError(r, STRATA_E_PROTOCOL);
  }
}

// Bare LF line endings: accepting them is allowed; refusing them is too.
// What is not allowed is mis-framing the body.
TEST_F(H1HostileTest, Case62_BareLfLineEndings) {
  ScriptedPeer peer({{ReadRequest(), Send("HTTP/1.1 200 OK\nContent-Length: 2\n\nokEXTRA"), Close()}});
  FetchResult r = TimedGet(peer.Url("/"));
  if (r.status == STRATA_OK) {
    EXPECT_EQ(r.http_status(), 200);
    EXPECT_EQ(r.body(), "ok");
  } else {
    ExpectError(r, STRATA_E_PROTOCOL);
  }
}

// ---- 63: unexpected 1xx ---------------------------------------------------

TEST_F(H1HostileTest, Case63_InterimResponsesAreSkipped) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 100 Continue\r\n\r\n"
                           "HTTP/1.1 102 Processing\r\n\r\n"
                           "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Final: yes\r\n\r\nfinal"),
                      ReadUntilClose()}});
  FetchResult r = TimedGet(peer.Url("/"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.header("X-Final"), "yes");
  EXPECT_FALSE(r.has_header("Link"));  // the 103's headers are not the final ones
  EXPECT_EQ(r.body(), "final");
}

TEST_F(H1HostileTest, Case63_UnrequestedSwitchingProtocolsIsAnError) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\n\r\n\x81\x05hello"),
                      ReadUntilClose()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_PROTOCOL, "101");
}

// ---- 64: body bytes on HEAD, 204, 304 ------------------------------------

TEST_F(H1HostileTest, Case64_BodyOnHeadIsNotParsedAsTheNextResponse) {
  ScriptedPeer peer({HostileThenOld("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  FetchResult r = TimedGet(peer.Url("/"), "HEAD");
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "");
  EXPECT_EQ(r.header("Content-Length"), "5");
  ExpectNotReused(peer);
}

class Case64 : public H1HostileTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(Case64, BodyOnBodylessStatusIsNotParsedAsTheNextResponse) {
  ScriptedPeer peer({HostileThenOld(std::string("HTTP/1.1 ") + GetParam() +
                                    "\r\nContent-Length: 5\r\n\r\nhello"),
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  FetchResult r = TimedGet(peer.Url("/"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "");
  ExpectNotReused(peer);
}

INSTANTIATE_TEST_SUITE_P(H1Hostile, Case64, ::testing::Values("204 No Content", "304 Not Modified"));

// ---- 65: garbage status line ---------------------------------------------

class Case65 : public H1HostileTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(Case65, GarbageStatusLineIsRejected) {
  ScriptedPeer peer({{ReadRequest(), Send(GetParam() + "\r\nContent-Length: 2\r\n\r\nok"), Close()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_PROTOCOL);
}

INSTANTIATE_TEST_SUITE_P(H1Hostile, Case65,
                         ::testing::Values("HTTP/1.1 " + std::string(100, '2') + " OK",
                                           "HTTP/1." + std::string(100, '1') + " 200 OK",
                                           "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "HTTP/1.1 abc OK",
                                           "HTTP/2.0 200 OK", "ICY 200 OK", "HTTP/1.1200 OK"));

// An HTTP/0.9-style reply (no status line) on a reused connection.
TEST_F(H1HostileTest, Case65_Http09ReplyOnAReusedConnection) {
  ScriptedPeer peer({{ReadRequest(), Send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"),
                      ReadRequest(), Send("just some bytes with no status line\r\n"), Close()}},
                    /*extra_connections_close=*/true);
  FetchResult first = TimedGet(peer.Url("/1"));
  ASSERT_EQ(first.status, STRATA_OK) << first.Describe();
  FetchResult second = TimedGet(peer.Url("/2"));
  ExpectError(second, STRATA_E_PROTOCOL);
  EXPECT_EQ(peer.Connection(0).requests.size(), 2u) << "the connection should have been reused";
}

// ---- 66: huge or endless headers -----------------------------------------

TEST_F(H1HostileTest, Case66_HugeHeaderLine) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\nX-Huge: " + std::string(200 * 1024, 'h') +
                           "\r\nContent-Length: 2\r\n\r\nok"),
                      Close()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_LIMIT, "header");
}

TEST_F(H1HostileTest, Case66_TooManyHeaders) {
  std::string head = "HTTP/1.1 200 OK\r\n";
  for (int i = 0; i < 10000; ++i) head += "X-N" + std::to_string(i) + ": v\r\n";
  ScriptedPeer peer({{ReadRequest(), Send(head + "Content-Length: 2\r\n\r\nok"), Close()}});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_LIMIT, "header");
}

// Headers that never end: the limit must trip while they stream in, not
// after the server stops (it never does).
TEST_F(H1HostileTest, Case66_EndlessHeaders) {
  std::string lines;
  for (int i = 0; i < 2000; ++i) lines += "X-Endless-" + std::to_string(i) + ": " + std::string(200, 'e') + "\r\n";
  PeerScript script = {ReadRequest(), Send("HTTP/1.1 200 OK\r\n")};
  for (int i = 0; i < 10; ++i) script.push_back(Send(lines));  // ~4 MB, no blank line
  script.push_back(NeverAnswer());
  ScriptedPeer peer({script});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_LIMIT, "header");
}

// ---- 67: stacked Content-Encoding -----------------------------------------

// strata may decode content codings or pass them through; it must neither
// expand a stack of codings without bound nor crash on them.
TEST_F(H1HostileTest, Case67_StackedContentEncoding) {
  const std::string body = "not really gzip";
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip, gzip, gzip, gzip, gzip, gzip\r\n"
                           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body),
                      Close()}});
  FetchResult r = TimedGet(peer.Url("/"));
  if (r.status == STRATA_OK) {
    EXPECT_EQ(r.body(), body) << "undecoded bodies must be passed through unchanged";
  } else {
    EXPECT_TRUE(r.status == STRATA_E_LIMIT || r.status == STRATA_E_PROTOCOL) << r.Describe();
  }
}

// ---- 68: extra bytes, or a response before the request --------------------

TEST_F(H1HostileTest, Case68_ExtraBytesAfterTheResponse) {
  ScriptedPeer peer({HostileThenOld("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"),
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  FetchResult r = TimedGet(peer.Url("/"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "ok");
  ExpectNotReused(peer);
}

// An unsolicited response arrives on the idle pooled connection: it must
// not be taken as the answer to the next request (the runtime lets the idle
// session read before reuse, and h1 refuses bytes on an idle connection).
TEST_F(H1HostileTest, Case68_ResponseBeforeTheRequestOnAnIdleConnection) {
  ScriptedPeer peer({{ReadRequest(), Send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"),
                      Sleep(100),
                      Send("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nunsolicited"),
                      ReadRequest(), Send(kGoodFromOld), ReadUntilClose()},
                     {ReadRequest(), Send(kGoodFromNew), ReadUntilClose()}});
  FetchResult first = TimedGet(peer.Url("/1"));
  ASSERT_EQ(first.status, STRATA_OK) << first.Describe();
  EXPECT_EQ(first.body(), "first");
  std::this_thread::sleep_for(milliseconds(400));  // let the unsolicited bytes land
  FetchResult second = TimedGet(peer.Url("/2"));
  ASSERT_EQ(second.status, STRATA_OK) << second.Describe();
  EXPECT_EQ(second.body(), "from-new");
  EXPECT_EQ(peer.ConnectionCount(), 2);
}

// ---- 39: endless 1xx ------------------------------------------------------

TEST_F(H1HostileTest, Case39_EndlessInterimResponses) {
  std::string hints;
  for (int i = 0; i < 1000; ++i) {
    hints += "HTTP/1.1 103 Early Hints\r\nLink: </asset-" + std::to_string(i) + ".css>; rel=preload\r\n\r\n";
  }
  PeerScript script = {ReadRequest()};
  for (int i = 0; i < 100; ++i) script.push_back(Send(hints));  // ~6 MB of 1xx heads
  script.push_back(NeverAnswer());
  ScriptedPeer peer({script});
  ExpectError(TimedGet(peer.Url("/")), STRATA_E_LIMIT);
}

// ---- what the client sent --------------------------------------------------

// The request side of every exchange above: one well-formed request line,
// Host with the port, no body for GET.
TEST_F(H1HostileTest, RequestBytesAreWellFormed) {
  ScriptedPeer peer({{ReadRequest(), Send("HTTP/1.1 204 No Content\r\n\r\n"), ReadUntilClose()}});
  FetchResult r = TimedGet(peer.Url("/path?q=1"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 204);
  ASSERT_TRUE(peer.WaitForConnections(1, seconds(5)));
  std::vector<std::string> requests = peer.AllRequests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string& req = requests[0];
  EXPECT_EQ(req.rfind("GET /path?q=1 HTTP/1.1\r\n", 0), 0u) << req;
  EXPECT_EQ(HeaderValue(req, "Host"), "127.0.0.1:" + std::to_string(peer.port())) << req;
  EXPECT_EQ(HeaderValue(req, "Content-Length"), "");
  EXPECT_EQ(HeaderValue(req, "Transfer-Encoding"), "");
  EXPECT_EQ(req.substr(req.size() - 4), "\r\n\r\n");
}

}  // namespace
}  // namespace strata::test
