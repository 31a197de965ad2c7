// Drives the fault layer through its C vtable (strata_plugin_entry linked
// in) against a fake host whose layer below is a byte queue in memory and
// whose clock is a number the test moves: partial reads, chunk=1, delays
// through wake_at, rate caps, the byte limits, damage and refusal.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/plugin.h"

extern "C" const strata_plugin_descriptor* strata_plugin_entry(void);

namespace {

uint64_t g_now_ms = 1000;

struct Fake {
  std::string inbox;      // bytes the layer below will return
  size_t inbox_off = 0;
  size_t lower_piece = 1 << 20;  // at most this many per lower_recv
  bool eof = false;              // after the inbox: end of stream (else AGAIN)
  int connect_again = 0;
  int lower_connects = 0;
  std::string sent;
  uint32_t last_lower_wants = 0;
  uint64_t wake_at = 0;
  std::vector<std::string> logs;
  strata_status error_status = STRATA_OK;
  std::string error_message;

  int LogsContaining(const std::string& needle) const {
    return static_cast<int>(std::count_if(logs.begin(), logs.end(), [&](const std::string& l) {
      return l.find(needle) != std::string::npos;
    }));
  }
};

Fake* F(strata_layer_ctx* ctx) { return reinterpret_cast<Fake*>(ctx); }

strata_host_services MakeServices() {
  strata_host_services s{};
  s.struct_size = sizeof(s);
  s.abi_major = STRATA_ABI_MAJOR;
  s.abi_minor = STRATA_ABI_MINOR;
  s.log = [](strata_layer_ctx* ctx, int32_t level, const char* msg) {
    EXPECT_EQ(level, STRATA_LOG_INFO);
    F(ctx)->logs.push_back(msg);
  };
  s.set_error = [](strata_layer_ctx* ctx, strata_status st, const char* msg) {
    F(ctx)->error_status = st;
    F(ctx)->error_message = msg;
  };
  s.now_ms = []() -> uint64_t { return g_now_ms; };
  s.wake_at = [](strata_layer_ctx* ctx, uint64_t deadline) { F(ctx)->wake_at = deadline; };
  s.watch_fd = [](strata_layer_ctx*, int) -> strata_status { return STRATA_E_UNSUPPORTED; };
  s.unwatch_fd = [](strata_layer_ctx*, int) {};
  s.option_get = [](strata_layer_ctx*, const char*, char*, size_t*) -> strata_status {
    return STRATA_E_UNSUPPORTED;
  };
  s.lower_connect = [](strata_layer_ctx* ctx, int* done) -> strata_status {
    Fake* f = F(ctx);
    ++f->lower_connects;
    *done = 0;
    if (f->connect_again > 0) {
      --f->connect_again;
      return STRATA_AGAIN;
    }
    *done = 1;
    return STRATA_OK;
  };
  s.lower_send = [](strata_layer_ctx* ctx, const uint8_t* d, size_t n, size_t* w) -> strata_status {
    F(ctx)->sent.append(reinterpret_cast<const char*>(d), n);
    *w = n;
    return STRATA_OK;
  };
  s.lower_recv = [](strata_layer_ctx* ctx, uint8_t* buf, size_t cap, size_t* r) -> strata_status {
    Fake* f = F(ctx);
    *r = 0;
    if (f->inbox_off < f->inbox.size()) {
      size_t n = std::min({cap, f->lower_piece, f->inbox.size() - f->inbox_off});
      std::memcpy(buf, f->inbox.data() + f->inbox_off, n);
      f->inbox_off += n;
      *r = n;
      return STRATA_OK;
    }
    return f->eof ? STRATA_OK : STRATA_AGAIN;
  };
  s.lower_poll_interest = [](strata_layer_ctx* ctx, uint32_t wants) -> uint32_t {
    F(ctx)->last_lower_wants = wants;
    return wants;
  };
  s.lower_data_pending = [](strata_layer_ctx* ctx) -> int {
    return F(ctx)->inbox_off < F(ctx)->inbox.size();
  };
  s.lower_query = [](strata_layer_ctx*, uint32_t, void*, size_t*) -> strata_status {
    return STRATA_E_UNSUPPORTED;
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

std::string Body(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(static_cast<char>('a' + i % 26));
  return s;
}

class FaultLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_now_ms = 1000;
    desc_ = strata_plugin_entry();
    ASSERT_EQ(desc_->init(&kServices), STRATA_OK);
    vt_ = desc_->layer_types[0]->stream;
  }
  void TearDown() override {
    if (self_) vt_->destroy(self_);
    if (desc_->deinit) desc_->deinit();
  }
  strata_layer_ctx* ctx() { return reinterpret_cast<strata_layer_ctx*>(&fake_); }

  strata_status Create(const std::string& options) {
    strata_layer_config cfg{};
    cfg.struct_size = sizeof(cfg);
    cfg.layer_name = "fault";
    cfg.options_json = options.c_str();
    cfg.host = "example.com";
    cfg.port = 443;
    cfg.hop = 2;
    return vt_->create(ctx(), &cfg, &self_);
  }
  void Open(const std::string& options) {
    ASSERT_EQ(Create(options), STRATA_OK) << fake_.error_message;
    int done = 0;
    ASSERT_EQ(vt_->connect(self_, &done), STRATA_OK) << fake_.error_message;
    ASSERT_EQ(done, 1);
  }
  strata_status Recv(std::string* out, size_t cap = 4096) {
    std::string buf(cap, '\0');
    size_t n = 0;
    strata_status st = vt_->recv(self_, reinterpret_cast<uint8_t*>(buf.data()), cap, &n);
    if (st == STRATA_OK) out->append(buf.data(), n);
    last_read_ = st == STRATA_OK ? n : 0;
    return st;
  }
  // Drain reads like an event loop: on AGAIN it moves the clock to the
  // layer's wake deadline (if any) and tries again; stops at EOF, an
  // error, or AGAIN with no deadline.
  strata_status Drain(std::string* out, size_t cap = 4096, int max_calls = 100000) {
    for (int i = 0; i < max_calls; ++i) {
      fake_.wake_at = 0;
      strata_status st = Recv(out, cap);
      if (st < 0) return st;
      if (st == STRATA_OK && last_read_ == 0) return STRATA_OK;  // EOF
      if (st == STRATA_AGAIN) {
        if (fake_.wake_at == 0) return STRATA_AGAIN;
        EXPECT_GE(fake_.wake_at, g_now_ms);
        g_now_ms = std::max(g_now_ms, fake_.wake_at);
      }
    }
    return STRATA_E_INTERNAL;
  }

  const strata_plugin_descriptor* desc_ = nullptr;
  const strata_stream_layer_vtable* vt_ = nullptr;
  void* self_ = nullptr;
  size_t last_read_ = 0;
  Fake fake_;
};

TEST_F(FaultLayerTest, DescriptorNamesAByteStreamLayerFault) {
  EXPECT_STREQ(desc_->name, "fault");
  ASSERT_EQ(desc_->layer_type_count, 1u);
  EXPECT_STREQ(desc_->layer_types[0]->name, "fault");
  EXPECT_EQ(desc_->layer_types[0]->kind, STRATA_LAYER_BYTE_STREAM);
  EXPECT_EQ(desc_->layer_types[0]->flags, 0u);
}

TEST_F(FaultLayerTest, WithoutOptionsBytesPassUnchanged) {
  Open("{}");
  fake_.inbox = Body(10000);
  fake_.eof = true;
  fake_.lower_piece = 777;  // partial reads below
  std::string got;
  EXPECT_EQ(Drain(&got, 1000), STRATA_OK);
  EXPECT_EQ(got, Body(10000));
  size_t w = 0;
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>("hello"), 5, &w), STRATA_OK);
  EXPECT_EQ(w, 5u);
  EXPECT_EQ(fake_.sent, "hello");
}

