#include <string>

#include "gtest/gtest.h"
#include "plugins/h2/engine/hpack/dynamic_table.h"
#include "plugins/h2/engine/hpack/static_table.h"

namespace strata::h2::hpack {
namespace {

TEST(SameBytes, AgreesWithEqualityAtEveryLengthAndPosition) {
  for (size_t n = 0; n <= 40; ++n) {
    const std::string a(n, 'q');
    EXPECT_TRUE(SameBytes(a, std::string(n, 'q'))) << n;
    EXPECT_FALSE(SameBytes(a, std::string(n + 1, 'q'))) << n;
    for (size_t pos = 0; pos < n; ++pos) {
      std::string b = a;
      b[pos] = 'r';
      EXPECT_FALSE(SameBytes(a, b)) << n << " " << pos;
    }
  }
}

TEST(StaticTable, Rfc7541_AppendixA_Landmarks) {
  EXPECT_EQ(StaticTableEntry(1).name, ":authority");
  EXPECT_EQ(StaticTableEntry(2).value, "GET");
  EXPECT_EQ(StaticTableEntry(8).value, "200");
  EXPECT_EQ(StaticTableEntry(16).value, "gzip, deflate");
  EXPECT_EQ(StaticTableEntry(32).name, "cookie");
  EXPECT_EQ(StaticTableEntry(61).name, "www-authenticate");
  size_t exact = 0, name = 0;
  StaticTableFind(":status", "404", &exact, &name);
  EXPECT_EQ(exact, 13u);
  EXPECT_EQ(name, 8u);
  StaticTableFind(":status", "201", &exact, &name);
  EXPECT_EQ(exact, 0u);
  EXPECT_EQ(name, 8u);
}

// Every entry is found by its name and value: the exact index is the
// entry's own, the name index the first entry of that name; names that are
// not in the table (also ones that share a length and end bytes with one,
// and the empty name) give 0.
TEST(StaticTable, FindsEveryEntryAndNothingElse) {
  for (size_t i = 1; i <= kStaticTableSize; ++i) {
    const StaticEntry& e = StaticTableEntry(i);
    size_t first = i;
    while (first > 1 && StaticTableEntry(first - 1).name == e.name) --first;
    size_t exact = 0, name = 0;
    StaticTableFind(e.name, e.value, &exact, &name);
    EXPECT_EQ(exact, i) << e.name << ": " << e.value;
    EXPECT_EQ(name, first) << e.name;
  }
  for (const char* unknown : {"", "x", "agf", "dath", "cookiE", "set-cookie2", ":statuz", "user-agenx", "content-tipe"}) {
    size_t exact = 7, name = 7;
    StaticTableFind(unknown, "", &exact, &name);
    EXPECT_EQ(exact, 0u) << unknown;
    EXPECT_EQ(name, 0u) << unknown;
  }
}

// HOSTILE 52: entry size = name + value + 32.
TEST(DynamicTable, Hostile52_EntrySizeIsNamePlusValuePlus32) {
  DynamicTable t(4096);
  t.Add("custom-key", "custom-header");
  EXPECT_EQ(t.size(), 55u);
  t.Add("", "");
  EXPECT_EQ(t.size(), 87u);
}

// HOSTILE 52: the oldest entry is evicted first.
TEST(DynamicTable, Hostile52_EvictionOrderIsOldestFirst) {
  DynamicTable t(3 * 34);  // three entries of one-byte name and value
  t.Add("a", "1");
  t.Add("b", "2");
  t.Add("c", "3");
  EXPECT_EQ(t.count(), 3u);
  t.Add("d", "4");
  ASSERT_EQ(t.count(), 3u);
  EXPECT_EQ(t.Get(0).name, "d");
  EXPECT_EQ(t.Get(2).name, "b");
  t.SetCapacity(34);
  ASSERT_EQ(t.count(), 1u);
  EXPECT_EQ(t.Get(0).name, "d");
}

// HOSTILE 52: an entry larger than the table empties it.
TEST(DynamicTable, Hostile52_OversizedEntryEmptiesTheTable) {
  DynamicTable t(100);
  t.Add("a", "1");
  t.Add("b", "2");
  t.Add("big", std::string(100, 'x'));
  EXPECT_EQ(t.count(), 0u);
  EXPECT_EQ(t.size(), 0u);
}

TEST(DynamicTable, AddingWithANameFromAnEvictedEntryIsSafe) {
  DynamicTable t(34 + 40);
  t.Add("n", "1");
  std::string name = t.Get(0).name;
  t.Add(t.Get(0).name, std::string(8, 'v'));  // evicts the entry its name points into
  EXPECT_EQ(t.Get(0).name, name);
}

}  // namespace
}  // namespace strata::h2::hpack
