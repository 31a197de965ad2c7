#include "plugins/tls/session_cache.h"

#include "gtest/gtest.h"

namespace strata::tls {
namespace {

bssl::UniquePtr<SSL_SESSION> NewSession() {
  static SSL_CTX* ctx = SSL_CTX_new(TLS_method());
  return bssl::UniquePtr<SSL_SESSION>(SSL_SESSION_new(ctx));
}

TEST(SessionCache, ReturnsOnlyTheSessionStoredUnderTheKey) {
  SessionCache cache(4);
  bssl::UniquePtr<SSL_SESSION> s = NewSession();
  SSL_SESSION* raw = s.get();
  cache.Put("a", std::move(s));
  bssl::UniquePtr<SSL_SESSION> got = cache.Get("a");
  EXPECT_EQ(got.get(), raw);
  EXPECT_EQ(cache.Get("b"), nullptr);
}

TEST(SessionCache, NewerSessionReplacesOlder) {
  SessionCache cache(4);
  cache.Put("a", NewSession());
  bssl::UniquePtr<SSL_SESSION> s = NewSession();
  SSL_SESSION* raw = s.get();
  cache.Put("a", std::move(s));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Get("a").get(), raw);
}

TEST(SessionCache, BoundedLeastRecentlyUsedGoesFirst) {
  SessionCache cache(2);
  cache.Put("a", NewSession());
  cache.Put("b", NewSession());
  ASSERT_NE(cache.Get("a"), nullptr);  // a is now the most recent
  cache.Put("c", NewSession());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.Get("a"), nullptr);
  EXPECT_EQ(cache.Get("b"), nullptr);
  EXPECT_NE(cache.Get("c"), nullptr);
}

TEST(SessionCache, DropForgets) {
  SessionCache cache(2);
  cache.Put("a", NewSession());
  cache.Drop("a");
  EXPECT_EQ(cache.Get("a"), nullptr);
}

}  // namespace
}  // namespace strata::tls