TEST_F(FaultLayerTest, UnknownOptionFailsCreateNamingIt) {
  EXPECT_EQ(Create(R"({"chunky": 1})"), STRATA_E_CONFIG);
  EXPECT_EQ(fake_.error_status, STRATA_E_CONFIG);
  EXPECT_NE(fake_.error_message.find("'chunky'"), std::string::npos) << fake_.error_message;
  self_ = nullptr;
}

TEST_F(FaultLayerTest, ChunkOneHandsUpOneByteAtATimeAndWritesOneByte) {
  Open(R"({"chunk": 1})");
  fake_.inbox = "HTTP/1.1 200 OK\r\n";
  std::string got;
  while (got.size() < fake_.inbox.size()) {
    ASSERT_EQ(Recv(&got), STRATA_OK);
    ASSERT_EQ(last_read_, 1u);
    // Bytes it holds count as pending.
    if (got.size() < fake_.inbox.size()) {
      EXPECT_TRUE(vt_->data_pending(self_));
    }
  }
  EXPECT_EQ(got, fake_.inbox);
  EXPECT_EQ(Recv(&got), STRATA_AGAIN);  // nothing below yet
  EXPECT_EQ(vt_->poll_interest(self_, STRATA_POLL_READ), static_cast<uint32_t>(STRATA_POLL_READ));
  size_t w = 0;
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>("GET"), 3, &w), STRATA_OK);
  EXPECT_EQ(w, 1u);
  EXPECT_EQ(fake_.sent, "G");
  EXPECT_EQ(fake_.LogsContaining("handing inbound bytes up 1 at most"), 1);
  EXPECT_EQ(fake_.LogsContaining("passing writes down 1 bytes"), 1);
}

