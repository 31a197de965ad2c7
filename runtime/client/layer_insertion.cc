#include "runtime/client/layer_insertion.h"

#include "absl/strings/str_cat.h"

namespace strata {

void InsertAboveBottom(const std::string& layer, HopPlan* plan) {
  if (layer.empty()) return;
  PipelineSpec pipeline = plan->pipeline();
  pipeline.layers.insert(pipeline.layers.begin() + 1,
                         LayerSpec{layer, nlohmann::json::object(), "/request/layer_above_bottom"});
  plan->composed = std::move(pipeline);
  absl::StrAppend(&plan->fingerprint, "\nabove_bottom=", layer);
}

}  // namespace strata
