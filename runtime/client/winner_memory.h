// winner_memory.h — which candidate won a hop's race, per origin, for a
// while (proxy.remember_ms), so the next hop to that origin goes straight to
// it instead of racing again (as browsers keep a PAC result's working proxy).
//
// Keyed by the caller's string (the origin, scheme://host:port, and the list
// raced), valued by the winner's index in that list. Pure: the caller gives
// the time, so tests need no clock. One per runtime; not thread-safe (a
// runtime belongs to one thread at a time).
#ifndef STRATA_RUNTIME_CLIENT_WINNER_MEMORY_H_
#define STRATA_RUNTIME_CLIENT_WINNER_MEMORY_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace strata {

class WinnerMemory {
 public:
  struct Recall {
    size_t index;
    uint64_t expires_ms;
  };
  // Remember |index| under |key| until |now_ms| + |for_ms| (0: not at all).
  void Remember(const std::string& key, size_t index, uint64_t now_ms, uint64_t for_ms);
  // Recall returns the winner remembered under |key|, unless it expired
  // (an expired one is forgotten).
  std::optional<Recall> Lookup(const std::string& key, uint64_t now_ms);
  // Forget drops |key|'s winner (it failed: race again).
  void Forget(const std::string& key) { winners_.erase(key); }
  size_t size() const { return winners_.size(); }

 private:
  // Bounded: past 1024 origins the expired ones are forgotten whenever a
  // new one is remembered, and past 4096 the one expiring first.
  void DropExpired(uint64_t now_ms);
  std::map<std::string, Recall> winners_;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_WINNER_MEMORY_H_
