// Drives the connect-tunnel layer through its C vtable (strata_plugin_entry
// linked in) against a fake host whose lower layer is scripted in memory:
// the proxy's reply arrives in chunks, each released only after the client
// has sent a given number of complete CONNECT requests, and the clock is a
// number the test moves.
#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/plugin.h"

extern "C" const strata_plugin_descriptor* strata_plugin_entry(void);

namespace {

// now_ms() has no ctx argument, so the fake clock is one shared value.
uint64_t g_now_ms = 1000;

struct Chunk {
  std::string bytes;
  int after_requests;  // released once this many CONNECT heads were sent
};

struct Fake {
  // Lower layer.
  int connect_again = 0;  // lower_connect answers AGAIN this many times first
  std::vector<Chunk> inbox;
  size_t inbox_index = 0;
  size_t inbox_off = 0;
  bool eof = false;  // after the inbox: end of stream (else AGAIN)
  std::string sent;
  bool send_blocked = false;
  uint32_t last_lower_wants = 0xffffffffu;
  bool lower_pending = false;
  int alpn_queries_below = 0;

  // Host.
  std::map<std::string, std::string> options;
  uint64_t wake_at = 0;
  std::vector<std::string> logs;
  strata_status error_status = STRATA_OK;
  std::string error_message;

