// Positive behaviour of ClientSession against a scripted server.
#include <string>

#include "gtest/gtest.h"
#include "plugins/h2/engine/session/client_session.h"
#include "plugins/h2/engine/testing/session_harness.h"

namespace strata::h2 {
namespace {

using testing::ClientFrame;
using testing::Exchange;
using testing::Harness;
using testing::StringBody;

TEST(ClientSession, Rfc9113_3_4_PrefaceSettingsAndWindow) {
  Harness h;
  std::vector<ClientFrame> frames = h.Drain();
  ASSERT_EQ(frames.size(), 2u);
  ASSERT_TRUE(frames[0].is(FrameType::kSettings));
  Frame f;
  ASSERT_TRUE(DecodeFrame(frames[0].header, frames[0].payload, &f).ok());
  bool push_off = false;
  for (const Setting& s : f.settings) push_off |= s.id == kSettingsEnablePush && s.value == 0;
  EXPECT_TRUE(push_off);
  ASSERT_TRUE(frames[1].is(FrameType::kWindowUpdate));
  EXPECT_EQ(frames[1].u32(0), (64u << 20) - 65535);
}

TEST(ClientSession, Rfc9113_6_5_3_SettingsAckMeasuresRtt) {
  Harness h;
  h.Drain();
  h.clock().Advance(absl::Milliseconds(30));
  ASSERT_TRUE(h.Feed(Harness::Settings({}) + Harness::SettingsAck()).ok());
  ASSERT_TRUE(h.session().rtt().has_value());
  EXPECT_EQ(*h.session().rtt(), absl::Milliseconds(30));
  h.session().SendPing();
  std::vector<ClientFrame> frames = h.Drain();
  ASSERT_EQ(frames.size(), 2u);  // SETTINGS ACK, PING
  ASSERT_TRUE(frames[1].is(FrameType::kPing));
  h.clock().Advance(absl::Milliseconds(7));
  ASSERT_TRUE(h.Feed(Harness::Raw(FrameType::kPing, flags::kAck, 0, frames[1].payload)).ok());
  EXPECT_EQ(*h.session().rtt(), absl::Milliseconds(7));
}

// Frames are parsed in the caller's buffer; a frame cut short must be kept
// by copy. The chunks go through one buffer that is overwritten for the next
// call, so a view kept into an earlier chunk would read the wrong bytes.
TEST(ClientSession, ResponsesFedInAnySplitAreTheSame) {
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{9}, size_t{10}, size_t{64},
                       size_t{100000}}) {
    SCOPED_TRACE(chunk);
    Harness h;
    h.Handshake();
    Exchange* a = h.Request("/a");
    Exchange* b = h.Request("/b");
    h.Drain();
    const std::string bytes =
        h.Response(1, 200, false, {{"content-type", "text/plain"}, {"x-long", std::string(300, 'v')}}) +
        Harness::Data(1, "first body", true) + h.Response(3, 404, false) +
        Harness::Data(3, std::string(5000, 'z'), false) + Harness::Data(3, "end", true);
    std::string buffer;
    for (size_t at = 0; at < bytes.size(); at += chunk) {
      buffer.assign(bytes, at, chunk);
      ASSERT_TRUE(h.Feed(buffer).ok());
      buffer.assign(buffer.size(), '#');
    }
    ASSERT_TRUE(a->closed && b->closed);
    EXPECT_TRUE(a->result.status.ok());
    EXPECT_EQ(a->status, 200);
    ASSERT_EQ(a->headers.size(), 2u);
    EXPECT_EQ(a->headers[1].value, std::string(300, 'v'));
    EXPECT_EQ(a->body, "first body");
    EXPECT_TRUE(b->result.status.ok());
    EXPECT_EQ(b->status, 404);
    EXPECT_EQ(b->body, std::string(5000, 'z') + "end");
  }
}

