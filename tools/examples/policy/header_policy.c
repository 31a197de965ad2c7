/*
 * header_policy.c — an example strata policy plugin in plain C11, built with
 * nothing but strata's public headers (strata/plugin.h, strata/status.h).
 *
 * It shows the three things a policy can answer about a hop:
 *   - deny:  "deny_method": "DELETE" refuses every hop with that method;
 *   - amend: "add_header": "X-Policy: amended" adds that field to each hop;
 *            "use_pipeline": "NAME" builds each hop with that template;
 *            "strip_cross_origin": true strips credentials from a hop whose
 *            origin differs from the hop before it (a redirect elsewhere);
 *   - look:  "log_headers": true writes each request field it is shown to
 *            the hop's trace (credentials arrive redacted);
 *   - allow: anything else goes through untouched.
 * Options are a flat JSON object with those keys (string values, and true or
 * false); any other key is refused, so a typo is not silently ignored.
 * The option reader below handles exactly that shape: a real plugin would
 * use a JSON library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strata/plugin.h"

typedef struct header_policy {
  char header_name[128];
  char header_value[512];
  char deny_method[32];
  char pipeline[64];
  int strip_cross_origin;
  int log_headers;
} header_policy;

/* next_token reads one JSON string ("...") or bare word (true/false) at *p
 * into out (cap bytes); returns 1, or 0 on malformed input. */
static int next_token(const char** p, char* out, size_t cap) {
  const char* s = *p;
  size_t n = 0;
  while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r') s++;
  if (*s == '"') {
    s++;
    while (*s && *s != '"') {
      if (*s == '\\' && s[1]) s++; /* keep the escaped character as is */
      if (n + 1 >= cap) return 0;
      out[n++] = *s++;
    }
    if (*s != '"') return 0;
    s++;
  } else {
    while (*s >= 'a' && *s <= 'z') {
      if (n + 1 >= cap) return 0;
      out[n++] = *s++;
    }
    if (n == 0) return 0;
  }
  out[n] = '\0';
  *p = s;
  return 1;
}

static int expect(const char** p, char c) {
  while (**p == ' ' || **p == '\n' || **p == '\t' || **p == '\r') (*p)++;
  if (**p != c) return 0;
  (*p)++;
  return 1;
}

static void fail(char* error, size_t cap, const char* message) {
  if (cap > 0) snprintf(error, cap, "%s", message);
}

/* copy_in copies |value| into |out| (cap bytes); 0 if it does not fit. */
static int copy_in(char* out, size_t cap, const char* value) {
  size_t n = strlen(value);
  if (n >= cap) return 0;
  memcpy(out, value, n + 1);
  return 1;
}

static strata_status create(const char* options_json, void** out_self, char* error, size_t error_cap) {
  header_policy* self = calloc(1, sizeof(*self));
  const char* p = options_json;
  char key[64], value[640];
  int first = 1;
  if (!self) return STRATA_E_NO_MEMORY;
  if (!expect(&p, '{')) goto malformed;
  while (!expect(&p, '}')) {
    if (!first && !expect(&p, ',')) goto malformed;
    first = 0;
    if (!next_token(&p, key, sizeof(key)) || !expect(&p, ':') || !next_token(&p, value, sizeof(value))) goto malformed;
    if (strcmp(key, "add_header") == 0) {
      const char* colon = strchr(value, ':');
      if (!colon || colon == value || (size_t)(colon - value) >= sizeof(self->header_name)) {
        fail(error, error_cap, "add_header must be \"Name: value\"");
        free(self);
        return STRATA_E_CONFIG;
      }
      memcpy(self->header_name, value, (size_t)(colon - value));
      colon++;
      while (*colon == ' ') colon++;
      if (!copy_in(self->header_value, sizeof(self->header_value), colon)) goto too_long;
    } else if (strcmp(key, "deny_method") == 0) {
      if (!copy_in(self->deny_method, sizeof(self->deny_method), value)) goto too_long;
    } else if (strcmp(key, "use_pipeline") == 0) {
      if (!copy_in(self->pipeline, sizeof(self->pipeline), value)) goto too_long;
    } else if (strcmp(key, "strip_cross_origin") == 0) {
      self->strip_cross_origin = strcmp(value, "true") == 0;
    } else if (strcmp(key, "log_headers") == 0) {
      self->log_headers = strcmp(value, "true") == 0;
    } else {
      snprintf(error, error_cap, "unknown option '%s' (expected add_header, deny_method, use_pipeline, strip_cross_origin, log_headers)", key);
      free(self);
      return STRATA_E_CONFIG;
    }
  }
  *out_self = self;
  return STRATA_OK;
too_long:
  fail(error, error_cap, "an option's value is too long");
  free(self);
  return STRATA_E_CONFIG;
malformed:
  fail(error, error_cap, "options must be a flat JSON object of strings and booleans");
  free(self);
  return STRATA_E_CONFIG;
}

static void destroy(void* self) { free(self); }

/* origin_length: how much of |url| is "scheme://authority". */
static size_t origin_length(const char* url) {
  const char* rest = strstr(url, "://");
  if (!rest) return strlen(url);
  rest += 3;
  return (size_t)(rest - url) + strcspn(rest, "/?#");
}

static strata_status check_hop(void* p, const strata_policy_hop* hop, const strata_policy_actions* act) {
  header_policy* self = p;
  char line[256];
  if (self->log_headers) {
    size_t i;
    for (i = 0; i < hop->header_count; ++i) {
      snprintf(line, sizeof(line), "sees %.*s: %.*s", (int)hop->headers[i].name_len, hop->headers[i].name,
               (int)hop->headers[i].value_len, hop->headers[i].value);
      act->log(act->host_self, STRATA_LOG_INFO, line);
    }
  }
  if (self->deny_method[0] && strcmp(hop->method, self->deny_method) == 0) {
    snprintf(line, sizeof(line), "method %s is not allowed by header-policy", hop->method);
    act->deny(act->host_self, 0, line);
    return STRATA_OK;
  }
  if (self->header_name[0]) {
    strata_status st = act->add_header(act->host_self, self->header_name, self->header_value);
    if (st != STRATA_OK) return st;
    snprintf(line, sizeof(line), "added %s to hop %d", self->header_name, (int)hop->hop);
    act->log(act->host_self, STRATA_LOG_INFO, line);
  }
  if (self->pipeline[0]) {
    strata_status st = act->use_pipeline(act->host_self, self->pipeline);
    if (st != STRATA_OK) return st;
  }
  if (self->strip_cross_origin && hop->previous_url) {
    size_t a = origin_length(hop->url), b = origin_length(hop->previous_url);
    if (a != b || strncmp(hop->url, hop->previous_url, a) != 0) return act->strip_credentials(act->host_self);
  }
  return STRATA_OK;
}

static const strata_policy_vtable kVtable = {
    sizeof(strata_policy_vtable), create, destroy, check_hop, NULL,
};

static const strata_policy_type kType = {
    sizeof(strata_policy_type), "header-policy", &kVtable,
    "adds a request field, refuses a method, strips credentials across origins",
};

static const strata_policy_type* const kTypes[] = {&kType};

static const strata_plugin_descriptor kDescriptor = {
    sizeof(strata_plugin_descriptor),
    STRATA_ABI_MAJOR,
    STRATA_ABI_MINOR,
    "header-policy",
    "1.0.0",
    NULL,
    0,
    NULL,
    NULL,
    kTypes,
    1,
};

STRATA_PLUGIN_EXPORT const strata_plugin_descriptor* strata_plugin_entry(void) { return &kDescriptor; }
