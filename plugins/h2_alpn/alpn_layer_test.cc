// The h2-alpn and h2 layer types through their C vtables against a fake
// host and a scripted HTTP/2 server: protocol choice (HOSTILE 2), request
// conversion, responses, errors and their mapping, bodies, options.
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugins/h2/engine/frames/error_code.h"
#include "plugins/h2/layer/testing/fake_session_host.h"
#include "strata/plugin.h"

extern "C" const strata_plugin_descriptor* strata_plugin_entry(void);

namespace strata::h2 {
namespace {

using testing::ClientFrame;
using testing::FakeSessionHost;
using testing::Fields;
using testing::ScriptedServer;
using testing::StreamRecord;

strata_header Hdr(const char* name, const char* value) {
  return strata_header{name, std::strlen(name), value, std::strlen(value)};
}

class AlpnLayer : public ::testing::Test {
 protected:
  void SetUp() override {
    desc_ = strata_plugin_entry();
    ASSERT_EQ(desc_->layer_type_count, 2u);
    ASSERT_EQ(desc_->init(host_.services()), STRATA_OK);
  }
  void TearDown() override {
    if (self_) vt_->destroy(self_);
    desc_->deinit();
  }

  const strata_layer_type* Type(const std::string& name) {
    for (size_t i = 0; i < desc_->layer_type_count; ++i) {
      if (name == desc_->layer_types[i]->name) return desc_->layer_types[i];
    }
    return nullptr;
  }

  strata_status Create(const std::string& layer = "h2-alpn") {
    const strata_layer_type* type = Type(layer);
    EXPECT_NE(type, nullptr);
    EXPECT_EQ(type->kind, STRATA_LAYER_SESSION);
    EXPECT_TRUE(type->flags & STRATA_LAYER_FLAG_MULTIPLEX);
    vt_ = type->session;
    strata_layer_config cfg{};
    cfg.struct_size = sizeof(cfg);
    cfg.layer_name = type->name;
    cfg.options_json = "{}";
    cfg.host = "example.com";
    cfg.port = 443;
    cfg.hop = 1;
    return vt_->create(host_.ctx(), &cfg, &self_);
  }

  // ConnectH2 creates the layer with ALPN h2 and completes the handshake
  // with the server's |settings|.
  void ConnectH2(const std::vector<Setting>& settings = {}, const std::string& layer = "h2-alpn") {
    host_.alpn = "h2";
    ASSERT_EQ(Create(layer), STRATA_OK);
    int done = 0;
    ASSERT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);  // waits for the server's SETTINGS
    EXPECT_EQ(done, 0);
    server_.NewFrames();
    ASSERT_TRUE(server_.SawPreface());
    server_.Settings(settings);
    server_.SettingsAck();
    ASSERT_EQ(vt_->connect(self_, &done), STRATA_OK);
    ASSERT_EQ(done, 1);
    server_.NewFrames();
  }

  strata_status Open(StreamRecord* r, const char* method = "GET", const char* path = "/",
                     std::vector<strata_header> headers = {}, int64_t content_length = 0,
                     uint32_t* out_id = nullptr) {
    strata_request_head h{};
    h.struct_size = sizeof(h);
    h.method = method;
    h.scheme = "https";
    h.authority = "example.com";
    h.path = path;
    h.headers = headers.data();
    h.header_count = headers.size();
    h.content_length = content_length;
    h.flags = content_length == 0 ? STRATA_REQUEST_NO_BODY : 0;
    uint32_t id = 0;
    strata_status st = vt_->open_stream(self_, &h, r, &id);
    if (out_id) *out_id = id;
    return st;
  }

  strata_status Progress() { return vt_->progress(self_); }

  std::string QueryText(uint32_t q) {
    char buf[256];
    size_t len = sizeof(buf);
    if (vt_->query(self_, q, buf, &len) != STRATA_OK) return "<error>";
    return std::string(buf);
  }
  int QueryInt(uint32_t q) {
    int v = 0;
    size_t len = sizeof(v);
    return vt_->query(self_, q, &v, &len) == STRATA_OK ? v : -1;
  }

  // FramesOf returns the client frames of |type| seen so far.
  std::vector<ClientFrame> FramesOf(FrameType type) {
    server_.NewFrames();
    std::vector<ClientFrame> out;
    for (const ClientFrame& f : server_.frames()) {
      if (f.is(type)) out.push_back(f);
    }
    return out;
  }

