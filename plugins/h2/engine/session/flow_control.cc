#include "plugins/h2/engine/session/flow_control.h"

#include "absl/strings/str_cat.h"
#include "plugins/h2/engine/frames/frame.h"

namespace strata::h2 {

absl::Status SendWindow::Increase(uint32_t increment) {
  if (window_ + increment > kMaxWindowSize) {
    return absl::OutOfRangeError(absl::StrCat("window ", window_, " + ", increment,
                                              " exceeds 2^31-1"));
  }
  window_ += increment;
  return absl::OkStatus();
}

absl::Status SendWindow::Adjust(int64_t delta) {
  if (window_ + delta > kMaxWindowSize) {
    return absl::OutOfRangeError(absl::StrCat("window ", window_, " adjusted by ", delta,
                                              " exceeds 2^31-1"));
  }
  window_ += delta;
  return absl::OkStatus();
}

uint32_t ReceiveWindow::Consume(uint32_t n) {
  unannounced_ += n;
  if (unannounced_ < target_ / 2) return 0;
  // Never grant beyond the target (the peer may not have used the credit).
  int64_t increment = unannounced_;
  if (window_ + increment > target_) increment = target_ - window_;
  unannounced_ = 0;
  if (increment <= 0) return 0;
  window_ += increment;
  return static_cast<uint32_t>(increment);
}

uint32_t ReceiveWindow::GrowToTarget() {
  if (window_ >= target_) return 0;
  const int64_t increment = target_ - window_;
  window_ = target_;
  return static_cast<uint32_t>(increment);
}

}  // namespace strata::h2
