#include <deque>
#include <random>
#include <string>
#include <utility>

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
  std::string name(t.Get(0).name);
  t.Add(t.Get(0).name, std::string(8, 'v'));  // evicts the entry its name points into
  EXPECT_EQ(t.Get(0).name, name);
}

// An entry that would end exactly where the oldest begins, after wrapping,
// is not placed there: the ring would look empty and the next entry would
// overwrite the oldest. (The ring starts at 20 bytes here: twice the first
// entry.)
TEST(DynamicTable, AnEntryNeverFillsTheRingUpToTheOldest) {
  DynamicTable t(120);  // room for three entries of 10 bytes + 32, not for four
  t.Add("a", "111111111");
  t.Add("b", "222222222");
  t.Add("c", "333333333");  // evicts a; would wrap to end exactly where b begins
  t.Add("d", "4");
  ASSERT_EQ(t.count(), 3u);
  EXPECT_EQ(t.Get(0).name, "d");
  EXPECT_EQ(t.Get(0).value, "4");
  EXPECT_EQ(t.Get(1).name, "c");
  EXPECT_EQ(t.Get(1).value, "333333333");
  EXPECT_EQ(t.Get(2).name, "b");
  EXPECT_EQ(t.Get(2).value, "222222222");
}

// The same with the ring already wrapped: an entry that would fill the gap
// before the oldest exactly is not placed there either.
TEST(DynamicTable, AnEntryNeverFillsTheGapBeforeTheOldestExactly) {
  DynamicTable t(200);
  t.Add("a", "111111111");  // the ring starts at 20 bytes: a at [0,10)
  t.Add("b", "222222222");  // [10,20)
  t.SetCapacity(42);        // evicts a
  t.SetCapacity(200);
  t.Add("c", "333");    // wraps to [0,4)
  t.Add("d", "44444");  // would fill [4,10) up to b exactly
  t.Add("e", "5");
  ASSERT_EQ(t.count(), 4u);
  EXPECT_EQ(t.Get(0).value, "5");
  EXPECT_EQ(t.Get(1).value, "44444");
  EXPECT_EQ(t.Get(2).value, "333");
  EXPECT_EQ(t.Get(3).name, "b");
  EXPECT_EQ(t.Get(3).value, "222222222");
}

// Entries with an empty name and value take no bytes; as the oldest they
// still mark where the live bytes begin.
TEST(DynamicTable, EmptyEntriesAmongWrappingOnes) {
  DynamicTable t(34 * 3 + 32 * 2);
  for (int i = 0; i < 200; ++i) {
    const std::string v(1, static_cast<char>('0' + i % 10));
    t.Add("", "");
    t.Add("k", v);
    ASSERT_LE(t.size(), t.capacity());
    EXPECT_EQ(t.Get(0).name, "k") << i;
    EXPECT_EQ(t.Get(0).value, v) << i;
    EXPECT_EQ(t.Get(1).name, "") << i;
    if (i > 0) {
      EXPECT_EQ(t.Get(2).value, std::string(1, static_cast<char>('0' + (i - 1) % 10))) << i;
    }
  }
}

// The table keeps its entries' bytes in one ring, wrapping and repacking
// as entries come and go. Against a plain list of strings, over random adds
// (empty, short and table-sized entries, names and values viewing the
// table's own entries) and capacity changes, every entry reads back the
// same after every step.
TEST(DynamicTable, RingStorageMatchesAListOfStringsUnderRandomUse) {
  std::mt19937 rng(20261208);
  for (int round = 0; round < 20; ++round) {
    size_t capacity = 64 + rng() % 4096;
    DynamicTable t(capacity);
    std::deque<std::pair<std::string, std::string>> model;  // front = newest
    size_t model_size = 0;
    auto evict_to = [&](size_t limit) {
      while (model_size > limit && !model.empty()) {
        model_size -= EntrySize(model.back().first, model.back().second);
        model.pop_back();
      }
    };
    auto text = [&](size_t max) {
      std::string out(rng() % (max + 1), 'a');
      for (char& c : out) c = static_cast<char>('a' + rng() % 26);
      return out;
    };
    for (int step = 0; step < 2000; ++step) {
      const unsigned op = rng() % 100;
      if (op < 3) {
        capacity = rng() % 5000;
        t.SetCapacity(capacity);
        evict_to(capacity);
      } else {
        std::string name = text(op < 10 ? 0 : 24);
        std::string value = text(op < 20 ? 200 : 40);
        if (op % 7 == 0) value = text(capacity);  // near or past the capacity
        absl::string_view name_view = name, value_view = value;
        if (op % 5 == 0 && t.count() > 0) {
          // A literal with an indexed name, or a value copied from an entry.
          const size_t i = rng() % t.count();
          name_view = t.Get(i).name;
          name = std::string(name_view);
          if (op % 10 == 0) {
            value_view = t.Get(rng() % t.count()).value;
            value = std::string(value_view);
          }
        }
        const size_t entry = EntrySize(name, value);
        t.Add(name_view, value_view);
        if (entry > capacity) {
          evict_to(0);
        } else {
          evict_to(capacity - entry);
          model.emplace_front(name, value);
          model_size += entry;
        }
      }
      ASSERT_EQ(t.count(), model.size()) << round << "/" << step;
      ASSERT_EQ(t.size(), model_size) << round << "/" << step;
      for (size_t i = 0; i < model.size(); ++i) {
        ASSERT_EQ(t.Get(i).name, model[i].first) << round << "/" << step << " entry " << i;
        ASSERT_EQ(t.Get(i).value, model[i].second) << round << "/" << step << " entry " << i;
      }
      long exact = -1, by_name = -1;
      if (!model.empty()) {
        const auto& probe = model[rng() % model.size()];
        t.Find(probe.first, probe.second, &exact, &by_name);
        ASSERT_GE(exact, 0);
        EXPECT_EQ(model[static_cast<size_t>(exact)], probe);
      }
    }
  }
}

}  // namespace
}  // namespace strata::h2::hpack
