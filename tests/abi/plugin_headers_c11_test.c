/* The plugin headers must compile as strict C11: C plugins get no C++ and no
 * GNU extensions. BUILD compiles this file with -std=c11 -pedantic -Werror
 * -Wall -Wextra; the checks below fail the build if those flags stop
 * reaching the C compiler.
 *
 * The headers are included by relative path on purpose: through the
 * //api targets (includes = ["."]) Bazel passes them with -isystem, and GCC
 * silences every warning in a system header, which would make this test
 * pass whatever the headers contain. Their include guards then keep the
 * -isystem copies from being read again. */
#if defined(__cplusplus)
#error "this file must be compiled as C"
#endif
#if !defined(__STDC_VERSION__) || __STDC_VERSION__ != 201112L
#error "expected -std=c11"
#endif
#if !defined(__STRICT_ANSI__)
#error "expected a strict ISO mode (-std=c11, not gnu11)"
#endif

#include "../../api/strata/status.h"
#include "../../api/strata/plugin.h"

/* Including again by the usual name must be harmless (include guards). */
#include "strata/plugin.h"

#include <string.h>

int main(void) {
  /* Use a few declarations so the compiler sees them in real expressions,
   * not just parses them. */
  strata_plugin_descriptor descriptor;
  memset(&descriptor, 0, sizeof(descriptor));
  descriptor.struct_size = sizeof(descriptor);
  descriptor.abi_major = STRATA_ABI_MAJOR;
  if (!STRATA_HAS_FIELD(&descriptor, strata_plugin_descriptor, deinit)) return 1;
  /* An older, shorter struct must not claim the newer field. */
  descriptor.struct_size = offsetof(strata_plugin_descriptor, init);
  if (STRATA_HAS_FIELD(&descriptor, strata_plugin_descriptor, init)) return 1;
  return strcmp(STRATA_PLUGIN_ENTRY_SYMBOL, "strata_plugin_entry") == 0 ? 0 : 1;
}
