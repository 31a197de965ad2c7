// runtime.h — the strata runtime: configuration, plugins, the event loop,
// the connection pool and the scheduler that moves transfers through their
// hops. The C API (runtime/capi) is a thin layer over this class.
//
// Scheduling model: plugin callbacks (stream events, layer logs) only record
// facts; Schedule() acts on them afterwards — opening streams, pooling or
// closing connections, following redirects, finishing transfers — so no
// structure changes underneath a plugin call.
#ifndef STRATA_RUNTIME_CLIENT_RUNTIME_H_
#define STRATA_RUNTIME_CLIENT_RUNTIME_H_

#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "runtime/chain/connection.h"
#include "runtime/client/transfer.h"
#include "runtime/config/config.h"
#include "runtime/loop/event_loop.h"
#include "runtime/plugin/registry.h"
#include "strata/strata.h"

namespace strata {

class Runtime : public ConnectionListener {
 public:
  static absl::StatusOr<std::unique_ptr<Runtime>> Create(absl::string_view config_json);
  ~Runtime() override;
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Config& config() const { return config_; }
  const PluginRegistry& registry() const { return *registry_; }
  EventLoop& loop() { return loop_; }

  // Submit starts |request|. The transfer is owned by the caller, who must
  // call Forget() before deleting it.
  std::unique_ptr<Transfer> Submit(const Request& request, void* user);
  // SubmitOn runs |request| on |conn| (low-level API: no pool, no redirects).
  std::unique_ptr<Transfer> SubmitOn(Connection* conn, const Request& request);
  void Cancel(Transfer* transfer);
  // Resume asks a body reader that returned STRATA_AGAIN again, on the next
  // scheduling pass (strata_transfer_resume).
  // The application's call marks the transfer as one that resumes itself
  // (no retry timer for its paused reader from then on).
  void Resume(Transfer* transfer, bool by_application = false);
  void Forget(Transfer* transfer);

  // RunOnce waits at most |timeout_ms| for events (-1: until one) and
  // schedules. *out_running: transfers not done yet.
  void RunOnce(int64_t timeout_ms, size_t* out_running);
  Transfer* NextDone();
  int fd() const { return loop_.fd(); }
  int64_t TimeoutMs() const;

  void SetEventCallback(strata_event_fn fn, void* user, uint32_t mask);

  // OpenConnection builds pipeline |pipeline| to host:port, not pooled, and
  // returns it still connecting; the caller drives the loop.
  absl::StatusOr<std::unique_ptr<Connection>> OpenConnection(const std::string& pipeline,
                                                             const std::string& host, uint16_t port);

  // For Transfer.
  void EmitResponseHead(Transfer* transfer, const strata_response_head& head);
  bool FollowRedirects(const Request& request) const;
  int64_t MaxBodyBytes(const Request& request) const;
  void MarkDirty() { dirty_ = true; }

  // ConnectionListener.
  void OnLayerLog(Connection* conn, const std::string& layer, int32_t level, const std::string& message) override;
  void OnActivity(Connection* conn) override;

 private:
  struct PoolEntry {
    std::unique_ptr<Connection> conn;
    std::string fingerprint;
    int active = 0;                // streams open on it
    Transfer* connecting_for = nullptr;
    bool used = false;             // has carried an exchange before
    bool announced = false;        // CONNECT event emitted
    std::string chain;             // Describe() once connected
    EventLoop::TimerId idle_timer = 0;
    uint64_t idle_since_ms = 0;
    // Streams were opened on it during this scheduling pass: drive it once
    // at the end of the pass, so every request opened in one turn leaves in
    // one flush (one write, one TLS record run) instead of one each.
    bool needs_drive = false;
  };
  struct HopPlan {
    // The template from the configuration, or |composed| for a proxy.
    const PipelineSpec* configured = nullptr;
    std::optional<PipelineSpec> composed;
    const PipelineSpec& pipeline() const { return composed ? *composed : *configured; }
    Target target;
    // Everything that decides how the chain is built, so equal
    // fingerprints mean interchangeable connections. Cheap to make: the
    // layers' options are only assembled (LayerOptions) for a new chain.
    std::string fingerprint;
    bool absolute_form = false;         // plain http through a forwarding proxy
    std::string proxy_auth;             // "Basic …" for the proxy, if any
    int64_t connect_ms = 0;
  };

  Runtime() = default;
  void Emit(int32_t type, int32_t hop, const std::string& layer, const std::string& message,
            const std::string& url, int32_t status, int32_t reused, const std::string& chain,
            uint64_t elapsed_us);
  bool Wants(int32_t type) const { return event_fn_ && (event_mask_ & (1u << type)); }

  void Schedule();
  bool ScheduleOnce();
  void StartHop(Transfer* t);
  absl::StatusOr<HopPlan> PlanHop(Transfer* t);
  // LayerOptions assembles each layer's options for a new chain of |plan|.
  std::vector<nlohmann::json> LayerOptions(const HopPlan& plan, const Transfer* t) const;
  absl::StatusOr<PipelineSpec> ComposeProxyPipeline(const std::string& base, const std::string& proxy_scheme,
                                                    bool tunnel);
  // TemplateFor names the template a hop to |scheme| uses under the
  // request's HTTP version policy.
  std::string TemplateFor(const std::string& scheme, int64_t http_version) const;
  RedirectPolicy PolicyFor(const Request& request) const;
  void OpenStreamOn(Transfer* t, PoolEntry* entry);
  // DriveOpened drives each connection that got new streams in this pass.
  void DriveOpened();
  void AfterHop(Transfer* t);
  void DetachConnection(Transfer* t, bool reusable);
  void Complete(Transfer* t);
  void ArmTimer(Transfer* t);
  void OnTimer(Transfer* t);
  PoolEntry* EntryFor(Connection* conn);
  void RemoveEntry(PoolEntry* entry);
  void TrimIdle(const std::string& fingerprint);
  int64_t Effective(int64_t request_value, int64_t config_value) const {
    return request_value >= 0 ? request_value : config_value;
  }

  Config config_;
  // The proxy environment variables as they were when the runtime was made
  // (reading the environment for every request costs more than the request).
  std::map<std::string, std::string> proxy_env_;
  EventLoop loop_;
  std::unique_ptr<PluginRegistry> registry_;
  std::list<PoolEntry> pool_;
  std::list<Transfer*> active_;
  size_t peak_active_ = 0;  // most transfers running at once: the idle pool's size
  std::deque<Transfer*> done_;
  bool dirty_ = false;
  bool pinned_needs_drive_ = false;  // a transfer on a low-level connection was resumed
  bool scheduling_ = false;
  strata_event_fn event_fn_ = nullptr;
  void* event_user_ = nullptr;
  uint32_t event_mask_ = 0;
};

}  // namespace strata

#endif  // STRATA_RUNTIME_CLIENT_RUNTIME_H_
