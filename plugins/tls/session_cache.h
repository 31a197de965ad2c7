// session_cache.h — TLS sessions kept for resumption, process-wide.
//
// The key must name everything that makes a session usable: the peer (host,
// port, SNI name), whether we reach it inside another TLS layer, and every
// setting that changes what was verified or negotiated (trust, client cert,
// versions, suites, ALPN; see SettingsFingerprint). A session learnt under
// one key is never offered under another: curl CVE-2021-22890 and
// CVE-2022-27782 came from caches keyed too loosely.
//
// Bounded (least recently used entries go first) and guarded by a mutex, so
// runtimes on different threads may share it.
#ifndef STRATA_PLUGINS_TLS_SESSION_CACHE_H_
#define STRATA_PLUGINS_TLS_SESSION_CACHE_H_

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include <openssl/ssl.h>

namespace strata::tls {

class SessionCache {
 public:
  explicit SessionCache(size_t capacity) : capacity_(capacity) {}
  SessionCache(const SessionCache&) = delete;
  SessionCache& operator=(const SessionCache&) = delete;

  // Global is the plugin's one cache (256 entries).
  static SessionCache& Global();

  // Put stores |session| under |key|, replacing an older one: a server sends
  // fresh tickets on every connection and TLS 1.3 tickets are best used once.
  void Put(const std::string& key, bssl::UniquePtr<SSL_SESSION> session);
  // Get returns a new reference to the session under |key|, or null.
  bssl::UniquePtr<SSL_SESSION> Get(const std::string& key);
  // Drop forgets |key| (after a handshake that failed to verify, say).
  void Drop(const std::string& key);
  size_t size();

 private:
  using Entry = std::pair<std::string, bssl::UniquePtr<SSL_SESSION>>;
  std::mutex mu_;
  size_t capacity_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace strata::tls

#endif  // STRATA_PLUGINS_TLS_SESSION_CACHE_H_
