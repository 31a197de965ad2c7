#include "plugins/tls/session_cache.h"

namespace strata::tls {

SessionCache& SessionCache::Global() {
  static SessionCache cache(256);
  return cache;
}

void SessionCache::Put(const std::string& key, bssl::UniquePtr<SSL_SESSION> session) {
  if (!session || capacity_ == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.emplace_front(key, std::move(session));
  index_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

bssl::UniquePtr<SSL_SESSION> SessionCache::Get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  SSL_SESSION* s = it->second->second.get();
  SSL_SESSION_up_ref(s);
  return bssl::UniquePtr<SSL_SESSION>(s);
}

void SessionCache::Drop(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = index_.find(key); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
}

size_t SessionCache::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace strata::tls