TEST_F(FaultLayerTest, ReadDelayHoldsEachPieceUntilTheWakeDeadline) {
  Open(R"({"read_delay_ms": 50})");
  fake_.inbox = "abc";
  std::string got;
  EXPECT_EQ(Recv(&got), STRATA_AGAIN);
  EXPECT_EQ(fake_.wake_at, 1050u);
  EXPECT_FALSE(vt_->data_pending(self_));
  // Holding bytes: it must not ask the descriptor for READ (the loop would
  // spin on a readable socket), the timer brings it back.
  EXPECT_EQ(vt_->poll_interest(self_, STRATA_POLL_READ), 0u);
  g_now_ms = 1049;
  EXPECT_EQ(Recv(&got), STRATA_AGAIN);
  g_now_ms = 1050;
  EXPECT_TRUE(vt_->data_pending(self_));
  EXPECT_EQ(Recv(&got), STRATA_OK);
  EXPECT_EQ(got, "abc");
  EXPECT_EQ(fake_.LogsContaining("delaying each read by 50 ms"), 1);
}

TEST_F(FaultLayerTest, JitterStaysWithinItsRangeAndReplaysFromTheSeed) {
  std::vector<uint64_t> first;
  for (int run = 0; run < 2; ++run) {
    if (self_) vt_->destroy(self_);
    self_ = nullptr;
    fake_ = Fake{};
    g_now_ms = 1000;
    Open(R"({"read_delay_ms": 10, "jitter_ms": 20, "seed": 5, "chunk": 1})");
    fake_.inbox = Body(30);
    std::vector<uint64_t> delays;
    std::string got;
    for (int i = 0; i < 30; ++i) {
      // One byte below per read: every piece gets its own delay.
      fake_.lower_piece = 1;
      uint64_t before = g_now_ms;
      ASSERT_EQ(Recv(&got), STRATA_AGAIN);
      uint64_t delay = fake_.wake_at - before;
      EXPECT_GE(delay, 10u);
      EXPECT_LE(delay, 30u);
      delays.push_back(delay);
      g_now_ms = fake_.wake_at;
      ASSERT_EQ(Recv(&got), STRATA_OK);
    }
    EXPECT_EQ(got, Body(30));
    if (run == 0) first = delays;
    else EXPECT_EQ(delays, first);
  }
  EXPECT_NE(*std::min_element(first.begin(), first.end()), *std::max_element(first.begin(), first.end()));
}

TEST_F(FaultLayerTest, ConnectDelayWaitsAfterTheLayersBelow) {
  ASSERT_EQ(Create(R"({"connect_delay_ms": 30})"), STRATA_OK);
  fake_.connect_again = 1;
  int done = 0;
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  EXPECT_EQ(vt_->poll_interest(self_, STRATA_POLL_WRITE), static_cast<uint32_t>(STRATA_POLL_WRITE));
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  EXPECT_EQ(fake_.wake_at, 1030u);
  EXPECT_EQ(vt_->poll_interest(self_, STRATA_POLL_WRITE), 0u);
  g_now_ms = 1030;
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_OK);
  EXPECT_EQ(done, 1);
  EXPECT_EQ(fake_.lower_connects, 2);
  EXPECT_EQ(fake_.LogsContaining("delaying the connect by 30 ms"), 1);
}

