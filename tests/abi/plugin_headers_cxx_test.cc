// The plugin headers and the SDK must also compile as strict C++
// (-pedantic -Werror -Wall -Wextra) and give C linkage, so C++ plugins see
// the same ABI as C plugins. Included by relative path so GCC does not treat
// them as system headers and silence their warnings (see
// plugin_headers_c11_test.c).
#include <cstddef>
#include <type_traits>

#include "../../api/strata/status.h"
#include "../../api/strata/plugin.h"
#include "../../api/strata/sdk.hpp"

// Layout-compatible with C only if every ABI struct is standard layout and
// trivially copyable.
static_assert(std::is_standard_layout_v<strata_layer_config>);
static_assert(std::is_standard_layout_v<strata_header>);
static_assert(std::is_standard_layout_v<strata_request_head>);
static_assert(std::is_standard_layout_v<strata_response_head>);
static_assert(std::is_standard_layout_v<strata_host_services>);
static_assert(std::is_standard_layout_v<strata_stream_layer_vtable>);
static_assert(std::is_standard_layout_v<strata_session_layer_vtable>);
static_assert(std::is_standard_layout_v<strata_layer_type>);
static_assert(std::is_standard_layout_v<strata_plugin_descriptor>);
static_assert(std::is_trivially_copyable_v<strata_plugin_descriptor>);

// The entry function type matches what dlsym'd code casts to.
static_assert(std::is_same_v<decltype(&strata_plugin_entry), strata_plugin_entry_fn>);

// extern "C": the declared names are not mangled. A C++-linkage function
// type differs from the C one only in linkage, which the type system does
// not show, so check it through the symbol: a function defined here with C
// linkage must satisfy the header's declaration without a clash. (This file
// is a test program, not a plugin, so defining the entry here is harmless.)
extern "C" const strata_plugin_descriptor* strata_plugin_entry(void) { return nullptr; }

int main() { return strata_plugin_entry() == nullptr ? 0 : 1; }
