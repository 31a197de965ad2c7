#include "runtime/client/winner_memory.h"

#include <algorithm>
#include <iterator>

namespace strata {
namespace {

// Past this many origins, expired entries are swept on each Remember; and
// never more than kMaxOrigins are kept (the one expiring first goes): a
// client crawling many origins must not grow this without bound.
constexpr size_t kSweepAbove = 1024;
constexpr size_t kMaxOrigins = 4096;

}  // namespace

void WinnerMemory::Remember(const std::string& key, size_t index, uint64_t now_ms, uint64_t for_ms) {
  if (for_ms == 0) {
    winners_.erase(key);
    return;
  }
  if (winners_.size() > kSweepAbove) DropExpired(now_ms);
  if (winners_.size() >= kMaxOrigins && !winners_.count(key)) {
    auto soonest = std::min_element(winners_.begin(), winners_.end(), [](const auto& a, const auto& b) {
      return a.second.expires_ms < b.second.expires_ms;
    });
    winners_.erase(soonest);
  }
  winners_[key] = Recall{index, now_ms + for_ms};
}

std::optional<WinnerMemory::Recall> WinnerMemory::Lookup(const std::string& key, uint64_t now_ms) {
  auto it = winners_.find(key);
  if (it == winners_.end()) return std::nullopt;
  if (now_ms >= it->second.expires_ms) {
    winners_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void WinnerMemory::DropExpired(uint64_t now_ms) {
  for (auto it = winners_.begin(); it != winners_.end();) {
    it = now_ms >= it->second.expires_ms ? winners_.erase(it) : std::next(it);
  }
}

}  // namespace strata
