// HeaderListRecycler: an emptied list's storage comes back for the next
// Take (not under ASan, where nothing is kept); lists too large or beyond
// the bound are freed.
#include "runtime/client/header_list_recycler.h"

#include <gtest/gtest.h>

#include <vector>

namespace strata {
namespace {

void Drain() {
  while (HeaderListRecycler::Kept() > 0) HeaderListRecycler::Take();
}

TEST(HeaderListRecyclerTest, AGivenListsStorageIsTheNextTakesUnlessUnderAsan) {
  Drain();
  Headers h;
  h.reserve(4);
  h.push_back({"User-Agent", "strata"});
  const Header* storage = h.data();
  HeaderListRecycler::Give(std::move(h));
  Headers again = HeaderListRecycler::Take();
  EXPECT_TRUE(again.empty());
  EXPECT_EQ(again.capacity() >= 4 && again.data() == storage, kRecycleBlocks);
  EXPECT_EQ(HeaderListRecycler::Kept(), 0u);
}

TEST(HeaderListRecyclerTest, ALargeListIsNotKept) {
  Drain();
  Headers big(HeaderListRecycler::kMaxFields + 1);
  HeaderListRecycler::Give(std::move(big));
  EXPECT_EQ(HeaderListRecycler::Kept(), 0u);
  Headers none;  // no storage: nothing to keep
  HeaderListRecycler::Give(std::move(none));
  EXPECT_EQ(HeaderListRecycler::Kept(), 0u);
}

TEST(HeaderListRecyclerTest, AtMostKKeepListsAreKept) {
  Drain();
  for (size_t i = 0; i < HeaderListRecycler::kKeep + 10; ++i) {
    Headers h(2);
    HeaderListRecycler::Give(std::move(h));
  }
  EXPECT_EQ(HeaderListRecycler::Kept(), kRecycleBlocks ? HeaderListRecycler::kKeep : 0u);
  Drain();
}

}  // namespace
}  // namespace strata
