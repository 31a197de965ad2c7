// The h2-upgrade layer through its C vtable against a fake host and a
// scripted server: the upgrade request, an accepted upgrade (RFC 7540
// §3.2), a declined one (HOSTILE 6) with the per-origin memory, and bad
// answers (HOSTILE 7, 63).
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugins/h2/engine/session/options.h"
#include "plugins/h2/layer/testing/fake_session_host.h"
#include "plugins/h2_upgrade/upgrade_layer.h"
#include "strata/plugin.h"

extern "C" const strata_plugin_descriptor* strata_plugin_entry(void);

namespace strata::h2 {
namespace {

using testing::ClientFrame;
using testing::FakeSessionHost;
using testing::Fields;
using testing::ScriptedServer;
using testing::StreamRecord;

constexpr char k101[] =
    "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";

class UpgradeLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DeclineMemory::Instance().Clear();
    desc_ = strata_plugin_entry();
    ASSERT_EQ(desc_->layer_type_count, 1u);
    ASSERT_STREQ(desc_->layer_types[0]->name, "h2-upgrade");
    ASSERT_TRUE(desc_->layer_types[0]->flags & STRATA_LAYER_FLAG_MULTIPLEX);
    vt_ = desc_->layer_types[0]->session;
    ASSERT_EQ(desc_->init(host_.services()), STRATA_OK);
  }
  void TearDown() override {
    Destroy();
    desc_->deinit();
  }
  void Destroy() {
    if (self_) vt_->destroy(self_);
    self_ = nullptr;
  }

  void CreateAndConnect() {
    strata_layer_config cfg{};
    cfg.struct_size = sizeof(cfg);
    cfg.layer_name = "h2-upgrade";
    cfg.options_json = "{}";
    cfg.host = "example.com";
    cfg.port = 80;
    cfg.hop = 1;
    ASSERT_EQ(vt_->create(host_.ctx(), &cfg, &self_), STRATA_OK);
    int done = 0;
    ASSERT_EQ(vt_->connect(self_, &done), STRATA_OK);
    ASSERT_EQ(done, 1);
  }

  strata_status Open(StreamRecord* r, const char* method = "GET", int64_t content_length = 0,
                     uint32_t* out_id = nullptr) {
    strata_request_head h{};
    h.struct_size = sizeof(h);
    h.method = method;
    h.scheme = "http";
    h.authority = "example.com";
    h.path = "/";
    h.content_length = content_length;
    h.flags = content_length == 0 ? STRATA_REQUEST_NO_BODY : 0;
    uint32_t id = 0;
    strata_status st = vt_->open_stream(self_, &h, r, &id);
    if (out_id) *out_id = id;
    return st;
  }

  // Run drives progress until |r| is finished or progress fails.
  strata_status Run(StreamRecord* r) {
    strata_status st = STRATA_OK;
    for (int i = 0; i < 20 && !r->done(); ++i) {
      st = vt_->progress(self_);
      if (st < 0) break;
    }
    return st;
  }

  std::string Describe() {
    char buf[256];
    size_t len = sizeof(buf);
    return vt_->query(self_, STRATA_QUERY_DESCRIBE, buf, &len) == STRATA_OK ? buf : "<error>";
  }
  int Version() {
    int v = 0;
    size_t len = sizeof(v);
    return vt_->query(self_, STRATA_QUERY_HTTP_VERSION, &v, &len) == STRATA_OK ? v : -1;
  }

  FakeSessionHost host_;
  const strata_plugin_descriptor* desc_ = nullptr;
  const strata_session_layer_vtable* vt_ = nullptr;
  void* self_ = nullptr;
};

