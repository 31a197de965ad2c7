#include "plugins/tcp/testing/fake_host.h"

#include <fcntl.h>
#include <poll.h>

#include <chrono>
#include <cstring>

namespace strata::tcp::testing {

FakeHost::FakeHost() {
  std::memset(&services_, 0, sizeof(services_));
  services_.struct_size = sizeof(services_);
  services_.abi_major = STRATA_ABI_MAJOR;
  services_.abi_minor = STRATA_ABI_MINOR;
  services_.log = [](strata_layer_ctx* ctx, int32_t level, const char* message) {
    From(ctx)->logs_.push_back(message);
  };
  services_.set_error = [](strata_layer_ctx* ctx, strata_status status, const char* message) {
    From(ctx)->error_status_ = status;
    From(ctx)->error_message_ = message;
  };
  services_.now_ms = &FakeHost::NowMs;
  services_.wake_at = [](strata_layer_ctx* ctx, uint64_t deadline_ms) {
    From(ctx)->wake_at_ = deadline_ms;
    if (deadline_ms != 0) From(ctx)->wake_history_.push_back(deadline_ms);
  };
  services_.watch_fd = [](strata_layer_ctx* ctx, int fd) -> strata_status {
    FakeHost* host = From(ctx);
    if (fcntl(fd, F_GETFD) < 0) host->Violation("watch of closed fd " + std::to_string(fd));
    if (!host->watched_.insert(fd).second) {
      host->Violation("fd " + std::to_string(fd) + " watched twice");
    }
    return STRATA_OK;
  };
  services_.unwatch_fd = [](strata_layer_ctx* ctx, int fd) {
    FakeHost* host = From(ctx);
    if (fcntl(fd, F_GETFD) < 0) host->Violation("unwatch after close of fd " + std::to_string(fd));
    if (host->watched_.erase(fd) == 0) {
      host->Violation("unwatch of fd " + std::to_string(fd) + " that is not watched");
    }
  };
  services_.option_get = [](strata_layer_ctx* ctx, const char* key, char* out,
                            size_t* inout_len) -> strata_status {
    FakeHost* host = From(ctx);
    auto it = host->options_.find(key);
    if (it == host->options_.end()) return STRATA_E_UNSUPPORTED;
    size_t needed = it->second.size() + 1;
    if (*inout_len < needed) {
      *inout_len = needed;
      return STRATA_E_BUFFER_TOO_SMALL;
    }
    std::memcpy(out, it->second.c_str(), needed);
    *inout_len = needed;
    return STRATA_OK;
  };
  // The bottom layer has nothing below it: every lower_* call is a bug.
  services_.lower_connect = [](strata_layer_ctx* ctx, int*) -> strata_status {
    From(ctx)->Violation("lower_connect called");
    return STRATA_E_UNSUPPORTED;
  };
  services_.lower_send = [](strata_layer_ctx* ctx, const uint8_t*, size_t,
                            size_t*) -> strata_status {
    From(ctx)->Violation("lower_send called");
    return STRATA_E_UNSUPPORTED;
  };
  services_.lower_recv = [](strata_layer_ctx* ctx, uint8_t*, size_t, size_t*) -> strata_status {
    From(ctx)->Violation("lower_recv called");
    return STRATA_E_UNSUPPORTED;
  };
  services_.lower_poll_interest = [](strata_layer_ctx* ctx, uint32_t) -> uint32_t {
    From(ctx)->Violation("lower_poll_interest called");
    return 0;
  };
  services_.lower_data_pending = [](strata_layer_ctx* ctx) -> int {
    From(ctx)->Violation("lower_data_pending called");
    return 0;
  };
  services_.lower_query = [](strata_layer_ctx* ctx, uint32_t, void*, size_t*) -> strata_status {
    From(ctx)->Violation("lower_query called");
    return STRATA_E_UNSUPPORTED;
  };
  services_.lower_control = [](strata_layer_ctx* ctx, uint32_t, const void*,
                               size_t) -> strata_status {
    From(ctx)->Violation("lower_control called");
    return STRATA_E_UNSUPPORTED;
  };
  services_.lower_shutdown = [](strata_layer_ctx* ctx, int*) -> strata_status {
    From(ctx)->Violation("lower_shutdown called");
    return STRATA_E_UNSUPPORTED;
  };
}

uint64_t FakeHost::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int FakeHost::LogIndex(const std::string& needle) const {
  for (size_t i = 0; i < logs_.size(); ++i) {
    if (logs_[i].find(needle) != std::string::npos) return static_cast<int>(i);
  }
  return -1;
}

void FakeHost::WaitForEvent(uint32_t interest, uint64_t max_wait_ms) {
  uint64_t now = NowMs();
  uint64_t until = now + max_wait_ms;
  if (wake_at_ != 0 && wake_at_ < until) until = wake_at_;
  int timeout = until > now ? static_cast<int>(until - now) : 0;
  std::vector<pollfd> fds;
  short events = 0;
  if (interest & STRATA_POLL_READ) events |= POLLIN;
  if (interest & STRATA_POLL_WRITE) events |= POLLOUT;
  for (int fd : watched_) fds.push_back({fd, events, 0});
  poll(fds.data(), fds.size(), timeout);
}

}  // namespace strata::tcp::testing
