#include "tools/cli/progress_meter.h"

#include <algorithm>
#include <cstdio>

namespace strata::cli {
namespace {

constexpr int64_t kKi = 1024;

// Percent of |done| in |total|, 0 when the total is unknown or zero.
int Percent(int64_t done, int64_t total) {
  if (total <= 0) return 0;
  return static_cast<int>(std::min<int64_t>(100, done * 100 / total));
}

std::string Fmt(const char* format, auto... args) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, args...);
  return buf;
}

}  // namespace

std::string FormatSize5(int64_t bytes) {
  if (bytes < 0) bytes = 0;
  if (bytes < 100000) return Fmt("%5lld", static_cast<long long>(bytes));
  // Each unit is used while its value fits five characters: first with one
  // decimal ("12.3M") below 100 units, then as a whole number ("1234M").
  const char units[] = {'k', 'M', 'G', 'T', 'P'};
  int64_t scale = kKi;
  for (char unit : units) {
    if (bytes < 100 * scale && unit != 'k') {
      int64_t tenths = bytes * 10 / scale;
      return Fmt("%2lld.%lld%c", static_cast<long long>(tenths / 10),
                 static_cast<long long>(tenths % 10), unit);
    }
    if (bytes / scale < 10000) {
      return Fmt("%4lld%c", static_cast<long long>(bytes / scale), unit);
    }
    if (unit == 'P') break;
    scale *= kKi;
  }
  return Fmt("%4lldP", static_cast<long long>(bytes / scale));
}

std::string FormatDuration(int64_t seconds) {
  if (seconds < 0) return "--:--:--";
  int64_t hours = seconds / 3600;
  if (hours < 100) {
    return Fmt("%2lld:%02lld:%02lld", static_cast<long long>(hours),
               static_cast<long long>(seconds / 60 % 60),
               static_cast<long long>(seconds % 60));
  }
  int64_t days = hours / 24;
  if (days < 1000) {
    return Fmt("%3lldd %02lldh", static_cast<long long>(days),
               static_cast<long long>(hours % 24));
  }
  return Fmt("%7lldd", static_cast<long long>(std::min<int64_t>(days, 9999999)));
}

std::string FormatMeterHeader() {
  return "  % Total    % Received % Xferd  Average Speed   Time    Time     "
         "Time  Current\n"
         "                                 Dload  Upload   Total   Spent    "
         "Left  Speed\n";
}

std::string FormatMeterLine(const ProgressSnapshot& s) {
  int64_t elapsed_s = s.elapsed_us / 1000000;
  // Averages over the whole transfer; sub-second transfers use the exact
  // elapsed time so the first line is not wildly off.
  int64_t dload_speed =
      s.elapsed_us > 0 ? s.downloaded * 1000000 / s.elapsed_us : 0;
  int64_t upload_speed =
      s.elapsed_us > 0 ? s.uploaded * 1000000 / s.elapsed_us : 0;
  int64_t total_s = -1;
  int64_t left_s = -1;
  if (s.download_total >= 0 && dload_speed > 0) {
    total_s = s.download_total / dload_speed;
    left_s = std::max<int64_t>(0, (s.download_total - s.downloaded) /
                                      dload_speed);
  }
  int64_t total_bytes = s.download_total >= 0 ? s.download_total : 0;
  std::string pct_total =
      Fmt("%3d", Percent(s.downloaded + s.uploaded, total_bytes + s.upload_total));
  return Fmt("%3s %5s  %3d %5s  %3d %5s  ", pct_total.c_str(),
             FormatSize5(total_bytes + s.upload_total).c_str(),
             Percent(s.downloaded, s.download_total),
             FormatSize5(s.downloaded).c_str(),
             Percent(s.uploaded, s.upload_total),
             FormatSize5(s.uploaded).c_str()) +
         Fmt("%5s  %5s %8s %8s %8s %5s", FormatSize5(dload_speed).c_str(),
             FormatSize5(upload_speed).c_str(),
             FormatDuration(total_s).c_str(),
             FormatDuration(elapsed_s).c_str(),
             FormatDuration(left_s).c_str(),
             FormatSize5(s.current_speed).c_str());
}

