// Loads strata-tcp.so the way the runtime does (dlopen + entry symbol) and
// checks what only the built shared object can show: the descriptor is
// reachable through the one exported symbol, and a name lookup that is still
// running when the plugin is unloaded does not pull the code out from under
// its worker thread.
#include <dlfcn.h>

#include <chrono>
#include <thread>

#include "gtest/gtest.h"
#include "plugins/tcp/testing/fake_host.h"
#include "strata/plugin.h"

namespace strata::tcp {
namespace {

constexpr char kPluginPath[] = "plugins/tcp/strata-tcp.so";

TEST(PluginLoadTest, ExportsTheEntrySymbolAndDescribesTheTcpLayer) {
  void* handle = dlopen(kPluginPath, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto entry = reinterpret_cast<strata_plugin_entry_fn>(dlsym(handle, STRATA_PLUGIN_ENTRY_SYMBOL));
  ASSERT_NE(entry, nullptr);
  const strata_plugin_descriptor* d = entry();
  EXPECT_EQ(d->abi_major, static_cast<uint32_t>(STRATA_ABI_MAJOR));
  EXPECT_STREQ(d->name, "tcp");
  ASSERT_EQ(d->layer_type_count, 1u);
  EXPECT_STREQ(d->layer_types[0]->name, "tcp");
  EXPECT_STREQ(d->layer_types[0]->description, "TCP client with Happy Eyeballs");
  dlclose(handle);
}

TEST(PluginLoadTest, UnloadWhileResolvingKeepsTheWorkerSafe) {
  void* handle = dlopen(kPluginPath, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto entry = reinterpret_cast<strata_plugin_entry_fn>(dlsym(handle, STRATA_PLUGIN_ENTRY_SYMBOL));
  const strata_plugin_descriptor* d = entry();
  testing::FakeHost host;
  ASSERT_EQ(d->init(host.services()), STRATA_OK);
  const strata_stream_layer_vtable* vt = d->layer_types[0]->stream;

  strata_layer_config config{};
  config.struct_size = sizeof(config);
  config.layer_name = "tcp";
  config.options_json = "{}";
  config.host = "localhost";
  config.port = 9;
  config.hop = 1;
  void* self = nullptr;
  ASSERT_EQ(vt->create(host.ctx(), &config, &self), STRATA_OK);
  int done = 0;
  vt->connect(self, &done);
  vt->destroy(self);
  EXPECT_TRUE(host.watched().empty());
  d->deinit();
  dlclose(handle);

  // The plugin pinned itself when it started the lookup.
  void* still_loaded = dlopen(kPluginPath, RTLD_NOW | RTLD_NOLOAD);
  EXPECT_NE(still_loaded, nullptr);
  if (still_loaded != nullptr) dlclose(still_loaded);
  // Give an abandoned worker time to finish; a crash here is the failure.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

}  // namespace
}  // namespace strata::tcp
