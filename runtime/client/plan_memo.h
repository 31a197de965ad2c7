// plan_memo.h — the plans of recent simple hops, so that the common request
// (no per-request proxy, socket or template) is not planned
// again for every transfer: planning is proxy choice, template choice and a
// fingerprint, about a tenth of a small HTTP/2 request's CPU.
//
// A plan depends only on the URL's scheme, host and port, the request
// options HopPlanner::Plan reads and the runtime's configuration, plugin
// registry and proxy environment, which do not change after the runtime is
// made. Memoizable() admits only requests whose options leave every one of
// those fields unset except the HTTP version, the connect timeout and the
// layer options, and those three are part of the key. The hop number is not: Find's caller sets
// it on its copy.
//
// OWNERSHIP: the plans are shared with the transfers that take them; they
// change only through MutablePlan, which copies a shared plan first.
#ifndef STRATA_RUNTIME_CLIENT_PLAN_MEMO_H_
#define STRATA_RUNTIME_CLIENT_PLAN_MEMO_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "runtime/client/hop_planner.h"
#include "runtime/http/message.h"
#include "runtime/url/url.h"

namespace strata {

class PlanMemo {
 public:
  // Memoizable is false when |options| set anything HopPlanner::Plan reads
  // besides the HTTP version, the connect timeout and the layer options. A
  // field Plan starts to read must be added here or to the key.
  static bool Memoizable(const RequestOptions& options);

  // Find returns the plan kept for |url| under |options|, or null.
  PlanPtr Find(const Url& url, const RequestOptions& options) const;
  // Put keeps |plan| for |url| under |options| (Memoizable ones only),
  // replacing the oldest entry when the memo is full.
  void Put(const Url& url, const RequestOptions& options, PlanPtr plan);

 private:
  // A few origins: a linear scan of them costs no allocation, where a hash
  // map keyed by strings would build a key per lookup.
  static constexpr size_t kEntries = 16;
  struct Entry {
    std::string scheme;
    std::string host;
    uint16_t port = 0;
    int64_t http_version = 0;
    int64_t connect_timeout_ms = 0;
    // The request's layer options (a CA file, say, set on every request):
    // compared as values, which costs no allocation, where planning with
    // them serializes them into the fingerprint.
    nlohmann::json layer_options;
    PlanPtr plan;
  };
  std::array<Entry, kEntries> entries_;
  size_t next_ = 0;  // the entry Put replaces next
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_PLAN_MEMO_H_