std::string FormatBar(const ProgressSnapshot& s, int width) {
  width = std::max(width, 20);
  if (s.download_total <= 0) {
    // Without a size there is no fraction to draw; the count still shows
    // the transfer is alive.
    std::string text = Fmt("%lld bytes", static_cast<long long>(s.downloaded));
    if (static_cast<int>(text.size()) < width - 1) {
      text.insert(0, static_cast<size_t>(width - 1) - text.size(), ' ');
    }
    return text;
  }
  double fraction = std::min(1.0, static_cast<double>(s.downloaded) /
                                      static_cast<double>(s.download_total));
  // " 100.0%" takes seven columns; one is left free so the cursor never
  // wraps on terminals that wrap at the last column.
  int bar_width = width - 8;
  int hashes = static_cast<int>(fraction * bar_width);
  std::string line(static_cast<size_t>(hashes), '#');
  line.append(static_cast<size_t>(bar_width - hashes), ' ');
  line += Fmt(" %5.1f%%", fraction * 100.0);
  return line;
}

void ProgressMeter::Start(int64_t now_us) {
  start_us_ = now_us;
  started_ = true;
  samples_.clear();
  snapshot_ = ProgressSnapshot{};
  if (style_ == Style::kMeter) sink_(FormatMeterHeader());
  Draw(now_us);
}

void ProgressMeter::Draw(int64_t now_us) {
  last_draw_us_ = now_us;
  snapshot_.elapsed_us = now_us - start_us_;
  samples_.emplace_back(now_us, snapshot_.downloaded);
  while (samples_.size() > 1 && now_us - samples_.front().first > 5000000) {
    samples_.pop_front();
  }
  int64_t window_us = now_us - samples_.front().first;
  snapshot_.current_speed =
      window_us > 0
          ? (snapshot_.downloaded - samples_.front().second) * 1000000 /
                window_us
          : 0;
  std::string line = "\r";
  line += style_ == Style::kMeter ? FormatMeterLine(snapshot_)
                                  : FormatBar(snapshot_, width_);
  sink_(line);
}

void ProgressMeter::Finish(int64_t now_us) {
  if (!started_) return;
  Draw(now_us);
  sink_("\n");
  started_ = false;
}

std::string FormatParallelHeader() {
  return "DL% UL%  Dled  Uled  Xfers  Live Total     Current  Left    Speed\n";
}

std::string FormatParallelLine(const ParallelSnapshot& s, int64_t speed, int64_t elapsed_s, bool final) {
  // curl prints "--:--:--" for a zero time here.
  auto time = [](int64_t seconds) { return FormatDuration(seconds > 0 ? seconds : -1); };
  std::string dl = "--", ul = "--";
  if (s.download_known && s.download_total > 0) dl = Fmt("%3lld", static_cast<long long>(s.downloaded * 100 / s.download_total));
  if (s.upload_known && s.upload_total > 0) ul = Fmt("%3lld", static_cast<long long>(s.uploaded * 100 / s.upload_total));
  std::string total = time(0), left = time(0);
  if (s.download_known && speed > 0) {
    total = time(s.download_total / speed);
    left = time((s.download_total - s.downloaded) / speed);
  }
  char line[160];
  std::snprintf(line, sizeof(line), "\r%-3s %-3s %s %s %5lld %5lld  %s %s %s %s %5s", dl.c_str(), ul.c_str(),
                FormatSize5(s.downloaded).c_str(), FormatSize5(s.uploaded).c_str(),
                static_cast<long long>(s.added), static_cast<long long>(s.running), total.c_str(),
                time(elapsed_s).c_str(), left.c_str(), FormatSize5(speed).c_str(), final ? "\n" : "");
  return line;
}

void ParallelMeter::Tick(const ParallelSnapshot& snapshot, int64_t now_us, bool final) {
  if (!header_done_) {
    header_done_ = true;
    sink_(FormatParallelHeader());
  }
  if (!final && last_us_ >= 0 && now_us - last_us_ <= 500000) return;
  last_us_ = now_us;
  samples_.push_back({now_us, snapshot.downloaded, snapshot.uploaded});
  // Until ten lines are drawn the speed is over the whole run, then over
  // the span of the last ten.
  Sample base{start_us_, 0, 0};
  if (samples_.size() > 10) samples_.pop_front();
  if (samples_.size() == 10) base = samples_.front();
  int64_t span_ms = std::max<int64_t>(1, (now_us - base.at_us) / 1000);
  int64_t dl = (snapshot.downloaded - base.downloaded) * 1000 / span_ms;
  int64_t ul = (snapshot.uploaded - base.uploaded) * 1000 / span_ms;
  sink_(FormatParallelLine(snapshot, std::max(dl, ul), (now_us - start_us_) / 1000000, final));
}

}  // namespace strata::cli
