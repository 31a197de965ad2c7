#include <gtest/gtest.h>
#include "absl/status/statusor.h"
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>
TEST(S, A){ absl::StatusOr<int> s = absl::InvalidArgumentError("x"); EXPECT_FALSE(s.ok()); auto j = nlohmann::json::parse("{\"a\":1}"); EXPECT_EQ(j["a"], 1); SSL_CTX* c = SSL_CTX_new(TLS_method()); EXPECT_NE(c, nullptr); SSL_CTX_free(c);}