  int RequestsSent() const {
    int n = 0;
    for (size_t pos = sent.find("\r\n\r\n"); pos != std::string::npos;
         pos = sent.find("\r\n\r\n", pos + 4)) {
      ++n;
    }
    return n;
  }
  bool AnyLogContains(const std::string& needle) const {
    for (const std::string& l : logs) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  }
};

Fake* F(strata_layer_ctx* ctx) { return reinterpret_cast<Fake*>(ctx); }

strata_status AnswerText(const std::string& text, void* out, size_t* len) {
  if (*len < text.size() + 1) {
    *len = text.size() + 1;
    return STRATA_E_BUFFER_TOO_SMALL;
  }
  std::memcpy(out, text.c_str(), text.size() + 1);
  *len = text.size() + 1;
  return STRATA_OK;
}

strata_host_services MakeServices() {
  strata_host_services s{};
  s.struct_size = sizeof(s);
  s.abi_major = STRATA_ABI_MAJOR;
  s.abi_minor = STRATA_ABI_MINOR;
  s.log = [](strata_layer_ctx* ctx, int32_t, const char* msg) { F(ctx)->logs.push_back(msg); };
  s.set_error = [](strata_layer_ctx* ctx, strata_status st, const char* msg) {
    F(ctx)->error_status = st;
    F(ctx)->error_message = msg;
  };
  s.now_ms = []() -> uint64_t { return g_now_ms; };
  s.wake_at = [](strata_layer_ctx* ctx, uint64_t deadline) { F(ctx)->wake_at = deadline; };
  s.watch_fd = [](strata_layer_ctx*, int) -> strata_status { return STRATA_E_UNSUPPORTED; };
  s.unwatch_fd = [](strata_layer_ctx*, int) {};
  s.option_get = [](strata_layer_ctx* ctx, const char* key, char* out,
                    size_t* len) -> strata_status {
    auto it = F(ctx)->options.find(key);
    if (it == F(ctx)->options.end()) return STRATA_E_UNSUPPORTED;
    return AnswerText(it->second, out, len);
  };
  s.lower_connect = [](strata_layer_ctx* ctx, int* done) -> strata_status {
    Fake* f = F(ctx);
    *done = 0;
    if (f->connect_again > 0) {
      --f->connect_again;
      return STRATA_AGAIN;
    }
    *done = 1;
    return STRATA_OK;
  };
  s.lower_send = [](strata_layer_ctx* ctx, const uint8_t* d, size_t n,
                    size_t* w) -> strata_status {
    Fake* f = F(ctx);
    *w = 0;
    if (f->send_blocked) return STRATA_AGAIN;
    f->sent.append(reinterpret_cast<const char*>(d), n);
    *w = n;
    return STRATA_OK;
  };
  s.lower_recv = [](strata_layer_ctx* ctx, uint8_t* buf, size_t cap,
                    size_t* r) -> strata_status {
    Fake* f = F(ctx);
    *r = 0;
    if (f->inbox_index < f->inbox.size()) {
      const Chunk& c = f->inbox[f->inbox_index];
      if (f->RequestsSent() < c.after_requests) return STRATA_AGAIN;
      size_t n = std::min(cap, c.bytes.size() - f->inbox_off);
      std::memcpy(buf, c.bytes.data() + f->inbox_off, n);
      f->inbox_off += n;
      if (f->inbox_off == c.bytes.size()) {
        ++f->inbox_index;
        f->inbox_off = 0;
      }
      *r = n;
      return STRATA_OK;
    }
    return f->eof ? STRATA_OK : STRATA_AGAIN;
  };
  s.lower_poll_interest = [](strata_layer_ctx* ctx, uint32_t wants) -> uint32_t {
    F(ctx)->last_lower_wants = wants;
    return wants;
  };
  s.lower_data_pending = [](strata_layer_ctx* ctx) -> int { return F(ctx)->lower_pending; };
  s.lower_query = [](strata_layer_ctx* ctx, uint32_t q, void* out, size_t* len) -> strata_status {
    switch (q) {
      case STRATA_QUERY_ALPN:
        ++F(ctx)->alpn_queries_below;
        return AnswerText("h2", out, len);  // what the proxy's TLS negotiated
      case STRATA_QUERY_PEER_ADDRESS:
        return AnswerText("127.0.0.1:3128", out, len);
      case STRATA_QUERY_TLS_VERSION:
        return AnswerText("TLSv1.3", out, len);
      default:
        return STRATA_E_UNSUPPORTED;
    }
  };
  s.lower_control = [](strata_layer_ctx*, uint32_t, const void*, size_t) -> strata_status {
    return STRATA_E_UNSUPPORTED;
  };
  s.lower_shutdown = [](strata_layer_ctx*, int* done) -> strata_status {
    *done = 1;
    return STRATA_OK;
  };
  return s;
}

const strata_host_services kServices = MakeServices();

const char kOk[] = "HTTP/1.1 200 Connection established\r\n\r\n";
const char k407[] =
    "HTTP/1.1 407 Proxy Authentication Required\r\n"
    "Proxy-Authenticate: Basic realm=\"proxy\"\r\n"
    "Content-Length: 6\r\n\r\n"
    "denied";
const char kPlainConnect[] = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n";
const char kAuthConnect[] =
    "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
    "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n\r\n";
const char kSecret[] = "dXNlcjpwYXNz";

class TunnelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_now_ms = 1000;
    desc_ = strata_plugin_entry();
    ASSERT_EQ(desc_->init(&kServices), STRATA_OK);
    type_ = desc_->layer_types[0];
    vt_ = type_->stream;
  }
  void TearDown() override {
    if (self_) vt_->destroy(self_);
    if (desc_->deinit) desc_->deinit();
  }

  strata_layer_ctx* ctx() { return reinterpret_cast<strata_layer_ctx*>(&fake_); }

  strata_status Create(const char* host = "example.com", uint16_t port = 443) {
    strata_layer_config cfg{};
    cfg.struct_size = sizeof(cfg);
    cfg.layer_name = "connect-tunnel";
    cfg.options_json = "{}";
    cfg.host = host;
    cfg.port = port;
    cfg.hop = 1;
    return vt_->create(ctx(), &cfg, &self_);
  }

  // Reply queues proxy bytes released after |after_requests| CONNECTs.
  void Reply(const std::string& bytes, int after_requests = 1) {
    fake_.inbox.push_back({bytes, after_requests});
  }

  // Connect calls connect() until it stops answering AGAIN with progress,
  // like an event loop whose descriptors are always ready.
  strata_status Connect(int* done) {
    *done = 0;
    strata_status st = STRATA_AGAIN;
    for (int i = 0; i < 20 && st == STRATA_AGAIN; ++i) st = vt_->connect(self_, done);
    return st;
  }

  // Establish creates the layer and connects it; expects success.
  void Establish() {
    ASSERT_EQ(Create(), STRATA_OK);
    int done = 0;
    ASSERT_EQ(Connect(&done), STRATA_OK) << fake_.error_message;
    ASSERT_EQ(done, 1);
  }

  // ExpectFailure creates and connects, expecting |status| and a message
  // containing |needle|.
  void ExpectFailure(strata_status status, const std::string& needle) {
    ASSERT_EQ(Create(), STRATA_OK);
    int done = 0;
    EXPECT_EQ(Connect(&done), status) << fake_.error_message;
    EXPECT_EQ(done, 0);
    EXPECT_EQ(fake_.error_status, status);
    EXPECT_NE(fake_.error_message.find(needle), std::string::npos) << fake_.error_message;
  }

  std::string RecvOnce(size_t cap = 4096, strata_status* out_st = nullptr) {
    std::string buf(cap, '\0');
    size_t n = 0;
    strata_status st = vt_->recv(self_, reinterpret_cast<uint8_t*>(buf.data()), cap, &n);
    if (out_st) *out_st = st;
    buf.resize(st == STRATA_OK ? n : 0);
    return buf;
  }

  std::string Query(uint32_t q, strata_status* out_st) {
    char buf[256];
    size_t len = sizeof(buf);
    *out_st = vt_->query(self_, q, buf, &len);
    return *out_st == STRATA_OK ? std::string(buf) : "";
  }

  const strata_plugin_descriptor* desc_ = nullptr;
  const strata_layer_type* type_ = nullptr;
  const strata_stream_layer_vtable* vt_ = nullptr;
  void* self_ = nullptr;
  Fake fake_;
};

