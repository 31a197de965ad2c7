/*
 * strata/status.h — status codes shared by the client API and the plugin ABI.
 *
 * A status is a plain int32_t. 0 is success, STRATA_AGAIN (1) means "would
 * block, call again when the poll interest is met", and every error is a
 * negative number. Codes are explicit and never reused or renumbered; new codes
 * are only ever added. A code at or below STRATA_FATAL_BELOW means the object
 * that returned it is unusable and may only be destroyed.
 *
 * Pure C11, standard library only.
 */
#ifndef STRATA_STATUS_H_
#define STRATA_STATUS_H_

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t strata_status;

enum {
  STRATA_OK = 0,
  /* Would block: retry when the layer's poll interest is satisfied. */
  STRATA_AGAIN = 1,

  /* Caller errors: the call was wrong, nothing happened. */
  STRATA_E_INVALID_ARGUMENT = -1,
  STRATA_E_NO_MEMORY = -2,
  STRATA_E_UNSUPPORTED = -3, /* query/control id or option not known */
  STRATA_E_BUFFER_TOO_SMALL = -4,
  STRATA_E_STATE = -5, /* call not valid in the object's current state */

  /* Configuration and plugins. */
  STRATA_E_CONFIG = -20,        /* configuration invalid (message names the JSON path) */
  STRATA_E_PLUGIN_LOAD = -21,   /* dlopen or entry symbol failed */
  STRATA_E_PLUGIN_ABI = -22,    /* plugin ABI version not acceptable */
  STRATA_E_PLUGIN_INIT = -23,   /* plugin init() failed */
  STRATA_E_UNKNOWN_LAYER = -24, /* pipeline names a layer no plugin provides */
  STRATA_E_URL = -25,           /* URL malformed or scheme not allowed */

  /* Network and transport. */
  STRATA_E_RESOLVE = -40,       /* name resolution failed */
  STRATA_E_CONNECT = -41,       /* could not connect */
  STRATA_E_TIMEOUT = -42,       /* a wait exceeded its timeout */
  STRATA_E_IO = -43,            /* socket or file I/O error */
  STRATA_E_CLOSED = -44,        /* peer closed the connection unexpectedly */
  STRATA_E_TLS = -45,           /* TLS handshake or record failure */
  STRATA_E_TLS_VERIFY = -46,    /* certificate or host name verification failed */
  STRATA_E_PROXY = -47,         /* proxy refused or broke the tunnel */
  /* The trusted CA certificates (a TLS layer's ca_file / ca_path) could
   * not be read (curl's exit code 77). */
  STRATA_E_TLS_CA = -48,
  /* The peer's public key does not match the pinned one (curl's
   * --pinnedpubkey; its exit code 90). */
  STRATA_E_TLS_PINNED_KEY = -49,
  /* The local end could not be set up as asked: no such interface or
   * address to bind to, or no free local port in the range (curl's
   * --interface, --local-port; its exit code 45). */
  STRATA_E_LOCAL_BIND = -50,
  /* A policy (strata/plugin.h, "policies" in the configuration) refused
   * the hop; the message names the policy and its reason. */
  STRATA_E_POLICY_DENIED = -51,

  /* HTTP. */
  STRATA_E_PROTOCOL = -60,      /* peer violated the protocol (malformed message) */
  STRATA_E_TRUNCATED = -61,     /* response ended before its framing said it would */
  STRATA_E_LIMIT = -62,         /* peer exceeded a configured limit */
  STRATA_E_HTTP_STATUS = -63,   /* response status >= 400 and "fail" was asked */
  STRATA_E_REDIRECT = -64,      /* redirect refused by policy, loop or hop limit */
  STRATA_E_BODY = -65,          /* request body source or response sink failed */
  STRATA_E_CANCELLED = -66,     /* cancelled by the application */
  STRATA_E_STREAM_RESET = -67,  /* the peer reset the stream */
  /* The peer did not process the request (HTTP/2 GOAWAY above its last
   * stream id, or REFUSED_STREAM): it is safe to send it again. */
  STRATA_E_NOT_PROCESSED = -68,
  /* A resumed transfer (STRATA_OPT_RESUME_FROM) got a response that does
   * not continue where asked: a 200 (the server ignored the range) or a
   * 206 whose Content-Range starts elsewhere. No body byte was delivered. */
  STRATA_E_RANGE = -69,
  /* The response's Content-Encoding could not be undone: a coding this
   * build does not decode, or malformed or truncated compressed data
   * (STRATA_OPT_ACCEPT_ENCODING). The message names the coding. */
  STRATA_E_CONTENT_ENCODING = -70,

  STRATA_E_INTERNAL = -99,

  /* Errors at or below this value are fatal for the object reporting them. */
  STRATA_FATAL_BELOW = -40
};

#ifdef __cplusplus
}
#endif

#endif /* STRATA_STATUS_H_ */
