#include "plugins/h3/quic/error_names.h"

#include "gtest/gtest.h"

namespace strata::h3::quic {
namespace {

TEST(ErrorNames, Rfc9000_20_1_TransportCodes) {
  EXPECT_EQ(TransportErrorName(0x0), "NO_ERROR");
  EXPECT_EQ(TransportErrorName(0xa), "PROTOCOL_VIOLATION");
  EXPECT_EQ(TransportErrorName(0x10), "NO_VIABLE_PATH");
  EXPECT_EQ(TransportErrorName(0x12a), "CRYPTO_ERROR");
  EXPECT_EQ(TransportErrorName(0x4242), "error 0x4242");
}

TEST(ErrorNames, Rfc9114_8_1_Http3Codes) {
  EXPECT_EQ(H3ErrorName(0x100), "H3_NO_ERROR");
  EXPECT_EQ(H3ErrorName(0x106), "H3_FRAME_ERROR");
  EXPECT_EQ(H3ErrorName(0x10c), "H3_REQUEST_CANCELLED");
  EXPECT_EQ(H3ErrorName(0x110), "H3_VERSION_FALLBACK");
  EXPECT_EQ(H3ErrorName(0x200), "QPACK_DECOMPRESSION_FAILED");
  EXPECT_EQ(H3ErrorName(0x202), "QPACK_DECODER_STREAM_ERROR");
  EXPECT_EQ(H3ErrorName(0x111), "error 0x111");
  EXPECT_EQ(Hex(0x106), "0x106");
}

}  // namespace
}  // namespace strata::h3::quic