TEST(ClientSession, RequestHeadersAndResponse) {
  Harness h;
  h.Handshake();
  Exchange* ex = h.Request("/index.html", nullptr, "GET", {{"user-agent", "strata"}});
  std::vector<ClientFrame> frames = h.Drain();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_TRUE(frames[0].header.has(flags::kEndStream));
  EXPECT_EQ(frames[0].headers[3].value, "/index.html");
  ASSERT_TRUE(h.Feed(h.Response(1, 200, false, {{"content-type", "text/plain"}}) +
                     Harness::Data(1, "hello ", false) + Harness::Data(1, "world", true))
                  .ok());
  ASSERT_TRUE(ex->closed);
  EXPECT_TRUE(ex->result.status.ok());
  EXPECT_EQ(ex->status, 200);
  EXPECT_EQ(ex->body, "hello world");
  EXPECT_EQ(h.session().Capacity(), 100u);
}

TEST(ClientSession, Multiplexes100Streams) {
  Harness h;
  h.Handshake({{kSettingsMaxConcurrentStreams, 100}});
  std::vector<Exchange*> all;
  for (int i = 0; i < 100; ++i) all.push_back(h.Request("/" + std::to_string(i)));
  EXPECT_EQ(h.session().Capacity(), 0u);
  EXPECT_EQ(h.Count(FrameType::kHeaders), 100);
  // Answer in reverse order, interleaving the bodies.
  for (int i = 99; i >= 0; --i) ASSERT_TRUE(h.Feed(h.Response(all[i]->stream_id, 200, false)).ok());
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(h.Feed(Harness::Data(all[i]->stream_id, std::to_string(i) + ";", round == 2)).ok());
    }
  }
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(all[i]->closed) << i;
    EXPECT_TRUE(all[i]->result.status.ok());
    std::string part = std::to_string(i) + ";";
    EXPECT_EQ(all[i]->body, part + part + part);
  }
  EXPECT_EQ(h.session().Capacity(), 100u);
}

TEST(ClientSession, FlowControl16MiBUploadAndDownload) {
  SessionOptions o;
  o.stream_window = 1 << 20;
  o.connection_window = 2 << 20;
  Harness h(o);
  h.Handshake();
  // Upload: the server grants credit as it "reads".
  const size_t kSize = 16 << 20;
  StringBody body(std::string(kSize, 'u'));
  Exchange* up = h.Request("/up", &body, "POST");
  size_t uploaded = 0;
  bool ended = false;
  for (int guard = 0; guard < 100000 && !ended; ++guard) {
    size_t chunk = 0;
    for (const ClientFrame& f : h.Drain()) {
      if (!f.is(FrameType::kData)) continue;
      EXPECT_LE(f.payload.size(), 16384u);
      chunk += f.payload.size();
      ended |= f.header.has(flags::kEndStream);
    }
    uploaded += chunk;
    if (chunk > 0 && !ended) {
      ASSERT_TRUE(h.Feed(Harness::WindowUpdate(0, chunk) + Harness::WindowUpdate(1, chunk)).ok());
    }
    if (chunk == 0 && !ended) break;
  }
  EXPECT_TRUE(ended);
  EXPECT_EQ(uploaded, kSize);
  ASSERT_TRUE(h.Feed(h.Response(1, 201, true)).ok());
  EXPECT_TRUE(up->result.status.ok());

  // Download: the server tracks the windows the client grants.
  Exchange* down = h.Request("/down");
  ASSERT_TRUE(h.Feed(h.Response(3, 200, false, {{"content-length", std::to_string(kSize)}})).ok());
  int64_t conn_window = 2 << 20, stream_window = 1 << 20;
  size_t sent = 0;
  std::string frame_data(16384, 'd');
  for (int guard = 0; guard < 100000 && sent < kSize; ++guard) {
    while (sent < kSize && conn_window >= 16384 && stream_window >= 16384) {
      bool last = sent + 16384 == kSize;
      ASSERT_TRUE(h.Feed(Harness::Data(3, frame_data, last)).ok());
      sent += 16384;
      conn_window -= 16384;
      stream_window -= 16384;
    }
    for (const ClientFrame& f : h.Drain()) {
      if (!f.is(FrameType::kWindowUpdate)) continue;
      (f.header.stream_id == 0 ? conn_window : stream_window) += f.u32(0);
    }
    ASSERT_TRUE(sent == kSize || (conn_window >= 16384 && stream_window >= 16384))
        << "client stopped granting credit at " << sent;
  }
  ASSERT_TRUE(down->closed);
  EXPECT_TRUE(down->result.status.ok()) << down->result.status;
  EXPECT_EQ(down->body.size(), kSize);
}

