// The h2-connect bridge against a fake carrier: the CONNECT head it asks
// for, bytes both ways, the window reopened as the chain reads, half-close
// and errors in both directions, and the slot released exactly once.
#include "runtime/tunnel/h2_connect_layer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace {

struct FakeCarrier : TunnelCarrier {
  struct Log {
    State state = State::kConnecting;
    int32_t version = 20;
    uint32_t capacity = 100;
    std::string method, authority;
    std::vector<std::pair<std::string, std::string>> fields;
    int64_t content_length = 0;
    uint32_t flags = 0;
    StreamSink* sink = nullptr;
    int opened = 0, cancelled = 0, ended = 0, drives = 0;
    uint64_t consumed = 0;
    bool waiting = false;
    strata_status open_result = STRATA_OK;
  };
  explicit FakeCarrier(Log* log) : log(log) {}
  State state() override { return log->state; }
  LayerError error() override { return {STRATA_E_CLOSED, "proxy:tls", "peer closed"}; }
  int32_t HttpVersion() override { return log->version; }
  uint32_t Capacity() override { return log->capacity; }
  strata_status OpenStream(const strata_request_head& head, StreamSink* sink, uint32_t* out_id,
                           LayerError* error) override {
    if (log->open_result != STRATA_OK) {
      error->message = "h2: no more streams";
      return log->open_result;
    }
    log->opened++;
    log->method = head.method;
    log->authority = head.authority;
    log->content_length = head.content_length;
    log->flags = head.flags;
    for (size_t i = 0; i < head.header_count; ++i) {
      log->fields.emplace_back(std::string(head.headers[i].name, head.headers[i].name_len),
                               std::string(head.headers[i].value, head.headers[i].value_len));
    }
    log->sink = sink;
    *out_id = 3;
    return STRATA_OK;
  }
  void CancelStream(uint32_t) override { log->cancelled++; }
  void Consumed(uint32_t, uint64_t n) override { log->consumed += n; }
  void DriveSoon() override { log->drives++; }
  void Waiting(bool w) override { log->waiting = w; }
  strata_status Query(uint32_t, void*, size_t*) override { return STRATA_E_UNSUPPORTED; }
  void Ended() override { log->ended++; }
  std::string Name() override { return "#1"; }
  Log* log;
};

strata_layer_ctx kNoCtx{nullptr, 0};

class H2ConnectTunnelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tunnel = std::make_unique<H2ConnectTunnel>(&kNoCtx, "origin.test:443", "Basic dTpw", "127.0.0.1:3129");
    tunnel->Bind(std::make_unique<FakeCarrier>(&log), [this] { wakes++; });
  }
  void OpenWith(int status) {
    log.state = TunnelCarrier::State::kReady;
    int done = 0;
    ASSERT_EQ(tunnel->Connect(&done), STRATA_AGAIN);
    ASSERT_NE(log.sink, nullptr);
    strata_response_head head{sizeof(head), status, 20, "", 0, nullptr, 0};
    log.sink->OnHead(head);
  }
  FakeCarrier::Log log;
  int wakes = 0;
  std::unique_ptr<H2ConnectTunnel> tunnel;
};

TEST_F(H2ConnectTunnelTest, Rfc9113_8_5_ConnectHeadHasOnlyMethodAuthorityAndProxyCredentials) {
  int done = 0;
  EXPECT_EQ(tunnel->Connect(&done), STRATA_AGAIN);  // the proxy connection is still connecting
  EXPECT_TRUE(log.waiting);
  EXPECT_EQ(log.opened, 0);
  OpenWith(200);
  EXPECT_EQ(log.method, "CONNECT");
  EXPECT_EQ(log.authority, "origin.test:443");
  EXPECT_EQ(log.content_length, -1);
  EXPECT_EQ(log.flags, static_cast<uint32_t>(STRATA_REQUEST_TUNNEL));
  ASSERT_EQ(log.fields.size(), 1u);
  EXPECT_EQ(log.fields[0].first, "proxy-authorization");
  EXPECT_FALSE(log.waiting);
  ASSERT_EQ(tunnel->Connect(&done), STRATA_OK);
  EXPECT_EQ(done, 1);
  int status = 0;
  size_t len = sizeof(status);
  ASSERT_EQ(tunnel->Query(STRATA_QUERY_CONNECT_STATUS, &status, &len), STRATA_OK);
  EXPECT_EQ(status, 200);
}

