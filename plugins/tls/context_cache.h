// context_cache.h — SSL_CTX objects shared by every connection with the same
// context settings, process-wide.
//
// Building a context loads the trusted CA bundle (hundreds of certificates,
// about a millisecond) and the client certificate; doing that once per
// distinct setting instead of once per connection is most of a resumed
// handshake's client CPU. What differs per connection (SNI, ALPN, the host
// name checked, the session offered) is set on the SSL, never on the
// context, so sharing is safe.
//
// The key names every input of the context, including the size and mtime of
// the files it reads, so a CA bundle or client key replaced on disk is
// loaded afresh. Bounded (least recently used first out) and guarded by a
// mutex; an evicted context lives on in the connections that hold it
// (SSL_CTX is reference counted).
#ifndef STRATA_PLUGINS_TLS_CONTEXT_CACHE_H_
#define STRATA_PLUGINS_TLS_CONTEXT_CACHE_H_

#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include <openssl/ssl.h>

#include "plugins/tls/tls_options.h"

namespace strata::tls {

class ContextCache {
 public:
  explicit ContextCache(size_t capacity) : capacity_(capacity) {}
  ContextCache(const ContextCache&) = delete;
  ContextCache& operator=(const ContextCache&) = delete;

  // Global is the plugin's one cache (64 contexts).
  static ContextCache& Global();

  // Get returns a new reference to the context under |key|, building it
  // with |build| when there is none (a null result is returned as is and
  // not cached). *out_shared tells whether an existing context was handed
  // out. |build| runs under the cache's lock.
  bssl::UniquePtr<SSL_CTX> Get(const std::string& key, const std::function<bssl::UniquePtr<SSL_CTX>()>& build,
                               bool* out_shared);
  size_t size();
  // Builds counts contexts built so far (for tests and benchmarks).
  size_t builds();

 private:
  using Entry = std::pair<std::string, bssl::UniquePtr<SSL_CTX>>;
  std::mutex mu_;
  size_t capacity_;
  size_t builds_ = 0;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// ContextKey is every input of a context built from |options|: trust (with
// the CA file's size and mtime), the client certificate and key (likewise),
// versions, ciphers and curves. ALPN, SNI and the session are per SSL and
// not part of it.
std::string ContextKey(const TlsOptions& options);

}  // namespace strata::tls

#endif  // STRATA_PLUGINS_TLS_CONTEXT_CACHE_H_
