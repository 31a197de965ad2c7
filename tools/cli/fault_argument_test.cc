#include "tools/cli/fault_argument.h"

#include <gtest/gtest.h>

#include "nlohmann/json.hpp"

namespace strata::cli {
namespace {

TEST(FaultArgument, PairsBecomeTheLayersJsonOptions) {
  std::string json;
  ASSERT_TRUE(MergeFaultArgument("chunk=1,refuse=ECONNREFUSED,corrupt_in=10:4", &json).ok());
  nlohmann::json j = nlohmann::json::parse(json);
  EXPECT_EQ(j["chunk"], 1);
  EXPECT_EQ(j["refuse"], "ECONNREFUSED");
  EXPECT_EQ(j["corrupt_in"], "10:4");
}

TEST(FaultArgument, RepeatedOptionsAddUpAndALaterKeyWins) {
  std::string json;
  ASSERT_TRUE(MergeFaultArgument("chunk=1,read_delay_ms=5", &json).ok());
  ASSERT_TRUE(MergeFaultArgument("chunk=3", &json).ok());
  nlohmann::json j = nlohmann::json::parse(json);
  EXPECT_EQ(j["chunk"], 3);
  EXPECT_EQ(j["read_delay_ms"], 5);
}

TEST(FaultArgument, BigSeedsStayExact) {
  std::string json;
  ASSERT_TRUE(MergeFaultArgument("seed=18446744073709551615,close_after_in=random", &json).ok());
  EXPECT_EQ(nlohmann::json::parse(json)["seed"].get<uint64_t>(), 18446744073709551615ULL);
}

TEST(FaultArgument, BadInputIsRefusedAndLeavesTheOptionsAlone) {
  std::string json;
  ASSERT_TRUE(MergeFaultArgument("chunk=2", &json).ok());
  const std::string before = json;
  struct Case {
    const char* arg;
    const char* needle;
  } cases[] = {
      {"chunks=1", "unknown fault option 'chunks'"},
      {"chunk", "'chunk' is not KEY=VALUE"},
      {"chunk=", "'chunk=' is not KEY=VALUE"},
      {"=1", "'=1' is not KEY=VALUE"},
      {"", "expects KEY=VALUE"},
      {"chunk=1,,rate_in=5", "'' is not KEY=VALUE"},
      {"rate_in=fast", "'rate_in'"},
      {"refuse=ENOPE", "'refuse'"},
      {"close_after_in=random", "no seed"},
  };
  for (const Case& c : cases) {
    absl::Status st = MergeFaultArgument(c.arg, &json);
    ASSERT_FALSE(st.ok()) << c.arg;
    EXPECT_NE(st.message().find(c.needle), std::string::npos) << c.arg << ": " << st.message();
    EXPECT_EQ(json, before);
  }
}

}  // namespace
}  // namespace strata::cli
