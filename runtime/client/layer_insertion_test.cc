#include "runtime/client/layer_insertion.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

PipelineSpec Pipeline(std::vector<std::string> names) {
  PipelineSpec p;
  p.name = "https";
  for (const std::string& n : names) p.layers.push_back(LayerSpec{n, nlohmann::json::object(), "/pipelines/https"});
  return p;
}

std::vector<std::string> Names(const HopPlan& plan) {
  std::vector<std::string> out;
  for (const LayerSpec& l : plan.pipeline().layers) out.push_back(l.layer);
  return out;
}

TEST(LayerInsertion, GoesRightAboveTheBottomLayer) {
  PipelineSpec configured = Pipeline({"tcp", "tls", "h2-alpn"});
  HopPlan plan;
  plan.configured = &configured;
  plan.fingerprint = "fp";
  InsertAboveBottom("fault", &plan);
  EXPECT_EQ(Names(plan), (std::vector<std::string>{"tcp", "fault", "tls", "h2-alpn"}));
  EXPECT_EQ(plan.pipeline().name, "https");
  EXPECT_EQ(plan.pipeline().layers[1].json_path, "/request/layer_above_bottom");
  EXPECT_EQ(plan.fingerprint, "fp\nabove_bottom=fault");
  // The configured template itself is untouched.
  EXPECT_EQ(configured.layers.size(), 3u);
}

TEST(LayerInsertion, BelowAProxysTunnelToo) {
  HopPlan plan;
  plan.composed = Pipeline({"tcp", "connect-tunnel", "tls", "h1"});
  InsertAboveBottom("fault", &plan);
  EXPECT_EQ(Names(plan), (std::vector<std::string>{"tcp", "fault", "connect-tunnel", "tls", "h1"}));
}

TEST(LayerInsertion, NothingWhenNoneIsAsked) {
  PipelineSpec configured = Pipeline({"tcp", "h1"});
  HopPlan plan;
  plan.configured = &configured;
  plan.fingerprint = "fp";
  InsertAboveBottom("", &plan);
  EXPECT_FALSE(plan.composed);
  EXPECT_EQ(plan.fingerprint, "fp");
}

}  // namespace
}  // namespace strata
