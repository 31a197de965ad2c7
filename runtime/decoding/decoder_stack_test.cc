#include "runtime/decoding/decoder_stack.h"

#include <random>
#include <string>

#include "gtest/gtest.h"
#include "runtime/decoding/test_encoders.h"

namespace strata {
namespace {

using testing::BrotliEncode;
using testing::DeflateEncode;
using testing::GzipEncode;
using testing::ZstdEncode;

std::string Text(size_t n, uint32_t seed = 1) {
  // Compressible but not trivial: words from a small vocabulary.
  static const char* kWords[] = {"strata ", "layer ", "hop ", "h2 ", "tls ", "tunnel ", "\n", "plugin "};
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < n) s += kWords[rng() % 8];
  s.resize(n);
  return s;
}

std::string Random(size_t n, uint32_t seed = 7) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// Decode runs |encoded| through a stack for |coding|, fed |step| bytes at a
// time, and returns the decoded body, or the first error's message.
struct Result {
  absl::Status status;
  std::string body;
  size_t largest_piece = 0;
};

Result Decode(absl::string_view coding, const std::string& encoded, size_t step = 4096, DecodeLimits limits = {}) {
  Result r;
  auto stack = DecoderStack::Create(coding, limits);
  if (!stack.ok()) {
    r.status = stack.status();
    return r;
  }
  EXPECT_NE(*stack, nullptr);
  auto sink = [&](absl::string_view piece) {
    r.body.append(piece.data(), piece.size());
    r.largest_piece = std::max(r.largest_piece, piece.size());
    return absl::OkStatus();
  };
  for (size_t i = 0; i < encoded.size() && r.status.ok(); i += step) {
    r.status = (*stack)->Decode(absl::string_view(encoded).substr(i, step), sink);
  }
  if (r.status.ok()) r.status = (*stack)->Finish(sink);
  return r;
}

TEST(DecoderStack, EachCodingRoundTripsWholeAndByteByByte) {
  const std::string body = Text(200000);
  const std::pair<const char*, std::string> cases[] = {
      {"gzip", GzipEncode(body)},          {"x-gzip", GzipEncode(body)},
      {"deflate", DeflateEncode(body, false)}, {"deflate", DeflateEncode(body, true)},
      {"br", BrotliEncode(body)},          {"zstd", ZstdEncode(body)},
  };
  for (const auto& [coding, encoded] : cases) {
    for (size_t step : {size_t{1}, size_t{7}, size_t{1} << 20}) {
      Result r = Decode(coding, encoded, step);
      ASSERT_TRUE(r.status.ok()) << coding << " step " << step << ": " << r.status;
      EXPECT_EQ(r.body, body) << coding << " step " << step;
      EXPECT_LE(r.largest_piece, kDecodeChunkBytes) << coding;
    }
  }
}

TEST(DecoderStack, BodiesThatFillTheLastBufferExactly) {
  // The decoded size is a multiple of the 16 KiB output buffer: the last
  // call fills it, and one more call (for output that may remain) must not
  // take the finished stream for an unfinished one.
  for (size_t size : {kDecodeChunkBytes, 64 * kDecodeChunkBytes, size_t{4} << 20}) {
    const std::string body = Text(size, 17);
    const std::pair<const char*, std::string> cases[] = {
        {"gzip", GzipEncode(body)}, {"deflate", DeflateEncode(body, false)}, {"br", BrotliEncode(body)},
        {"zstd", ZstdEncode(body)}, {"zstd", ZstdEncode(body) + ZstdEncode(body)},
    };
    for (const auto& [coding, encoded] : cases) {
      for (size_t step : {encoded.size(), size_t{1000}}) {
        Result r = Decode(coding, encoded, step);
        ASSERT_TRUE(r.status.ok()) << coding << " size " << size << " step " << step << ": " << r.status;
        EXPECT_EQ(r.body.size() % body.size(), 0u) << coding;
      }
    }
  }
}

TEST(DecoderStack, IncompressibleDataRoundTrips) {
  const std::string body = Random(300000);
  EXPECT_EQ(Decode("gzip", GzipEncode(body)).body, body);
  EXPECT_EQ(Decode("br", BrotliEncode(body)).body, body);
  EXPECT_EQ(Decode("zstd", ZstdEncode(body)).body, body);
}

TEST(DecoderStack, StackedCodingsAreUndoneLastFirst) {
  const std::string body = Text(50000, 3);
  // "gzip, br": gzip was applied first, then br.
  Result r = Decode("gzip, br", BrotliEncode(GzipEncode(body)), 100);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.body, body);
  // Three, with identity and odd case and spacing in between.
  r = Decode(" ZSTD ,identity,deflate ,  gzip", GzipEncode(DeflateEncode(ZstdEncode(body), false)), 33);
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.body, body);
}

