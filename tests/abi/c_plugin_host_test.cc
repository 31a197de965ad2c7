// Loads the C plugins with dlopen and drives the layer through a fake host,
// without the runtime: checks what the loader will see (one exported
// symbol, the descriptor's versions) and that the C layer forwards every
// call to the layer below through the host services.
#include <dlfcn.h>

#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "strata/plugin.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

std::string PluginPath(const std::string& name) {
  return RunfilePath("tests/abi/c_plugin/strata-" + name + ".so");
}

const strata_plugin_descriptor* LoadDescriptor(const std::string& name, void** out_handle) {
  void* handle = dlopen(PluginPath(name).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    ADD_FAILURE() << dlerror();
    return nullptr;
  }
  *out_handle = handle;
  auto entry = reinterpret_cast<strata_plugin_entry_fn>(dlsym(handle, STRATA_PLUGIN_ENTRY_SYMBOL));
  if (entry == nullptr) {
    ADD_FAILURE() << "no entry symbol in " << name;
    return nullptr;
  }
  return entry();
}

TEST(CPluginTest, DescriptorsClaimTheirVersions) {
  struct Case {
    const char* name;
    uint32_t major;
    uint32_t minor;
  } cases[] = {
      {"c-passthrough", STRATA_ABI_MAJOR, STRATA_ABI_MINOR},
      {"c-passthrough-wrong-major", STRATA_ABI_MAJOR + 1, STRATA_ABI_MINOR},
      {"c-passthrough-newer-minor", STRATA_ABI_MAJOR, STRATA_ABI_MINOR + 1},
  };
  for (const Case& c : cases) {
    void* handle = nullptr;
    const strata_plugin_descriptor* d = LoadDescriptor(c.name, &handle);
    ASSERT_NE(d, nullptr) << c.name;
    EXPECT_EQ(d->struct_size, sizeof(strata_plugin_descriptor));
    EXPECT_EQ(d->abi_major, c.major) << c.name;
    EXPECT_EQ(d->abi_minor, c.minor) << c.name;
    EXPECT_STREQ(d->name, "c-passthrough");
    ASSERT_EQ(d->layer_type_count, 1u);
    EXPECT_STREQ(d->layer_types[0]->name, "c-passthrough");
    EXPECT_EQ(d->layer_types[0]->kind, STRATA_LAYER_BYTE_STREAM);
    EXPECT_EQ(d->layer_types[0]->session, nullptr);
    ASSERT_NE(d->layer_types[0]->stream, nullptr);
    EXPECT_EQ(d->layer_types[0]->stream->struct_size, sizeof(strata_stream_layer_vtable));
    // Hidden visibility: the plugin's internals stay private.
    EXPECT_EQ(dlsym(handle, "pt_create"), nullptr);
    EXPECT_EQ(dlsym(handle, "g_host"), nullptr);
    dlclose(handle);
  }
}

// A fake host whose "layer below" is a pair of buffers.
struct FakeBelow {
  std::string sent;
  std::string to_receive;
  int connect_calls = 0;
  uint32_t last_poll_wants = 0;
  strata_status last_error = STRATA_OK;
  std::string last_message;
  std::string refuse_option;  // value option_get returns for "refuse"
};
FakeBelow* g_below = nullptr;
strata_layer_ctx* const kCtx = reinterpret_cast<strata_layer_ctx*>(0x1234);

strata_host_services MakeFakeHost() {
  strata_host_services h;
  std::memset(&h, 0, sizeof(h));
  h.struct_size = sizeof(h);
  h.abi_major = STRATA_ABI_MAJOR;
  h.abi_minor = STRATA_ABI_MINOR;
  h.set_error = [](strata_layer_ctx* ctx, strata_status st, const char* msg) {
    EXPECT_EQ(ctx, kCtx);
    g_below->last_error = st;
    g_below->last_message = msg;
  };
  h.option_get = [](strata_layer_ctx*, const char* key, char* out, size_t* len) -> strata_status {
    if (std::strcmp(key, "refuse") != 0 || g_below->refuse_option.empty()) return STRATA_E_UNSUPPORTED;
    std::memcpy(out, g_below->refuse_option.c_str(), g_below->refuse_option.size() + 1);
    *len = g_below->refuse_option.size() + 1;
    return STRATA_OK;
  };
  h.lower_connect = [](strata_layer_ctx* ctx, int* done) -> strata_status {
    EXPECT_EQ(ctx, kCtx);
    *done = ++g_below->connect_calls >= 2;  // needs two rounds, like a real connect
    return *done ? STRATA_OK : STRATA_AGAIN;
  };
  h.lower_send = [](strata_layer_ctx*, const uint8_t* d, size_t n, size_t* w) -> strata_status {
    size_t take = n > 3 ? 3 : n;  // short writes must be passed up unchanged
    g_below->sent.append(reinterpret_cast<const char*>(d), take);
    *w = take;
    return STRATA_OK;
  };
  h.lower_recv = [](strata_layer_ctx*, uint8_t* b, size_t cap, size_t* r) -> strata_status {
    if (g_below->to_receive.empty()) return STRATA_AGAIN;
    size_t take = std::min(cap, g_below->to_receive.size());
    std::memcpy(b, g_below->to_receive.data(), take);
    g_below->to_receive.erase(0, take);
    *r = take;
    return STRATA_OK;
  };
  h.lower_poll_interest = [](strata_layer_ctx*, uint32_t wants) -> uint32_t {
    g_below->last_poll_wants = wants;
    return STRATA_POLL_READ | STRATA_POLL_WRITE;
  };
  h.lower_data_pending = [](strata_layer_ctx*) -> int { return !g_below->to_receive.empty(); };
  h.lower_query = [](strata_layer_ctx*, uint32_t q, void* out, size_t* len) -> strata_status {
    if (q != STRATA_QUERY_PEER_ADDRESS) return STRATA_E_UNSUPPORTED;
    std::memcpy(out, "127.0.0.1:1", 12);
    *len = 12;
    return STRATA_OK;
  };
  h.lower_control = [](strata_layer_ctx*, uint32_t c, const void*, size_t) -> strata_status {
    return c == STRATA_CONTROL_IDLE ? STRATA_OK : STRATA_E_UNSUPPORTED;
  };
  return h;
}

class CPassthroughLayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_below = &below_;
    host_ = MakeFakeHost();
    descriptor_ = LoadDescriptor("c-passthrough", &handle_);
    ASSERT_NE(descriptor_, nullptr);
    ASSERT_EQ(descriptor_->init(&host_), STRATA_OK);
    vt_ = descriptor_->layer_types[0]->stream;
  }
  void TearDown() override {
    if (descriptor_ && descriptor_->deinit) descriptor_->deinit();
    if (handle_) dlclose(handle_);
    g_below = nullptr;
  }
  void* Create() {
    strata_layer_config config = {sizeof(config), "c-passthrough", "{}", "127.0.0.1", 1, 1};
    void* self = nullptr;
    EXPECT_EQ(vt_->create(kCtx, &config, &self), STRATA_OK);
    return self;
  }

  FakeBelow below_;
  strata_host_services host_;
  void* handle_ = nullptr;
  const strata_plugin_descriptor* descriptor_ = nullptr;
  const strata_stream_layer_vtable* vt_ = nullptr;
};

TEST_F(CPassthroughLayerTest, ForwardsEveryCallToTheLayerBelow) {
  void* self = Create();
  ASSERT_NE(self, nullptr);
  int done = 0;
  EXPECT_EQ(vt_->connect(self, &done), STRATA_AGAIN);
  EXPECT_EQ(vt_->connect(self, &done), STRATA_OK);
  EXPECT_EQ(done, 1);

  const uint8_t request[] = "GET / HTTP/1.1\r\n";
  size_t written = 0;
  EXPECT_EQ(vt_->send(self, request, sizeof(request) - 1, &written), STRATA_OK);
  EXPECT_EQ(written, 3u);  // the lower layer's short write, unchanged
  EXPECT_EQ(below_.sent, "GET");

  uint8_t buf[64];
  size_t got = 0;
  EXPECT_EQ(vt_->recv(self, buf, sizeof(buf), &got), STRATA_AGAIN);
  below_.to_receive = "HTTP/1.1 200 OK\r\n";
  EXPECT_NE(vt_->data_pending(self), 0);
  EXPECT_EQ(vt_->recv(self, buf, 4, &got), STRATA_OK);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), got), "HTTP");

  EXPECT_EQ(vt_->poll_interest(self, STRATA_POLL_READ), STRATA_POLL_READ | STRATA_POLL_WRITE);
  EXPECT_EQ(below_.last_poll_wants, static_cast<uint32_t>(STRATA_POLL_READ));
  EXPECT_EQ(vt_->control(self, STRATA_CONTROL_IDLE, nullptr, 0), STRATA_OK);

  char text[128];
  size_t len = sizeof(text);
  EXPECT_EQ(vt_->query(self, STRATA_QUERY_PEER_ADDRESS, text, &len), STRATA_OK);
  EXPECT_STREQ(text, "127.0.0.1:1");
  len = sizeof(text);
  ASSERT_EQ(vt_->query(self, STRATA_QUERY_DESCRIBE, text, &len), STRATA_OK);
  EXPECT_STREQ(text, "c-passthrough(sent=3, received=4)");
  EXPECT_EQ(len, std::strlen(text) + 1);
  size_t tiny = 4;
  EXPECT_EQ(vt_->query(self, STRATA_QUERY_DESCRIBE, text, &tiny), STRATA_E_BUFFER_TOO_SMALL);
  EXPECT_EQ(tiny, std::strlen("c-passthrough(sent=3, received=4)") + 1);

  done = 0;
  EXPECT_EQ(vt_->shutdown(self, &done), STRATA_OK);
  EXPECT_EQ(done, 1);
  vt_->destroy(self);
}

TEST_F(CPassthroughLayerTest, RefuseOptionFailsConnectWithAMessage) {
  below_.refuse_option = "true";
  void* self = Create();
  ASSERT_NE(self, nullptr);
  int done = 0;
  EXPECT_EQ(vt_->connect(self, &done), STRATA_E_CONNECT);
  EXPECT_EQ(below_.last_error, STRATA_E_CONNECT);
  EXPECT_NE(below_.last_message.find("refuse"), std::string::npos);
  EXPECT_EQ(below_.connect_calls, 0);
  vt_->destroy(self);
}

}  // namespace
}  // namespace strata::test
