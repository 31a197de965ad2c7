/* passthrough.c — a byte-stream layer written in plain C against api/ alone.
 *
 * It proves that the plugin ABI is usable without the C++ SDK: every hook
 * forwards to the layer below through the host services, counting bytes so
 * that STRATA_QUERY_DESCRIBE ("c-passthrough(sent=N, received=M)") shows the
 * bytes really crossed this layer. Option "refuse": true makes connect fail
 * with STRATA_E_CONNECT, so a test can see a C plugin's set_error message
 * reach the application.
 *
 * The same source builds the broken variants the loader must refuse:
 *   -DPASSTHROUGH_MAJOR_DELTA=1  claims abi_major = STRATA_ABI_MAJOR + 1
 *   -DPASSTHROUGH_MINOR_DELTA=1  claims a minor newer than the host's
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/plugin.h"

#ifndef PASSTHROUGH_MAJOR_DELTA
#define PASSTHROUGH_MAJOR_DELTA 0
#endif
#ifndef PASSTHROUGH_MINOR_DELTA
#define PASSTHROUGH_MINOR_DELTA 0
#endif

/* Set by init, valid until deinit (plugin.h). */
static const strata_host_services* g_host = NULL;

typedef struct passthrough {
  strata_layer_ctx* ctx;
  int refuse;
  unsigned long long sent;
  unsigned long long received;
} passthrough;

static strata_status pt_create(strata_layer_ctx* ctx, const strata_layer_config* config,
                               void** out_self) {
  passthrough* self;
  char value[16];
  size_t len = sizeof(value);
  (void)config;
  self = (passthrough*)calloc(1, sizeof(*self));
  if (self == NULL) {
    g_host->set_error(ctx, STRATA_E_NO_MEMORY, "c-passthrough: out of memory");
    return STRATA_E_NO_MEMORY;
  }
  self->ctx = ctx;
  /* Read the option through the host only if this host's table has it:
   * the struct_size rule applies to the host services too. */
  if (STRATA_HAS_FIELD(g_host, strata_host_services, option_get) &&
      g_host->option_get(ctx, "refuse", value, &len) == STRATA_OK) {
    self->refuse = strcmp(value, "true") == 0;
  }
  *out_self = self;
  return STRATA_OK;
}

static void pt_destroy(void* self) { free(self); }

static strata_status pt_connect(void* s, int* out_done) {
  passthrough* self = (passthrough*)s;
  if (self->refuse) {
    g_host->set_error(self->ctx, STRATA_E_CONNECT,
                      "c-passthrough refused to connect because its option \"refuse\" is true");
    return STRATA_E_CONNECT;
  }
  return g_host->lower_connect(self->ctx, out_done);
}

static strata_status pt_send(void* s, const uint8_t* data, size_t len, size_t* out_written) {
  passthrough* self = (passthrough*)s;
  strata_status st = g_host->lower_send(self->ctx, data, len, out_written);
  if (st == STRATA_OK) self->sent += *out_written;
  return st;
}

static strata_status pt_recv(void* s, uint8_t* buf, size_t cap, size_t* out_read) {
  passthrough* self = (passthrough*)s;
  strata_status st = g_host->lower_recv(self->ctx, buf, cap, out_read);
  if (st == STRATA_OK) self->received += *out_read;
  return st;
}

static uint32_t pt_poll_interest(void* s, uint32_t wants) {
  return g_host->lower_poll_interest(((passthrough*)s)->ctx, wants);
}

static int pt_data_pending(void* s) { return g_host->lower_data_pending(((passthrough*)s)->ctx); }

static strata_status pt_query(void* s, uint32_t query, void* out, size_t* inout_len) {
  passthrough* self = (passthrough*)s;
  if (query == STRATA_QUERY_DESCRIBE) {
    /* DESCRIBE is answered by each layer for itself, never passed down. */
    char text[128];
    int n = snprintf(text, sizeof(text), "c-passthrough(sent=%llu, received=%llu)", self->sent,
                     self->received);
    if (n < 0) return STRATA_E_INTERNAL;
    if (*inout_len < (size_t)n + 1) {
      *inout_len = (size_t)n + 1;
      return STRATA_E_BUFFER_TOO_SMALL;
    }
    memcpy(out, text, (size_t)n + 1);
    *inout_len = (size_t)n + 1;
    return STRATA_OK;
  }
  return g_host->lower_query(self->ctx, query, out, inout_len);
}

static strata_status pt_control(void* s, uint32_t control, const void* arg, size_t arg_len) {
  return g_host->lower_control(((passthrough*)s)->ctx, control, arg, arg_len);
}

static strata_status pt_shutdown(void* s, int* out_done) {
  /* Nothing of its own to close; the host shuts each layer down itself. */
  (void)s;
  *out_done = 1;
  return STRATA_OK;
}

static const strata_stream_layer_vtable kVtable = {
    sizeof(strata_stream_layer_vtable),
    pt_create,
    pt_destroy,
    pt_connect,
    pt_send,
    pt_recv,
    pt_poll_interest,
    pt_data_pending,
    pt_query,
    pt_control,
    pt_shutdown,
};

/* Designated initializers: fields appended in later ABI minors start at 0. */
static const strata_layer_type kPassthroughType = {
    .struct_size = sizeof(strata_layer_type),
    .name = "c-passthrough",
    .kind = STRATA_LAYER_BYTE_STREAM,
    .stream = &kVtable,
    .session = NULL,
    .description = "forwards bytes unchanged (ABI test plugin written in C)",
};

static const strata_layer_type* const kTypes[] = {&kPassthroughType};

static strata_status pt_init(const strata_host_services* host) {
  if (host == NULL || host->abi_major != STRATA_ABI_MAJOR) return STRATA_E_PLUGIN_ABI;
  g_host = host;
  return STRATA_OK;
}

static void pt_deinit(void) { g_host = NULL; }

/* Designated initializers: the same source builds against the frozen 1.0
 * headers and against later ones whose descriptor has grown (fields this
 * plugin does not name are zero). */
static const strata_plugin_descriptor kDescriptor = {
    .struct_size = sizeof(strata_plugin_descriptor),
    .abi_major = STRATA_ABI_MAJOR + PASSTHROUGH_MAJOR_DELTA,
    .abi_minor = STRATA_ABI_MINOR + PASSTHROUGH_MINOR_DELTA,
    .name = "c-passthrough",
    .version = "1.0.0",
    .layer_types = kTypes,
    .layer_type_count = sizeof(kTypes) / sizeof(kTypes[0]),
    .init = pt_init,
    .deinit = pt_deinit,
};

STRATA_PLUGIN_EXPORT const strata_plugin_descriptor* strata_plugin_entry(void) {
  return &kDescriptor;
}
