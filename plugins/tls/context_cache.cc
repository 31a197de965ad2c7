#include "plugins/tls/context_cache.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace strata::tls {
namespace {

// FileStamp identifies a file's current content well enough to notice a
// replacement: size and modification time (ns). Missing files stamp as "-";
// building the context then reports the error.
std::string FileStamp(const std::string& path) {
  if (path.empty()) return "";
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return "-";
  return absl::StrCat(static_cast<long long>(st.st_size), "@", static_cast<long long>(st.st_mtim.tv_sec), ".",
                      static_cast<long long>(st.st_mtim.tv_nsec));
}

}  // namespace

ContextCache& ContextCache::Global() {
  static ContextCache* cache = new ContextCache(64);  // never destroyed: plugins unload in any order
  return *cache;
}

bssl::UniquePtr<SSL_CTX> ContextCache::Get(const std::string& key,
                                           const std::function<bssl::UniquePtr<SSL_CTX>()>& build,
                                           bool* out_shared) {
  std::lock_guard<std::mutex> lock(mu_);
  *out_shared = false;
  auto it = index_.find(key);
  if (it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
    SSL_CTX* ctx = it->second->second.get();
    SSL_CTX_up_ref(ctx);
    *out_shared = true;
    return bssl::UniquePtr<SSL_CTX>(ctx);
  }
  bssl::UniquePtr<SSL_CTX> built = build();
  if (!built) return built;
  ++builds_;
  SSL_CTX_up_ref(built.get());
  lru_.emplace_front(key, bssl::UniquePtr<SSL_CTX>(built.get()));
  index_[key] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
  return built;
}

size_t ContextCache::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

size_t ContextCache::builds() {
  std::lock_guard<std::mutex> lock(mu_);
  return builds_;
}

std::string ContextKey(const TlsOptions& o) {
  const std::string ca_file = o.ca_file.empty() && o.ca_path.empty() ? kSystemCaBundle : o.ca_file;
  return absl::StrCat("verify=", o.verify ? 1 : 0, "\nca_file=", ca_file, "#", FileStamp(ca_file),
                      "\nca_path=", o.ca_path, "\ncert=", o.cert, "#", FileStamp(o.cert), "\nkey=", o.key, "#",
                      FileStamp(o.key), "\nversions=", VersionName(o.min_version), "-", VersionName(o.max_version),
                      "\nciphers=", absl::StrJoin(o.ciphers, ":"), "\ncurves=", absl::StrJoin(o.curves, ":"));
}

}  // namespace strata::tls
