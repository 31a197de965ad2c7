// header_list_recycler.h — a per-thread stack of emptied header lists that
// keep their storage. A transfer's hop request takes one at submission and
// gives it back when the transfer is destroyed: copying the request's fields
// and adding the defaults (User-Agent, Accept…) into a fresh vector was an
// allocation per request, the last one outside the request and response
// objects.
//
// A list is kept only if its capacity is at most kMaxFields (a request with
// a hundred fields does not pin that much per kept list), and at most kKeep
// lists per thread; the rest are freed, and a thread's lists when it exits.
// Under AddressSanitizer nothing is kept (kRecycleBlocks), so a use of a
// freed list is still reported.
#ifndef STRATA_RUNTIME_CLIENT_HEADER_LIST_RECYCLER_H_
#define STRATA_RUNTIME_CLIENT_HEADER_LIST_RECYCLER_H_

#include <cstddef>
#include <utility>
#include <vector>

#include "runtime/client/block_recycler.h"
#include "runtime/http/message.h"

namespace strata {

class HeaderListRecycler {
 public:
  static constexpr size_t kKeep = 256;
  static constexpr size_t kMaxFields = 32;

  // Take returns an empty list, with storage if one was kept.
  static Headers Take() {
    std::vector<Headers>* kept = Stack();
    if (kept == nullptr || kept->empty()) return Headers();
    Headers h = std::move(kept->back());
    kept->pop_back();
    return h;
  }

  // Give empties |h| and keeps its storage for a later Take, or frees it.
  static void Give(Headers&& h) {
    if (!kRecycleBlocks || h.capacity() == 0 || h.capacity() > kMaxFields) return;
    std::vector<Headers>* kept = Stack();
    if (kept == nullptr || kept->size() >= kKeep) return;
    h.clear();
    kept->push_back(std::move(h));
  }

  // Kept is how many lists this thread keeps now (for tests).
  static size_t Kept() {
    std::vector<Headers>* kept = Stack();
    return kept ? kept->size() : 0;
  }

 private:
  struct Lists {
    std::vector<Headers> lists;
    ~Lists() { Gone() = true; }
  };
  // Set once the thread's stack is destroyed: a transfer destroyed later in
  // the thread's exit (say a runtime freed by a static destructor) frees
  // its list instead of using the destroyed stack. A bool has no
  // destructor, so it stays readable to the end.
  static bool& Gone() {
    thread_local bool gone = false;
    return gone;
  }
  static std::vector<Headers>* Stack() {
    if (Gone()) return nullptr;
    thread_local Lists kept;
    return &kept.lists;
  }
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_HEADER_LIST_RECYCLER_H_