  FakeSessionHost host_;
  ScriptedServer server_{&host_};
  const strata_plugin_descriptor* desc_ = nullptr;
  const strata_session_layer_vtable* vt_ = nullptr;
  void* self_ = nullptr;
};

const Fields kOk = {{":status", "200"}, {"content-type", "text/plain"}};

TEST_F(AlpnLayer, Rfc9113_3_2_AlpnH2SpeaksHttp2) {
  ConnectH2({{kSettingsMaxConcurrentStreams, 5}});
  EXPECT_TRUE(host_.LogHas("ALPN: h2", STRATA_LOG_INFO));
  EXPECT_EQ(vt_->capacity(self_), 5u);
  EXPECT_EQ(QueryInt(STRATA_QUERY_HTTP_VERSION), 20);
  StreamRecord r;
  uint32_t id = 0;
  ASSERT_EQ(Open(&r, "GET", "/a?b", {Hdr("User-Agent", "t"), Hdr("Connection", "keep-alive")}, 0, &id),
            STRATA_OK);
  EXPECT_EQ(id, 1u);
  EXPECT_EQ(vt_->capacity(self_), 4u);
  ASSERT_GE(Progress(), 0);
  std::vector<ClientFrame> headers = FramesOf(FrameType::kHeaders);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_TRUE(headers[0].header.has(flags::kEndStream));
  EXPECT_EQ(headers[0].fields, (Fields{{":method", "GET"},
                                       {":scheme", "https"},
                                       {":authority", "example.com"},
                                       {":path", "/a?b"},
                                       {"user-agent", "t"}}));
  server_.Headers(1, {{":status", "200"}, {"content-length", "5"}}, false);
  server_.Data(1, "hel", false);
  server_.Data(1, "lo", false);
  server_.Headers(1, {{"x-sum", "42"}}, true);
  ASSERT_GE(Progress(), 0);
  ASSERT_TRUE(r.ended) << r.error_message;
  EXPECT_EQ(r.heads, std::vector<int>{200});
  EXPECT_EQ(r.versions, std::vector<int>{20});
  EXPECT_EQ(r.fields, (Fields{{"content-length", "5"}}));
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.trailers, (Fields{{"x-sum", "42"}}));
  EXPECT_EQ(r.final_callbacks, 1);
  EXPECT_EQ(vt_->is_reusable(self_), 1);
  EXPECT_EQ(vt_->capacity(self_), 5u);
  EXPECT_EQ(vt_->poll_interest(self_) & STRATA_POLL_READ, uint32_t{STRATA_POLL_READ});
  EXPECT_EQ(QueryText(STRATA_QUERY_DESCRIBE).rfind("h2", 0), 0u);
}

TEST_F(AlpnLayer, Hostile2_NoAlpnSpeaksHttp11AndNeverSendsThePreface) {
  host_.alpn = "";
  ASSERT_EQ(Create(), STRATA_OK);
  int done = 0;
  ASSERT_EQ(vt_->connect(self_, &done), STRATA_OK);
  ASSERT_EQ(done, 1);
  EXPECT_TRUE(host_.LogHas("ALPN: none, using HTTP/1.1"));
  EXPECT_EQ(QueryInt(STRATA_QUERY_HTTP_VERSION), 11);
  StreamRecord r;
  ASSERT_EQ(Open(&r), STRATA_OK);
  host_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  for (int i = 0; i < 10 && !r.done(); ++i) ASSERT_GE(Progress(), 0);
  EXPECT_TRUE(r.ended);
  EXPECT_EQ(r.versions, std::vector<int>{11});
  EXPECT_EQ(host_.sent.rfind("GET / HTTP/1.1\r\n", 0), 0u) << host_.sent;
  EXPECT_EQ(host_.sent.find("PRI * HTTP/2.0"), std::string::npos);
  EXPECT_EQ(vt_->is_reusable(self_), 1);
  EXPECT_EQ(QueryText(STRATA_QUERY_DESCRIBE), "h1 (ALPN fallback)");
}

TEST_F(AlpnLayer, AlpnHttp11AndUnknownProtocolsFallBackToHttp11) {
  for (const char* alpn : {"http/1.1", "spdy/3"}) {
    host_.alpn = alpn;
    host_.sent.clear();
    ASSERT_EQ(Create(), STRATA_OK);
    int done = 0;
    ASSERT_EQ(vt_->connect(self_, &done), STRATA_OK);
    StreamRecord r;
    ASSERT_EQ(Open(&r), STRATA_OK);
    ASSERT_GE(Progress(), 0);
    EXPECT_EQ(host_.sent.rfind("GET / HTTP/1.1\r\n", 0), 0u) << alpn;
    vt_->destroy(self_);
    self_ = nullptr;
  }
  EXPECT_TRUE(host_.LogHas("ALPN: http/1.1, using HTTP/1.1"));
  EXPECT_TRUE(host_.LogHas("ALPN: spdy/3 is not supported, using HTTP/1.1"));
}

