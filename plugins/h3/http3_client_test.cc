// Http3Client on hand-made server stream bytes (RFC 9114 frames, RFC 9204
// static-table field lines), with no QUIC: what the session layer hands the
// host for 1xx, trailers, limits and bad responses.
#include "plugins/h3/http3_client.h"

#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::h3 {
namespace {

// Frames: HEADERS with ":status: 200" (static index 25), "103" (24), a
// literal field "x-t: 1"; DATA "hello".
const std::string kControl("\x00\x04\x00", 3);
const std::string kHeaders200("\x01\x03\x00\x00\xd9", 5);
const std::string kHeaders103("\x01\x03\x00\x00\xd8", 5);
const std::string kData("\x00\x05hello", 7);
const std::string kTrailers("\x01\x08\x00\x00\x23x-t\x01" "1", 10);

struct Exchange {
  std::vector<int> statuses;
  std::string body;
  std::vector<std::pair<std::string, std::string>> trailers;
  bool ended = false;
  strata_status error = STRATA_OK;
  std::string message;
};

class Recorder : public Http3Client::Transport, public Http3Client::Exchanges {
 public:
  std::map<int64_t, uint64_t> credited;
  std::vector<std::pair<int64_t, uint64_t>> resets;
  std::string body_source;
  size_t body_at = 0;

  void Consumed(int64_t id, uint64_t bytes) override { credited[id] += bytes; }
  void ResetStream(int64_t id, uint64_t code) override { resets.emplace_back(id, code); }
  void StopReading(int64_t id, uint64_t code) override { stops.emplace_back(id, code); }
  void StopWriting(int64_t id, uint64_t code) override { stops.emplace_back(id, code); }
  std::vector<std::pair<int64_t, uint64_t>> stops;
  strata_status ReadBody(void*, uint8_t* buf, size_t cap, size_t* n, int* eos) override {
    *n = std::min(cap, body_source.size() - body_at);
    std::copy_n(body_source.data() + body_at, *n, buf);
    body_at += *n;
    *eos = body_at == body_source.size();
    return STRATA_OK;
  }
  strata_status Head(void* user, const strata_response_head& head) override {
    EXPECT_EQ(head.http_version, 30);
    static_cast<Exchange*>(user)->statuses.push_back(head.status);
    return STRATA_OK;
  }
  strata_status Data(void* user, const uint8_t* d, size_t n) override {
    static_cast<Exchange*>(user)->body.append(reinterpret_cast<const char*>(d), n);
    return STRATA_OK;
  }
  void End(void* user, const strata_header* t, size_t count) override {
    auto* x = static_cast<Exchange*>(user);
    for (size_t i = 0; i < count; ++i) {
      x->trailers.emplace_back(std::string(t[i].name, t[i].name_len), std::string(t[i].value, t[i].value_len));
    }
    x->ended = true;
  }
  void Error(void* user, strata_status status, const std::string& message) override {
    auto* x = static_cast<Exchange*>(user);
    x->error = status;
    x->message = message;
  }
};

class Http3ClientTest : public ::testing::Test {
 protected:
  Http3ClientTest() : client_(&rec_, &rec_, 200, "example.test:443") {
    EXPECT_TRUE(client_.Start(2, 6, 10).ok());
    EXPECT_EQ(Feed(3, kControl), 0);
  }
  int Feed(int64_t id, const std::string& bytes, bool fin = false) {
    return client_.Received(id, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), fin);
  }
  void Get(int64_t id, Exchange* x) {
    const strata_request_head head = {sizeof(strata_request_head), "GET", "https", "example.test", "/", nullptr, 0,
                                      0, STRATA_REQUEST_NO_BODY};
    ASSERT_TRUE(client_.Submit(id, head, x).ok());
  }
  // Sent collects what the client writes on each stream.
  std::map<int64_t, std::string> Sent() {
    std::map<int64_t, std::string> out;
    for (int i = 0; i < 64; ++i) {
      int64_t id = -1;
      int fin = 0;
      nghttp3_vec vec[16];
      int count = client_.NextData(&id, &fin, vec, 16);
      if (count < 0 || id < 0) break;
      size_t len = 0;
      for (int v = 0; v < count; ++v) {
        out[id].append(reinterpret_cast<const char*>(vec[v].base), vec[v].len);
        len += vec[v].len;
      }
      client_.Written(id, len);
    }
    return out;
  }

  Recorder rec_;
  Http3Client client_;
};

TEST_F(Http3ClientTest, Rfc9114_4_1_HeadBodyAndEnd) {
  Exchange x;
  Get(0, &x);
  std::map<int64_t, std::string> sent = Sent();
  ASSERT_TRUE(sent.count(0));
  EXPECT_EQ(sent[0][0], '\x01') << "a HEADERS frame opens the request stream";
  EXPECT_EQ(sent[2].substr(0, 2), std::string("\x00\x04", 2)) << "our control stream starts with SETTINGS";
  EXPECT_EQ(Feed(0, kHeaders200 + kData, true), 0);
  EXPECT_EQ(x.statuses, std::vector<int>({200}));
  EXPECT_EQ(x.body, "hello");
  EXPECT_TRUE(x.ended);
  EXPECT_EQ(x.error, STRATA_OK);
  EXPECT_EQ(rec_.credited[0], kHeaders200.size() + kData.size()) << "every byte is credited back";
}

