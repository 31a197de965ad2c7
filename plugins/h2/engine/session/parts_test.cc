#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "plugins/h2/engine/session/flow_control.h"
#include "plugins/h2/engine/session/message_checks.h"
#include "plugins/h2/engine/session/options.h"
#include "plugins/h2/engine/session/priority.h"
#include "plugins/h2/engine/session/ring_queue.h"
#include "plugins/h2/engine/session/token_bucket.h"

namespace strata::h2 {
namespace {

TEST(Priority, Rfc9218_4_ParsesUrgencyAndIncremental) {
  Priority p = ParsePriority("u=1, i");
  EXPECT_EQ(p.urgency, 1);
  EXPECT_TRUE(p.incremental);
  p = ParsePriority("i=?0, u=9, x=1");
  EXPECT_EQ(p.urgency, 3) << "out of range falls back";
  EXPECT_FALSE(p.incremental);
  p = ParsePriority("u=7;ext, i=?1");
  EXPECT_EQ(p.urgency, 7);
  EXPECT_TRUE(p.incremental);
}

TEST(FlowControl, ReceiveWindowUpdatesAtHalf) {
  ReceiveWindow w(1000, 1000);
  ASSERT_TRUE(w.Receive(400));
  EXPECT_EQ(w.Consume(400), 0u);
  ASSERT_TRUE(w.Receive(200));
  EXPECT_EQ(w.Consume(200), 600u);
  EXPECT_EQ(w.window(), 1000);
  EXPECT_FALSE(w.Receive(1001));
}

TEST(FlowControl, SendWindowLimits) {
  SendWindow w(65535);
  EXPECT_FALSE(w.Increase(0x7fffffff).ok());
  EXPECT_TRUE(w.Adjust(-100000).ok());
  EXPECT_LT(w.available(), 0);
}

TEST(TokenBucket, RefillsUpToBurst) {
  absl::Time t = absl::UnixEpoch();
  TokenBucket b(2, 1, t);
  EXPECT_TRUE(b.TryTake(t));
  EXPECT_TRUE(b.TryTake(t));
  EXPECT_FALSE(b.TryTake(t));
  EXPECT_EQ(b.NextTokenAt(t), t + absl::Seconds(1));
  EXPECT_TRUE(b.TryTake(t + absl::Seconds(1)));
}

TEST(MessageChecks, RequestHeads) {
  RequestInfo info;
  EXPECT_TRUE(CheckRequestHead({{":method", "HEAD"}, {":scheme", "https"}, {":path", "/"},
                                {"priority", "u=0"}},
                               &info)
                  .ok());
  EXPECT_TRUE(info.head);
  EXPECT_EQ(info.priority.urgency, 0);
  EXPECT_FALSE(CheckRequestHead({{":scheme", "https"}, {":path", "/"}}, &info).ok());
  EXPECT_FALSE(CheckRequestHead({{":method", "GET"}, {":scheme", "https"}, {":path", "/"},
                                 {"connection", "close"}},
                                &info)
                   .ok());
  EXPECT_FALSE(CheckRequestHead({{":method", "GET"}, {":scheme", "https"}, {":path", "/"},
                                 {"te", "gzip"}},
                                &info)
                   .ok());
  EXPECT_TRUE(CheckRequestHead({{":method", "CONNECT"}, {":authority", "h:443"}}, &info).ok());
}

// The lookup tables give, byte for byte, the rule §8.2.1 and RFC 9110 §5.5
// state (written out here as the branches the tables replaced).
TEST(MessageChecks, Rfc9113_8_2_1_FieldBytesEveryValue) {
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const bool name_ok = !(c <= 0x20 || c >= 0x7f || (c >= 'A' && c <= 'Z') || c == ':');
    EXPECT_EQ(IsValidFieldName(std::string(1, ch)), name_ok) << c;
    EXPECT_EQ(IsValidFieldName(std::string("x") + ch + "y"), name_ok) << c;
    const bool value_ok = !((c < 0x20 && c != '\t') || c == 0x7f);
    EXPECT_EQ(IsValidFieldValue(std::string("a") + ch + "b"), value_ok) << c;
    const bool edge_ok = value_ok && c != ' ' && c != '\t';
    EXPECT_EQ(IsValidFieldValue(std::string(1, ch) + "b"), edge_ok) << c;
    EXPECT_EQ(IsValidFieldValue(std::string("a") + ch), edge_ok) << c;
  }
  EXPECT_FALSE(IsValidFieldName(""));
  EXPECT_TRUE(IsValidFieldValue(""));
  // Values long enough for the word-at-a-time path: the byte at every
  // position of a 3-word value, against its neighbours' carries.
  for (int c : {0x00, 0x01, 0x09, 0x0a, 0x0d, 0x1f, 0x20, 0x21, 0x7e, 0x7f, 0x80, 0xff}) {
    const bool value_ok = !((c < 0x20 && c != '\t') || c == 0x7f);
    for (size_t pos = 1; pos + 1 < 24; ++pos) {
      for (char fill : {'a', '\x80', '\xff', ' '}) {
        std::string v(24, fill);
        v.front() = 'x';
        v.back() = 'y';
        v[pos] = static_cast<char>(c);
        EXPECT_EQ(IsValidFieldValue(v), value_ok) << c << " at " << pos << " in " << int(fill);
      }
    }
  }
}

TEST(MessageChecks, Rfc9113_8_2_2_ConnectionSpecificNames) {
  for (const char* n : {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                        "upgrade"}) {
    EXPECT_TRUE(IsConnectionSpecific(n)) << n;
  }
  for (const char* n : {"te", "connectio", "upgrades", "keep-alivf", "host", "", "content-length",
                        "transfer-encodinG"}) {
    EXPECT_FALSE(IsConnectionSpecific(n)) << n;
  }
}

TEST(RingQueue, FifoAcrossWrapAndGrowth) {
  RingQueue<int> q;
  int next_in = 0, next_out = 0;
  // Interleave pushes and pops so the ring wraps, then grow it while it is
  // wrapped: order must hold throughout.
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 11 + round * 9; ++i) q.push_back(next_in++);
    for (int i = 0; i < 7 + round * 3; ++i) {
      ASSERT_FALSE(q.empty());
      EXPECT_EQ(q.front(), next_out++);
      q.pop_front();
    }
  }
  EXPECT_EQ(q.size(), static_cast<size_t>(next_in - next_out));
  for (size_t i = 0; i < q.size(); ++i) EXPECT_EQ(q[i], next_out + static_cast<int>(i));
  while (!q.empty()) {
    EXPECT_EQ(q.front(), next_out++);
    q.pop_front();
  }
  EXPECT_EQ(next_out, next_in);
}

TEST(Options, Http2SettingsHeaderIsBase64UrlOfOurSettings) {
  SessionOptions o;
  std::string value = Http2SettingsHeaderValue(o);
  EXPECT_EQ(value.find('='), std::string::npos);
  EXPECT_EQ(value.find('+'), std::string::npos);
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(value, &payload));
  EXPECT_EQ(payload, SettingsPayload(LocalSettings(o)));
  EXPECT_EQ(payload.size() % 6, 0u);
}

}  // namespace
}  // namespace strata::h2