TEST(ClientSession, MaxConcurrentStreamsDropsTo1ThenRecovers) {
  Harness h;
  h.Handshake({{kSettingsMaxConcurrentStreams, 10}});
  std::vector<Exchange*> first;
  for (int i = 0; i < 4; ++i) first.push_back(h.Request());
  ASSERT_TRUE(h.Feed(Harness::Settings({{kSettingsMaxConcurrentStreams, 1}})).ok());
  std::deque<std::string> queue = {"/q1", "/q2", "/q3"};
  std::vector<Exchange*> later;
  size_t max_active = 0;
  for (Exchange* ex : first) {
    ASSERT_TRUE(h.Feed(h.Response(ex->stream_id, 200, true)).ok());
    while (!queue.empty() && h.session().Capacity() > 0) {
      later.push_back(h.Request(queue.front()));
      queue.pop_front();
    }
  }
  for (size_t i = 0; i < later.size(); ++i) {
    EXPECT_LE(h.session().active_streams(), 1u);
    ASSERT_TRUE(h.Feed(h.Response(later[i]->stream_id, 200, true)).ok());
    while (!queue.empty() && h.session().Capacity() > 0) {
      later.push_back(h.Request(queue.front()));
      queue.pop_front();
    }
    max_active = std::max(max_active, h.session().active_streams());
  }
  EXPECT_TRUE(queue.empty());
  EXPECT_EQ(later.size(), 3u);
  for (Exchange* ex : later) EXPECT_TRUE(ex->closed && ex->result.status.ok());
  EXPECT_LE(max_active, 1u);
}

TEST(ClientSession, GoawayReportsRetryableStreamsAndDrains) {
  Harness h;
  h.Handshake();
  Exchange* a = h.Request();
  Exchange* b = h.Request();
  Exchange* c = h.Request();
  ASSERT_TRUE(h.Feed(Harness::Goaway(1, ErrorCode::kNoError)).ok());
  EXPECT_TRUE(b->result.retryable);
  EXPECT_TRUE(c->result.retryable);
  EXPECT_FALSE(a->closed);
  ASSERT_TRUE(h.Feed(h.Response(1, 200, true)).ok());
  EXPECT_TRUE(a->result.status.ok());
  EXPECT_EQ(h.session().active_streams(), 0u);
  h.session().TransportClosed(absl::OkStatus());
  EXPECT_TRUE(h.session().IsDead());
}

TEST(ClientSession, Rfc9218_UrgencyOrdersDataThenRoundRobin) {
  Harness h;
  h.Handshake({{kSettingsInitialWindowSize, 1 << 20}});
  // Stream 1 uses up the connection window, so the next four compete.
  StringBody filler(std::string(65535, 'f'));
  h.Request("/filler", &filler, "POST");
  h.DrainAll();
  StringBody low(std::string(40000, 'l')), high(std::string(40000, 'h'));
  StringBody inc1(std::string(40000, 'a')), inc2(std::string(40000, 'b'));
  h.Request("/low", &low, "POST", {{"priority", "u=5"}});        // 3
  h.Request("/high", &high, "POST", {{"priority", "u=1"}});      // 5
  h.Request("/a", &inc1, "POST", {{"priority", "u=3, i"}});      // 7
  h.Request("/b", &inc2, "POST", {{"priority", "u=3, i"}});      // 9
  h.DrainAll();
  EXPECT_EQ(low.sent() + high.sent() + inc1.sent() + inc2.sent(), 0u);
  ASSERT_TRUE(h.Feed(Harness::WindowUpdate(0, 1 << 20)).ok());
  std::vector<uint32_t> order;
  for (const ClientFrame& f : h.DrainAll()) {
    if (f.is(FrameType::kData)) order.push_back(f.header.stream_id);
  }
  // 40000 bytes = 3 frames each: u=1 first, then 7 and 9 alternating, then u=5.
  std::vector<uint32_t> want = {5, 5, 5, 7, 9, 7, 9, 7, 9, 3, 3, 3};
  EXPECT_EQ(order, want);
}

