#include "plugins/tls/context_cache.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace strata::tls {
namespace {

bssl::UniquePtr<SSL_CTX> NewContext() { return bssl::UniquePtr<SSL_CTX>(SSL_CTX_new(TLS_method())); }

TEST(ContextCacheTest, SameKeySharesOneContext) {
  ContextCache cache(4);
  int built = 0;
  auto build = [&] {
    ++built;
    return NewContext();
  };
  bool shared = true;
  bssl::UniquePtr<SSL_CTX> a = cache.Get("k", build, &shared);
  EXPECT_FALSE(shared);
  bssl::UniquePtr<SSL_CTX> b = cache.Get("k", build, &shared);
  EXPECT_TRUE(shared);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(built, 1);
  EXPECT_EQ(cache.builds(), 1u);
  bssl::UniquePtr<SSL_CTX> c = cache.Get("other", build, &shared);
  EXPECT_FALSE(shared);
  EXPECT_NE(a.get(), c.get());
  EXPECT_EQ(built, 2);
}

TEST(ContextCacheTest, FailedBuildIsNotCached) {
  ContextCache cache(4);
  int built = 0;
  bool shared = true;
  EXPECT_EQ(cache.Get("k", [&] { ++built; return bssl::UniquePtr<SSL_CTX>(); }, &shared), nullptr);
  EXPECT_EQ(cache.Get("k", [&] { ++built; return NewContext(); }, &shared).get() != nullptr, true);
  EXPECT_FALSE(shared);
  EXPECT_EQ(built, 2);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ContextCacheTest, EvictedContextStaysValidForItsHolders) {
  ContextCache cache(1);
  bool shared = false;
  bssl::UniquePtr<SSL_CTX> a = cache.Get("a", NewContext, &shared);
  bssl::UniquePtr<SSL_CTX> b = cache.Get("b", NewContext, &shared);  // evicts "a"
  EXPECT_EQ(cache.size(), 1u);
  // Still usable: an SSL can be made from it (ASan would flag a freed one).
  bssl::UniquePtr<SSL> ssl(SSL_new(a.get()));
  EXPECT_NE(ssl, nullptr);
  bssl::UniquePtr<SSL_CTX> again = cache.Get("a", NewContext, &shared);
  EXPECT_FALSE(shared);
  EXPECT_NE(again.get(), a.get());
}

TEST(ContextCacheTest, KeyNamesEveryContextInputButNotPerConnectionOnes) {
  TlsOptions o;
  o.ca_file = "/nonexistent/ca.pem";
  const std::string base = ContextKey(o);
  TlsOptions alpn = o;
  alpn.alpn = {"h2", "http/1.1"};
  alpn.server_name = "other.test";
  EXPECT_EQ(ContextKey(alpn), base);  // per SSL, shared context
  TlsOptions v = o;
  v.verify = false;
  EXPECT_NE(ContextKey(v), base);
  TlsOptions ca = o;
  ca.ca_file = "/nonexistent/other.pem";
  EXPECT_NE(ContextKey(ca), base);
  TlsOptions cert = o;
  cert.cert = "/nonexistent/client.pem";
  EXPECT_NE(ContextKey(cert), base);
  TlsOptions min = o;
  min.min_version = TlsVersion::k1_3;
  EXPECT_NE(ContextKey(min), base);
  TlsOptions ciphers = o;
  ciphers.ciphers = {"ECDHE-RSA-AES128-GCM-SHA256"};
  EXPECT_NE(ContextKey(ciphers), base);
  TlsOptions curves = o;
  curves.curves = {"X25519"};
  EXPECT_NE(ContextKey(curves), base);
}

TEST(ContextCacheTest, ReplacedCaFileChangesTheKey) {
  const char* dir = getenv("TEST_TMPDIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/context_cache_ca.pem";
  { std::ofstream(path) << "first"; }
  TlsOptions o;
  o.ca_file = path;
  const std::string before = ContextKey(o);
  EXPECT_EQ(ContextKey(o), before);
  { std::ofstream(path) << "second, longer"; }
  EXPECT_NE(ContextKey(o), before);
  unlink(path.c_str());
}

}  // namespace
}  // namespace strata::tls
