#include "runtime/http/field_block.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace strata {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Views into |pairs|, which must outlive them.
std::vector<strata_header> Fields(const Pairs& pairs) {
  std::vector<strata_header> out;
  for (const auto& [n, v] : pairs) out.push_back({n.data(), n.size(), v.data(), v.size()});
  return out;
}

TEST(FieldBlockTest, KeepsEveryFieldInOrderAsCStrings) {
  const Pairs pairs = {
      {"date", "Mon, 07 Dec 2026 22:00:20 GMT"}, {"x-empty", ""}, {"set-cookie", "a=1"}, {"Set-Cookie", "b=2"}};
  std::vector<strata_header> in = Fields(pairs);
  FieldBlock b;
  b.Assign(in.data(), in.size());
  ASSERT_EQ(b.size(), pairs.size());
  size_t i = 0;
  for (FieldView f : b) {
    EXPECT_EQ(f.name, pairs[i].first);
    EXPECT_EQ(f.value, pairs[i].second);
    // The C API hands these out as C strings.
    EXPECT_EQ(f.name.data()[f.name.size()], '\0');
    EXPECT_EQ(f.value.data()[f.value.size()], '\0');
    EXPECT_EQ(std::strlen(f.value.data()), pairs[i].second.size());
    ++i;
  }
  EXPECT_EQ(i, pairs.size());
}

TEST(FieldBlockTest, FindIsCaseInsensitiveAndTakesTheFirst) {
  const Pairs pairs = {{"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}, {"Location", "/next"}};
  std::vector<strata_header> in = Fields(pairs);
  FieldBlock b;
  b.Assign(in.data(), in.size());
  ASSERT_TRUE(b.Find("SET-COOKIE").has_value());
  EXPECT_EQ(*b.Find("set-cookie"), "a=1");
  EXPECT_EQ(*b.Find("location"), "/next");
  EXPECT_FALSE(b.Find("Locatio").has_value());
  EXPECT_FALSE(b.Find("").has_value());
}

TEST(FieldBlockTest, EmptyAndNullFieldsReadAsEmpty) {
  FieldBlock b;
  EXPECT_TRUE(b.empty());
  EXPECT_FALSE(b.Find("x").has_value());
  EXPECT_FALSE(b.begin() != b.end());
  strata_header odd[] = {{nullptr, 0, nullptr, 0}, {"a", 1, nullptr, 5}};
  b.Assign(odd, 2);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].name, "");
  EXPECT_EQ(b[1].name, "a");
  EXPECT_EQ(b[1].value, "");
  b.Assign(nullptr, 0);
  EXPECT_TRUE(b.empty());
}

TEST(FieldBlockTest, CopiesAreIndependentAndMovesLeaveItEmpty) {
  const Pairs pairs = {{"a", "1"}, {"b", "a value longer than a small string"}};
  std::vector<strata_header> in = Fields(pairs);
  FieldBlock b;
  b.Assign(in.data(), in.size());
  FieldBlock copy = b;
  b.Assign(nullptr, 0);
  ASSERT_EQ(copy.size(), 2u);
  EXPECT_EQ(copy[1].value, "a value longer than a small string");
  FieldBlock moved = std::move(copy);
  EXPECT_EQ(moved.size(), 2u);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_FALSE(copy.Find("a").has_value());
  copy = moved;
  EXPECT_EQ(*copy.Find("B"), "a value longer than a small string");
}

// Assigning a block its own fields (views into it) must copy them before
// the old bytes go.
TEST(FieldBlockTest, AssigningItsOwnFieldsIsSafe) {
  Pairs pairs = {{"name", "a value longer than a small string"}, {"k", "v"}};
  std::vector<strata_header> in = Fields(pairs);
  FieldBlock b;
  b.Assign(in.data(), in.size());
  pairs.clear();  // only the block holds the bytes now
  std::vector<strata_header> own;
  for (FieldView f : b) own.push_back({f.name.data(), f.name.size(), f.value.data(), f.value.size()});
  std::swap(own[0], own[1]);
  b.Assign(own.data(), own.size());
  EXPECT_EQ(b[0].name, "k");
  EXPECT_EQ(b[1].value, "a value longer than a small string");
}

}  // namespace
}  // namespace strata