TEST(DecoderStack, ConcatenatedMembersAndFrames) {
  EXPECT_EQ(Decode("gzip", GzipEncode("first ") + GzipEncode("second"), 3).body, "first second");
  EXPECT_EQ(Decode("zstd", ZstdEncode("first ") + ZstdEncode("second"), 3).body, "first second");
}

TEST(DecoderStack, TrailingJunkAfterGzipIsIgnored) {
  Result r = Decode("gzip", GzipEncode("payload") + "\n\n\r\n");
  ASSERT_TRUE(r.status.ok()) << r.status;
  EXPECT_EQ(r.body, "payload");
}

TEST(DecoderStack, IdentityAndEmptyNeedNoStack) {
  for (const char* v : {"", "identity", " , identity ,"}) {
    auto s = DecoderStack::Create(v, {});
    ASSERT_TRUE(s.ok()) << v;
    EXPECT_EQ(*s, nullptr) << v;
  }
}

TEST(DecoderStack, UnknownCodingIsNamed) {
  auto s = DecoderStack::Create("gzip, compress", {});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(s.status()));
  EXPECT_NE(s.status().message().find("'compress'"), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("deflate, gzip, br, zstd"), std::string::npos) << s.status();
}

TEST(DecoderStack, TooManyCodingsAreRefused) {
  auto s = DecoderStack::Create("gzip,gzip,gzip,gzip,gzip,gzip", {});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("6 codings"), std::string::npos) << s.status();
  EXPECT_TRUE(DecoderStack::Create("gzip,gzip,gzip,gzip,gzip", {}).ok());
}

TEST(DecoderStack, EmptyBodyIsNotAnError) {
  for (const char* coding : {"gzip", "deflate", "br", "zstd"}) {
    Result r = Decode(coding, "");
    EXPECT_TRUE(r.status.ok()) << coding << ": " << r.status;
    EXPECT_EQ(r.body, "");
  }
}

TEST(DecoderStack, TruncatedStreamsAreDataLoss) {
  const std::string body = Text(100000, 5);
  const std::pair<const char*, std::string> cases[] = {
      {"gzip", GzipEncode(body)}, {"deflate", DeflateEncode(body, false)},
      {"deflate", DeflateEncode(body, true)}, {"br", BrotliEncode(body)}, {"zstd", ZstdEncode(body)},
      {"deflate", std::string("x")},
  };
  for (const auto& [coding, encoded] : cases) {
    std::string cut = encoded.size() > 1 ? encoded.substr(0, encoded.size() / 2) : encoded;
    Result r = Decode(coding, cut);
    EXPECT_TRUE(absl::IsDataLoss(r.status)) << coding << ": " << r.status;
    EXPECT_NE(r.status.message().find("truncated"), std::string::npos) << r.status;
    EXPECT_EQ(r.status.message().substr(0, strlen(coding)), coding) << r.status;
  }
}

