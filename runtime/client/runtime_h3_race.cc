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

std::string Bracketed(const std::string& host) {
  return host.find(':') != std::string::npos && host.front() != '[' ? absl::StrCat("[", host, "]") : host;
}

}  // namespace

bool Runtime::PlanH3Race(Transfer* t) {
  const Url& url = t->hop_request_.url;
  const RequestOptions& ro = t->request_.options;
  if (url.scheme != "https" || !ro.unix_socket.empty() || !ro.pipeline.empty()) return true;
  const bool asked = ro.http_version == STRATA_HTTP_VERSION_3;
  if (!asked && ro.http_version != STRATA_HTTP_VERSION_DEFAULT) return true;
  if (config_.pipelines.find(kH3Template) == config_.pipelines.end()) return true;
  std::optional<AltSvcEntry> alt;
  const int64_t unix_now = absl::ToUnixSeconds(absl::Now());
  if (alt_svc_enabled_) alt = alt_svc_->Lookup(url.host, url.port, "h3", unix_now);
  if (!alt && !asked) {
    // The default version races only for an advertised alternative; say
    // why one that is known is not tried.
    if (alt_svc_enabled_) {
      if (std::optional<AltSvcEntry> broken = alt_svc_->Lookup(url.host, url.port, "h3", unix_now, true)) {
        EmitRace(t, absl::StrCat("h3 ", broken->dst_host, ":", broken->dst_port,
                                 " (alt-svc) is marked broken (its QUIC failed lately); TCP only"));
      }
    }
    return true;
  }

  // The TCP chain is the hop's usual plan (the default version).
  RequestOptions tcp_options = ro;
  tcp_options.http_version = STRATA_HTTP_VERSION_DEFAULT;
  absl::StatusOr<HopPlan> tcp = planner_->Plan(url, tcp_options, t->hop_);
  // Through a proxy (QUIC cannot be tunnelled) or with a planning error,
  // there is no race: the usual planning says what to do.
  if (!tcp.ok() || !tcp->target.proxies.empty() || !tcp->target.proxy_host.empty()) return true;
  InsertAboveBottom(ro.layer_above_bottom, &*tcp);

  RequestOptions h3_options = ro;
  h3_options.http_version = STRATA_HTTP_VERSION_3_ONLY;
  const std::string h3_host = alt ? alt->dst_host : Bracketed(url.host);
  const uint16_t h3_port = alt ? alt->dst_port : url.port;
  if (alt) {
    // Where the alternative is, ahead of the application's own entries.
    h3_options.connect_to.insert(h3_options.connect_to.begin(),
                                 absl::StrCat(Bracketed(url.host), ":", url.port, ":", alt->dst_host, ":", alt->dst_port));
  }
  absl::StatusOr<HopPlan> h3 = planner_->Plan(url, h3_options, t->hop_);
  if (!h3.ok()) return true;
  InsertAboveBottom(ro.layer_above_bottom, &*h3);

  std::vector<HopRace::Candidate> candidates(2);
  candidates[0].label = absl::StrCat("h3 ", h3_host, ":", h3_port, alt ? " (alt-svc)" : "");
  candidates[0].plan = *std::move(h3);
  candidates[0].quic = true;
  candidates[1].label = "tcp";
  candidates[1].plan = *std::move(tcp);
  const std::string key = absl::StrCat("h3\n", url.scheme, "://", url.HostPort(), "\n", h3_host, ":", h3_port);
  const uint64_t now = MonotonicMs();
  const bool h3_broken = alt_svc_enabled_ && alt_svc_->IsBroken("h3", h3_host, h3_port, unix_now);
  if (h3_broken) {
    // --http3 to an origin whose QUIC failed lately: TCP only, for now.
    EmitRace(t, absl::StrCat("h3 ", h3_host, ":", h3_port, " is marked broken (a QUIC handshake failed lately); TCP only"));
    t->h_.plan = std::move(candidates[1].plan);
    return policies_->empty() || ApplyHopPolicies(t);
  }
  if (std::optional<WinnerMemory::Recall> recall = winners_.Lookup(key, now); recall && recall->index < 2) {
    HopRace::Candidate& c = candidates[recall->index];
    EmitRace(t, absl::StrCat("remembered winner: ", c.label, " for ", url.scheme, "://", url.HostPort(), ", for ",
                             recall->expires_ms - now, " ms more; no race"));
    t->h_.plan = std::move(c.plan);
    t->h_.remembered_key = key;
    return policies_->empty() || ApplyHopPolicies(t);
  }
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
