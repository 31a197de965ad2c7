// plugin.cc — strata-h2-upgrade.so: the "h2-upgrade" session layer type
// (upgrade_layer.h). It may multiplex once upgraded, so the runtime queues
// requests behind a connection being set up.
#include "plugins/h2_upgrade/upgrade_layer.h"
#include "strata/sdk.hpp"

STRATA_SDK_PLUGIN("h2-upgrade", "0.1.0",
                  strata::sdk::SessionLayerType<strata::h2::UpgradeLayer>(
                      "h2-upgrade", "HTTP/2 over cleartext via Upgrade: h2c, else HTTP/1.1",
                      STRATA_LAYER_FLAG_MULTIPLEX))
