// docs/hostile-peers.md sections B-E: what a misbehaving HTTP/2 server sends and what
// the client must answer. One test per case, named with its number; each
// scripts a fake server (testing/session_harness.h) and checks the frames
// the client wrote back.
#include <functional>
#include <string>

#include "gtest/gtest.h"
#include "plugins/h2/engine/session/client_session.h"
#include "plugins/h2/engine/testing/session_harness.h"

namespace strata::h2 {
namespace {

using testing::Exchange;
using testing::Harness;
using testing::StringBody;

constexpr uint32_t C(ErrorCode c) { return static_cast<uint32_t>(c); }
constexpr uint8_t kEH = flags::kEndHeaders;
constexpr uint8_t kES = flags::kEndStream;

// Lit is an HPACK literal without indexing with a new name (short strings).
std::string Lit(const std::string& name, const std::string& value) {
  return std::string(1, '\0') + static_cast<char>(name.size()) + name +
         static_cast<char>(value.size()) + value;
}
const std::string kStatus200 = "\x88";

// Fresh is a harness after the SETTINGS exchange.
std::unique_ptr<Harness> Fresh(SessionOptions o = SessionOptions(),
                               std::vector<Setting> settings = {}) {
  auto h = std::make_unique<Harness>(o);
  h->Handshake(settings);
  return h;
}

// ExpectConnectionError feeds |bytes| after one open GET and expects GOAWAY(code).
void ExpectConnectionError(const std::string& what, const std::string& bytes, ErrorCode code,
                           bool open_stream = true) {
  auto h = Fresh();
  Exchange* ex = open_stream ? h->Request() : nullptr;
  absl::Status st = h->Feed(bytes);
  EXPECT_FALSE(st.ok()) << what;
  EXPECT_EQ(h->GoawayCode(), C(code)) << what;
  EXPECT_TRUE(h->session().IsDead()) << what;
  if (ex) {
    EXPECT_TRUE(ex->closed) << what;
    EXPECT_FALSE(ex->result.status.ok()) << what;
  }
}

// ExpectStreamError feeds |bytes| (built for stream 1) and expects
// RST_STREAM(code) on stream 1 while stream 3 still completes.
void ExpectStreamError(const std::string& what,
                       const std::function<std::string(Harness&)>& bytes, ErrorCode code,
                       const std::string& method = "GET") {
  auto h = Fresh();
  Exchange* ex = h->Request("/", nullptr, method);
  Exchange* sibling = h->Request("/sibling");
  EXPECT_TRUE(h->Feed(bytes(*h)).ok()) << what;
  EXPECT_EQ(h->RstCode(1), C(code)) << what;
  EXPECT_TRUE(ex->closed) << what;
  EXPECT_FALSE(ex->result.status.ok()) << what;
  EXPECT_FALSE(ex->result.retryable) << what;
  EXPECT_TRUE(h->Feed(h->Response(3, 200, true)).ok()) << what;
  EXPECT_TRUE(sibling->closed && sibling->result.status.ok()) << what;
  EXPECT_EQ(h->GoawayCode(), std::nullopt) << what;
}

// ---------------------------------------------------------------- B

TEST(ClientSession, Hostile08_FrameLargerThanOurMaxFrameSize) {
  ExpectStreamError("oversized DATA",
                    [](Harness& h) { return h.Response(1, 200, false) + h.Data(1, std::string(16385, 'x'), false); },
                    ErrorCode::kFrameSizeError);
  ExpectConnectionError("oversized HEADERS",
                        Harness::Raw(FrameType::kHeaders, kEH, 1, std::string(16385, '\x88')),
                        ErrorCode::kFrameSizeError);
  ExpectConnectionError("oversized SETTINGS",
                        Harness::Raw(FrameType::kSettings, 0, 0, std::string(16386, '\0')),
                        ErrorCode::kFrameSizeError);
}

TEST(ClientSession, Hostile09_UnknownTypesFlagsBitsSettingsAreIgnored) {
  auto h = Fresh();
  Exchange* ex = h->Request();
  std::string bytes = Harness::Raw(0xfa, 0xff, 0, "whatever") + Harness::Raw(0x0b, 0, 1, "x") +
                      Harness::Settings({{0x99, 12345}}) +
                      h->Headers(1, {{":status", "200"}}, false, /*unknown flag*/ 0x40) +
                      Harness::Raw(FrameType::kData, 0x10, 1 | 0x80000000u, "body") +
                      Harness::Data(1, "", true);
  ASSERT_TRUE(h->Feed(bytes).ok());
  EXPECT_TRUE(ex->closed);
  EXPECT_TRUE(ex->result.status.ok()) << ex->result.status;
  EXPECT_EQ(ex->body, "body");
  // Any frame inside a field block is a connection error.
  ExpectConnectionError("PING inside a field block",
                        Harness::Raw(FrameType::kHeaders, 0, 1, kStatus200) + Harness::Ping(false, 1),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("unknown frame inside a field block",
                        Harness::Raw(FrameType::kHeaders, 0, 1, kStatus200) + Harness::Raw(0xfa, 0, 1, ""),
                        ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile10_PadLengthAndPaddingFlowControl) {
  ExpectConnectionError("pad length >= payload",
                        Harness::Raw(FrameType::kHeaders, kEH, 1, kStatus200) +
                            Harness::Raw(FrameType::kData, flags::kPadded, 1, std::string("\x04" "abc", 4)),
                        ErrorCode::kProtocolError);
  // Padding counts toward flow control and is credited back: 300 frames of
  // 256 bytes (76800) exceed a 65535 window unless padding is returned.
  SessionOptions o;
  o.stream_window = 65535;
  o.connection_window = 65535;
  auto h = Fresh(o);
  Exchange* ex = h->Request();
  ASSERT_TRUE(h->Feed(h->Response(1, 200, false)).ok());
  std::string padded = std::string(1, '\xfe') + "d" + std::string(254, '\0');
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(h->Feed(Harness::Raw(FrameType::kData, flags::kPadded, 1, padded)).ok()) << i;
  }
  ASSERT_TRUE(h->Feed(Harness::Data(1, "", true)).ok());
  EXPECT_TRUE(ex->result.status.ok());
  EXPECT_EQ(ex->body.size(), 300u);
  EXPECT_GE(h->Count(FrameType::kWindowUpdate), 2);
}

TEST(ClientSession, Hostile11_UnpromisedEvenOrUnopenedOddStream) {
  ExpectConnectionError("even stream", Harness::Raw(FrameType::kHeaders, kEH, 2, kStatus200),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("unopened odd 101", Harness::Raw(FrameType::kHeaders, kEH, 101, kStatus200),
                        ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile12_FramesOnIdleStreams) {
  ExpectConnectionError("DATA", Harness::Data(5, "x", false), ErrorCode::kProtocolError);
  ExpectConnectionError("RST_STREAM", Harness::Rst(5, ErrorCode::kCancel), ErrorCode::kProtocolError);
  ExpectConnectionError("WINDOW_UPDATE", Harness::WindowUpdate(5, 10), ErrorCode::kProtocolError);
  ExpectConnectionError("CONTINUATION", Harness::Raw(FrameType::kContinuation, kEH, 5, kStatus200),
                        ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile13_DataAfterEndStreamIsStreamClosed) {
  auto h = Fresh();
  Exchange* ex = h->Request();
  ASSERT_TRUE(h->Feed(h->Response(1, 200, true)).ok());
  EXPECT_TRUE(ex->result.status.ok());
  ASSERT_TRUE(h->Feed(Harness::Data(1, "late", false)).ok());
  EXPECT_EQ(h->RstCode(1), C(ErrorCode::kStreamClosed));
  EXPECT_EQ(h->GoawayCode(), std::nullopt);
  // Only one RST for repeated offences; the connection lives on.
  ASSERT_TRUE(h->Feed(Harness::Data(1, "later", false)).ok());
  EXPECT_EQ(h->Count(FrameType::kRstStream), 1);
  // Half-closed (remote) while we still upload: stream error too.
  StringBody body(std::string(10, 'b'));
  body.pause_at = 5;
  Exchange* up = h->Request("/up", &body, "POST");
  ASSERT_TRUE(h->Feed(h->Response(3, 200, true)).ok());
  ASSERT_TRUE(h->Feed(Harness::Data(3, "x", false)).ok());
  EXPECT_EQ(h->RstCode(3), C(ErrorCode::kStreamClosed));
  EXPECT_TRUE(up->closed);
}

TEST(ClientSession, Hostile14_FramesAfterOurResetAreIgnoredButDecoded) {
  auto h = Fresh();
  Exchange* first = h->Request();
  Exchange* second = h->Request("/2");
  h->session().ResetStream(1);
  EXPECT_EQ(h->RstCode(1), C(ErrorCode::kCancel));
  // The server had already answered stream 1; its field block adds x-new to
  // the server's HPACK table, which stream 3's response then references.
  ASSERT_TRUE(h->Feed(h->Response(1, 200, false, {{"x-new", "value"}})).ok());
  ASSERT_TRUE(h->Feed(Harness::Data(1, std::string(10000, 'x'), true)).ok());
  ASSERT_TRUE(h->Feed(h->Response(3, 200, true, {{"x-new", "value"}})).ok());
  EXPECT_FALSE(first->closed);  // no callback after ResetStream
  ASSERT_TRUE(second->closed);
  EXPECT_TRUE(second->result.status.ok());
  ASSERT_EQ(second->headers.size(), 1u);
  EXPECT_EQ(second->headers[0].value, "value");
  EXPECT_EQ(h->Count(FrameType::kRstStream), 1);
  EXPECT_EQ(h->GoawayCode(), std::nullopt);
}

TEST(ClientSession, Hostile15_DataBeforeHeadersIsStreamProtocolError) {
  ExpectStreamError("DATA first", [](Harness&) { return Harness::Data(1, "x", false); },
                    ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile16_WrongStreamIdForFrameType) {
  ExpectConnectionError("DATA 0", Harness::Data(0, "x", false), ErrorCode::kProtocolError);
  ExpectConnectionError("HEADERS 0", Harness::Raw(FrameType::kHeaders, kEH, 0, kStatus200),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("PRIORITY 0", Harness::Raw(FrameType::kPriority, 0, 0, std::string(5, '\0')),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("RST 0", Harness::Rst(0, ErrorCode::kCancel), ErrorCode::kProtocolError);
  ExpectConnectionError("PUSH_PROMISE 0",
                        Harness::Raw(FrameType::kPushPromise, kEH, 0, std::string(4, '\0')),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("CONTINUATION 0", Harness::Raw(FrameType::kContinuation, kEH, 0, ""),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("SETTINGS 1", Harness::Raw(FrameType::kSettings, 0, 1, ""),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("PING 1", Harness::Raw(FrameType::kPing, 0, 1, std::string(8, '\0')),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("GOAWAY 1", Harness::Raw(FrameType::kGoaway, 0, 1, std::string(8, '\0')),
                        ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile17_WrongFrameLengths) {
  ExpectConnectionError("RST 5", Harness::Raw(FrameType::kRstStream, 0, 1, std::string(5, '\0')),
                        ErrorCode::kFrameSizeError);
  ExpectConnectionError("WINDOW_UPDATE 3",
                        Harness::Raw(FrameType::kWindowUpdate, 0, 0, std::string(3, '\0')),
                        ErrorCode::kFrameSizeError);
  ExpectConnectionError("PING 7", Harness::Raw(FrameType::kPing, 0, 0, std::string(7, '\0')),
                        ErrorCode::kFrameSizeError);
  ExpectConnectionError("SETTINGS 7", Harness::Raw(FrameType::kSettings, 0, 0, std::string(7, '\0')),
                        ErrorCode::kFrameSizeError);
  ExpectConnectionError("SETTINGS ACK 6",
                        Harness::Raw(FrameType::kSettings, flags::kAck, 0, std::string(6, '\0')),
                        ErrorCode::kFrameSizeError);
  ExpectStreamError("PRIORITY 4",
                    [](Harness&) { return Harness::Raw(FrameType::kPriority, 0, 1, std::string(4, '\0')); },
                    ErrorCode::kFrameSizeError);
}

TEST(ClientSession, Hostile18_StrayContinuation) {
  ExpectConnectionError("no open block", Harness::Raw(FrameType::kContinuation, kEH, 1, kStatus200),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("after END_HEADERS",
                        Harness::Raw(FrameType::kHeaders, kEH, 1, kStatus200) +
                            Harness::Raw(FrameType::kContinuation, kEH, 1, ""),
                        ErrorCode::kProtocolError);
  {
    auto h = Fresh();
    h->Request();
    h->Request();
    EXPECT_FALSE(h->Feed(Harness::Raw(FrameType::kHeaders, 0, 1, kStatus200) +
                         Harness::Raw(FrameType::kContinuation, kEH, 3, ""))
                     .ok());
    EXPECT_EQ(h->GoawayCode(), C(ErrorCode::kProtocolError)) << "another stream";
  }
  ExpectConnectionError("stream 0",
                        Harness::Raw(FrameType::kHeaders, 0, 1, kStatus200) +
                            Harness::Raw(FrameType::kContinuation, kEH, 0, ""),
                        ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile19_WindowUpdateOfZero) {
  ExpectStreamError("stream", [](Harness&) { return Harness::WindowUpdate(1, 0); },
                    ErrorCode::kProtocolError);
  ExpectConnectionError("connection", Harness::WindowUpdate(0, 0), ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile20_WindowPastMaximum) {
  ExpectStreamError("stream", [](Harness&) { return Harness::WindowUpdate(1, 0x7fffffff); },
                    ErrorCode::kFlowControlError);
  ExpectConnectionError("connection", Harness::WindowUpdate(0, 0x7fffffff),
                        ErrorCode::kFlowControlError);
}

TEST(ClientSession, Hostile21_InitialWindowSizeOverflowAndNegativeWindows) {
  ExpectConnectionError("above 2^31-1", Harness::Settings({{kSettingsInitialWindowSize, 0x80000000u}}),
                        ErrorCode::kFlowControlError);
  ExpectConnectionError("overflows an open window",
                        Harness::WindowUpdate(1, 0x7fffffff - 65535) +
                            Harness::Settings({{kSettingsInitialWindowSize, 65536}}),
                        ErrorCode::kFlowControlError);
  // A decrease may make a window negative: the upload stalls, then resumes.
  auto h = Fresh();
  StringBody body(std::string(100000, 'u'));
  Exchange* ex = h->Request("/up", &body, "POST");
  h->Drain();
  EXPECT_EQ(body.sent(), 65535u);
  ASSERT_TRUE(h->Feed(Harness::Settings({{kSettingsInitialWindowSize, 0}})).ok());
  ASSERT_TRUE(h->Feed(Harness::WindowUpdate(0, 1 << 20) + Harness::WindowUpdate(1, 65535)).ok());
  EXPECT_EQ(body.sent(), 65535u) << "window is still 0 after -65535 + 65535";
  ASSERT_TRUE(h->Feed(Harness::WindowUpdate(1, 1000)).ok());
  EXPECT_EQ(body.sent(), 66535u);
  EXPECT_FALSE(ex->closed);
  EXPECT_EQ(h->GoawayCode(), std::nullopt);
}

TEST(ClientSession, Hostile22_MaxFrameSizeOutOfRangeIsProtocolError) {
  for (uint32_t v : {0u, 16383u, 1u << 24}) {
    ExpectConnectionError("MAX_FRAME_SIZE " + std::to_string(v),
                          Harness::Settings({{kSettingsMaxFrameSize, v}}), ErrorCode::kProtocolError);
  }
  auto h = Fresh({}, {{kSettingsMaxFrameSize, (1 << 24) - 1}});
  EXPECT_EQ(h->session().peer_settings().max_frame_size, (1u << 24) - 1);
}

TEST(ClientSession, Hostile23_ServerEnablePushIsProtocolError) {
  ExpectConnectionError("ENABLE_PUSH 1", Harness::Settings({{kSettingsEnablePush, 1}}),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("ENABLE_PUSH 2", Harness::Settings({{kSettingsEnablePush, 2}}),
                        ErrorCode::kProtocolError);
  auto h = Fresh({}, {{kSettingsEnablePush, 0}});
  EXPECT_FALSE(h->session().IsDead());
}

TEST(ClientSession, Hostile24_SettingsAckedAndSettingsTimeout) {
  Harness h;
  h.Drain();
  ASSERT_TRUE(h.Feed(Harness::Settings({{kSettingsMaxConcurrentStreams, 7}})).ok());
  std::vector<testing::ClientFrame> frames = h.Drain();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_TRUE(frames[0].is(FrameType::kSettings));
  EXPECT_TRUE(frames[0].header.has(flags::kAck));
  EXPECT_EQ(h.session().NextDeadline(), h.clock().Now() + absl::Seconds(10) - absl::ZeroDuration());
  h.clock().Advance(absl::Seconds(10));
  h.session().OnTimer();
  EXPECT_EQ(h.GoawayCode(), C(ErrorCode::kSettingsTimeout));
  EXPECT_EQ(h.session().connection_error().code(), absl::StatusCode::kDeadlineExceeded);
}

TEST(ClientSession, Hostile25_MaxConcurrentStreamsDropsMidFlight) {
  auto h = Fresh();
  Exchange* a = h->Request("/a");
  Exchange* b = h->Request("/b");
  Exchange* c = h->Request("/c");
  ASSERT_TRUE(h->Feed(Harness::Settings({{kSettingsMaxConcurrentStreams, 1}})).ok());
  EXPECT_EQ(h->session().Capacity(), 0u);
  Exchange* queued = nullptr;
  absl::StatusOr<uint32_t> id = h->TryRequest("/d", nullptr, "GET", {}, &queued);
  EXPECT_EQ(id.status().code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(h->Feed(h->Response(1, 200, true) + h->Response(3, 200, true)).ok());
  EXPECT_EQ(h->session().Capacity(), 0u) << "still one stream open";
  ASSERT_TRUE(h->Feed(h->Response(5, 200, true)).ok());
  EXPECT_TRUE(a->closed && b->closed && c->closed);
  EXPECT_EQ(h->session().Capacity(), 1u);
  ASSERT_TRUE(h->Feed(Harness::Settings({{kSettingsMaxConcurrentStreams, 0}})).ok());
  EXPECT_EQ(h->session().Capacity(), 0u);
  EXPECT_EQ(h->TryRequest("/e", nullptr, "GET", {}, &queued).status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(ClientSession, Hostile26_PushPromiseIsProtocolErrorAfterDecoding) {
  {
    auto h = Fresh();
    h->Request();
    std::string block = h->HeaderBlock({{":method", "GET"}, {":path", "/pushed"}});
    std::string payload = std::string("\0\0\0\2", 4) + block;
    EXPECT_FALSE(h->Feed(Harness::Raw(FrameType::kPushPromise, 0, 1, payload.substr(0, 6)) +
                         Harness::Raw(FrameType::kContinuation, kEH, 1, payload.substr(6)))
                     .ok());
    EXPECT_EQ(h->GoawayCode(), C(ErrorCode::kProtocolError));
  }
  // The block is decoded first: a broken one is a COMPRESSION_ERROR.
  ExpectConnectionError("broken block in PUSH_PROMISE",
                        Harness::Raw(FrameType::kPushPromise, kEH, 1, std::string("\0\0\0\2\x80", 5)),
                        ErrorCode::kCompressionError);
}

TEST(ClientSession, Hostile27_GoawayStreamsAboveLastAreRetryable) {
  auto h = Fresh();
  StringBody body("post body");
  Exchange* a = h->Request("/a");
  Exchange* b = h->Request("/b", &body, "POST");
  Exchange* c = h->Request("/c", &body, "POST");
  ASSERT_TRUE(h->Feed(Harness::Goaway(3, ErrorCode::kNoError)).ok());
  ASSERT_TRUE(c->closed);
  EXPECT_EQ(c->result.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(c->result.retryable) << "even a POST";
  EXPECT_FALSE(a->closed);
  EXPECT_FALSE(b->closed);
  EXPECT_TRUE(h->session().IsGoingAway());
  EXPECT_EQ(h->session().Capacity(), 0u);
  Exchange* d = nullptr;
  EXPECT_EQ(h->TryRequest("/d", nullptr, "GET", {}, &d).status().code(),
            absl::StatusCode::kUnavailable);
  ASSERT_TRUE(h->Feed(h->Response(1, 200, true) + h->Response(3, 201, true)).ok());
  EXPECT_TRUE(a->result.status.ok());
  EXPECT_TRUE(b->result.status.ok());
  ASSERT_EQ(h->events.size(), 1u);
  EXPECT_EQ(h->events[0], "goaway 3 0");
  // GOAWAY(0, INTERNAL_ERROR) on the first request: not processed either.
  auto h2 = Fresh();
  Exchange* first = h2->Request();
  ASSERT_TRUE(h2->Feed(Harness::Goaway(0, ErrorCode::kInternalError)).ok());
  EXPECT_TRUE(first->result.retryable);
}

TEST(ClientSession, Hostile28_GoawayLastStreamIdIncreasingOrEven) {
  ExpectConnectionError("increasing",
                        Harness::Goaway(1, ErrorCode::kNoError) + Harness::Goaway(3, ErrorCode::kNoError),
                        ErrorCode::kProtocolError);
  ExpectConnectionError("even", Harness::Goaway(2, ErrorCode::kNoError), ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile29_RefusedStreamRetryableProtocolErrorNot) {
  auto h = Fresh();
  Exchange* a = h->Request();
  Exchange* b = h->Request();
  ASSERT_TRUE(h->Feed(Harness::Rst(1, ErrorCode::kRefusedStream) +
                      Harness::Rst(3, ErrorCode::kProtocolError))
                  .ok());
  EXPECT_EQ(a->result.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(a->result.retryable);
  EXPECT_EQ(b->result.status.code(), absl::StatusCode::kAborted);
  EXPECT_FALSE(b->result.retryable);
  EXPECT_EQ(h->Count(FrameType::kRstStream), 0) << "never answer RST with RST";
}

TEST(ClientSession, Hostile30_RstNoErrorTruncatesUnlessResponseEnded) {
  auto h = Fresh();
  Exchange* a = h->Request();
  ASSERT_TRUE(h->Feed(h->Response(1, 200, false) + Harness::Data(1, "part", false) +
                      Harness::Rst(1, ErrorCode::kNoError))
                  .ok());
  EXPECT_EQ(a->result.status.code(), absl::StatusCode::kDataLoss);
  // After END_STREAM it only means "stop uploading".
  StringBody body(std::string(200000, 'u'));
  Exchange* b = h->Request("/up", &body, "POST");
  ASSERT_TRUE(h->Feed(h->Response(3, 413, true)).ok());
  EXPECT_FALSE(b->closed);
  ASSERT_TRUE(h->Feed(Harness::Rst(3, ErrorCode::kNoError)).ok());
  ASSERT_TRUE(b->closed);
  EXPECT_TRUE(b->result.status.ok());
  EXPECT_EQ(b->status, 413);
}

// ---------------------------------------------------------------- C

TEST(ClientSession, Hostile31_ContinuationFloodIsEnhanceYourCalm) {
  std::string flood = Harness::Raw(FrameType::kHeaders, 0, 1, kStatus200);
  for (int i = 0; i < 9; ++i) flood += Harness::Raw(FrameType::kContinuation, 0, 1, Lit("a", "b"));
  ExpectConnectionError("9 CONTINUATIONs", flood, ErrorCode::kEnhanceYourCalm);
  SessionOptions o;
  o.max_header_block_bytes = 1000;
  auto h = Fresh(o);
  h->Request();
  EXPECT_FALSE(h->Feed(Harness::Raw(FrameType::kHeaders, 0, 1, kStatus200) +
                       Harness::Raw(FrameType::kContinuation, 0, 1, std::string(1000, '\x88')))
                   .ok());
  EXPECT_EQ(h->GoawayCode(), C(ErrorCode::kEnhanceYourCalm)) << "block bytes";
}

TEST(ClientSession, Hostile32_HpackBombFailsOnlyThatResponse) {
  auto h = Fresh();
  Exchange* a = h->Request();
  Exchange* b = h->Request();
  // One 4 KB entry, then 100 references to it: 400 KB decoded > 256 KiB.
  std::string bomb = kStatus200 + "\x40\x04" "bomb" "\x7f\xa1\x1e" + std::string(4000, 'x');
  for (int i = 0; i < 100; ++i) bomb += "\xbe";
  ASSERT_TRUE(h->Feed(Harness::Raw(FrameType::kHeaders, kEH | kES, 1, bomb)).ok());
  EXPECT_EQ(h->RstCode(1), C(ErrorCode::kCancel));
  EXPECT_EQ(a->result.status.code(), absl::StatusCode::kResourceExhausted);
  // The table stayed in sync: stream 3 references the bomb entry.
  ASSERT_TRUE(h->Feed(Harness::Raw(FrameType::kHeaders, kEH | kES, 3, kStatus200 + "\xbe")).ok());
  EXPECT_TRUE(b->result.status.ok());
  ASSERT_EQ(b->headers.size(), 1u);
  EXPECT_EQ(b->headers[0].value.size(), 4000u);
  EXPECT_EQ(h->GoawayCode(), std::nullopt);
}

TEST(ClientSession, Hostile33_SettingsFloodAndHugeSettings) {
  auto h = Fresh();
  h->consume_output = false;  // the server floods and never reads
  std::string flood;
  for (int i = 0; i < 1001; ++i) flood += Harness::Settings({});
  EXPECT_EQ(h->Feed(flood).code(), absl::StatusCode::kResourceExhausted);
  h->consume_output = true;
  EXPECT_EQ(h->GoawayCode(), C(ErrorCode::kEnhanceYourCalm));
  std::vector<Setting> many(40, Setting{0x99, 1});
  ExpectConnectionError("40 entries", Harness::Settings(many), ErrorCode::kEnhanceYourCalm);
}

TEST(ClientSession, Hostile34_PingFloodAndNoAckForAcks) {
  auto h = Fresh();
  ASSERT_TRUE(h->Feed(Harness::Ping(true, 42)).ok());
  EXPECT_EQ(h->Count(FrameType::kPing), 0) << "never answer PING+ACK";
  ASSERT_TRUE(h->Feed(Harness::Ping(false, 43)).ok());
  EXPECT_EQ(h->Count(FrameType::kPing), 1);
  h->consume_output = false;
  std::string flood;
  for (int i = 0; i < 1001; ++i) flood += Harness::Ping(false, i);
  EXPECT_FALSE(h->Feed(flood).ok());
  h->consume_output = true;
  EXPECT_EQ(h->GoawayCode(), C(ErrorCode::kEnhanceYourCalm));
}

TEST(ClientSession, Hostile35_EmptyFrameFloodIsEnhanceYourCalm) {
  auto h = Fresh();
  h->Request();
  ASSERT_TRUE(h->Feed(h->Response(1, 200, false)).ok());
  std::string flood;
  for (int i = 0; i < 10001; ++i) flood += Harness::Data(1, "", false);
  EXPECT_FALSE(h->Feed(flood).ok());
  EXPECT_EQ(h->GoawayCode(), C(ErrorCode::kEnhanceYourCalm));
  // The bucket refills with time: a slow trickle is fine.
  auto slow = Fresh();
  slow->Request();
  ASSERT_TRUE(slow->Feed(slow->Response(1, 200, false)).ok());
  for (int i = 0; i < 20000; ++i) {
    if (i % 100 == 0) slow->clock().Advance(absl::Seconds(1));
    ASSERT_TRUE(slow->Feed(Harness::Raw(0xfa, 0, 0, "")).ok()) << i;
  }
}

TEST(ClientSession, Hostile36_ServerRstFloodAndInducedResets) {
  auto h = Fresh();
  for (int i = 0; i < 5; ++i) h->Request();
  ASSERT_EQ(h->session().active_streams(), 5u);
  std::string rsts;
  for (uint32_t id = 1; id <= 9; id += 2) rsts += Harness::Rst(id, ErrorCode::kCancel);
  ASSERT_TRUE(h->Feed(rsts).ok());
  EXPECT_EQ(h->session().active_streams(), 0u) << "state freed at once";
  // Responses that make us reset streams (MadeYouReset) are capped.
  SessionOptions o;
  o.induced_reset_burst = 5;
  auto m = Fresh(o);
  for (int i = 0; i < 10; ++i) m->Request();
  std::string bad;
  for (uint32_t id = 1; id <= 19; id += 2) bad += Harness::Data(id, "x", false);
  EXPECT_EQ(m->Feed(bad).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(m->Count(FrameType::kRstStream), 5);
  EXPECT_EQ(m->GoawayCode(), C(ErrorCode::kEnhanceYourCalm));
}

TEST(ClientSession, Hostile37_NeverResetClosedStreamsAndPaceCancels) {
  auto h = Fresh();
  h->Request();
  ASSERT_TRUE(h->Feed(h->Response(1, 200, true)).ok());
  h->session().ResetStream(1);
  h->session().ResetStream(99);
  EXPECT_EQ(h->Count(FrameType::kRstStream), 0);

  SessionOptions o;
  o.cancel_burst = 2;
  o.cancel_per_second = 1;
  auto p = Fresh(o);
  for (int i = 0; i < 5; ++i) p->Request();
  for (uint32_t id = 1; id <= 9; id += 2) p->session().ResetStream(id);
  EXPECT_EQ(p->Count(FrameType::kRstStream), 2);
  EXPECT_EQ(p->session().active_streams(), 0u);
  absl::Time next = p->session().NextDeadline();
  ASSERT_NE(next, absl::InfiniteFuture());
  EXPECT_LE(next, p->clock().Now() + absl::Seconds(1));
  for (int i = 0; i < 10 && p->session().NextDeadline() != absl::InfiniteFuture(); ++i) {
    p->clock().Advance(p->session().NextDeadline() - p->clock().Now());
    p->session().OnTimer();
  }
  EXPECT_EQ(p->Count(FrameType::kRstStream), 5);
}

TEST(ClientSession, Hostile38_StallsAndSilentPeersTimeOut) {
  {  // window 0 forever
    auto h = Fresh();
    StringBody body(std::string(100000, 'u'));
    Exchange* ex = h->Request("/up", &body, "POST");
    h->Drain();
    EXPECT_EQ(h->session().NextDeadline(), h->clock().Now() + absl::Seconds(60));
    h->clock().Advance(absl::Seconds(60));
    h->session().OnTimer();
    EXPECT_EQ(ex->result.status.code(), absl::StatusCode::kDeadlineExceeded);
    EXPECT_EQ(h->RstCode(1), C(ErrorCode::kCancel));
  }
  {  // no headers ever arrive
    SessionOptions o;
    o.response_header_timeout = absl::Seconds(5);
    auto h = Fresh(o);
    Exchange* ex = h->Request();
    h->clock().Advance(absl::Seconds(5));
    h->session().OnTimer();
    EXPECT_EQ(ex->result.status.code(), absl::StatusCode::kDeadlineExceeded);
  }
  {  // silent peer: keepalive PING unanswered
    SessionOptions o;
    o.keepalive_interval = absl::Seconds(10);
    o.ping_timeout = absl::Seconds(5);
    auto h = Fresh(o);
    Exchange* ex = h->Request();
    h->clock().Advance(absl::Seconds(10));
    h->session().OnTimer();
    EXPECT_EQ(h->Count(FrameType::kPing), 1);
    h->clock().Advance(absl::Seconds(5));
    h->session().OnTimer();
    EXPECT_TRUE(h->session().IsDead());
    EXPECT_EQ(ex->result.status.code(), absl::StatusCode::kDeadlineExceeded);
  }
  {  // peer stops reading: body buffering stays bounded
    auto h = Fresh({}, {{kSettingsInitialWindowSize, 0x7fffffff}});
    ASSERT_TRUE(h->Feed(Harness::WindowUpdate(0, 0x7fffffff - 65535)).ok());
    StringBody body(std::string(10 << 20, 'u'));
    h->Request("/up", &body, "POST");
    EXPECT_LE(h->session().Output().size(), (64u << 10) + 16384 + 100);
    EXPECT_LT(body.sent(), 100u << 10);
  }
}

TEST(ClientSession, Hostile39_EndlessInformationalResponsesAreCapped) {
  SessionOptions o;
  o.max_informational_bytes = 10000;
  auto h = Fresh(o);
  Exchange* ex = h->Request();
  for (int i = 0; i < 20 && !ex->closed; ++i) {
    ASSERT_TRUE(h->Feed(h->Response(1, 103, false, {{"link", std::string(1000, 'l')}})).ok());
  }
  EXPECT_TRUE(ex->closed);
  EXPECT_EQ(ex->result.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_LE(ex->informational.size(), 10u);
  EXPECT_EQ(h->RstCode(1), C(ErrorCode::kCancel));
}

// ---------------------------------------------------------------- D

std::function<std::string(Harness&)> Block(HeaderList fields, bool end_stream = true) {
  return [fields, end_stream](Harness& h) { return h.Headers(1, fields, end_stream); };
}

TEST(ClientSession, Hostile40_StatusMissingDuplicatedOrNotThreeDigits) {
  ExpectStreamError("missing", Block({{"server", "x"}}), ErrorCode::kProtocolError);
  ExpectStreamError("duplicated", Block({{":status", "200"}, {":status", "200"}}),
                    ErrorCode::kProtocolError);
  ExpectStreamError("2 digits", Block({{":status", "20"}}), ErrorCode::kProtocolError);
  ExpectStreamError("letters", Block({{":status", "2oo"}}), ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile41_WrongPseudoHeaders) {
  ExpectStreamError("request pseudo", Block({{":status", "200"}, {":path", "/"}}),
                    ErrorCode::kProtocolError);
  ExpectStreamError("unknown pseudo", Block({{":status", "200"}, {":foo", "x"}}),
                    ErrorCode::kProtocolError);
  ExpectStreamError("pseudo after field", Block({{"server", "x"}, {":status", "200"}}),
                    ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile42_BadFieldNamesAndValues) {
  ExpectStreamError("uppercase", Block({{":status", "200"}, {"Server", "x"}}), ErrorCode::kProtocolError);
  ExpectStreamError("space in name", Block({{":status", "200"}, {"a b", "x"}}), ErrorCode::kProtocolError);
  ExpectStreamError("0x7f in name", Block({{":status", "200"}, {"a\x7f", "x"}}), ErrorCode::kProtocolError);
  ExpectStreamError("NUL in value", Block({{":status", "200"}, {"a", std::string("x\0y", 3)}}),
                    ErrorCode::kProtocolError);
  ExpectStreamError("CR in value", Block({{":status", "200"}, {"a", "x\ry"}}), ErrorCode::kProtocolError);
  ExpectStreamError("LF in value", Block({{":status", "200"}, {"a", "x\ny"}}), ErrorCode::kProtocolError);
  ExpectStreamError("leading SP", Block({{":status", "200"}, {"a", " x"}}), ErrorCode::kProtocolError);
  ExpectStreamError("trailing HTAB", Block({{":status", "200"}, {"a", "x\t"}}), ErrorCode::kProtocolError);
  ExpectStreamError("bad trailer name",
                    [](Harness& h) {
                      return h.Response(1, 200, false) + h.Headers(1, {{"X-Bad", "1"}}, true);
                    },
                    ErrorCode::kProtocolError);
}

TEST(ClientSession, Hostile43_ConnectionSpecificFields) {
  for (const char* name : {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}) {
    ExpectStreamError(name, Block({{":status", "200"}, {name, "x"}}), ErrorCode::kProtocolError);
  }
}

TEST(ClientSession, Hostile44_ContentLengthMismatches) {
  ExpectStreamError("fewer bytes",
                    [](Harness& h) {
                      return h.Response(1, 200, false, {{"content-length", "10"}}) + h.Data(1, "12345", true);
                    },
                    ErrorCode::kProtocolError);
  ExpectStreamError("more bytes",
                    [](Harness& h) {
                      return h.Response(1, 200, false, {{"content-length", "3"}}) + h.Data(1, "12345", false);
                    },
                    ErrorCode::kProtocolError);
  ExpectStreamError("END_STREAM on HEADERS with CL",
                    Block({{":status", "200"}, {"content-length", "5"}}, true), ErrorCode::kProtocolError);
  ExpectStreamError("signed", Block({{":status", "200"}, {"content-length", "+5"}}, false),
                    ErrorCode::kProtocolError);
  ExpectStreamError("overflow", Block({{":status", "200"}, {"content-length", "99999999999999999999"}}, false),
                    ErrorCode::kProtocolError);
  // Matching lengths pass.
  auto h = Fresh();
  Exchange* ex = h->Request();
  ASSERT_TRUE(h->Feed(h->Response(1, 200, false, {{"content-length", "5"}}) + h->Data(1, "12", false) +
                      h->Data(1, "345", true))
                  .ok());
  EXPECT_TRUE(ex->result.status.ok());
}

// Choice (README): like nghttp2, DATA on a response without body is a
// stream error PROTOCOL_ERROR; an empty DATA with END_STREAM is fine.
TEST(ClientSession, Hostile45_DataOnHeadOr204Or304IsProtocolError) {
  ExpectStreamError("HEAD",
                    [](Harness& h) {
                      return h.Response(1, 200, false, {{"content-length", "100"}}) + h.Data(1, "body", true);
                    },
                    ErrorCode::kProtocolError, "HEAD");
  ExpectStreamError("204", [](Harness& h) { return h.Response(1, 204, false) + h.Data(1, "x", true); },
                    ErrorCode::kProtocolError);
  ExpectStreamError("304", [](Harness& h) { return h.Response(1, 304, false) + h.Data(1, "x", true); },
                    ErrorCode::kProtocolError);
  auto h = Fresh();
  Exchange* ex = h->Request("/", nullptr, "HEAD");
  ASSERT_TRUE(h->Feed(h->Response(1, 200, false, {{"content-length", "100"}}) + h->Data(1, "", true)).ok());
  EXPECT_TRUE(ex->result.status.ok());
}

TEST(ClientSession, Hostile46_InformationalMisuse) {
  ExpectStreamError("1xx with END_STREAM", Block({{":status", "103"}}, true), ErrorCode::kProtocolError);
  ExpectStreamError("DATA after 1xx",
                    [](Harness& h) { return h.Response(1, 100, false) + h.Data(1, "x", false); },
                    ErrorCode::kProtocolError);
  ExpectStreamError("101", Block({{":status", "101"}}, false), ErrorCode::kProtocolError);
  auto h = Fresh();
  Exchange* ex = h->Request();
  ASSERT_TRUE(h->Feed(h->Response(1, 100, false) + h->Response(1, 103, false) + h->Response(1, 200, true)).ok());
  EXPECT_EQ(ex->informational, (std::vector<int>{100, 103}));
  EXPECT_TRUE(ex->result.status.ok());
}

TEST(ClientSession, Hostile47_BadTrailers) {
  ExpectStreamError("trailers without END_STREAM",
                    [](Harness& h) {
                      return h.Response(1, 200, false) + h.Headers(1, {{"x-t", "1"}}, false);
                    },
                    ErrorCode::kProtocolError);
  ExpectStreamError("pseudo in trailers",
                    [](Harness& h) {
                      return h.Response(1, 200, false) + h.Headers(1, {{":status", "200"}}, true);
                    },
                    ErrorCode::kProtocolError);
  auto h = Fresh();
  Exchange* ex = h->Request();
  ASSERT_TRUE(h->Feed(h->Response(1, 200, false) + h->Data(1, "b", false) +
                      h->Headers(1, {{"grpc-status", "0"}}, true))
                  .ok());
  EXPECT_TRUE(ex->result.status.ok());
  ASSERT_EQ(ex->trailers.size(), 1u);
}

// ---------------------------------------------------------------- E

TEST(ClientSession, Hostile48_HpackIndexZeroOrOutOfRange) {
  ExpectConnectionError("index 0", Harness::Raw(FrameType::kHeaders, kEH, 1, "\x80"),
                        ErrorCode::kCompressionError);
  ExpectConnectionError("index 62 with empty table", Harness::Raw(FrameType::kHeaders, kEH, 1, "\x88\xbe"),
                        ErrorCode::kCompressionError);
}

TEST(ClientSession, Hostile49_HpackTableSizeUpdates) {
  ExpectConnectionError("above our setting", Harness::Raw(FrameType::kHeaders, kEH, 1, "\x3f\xe2\x1f\x88"),
                        ErrorCode::kCompressionError);
  ExpectConnectionError("after a field", Harness::Raw(FrameType::kHeaders, kEH, 1, "\x88\x20"),
                        ErrorCode::kCompressionError);
  // We advertise 0; once ACKed, the next block must start with an update.
  SessionOptions o;
  o.header_table_size = 0;
  {
    auto h = Fresh(o);
    h->Request();
    EXPECT_FALSE(h->Feed(Harness::Raw(FrameType::kHeaders, kEH | kES, 1, "\x88")).ok());
    EXPECT_EQ(h->GoawayCode(), C(ErrorCode::kCompressionError));
  }
  auto h = Fresh(o);
  Exchange* ex = h->Request();
  ASSERT_TRUE(h->Feed(Harness::Raw(FrameType::kHeaders, kEH | kES, 1, "\x20\x88")).ok());
  EXPECT_TRUE(ex->result.status.ok());
}

TEST(ClientSession, Hostile50_HuffmanPaddingAndEos) {
  // literal "a" with a Huffman value: 0x81 len 1.
  ExpectConnectionError("padding > 7 bits",
                        Harness::Raw(FrameType::kHeaders, kEH, 1, kStatus200 + Lit("a", "") .substr(0, 3) + "\x82\x1f\xff"),
                        ErrorCode::kCompressionError);
  ExpectConnectionError("padding not ones",
                        Harness::Raw(FrameType::kHeaders, kEH, 1, kStatus200 + Lit("a", "").substr(0, 3) + "\x81\x18"),
                        ErrorCode::kCompressionError);
  ExpectConnectionError("EOS in data",
                        Harness::Raw(FrameType::kHeaders, kEH, 1, kStatus200 + Lit("a", "").substr(0, 3) + "\x84\xff\xff\xff\xff"),
                        ErrorCode::kCompressionError);
}

TEST(ClientSession, Hostile51_HpackIntegerAndStringLimits) {
  ExpectConnectionError("long continuation run",
                        Harness::Raw(FrameType::kHeaders, kEH, 1, std::string("\xff\x80\x80\x80\x80\x80\x80\x00", 8)),
                        ErrorCode::kCompressionError);
  ExpectConnectionError("value > 2^32",
                        Harness::Raw(FrameType::kHeaders, kEH, 1, std::string("\x88\x00\x7f\xff\xff\xff\xff\x0f", 8)),
                        ErrorCode::kCompressionError);
  ExpectConnectionError("string past the block",
                        Harness::Raw(FrameType::kHeaders, kEH, 1, std::string("\x88\x00\x05" "ab", 5)),
                        ErrorCode::kCompressionError);
}

TEST(ClientSession, Hostile52_HpackTableStateAcrossResponses) {
  // The server's encoder indexes fields; later responses refer to them,
  // across evictions of a small table.
  auto h = Fresh({}, {{kSettingsHeaderTableSize, 4096}});
  for (int i = 0; i < 50; ++i) {
    Exchange* ex = h->Request();
    HeaderList fields = {{"x-round", std::to_string(i % 7)}, {"x-pad", std::string(500, 'a' + i % 26)}};
    ASSERT_TRUE(h->Feed(h->Response(ex->stream_id, 200, true, fields)).ok());
    ASSERT_TRUE(ex->result.status.ok()) << i;
    EXPECT_EQ(ex->headers, fields) << i;
  }
  EXPECT_EQ(h->GoawayCode(), std::nullopt);
}

}  // namespace
}  // namespace strata::h2