TEST_F(FaultLayerTest, WriteDelayHoldsEachWrite) {
  Open(R"({"write_delay_ms": 20})");
  size_t w = 0;
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>("one"), 3, &w), STRATA_AGAIN);
  EXPECT_EQ(fake_.wake_at, 1020u);
  EXPECT_EQ(vt_->poll_interest(self_, STRATA_POLL_WRITE), 0u);
  g_now_ms = 1020;
  EXPECT_EQ(vt_->poll_interest(self_, STRATA_POLL_WRITE), static_cast<uint32_t>(STRATA_POLL_WRITE));
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>("one"), 3, &w), STRATA_OK);
  EXPECT_EQ(fake_.sent, "one");
  // The next write waits again.
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>("two"), 3, &w), STRATA_AGAIN);
  EXPECT_EQ(fake_.wake_at, 1040u);
}

TEST_F(FaultLayerTest, RateInCapsBytesPerSecond) {
  Open(R"({"rate_in": 1000})");  // bucket of 100 bytes, 1 byte per ms
  fake_.inbox = Body(1100);
  fake_.eof = true;
  std::string got;
  EXPECT_EQ(Drain(&got), STRATA_OK);
  EXPECT_EQ(got, Body(1100));
  // 100 bytes at once, the other 1000 at 1 byte/ms.
  EXPECT_GE(g_now_ms, 1000u + 1000u);
  EXPECT_LE(g_now_ms, 1000u + 1010u);
}

TEST_F(FaultLayerTest, RateOutCapsWrites) {
  Open(R"({"rate_out": 100})");  // bucket of 10 bytes
  std::string data = Body(30);
  size_t w = 0;
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>(data.data()), 30, &w), STRATA_OK);
  EXPECT_EQ(w, 10u);
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>(data.data()) + 10, 20, &w), STRATA_AGAIN);
  EXPECT_EQ(fake_.wake_at, 1010u);
  g_now_ms = 1050;
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>(data.data()) + 10, 20, &w), STRATA_OK);
  EXPECT_EQ(w, 5u);
}

TEST_F(FaultLayerTest, CloseAfterInEndsTheStreamCleanlyAtTheExactByte) {
  Open(R"({"close_after_in": 1234})");
  fake_.inbox = Body(5000);
  std::string got;
  EXPECT_EQ(Drain(&got, 1000), STRATA_OK);
  EXPECT_EQ(got, Body(1234));
  // The end is due without the descriptor.
  EXPECT_TRUE(vt_->data_pending(self_));
  EXPECT_EQ(Recv(&got), STRATA_OK);
  EXPECT_EQ(last_read_, 0u);
  EXPECT_EQ(fake_.LogsContaining("ending the stream after 1234 bytes in (close_after_in)"), 1);
}

TEST_F(FaultLayerTest, ResetAfterInFailsLikeTheTcpLayersReset) {
  Open(R"({"reset_after_in": 10})");
  fake_.inbox = Body(100);
  std::string got;
  EXPECT_EQ(Drain(&got), STRATA_E_CLOSED);
  EXPECT_EQ(got, Body(10));
  EXPECT_EQ(fake_.error_status, STRATA_E_CLOSED);
  EXPECT_NE(fake_.error_message.find("connection reset by peer"), std::string::npos);
  EXPECT_NE(fake_.error_message.find("reset_after_in=10"), std::string::npos) << fake_.error_message;
  EXPECT_EQ(Recv(&got), STRATA_E_CLOSED);  // and stays reset
  EXPECT_EQ(fake_.LogsContaining("resetting the connection after 10 bytes"), 1);
}

TEST_F(FaultLayerTest, StallAfterInStopsWithoutClosingAndAsksForNothing) {
  Open(R"({"stall_after_in": 7})");
  fake_.inbox = Body(100);
  fake_.eof = true;
  std::string got;
  EXPECT_EQ(Drain(&got), STRATA_AGAIN);
  EXPECT_EQ(got, Body(7));
  EXPECT_EQ(fake_.wake_at, 0u);
  EXPECT_FALSE(vt_->data_pending(self_));
  EXPECT_EQ(vt_->poll_interest(self_, STRATA_POLL_READ), 0u);
  EXPECT_EQ(vt_->poll_interest(self_, STRATA_POLL_READ | STRATA_POLL_WRITE),
            static_cast<uint32_t>(STRATA_POLL_WRITE));
  EXPECT_EQ(fake_.LogsContaining("stalling the stream after 7 bytes"), 1);
}

