// Bad configurations through the public C API: each must fail at
// strata_runtime_new with its own status and a message that tells the user
// what to fix (which plugin, which file, where in the JSON).
#include <regex>
#include <string>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

std::string Plugins(const std::string& list) {
  return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "], \"plugins\": " + list + "}";
}

// The good configuration must work, or the failures below prove nothing.
TEST(ConfigErrorsTest, BaselineConfigurationLoads) {
  RuntimeResult rt = MakeRuntime(DefaultTestConfig());
  EXPECT_EQ(rt.status, STRATA_OK) << rt.error.message;
  EXPECT_NE(rt.runtime, nullptr);
}

TEST(ConfigErrorsTest, UnknownPluginName) {
  RuntimeResult rt = MakeRuntime(Plugins("[\"tcp\", \"h1\", \"no-such-plugin\"]"));
  EXPECT_EQ(rt.status, STRATA_E_PLUGIN_LOAD) << rt.error.message;
  EXPECT_EQ(rt.runtime, nullptr);
  EXPECT_EQ(rt.error.code, STRATA_E_PLUGIN_LOAD);
  std::string message = rt.error.message;
  EXPECT_NE(message.find("no-such-plugin"), std::string::npos) << message;
  // It says where it looked, so the user can fix plugin_dirs.
  EXPECT_NE(message.find(DistPluginDir()), std::string::npos) << message;
}

TEST(ConfigErrorsTest, MissingPluginFile) {
  std::string path = TestTmpDir() + "/nowhere/strata-missing.so";
  RuntimeResult rt = MakeRuntime(Plugins("[\"tcp\", \"h1\", {\"path\": " + JsonString(path) + "}]"));
  EXPECT_EQ(rt.status, STRATA_E_PLUGIN_LOAD) << rt.error.message;
  EXPECT_EQ(rt.runtime, nullptr);
  EXPECT_NE(std::string(rt.error.message).find(path), std::string::npos) << rt.error.message;
}

TEST(ConfigErrorsTest, FileThatIsNotAPlugin) {
  // A file that exists but is no shared object: dlopen fails, and the
  // message must name the file (not just echo dlerror).
  std::string path = MakeTempDir("notplugin-") + "/strata-fake.so";
  WriteFileOrDie(path, "this is not an ELF file\n");
  RuntimeResult rt = MakeRuntime(Plugins("[\"tcp\", \"h1\", {\"path\": " + JsonString(path) + "}]"));
  EXPECT_EQ(rt.status, STRATA_E_PLUGIN_LOAD) << rt.error.message;
  EXPECT_NE(std::string(rt.error.message).find(path), std::string::npos) << rt.error.message;
}

TEST(ConfigErrorsTest, MalformedJsonNamesLineAndColumn) {
  // The error is on line 3: a trailing comma before the closing bracket.
  RuntimeResult rt = MakeRuntime("{\n  \"plugins\": [\"tcp\",\n    \"h1\", ]\n}\n");
  EXPECT_EQ(rt.status, STRATA_E_CONFIG) << rt.error.message;
  EXPECT_EQ(rt.runtime, nullptr);
  std::string message = rt.error.message;
  std::regex line_col(R"((line\s*3\D[^0-9]*\d+)|(\b3:\d+\b))", std::regex::icase);
  EXPECT_TRUE(std::regex_search(message, line_col))
      << "message must name line 3 and a column: " << message;
}

TEST(ConfigErrorsTest, WrongTypeNamesTheJsonPath) {
  RuntimeResult rt = MakeRuntime(
      "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) +
      "], \"plugins\": [\"tcp\", \"h1\"], \"timeouts\": {\"connect_ms\": \"soon\"}}");
  EXPECT_EQ(rt.status, STRATA_E_CONFIG) << rt.error.message;
  EXPECT_NE(std::string(rt.error.message).find("/timeouts/connect_ms"), std::string::npos)
      << rt.error.message;
}

TEST(ConfigErrorsTest, PipelineNamingAnUnknownLayer) {
  RuntimeResult rt = MakeRuntime(
      DefaultTestConfig("", "[\"tcp\", \"no-such-layer\", \"h1\"]"));
  EXPECT_EQ(rt.status, STRATA_E_UNKNOWN_LAYER) << rt.error.message;
  EXPECT_EQ(rt.runtime, nullptr);
  std::string message = rt.error.message;
  EXPECT_NE(message.find("no-such-layer"), std::string::npos) << message;
  EXPECT_NE(message.find("/pipelines/http/1"), std::string::npos) << message;
}

TEST(ConfigErrorsTest, ConfigFileThatDoesNotExist) {
  std::string path = TestTmpDir() + "/no-such-config.json";
  strata_runtime* rt = nullptr;
  strata_error error = NewError();
  strata_status st = strata_runtime_new_from_file(path.c_str(), &rt, &error);
  RuntimePtr owned(rt);
  EXPECT_LT(st, 0);
  EXPECT_EQ(rt, nullptr);
  EXPECT_NE(std::string(error.message).find(path), std::string::npos) << error.message;
}

TEST(ConfigErrorsTest, ConfigFromFileLoads) {
  std::string path = MakeTempDir("config-") + "/strata.json";
  WriteFileOrDie(path, DefaultTestConfig());
  strata_runtime* rt = nullptr;
  strata_error error = NewError();
  EXPECT_EQ(strata_runtime_new_from_file(path.c_str(), &rt, &error), STRATA_OK) << error.message;
  strata_runtime_free(rt);
}

}  // namespace
}  // namespace strata::test