TEST_F(TunnelTest, DescriptorIsATunnelByteStreamLayer) {
  EXPECT_STREQ(desc_->name, "connect-tunnel");
  ASSERT_EQ(desc_->layer_type_count, 1u);
  EXPECT_STREQ(type_->name, "connect-tunnel");
  EXPECT_EQ(type_->kind, STRATA_LAYER_BYTE_STREAM);
  EXPECT_EQ(type_->flags & STRATA_LAYER_FLAG_TUNNEL, static_cast<uint32_t>(STRATA_LAYER_FLAG_TUNNEL));
}

TEST_F(TunnelTest, SendsExactConnectRequestWithoutCredentials) {
  Reply(kOk);
  Establish();
  EXPECT_EQ(fake_.sent, kPlainConnect);
  EXPECT_NE(fake_.AnyLogContains("CONNECT example.com:443 sent to proxy"), false);
  EXPECT_TRUE(fake_.AnyLogContains("proxy answered 200 Connection established, tunnel open"));
}

TEST_F(TunnelTest, PreemptiveCredentialsGoInTheFirstRequestAndNeverInLogs) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  Reply(kOk);
  Establish();
  EXPECT_EQ(fake_.sent, kAuthConnect);
  EXPECT_FALSE(fake_.AnyLogContains(kSecret));
  EXPECT_TRUE(fake_.AnyLogContains("Proxy-Authorization: <redacted>"));
}

TEST_F(TunnelTest, Ipv6TargetIsBracketed) {
  Reply(kOk);
  ASSERT_EQ(Create("2001:db8::1", 8443), STRATA_OK);
  int done = 0;
  ASSERT_EQ(Connect(&done), STRATA_OK) << fake_.error_message;
  EXPECT_EQ(fake_.sent,
            "CONNECT [2001:db8::1]:8443 HTTP/1.1\r\nHost: [2001:db8::1]:8443\r\n\r\n");
}

TEST_F(TunnelTest, UserAgentOptionIsSent) {
  fake_.options["user_agent"] = "strata/0.1";
  Reply(kOk);
  Establish();
  EXPECT_EQ(fake_.sent,
            "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n"
            "User-Agent: strata/0.1\r\n\r\n");
}

TEST_F(TunnelTest, TargetWithControlBytesIsRefusedAtCreate) {
  EXPECT_EQ(Create("example.com\r\nX-Evil: 1", 443), STRATA_E_CONFIG);
  EXPECT_EQ(Create("", 443), STRATA_E_CONFIG);
}

TEST_F(TunnelTest, BadOptionsFailCreateWithoutQuotingTheSecret) {
  fake_.options["auth"] = "sometimes";
  EXPECT_EQ(Create(), STRATA_E_CONFIG);
  EXPECT_NE(fake_.error_message.find("option 'auth'"), std::string::npos) << fake_.error_message;
  fake_.options.erase("auth");
  fake_.options["proxy_authorization"] = "Basic c2VjcmV0\r\nX-Injected: 1";
  EXPECT_EQ(Create(), STRATA_E_CONFIG);
  EXPECT_EQ(fake_.error_message.find("c2VjcmV0"), std::string::npos) << fake_.error_message;
}

