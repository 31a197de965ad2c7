/* strata.h, the header FFI bindings and C applications include, must compile
 * as strict C11 (-std=c11 -pedantic -Werror -Wall -Wextra from BUILD).
 * Included by relative path so GCC does not treat it as a system header
 * and silence its warnings (see plugin_headers_c11_test.c). */
#if defined(__cplusplus) || !defined(__STRICT_ANSI__) || __STDC_VERSION__ != 201112L
#error "expected strict C11"
#endif

#include "../../api/strata/status.h"
#include "../../api/strata/strata.h"
#include "strata/strata.h"

#include <string.h>

int main(void) {
  strata_error error;
  memset(&error, 0, sizeof(error));
  error.struct_size = sizeof(error);
  return (error.message[0] == '\0' && STRATA_E_PLUGIN_ABI < 0) ? 0 : 1;
}
