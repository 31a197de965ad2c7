// connection_pool.h — the runtime's pooled connections: which exchanges each
// carries, which are idle, how many idle ones to keep and for how long.
//
// The pool owns its connections. Entries are found by connection in O(1)
// (every plugin callback names its connection) and by fingerprint when a
// hop looks for one to reuse. The idle pool follows the concurrency the
// application asked for: after N transfers ran at once, up to N idle
// connections per fingerprint are kept (the configured figure is a floor),
// each until its idle timeout; a pool sized by a fixed figure closes, during
// a burst, the very connections the next transfers need.
#ifndef STRATA_RUNTIME_CLIENT_CONNECTION_POOL_H_
#define STRATA_RUNTIME_CLIENT_CONNECTION_POOL_H_

#include <cstdint>
#include <list>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "runtime/chain/connection.h"
#include "runtime/config/config.h"
#include "runtime/loop/event_loop.h"

namespace strata {

class Transfer;

// ProxyLink is a shared HTTP/2 proxy connection as its tunnels (h2-connect
// layers of other connections) hold it. Its pool entry clears |conn| when
// it closes the connection, so a tunnel outliving it finds it gone.
struct ProxyLink {
  Connection* conn = nullptr;
  // The origin connections whose tunnel waits for this one to be ready:
  // its changes wake them (Runtime::OnActivity).
  std::set<Connection*> waiting;
};

// ProxyLinkHolder owns an entry's link and clears it when the entry goes.
class ProxyLinkHolder {
 public:
  ProxyLinkHolder() = default;
  ProxyLinkHolder(ProxyLinkHolder&& other) noexcept : link(std::move(other.link)) {}
  ProxyLinkHolder& operator=(ProxyLinkHolder&& other) noexcept {
    Clear();
    link = std::move(other.link);
    return *this;
  }
  ~ProxyLinkHolder() { Clear(); }
  std::shared_ptr<ProxyLink> link;

 private:
  void Clear() {
    if (link) link->conn = nullptr;
  }
};

struct PoolEntry {
  std::unique_ptr<Connection> conn;
  // Set on a shared HTTP/2 proxy connection (tunnels count in |active|).
  // Declared after |conn|, so it is cleared before the connection closes.
  ProxyLinkHolder proxy_link;
  // Set on an origin connection whose h2-connect tunnel runs on a shared
  // HTTP/2 proxy connection: that connection's TLS is this chain's too
  // (handshake policies check it).
  std::weak_ptr<ProxyLink> via_proxy;
  std::string fingerprint;
  int active = 0;                    // streams open on it
  Transfer* connecting_for = nullptr;  // the transfer it is being set up for
  bool used = false;                 // has carried an exchange before
  bool announced = false;            // CONNECT event emitted
  std::string chain;                 // Describe() once connected
  Connection::State seen_state = Connection::State::kConnecting;  // as last looked at
  EventLoop::TimerId idle_timer = 0;
  uint64_t idle_since_ms = 0;
  // Streams were opened (or bodies resumed) on it during this scheduling
  // pass: it is driven once at the end of the pass, so every request opened
  // in one turn leaves in one flush instead of one write each.
  bool needs_drive = false;
};

class ConnectionPool {
 public:
  // |loop| and |config| are borrowed and outlive the pool.
  ConnectionPool(EventLoop* loop, const Config::Pool* config) : loop_(loop), config_(config) {}
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Add takes |conn| into the pool under |fingerprint|.
  PoolEntry* Add(std::unique_ptr<Connection> conn, std::string fingerprint);
  // Find returns |conn|'s entry, or null if it is not (or no longer) pooled.
  PoolEntry* Find(Connection* conn) const;
  // Remove closes and forgets the entry's connection.
  void Remove(PoolEntry* entry);
  void Clear();

  // Acquire marks a stream opened on |entry| (no longer idle).
  void Acquire(PoolEntry* entry);
  // Release ends a stream (|streaming|) or a set-up on |entry|; a connection
  // that is not |reusable| is closed once nothing uses it, a reusable one
  // becomes idle (timer armed, pool trimmed to its size).
  void Release(PoolEntry* entry, bool streaming, bool reusable);

  // EndTunnel ends one tunnel on the shared proxy connection |entry|: idle
  // once none is left (timer armed; never closed here: an unusable one is
  // swept by SweepUnusable, outside any plugin call).
  void EndTunnel(PoolEntry* entry);

  // NoteConcurrency records that |running| transfers run at once.
  void NoteConcurrency(size_t running) {
    if (running > peak_) peak_ = running;
  }
  // DriveMarked drives every entry marked needs_drive.
  void DriveMarked();
  // SweepUnusable closes idle connections that are dead or can no longer
  // carry an exchange. Returns whether any was closed.
  bool SweepUnusable();

  std::list<PoolEntry>& entries() { return entries_; }
  size_t size() const { return entries_.size(); }

 private:
  void TrimIdle(const std::string& fingerprint);
  void ArmIdleTimer(PoolEntry* entry);

  EventLoop* loop_;
  const Config::Pool* config_;
  size_t peak_ = 0;
  std::list<PoolEntry> entries_;
  std::unordered_map<const Connection*, std::list<PoolEntry>::iterator> index_;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_CONNECTION_POOL_H_
