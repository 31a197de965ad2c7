// header_list_recycler.h — a per-thread stack of emptied header lists that
// keep their storage. A transfer's hop request takes one at submission and
// gives it back when the transfer is destroyed: copying the request's fields
// and adding the defaults (User-Agent, Accept…) into a fresh vector was an
// allocation per request, the last one outside the request and response
// objects.
//
// A list is kept only if its capacity is at most kMaxFields (a request with
// a hundred fields does not pin that much per kept list), and at most kKeep
// lists per thread (thread_stack.h); the rest are freed, and a thread's
// lists when it exits.
// Under AddressSanitizer nothing is kept (kRecycleBlocks), so a use of a
// freed list is still reported.
#ifndef STRATA_RUNTIME_CLIENT_HEADER_LIST_RECYCLER_H_
#define STRATA_RUNTIME_CLIENT_HEADER_LIST_RECYCLER_H_

#include <cstddef>
#include <utility>

#include "runtime/client/thread_stack.h"
#include "runtime/http/message.h"

namespace strata {

class HeaderListRecycler {
 public:
  static constexpr size_t kKeep = 256;
  static constexpr size_t kMaxFields = 32;

  // Take returns an empty list, with storage if one was kept.
  static Headers Take() {
    Headers h;
    Stack::Pop(&h);
    return h;
  }

  // Give empties |h| and keeps its storage for a later Take, or frees it.
  static void Give(Headers&& h) {
    if (!kRecycleBlocks || h.capacity() == 0 || h.capacity() > kMaxFields) return;
    h.clear();
    Stack::Push(std::move(h));
  }

  // Kept is how many lists this thread keeps now (for tests).
  static size_t Kept() { return Stack::Size(); }

 private:
  using Stack = ThreadStack<HeaderListRecycler, Headers, kKeep>;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_HEADER_LIST_RECYCLER_H_