TEST_F(UpgradeLayerTest, Rfc7540_3_2_FirstRequestAsksForH2c) {
  CreateAndConnect();
  StreamRecord r;
  ASSERT_EQ(Open(&r), STRATA_OK);
  ASSERT_GE(vt_->progress(self_), 0);
  const std::string expected_settings = Http2SettingsHeaderValue(SessionOptions());
  EXPECT_EQ(host_.sent,
            "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            "Upgrade: h2c\r\nHTTP2-Settings: " + expected_settings + "\r\n\r\n");
  EXPECT_EQ(vt_->capacity(self_), 0u);
  EXPECT_EQ(Describe(), "h2-upgrade (asking)");
}

TEST_F(UpgradeLayerTest, Rfc7540_3_2_AcceptedUpgradeAnswersOnStream1ThenMultiplexes) {
  CreateAndConnect();
  StreamRecord first;
  ASSERT_EQ(Open(&first), STRATA_OK);
  ASSERT_GE(vt_->progress(self_), 0);
  const size_t request_end = host_.sent.size();
  ScriptedServer server(&host_, request_end);
  // The 101, the server's preface and the response arrive in one read.
  server.Raw(k101);
  server.Settings({{kSettingsMaxConcurrentStreams, 10}});
  server.Headers(1, {{":status", "200"}, {"content-length", "2"}}, false);
  server.Data(1, "h2", true);
  ASSERT_GE(Run(&first), 0);
  ASSERT_TRUE(first.ended) << first.error_message;
  EXPECT_EQ(first.heads, std::vector<int>{200});  // the 101 is not delivered
  EXPECT_EQ(first.versions, std::vector<int>{20});
  EXPECT_EQ(first.body, "h2");
  EXPECT_TRUE(host_.LogHas("h2c upgrade accepted"));
  // After the 101 the client sent its own preface and SETTINGS.
  server.NewFrames();
  EXPECT_TRUE(server.SawPreface());
  EXPECT_EQ(Version(), 20);
  EXPECT_EQ(Describe().rfind("h2-upgrade (upgraded to h2", 0), 0u) << Describe();
  EXPECT_EQ(vt_->is_reusable(self_), 1);
  EXPECT_EQ(vt_->capacity(self_), 10u);

  StreamRecord second;
  uint32_t id = 0;
  ASSERT_EQ(Open(&second, "GET", 0, &id), STRATA_OK);
  EXPECT_EQ(id, 3u);
  ASSERT_GE(vt_->progress(self_), 0);
  std::vector<ClientFrame> frames = server.NewFrames();
  bool headers_on_3 = false;
  for (const ClientFrame& f : frames) headers_on_3 |= f.is(FrameType::kHeaders) && f.header.stream_id == 3;
  EXPECT_TRUE(headers_on_3);
  EXPECT_EQ(host_.sent.find("Upgrade: h2c", request_end), std::string::npos);
  server.Headers(3, {{":status", "204"}}, true);
  ASSERT_GE(Run(&second), 0);
  EXPECT_TRUE(second.ended);
}

TEST_F(UpgradeLayerTest, Rfc7540_3_2_HeadRequestKeepsHeadnessAfterTheUpgrade) {
  CreateAndConnect();
  StreamRecord r;
  ASSERT_EQ(Open(&r, "HEAD"), STRATA_OK);
  ASSERT_GE(vt_->progress(self_), 0);
  ScriptedServer server(&host_, host_.sent.size());
  server.Raw(k101);
  server.Settings();
  // A HEAD response announces a length but carries no DATA.
  server.Headers(1, {{":status", "200"}, {"content-length", "1000"}}, true);
  ASSERT_GE(Run(&r), 0);
  EXPECT_TRUE(r.ended) << r.error_message;
  EXPECT_EQ(r.body, "");
}

TEST_F(UpgradeLayerTest, Hostile6_IgnoredUpgradeStaysOnHttp11AndIsRemembered) {
  CreateAndConnect();
  StreamRecord first;
  ASSERT_EQ(Open(&first), STRATA_OK);
  ASSERT_GE(vt_->progress(self_), 0);
  host_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  ASSERT_GE(Run(&first), 0);
  EXPECT_TRUE(first.ended);
  EXPECT_EQ(first.versions, std::vector<int>{11});
  EXPECT_EQ(first.body, "ok");
  EXPECT_TRUE(host_.LogHas("h2c upgrade declined"));
  EXPECT_EQ(Describe(), "h2-upgrade (declined)");
  EXPECT_EQ(Version(), 11);
  ASSERT_EQ(vt_->is_reusable(self_), 1);
  ASSERT_EQ(vt_->capacity(self_), 1u);

  // Keep-alive: the next request goes out plainly on the same connection.
  host_.sent.clear();
  StreamRecord second;
  ASSERT_EQ(Open(&second), STRATA_OK);
  ASSERT_GE(vt_->progress(self_), 0);
  EXPECT_EQ(host_.sent, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
  host_.inbox += "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx";
  ASSERT_GE(Run(&second), 0);
  EXPECT_TRUE(second.ended);

  // A new connection to the same origin does not ask again.
  Destroy();
  host_.sent.clear();
  CreateAndConnect();
  StreamRecord third;
  ASSERT_EQ(Open(&third), STRATA_OK);
  ASSERT_GE(vt_->progress(self_), 0);
  EXPECT_EQ(host_.sent, "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_TRUE(host_.LogHas("declined it recently"));

  // ... until the memory expires.
  Destroy();
  host_.sent.clear();
  host_.now_ms += 3600000;
  CreateAndConnect();
  StreamRecord fourth;
  ASSERT_EQ(Open(&fourth), STRATA_OK);
  ASSERT_GE(vt_->progress(self_), 0);
  EXPECT_NE(host_.sent.find("Upgrade: h2c"), std::string::npos);
}

TEST_F(UpgradeLayerTest, DeclineMemoryZeroRemembersNothing) {
  host_.options["decline_memory_ms"] = "0";
  CreateAndConnect();
  StreamRecord first;
  ASSERT_EQ(Open(&first), STRATA_OK);
  host_.inbox = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  ASSERT_GE(Run(&first), 0);
  EXPECT_TRUE(host_.LogHas("h2c upgrade declined (the server answered 404)"));
  Destroy();
  host_.sent.clear();
  CreateAndConnect();
  StreamRecord second;
  ASSERT_EQ(Open(&second), STRATA_OK);
  ASSERT_GE(vt_->progress(self_), 0);
  EXPECT_NE(host_.sent.find("Upgrade: h2c"), std::string::npos);
}

TEST_F(UpgradeLayerTest, RequestWithBodySkipsTheUpgrade) {
  CreateAndConnect();
  StreamRecord r;
  r.body_pieces = {"abc"};
  ASSERT_EQ(Open(&r, "POST", 3), STRATA_OK);
  ASSERT_GE(vt_->progress(self_), 0);
  EXPECT_EQ(host_.sent, "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(Describe(), "h2-upgrade (HTTP/1.1, not asked)");
}

TEST_F(UpgradeLayerTest, Hostile7_101WithoutUpgradeH2cFails) {
  CreateAndConnect();
  StreamRecord r;
  ASSERT_EQ(Open(&r), STRATA_OK);
  host_.inbox = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
  EXPECT_EQ(Run(&r), STRATA_E_PROTOCOL);
  EXPECT_EQ(r.error, STRATA_E_PROTOCOL);
  EXPECT_NE(r.error_message.find("without \"Upgrade: h2c\""), std::string::npos) << r.error_message;
  EXPECT_EQ(host_.sent.find("PRI *"), std::string::npos);
  EXPECT_EQ(vt_->is_reusable(self_), 0);
}

TEST_F(UpgradeLayerTest, Hostile7_101WithoutAnyUpgradeFieldFails) {
  CreateAndConnect();
  StreamRecord r;
  ASSERT_EQ(Open(&r), STRATA_OK);
  host_.inbox = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
  EXPECT_EQ(Run(&r), STRATA_E_PROTOCOL);
  EXPECT_NE(r.error_message.find("no Upgrade field"), std::string::npos) << r.error_message;
}

TEST_F(UpgradeLayerTest, Hostile7_Http2StatusLineFails) {
  CreateAndConnect();
  StreamRecord r;
  ASSERT_EQ(Open(&r), STRATA_OK);
  host_.inbox = "HTTP/2 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n";
  EXPECT_EQ(Run(&r), STRATA_E_PROTOCOL);
  EXPECT_EQ(r.error, STRATA_E_PROTOCOL);
}

TEST_F(UpgradeLayerTest, Hostile7_101ThenSomethingOtherThanSettingsFails) {
  CreateAndConnect();
  StreamRecord r;
  ASSERT_EQ(Open(&r), STRATA_OK);
  ASSERT_GE(vt_->progress(self_), 0);
  ScriptedServer server(&host_, host_.sent.size());
  server.Raw(k101);
  server.Headers(1, {{":status", "200"}}, true);  // no SETTINGS first
  EXPECT_EQ(Run(&r), STRATA_E_PROTOCOL);
  EXPECT_EQ(r.error, STRATA_E_PROTOCOL);
  EXPECT_NE(r.error_message.find("not SETTINGS"), std::string::npos) << r.error_message;
  server.NewFrames();
  bool goaway = false;
  for (const ClientFrame& f : server.frames()) {
    goaway |= f.is(FrameType::kGoaway) && f.error_code() == 0x1;
  }
  EXPECT_TRUE(goaway);  // C-ERR PROTOCOL_ERROR
  EXPECT_EQ(r.final_callbacks, 1);
}

TEST_F(UpgradeLayerTest, Hostile7_101ThenHttp11BytesFails) {
  CreateAndConnect();
  StreamRecord r;
  ASSERT_EQ(Open(&r), STRATA_OK);
  host_.inbox = std::string(k101) + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(Run(&r), STRATA_E_PROTOCOL);
  EXPECT_EQ(r.error, STRATA_E_PROTOCOL);
}

TEST_F(UpgradeLayerTest, Hostile63_Unasked101IsAnError) {
  CreateAndConnect();
  StreamRecord r;
  r.body_pieces = {"x"};
  ASSERT_EQ(Open(&r, "POST", 1), STRATA_OK);  // a body: no upgrade asked
  host_.inbox = k101;
  EXPECT_EQ(Run(&r), STRATA_E_PROTOCOL);
  EXPECT_EQ(r.error, STRATA_E_PROTOCOL);
  EXPECT_NE(r.error_message.find("did not ask"), std::string::npos) << r.error_message;
}

}  // namespace
}  // namespace strata::h2
