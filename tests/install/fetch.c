/* fetch.c — the program a user writes against an installed strata: built by
 * tests/install/install_test.cc with nothing but
 * `cc fetch.c $(pkg-config --cflags --libs strata)`, it GETs the URL given
 * with the built-in configuration and writes the body to stdout. So it
 * proves the headers, the library, its soname link, the rpath and the
 * plugins' default location of an installation. */
#include <stdio.h>

#include "strata/strata.h"

int main(int argc, char** argv) {
  strata_error err = {.struct_size = sizeof err};
  strata_runtime* rt = NULL;
  strata_request* req = NULL;
  strata_response* resp = NULL;
  const uint8_t* body = NULL;
  size_t len = 0;
  int rc = 1;

  if (argc != 2) {
    fprintf(stderr, "usage: fetch URL\n");
    return 2;
  }
  /* NULL: the built-in configuration, whose plugins must be found where the
   * installation put them, next to libstrata.so. */
  if (strata_runtime_new(NULL, &rt, &err) != STRATA_OK) {
    fprintf(stderr, "runtime: %s\n", err.message);
    return 1;
  }
  if (strata_request_new("GET", argv[1], &req) != STRATA_OK) {
    fprintf(stderr, "bad URL %s\n", argv[1]);
  } else if (strata_fetch(rt, req, &resp, &err) != STRATA_OK) {
    fprintf(stderr, "fetch: %s\n", err.message);
  } else {
    strata_response_body(resp, &body, &len);
    fwrite(body, 1, len, stdout);
    fprintf(stderr, "status %d, %zu bytes, library %s\n", (int)strata_response_status(resp), len,
            strata_version());
    rc = strata_response_status(resp) == 200 ? 0 : 1;
    strata_response_free(resp);
  }
  strata_request_free(req);
  strata_runtime_free(rt);
  return rc;
}