TEST_F(FaultLayerTest, CloseAfterOutFailsFurtherSends) {
  Open(R"({"close_after_out": 4})");
  size_t w = 0;
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>("GET / HTTP"), 10, &w), STRATA_OK);
  EXPECT_EQ(w, 4u);
  EXPECT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>("/ HTTP"), 6, &w), STRATA_E_CLOSED);
  EXPECT_EQ(fake_.sent, "GET ");
  EXPECT_NE(fake_.error_message.find("close_after_out=4"), std::string::npos) << fake_.error_message;
}

TEST_F(FaultLayerTest, CorruptInFlipsTheRangeOnlyAcrossPartialReads) {
  Open(R"({"corrupt_in": "5:3"})");
  fake_.inbox = "0123456789";
  fake_.eof = true;
  fake_.lower_piece = 2;
  std::string got;
  EXPECT_EQ(Drain(&got, 3), STRATA_OK);
  std::string want = "0123456789";
  for (int i = 5; i < 8; ++i) want[i] = static_cast<char>(want[i] ^ 0xff);
  EXPECT_EQ(got, want);
  EXPECT_EQ(fake_.LogsContaining("corrupting inbound bytes 5..7 (corrupt_in)"), 1);
}

TEST_F(FaultLayerTest, CorruptOutFlipsOutgoingBytes) {
  Open(R"({"corrupt_out": "1:1"})");
  size_t w = 0;
  ASSERT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>("ab"), 2, &w), STRATA_OK);
  ASSERT_EQ(vt_->send(self_, reinterpret_cast<const uint8_t*>("cd"), 2, &w), STRATA_OK);
  EXPECT_EQ(fake_.sent, std::string("a") + static_cast<char>('b' ^ 0xff) + "cd");
}

TEST_F(FaultLayerTest, DuplicateInDeliversTheRangeTwice) {
  Open(R"({"duplicate_in": "2:3", "chunk": 1})");
  fake_.inbox = "0123456789";
  fake_.eof = true;
  fake_.lower_piece = 4;
  std::string got;
  EXPECT_EQ(Drain(&got), STRATA_OK);
  EXPECT_EQ(got, "01234234" "56789");
}

TEST_F(FaultLayerTest, RefuseFailsTheConnectWithoutConnectingBelow) {
  ASSERT_EQ(Create(R"({"refuse": "ECONNREFUSED"})"), STRATA_OK);
  int done = 0;
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_E_CONNECT);
  EXPECT_EQ(done, 0);
  EXPECT_EQ(fake_.lower_connects, 0);
  EXPECT_NE(fake_.error_message.find("ECONNREFUSED"), std::string::npos) << fake_.error_message;
  EXPECT_NE(fake_.error_message.find("connection refused"), std::string::npos) << fake_.error_message;
  EXPECT_EQ(fake_.LogsContaining("refusing the connection with ECONNREFUSED"), 1);
}

TEST_F(FaultLayerTest, RefuseWithETimedOutIsATimeout) {
  ASSERT_EQ(Create(R"({"refuse": "ETIMEDOUT"})"), STRATA_OK);
  int done = 0;
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_E_TIMEOUT);
}

TEST_F(FaultLayerTest, OptionsAndRandomChoicesAreLoggedForReplay) {
  Open(R"({"seed": 9, "close_after_in": "random", "chunk": 2})");
  ASSERT_FALSE(fake_.logs.empty());
  EXPECT_NE(fake_.logs[0].find("hop 2: close_after_in="), std::string::npos) << fake_.logs[0];
  EXPECT_NE(fake_.logs[0].find("(random from seed 9: close_after_in="), std::string::npos) << fake_.logs[0];
  char buf[256];
  size_t len = sizeof(buf);
  ASSERT_EQ(vt_->query(self_, STRATA_QUERY_DESCRIBE, buf, &len), STRATA_OK);
  EXPECT_EQ(std::string(buf).rfind("fault(close_after_in=", 0), 0u) << buf;
}

TEST_F(FaultLayerTest, EveryFaultIsLoggedOnce) {
  Open(R"({"chunk": 1, "corrupt_in": "0:4"})");
  fake_.inbox = Body(50);
  std::string got;
  EXPECT_EQ(Drain(&got), STRATA_AGAIN);
  EXPECT_EQ(got.size(), 50u);
  EXPECT_EQ(fake_.LogsContaining("corrupting inbound"), 1);
  EXPECT_EQ(fake_.LogsContaining("handing inbound bytes up"), 1);
}

}  // namespace