TEST_F(TunnelTest, WaitsForTheLowerLayerBeforeSending) {
  fake_.connect_again = 2;
  Reply(kOk);
  ASSERT_EQ(Create(), STRATA_OK);
  int done = 0;
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  EXPECT_EQ(fake_.sent, "");
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_OK);
  EXPECT_EQ(done, 1);
  EXPECT_EQ(fake_.sent, kPlainConnect);
}

TEST_F(TunnelTest, PollInterestFollowsTheHandshake) {
  fake_.send_blocked = true;
  Reply(kOk, /*after_requests=*/1);
  ASSERT_EQ(Create(), STRATA_OK);
  int done = 0;
  ASSERT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  // Request unsent: write, whatever the caller wants.
  vt_->poll_interest(self_, STRATA_POLL_READ);
  EXPECT_EQ(fake_.last_lower_wants, static_cast<uint32_t>(STRATA_POLL_WRITE));
  // Sent, reply not yet here: read.
  fake_.send_blocked = false;
  fake_.inbox.clear();
  ASSERT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  vt_->poll_interest(self_, STRATA_POLL_WRITE);
  EXPECT_EQ(fake_.last_lower_wants, static_cast<uint32_t>(STRATA_POLL_READ));
  EXPECT_FALSE(vt_->data_pending(self_));
  // Open: pass-through.
  Reply(kOk);
  ASSERT_EQ(vt_->connect(self_, &done), STRATA_OK);
  vt_->poll_interest(self_, STRATA_POLL_READ | STRATA_POLL_WRITE);
  EXPECT_EQ(fake_.last_lower_wants, static_cast<uint32_t>(STRATA_POLL_READ | STRATA_POLL_WRITE));
}

TEST_F(TunnelTest, SendAndRecvPassThroughOnceOpen) {
  Reply(kOk);
  Reply("origin bytes");
  Establish();
  EXPECT_EQ(RecvOnce(), "origin bytes");
  size_t w = 0;
  const char req[] = "GET / HTTP/1.1\r\n";
  ASSERT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>(req), sizeof(req) - 1, &w),
            STRATA_OK);
  EXPECT_EQ(w, sizeof(req) - 1);
  EXPECT_EQ(fake_.sent, std::string(kPlainConnect) + req);
  strata_status st;
  EXPECT_EQ(RecvOnce(4096, &st), "");
  EXPECT_EQ(st, STRATA_AGAIN);
}

TEST_F(TunnelTest, BytesAfterTheReplyHeadAreDeliveredFirst) {
  Reply(std::string(kOk) + "HELLO");
  Reply("WORLD");
  Establish();
  EXPECT_TRUE(vt_->data_pending(self_));
  // Buffered bytes need no readiness from the socket.
  vt_->poll_interest(self_, STRATA_POLL_READ);
  EXPECT_EQ(fake_.last_lower_wants, 0u);
  EXPECT_EQ(RecvOnce(3), "HEL");
  EXPECT_EQ(RecvOnce(100), "LO");
  EXPECT_FALSE(vt_->data_pending(self_));
  EXPECT_EQ(RecvOnce(100), "WORLD");
}

TEST_F(TunnelTest, DataPendingReportsTheLayerBelowOnceOpen) {
  Reply(kOk);
  Establish();
  EXPECT_FALSE(vt_->data_pending(self_));
  fake_.lower_pending = true;
  EXPECT_TRUE(vt_->data_pending(self_));
}

TEST_F(TunnelTest, ProxyClosingRightAfter200IsAnOrdinaryEof) {
  Reply(kOk);
  fake_.eof = true;
  Establish();
  strata_status st;
  EXPECT_EQ(RecvOnce(100, &st), "");
  EXPECT_EQ(st, STRATA_OK);  // orderly end of stream: the layer above decides
}

TEST_F(TunnelTest, RecvAndSendBeforeOpenAreStateErrors) {
  ASSERT_EQ(Create(), STRATA_OK);
  strata_status st;
  RecvOnce(10, &st);
  EXPECT_EQ(st, STRATA_E_STATE);
  size_t w = 0;
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>("x"), 1, &w), STRATA_E_STATE);
}