TEST_F(H2ConnectTunnelTest, AFullProxyConnectionSendsTheHopElsewhere) {
  log.state = TunnelCarrier::State::kReady;
  log.capacity = 0;
  int done = 0;
  EXPECT_EQ(tunnel->Connect(&done), STRATA_E_NOT_PROCESSED);  // resent on another proxy connection
  EXPECT_EQ(log.opened, 0);
  EXPECT_FALSE(log.waiting);
  EXPECT_FALSE(tunnel->fell_back_to_http1());
}

TEST_F(H2ConnectTunnelTest, BytesFlowBothWaysAndTheWindowReopensAsTheChainReads) {
  OpenWith(200);
  size_t written = 0;
  ASSERT_EQ(tunnel->Send(reinterpret_cast<const uint8_t*>("hello"), 5, &written), STRATA_OK);
  EXPECT_EQ(written, 5u);
  EXPECT_GT(log.drives, 0);
  uint8_t buf[16];
  size_t n = 0;
  int eos = 0;
  ASSERT_EQ(log.sink->ReadBody(buf, sizeof(buf), &n, &eos), STRATA_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), n), "hello");
  EXPECT_EQ(eos, 0);
  EXPECT_EQ(log.sink->ReadBody(buf, sizeof(buf), &n, &eos), STRATA_AGAIN);  // nothing now, no END_STREAM

  const int wakes_before = wakes;
  ASSERT_EQ(log.sink->OnData(reinterpret_cast<const uint8_t*>("world!"), 6), STRATA_OK);
  EXPECT_GT(wakes, wakes_before);
  EXPECT_TRUE(tunnel->DataPending());
  EXPECT_EQ(log.consumed, 0u);  // delivered is not consumed
  ASSERT_EQ(tunnel->Recv(buf, 4, &n), STRATA_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), n), "worl");
  EXPECT_EQ(log.consumed, 4u);
  ASSERT_EQ(tunnel->Recv(buf, sizeof(buf), &n), STRATA_OK);
  EXPECT_EQ(log.consumed, 6u);
  EXPECT_EQ(tunnel->Recv(buf, sizeof(buf), &n), STRATA_AGAIN);
}

// A consumer that never quite catches up (the proxy keeps one window in
// flight) must not make the tunnel keep every byte it ever received: what
// it holds stays near what is unread, and the bytes come out in order.
TEST_F(H2ConnectTunnelTest, DownstreamBufferHoldsAboutWhatIsUnread) {
  OpenWith(200);
  std::string chunk(16384, '\0');
  std::vector<uint8_t> buf(12000);
  uint64_t sent = 0, read = 0;
  size_t most_held = 0;
  for (int i = 0; i < 2000; ++i) {  // 32 MiB through, 16 KiB in and 12,000 bytes out per round
    for (char& c : chunk) c = static_cast<char>(sent++ % 251);
    ASSERT_EQ(log.sink->OnData(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size()), STRATA_OK);
    size_t n = 0;
    ASSERT_EQ(tunnel->Recv(buf.data(), buf.size(), &n), STRATA_OK);
    for (size_t k = 0; k < n; ++k) ASSERT_EQ(buf[k], static_cast<uint8_t>(read++ % 251)) << read;
    most_held = std::max(most_held, tunnel->buffered_bytes());
  }
  const uint64_t unread = sent - read;  // grows by 4,384 bytes a round: about 8.4 MiB at the end
  EXPECT_LE(most_held, 2 * unread + chunk.size());
  EXPECT_LT(most_held, sent / 2) << "the tunnel kept bytes it had already handed over";
}

TEST_F(H2ConnectTunnelTest, UpstreamIsBoundedAndTheChainIsWokenWhenRoomFrees) {
  OpenWith(200);
  std::string big(H2ConnectTunnel::kUpstreamLimit + 10, 'x');
  size_t written = 0;
  ASSERT_EQ(tunnel->Send(reinterpret_cast<const uint8_t*>(big.data()), big.size(), &written), STRATA_OK);
  EXPECT_EQ(written, H2ConnectTunnel::kUpstreamLimit);
  EXPECT_EQ(tunnel->Send(reinterpret_cast<const uint8_t*>(big.data()), 10, &written), STRATA_AGAIN);
  const int wakes_before = wakes;
  std::vector<uint8_t> buf(1000);
  size_t n = 0;
  int eos = 0;
  ASSERT_EQ(log.sink->ReadBody(buf.data(), buf.size(), &n, &eos), STRATA_OK);
  EXPECT_EQ(wakes, wakes_before + 1);
}

