// flow_control.h — HTTP/2 flow-control windows (RFC 9113 §5.2, §6.9).
//
// SendWindow is the credit the peer granted us; it may go negative after
// the peer lowers SETTINGS_INITIAL_WINDOW_SIZE (§6.9.2) and must never
// exceed 2^31-1. ReceiveWindow is the credit we granted the peer and
// decides when to send WINDOW_UPDATE: once the bytes the application has
// consumed reach half of the target window, all of them are returned in one
// update, so a fast peer always has at least half a window in flight and
// updates stay few.
#ifndef STRATA_PLUGINS_H2_ENGINE_SESSION_FLOW_CONTROL_H_
#define STRATA_PLUGINS_H2_ENGINE_SESSION_FLOW_CONTROL_H_

#include <cstdint>

#include "absl/status/status.h"

namespace strata::h2 {

class SendWindow {
 public:
  explicit SendWindow(int64_t initial) : window_(initial) {}
  int64_t available() const { return window_; }
  void Consume(uint32_t n) { window_ -= n; }
  // Increase applies a WINDOW_UPDATE; kOutOfRange when the window would
  // exceed 2^31-1 (the caller maps it to FLOW_CONTROL_ERROR).
  [[nodiscard]] absl::Status Increase(uint32_t increment);
  // Adjust applies a SETTINGS_INITIAL_WINDOW_SIZE change (may be negative).
  [[nodiscard]] absl::Status Adjust(int64_t delta);

 private:
  int64_t window_;
};

class ReceiveWindow {
 public:
  // |initial| is the window the peer assumes now; |target| the one we want.
  ReceiveWindow(uint32_t initial, uint32_t target)
      : window_(initial), target_(target) {}

  // window is what the peer may still send.
  int64_t window() const { return window_; }

  // Receive accounts |n| flow-controlled bytes; false when they exceed the
  // window (FLOW_CONTROL_ERROR).
  [[nodiscard]] bool Receive(uint32_t n) {
    if (n > window_) return false;
    window_ -= n;
    return true;
  }

  // Consume records |n| bytes the application no longer holds (delivered
  // data, padding). Returns the WINDOW_UPDATE increment to send now, or 0.
  uint32_t Consume(uint32_t n);

  // GrowToTarget returns the increment that raises the window from the
  // initial value to the target (0 when it is not lower), and applies it.
  uint32_t GrowToTarget();

 private:
  int64_t window_;
  int64_t target_;
  int64_t unannounced_ = 0;
};

}  // namespace strata::h2

#endif  // STRATA_PLUGINS_H2_ENGINE_SESSION_FLOW_CONTROL_H_
