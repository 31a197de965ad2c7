// test_encoders.h — compress with zlib, Brotli and zstd (tests and benches).
#ifndef STRATA_RUNTIME_DECODING_TEST_ENCODERS_H_
#define STRATA_RUNTIME_DECODING_TEST_ENCODERS_H_

#include <string>

namespace strata::testing {

std::string GzipEncode(const std::string& data);
// ZlibEncode: the zlib format when |raw| is false, raw deflate otherwise.
std::string DeflateEncode(const std::string& data, bool raw);
std::string BrotliEncode(const std::string& data);
// ZstdEncode with a window of 2^|window_log| bytes (0: the library's choice).
std::string ZstdEncode(const std::string& data, int window_log = 0);

}  // namespace strata::testing

#endif  // STRATA_RUNTIME_DECODING_TEST_ENCODERS_H_