TEST(ClientSession, BodySourceCanPauseAndResume) {
  Harness h;
  h.Handshake();
  StringBody body("0123456789");
  body.pause_at = 4;
  Exchange* ex = h.Request("/p", &body, "POST");
  EXPECT_EQ(body.sent(), 4u);
  body.pause_at = SIZE_MAX;
  h.session().ResumeBody(ex->stream_id);
  std::string data;
  bool end = false;
  for (const ClientFrame& f : h.Drain()) {
    if (f.is(FrameType::kData)) data += f.payload, end |= f.header.has(flags::kEndStream);
  }
  EXPECT_EQ(data, "0123456789");
  EXPECT_TRUE(end);
}

TEST(ClientSession, BodySourceErrorResetsTheStream) {
  Harness h;
  h.Handshake();
  StringBody body("x");
  body.fail_with = absl::InternalError("disk on fire");
  Exchange* ex = h.Request("/p", &body, "POST");
  EXPECT_EQ(ex->result.status.message(), "disk on fire");
  EXPECT_EQ(h.RstCode(1), static_cast<uint32_t>(ErrorCode::kCancel));
}

TEST(ClientSession, CallbackAbortResetsWithoutClose) {
  Harness h;
  h.Handshake();
  Exchange* ex = h.Request();
  ex->abort_on_headers = true;
  ASSERT_TRUE(h.Feed(h.Response(1, 200, false) + Harness::Data(1, "ignored", true)).ok());
  EXPECT_FALSE(ex->closed);
  EXPECT_TRUE(ex->body.empty());
  EXPECT_EQ(h.RstCode(1), static_cast<uint32_t>(ErrorCode::kCancel));
}

TEST(ClientSession, UpgradeStream1HalfClosedLocal) {
  SessionOptions o;
  Harness h(o);
  Exchange user;  // the callbacks cast |user| to Exchange*
  absl::StatusOr<uint32_t> id = h.session().Upgrade(&user, /*head_request=*/true);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 1u);
  EXPECT_FALSE(h.session().Upgrade(&user, false).ok());
  h.Handshake();
  // Our next request uses stream 3. The HEAD response on 1 carries no body.
  Exchange* ex = h.Request();
  EXPECT_EQ(ex->stream_id, 3u);
  ASSERT_TRUE(h.Feed(h.Response(1, 200, false, {{"content-length", "10"}}) + Harness::Data(1, "x", true)).ok());
  EXPECT_EQ(h.RstCode(1), static_cast<uint32_t>(ErrorCode::kProtocolError));
  EXPECT_EQ(user.status, 200);
  EXPECT_TRUE(user.closed);
  EXPECT_FALSE(user.result.status.ok());
}

TEST(ClientSession, ServerFirstFrameMustBeSettings) {
  Harness h;
  h.Drain();
  EXPECT_FALSE(h.Feed(Harness::Ping(false, 1)).ok());
  EXPECT_EQ(h.GoawayCode(), static_cast<uint32_t>(ErrorCode::kProtocolError));
}

