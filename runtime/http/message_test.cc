#include "runtime/http/message.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

TEST(Message, Rfc4648_10_Base64TestVectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Message, HeaderLookupIsCaseInsensitive) {
  Headers h = {{"Content-Type", "a"}, {"X", "1"}, {"content-type", "b"}};
  ASSERT_NE(FindHeader(h, "CONTENT-TYPE"), nullptr);
  EXPECT_EQ(*FindHeader(h, "CONTENT-TYPE"), "a");
  RemoveHeader(&h, "content-TYPE");
  EXPECT_EQ(h.size(), 1u);
  EXPECT_EQ(FindHeader(h, "content-type"), nullptr);
}

TEST(Message, Rfc9110_5_HeaderValidity) {
  EXPECT_TRUE(ValidHeaderName("X-Good_1"));
  EXPECT_FALSE(ValidHeaderName(""));
  EXPECT_FALSE(ValidHeaderName("Bad Name"));
  EXPECT_FALSE(ValidHeaderName("Bad:Name"));
  EXPECT_TRUE(ValidHeaderValue("a b\tc"));
  EXPECT_FALSE(ValidHeaderValue("a\r\nInjected: 1"));
  EXPECT_FALSE(ValidHeaderValue(std::string("a\0b", 3)));
}

TEST(Message, PercentDecode) {
  EXPECT_EQ(PercentDecode("us%40er:p%3Ass"), "us@er:p:ss");
  EXPECT_EQ(PercentDecode("100%"), "100%");
}

}  // namespace
}  // namespace strata
