// The plugin's entry point: strata-policy-pin.so provides one policy,
// "policy-pin" (public-key pinning after each TLS handshake).
#include "plugins/policy_pin/pin_policy.h"
#include "strata/sdk.hpp"

STRATA_SDK_POLICY_PLUGIN("policy-pin", "0.1.0",
                         strata::sdk::PolicyType<strata::policy_pin::PinPolicy>(
                             "policy-pin", "refuses a TLS peer whose public key matches none of its host's pins"))