TEST(ClientSession, TransportCloseRetriesUnsentRequestsOnly) {
  Harness h;
  h.Handshake();
  Exchange* sent = h.Request();
  h.Drain();
  Exchange* unsent = h.Request();
  Exchange* partial = h.Request();
  h.Drain();
  Exchange* pending = h.Request();  // never drained
  ASSERT_TRUE(h.Feed(h.Response(partial->stream_id, 200, false) + Harness::Data(partial->stream_id, "x", false)).ok());
  (void)unsent;
  h.session().TransportClosed(absl::UnavailableError("reset by peer"));
  EXPECT_FALSE(sent->result.retryable);
  EXPECT_EQ(sent->result.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(partial->result.status.code(), absl::StatusCode::kDataLoss);
  EXPECT_TRUE(pending->result.retryable);
  EXPECT_FALSE(h.TryRequest("/", nullptr, "GET", {}, nullptr).ok());
}

TEST(ClientSession, InvalidRequestsAreRefused) {
  Harness h;
  h.Handshake();
  EXPECT_EQ(h.TryRequest("/", nullptr, "GET", {{"Upper", "x"}}, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(h.TryRequest("/", nullptr, "GET", {{"transfer-encoding", "chunked"}}, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ClientSession, LargeRequestHeadersUseContinuation) {
  Harness h;
  h.Handshake();
  Exchange* ex = h.Request("/", nullptr, "GET", {{"x-big", std::string(40000, 'v')}});
  std::vector<ClientFrame> frames = h.Drain();
  ASSERT_GE(frames.size(), 2u);
  EXPECT_TRUE(frames[1].is(FrameType::kContinuation));
  EXPECT_EQ(frames.back().headers.back().value.size(), 40000u);
  (void)ex;
}

}  // namespace
}  // namespace strata::h2

namespace strata::h2::testing {
namespace {

// A CONNECT tunnel (RFC 9113 §8.5): :method and :authority only, no
// END_STREAM with the head or after the bytes sent so far, and the stream
// window credited back only as the consumer reports reading.
TEST(ClientSession, Rfc9113_8_5_ConnectTunnelHoldsStreamCreditUntilConsumed) {
  SessionOptions o;
  o.stream_window = 65536;
  Harness h(o);
  h.Handshake();
  StringBody body("ClientHello and more later");
  body.pause_at = 11;  // then "nothing now": a tunnel has no end yet
  Exchange tunnel;
  Exchange* x = &tunnel;
  absl::StatusOr<uint32_t> id =
      h.session().SubmitRequest({{":method", "CONNECT"}, {":authority", "origin.test:443"}}, &body, x);
  ASSERT_TRUE(id.ok()) << id.status();
  h.session().HoldReceiveCredit(*id);
  std::vector<ClientFrame> frames = h.Drain();
  bool saw_head = false;
  std::string sent;
  for (const ClientFrame& f : frames) {
    if (f.is(FrameType::kHeaders)) {
      saw_head = true;
      EXPECT_FALSE(f.header.has(flags::kEndStream));
      for (const auto& field : f.headers) {
        EXPECT_TRUE(field.name == ":method" || field.name == ":authority") << field.name;
      }
    }
    if (f.is(FrameType::kData)) {
      sent += f.payload;
      EXPECT_FALSE(f.header.has(flags::kEndStream));
    }
  }
  EXPECT_TRUE(saw_head);
  EXPECT_EQ(sent, "ClientHello");
  ASSERT_TRUE(h.Feed(h.Response(*id, 200, false)).ok());
  // 40 KiB delivered: more than half the window, but not consumed yet.
  for (size_t n : {16384, 16384, 7232}) ASSERT_TRUE(h.Feed(Harness::Data(*id, std::string(n, 's'), false)).ok());
  EXPECT_EQ(x->body.size(), 40000u);
  for (const ClientFrame& f : h.Drain()) {
    EXPECT_FALSE(f.is(FrameType::kWindowUpdate) && f.header.stream_id == *id) << "credit before consumption";
  }
  h.session().ReturnReceiveCredit(*id, 40000);
  uint32_t credited = 0;
  for (const ClientFrame& f : h.Drain()) {
    if (f.is(FrameType::kWindowUpdate) && f.header.stream_id == *id) credited += f.u32(0);
  }
  EXPECT_EQ(credited, 40000u);
  // Beyond the window the server granted: a flow-control error on the
  // stream only.
  ASSERT_TRUE(h.Feed(Harness::Data(*id, std::string(16384, 's'), false)).ok());
  ASSERT_TRUE(h.Feed(Harness::Data(*id, std::string(16384, 's'), false)).ok());
  ASSERT_TRUE(h.Feed(Harness::Data(*id, std::string(16384, 's'), false)).ok());
  ASSERT_TRUE(h.Feed(Harness::Data(*id, std::string(16384, 's'), false)).ok());
  ASSERT_TRUE(h.Feed(Harness::Data(*id, std::string(16384, 's'), false)).ok());
  EXPECT_TRUE(x->closed);
  EXPECT_EQ(h.RstCode(*id), static_cast<uint32_t>(ErrorCode::kFlowControlError));
  EXPECT_FALSE(h.session().IsDead());
}

}  // namespace
}  // namespace strata::h2::testing
