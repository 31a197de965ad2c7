#include "runtime/altsvc/alt_svc_cache.h"

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"

namespace strata {
namespace {

// 2026-12-07 00:00:00 UTC.
constexpr int64_t kNow = 1796601600;

TEST(AltSvcCache, ApplyLookupAndCurlsFileFormat) {
  AltSvcCache cache;
  auto added = cache.Apply("h2", "Example.COM.", 443, ParseAltSvc("h3=\":8443\"; ma=86400; persist=1"), kNow);
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].src_host, "example.com");
  EXPECT_EQ(added[0].dst_host, "example.com");
  EXPECT_TRUE(cache.modified());
  auto hit = cache.Lookup("example.com", 443, "h3", kNow + 10);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->dst_port, 8443);
  EXPECT_FALSE(cache.Lookup("example.com", 443, "h2", kNow).has_value());
  EXPECT_FALSE(cache.Lookup("example.com", 444, "h3", kNow).has_value());
  EXPECT_EQ(cache.Serialize(kNow),
            std::string(kAltSvcFileHeader) + "h2 example.com 443 h3 example.com 8443 \"20261208 00:00:00\" 1 0\n");
}

TEST(AltSvcCache, ANewFieldReplacesTheOriginsEntriesAndClearRemovesThem) {
  AltSvcCache cache;
  cache.Apply("h2", "a.test", 443, ParseAltSvc("h3=\":1\", h3=\":2\""), kNow);
  cache.Apply("h2", "b.test", 443, ParseAltSvc("h3=\":3\""), kNow);
  EXPECT_EQ(cache.entries().size(), 3u);
  cache.Apply("h2", "a.test", 443, ParseAltSvc("h3=\":4\""), kNow);
  ASSERT_EQ(cache.entries().size(), 2u);
  EXPECT_EQ(cache.Lookup("a.test", 443, "h3", kNow)->dst_port, 4);
  // Unknown ALPN ids change nothing (as curl: nothing usable, no flush).
  cache.Apply("h2", "a.test", 443, ParseAltSvc("quic=\":5\""), kNow);
  EXPECT_EQ(cache.Lookup("a.test", 443, "h3", kNow)->dst_port, 4);
  cache.Apply("h2", "a.test", 443, ParseAltSvc("clear"), kNow);
  EXPECT_FALSE(cache.Lookup("a.test", 443, "h3", kNow).has_value());
  EXPECT_TRUE(cache.Lookup("b.test", 443, "h3", kNow).has_value());
}

// Found by tests/fuzz/alt_svc_fuzzer: "." is a host until its trailing dot
// is stripped, then it names none.
TEST(AltSvcCache, AHostOfDotsIsNoHost) {
  AltSvcCache cache;
  EXPECT_TRUE(cache.Apply("h2", "a.test", 443, ParseAltSvc("h3=\".:443\", h3=\"...:1\""), kNow).empty());
  EXPECT_TRUE(cache.entries().empty());
  AltSvcLoadStats stats = cache.Load("h2 . 443 h3 a.test 443 \"20271231 10:00:00\" 0 0\n", kNow);
  EXPECT_EQ(stats.malformed, 1u);
  EXPECT_TRUE(cache.entries().empty());
}

TEST(AltSvcCache, EntriesExpire) {
  AltSvcCache cache;
  cache.Apply("h1", "a.test", 443, ParseAltSvc("h3=\":1\"; ma=60"), kNow);
  EXPECT_TRUE(cache.Lookup("a.test", 443, "h3", kNow + 59).has_value());
  EXPECT_FALSE(cache.Lookup("a.test", 443, "h3", kNow + 60).has_value());
  EXPECT_TRUE(cache.entries().empty());
}