TEST_F(TunnelTest, InformationalRepliesAreSkipped) {
  Reply("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\n");
  Reply(std::string(kOk) + "x");
  Establish();
  EXPECT_EQ(RecvOnce(), "x");
}

TEST_F(TunnelTest, Hostile39_Endless1xxIsCapped) {
  std::string flood;
  while (flood.size() < 70 * 1024) flood += "HTTP/1.1 100 Continue\r\n\r\n";
  Reply(flood);
  Reply(kOk);
  ExpectFailure(STRATA_E_LIMIT, "max_reply_bytes");
}

TEST_F(TunnelTest, ReplyLargerThanMaxReplyBytesFails) {
  fake_.options["max_reply_bytes"] = "1024";
  Reply("HTTP/1.1 200 OK\r\nVia: " + std::string(2000, 'a') + "\r\n\r\n");
  ExpectFailure(STRATA_E_LIMIT, "max_reply_bytes");
}

TEST_F(TunnelTest, DefaultReplyLimitIs64KiB) {
  Reply("HTTP/1.1 200 OK\r\nVia: " + std::string(60 * 1024, 'a') + "\r\n\r\n");
  Establish();  // under the default limit
}

TEST_F(TunnelTest, DefaultReplyLimitRefusesMoreThan64KiB) {
  std::string head = "HTTP/1.1 200 OK\r\n";
  while (head.size() < 65 * 1024) head += "Via: " + std::string(1000, 'a') + "\r\n";
  Reply(head + "\r\n");
  ExpectFailure(STRATA_E_LIMIT, "65536");
}

TEST_F(TunnelTest, TimeoutWhenTheProxyNeverAnswers) {
  fake_.options["connect_timeout_ms"] = "5000";
  ASSERT_EQ(Create(), STRATA_OK);
  int done = 0;
  ASSERT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  EXPECT_EQ(fake_.sent, kPlainConnect);
  EXPECT_EQ(fake_.wake_at, 6000u);
  g_now_ms = 5999;
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  EXPECT_EQ(fake_.wake_at, 6000u);
  g_now_ms = 6000;
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_E_TIMEOUT);
  EXPECT_NE(fake_.error_message.find("proxy did not answer CONNECT within 5000 ms"),
            std::string::npos)
      << fake_.error_message;
  EXPECT_EQ(fake_.wake_at, 0u);
  // A failed layer stays failed.
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_E_TIMEOUT);
}

TEST_F(TunnelTest, DefaultTimeoutIs30Seconds) {
  ASSERT_EQ(Create(), STRATA_OK);
  int done = 0;
  ASSERT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  EXPECT_EQ(fake_.wake_at, 1000u + 30000u);
  g_now_ms = 31000;
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_E_TIMEOUT);
  EXPECT_NE(fake_.error_message.find("within 30000 ms"), std::string::npos);
}

TEST_F(TunnelTest, SuccessCancelsTheWakeUp) {
  Reply(kOk);
  Establish();
  EXPECT_EQ(fake_.wake_at, 0u);
}

TEST_F(TunnelTest, Hostile73_AlpnOfTheProxyIsHidden) {
  Reply(kOk);
  Establish();
  strata_status st;
  EXPECT_EQ(Query(STRATA_QUERY_ALPN, &st), "");
  EXPECT_EQ(st, STRATA_OK);
  EXPECT_EQ(fake_.alpn_queries_below, 0);
}

TEST_F(TunnelTest, DescribeNamesTargetAndProxy) {
  Reply(kOk);
  Establish();
  strata_status st;
  EXPECT_EQ(Query(STRATA_QUERY_DESCRIBE, &st), "connect-tunnel(example.com:443 via 127.0.0.1:3128)");
  EXPECT_EQ(Query(STRATA_QUERY_HTTP_VERSION, &st), "");
  EXPECT_EQ(st, STRATA_E_UNSUPPORTED);
  EXPECT_EQ(Query(STRATA_QUERY_TLS_VERSION, &st), "TLSv1.3");  // passed down
}

int QueryInt(const strata_stream_layer_vtable* vt, void* self, uint32_t q, strata_status* st) {
  int value = -1;
  size_t len = sizeof(value);
  *st = vt->query(self, q, &value, &len);
  return value;
}

