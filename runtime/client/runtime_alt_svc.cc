// runtime_alt_svc.cc — the runtime's alternative-services cache (RFC 7838):
// every final https response's Alt-Svc fields are recorded, keyed as curl
// keys them, so a cache file is interchangeable with curl's --alt-svc file.
// Plain http responses are not trusted to advertise alternatives (§2.1:
// the alternative must be as authoritative as the origin; curl likewise
// reads Alt-Svc over TLS only).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/client/runtime.h"

namespace strata {

AltSvcCache& Runtime::AltSvc() {
  if (!alt_svc_) alt_svc_ = std::make_unique<AltSvcCache>();
  return *alt_svc_;
}

void Runtime::EnableAltSvc(bool enabled) {
  if (enabled) AltSvc();
  alt_svc_enabled_ = enabled;
}

void Runtime::StoreAltSvc(const Transfer* t, const FieldBlock& headers) {
  if (!alt_svc_enabled_ || t->hop_request_.url.scheme != "https") return;
  // Several field lines are one list (RFC 9110 §5.3).
  std::string value;
  for (FieldView h : headers) {
    if (!absl::EqualsIgnoreCase(h.name, "Alt-Svc")) continue;
    if (!value.empty()) value += ", ";
    value.append(h.value.data(), h.value.size());
  }
  if (value.empty()) return;
  const int32_t version = t->h_.http_version;
  const char* src_alpn = version == 30 ? "h3" : version == 20 ? "h2" : "h1";
  const Url& url = t->hop_request_.url;
  AltSvcField field = ParseAltSvc(value);
  std::vector<AltSvcEntry> added =
      alt_svc_->Apply(src_alpn, url.host, url.port, field, absl::ToUnixSeconds(absl::Now()));
  if (!Wants(STRATA_EVENT_TRACE)) return;
  auto trace = [&](const std::string& message) {
    Emit(STRATA_EVENT_TRACE, t->hop_, "alt-svc", message, url.ToString(false), 0, 0, "",
         MonotonicUs() - t->started_us_, t);
  };
  if (field.clear) trace("alt-svc: clear (the origin's alternatives are forgotten)");
  for (const AltSvcEntry& e : added) {
    // curl -v says "Added alt-svc: host:port over h3".
    trace(absl::StrCat("Added alt-svc: ", e.dst_host, ":", e.dst_port, " over ", e.dst_alpn));
  }
  for (const std::string& why : field.dropped) trace(absl::StrCat("alt-svc ignored: ", why));
}

}  // namespace strata
