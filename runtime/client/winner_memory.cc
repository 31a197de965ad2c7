#include "runtime/client/winner_memory.h"

namespace strata {
namespace {

// Past this many origins, expired entries are swept on each Remember.
constexpr size_t kSweepAbove = 1024;

}  // namespace

void WinnerMemory::Remember(const std::string& key, size_t index, uint64_t now_ms, uint64_t for_ms) {
  if (for_ms == 0) {
    winners_.erase(key);
    return;
  }
  if (winners_.size() > kSweepAbove) DropExpired(now_ms);
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
