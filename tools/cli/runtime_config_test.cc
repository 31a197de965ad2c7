#include "tools/cli/runtime_config.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace strata::cli {
namespace {

TEST(RuntimeConfig, NothingGivenIsAnEmptyObject) {
  auto text = BuildRuntimeConfig(std::nullopt, "", {});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "{}");
}

TEST(RuntimeConfig, FileWithoutPluginDirsPassesThroughVerbatim) {
  std::string file = "{ \"pipelines\": {\"http\": [\"tcp\", \"h1\"]} }";
  auto text = BuildRuntimeConfig(file, "c.json", {});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, file);
}

TEST(RuntimeConfig, PluginDirsCreateTheArray) {
  auto text = BuildRuntimeConfig(std::nullopt, "", {"/a", "/b"});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(nlohmann::json::parse(*text),
            nlohmann::json::parse(R"({"plugin_dirs": ["/a", "/b"]})"));
}

TEST(RuntimeConfig, PluginDirsAppendAfterTheFilesAndKeepOtherKeys) {
  auto text = BuildRuntimeConfig(
      R"({"plugin_dirs": ["/etc"], "x": {"y": 1}})", "c.json", {"/a"});
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(nlohmann::json::parse(*text),
            nlohmann::json::parse(
                R"({"plugin_dirs": ["/etc", "/a"], "x": {"y": 1}})"));
}

TEST(RuntimeConfig, ShapeErrorsNameTheFile) {
  auto bad_json = BuildRuntimeConfig("{", "c.json", {"/a"});
  ASSERT_FALSE(bad_json.ok());
  EXPECT_NE(bad_json.status().message().find("c.json"), std::string::npos);
  EXPECT_FALSE(BuildRuntimeConfig("[]", "c.json", {"/a"}).ok());
  auto not_array =
      BuildRuntimeConfig(R"({"plugin_dirs": "/x"})", "c.json", {"/a"});
  ASSERT_FALSE(not_array.ok());
  EXPECT_NE(not_array.status().message().find("/plugin_dirs"),
            std::string::npos);
}

}  // namespace
}  // namespace strata::cli