TEST_F(Http3ClientTest, Rfc9114_4_1_InterimResponsesComeFirst) {
  Exchange x;
  Get(0, &x);
  EXPECT_EQ(Feed(0, kHeaders103 + kHeaders200 + kData, true), 0);
  EXPECT_EQ(x.statuses, std::vector<int>({103, 200}));
  EXPECT_TRUE(x.ended);
}

TEST_F(Http3ClientTest, Rfc9114_4_1_TrailersAreDeliveredWithTheEnd) {
  Exchange x;
  Get(0, &x);
  EXPECT_EQ(Feed(0, kHeaders200 + kData + kTrailers, true), 0);
  EXPECT_TRUE(x.ended);
  ASSERT_EQ(x.trailers.size(), 1u);
  EXPECT_EQ(x.trailers[0].first, "x-t");
  EXPECT_EQ(x.trailers[0].second, "1");
}

TEST_F(Http3ClientTest, AHeaderSectionOverTheLimitResetsTheStreamOnly) {
  Exchange x, y;
  Get(0, &x);
  Get(4, &y);
  // Ten literal fields of 20 bytes each: more than the 200 bytes allowed.
  std::string section("\x00\x00", 2);
  section += "\xd9";
  for (int i = 0; i < 10; ++i) section += std::string("\x23x-a\x0f", 5) + std::string(15, 'v');
  std::string frame = std::string("\x01", 1) + static_cast<char>(0x40 | (section.size() >> 8)) +
                      static_cast<char>(section.size() & 0xff) + section;
  EXPECT_EQ(Feed(0, frame), 0);
  EXPECT_EQ(x.error, STRATA_E_LIMIT);
  EXPECT_NE(x.message.find("exceeds max_header_bytes (200)"), std::string::npos) << x.message;
  ASSERT_FALSE(rec_.resets.empty());
  EXPECT_EQ(rec_.resets.back(), std::make_pair(int64_t{0}, uint64_t{NGHTTP3_H3_EXCESSIVE_LOAD}));
  EXPECT_EQ(Feed(4, kHeaders200 + kData, true), 0);
  EXPECT_TRUE(y.ended) << "the other stream is unaffected";
}

TEST_F(Http3ClientTest, AResponseWithoutStatusIsAMessageError) {
  Exchange x;
  Get(0, &x);
  // :authority (static index 0) instead of :status: nghttp3 refuses the
  // message and has QUIC reset the stream both ways with H3_MESSAGE_ERROR;
  // the host hears of it when QUIC closes the stream.
  EXPECT_EQ(Feed(0, std::string("\x01\x03\x00\x00\xc0", 5), true), 0);
  EXPECT_TRUE(x.statuses.empty());
  ASSERT_FALSE(rec_.stops.empty());
  EXPECT_EQ(rec_.stops.back().second, uint64_t{NGHTTP3_H3_MESSAGE_ERROR});
  EXPECT_EQ(client_.Closed(0, NGHTTP3_H3_MESSAGE_ERROR), 0);
  EXPECT_EQ(x.error, STRATA_E_STREAM_RESET);
  EXPECT_NE(x.message.find("H3_MESSAGE_ERROR (0x10e)"), std::string::npos) << x.message;
}

TEST_F(Http3ClientTest, Rfc9114_7_2_1_DataBeforeHeadersIsAConnectionError) {
  Exchange x;
  Get(0, &x);
  int rv = Feed(0, kData);
  ASSERT_LT(rv, 0);
  EXPECT_EQ(Http3Client::ErrorCode(rv), uint64_t{NGHTTP3_H3_FRAME_UNEXPECTED});
}

TEST_F(Http3ClientTest, AStreamClosedBeforeItsEndIsAnError) {
  Exchange x;
  Get(0, &x);
  EXPECT_EQ(Feed(0, kHeaders200), 0);
  EXPECT_EQ(client_.Closed(0, NGHTTP3_H3_REQUEST_CANCELLED), 0);
  EXPECT_EQ(x.error, STRATA_E_STREAM_RESET);
  EXPECT_NE(x.message.find("H3_REQUEST_CANCELLED (0x10c)"), std::string::npos) << x.message;
  EXPECT_EQ(client_.Open(), 0u);
}

TEST_F(Http3ClientTest, TheRequestBodyFollowsTheHead) {
  Exchange x;
  rec_.body_source = std::string(40000, 'b');
  const strata_request_head head = {sizeof(strata_request_head), "POST", "https", "example.test", "/up", nullptr, 0,
                                    40000, 0};
  ASSERT_TRUE(client_.Submit(0, head, &x).ok());
  std::map<int64_t, std::string> sent = Sent();
  EXPECT_GT(sent[0].size(), 40000u);
  EXPECT_NE(sent[0].find(std::string(1000, 'b')), std::string::npos);
  EXPECT_EQ(rec_.body_at, 40000u);
}

TEST_F(Http3ClientTest, GoawayStopsNewRequests) {
  EXPECT_FALSE(client_.goaway());
  EXPECT_EQ(Feed(3, std::string("\x07\x01\x00", 3)), 0);
  EXPECT_TRUE(client_.goaway());
}

}  // namespace
}  // namespace strata::h3
