#include "plugins/h3/quic/error_names.h"

#include <cstdio>

namespace strata::h3::quic {

std::string Hex(uint64_t code) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(code));
  return buf;
}

std::string TransportErrorName(uint64_t code) {
  static const char* const kNames[] = {
      "NO_ERROR", "INTERNAL_ERROR", "CONNECTION_REFUSED", "FLOW_CONTROL_ERROR", "STREAM_LIMIT_ERROR",
      "STREAM_STATE_ERROR", "FINAL_SIZE_ERROR", "FRAME_ENCODING_ERROR", "TRANSPORT_PARAMETER_ERROR",
      "CONNECTION_ID_LIMIT_ERROR", "PROTOCOL_VIOLATION", "INVALID_TOKEN", "APPLICATION_ERROR",
      "CRYPTO_BUFFER_EXCEEDED", "KEY_UPDATE_ERROR", "AEAD_LIMIT_REACHED", "NO_VIABLE_PATH"};
  if (code < sizeof(kNames) / sizeof(kNames[0])) return kNames[code];
  if (code >= 0x100 && code <= 0x1ff) return "CRYPTO_ERROR";
  return "error " + Hex(code);
}

std::string H3ErrorName(uint64_t code) {
  static const char* const kNames[] = {
      "H3_NO_ERROR", "H3_GENERAL_PROTOCOL_ERROR", "H3_INTERNAL_ERROR", "H3_STREAM_CREATION_ERROR",
      "H3_CLOSED_CRITICAL_STREAM", "H3_FRAME_UNEXPECTED", "H3_FRAME_ERROR", "H3_EXCESSIVE_LOAD",
      "H3_ID_ERROR", "H3_SETTINGS_ERROR", "H3_MISSING_SETTINGS", "H3_REQUEST_REJECTED",
      "H3_REQUEST_CANCELLED", "H3_REQUEST_INCOMPLETE", "H3_MESSAGE_ERROR", "H3_CONNECT_ERROR",
      "H3_VERSION_FALLBACK"};
  if (code >= 0x100 && code < 0x100 + sizeof(kNames) / sizeof(kNames[0])) return kNames[code - 0x100];
  if (code == 0x200) return "QPACK_DECOMPRESSION_FAILED";
  if (code == 0x201) return "QPACK_ENCODER_STREAM_ERROR";
  if (code == 0x202) return "QPACK_DECODER_STREAM_ERROR";
  return "error " + Hex(code);
}

}  // namespace strata::h3::quic