TEST_F(AlpnLayer, Rfc9113_3_3_PriorKnowledgeSkipsAlpn) {
  host_.alpn_known = false;  // cleartext tcp below
  host_.options["prior_knowledge"] = "true";
  ASSERT_EQ(Create(), STRATA_OK);
  int done = 0;
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  EXPECT_EQ(host_.alpn_queries, 0);
  EXPECT_EQ(host_.sent.rfind("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0), 0u);
  vt_->destroy(self_);
  self_ = nullptr;
  host_.options.clear();
  host_.sent.clear();
  // The "h2" layer type always has prior knowledge.
  ASSERT_EQ(Create("h2"), STRATA_OK);
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  EXPECT_EQ(host_.sent.rfind("PRI * HTTP/2.0", 0), 0u);
}

TEST_F(AlpnLayer, PriorKnowledgeAgainstAnHttp11ServerFailsClearly) {
  host_.options["prior_knowledge"] = "true";
  ASSERT_EQ(Create(), STRATA_OK);
  host_.inbox = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
  int done = 0;
  EXPECT_EQ(vt_->connect(self_, &done), STRATA_E_PROTOCOL);
  EXPECT_NE(host_.error_message.find("setup failed"), std::string::npos) << host_.error_message;
  EXPECT_NE(host_.error_message.find("not SETTINGS"), std::string::npos) << host_.error_message;
}

TEST_F(AlpnLayer, ServerResetMapsToStreamResetNamingTheCode) {
  ConnectH2();
  StreamRecord a, b;
  ASSERT_EQ(Open(&a), STRATA_OK);
  ASSERT_EQ(Open(&b), STRATA_OK);
  ASSERT_GE(Progress(), 0);
  server_.Rst(1, static_cast<uint32_t>(ErrorCode::kInternalError));
  server_.Headers(3, kOk, true);
  ASSERT_GE(Progress(), 0);
  EXPECT_EQ(a.error, STRATA_E_STREAM_RESET);
  EXPECT_NE(a.error_message.find("INTERNAL_ERROR"), std::string::npos) << a.error_message;
  EXPECT_TRUE(b.ended);  // the other stream is unaffected
  EXPECT_EQ(vt_->is_reusable(self_), 1);
}

TEST_F(AlpnLayer, RefusedStreamAndGoawayAreNotProcessed) {
  ConnectH2();
  StreamRecord a, b, c;
  ASSERT_EQ(Open(&a), STRATA_OK);
  ASSERT_EQ(Open(&b), STRATA_OK);
  ASSERT_EQ(Open(&c), STRATA_OK);
  ASSERT_GE(Progress(), 0);
  server_.Rst(1, static_cast<uint32_t>(ErrorCode::kRefusedStream));
  server_.Goaway(3, 0);
  ASSERT_GE(Progress(), 0);
  EXPECT_EQ(a.error, STRATA_E_NOT_PROCESSED);
  EXPECT_EQ(c.error, STRATA_E_NOT_PROCESSED);  // above last-stream-id 3
  EXPECT_FALSE(b.done());  // 3 is still being processed
  EXPECT_EQ(vt_->is_reusable(self_), 0);
  EXPECT_EQ(vt_->capacity(self_), 0u);
  EXPECT_TRUE(host_.LogHas("server sent GOAWAY"));
  server_.Headers(3, kOk, true);
  ASSERT_GE(Progress(), 0);
  EXPECT_TRUE(b.ended);
}

TEST_F(AlpnLayer, ConnectionErrorFailsEveryStreamAndProgress) {
  ConnectH2();
  StreamRecord a, b;
  ASSERT_EQ(Open(&a), STRATA_OK);
  ASSERT_EQ(Open(&b), STRATA_OK);
  ASSERT_GE(Progress(), 0);
  server_.Data(0, "x", false);  // DATA on stream 0: connection PROTOCOL_ERROR
  EXPECT_EQ(Progress(), STRATA_E_PROTOCOL);
  EXPECT_NE(host_.error_message.find("PROTOCOL_ERROR"), std::string::npos) << host_.error_message;
  EXPECT_EQ(a.error, STRATA_E_PROTOCOL);
  EXPECT_EQ(b.error, STRATA_E_PROTOCOL);
  std::vector<ClientFrame> goaway = FramesOf(FrameType::kGoaway);
  ASSERT_EQ(goaway.size(), 1u);
  EXPECT_EQ(goaway[0].error_code(), static_cast<uint32_t>(ErrorCode::kProtocolError));
  EXPECT_EQ(vt_->is_reusable(self_), 0);
  EXPECT_EQ(vt_->poll_interest(self_), 0u);
  EXPECT_EQ(Progress(), STRATA_E_PROTOCOL);  // stays dead
}

TEST_F(AlpnLayer, EnhanceYourCalmIsALimit) {
  ConnectH2();
  StreamRecord a;
  ASSERT_EQ(Open(&a), STRATA_OK);
  std::vector<Setting> many(33, Setting{kSettingsHeaderTableSize, 4096});
  server_.Settings(many);  // more entries than the engine accepts
  EXPECT_EQ(Progress(), STRATA_E_LIMIT);
  EXPECT_EQ(a.error, STRATA_E_LIMIT);
  EXPECT_NE(a.error_message.find("ENHANCE_YOUR_CALM"), std::string::npos) << a.error_message;
}

TEST_F(AlpnLayer, ConnectionEndingMidResponseIsClosed) {
  ConnectH2();
  StreamRecord a;
  ASSERT_EQ(Open(&a), STRATA_OK);
  ASSERT_GE(Progress(), 0);
  server_.Headers(1, {{":status", "200"}}, false);
  server_.Data(1, "par", false);
  host_.eof = true;
  EXPECT_EQ(Progress(), STRATA_E_CLOSED);
  EXPECT_EQ(a.error, STRATA_E_CLOSED);
  EXPECT_EQ(a.body, "par");
}

TEST_F(AlpnLayer, UploadFollowsTheBodySourceIncludingAgain) {
  ConnectH2();
  StreamRecord r;
  r.body_pieces = {"hel", "", "lo world"};
  ASSERT_EQ(Open(&r, "POST", "/up", {Hdr("Content-Type", "text/plain")}, 11), STRATA_OK);
  ASSERT_GE(Progress(), 0);  // "hel", then AGAIN
  ASSERT_GE(Progress(), 0);  // resumed: the rest
  std::vector<ClientFrame> headers = FramesOf(FrameType::kHeaders);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_FALSE(headers[0].header.has(flags::kEndStream));
  EXPECT_EQ(headers[0].fields.back(), (std::pair<std::string, std::string>{"content-length", "11"}));
  std::string uploaded;
  bool end = false;
  for (const ClientFrame& f : FramesOf(FrameType::kData)) {
    uploaded += f.payload;
    end = f.header.has(flags::kEndStream);
  }
  EXPECT_EQ(uploaded, "hello world");
  EXPECT_TRUE(end);
  server_.Headers(1, {{":status", "201"}}, true);
  ASSERT_GE(Progress(), 0);
  EXPECT_TRUE(r.ended);
}

TEST_F(AlpnLayer, BodyLongerThanDeclaredIsABodyError) {
  ConnectH2();
  StreamRecord r;
  r.body_pieces = {"too long"};
  ASSERT_EQ(Open(&r, "POST", "/", {}, 3), STRATA_OK);
  ASSERT_GE(Progress(), 0);
  EXPECT_EQ(r.error, STRATA_E_BODY);
  EXPECT_NE(r.error_message.find("declared"), std::string::npos);
  std::vector<ClientFrame> rst = FramesOf(FrameType::kRstStream);
  ASSERT_EQ(rst.size(), 1u);
  EXPECT_EQ(rst[0].error_code(), static_cast<uint32_t>(ErrorCode::kCancel));
  EXPECT_EQ(vt_->is_reusable(self_), 1);
}

TEST_F(AlpnLayer, ApplicationAbortResetsOnlyThatStream) {
  ConnectH2();
  StreamRecord r;
  r.data_rc = STRATA_E_LIMIT;
  ASSERT_EQ(Open(&r), STRATA_OK);
  ASSERT_GE(Progress(), 0);
  server_.Headers(1, kOk, false);
  server_.Data(1, "x", false);
  ASSERT_GE(Progress(), 0);
  EXPECT_EQ(r.error, STRATA_E_LIMIT);
  EXPECT_EQ(r.final_callbacks, 1);
  std::vector<ClientFrame> rst = FramesOf(FrameType::kRstStream);
  ASSERT_EQ(rst.size(), 1u);
  EXPECT_EQ(rst[0].error_code(), static_cast<uint32_t>(ErrorCode::kCancel));
  EXPECT_EQ(vt_->is_reusable(self_), 1);
  server_.Data(1, "late", true);  // in flight before our RST: ignored
  ASSERT_GE(Progress(), 0);
  EXPECT_EQ(r.final_callbacks, 1);
}

TEST_F(AlpnLayer, CancelStreamSendsRstCancel) {
  ConnectH2();
  StreamRecord r;
  uint32_t id = 0;
  ASSERT_EQ(Open(&r, "GET", "/", {}, 0, &id), STRATA_OK);
  ASSERT_GE(Progress(), 0);
  ASSERT_EQ(vt_->cancel_stream(self_, id), STRATA_OK);
  ASSERT_GE(Progress(), 0);
  std::vector<ClientFrame> rst = FramesOf(FrameType::kRstStream);
  ASSERT_EQ(rst.size(), 1u);
  EXPECT_EQ(rst[0].header.stream_id, id);
  EXPECT_EQ(rst[0].error_code(), static_cast<uint32_t>(ErrorCode::kCancel));
  EXPECT_EQ(r.final_callbacks, 0);
}

TEST_F(AlpnLayer, OptionsShapeOurSettings) {
  host_.options["initial_window_size"] = "1048576";
  host_.options["max_concurrent_streams"] = "2";
  ConnectH2({{kSettingsMaxConcurrentStreams, 50}});
  EXPECT_EQ(vt_->capacity(self_), 2u);  // ours is lower than the server's
  std::vector<ClientFrame> settings = FramesOf(FrameType::kSettings);
  ASSERT_FALSE(settings.empty());
  const std::string& p = settings[0].payload;
  bool window = false, streams = false;
  for (size_t i = 0; i + 6 <= p.size(); i += 6) {
    const auto* b = reinterpret_cast<const uint8_t*>(p.data()) + i;
    uint16_t id = static_cast<uint16_t>((b[0] << 8) | b[1]);
    uint32_t v = (uint32_t{b[2]} << 24) | (uint32_t{b[3]} << 16) | (uint32_t{b[4]} << 8) | b[5];
    window |= id == kSettingsInitialWindowSize && v == 1048576;
    streams |= id == kSettingsMaxConcurrentStreams && v == 2;
  }
  EXPECT_TRUE(window);
  EXPECT_TRUE(streams);
}

TEST_F(AlpnLayer, BadOptionsFailCreate) {
  host_.options["enable_push"] = "true";
  EXPECT_EQ(Create(), STRATA_E_CONFIG);
  EXPECT_NE(host_.error_message.find("push"), std::string::npos);
  host_.options.clear();
  host_.options["initial_window_size"] = "0";
  EXPECT_EQ(Create(), STRATA_E_CONFIG);
  EXPECT_NE(host_.error_message.find("initial_window_size"), std::string::npos);
  host_.options.clear();
  host_.options["prior_knowledge"] = "\"yes\"";
  EXPECT_EQ(Create(), STRATA_E_CONFIG);
}

TEST_F(AlpnLayer, SettingsTimeoutWakesTheHostAndFails) {
  host_.options["settings_timeout_ms"] = "100";
  host_.alpn = "h2";
  ASSERT_EQ(Create(), STRATA_OK);
  int done = 0;
  ASSERT_EQ(vt_->connect(self_, &done), STRATA_AGAIN);
  server_.Settings();  // but never an ACK of ours
  ASSERT_EQ(vt_->connect(self_, &done), STRATA_OK);
  ASSERT_EQ(done, 1);
  EXPECT_EQ(host_.wake_at, 1100u);
  host_.now_ms = 1100;
  EXPECT_EQ(Progress(), STRATA_E_TIMEOUT);
  EXPECT_NE(host_.error_message.find("SETTINGS_TIMEOUT"), std::string::npos) << host_.error_message;
}

// Frames are described only when trace_frames asks for it (strata -v):
// describing every frame would cost more than handling it.
TEST_F(AlpnLayer, FramesAreTracedOnlyWithTraceFrames) {
  ConnectH2();
  EXPECT_FALSE(host_.LogHas("recv SETTINGS frame", STRATA_LOG_DEBUG));
  EXPECT_FALSE(host_.LogHas("send SETTINGS frame", STRATA_LOG_DEBUG));
  EXPECT_FALSE(host_.LogHas("send SETTINGS frame", STRATA_LOG_INFO));
  vt_->destroy(self_);
  self_ = nullptr;
  host_.logs.clear();
  host_.options["trace_frames"] = "true";
  ASSERT_EQ(Create(), STRATA_OK);
  int done = 0;
  vt_->connect(self_, &done);
  EXPECT_TRUE(host_.LogHas("send SETTINGS frame", STRATA_LOG_INFO));
}

}  // namespace
}  // namespace strata::h2
