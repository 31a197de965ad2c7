// The plugin's entry point: strata-policy-allowlist.so provides one policy,
// "policy-allowlist" (allowed origins and schemes per hop).
#include "plugins/policy_allowlist/allowlist_policy.h"
#include "strata/sdk.hpp"

STRATA_SDK_POLICY_PLUGIN("policy-allowlist", "0.1.0",
                         strata::sdk::PolicyType<strata::policy_allowlist::AllowlistPolicy>(
                             "policy-allowlist", "lets hops go only to listed origins and schemes"))
