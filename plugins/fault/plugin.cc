// The plugin's entry point: strata-fault.so provides one layer type,
// "fault", a byte-stream layer that may sit between any two layers.
#include "plugins/fault/fault_layer.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("fault", "0.1.0",
                  strata::sdk::StreamLayerType<strata::fault::FaultLayer>(
                      "fault", "injects faults (delays, rate caps, closes, resets, stalls, damage) into a byte stream"))
