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

// ParallelSnapshot: the -Z meter's totals over every transfer of the
// command line, finished ones included.
struct ParallelSnapshot {
  int64_t downloaded = 0;
  int64_t uploaded = 0;
  int64_t download_total = 0;  // the sizes known so far
  int64_t upload_total = 0;
  bool download_known = true;  // every transfer's download size is known
  bool upload_known = true;
  int64_t added = 0;    // transfers started so far
  int64_t running = 0;  // transfers running now
};

// FormatParallelHeader is curl 7.88's -Z meter title line, with newline.
std::string FormatParallelHeader();

// FormatParallelLine is one -Z meter line as curl 7.88 prints it, from
// "\r" to the padding (and the newline when |final|). |speed| is bytes per
// second, |elapsed_s| the seconds since the first transfer started.
std::string FormatParallelLine(const ParallelSnapshot& s, int64_t speed, int64_t elapsed_s, bool final);

// ParallelMeter draws the -Z meter: the title and a line at the start,
// then a line at most every half second, and a last one at the end. The
// speed is taken over the last ten lines' span, as curl takes it.
class ParallelMeter {
 public:
  using Sink = std::function<void(absl::string_view)>;
  ParallelMeter(int64_t start_us, Sink sink) : start_us_(start_us), sink_(std::move(sink)) {}

  // Tick draws a line if half a second passed since the last one (or
  // none was drawn yet), or always when |final|.
  void Tick(const ParallelSnapshot& snapshot, int64_t now_us, bool final);

 private:
  struct Sample {
    int64_t at_us;
    int64_t downloaded;
    int64_t uploaded;
  };
  int64_t start_us_;
  Sink sink_;
  bool header_done_ = false;
  int64_t last_us_ = -1;
  std::deque<Sample> samples_;  // at most the last 10
};

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_PROGRESS_METER_H_