TEST_F(H2ConnectTunnelTest, HalfCloseBothWays) {
  OpenWith(200);
  size_t written = 0;
  ASSERT_EQ(tunnel->Send(reinterpret_cast<const uint8_t*>("ab"), 2, &written), STRATA_OK);
  int done = 0;
  ASSERT_EQ(tunnel->Shutdown(&done), STRATA_OK);
  uint8_t buf[8];
  size_t n = 0;
  int eos = 0;
  ASSERT_EQ(log.sink->ReadBody(buf, sizeof(buf), &n, &eos), STRATA_OK);
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(eos, 1);  // END_STREAM with the last bytes
  // The proxy's END_STREAM: the chain reads what is left, then the end.
  log.sink->OnData(reinterpret_cast<const uint8_t*>("z"), 1);
  log.sink->OnEnd(nullptr, 0);
  EXPECT_EQ(log.ended, 1);
  ASSERT_EQ(tunnel->Recv(buf, sizeof(buf), &n), STRATA_OK);
  EXPECT_EQ(n, 1u);
  ASSERT_EQ(tunnel->Recv(buf, sizeof(buf), &n), STRATA_OK);
  EXPECT_EQ(n, 0u);
  tunnel.reset();
  EXPECT_EQ(log.cancelled, 0);  // the stream was over: nothing to reset
  EXPECT_EQ(log.ended, 1);      // released once
}

TEST_F(H2ConnectTunnelTest, RefusedConnectIsAProxyErrorNamingTheStatus) {
  OpenWith(407);
  int done = 0;
  EXPECT_EQ(tunnel->Connect(&done), STRATA_E_PROXY);
  log.sink->OnError(STRATA_E_PROXY, "h2-alpn", "stopped");  // the session's reset comes back
  EXPECT_EQ(tunnel->Connect(&done), STRATA_E_PROXY);
  int status = 0;
  size_t len = sizeof(status);
  ASSERT_EQ(tunnel->Query(STRATA_QUERY_CONNECT_STATUS, &status, &len), STRATA_OK);
  EXPECT_EQ(status, 407);
  EXPECT_EQ(log.ended, 1);
}

TEST_F(H2ConnectTunnelTest, ResetTunnelFailsReadsAfterTheBufferedBytes) {
  OpenWith(200);
  log.sink->OnData(reinterpret_cast<const uint8_t*>("ok"), 2);
  log.sink->OnError(STRATA_E_STREAM_RESET, "h2-alpn", "RST_STREAM INTERNAL_ERROR");
  uint8_t buf[8];
  size_t n = 0;
  ASSERT_EQ(tunnel->Recv(buf, sizeof(buf), &n), STRATA_OK);
  EXPECT_EQ(n, 2u);
  EXPECT_EQ(tunnel->Recv(buf, sizeof(buf), &n), STRATA_E_STREAM_RESET);
  size_t written = 0;
  EXPECT_EQ(tunnel->Send(buf, 1, &written), STRATA_E_STREAM_RESET);
  tunnel.reset();
  EXPECT_EQ(log.cancelled, 0);
  EXPECT_EQ(log.ended, 1);
}

TEST_F(H2ConnectTunnelTest, ChainGoingAwayResetsTheLiveStreamOnce) {
  OpenWith(200);
  tunnel.reset();
  EXPECT_EQ(log.cancelled, 1);
  EXPECT_EQ(log.ended, 1);
}

TEST_F(H2ConnectTunnelTest, DeadCarrierBeforeOpenFailsConnect) {
  log.state = TunnelCarrier::State::kDead;
  int done = 0;
  EXPECT_EQ(tunnel->Connect(&done), STRATA_E_CLOSED);
  tunnel.reset();
  EXPECT_EQ(log.ended, 1);  // the slot reserved at bind is released
}

TEST_F(H2ConnectTunnelTest, Http1ProxyFallsBack) {
  log.state = TunnelCarrier::State::kReady;
  log.version = 11;
  int done = 0;
  EXPECT_EQ(tunnel->Connect(&done), STRATA_E_NOT_PROCESSED);
  EXPECT_TRUE(tunnel->fell_back_to_http1());
  EXPECT_EQ(log.opened, 0);
}

}  // namespace
}  // namespace strata
