/* layout_test.c — pins the plugin ABI and client API v1 for x86_64 Linux.
 *
 * Every value here is part of the ABI that compiled plugins and FFI bindings
 * depend on. If one of these assertions fails, the change breaks binary
 * compatibility: add a field at the end instead, add a new id instead of
 * renumbering, or bump STRATA_ABI_MAJOR and update this file on purpose.
 * The function-pointer and function signatures are pinned with _Generic so
 * that a changed parameter type fails here too, not just a changed size. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "strata/plugin.h"
#include "strata/status.h"
#include "strata/strata.h"

#if !defined(__x86_64__) || !defined(__LP64__)
#error "layout_test pins the x86_64 LP64 layout"
#endif

#define PIN_SIZE(type, size) _Static_assert(sizeof(type) == (size), "sizeof(" #type ") changed")
#define PIN_OFFSET(type, field, off) \
  _Static_assert(offsetof(type, field) == (off), "offsetof(" #type ", " #field ") changed")
#define PIN_VALUE(name, value) _Static_assert((name) == (value), #name " changed")
/* PIN_FIELD_TYPE: the field has exactly the given (function pointer) type. */
#define PIN_FIELD_TYPE(type, field, ...) \
  _Static_assert(_Generic(((type*)0)->field, __VA_ARGS__: 1, default: 0), \
                 "type of " #type "." #field " changed")
#define PIN_FUNCTION(fn, ...) \
  _Static_assert(_Generic(&fn, __VA_ARGS__: 1, default: 0), "signature of " #fn " changed")

/* ---- versions -------------------------------------------------------- */
PIN_VALUE(STRATA_ABI_MAJOR, 1);
PIN_VALUE(STRATA_ABI_MINOR, 3);  /* 1.1: policies, STRATA_QUERY_TLS_PEER_CHAIN; 1.2: CONNECT tunnels; 1.3: datagram batches (GSO) */

/* ---- status codes ---------------------------------------------------- */
_Static_assert(sizeof(strata_status) == 4, "strata_status is int32_t");
PIN_VALUE(STRATA_OK, 0);
PIN_VALUE(STRATA_AGAIN, 1);
PIN_VALUE(STRATA_E_INVALID_ARGUMENT, -1);
PIN_VALUE(STRATA_E_NO_MEMORY, -2);
PIN_VALUE(STRATA_E_UNSUPPORTED, -3);
PIN_VALUE(STRATA_E_BUFFER_TOO_SMALL, -4);
PIN_VALUE(STRATA_E_STATE, -5);
PIN_VALUE(STRATA_E_CONFIG, -20);
PIN_VALUE(STRATA_E_PLUGIN_LOAD, -21);
PIN_VALUE(STRATA_E_PLUGIN_ABI, -22);
PIN_VALUE(STRATA_E_PLUGIN_INIT, -23);
PIN_VALUE(STRATA_E_UNKNOWN_LAYER, -24);
PIN_VALUE(STRATA_E_URL, -25);
PIN_VALUE(STRATA_E_RESOLVE, -40);
PIN_VALUE(STRATA_E_CONNECT, -41);
PIN_VALUE(STRATA_E_TIMEOUT, -42);
PIN_VALUE(STRATA_E_IO, -43);
PIN_VALUE(STRATA_E_CLOSED, -44);
PIN_VALUE(STRATA_E_TLS, -45);
PIN_VALUE(STRATA_E_TLS_VERIFY, -46);
PIN_VALUE(STRATA_E_PROXY, -47);
PIN_VALUE(STRATA_E_TLS_PINNED_KEY, -49);
PIN_VALUE(STRATA_E_LOCAL_BIND, -50);
PIN_VALUE(STRATA_E_POLICY_DENIED, -51);
PIN_VALUE(STRATA_E_PROTOCOL, -60);
PIN_VALUE(STRATA_E_TRUNCATED, -61);
PIN_VALUE(STRATA_E_LIMIT, -62);
PIN_VALUE(STRATA_E_HTTP_STATUS, -63);
PIN_VALUE(STRATA_E_REDIRECT, -64);
PIN_VALUE(STRATA_E_BODY, -65);
PIN_VALUE(STRATA_E_CANCELLED, -66);
PIN_VALUE(STRATA_E_STREAM_RESET, -67);
PIN_VALUE(STRATA_E_NOT_PROCESSED, -68);
PIN_VALUE(STRATA_E_RANGE, -69);
PIN_VALUE(STRATA_E_CONTENT_ENCODING, -70);
PIN_VALUE(STRATA_E_INTERNAL, -99);
PIN_VALUE(STRATA_FATAL_BELOW, -40);

/* ---- plugin.h ids ---------------------------------------------------- */
PIN_VALUE(STRATA_POLL_READ, 1);
PIN_VALUE(STRATA_POLL_WRITE, 2);
PIN_VALUE(STRATA_LOG_ERROR, 1);
PIN_VALUE(STRATA_LOG_WARN, 2);
PIN_VALUE(STRATA_LOG_INFO, 3);
PIN_VALUE(STRATA_LOG_DEBUG, 4);
PIN_VALUE(STRATA_LAYER_BYTE_STREAM, 1);
PIN_VALUE(STRATA_LAYER_SESSION, 2);
PIN_VALUE(STRATA_QUERY_ALPN, 1);
PIN_VALUE(STRATA_QUERY_SOCKET_FD, 2);
PIN_VALUE(STRATA_QUERY_PEER_ADDRESS, 3);
PIN_VALUE(STRATA_QUERY_LOCAL_ADDRESS, 4);
PIN_VALUE(STRATA_QUERY_TLS_VERSION, 5);
PIN_VALUE(STRATA_QUERY_TLS_RESUMED, 6);
PIN_VALUE(STRATA_QUERY_DESCRIBE, 7);
PIN_VALUE(STRATA_QUERY_HTTP_VERSION, 8);
PIN_VALUE(STRATA_QUERY_CONNECT_STATUS, 9);
PIN_VALUE(STRATA_QUERY_NAMELOOKUP_US, 10);
PIN_VALUE(STRATA_QUERY_TLS_VERIFY_RESULT, 11);
PIN_VALUE(STRATA_QUERY_TLS_PEER_CHAIN, 12);
PIN_VALUE(STRATA_LAYER_FLAG_TUNNEL, 1);
PIN_VALUE(STRATA_LAYER_FLAG_MULTIPLEX, 2);
PIN_VALUE(STRATA_LAYER_FLAG_SECURE, 4);
PIN_VALUE(STRATA_CONTROL_IDLE, 1);
PIN_VALUE(STRATA_REQUEST_ABSOLUTE_FORM, 1);
PIN_VALUE(STRATA_REQUEST_NO_BODY, 2);
PIN_VALUE(STRATA_REQUEST_TUNNEL, 4);
PIN_VALUE(STRATA_CONTROL_STREAM_CONSUMED, 2);
PIN_VALUE(STRATA_CONTROL_SEND_SEGMENTS, 3);  /* ABI 1.3 */

/* ---- strata.h ids ---------------------------------------------------- */
PIN_VALUE(STRATA_EVENT_TRACE, 1);
PIN_VALUE(STRATA_EVENT_HOP, 2);
PIN_VALUE(STRATA_EVENT_CONNECT, 3);
PIN_VALUE(STRATA_EVENT_DATA_IN, 4);
PIN_VALUE(STRATA_EVENT_DATA_OUT, 5);
PIN_VALUE(STRATA_EVENT_RETRY, 6);
PIN_VALUE(STRATA_OPT_TIMEOUT_MS, 1);
PIN_VALUE(STRATA_OPT_CONNECT_TIMEOUT_MS, 2);
PIN_VALUE(STRATA_OPT_FIRST_BYTE_TIMEOUT_MS, 3);
PIN_VALUE(STRATA_OPT_IDLE_TIMEOUT_MS, 4);
PIN_VALUE(STRATA_OPT_FOLLOW_REDIRECTS, 5);
PIN_VALUE(STRATA_OPT_MAX_REDIRECTS, 6);
PIN_VALUE(STRATA_OPT_FAIL_ON_HTTP_ERROR, 7);
PIN_VALUE(STRATA_OPT_PIPELINE, 8);
PIN_VALUE(STRATA_OPT_RESOLVE, 9);
PIN_VALUE(STRATA_OPT_MAX_BODY_BYTES, 10);
PIN_VALUE(STRATA_OPT_PROXY, 11);
PIN_VALUE(STRATA_OPT_PROXY_CREDENTIALS, 12);
PIN_VALUE(STRATA_OPT_NO_PROXY, 13);
PIN_VALUE(STRATA_OPT_PROXY_TUNNEL, 14);
PIN_VALUE(STRATA_OPT_UNSAFE_REDIRECT, 15);
PIN_VALUE(STRATA_OPT_LOCATION_TRUSTED, 16);
PIN_VALUE(STRATA_OPT_POST301, 17);
PIN_VALUE(STRATA_OPT_POST302, 18);
PIN_VALUE(STRATA_OPT_POST303, 19);
PIN_VALUE(STRATA_OPT_LAYER_OPTIONS, 20);
PIN_VALUE(STRATA_OPT_HTTP_VERSION, 21);
PIN_VALUE(STRATA_OPT_RANGE, 22);
PIN_VALUE(STRATA_OPT_RESUME_FROM, 23);
PIN_VALUE(STRATA_OPT_ACCEPT_ENCODING, 24);
PIN_VALUE(STRATA_OPT_MAX_DECODED_BYTES, 25);
PIN_VALUE(STRATA_OPT_MAX_DECODE_RATIO, 26);
PIN_VALUE(STRATA_OPT_RETRY, 27);
PIN_VALUE(STRATA_OPT_RETRY_DELAY_MS, 28);
PIN_VALUE(STRATA_OPT_RETRY_MAX_TIME_MS, 29);
PIN_VALUE(STRATA_OPT_RETRY_ON, 30);
PIN_VALUE(STRATA_RETRY_ON_TIMEOUT, 1);
PIN_VALUE(STRATA_RETRY_ON_CONNECT, 2);
PIN_VALUE(STRATA_RETRY_ON_RESET, 4);
PIN_VALUE(STRATA_RETRY_ON_HTTP, 8);
PIN_VALUE(STRATA_RETRY_ON_ALL_ERRORS, 16);
PIN_VALUE(STRATA_RETRY_NON_IDEMPOTENT, 32);
PIN_VALUE(STRATA_RETRY_NO_JITTER, 64);
PIN_VALUE(STRATA_OPT_COOKIE, 31);
PIN_VALUE(STRATA_OPT_IF_MODIFIED_SINCE, 32);
PIN_VALUE(STRATA_OPT_IF_UNMODIFIED_SINCE, 33);
PIN_VALUE(STRATA_OPT_CONNECT_TO, 40);
PIN_VALUE(STRATA_OPT_INTERFACE, 41);
PIN_VALUE(STRATA_OPT_LOCAL_PORT, 42);
PIN_VALUE(STRATA_OPT_LOCAL_PORT_RANGE, 43);
PIN_VALUE(STRATA_OPT_UNIX_SOCKET, 44);
PIN_VALUE(STRATA_OPT_ABSTRACT_UNIX_SOCKET, 45);
PIN_VALUE(STRATA_OPT_LAYER_ABOVE_BOTTOM, 46);
PIN_VALUE(STRATA_OPT_PROXY_HTTP2, 47);
PIN_VALUE(STRATA_OPT_PREPROXY, 48);
PIN_VALUE(STRATA_OPTION_TYPE_INT, 1);
PIN_VALUE(STRATA_OPTION_TYPE_STRING, 2);
PIN_VALUE(STRATA_HTTP_VERSION_DEFAULT, 0);
PIN_VALUE(STRATA_HTTP_VERSION_1_1, 11);
PIN_VALUE(STRATA_HTTP_VERSION_2, 20);
PIN_VALUE(STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE, 21);
PIN_VALUE(STRATA_HTTP_VERSION_3, 30);      /* ABI 1.2 */
PIN_VALUE(STRATA_HTTP_VERSION_3_ONLY, 31); /* ABI 1.2 */
PIN_VALUE(STRATA_INFO_STATUS, 1);
PIN_VALUE(STRATA_INFO_HTTP_VERSION, 2);
PIN_VALUE(STRATA_INFO_NUM_REDIRECTS, 3);
PIN_VALUE(STRATA_INFO_NUM_CONNECTS, 4);
PIN_VALUE(STRATA_INFO_SIZE_DOWNLOAD, 5);
PIN_VALUE(STRATA_INFO_TIME_TOTAL_US, 6);
PIN_VALUE(STRATA_INFO_TIME_CONNECT_US, 7);
PIN_VALUE(STRATA_INFO_TIME_FIRST_BYTE_US, 8);
PIN_VALUE(STRATA_INFO_SIZE_UPLOAD, 9);
PIN_VALUE(STRATA_INFO_HTTP_CONNECT, 10);
PIN_VALUE(STRATA_INFO_CONDITION_UNMET, 11);
PIN_VALUE(STRATA_INFO_TIME_NAMELOOKUP_US, 12);
PIN_VALUE(STRATA_INFO_TIME_APPCONNECT_US, 13);
PIN_VALUE(STRATA_INFO_TIME_PRETRANSFER_US, 14);
PIN_VALUE(STRATA_INFO_TIME_REDIRECT_US, 15);
PIN_VALUE(STRATA_INFO_SIZE_HEADER, 16);
PIN_VALUE(STRATA_INFO_SIZE_REQUEST, 17);
PIN_VALUE(STRATA_INFO_REMOTE_PORT, 18);
PIN_VALUE(STRATA_INFO_LOCAL_PORT, 19);
PIN_VALUE(STRATA_INFO_TLS_VERIFY_RESULT, 20);
PIN_VALUE(STRATA_INFO_PROXY_TLS_VERIFY_RESULT, 21);
PIN_VALUE(STRATA_INFO_TIME_TCP_CONNECT_US, 22);
PIN_VALUE(STRATA_INFO_TIME_STARTTRANSFER_US, 23);
PIN_VALUE(STRATA_INFO_STR_EFFECTIVE_URL, 1);
PIN_VALUE(STRATA_INFO_STR_REDIRECT_URL, 2);
PIN_VALUE(STRATA_INFO_STR_CHAIN, 3);
PIN_VALUE(STRATA_INFO_STR_REMOTE_IP, 4);
PIN_VALUE(STRATA_INFO_STR_LOCAL_IP, 5);
PIN_VALUE(STRATA_INFO_STR_LAYER_TIMES, 6);
PIN_VALUE(STRATA_INFO_STR_METHOD, 7);
PIN_VALUE(STRATA_INFO_STR_HTTP_CONNECTS, 8);

/* ---- strata_header --------------------------------------------------- */
PIN_SIZE(strata_header, 32);
PIN_OFFSET(strata_header, name, 0);
PIN_OFFSET(strata_header, name_len, 8);
PIN_OFFSET(strata_header, value, 16);
PIN_OFFSET(strata_header, value_len, 24);

/* ---- strata_layer_config --------------------------------------------- */
PIN_SIZE(strata_layer_config, 40);
PIN_OFFSET(strata_layer_config, struct_size, 0);
PIN_OFFSET(strata_layer_config, layer_name, 8);
PIN_OFFSET(strata_layer_config, options_json, 16);
PIN_OFFSET(strata_layer_config, host, 24);
PIN_OFFSET(strata_layer_config, port, 32);
PIN_OFFSET(strata_layer_config, hop, 36);

/* ---- strata_request_head --------------------------------------------- */
PIN_SIZE(strata_request_head, 72);
PIN_OFFSET(strata_stream_consumed, stream_id, 8);
PIN_OFFSET(strata_stream_consumed, bytes, 16);
PIN_SIZE(strata_stream_consumed, 24);
PIN_OFFSET(strata_send_segments, struct_size, 0);  /* ABI 1.3 */
PIN_OFFSET(strata_send_segments, segment_size, 8);
PIN_SIZE(strata_send_segments, 16);
PIN_OFFSET(strata_request_head, struct_size, 0);
PIN_OFFSET(strata_request_head, method, 8);
PIN_OFFSET(strata_request_head, scheme, 16);
PIN_OFFSET(strata_request_head, authority, 24);
PIN_OFFSET(strata_request_head, path, 32);
PIN_OFFSET(strata_request_head, headers, 40);
PIN_OFFSET(strata_request_head, header_count, 48);
PIN_OFFSET(strata_request_head, content_length, 56);
PIN_OFFSET(strata_request_head, flags, 64);

/* ---- strata_response_head -------------------------------------------- */
PIN_SIZE(strata_response_head, 48);
PIN_OFFSET(strata_response_head, struct_size, 0);
PIN_OFFSET(strata_response_head, status, 8);
PIN_OFFSET(strata_response_head, http_version, 12);
PIN_OFFSET(strata_response_head, reason, 16);
PIN_OFFSET(strata_response_head, reason_len, 24);
PIN_OFFSET(strata_response_head, headers, 32);
PIN_OFFSET(strata_response_head, header_count, 40);

/* ---- strata_host_services -------------------------------------------- */
PIN_SIZE(strata_host_services, 176);
PIN_OFFSET(strata_host_services, struct_size, 0);
PIN_OFFSET(strata_host_services, abi_major, 8);
PIN_OFFSET(strata_host_services, abi_minor, 12);
PIN_OFFSET(strata_host_services, log, 16);
PIN_OFFSET(strata_host_services, set_error, 24);
PIN_OFFSET(strata_host_services, now_ms, 32);
PIN_OFFSET(strata_host_services, wake_at, 40);
PIN_OFFSET(strata_host_services, watch_fd, 48);
PIN_OFFSET(strata_host_services, unwatch_fd, 56);
PIN_OFFSET(strata_host_services, option_get, 64);
PIN_OFFSET(strata_host_services, lower_connect, 72);
PIN_OFFSET(strata_host_services, lower_send, 80);
PIN_OFFSET(strata_host_services, lower_recv, 88);
PIN_OFFSET(strata_host_services, lower_poll_interest, 96);
PIN_OFFSET(strata_host_services, lower_data_pending, 104);
PIN_OFFSET(strata_host_services, lower_query, 112);
PIN_OFFSET(strata_host_services, lower_control, 120);
PIN_OFFSET(strata_host_services, lower_shutdown, 128);
PIN_OFFSET(strata_host_services, stream_read_body, 136);
PIN_OFFSET(strata_host_services, stream_on_head, 144);
PIN_OFFSET(strata_host_services, stream_on_data, 152);
PIN_OFFSET(strata_host_services, stream_on_end, 160);
PIN_OFFSET(strata_host_services, stream_on_error, 168);
PIN_FIELD_TYPE(strata_host_services, log, void (*)(strata_layer_ctx*, int32_t, const char*));
PIN_FIELD_TYPE(strata_host_services, set_error,
               void (*)(strata_layer_ctx*, strata_status, const char*));
PIN_FIELD_TYPE(strata_host_services, now_ms, uint64_t (*)(void));
PIN_FIELD_TYPE(strata_host_services, wake_at, void (*)(strata_layer_ctx*, uint64_t));
PIN_FIELD_TYPE(strata_host_services, watch_fd, strata_status (*)(strata_layer_ctx*, int));
PIN_FIELD_TYPE(strata_host_services, unwatch_fd, void (*)(strata_layer_ctx*, int));
PIN_FIELD_TYPE(strata_host_services, option_get,
               strata_status (*)(strata_layer_ctx*, const char*, char*, size_t*));
PIN_FIELD_TYPE(strata_host_services, lower_connect, strata_status (*)(strata_layer_ctx*, int*));
PIN_FIELD_TYPE(strata_host_services, lower_send,
               strata_status (*)(strata_layer_ctx*, const uint8_t*, size_t, size_t*));
PIN_FIELD_TYPE(strata_host_services, lower_recv,
               strata_status (*)(strata_layer_ctx*, uint8_t*, size_t, size_t*));
PIN_FIELD_TYPE(strata_host_services, lower_poll_interest, uint32_t (*)(strata_layer_ctx*, uint32_t));
PIN_FIELD_TYPE(strata_host_services, lower_data_pending, int (*)(strata_layer_ctx*));
PIN_FIELD_TYPE(strata_host_services, lower_query,
               strata_status (*)(strata_layer_ctx*, uint32_t, void*, size_t*));
PIN_FIELD_TYPE(strata_host_services, lower_control,
               strata_status (*)(strata_layer_ctx*, uint32_t, const void*, size_t));
PIN_FIELD_TYPE(strata_host_services, lower_shutdown, strata_status (*)(strata_layer_ctx*, int*));
PIN_FIELD_TYPE(strata_host_services, stream_read_body,
               strata_status (*)(strata_layer_ctx*, void*, uint8_t*, size_t, size_t*, int*));
PIN_FIELD_TYPE(strata_host_services, stream_on_head,
               strata_status (*)(strata_layer_ctx*, void*, const strata_response_head*));
PIN_FIELD_TYPE(strata_host_services, stream_on_data,
               strata_status (*)(strata_layer_ctx*, void*, const uint8_t*, size_t));
PIN_FIELD_TYPE(strata_host_services, stream_on_end,
               void (*)(strata_layer_ctx*, void*, const strata_header*, size_t));
PIN_FIELD_TYPE(strata_host_services, stream_on_error,
               void (*)(strata_layer_ctx*, void*, strata_status, const char*));

/* ---- strata_stream_layer_vtable -------------------------------------- */
PIN_SIZE(strata_stream_layer_vtable, 88);
PIN_OFFSET(strata_stream_layer_vtable, struct_size, 0);
PIN_OFFSET(strata_stream_layer_vtable, create, 8);
PIN_OFFSET(strata_stream_layer_vtable, destroy, 16);
PIN_OFFSET(strata_stream_layer_vtable, connect, 24);
PIN_OFFSET(strata_stream_layer_vtable, send, 32);
PIN_OFFSET(strata_stream_layer_vtable, recv, 40);
PIN_OFFSET(strata_stream_layer_vtable, poll_interest, 48);
PIN_OFFSET(strata_stream_layer_vtable, data_pending, 56);
PIN_OFFSET(strata_stream_layer_vtable, query, 64);
PIN_OFFSET(strata_stream_layer_vtable, control, 72);
PIN_OFFSET(strata_stream_layer_vtable, shutdown, 80);
PIN_FIELD_TYPE(strata_stream_layer_vtable, create,
               strata_status (*)(strata_layer_ctx*, const strata_layer_config*, void**));
PIN_FIELD_TYPE(strata_stream_layer_vtable, destroy, void (*)(void*));
PIN_FIELD_TYPE(strata_stream_layer_vtable, connect, strata_status (*)(void*, int*));
PIN_FIELD_TYPE(strata_stream_layer_vtable, send,
               strata_status (*)(void*, const uint8_t*, size_t, size_t*));
PIN_FIELD_TYPE(strata_stream_layer_vtable, recv, strata_status (*)(void*, uint8_t*, size_t, size_t*));
PIN_FIELD_TYPE(strata_stream_layer_vtable, poll_interest, uint32_t (*)(void*, uint32_t));
PIN_FIELD_TYPE(strata_stream_layer_vtable, data_pending, int (*)(void*));
PIN_FIELD_TYPE(strata_stream_layer_vtable, query, strata_status (*)(void*, uint32_t, void*, size_t*));
PIN_FIELD_TYPE(strata_stream_layer_vtable, control,
               strata_status (*)(void*, uint32_t, const void*, size_t));
PIN_FIELD_TYPE(strata_stream_layer_vtable, shutdown, strata_status (*)(void*, int*));

/* ---- strata_session_layer_vtable ------------------------------------- */
PIN_SIZE(strata_session_layer_vtable, 104);
PIN_OFFSET(strata_session_layer_vtable, struct_size, 0);
PIN_OFFSET(strata_session_layer_vtable, create, 8);
PIN_OFFSET(strata_session_layer_vtable, destroy, 16);
PIN_OFFSET(strata_session_layer_vtable, connect, 24);
PIN_OFFSET(strata_session_layer_vtable, capacity, 32);
PIN_OFFSET(strata_session_layer_vtable, open_stream, 40);
PIN_OFFSET(strata_session_layer_vtable, cancel_stream, 48);
PIN_OFFSET(strata_session_layer_vtable, progress, 56);
PIN_OFFSET(strata_session_layer_vtable, poll_interest, 64);
PIN_OFFSET(strata_session_layer_vtable, is_reusable, 72);
PIN_OFFSET(strata_session_layer_vtable, query, 80);
PIN_OFFSET(strata_session_layer_vtable, control, 88);
PIN_OFFSET(strata_session_layer_vtable, shutdown, 96);
PIN_FIELD_TYPE(strata_session_layer_vtable, create,
               strata_status (*)(strata_layer_ctx*, const strata_layer_config*, void**));
PIN_FIELD_TYPE(strata_session_layer_vtable, destroy, void (*)(void*));
PIN_FIELD_TYPE(strata_session_layer_vtable, connect, strata_status (*)(void*, int*));
PIN_FIELD_TYPE(strata_session_layer_vtable, capacity, uint32_t (*)(void*));
PIN_FIELD_TYPE(strata_session_layer_vtable, open_stream,
               strata_status (*)(void*, const strata_request_head*, void*, uint32_t*));
PIN_FIELD_TYPE(strata_session_layer_vtable, cancel_stream, strata_status (*)(void*, uint32_t));
PIN_FIELD_TYPE(strata_session_layer_vtable, progress, strata_status (*)(void*));
PIN_FIELD_TYPE(strata_session_layer_vtable, poll_interest, uint32_t (*)(void*));
PIN_FIELD_TYPE(strata_session_layer_vtable, is_reusable, int (*)(void*));
PIN_FIELD_TYPE(strata_session_layer_vtable, query, strata_status (*)(void*, uint32_t, void*, size_t*));
PIN_FIELD_TYPE(strata_session_layer_vtable, control,
               strata_status (*)(void*, uint32_t, const void*, size_t));
PIN_FIELD_TYPE(strata_session_layer_vtable, shutdown, strata_status (*)(void*, int*));

/* ---- strata_layer_type ----------------------------------------------- */
PIN_SIZE(strata_layer_type, 56);
PIN_OFFSET(strata_layer_type, struct_size, 0);
PIN_OFFSET(strata_layer_type, name, 8);
PIN_OFFSET(strata_layer_type, kind, 16);
PIN_OFFSET(strata_layer_type, stream, 24);
PIN_OFFSET(strata_layer_type, session, 32);
PIN_OFFSET(strata_layer_type, description, 40);
PIN_OFFSET(strata_layer_type, flags, 48);

/* ---- strata_plugin_descriptor ---------------------------------------- */
PIN_SIZE(strata_plugin_descriptor, 80);
PIN_OFFSET(strata_plugin_descriptor, struct_size, 0);
PIN_OFFSET(strata_plugin_descriptor, abi_major, 8);
PIN_OFFSET(strata_plugin_descriptor, abi_minor, 12);
PIN_OFFSET(strata_plugin_descriptor, name, 16);
PIN_OFFSET(strata_plugin_descriptor, version, 24);
PIN_OFFSET(strata_plugin_descriptor, layer_types, 32);
PIN_OFFSET(strata_plugin_descriptor, layer_type_count, 40);
PIN_OFFSET(strata_plugin_descriptor, init, 48);
PIN_OFFSET(strata_plugin_descriptor, deinit, 56);
PIN_OFFSET(strata_plugin_descriptor, policy_types, 64);  /* ABI 1.1 */
PIN_OFFSET(strata_plugin_descriptor, policy_type_count, 72);
PIN_FIELD_TYPE(strata_plugin_descriptor, policy_types, const strata_policy_type* const*);
PIN_FIELD_TYPE(strata_plugin_descriptor, layer_types, const strata_layer_type* const*);
PIN_FIELD_TYPE(strata_plugin_descriptor, init, strata_status (*)(const strata_host_services*));
PIN_FIELD_TYPE(strata_plugin_descriptor, deinit, void (*)(void));
PIN_FUNCTION(strata_plugin_entry, const strata_plugin_descriptor* (*)(void));
_Static_assert(_Generic((strata_plugin_entry_fn)0, const strata_plugin_descriptor* (*)(void): 1,
                        default: 0),
               "strata_plugin_entry_fn changed");

/* ---- policies (ABI 1.1) --------------------------------------------- */
PIN_SIZE(strata_policy_hop, 96);
PIN_OFFSET(strata_policy_hop, struct_size, 0);
PIN_OFFSET(strata_policy_hop, hop, 8);
PIN_OFFSET(strata_policy_hop, method, 16);
PIN_OFFSET(strata_policy_hop, url, 24);
PIN_OFFSET(strata_policy_hop, previous_url, 32);
PIN_OFFSET(strata_policy_hop, previous_status, 40);
PIN_OFFSET(strata_policy_hop, pipeline_name, 48);
PIN_OFFSET(strata_policy_hop, pipeline_json, 56);
PIN_OFFSET(strata_policy_hop, proxies_json, 64);
PIN_OFFSET(strata_policy_hop, tls_json, 72);
PIN_OFFSET(strata_policy_hop, headers, 80);
PIN_OFFSET(strata_policy_hop, header_count, 88);
PIN_SIZE(strata_policy_handshake, 88);
PIN_OFFSET(strata_policy_handshake, struct_size, 0);
PIN_OFFSET(strata_policy_handshake, hop, 8);
PIN_OFFSET(strata_policy_handshake, url, 16);
PIN_OFFSET(strata_policy_handshake, host, 24);
PIN_OFFSET(strata_policy_handshake, port, 32);
PIN_OFFSET(strata_policy_handshake, to_proxy, 36);
PIN_OFFSET(strata_policy_handshake, tls_version, 40);
PIN_OFFSET(strata_policy_handshake, alpn, 48);
PIN_OFFSET(strata_policy_handshake, resumed, 56);
PIN_OFFSET(strata_policy_handshake, certs, 64);
PIN_OFFSET(strata_policy_handshake, cert_lens, 72);
PIN_OFFSET(strata_policy_handshake, cert_count, 80);
PIN_SIZE(strata_policy_actions, 72);
PIN_OFFSET(strata_policy_actions, struct_size, 0);
PIN_OFFSET(strata_policy_actions, host_self, 8);
PIN_OFFSET(strata_policy_actions, deny, 16);
PIN_OFFSET(strata_policy_actions, log, 24);
PIN_OFFSET(strata_policy_actions, add_header, 32);
PIN_OFFSET(strata_policy_actions, remove_header, 40);
PIN_OFFSET(strata_policy_actions, use_pipeline, 48);
PIN_OFFSET(strata_policy_actions, set_layer_option, 56);
PIN_OFFSET(strata_policy_actions, strip_credentials, 64);
PIN_FIELD_TYPE(strata_policy_actions, deny, void (*)(void*, strata_status, const char*));
PIN_FIELD_TYPE(strata_policy_actions, set_layer_option,
               strata_status (*)(void*, const char*, const char*, const char*));
PIN_SIZE(strata_policy_vtable, 40);
PIN_OFFSET(strata_policy_vtable, create, 8);
PIN_OFFSET(strata_policy_vtable, destroy, 16);
PIN_OFFSET(strata_policy_vtable, check_hop, 24);
PIN_OFFSET(strata_policy_vtable, check_handshake, 32);
PIN_FIELD_TYPE(strata_policy_vtable, create, strata_status (*)(const char*, void**, char*, size_t));
PIN_FIELD_TYPE(strata_policy_vtable, check_hop,
               strata_status (*)(void*, const strata_policy_hop*, const strata_policy_actions*));
PIN_FIELD_TYPE(strata_policy_vtable, check_handshake,
               strata_status (*)(void*, const strata_policy_handshake*, const strata_policy_actions*));
PIN_SIZE(strata_policy_type, 32);
PIN_OFFSET(strata_policy_type, name, 8);
PIN_OFFSET(strata_policy_type, vtable, 16);
PIN_OFFSET(strata_policy_type, description, 24);

/* ---- strata_error ---------------------------------------------------- */
PIN_SIZE(strata_error, 2136);
PIN_OFFSET(strata_error, struct_size, 0);
PIN_OFFSET(strata_error, code, 8);
PIN_OFFSET(strata_error, hop, 12);
PIN_OFFSET(strata_error, layer, 16);
PIN_OFFSET(strata_error, message, 80);
PIN_OFFSET(strata_error, url, 1104);
PIN_OFFSET(strata_error, http_connect, 2128);
_Static_assert(sizeof(((strata_error*)0)->layer) == 64, "strata_error.layer size changed");
_Static_assert(sizeof(((strata_error*)0)->message) == 1024, "strata_error.message size changed");
_Static_assert(sizeof(((strata_error*)0)->url) == 1024, "strata_error.url size changed");

/* ---- strata_event ---------------------------------------------------- */
PIN_SIZE(strata_event, 96);
PIN_OFFSET(strata_event, struct_size, 0);
PIN_OFFSET(strata_event, type, 8);
PIN_OFFSET(strata_event, hop, 12);
PIN_OFFSET(strata_event, layer, 16);
PIN_OFFSET(strata_event, message, 24);
PIN_OFFSET(strata_event, url, 32);
PIN_OFFSET(strata_event, status, 40);
PIN_OFFSET(strata_event, reused, 44);
PIN_OFFSET(strata_event, chain, 48);
PIN_OFFSET(strata_event, elapsed_us, 56);
PIN_OFFSET(strata_event, attempt, 64);
PIN_OFFSET(strata_event, retries_left, 68);
PIN_OFFSET(strata_event, retry_delay_ms, 72);
PIN_OFFSET(strata_event, transfer_user, 80);
PIN_OFFSET(strata_event, transfer_id, 88);

/* ---- strata_option_info --------------------------------------------- */
PIN_SIZE(strata_option_info, 32);
PIN_OFFSET(strata_option_info, struct_size, 0);
PIN_OFFSET(strata_option_info, id, 8);
PIN_OFFSET(strata_option_info, type, 12);
PIN_OFFSET(strata_option_info, name, 16);
PIN_OFFSET(strata_option_info, repeatable, 24);

/* ---- client API signatures (what FFI bindings declare by hand) -------- */
PIN_FUNCTION(strata_version, const char* (*)(void));
PIN_FUNCTION(strata_abi_version, uint32_t (*)(void));
PIN_FUNCTION(strata_status_name, const char* (*)(strata_status));
PIN_FUNCTION(strata_runtime_new, strata_status (*)(const char*, strata_runtime**, strata_error*));
PIN_FUNCTION(strata_runtime_new_from_file,
             strata_status (*)(const char*, strata_runtime**, strata_error*));
PIN_FUNCTION(strata_runtime_free, void (*)(strata_runtime*));
PIN_FUNCTION(strata_runtime_set_event_callback,
             void (*)(strata_runtime*, strata_event_fn, void*, uint32_t));
PIN_FUNCTION(strata_request_new, strata_status (*)(const char*, const char*, strata_request**));
PIN_FUNCTION(strata_request_free, void (*)(strata_request*));
PIN_FUNCTION(strata_request_add_header, strata_status (*)(strata_request*, const char*, const char*));
PIN_FUNCTION(strata_request_set_body, strata_status (*)(strata_request*, const void*, size_t));
PIN_FUNCTION(strata_request_set_body_reader,
             strata_status (*)(strata_request*, int64_t, strata_read_fn, void*));
PIN_FUNCTION(strata_request_set_body_writer, strata_status (*)(strata_request*, strata_write_fn, void*));
PIN_FUNCTION(strata_request_set_option_int, strata_status (*)(strata_request*, int32_t, int64_t));
PIN_FUNCTION(strata_request_set_option_string,
             strata_status (*)(strata_request*, int32_t, const char*));
PIN_FUNCTION(strata_response_status, int32_t (*)(const strata_response*));
PIN_FUNCTION(strata_response_http_version, int32_t (*)(const strata_response*));
PIN_FUNCTION(strata_response_header_count, size_t (*)(const strata_response*));
PIN_FUNCTION(strata_response_header, strata_status (*)(const strata_response*, size_t, const char**,
                                                       size_t*, const char**, size_t*));
PIN_FUNCTION(strata_response_header_get, const char* (*)(const strata_response*, const char*));
PIN_FUNCTION(strata_response_body, void (*)(const strata_response*, const uint8_t**, size_t*));
PIN_FUNCTION(strata_response_effective_url, const char* (*)(const strata_response*));
PIN_FUNCTION(strata_response_info, strata_status (*)(const strata_response*, int32_t, int64_t*));
PIN_FUNCTION(strata_response_free, void (*)(strata_response*));
PIN_FUNCTION(strata_fetch, strata_status (*)(strata_runtime*, const strata_request*, strata_response**,
                                             strata_error*));
PIN_FUNCTION(strata_submit,
             strata_status (*)(strata_runtime*, const strata_request*, void*, strata_transfer**));
PIN_FUNCTION(strata_runtime_run, strata_status (*)(strata_runtime*, int32_t, size_t*));
PIN_FUNCTION(strata_runtime_fd, int (*)(const strata_runtime*));
PIN_FUNCTION(strata_runtime_timeout_ms, int64_t (*)(const strata_runtime*));
PIN_FUNCTION(strata_runtime_next_done, strata_transfer* (*)(strata_runtime*));
PIN_FUNCTION(strata_transfer_done, int (*)(const strata_transfer*));
PIN_FUNCTION(strata_transfer_user, void* (*)(const strata_transfer*));
PIN_FUNCTION(strata_transfer_result, strata_status (*)(const strata_transfer*, strata_error*));
PIN_FUNCTION(strata_transfer_take_response, strata_response* (*)(strata_transfer*));
PIN_FUNCTION(strata_transfer_cancel, void (*)(strata_transfer*));
PIN_FUNCTION(strata_transfer_free, void (*)(strata_transfer*));
PIN_FUNCTION(strata_connection_open,
             strata_status (*)(strata_runtime*, const char*, const char*, uint16_t, int32_t,
                               strata_connection**, strata_error*));
PIN_FUNCTION(strata_connection_send,
             strata_status (*)(strata_connection*, const void*, size_t, int32_t, strata_error*));
PIN_FUNCTION(strata_connection_recv, strata_status (*)(strata_connection*, void*, size_t, size_t*,
                                                       int32_t, strata_error*));
PIN_FUNCTION(strata_connection_request, strata_status (*)(strata_connection*, const strata_request*,
                                                          strata_response**, strata_error*));
PIN_FUNCTION(strata_connection_describe, const char* (*)(const strata_connection*));
PIN_FUNCTION(strata_connection_close, void (*)(strata_connection*));
PIN_FUNCTION(strata_option_count, size_t (*)(void));
PIN_FUNCTION(strata_option_at, strata_status (*)(size_t, strata_option_info*));
PIN_FUNCTION(strata_response_reason, const char* (*)(const strata_response*));
PIN_FUNCTION(strata_transfer_peek_response, strata_status (*)(strata_transfer*, const strata_response**));
_Static_assert(_Generic((strata_event_fn)0, void (*)(void*, const strata_event*): 1, default: 0),
               "strata_event_fn changed");
_Static_assert(_Generic((strata_read_fn)0,
                        strata_status (*)(void*, uint8_t*, size_t, size_t*, int*): 1, default: 0),
               "strata_read_fn changed");
_Static_assert(_Generic((strata_write_fn)0, strata_status (*)(void*, const uint8_t*, size_t): 1,
                        default: 0),
               "strata_write_fn changed");

int main(void) {
  /* The one value a _Static_assert cannot compare: the entry symbol name,
   * which the host passes to dlsym. */
  return strcmp(STRATA_PLUGIN_ENTRY_SYMBOL, "strata_plugin_entry") == 0 ? 0 : 1;
}