TEST(AltSvcCache, BrokenAlternativesAreSkippedForAWhile) {
  AltSvcCache cache;
  cache.Apply("h2", "a.test", 443, ParseAltSvc("h3=\":1\", h3=\"b.test:2\""), kNow);
  cache.MarkBroken("h3", "a.test", 1, kNow + 300);
  auto hit = cache.Lookup("a.test", 443, "h3", kNow);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->dst_host, "b.test");
  cache.MarkBroken("h3", "b.test", 2, kNow + 300);
  EXPECT_FALSE(cache.Lookup("a.test", 443, "h3", kNow).has_value());
  EXPECT_EQ(cache.Lookup("a.test", 443, "h3", kNow + 300)->dst_port, 1);
}

TEST(AltSvcCache, LoadSkipsWhatItCannotUseAndRoundTrips) {
  const std::string good =
      "h2 example.com 443 h3 example.com 8443 \"20261231 10:00:00\" 0 0\n"
      "h1 [::1] 8443 h3 [::1] 9443 \"20270101 00:00:01\" 1 5\n";
  const std::string text = std::string(kAltSvcFileHeader) + good +
                           "  # a comment\n"
                           "\n"
                           "h2 old.test 443 h3 old.test 443 \"20200101 00:00:00\" 0 0\n"  // expired
                           "h2 x.test 443 quic x.test 443 \"20271231 10:00:00\" 0 0\n"    // unknown ALPN
                           "h2 x.test 0 h3 x.test 443 \"20271231 10:00:00\" 0 0\n"        // port 0
                           "h2 x.test 443 h3 x.test 443 \"2027-12-31 10:00\" 0 0\n"       // date
                           "h2 x.test 443 h3 x.test 443 \"20271231 10:00:00\" 0\n"        // 8 fields
                           "h2 x;y 443 h3 x.test 443 \"20271231 10:00:00\" 0 0\n"         // host
                           "garbage\n";
  AltSvcCache cache;
  AltSvcLoadStats stats = cache.Load(text, kNow);
  EXPECT_EQ(stats.loaded, 2u);
  EXPECT_EQ(stats.expired, 1u);
  EXPECT_EQ(stats.malformed, 6u);
  EXPECT_FALSE(cache.modified());
  EXPECT_EQ(cache.Serialize(kNow), std::string(kAltSvcFileHeader) + good);
  EXPECT_EQ(cache.Lookup("::1", 8443, "h3", kNow)->dst_port, 9443);
}

TEST(AltSvcCache, EntriesAreBounded) {
  AltSvcCache cache;
  for (int i = 0; i < 200; ++i) {
    std::string field;
    for (int j = 1; j <= 16; ++j) field += (j > 1 ? "," : "") + std::string("h3=\":") + std::to_string(j) + "\"";
    cache.Apply("h2", "host" + std::to_string(i) + ".test", 443, ParseAltSvc(field), kNow + i);
  }
  EXPECT_EQ(cache.entries().size(), kAltSvcMaxEntries);
  EXPECT_TRUE(cache.Lookup("host199.test", 443, "h3", kNow + 200).has_value());
}

TEST(AltSvcCache, FileSaveAndLoad) {
  const char* tmp = getenv("TEST_TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/altsvc-" + std::to_string(getpid()) + ".txt";
  AltSvcCache missing;
  EXPECT_TRUE(LoadAltSvcFile(path + ".none", &missing, kNow).ok());
  AltSvcCache cache;
  cache.Apply("h2", "a.test", 443, ParseAltSvc("h3=\":1\""), kNow);
  ASSERT_TRUE(SaveAltSvcFile(path, cache, kNow).ok());
  AltSvcCache again;
  AltSvcLoadStats stats;
  ASSERT_TRUE(LoadAltSvcFile(path, &again, kNow, &stats).ok());
  EXPECT_EQ(stats.loaded, 1u);
  EXPECT_EQ(again.Serialize(kNow), cache.Serialize(kNow));
  EXPECT_FALSE(SaveAltSvcFile("/nonexistent-dir/x/altsvc.txt", cache, kNow).ok());
  unlink(path.c_str());
}

}  // namespace
}  // namespace strata
