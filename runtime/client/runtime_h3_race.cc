// runtime_h3_race.cc — HTTP/3 raced against TCP (curl's --http3, and an
// Alt-Svc h3 alternative, RFC 7838): the h3 chain (udp → h3) starts first,
// the default TCP chain (tcp → tls → h2-alpn) kH3StaggerMs later unless h3
// is ready by then; the first whole chain ready carries the request. The
// race itself is the proxy list's (runtime_race.cc, CandidateRace); this
// file decides when there is one and what its two candidates are.
//
// The h3 candidate goes to the Alt-Svc alternative when the cache has one
// (connect-to style: the chain still names the origin, for SNI, :authority
// and verification), else to the URL's own host and port. A failed QUIC
// handshake marks that alternative broken in the cache for
// kAltSvcBrokenSeconds, so later hops go straight to TCP; the winner is
// remembered per origin for kH3RememberMs.
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/client/layer_insertion.h"
#include "runtime/client/runtime.h"

namespace strata {
namespace {

// curl's happy-eyeballs delay between QUIC and TCP (200 ms).
constexpr uint64_t kH3StaggerMs = 200;
// How long a race's winner is used without racing again.
constexpr uint64_t kH3RememberMs = 300000;
// How long a failed alternative is not offered again (as browsers do, 5 min).
constexpr int64_t kAltSvcBrokenSeconds = 300;
constexpr char kH3Template[] = "https+h3";

}  // namespace

bool Runtime::PlanH3Race(Transfer* t) {
  const Url& url = t->hop_request_.url;
  const RequestOptions& ro = t->request_.options;
  const bool asked = ro.http_version == STRATA_HTTP_VERSION_3;
  // Every hop comes here: the cheap refusals first. The default version
  // races only for an advertised alternative, so only with the cache on.
  if (!asked && (ro.http_version != STRATA_HTTP_VERSION_DEFAULT || !alt_svc_enabled_)) return true;
  if (url.scheme != "https" || !ro.unix_socket.empty() || !ro.pipeline.empty()) return true;
  if (config_.pipelines.find(kH3Template) == config_.pipelines.end()) return true;
  const int64_t unix_now = absl::ToUnixSeconds(absl::Now());
  std::optional<AltSvcEntry> alt;
  if (alt_svc_enabled_) alt = alt_svc_->Lookup(url.host, url.port, "h3", unix_now);
  if (!alt && !asked) {
    // Say why a known alternative is not tried.
    if (std::optional<AltSvcEntry> broken = alt_svc_->Lookup(url.host, url.port, "h3", unix_now, true)) {
      EmitRace(t, absl::StrCat("h3 ", broken->dst_host, ":", broken->dst_port,
                               " (alt-svc) is marked broken (its QUIC failed lately); TCP only"));
    }
    return true;
  }
  // Without a usable alternative, --http3 goes to the URL's own port.
  const std::string h3_host = alt ? alt->dst_host : NormalizeAltSvcHost(url.host);
  const uint16_t h3_port = alt ? alt->dst_port : url.port;
  if (!alt && alt_svc_enabled_ && alt_svc_->IsBroken("h3", h3_host, h3_port, unix_now)) {
    EmitRace(t, absl::StrCat("h3 ", h3_host, ":", h3_port, " is marked broken (its QUIC failed lately); TCP only"));
    return true;
  }

  // Candidate 0 is the h3 chain (to the alternative, connect-to style,
  // ahead of the application's own entries), 1 the TCP chain.
  auto plan = [&](bool quic) {
    RequestOptions o = ro;
    o.http_version = quic ? STRATA_HTTP_VERSION_3_ONLY : STRATA_HTTP_VERSION_DEFAULT;
    if (quic && alt) {
      o.connect_to.insert(o.connect_to.begin(), absl::StrCat(url.HostPort(), ":", alt->dst_host, ":", alt->dst_port));
    }
    absl::StatusOr<HopPlan> p = planner_->Plan(url, o, t->hop_);
    if (p.ok()) InsertAboveBottom(ro.layer_above_bottom, &*p);
    return p;
  };
  const std::string h3_label = absl::StrCat("h3 ", h3_host, ":", h3_port, alt ? " (alt-svc)" : "");
  const std::string key = absl::StrCat("h3\n", url.scheme, "://", url.HostPort(), "\n", h3_host, ":", h3_port);
  const uint64_t now = MonotonicMs();
  if (std::optional<WinnerMemory::Recall> recall = winners_.Lookup(key, now); recall && recall->index < 2) {
    // Only the remembered way is planned. An h3 plan fails through a proxy
    // (QUIC cannot be tunnelled): the usual planning then.
    absl::StatusOr<HopPlan> remembered = plan(recall->index == 0);
    if (!remembered.ok()) return true;
    EmitRace(t, absl::StrCat("remembered winner: ", recall->index == 0 ? h3_label : "tcp", " for ", url.scheme,
                             "://", url.HostPort(), ", for ", recall->expires_ms - now, " ms more; no race"));
    t->h_.plan = std::make_shared<const HopPlan>(*std::move(remembered));
    t->h_.remembered_key = key;
    return policies_->empty() || ApplyHopPolicies(t);
  }
  absl::StatusOr<HopPlan> tcp = plan(false);
  // Through a proxy (QUIC cannot be tunnelled) or with a planning error,
  // there is no race: the usual planning says what to do.
  if (!tcp.ok() || !tcp->target.proxies.empty() || !tcp->target.proxy_host.empty()) return true;
  absl::StatusOr<HopPlan> h3 = plan(true);
  if (!h3.ok()) return true;
  std::vector<HopRace::Candidate> candidates(2);
  candidates[0].label = h3_label;
  candidates[0].plan = *std::move(h3);
  candidates[0].quic = true;
  candidates[1].label = "tcp";
  candidates[1].plan = *std::move(tcp);
  auto race = std::make_unique<HopRace>(std::move(candidates), kH3StaggerMs, key);
  race->what = "HTTP/3 or TCP";
  race->remember_ms = kH3RememberMs;
  StartRace(t, std::move(race), {});
  return false;
}

void Runtime::NoteCandidateLost(Transfer* t, const HopRace::Candidate& c, CandidateState how) {
  if (!c.quic || !c.plan || how == CandidateState::kCancelled || how == CandidateState::kPolicyRefused) return;
  const Target& target = c.plan->target;
  const std::string host = target.connect_host.empty() ? target.host : target.connect_host;
  const uint16_t port = target.connect_port ? target.connect_port : target.port;
  AltSvc().MarkBroken("h3", host, port, absl::ToUnixSeconds(absl::Now()) + kAltSvcBrokenSeconds);
  EmitRace(t, absl::StrCat("h3 ", host, ":", port, " marked broken for ", kAltSvcBrokenSeconds, " s"));
}

}  // namespace strata