TEST_F(TunnelTest, ConnectStatusIsAnsweredAfterSuccessAndFailure) {
  ASSERT_EQ(Create(), STRATA_OK);
  strata_status st;
  QueryInt(vt_, self_, STRATA_QUERY_CONNECT_STATUS, &st);
  EXPECT_EQ(st, STRATA_E_STATE);  // nothing answered yet
  Reply("HTTP/1.1 403 Forbidden\r\n\r\n");
  int done = 0;
  EXPECT_EQ(Connect(&done), STRATA_E_PROXY);
  EXPECT_EQ(QueryInt(vt_, self_, STRATA_QUERY_CONNECT_STATUS, &st), 403);
  EXPECT_EQ(st, STRATA_OK);
}

TEST_F(TunnelTest, ConnectStatusOfAnOpenTunnel) {
  Reply("HTTP/1.1 204 Tunnel\r\n\r\n");
  Establish();
  strata_status st;
  EXPECT_EQ(QueryInt(vt_, self_, STRATA_QUERY_CONNECT_STATUS, &st), 204);
  EXPECT_EQ(st, STRATA_OK);
}

TEST_F(TunnelTest, Hostile69_ConnectOkWithContentLengthIgnoresIt) {
  Reply("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  Establish();
  EXPECT_EQ(RecvOnce(), "abc");
}

TEST_F(TunnelTest, Hostile69_Connect204WithChunkedIgnoresIt) {
  Reply("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello");
  Establish();
  EXPECT_EQ(RecvOnce(), "5\r\nhello");  // tunnel bytes, not a chunked body
}

TEST_F(TunnelTest, Hostile70_RefusalBodyIsNeverPassedUp) {
  Reply("HTTP/1.1 403 Forbidden\r\nContent-Length: 17\r\n\r\nproxy-only secret");
  ExpectFailure(STRATA_E_PROXY, "proxy refused CONNECT to example.com:443: 403 Forbidden");
  EXPECT_EQ(fake_.error_message.find("proxy-only"), std::string::npos);
  strata_status st;
  EXPECT_EQ(RecvOnce(100, &st), "");
  EXPECT_EQ(st, STRATA_E_PROXY);
}

TEST_F(TunnelTest, Hostile70_ChunkedErrorBodyIsNeverPassedUp) {
  Reply("HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnope\r\n0\r\n\r\n");
  ExpectFailure(STRATA_E_PROXY, "502 Bad Gateway");
  strata_status st;
  EXPECT_EQ(RecvOnce(100, &st), "");
  EXPECT_LT(st, 0);
}

TEST_F(TunnelTest, Hostile71_407WithoutCredentialsAsksForThem) {
  Reply(k407);
  ExpectFailure(STRATA_E_PROXY,
                "proxy authentication required (407 Proxy Authentication Required): "
                "configure proxy credentials");
  EXPECT_EQ(fake_.sent, kPlainConnect);
}

TEST_F(TunnelTest, Hostile71_PreemptiveCredentialsRejected) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  Reply(k407);
  Reply(kOk, 2);  // must never be asked for
  ExpectFailure(STRATA_E_PROXY,
                "proxy rejected the credentials (407 Proxy Authentication Required)");
  EXPECT_EQ(fake_.sent, kAuthConnect);  // no second attempt
  EXPECT_FALSE(fake_.AnyLogContains(kSecret));
}

TEST_F(TunnelTest, Hostile71_OnChallengeRetriesOnceWithCredentials) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  fake_.options["auth"] = "on_challenge";
  Reply(k407, 1);
  Reply(std::string(kOk) + "tunnel", 2);
  Establish();
  EXPECT_EQ(fake_.sent, std::string(kPlainConnect) + kAuthConnect);
  EXPECT_EQ(RecvOnce(), "tunnel");  // the 407's body stayed out
  EXPECT_FALSE(fake_.AnyLogContains(kSecret));
}

TEST_F(TunnelTest, Hostile71_OnChallengeDrainsA407ArrivingInPieces) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  fake_.options["auth"] = "on_challenge";
  std::string reply = k407;
  for (char c : reply) Reply(std::string(1, c), 1);
  Reply(kOk, 2);
  Establish();
  EXPECT_EQ(fake_.sent, std::string(kPlainConnect) + kAuthConnect);
}

TEST_F(TunnelTest, Hostile71_OnChallengeDrainsAChunked407) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  fake_.options["auth"] = "on_challenge";
  Reply("HTTP/1.1 407 Auth\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 1);
  Reply(kOk, 2);
  Establish();
  EXPECT_EQ(fake_.RequestsSent(), 2);
}

