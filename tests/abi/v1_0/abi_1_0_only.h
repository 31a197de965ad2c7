/* abi_1_0_only.h — force-included (-include) into the plugin built against
 * the frozen ABI 1.0 headers. The build fails if that compilation could see
 * the current api/ headers (a dependency slipped in) or if the headers it
 * does see are not ABI 1.0, so the test really loads a 1.0 plugin. */
#if __has_include("strata/strata.h") || __has_include("strata/sdk.hpp")
#error "the ABI 1.0 plugin must be built against tests/abi/v1_0 only, but api/ is on the include path"
#endif

#include "strata/plugin.h"

_Static_assert(STRATA_ABI_MAJOR == 1 && STRATA_ABI_MINOR == 0,
               "tests/abi/v1_0/strata must hold the ABI 1.0 headers");
