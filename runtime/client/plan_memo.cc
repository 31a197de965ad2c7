#include "runtime/client/plan_memo.h"

namespace strata {
namespace {

// SameJson is equality that also tells number types apart (1, 1u and 1.0
// are equal to nlohmann's operator== but not in the fingerprint, nor to a
// layer that insists on an integer). No allocation.
bool SameJson(const nlohmann::json& a, const nlohmann::json& b) {
  if (a.type() != b.type()) return false;
  if (a.is_object()) {
    if (a.size() != b.size()) return false;
    for (auto it = a.begin(); it != a.end(); ++it) {
      auto other = b.find(it.key());
      if (other == b.end() || !SameJson(it.value(), *other)) return false;
    }
    return true;
  }
  if (a.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SameJson(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

bool PlanMemo::Memoizable(const RequestOptions& o) {
  return !o.proxy.has_value() && !o.proxy_credentials.has_value() && !o.no_proxy.has_value() &&
         o.proxy_tunnel < 0 && o.proxy_http2 < 0 && !o.preproxies.has_value() && o.unix_socket.empty() &&
         o.connect_to.empty() && o.pipeline.empty() && o.resolve.empty() && o.interface.empty() && o.local_port == 0 &&
         o.local_port_range == 1;
}

PlanPtr PlanMemo::Find(const Url& url, const RequestOptions& o) const {
  for (const Entry& e : entries_) {
    if (e.plan && e.port == url.port && e.http_version == o.http_version &&
        e.connect_timeout_ms == o.connect_timeout_ms && e.host == url.host && e.scheme == url.scheme &&
        SameJson(e.layer_options, o.layer_options)) {
      return e.plan;
    }
  }
  return nullptr;
}

void PlanMemo::Put(const Url& url, const RequestOptions& o, PlanPtr plan) {
  if (!Memoizable(o)) return;
  Entry& e = entries_[next_];
  next_ = (next_ + 1) % kEntries;
  e.scheme = url.scheme;
  e.host = url.host;
  e.port = url.port;
  e.http_version = o.http_version;
  e.connect_timeout_ms = o.connect_timeout_ms;
  e.layer_options = o.layer_options;
  e.plan = std::move(plan);
}

}  // namespace strata
