// strata.h must compile as strict C++ too (C++ applications and the CLI).
// Included by relative path so its warnings are not silenced as a system
// header's (see plugin_headers_c11_test.c).
#include "../../api/strata/status.h"
#include "../../api/strata/strata.h"

#include <type_traits>

static_assert(std::is_standard_layout_v<strata_error>);
static_assert(std::is_standard_layout_v<strata_event>);
static_assert(std::is_trivially_copyable_v<strata_error>);

int main() { return STRATA_E_PLUGIN_ABI < 0 ? 0 : 1; }
