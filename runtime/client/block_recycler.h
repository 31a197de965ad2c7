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
// kKeep blocks are kept per thread; the rest are freed, and a thread's
// blocks are freed when it exits. Under AddressSanitizer nothing is kept, so
// a use after free is still reported.
#ifndef STRATA_RUNTIME_CLIENT_BLOCK_RECYCLER_H_
#define STRATA_RUNTIME_CLIENT_BLOCK_RECYCLER_H_

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace strata {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kRecycleBlocks = false;
#else
inline constexpr bool kRecycleBlocks = true;
#endif

template <typename T, size_t kKeep = 256>
class BlockRecycler {
 public:
  static void* Take(size_t size) {
    if (kRecycleBlocks && size == sizeof(T)) {
      Kept* kept = Stack();
      if (kept != nullptr && !kept->blocks.empty()) {
        void* p = kept->blocks.back();
        kept->blocks.pop_back();
        return p;
      }
    }
    return ::operator new(size);
  }
  static void Give(void* p, size_t size) {
    if (kRecycleBlocks && size == sizeof(T) && p != nullptr) {
      Kept* kept = Stack();
      if (kept != nullptr && kept->blocks.size() < kKeep) {
        kept->blocks.push_back(p);
        return;
      }
    }
    ::operator delete(p, size);
  }
  // KeptBlocks is how many blocks this thread keeps now (for tests).
  static size_t KeptBlocks() {
    Kept* kept = Stack();
    return kept ? kept->blocks.size() : 0;
  }

 private:
  struct Kept {
    std::vector<void*> blocks;
    Kept() { blocks.reserve(kKeep); }
    ~Kept() {
      for (void* p : blocks) ::operator delete(p, sizeof(T));
      Gone() = true;
    }
  };
  // Set once the thread's stack is destroyed: an object freed later in the
  // thread's exit (say by a static destructor) goes to malloc instead of
  // the destroyed stack. A bool has no destructor, so it stays readable.
  static bool& Gone() {
    thread_local bool gone = false;
    return gone;
  }
  static Kept* Stack() {
    if (Gone()) return nullptr;
    thread_local Kept kept;
    return &kept;
  }
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_BLOCK_RECYCLER_H_
