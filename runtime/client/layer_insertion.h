// layer_insertion.h — a layer a request asks to have inserted into every
// hop's chain (STRATA_OPT_LAYER_ABOVE_BOTTOM), applied to a hop's plan after
// the planner chose its template: the layer goes just above the bottom
// (socket) layer, below everything else (a proxy's TLS and tunnel
// included), so `strata --fault` breaks the wire whatever the route.
#ifndef STRATA_RUNTIME_CLIENT_LAYER_INSERTION_H_
#define STRATA_RUNTIME_CLIENT_LAYER_INSERTION_H_

#include <string>

#include "runtime/client/hop_planner.h"

namespace strata {

// InsertAboveBottom puts layer type |layer| (options {}; the request's
// STRATA_OPT_LAYER_OPTIONS entry of that name is merged over them like any
// layer's) right above the bottom layer of |plan|'s pipeline, and makes
// the plan's fingerprint say so, so a pooled chain without it is never
// reused for it (nor the reverse). Nothing when |layer| is empty.
void InsertAboveBottom(const std::string& layer, HopPlan* plan);

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_LAYER_INSERTION_H_