TEST_F(TunnelTest, Hostile71_Twice407StopsAfterOneRetry) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  fake_.options["auth"] = "on_challenge";
  Reply(k407, 1);
  Reply(k407, 2);
  Reply(kOk, 3);
  ExpectFailure(STRATA_E_PROXY, "proxy rejected the credentials (407 Proxy Authentication Required)");
  EXPECT_EQ(fake_.sent, std::string(kPlainConnect) + kAuthConnect);
}

TEST_F(TunnelTest, Hostile71_407WithContentLengthAndChunkedIsAnError) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  fake_.options["auth"] = "on_challenge";
  Reply("HTTP/1.1 407 Auth\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nabcde\r\n0\r\n\r\n",
        1);
  Reply(kOk, 2);
  ExpectFailure(STRATA_E_PROXY, "both Content-Length and Transfer-Encoding");
  EXPECT_EQ(fake_.sent, kPlainConnect);
}

TEST_F(TunnelTest, Hostile71_CloseDelimited407CannotBeRetried) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  fake_.options["auth"] = "on_challenge";
  Reply("HTTP/1.1 407 Auth\r\n\r\nbody until close", 1);
  ExpectFailure(STRATA_E_PROXY, "runs until the connection closes");
  EXPECT_EQ(fake_.sent, kPlainConnect);
}

TEST_F(TunnelTest, Hostile71_407WithConnectionCloseCannotBeRetried) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  fake_.options["auth"] = "on_challenge";
  Reply("HTTP/1.1 407 Auth\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 1);
  ExpectFailure(STRATA_E_PROXY, "closes it after the 407");
}

TEST_F(TunnelTest, Hostile71_ProxyClosingInsideThe407BodyFails) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  fake_.options["auth"] = "on_challenge";
  Reply("HTTP/1.1 407 Auth\r\nContent-Length: 100\r\n\r\nshort", 1);
  fake_.eof = true;
  ExpectFailure(STRATA_E_PROXY, "inside its 407 reply");
}

TEST_F(TunnelTest, BytesAfterThe407BodyAreAProtocolError) {
  fake_.options["proxy_authorization"] = "Basic dXNlcjpwYXNz";
  fake_.options["auth"] = "on_challenge";
  Reply(std::string(k407) + "HTTP/1.1 200 OK\r\n\r\n", 1);
  ExpectFailure(STRATA_E_PROTOCOL, "after the end of its 407 reply");
  EXPECT_EQ(fake_.RequestsSent(), 1);
}

TEST_F(TunnelTest, Hostile72_ProxyClosesWithoutAnswering) {
  fake_.eof = true;
  ExpectFailure(STRATA_E_PROXY, "proxy closed the connection without answering CONNECT example.com:443");
}

TEST_F(TunnelTest, Hostile72_ProxyClosesInTheMiddleOfTheReply) {
  Reply("HTTP/1.1 200 Connection est");
  fake_.eof = true;
  ExpectFailure(STRATA_E_PROXY, "in the middle of its reply");
}

TEST_F(TunnelTest, Hostile72_NulInAHeaderIsAnError) {
  static const char kReply[] = "HTTP/1.1 200 OK\r\nVia: a\0b\r\n\r\n";
  Reply(std::string(kReply, sizeof(kReply) - 1));
  ExpectFailure(STRATA_E_PROTOCOL, "NUL");
}

TEST_F(TunnelTest, Hostile72_GarbageReplyIsAnError) {
  Reply("SSH-2.0-OpenSSH_9.6\r\n");
  ExpectFailure(STRATA_E_PROTOCOL, "malformed reply to CONNECT example.com:443");
}

TEST_F(TunnelTest, Hostile72_UnrequestedSwitchingProtocolsIsAnError) {
  Reply("HTTP/1.1 101 Switching Protocols\r\n\r\n");
  ExpectFailure(STRATA_E_PROTOCOL, "101");
}

TEST_F(TunnelTest, ReasonPhraseControlBytesAreEscapedInTheMessage) {
  Reply("HTTP/1.1 403 No\x1b[31m\r\n\r\n");
  ExpectFailure(STRATA_E_PROXY, "403 No\\x1b[31m");
}

}  // namespace
