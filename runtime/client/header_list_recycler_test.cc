// HeaderListRecycler: an emptied list's storage comes back for the next
// Take (not under ASan, where nothing is kept); lists too large or beyond
// the bound are freed.
#include "runtime/client/header_list_recycler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
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

// A list given back while its thread exits, after the thread's stack is
// destroyed (an object destroyed by a later thread_local destructor, as a
// runtime freed at exit would be), is freed: the stack is not touched.
std::atomic<long> kept_seen_at_exit{-1};
struct LateHolder {
  Headers list;
  ~LateHolder() {
    kept_seen_at_exit = static_cast<long>(HeaderListRecycler::Kept());
    HeaderListRecycler::Give(std::move(list));
  }
};

TEST(HeaderListRecyclerTest, AListGivenBackAfterTheThreadsStackIsGoneIsFreed) {
  std::thread([] {
    thread_local LateHolder holder;  // made before the stack: destroyed after it
    holder.list.reserve(4);
    for (int i = 0; i < 3; ++i) {
      Headers h(2);
      HeaderListRecycler::Give(std::move(h));
    }
    EXPECT_EQ(HeaderListRecycler::Kept(), kRecycleBlocks ? 3u : 0u);
  }).join();
  EXPECT_EQ(kept_seen_at_exit.load(), 0);
}

}  // namespace
}  // namespace strata
