// error_names.h — QUIC transport (RFC 9000 §20.1) and HTTP/3 (RFC 9114
// §8.1) error codes as the RFCs spell them, for messages such as
// "h3: H3_FRAME_ERROR (0x106) from peer" or "quic: CRYPTO_ERROR 0x12a".
#ifndef STRATA_PLUGINS_H3_QUIC_ERROR_NAMES_H_
#define STRATA_PLUGINS_H3_QUIC_ERROR_NAMES_H_

#include <cstdint>
#include <string>

namespace strata::h3::quic {

// TransportErrorName: "PROTOCOL_VIOLATION", "CRYPTO_ERROR" for 0x100-0x1ff,
// "error 0x..." when unknown.
std::string TransportErrorName(uint64_t code);

// H3ErrorName: "H3_FRAME_ERROR", QPACK's three, "error 0x..." when unknown.
std::string H3ErrorName(uint64_t code);

// Hex is "0x106".
std::string Hex(uint64_t code);

}  // namespace strata::h3::quic

#endif  // STRATA_PLUGINS_H3_QUIC_ERROR_NAMES_H_
