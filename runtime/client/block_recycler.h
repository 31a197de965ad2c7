// block_recycler.h — a per-thread stack of freed blocks of one size, for a
// class whose objects are made and destroyed once per request and are too
// large for malloc's fast per-thread caches (a Transfer is about 3 KiB: each
// new/delete pair went through malloc's slow path, 5% of a small HTTP/2
// request's CPU).
//
// Use it from a class's own operator new/delete:
//   static void* operator new(size_t n) { return BlockRecycler<T>::Take(n); }
//   static void operator delete(void* p, size_t n) { BlockRecycler<T>::Give(p, n); }
// Blocks of another size (a derived class) go to and from malloc. At most
// kKeep blocks are kept per thread (thread_stack.h); the rest are freed, and
// a thread's blocks are freed when it exits. Under AddressSanitizer nothing
// is kept, so a use after free is still reported.
#ifndef STRATA_RUNTIME_CLIENT_BLOCK_RECYCLER_H_
#define STRATA_RUNTIME_CLIENT_BLOCK_RECYCLER_H_

#include <cstddef>
#include <memory>
#include <new>

#include "runtime/client/thread_stack.h"

namespace strata {

template <typename T, size_t kKeep = 256>
class BlockRecycler {
 public:
  static void* Take(size_t size) {
    if (kRecycleBlocks && size == sizeof(T)) {
      Block block;
      if (Stack::Pop(&block)) return block.release();
    }
    return ::operator new(size);
  }
  static void Give(void* p, size_t size) {
    if (kRecycleBlocks && size == sizeof(T) && p != nullptr) {
      Block block(p);
      Stack::Push(std::move(block));  // or freed here, when the stack is full or gone
      return;
    }
    ::operator delete(p, size);
  }
  // KeptBlocks is how many blocks this thread keeps now (for tests).
  static size_t KeptBlocks() { return Stack::Size(); }

 private:
  struct Free {
    void operator()(void* p) const { ::operator delete(p, sizeof(T)); }
  };
  using Block = std::unique_ptr<void, Free>;
  using Stack = ThreadStack<BlockRecycler, Block, kKeep>;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_BLOCK_RECYCLER_H_