TEST(DecoderStack, CorruptStreamsAreDataLossNamingTheCoding) {
  const std::string body = Text(100000, 9);
  const std::pair<const char*, std::string> cases[] = {
      {"gzip", GzipEncode(body)}, {"deflate", DeflateEncode(body, false)}, {"br", BrotliEncode(body)},
      {"zstd", ZstdEncode(body)},
  };
  for (const auto& [coding, encoded] : cases) {
    std::string bad = encoded;
    for (size_t i = 10; i < bad.size(); i += 97) bad[i] = static_cast<char>(bad[i] ^ 0x5a);
    Result r = Decode(coding, bad);
    // zstd frames carry no checksum by default: damage may surface only
    // as a stream that does not end where the body does.
    EXPECT_TRUE(absl::IsDataLoss(r.status)) << coding << ": " << r.status;
    EXPECT_EQ(r.status.message().substr(0, strlen(coding)), coding) << r.status;
  }
  // Not gzip at all.
  Result r = Decode("gzip", "this is not gzip");
  EXPECT_TRUE(absl::IsDataLoss(r.status)) << r.status;
}

TEST(DecoderStack, ZstdWindowAbove8MiBIsRefused) {
  // RFC 8878 §3: a decoder for HTTP may refuse windows above 8 MiB.
  const std::string body = Random(9 << 20, 11);
  Result r = Decode("zstd", ZstdEncode(body, 24), 1 << 16);
  EXPECT_TRUE(absl::IsDataLoss(r.status)) << r.status;
  EXPECT_LT(r.body.size(), body.size());
}

TEST(DecoderStack, BombStopsAtTheRatioLimitWithBoundedOutput) {
  // 256 MiB of zeros is about 256 KiB of gzip; it must stop soon after the
  // ratio floor, never producing the whole thing.
  const std::string zeros(256 << 20, '\0');
  const std::string bomb = GzipEncode(zeros);
  DecodeLimits limits;
  int64_t delivered = 0;
  auto stack = DecoderStack::Create("gzip", limits);
  ASSERT_TRUE(stack.ok());
  absl::Status st;
  for (size_t i = 0; i < bomb.size() && st.ok(); i += 16384) {
    st = (*stack)->Decode(absl::string_view(bomb).substr(i, 16384), [&](absl::string_view p) {
      delivered += p.size();
      return absl::OkStatus();
    });
  }
  EXPECT_TRUE(absl::IsResourceExhausted(st)) << st;
  EXPECT_NE(st.message().find("200 times"), std::string::npos) << st;
  EXPECT_LE(delivered, limits.ratio_floor_bytes + 2 * 16384 * 1100) << delivered;
}

TEST(DecoderStack, AbsoluteLimitAndRatioCanBeSet) {
  const std::string body = Text(1 << 20, 13);
  DecodeLimits limits;
  limits.max_bytes = 100000;
  Result r = Decode("gzip", GzipEncode(body), 4096, limits);
  EXPECT_TRUE(absl::IsResourceExhausted(r.status)) << r.status;
  EXPECT_NE(r.status.message().find("more than 100000 bytes"), std::string::npos) << r.status;
  EXPECT_LE(r.body.size(), 100000u);
  // A ratio limit with no floor trips at once on a compressible body; off
  // (0) it does not.
  limits = {};
  limits.max_ratio = 2;
  limits.ratio_floor_bytes = 0;
  EXPECT_TRUE(absl::IsResourceExhausted(Decode("gzip", GzipEncode(body), 4096, limits).status));
  limits.max_ratio = 0;
  EXPECT_EQ(Decode("gzip", GzipEncode(body), 4096, limits).body, body);
}

TEST(DecoderStack, SinkErrorStopsDecoding) {
  auto stack = DecoderStack::Create("br", {});
  ASSERT_TRUE(stack.ok());
  int calls = 0;
  absl::Status st = (*stack)->Decode(BrotliEncode(Text(100000)), [&](absl::string_view) {
    ++calls;
    return absl::CancelledError("writer said no");
  });
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(absl::IsCancelled(st)) << st;
}

}  // namespace
}  // namespace strata
