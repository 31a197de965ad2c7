#include "runtime/client/connection_pool.h"

#include <algorithm>
#include <vector>

namespace strata {

ConnectionPool::~ConnectionPool() { Clear(); }

void ConnectionPool::Clear() {
  for (PoolEntry& e : entries_) {
    if (e.idle_timer) loop_->CancelTimer(e.idle_timer);
  }
  index_.clear();
  entries_.clear();
}

PoolEntry* ConnectionPool::Add(std::unique_ptr<Connection> conn, std::string fingerprint) {
  entries_.push_back(PoolEntry{});
  auto it = std::prev(entries_.end());
  it->conn = std::move(conn);
  it->fingerprint = std::move(fingerprint);
  index_[it->conn.get()] = it;
  return &*it;
}

PoolEntry* ConnectionPool::Find(Connection* conn) const {
  auto it = index_.find(conn);
  return it == index_.end() ? nullptr : &*it->second;
}

void ConnectionPool::Remove(PoolEntry* entry) {
  if (entry->idle_timer) loop_->CancelTimer(entry->idle_timer);
  auto it = index_.find(entry->conn.get());
  if (it == index_.end()) return;
  auto node = it->second;
  index_.erase(it);
  entries_.erase(node);
}

void ConnectionPool::Acquire(PoolEntry* e) {
  if (e->idle_timer) {
    loop_->CancelTimer(e->idle_timer);
    e->idle_timer = 0;
  }
  e->active++;
}

void ConnectionPool::Release(PoolEntry* e, bool streaming, bool reusable) {
  if (streaming && e->active > 0) e->active--;
  e->used = true;
  Connection* c = e->conn.get();
  if (!reusable || !c->IsReusable()) {
    if (e->active == 0 && e->connecting_for == nullptr) Remove(e);
    return;
  }
  if (e->active > 0) return;
  ArmIdleTimer(e);
  TrimIdle(e->fingerprint);
}

void ConnectionPool::ArmIdleTimer(PoolEntry* e) {
  Connection* c = e->conn.get();
  e->idle_since_ms = MonotonicMs();
  if (config_->idle_timeout_ms > 0 && !e->idle_timer) {
    e->idle_timer = loop_->AddTimer(e->idle_since_ms + config_->idle_timeout_ms, [this, c] {
      PoolEntry* entry = Find(c);
      if (!entry) return;
      entry->idle_timer = 0;
      if (entry->active == 0 && entry->connecting_for == nullptr) Remove(entry);
    });
  }
}

void ConnectionPool::EndTunnel(PoolEntry* e) {
  if (e->active > 0) e->active--;
  e->used = true;
  if (e->active > 0 || e->connecting_for != nullptr || !e->conn->IsReusable()) return;
  ArmIdleTimer(e);
}

void ConnectionPool::TrimIdle(const std::string& fingerprint) {
  const size_t limit = std::max<size_t>(static_cast<size_t>(std::max<int64_t>(config_->max_idle_per_origin, 0)), peak_);
  auto is_idle = [&](const PoolEntry& e) { return e.active == 0 && !e.connecting_for && e.fingerprint == fingerprint; };
  // Counted first: this runs whenever a connection goes idle (every HTTP/1
  // exchange), and is almost always under the limit.
  size_t count = 0;
  for (const PoolEntry& e : entries_) count += is_idle(e) ? 1 : 0;
  if (count <= limit) return;
  std::vector<PoolEntry*> idle;
  idle.reserve(count);
  for (PoolEntry& e : entries_) {
    if (is_idle(e)) idle.push_back(&e);
  }
  std::sort(idle.begin(), idle.end(), [](PoolEntry* a, PoolEntry* b) { return a->idle_since_ms < b->idle_since_ms; });
  const size_t excess = idle.size() - limit;
  for (size_t i = 0; i < excess; ++i) Remove(idle[i]);
}

void ConnectionPool::DriveMarked() {
  for (PoolEntry& e : entries_) {
    if (!e.needs_drive) continue;
    e.needs_drive = false;
    e.conn->Drive();
  }
}

bool ConnectionPool::SweepUnusable() {
  bool removed = false;
  for (auto it = entries_.begin(); it != entries_.end();) {
    PoolEntry& e = *it++;  // advance first: Remove erases the node
    const bool dead = e.conn->state() == Connection::State::kDead;
    const bool idle = e.active == 0 && e.connecting_for == nullptr;
    if (idle && (dead || (e.used && !e.conn->IsReusable()))) {
      Remove(&e);
      removed = true;
    }
  }
  return removed;
}

}  // namespace strata
