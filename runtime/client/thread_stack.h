// thread_stack.h — a bounded stack of kept items per thread, for the
// recyclers (block_recycler.h, header_list_recycler.h): what a request
// freed, the next request on the thread takes back instead of allocating.
//
// Tag keeps the stacks of different users apart. At most kKeep items are
// kept; Push refuses beyond that and the caller frees the item. A thread's
// kept items are destroyed when it exits, and from then on Push and Pop
// refuse: an object freed later in the thread's exit (a runtime freed by a
// static or thread_local destructor) is freed normally instead of touching
// the destroyed stack.
#ifndef STRATA_RUNTIME_CLIENT_THREAD_STACK_H_
#define STRATA_RUNTIME_CLIENT_THREAD_STACK_H_

#include <cstddef>
#include <utility>
#include <vector>

namespace strata {

// Under AddressSanitizer the recyclers keep nothing, so a use after free is
// still reported.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kRecycleBlocks = false;
#else
inline constexpr bool kRecycleBlocks = true;
#endif

template <typename Tag, typename Item, size_t kKeep>
class ThreadStack {
 public:
  // Pop moves the newest kept item into *out; false if there is none.
  static bool Pop(Item* out) {
    std::vector<Item>* items = Get();
    if (items == nullptr || items->empty()) return false;
    *out = std::move(items->back());
    items->pop_back();
    return true;
  }

  // Push keeps |item| (moving from it) if there is room; false leaves it
  // with the caller.
  static bool Push(Item&& item) {
    std::vector<Item>* items = Get();
    if (items == nullptr || items->size() >= kKeep) return false;
    items->push_back(std::move(item));
    return true;
  }

  // Size is how many items this thread keeps now.
  static size_t Size() {
    std::vector<Item>* items = Get();
    return items ? items->size() : 0;
  }

 private:
  struct Items {
    std::vector<Item> items;
    Items() { items.reserve(kKeep); }
    ~Items() { Gone() = true; }  // before |items| (and what it keeps) goes
  };
  // A bool has no destructor, so it stays readable to the thread's end.
  static bool& Gone() {
    thread_local bool gone = false;
    return gone;
  }
  static std::vector<Item>* Get() {
    if (Gone()) return nullptr;
    thread_local Items kept;
    return &kept.items;
  }
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_THREAD_STACK_H_
