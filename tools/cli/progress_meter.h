// progress_meter.h — curl's progress meter (columns) and progress bar (-#).
//
// Formatting is split from drawing: the Format* functions are pure, and
// ProgressMeter only decides when to redraw and hands finished text to a
// sink (stderr in the CLI, a string in tests). Time is passed in so tests
// need no clock.
#ifndef STRATA_TOOLS_CLI_PROGRESS_METER_H_
#define STRATA_TOOLS_CLI_PROGRESS_METER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include "absl/strings/string_view.h"
#include <utility>

namespace strata::cli {

struct ProgressSnapshot {
  int64_t download_total = -1;  // -1: not known (no Content-Length)
  int64_t downloaded = 0;
  int64_t upload_total = 0;
  int64_t uploaded = 0;
  int64_t elapsed_us = 0;
  int64_t current_speed = 0;  // bytes per second over the last seconds
};

// FormatSize5 prints a byte count or rate in at most five characters, right
// aligned: "  512", "97.6k"-style units k, M, G, T with 1024 steps.
std::string FormatSize5(int64_t bytes);

// FormatDuration prints seconds as "H:MM:SS" in eight characters
// (" 0:00:05"), "DDDd HHh" past 99 hours, and "--:--:--" when |seconds|
// is negative (unknown).
std::string FormatDuration(int64_t seconds);

// FormatMeterHeader is the two title lines of the meter, with newlines.
std::string FormatMeterHeader();

// FormatMeterLine is one meter line without "\r" or newline.
std::string FormatMeterLine(const ProgressSnapshot& snapshot);

// FormatBar is the -# line for a terminal |width| columns wide, without
// "\r" or newline: '#' for the done fraction and the percentage, or, when
// the size is not known, the bytes received so far.
std::string FormatBar(const ProgressSnapshot& snapshot, int width);

class ProgressMeter {
 public:
  enum class Style { kMeter, kBar };
  using Sink = std::function<void(absl::string_view)>;

  ProgressMeter(Style style, int width, Sink sink)
      : style_(style), width_(width), sink_(std::move(sink)) {}

  // Start begins a transfer at |now_us| and draws the first line.
  void Start(int64_t now_us);
  void SetDownloadTotal(int64_t total) { snapshot_.download_total = total; }
  void SetUpload(int64_t total, int64_t done) {
    snapshot_.upload_total = total;
    snapshot_.uploaded = done;
  }
  // Update records |downloaded| bytes so far; redraws at most once per
  // interval, so calling it for every received chunk is cheap.
  void Update(int64_t downloaded, int64_t now_us) {
    snapshot_.downloaded = downloaded;
    if (now_us - last_draw_us_ >= interval_us()) Draw(now_us);
  }
  // Finish draws the final line and ends it with a newline.
  void Finish(int64_t now_us);

  const ProgressSnapshot& snapshot() const { return snapshot_; }

 private:
  int64_t interval_us() const {
    return style_ == Style::kMeter ? 1000000 : 200000;
  }
  void Draw(int64_t now_us);

  Style style_;
  int width_;
  Sink sink_;
  ProgressSnapshot snapshot_;
  int64_t start_us_ = 0;
  int64_t last_draw_us_ = 0;
  bool started_ = false;
  // (time, bytes) at each draw, for the current speed over ~5 seconds.
  std::deque<std::pair<int64_t, int64_t>> samples_;
};

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_PROGRESS_METER_H_
