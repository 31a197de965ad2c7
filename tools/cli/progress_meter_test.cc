#include "tools/cli/progress_meter.h"

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

TEST(ProgressMeter, FormatSize5FitsFiveColumns) {
  EXPECT_EQ(FormatSize5(0), "    0");
  EXPECT_EQ(FormatSize5(99999), "99999");
  EXPECT_EQ(FormatSize5(100000), "  97k");
  EXPECT_EQ(FormatSize5(10 * 1024 * 1024), "10.0M");
  EXPECT_EQ(FormatSize5(64LL * 1024 * 1024), "64.0M");
  EXPECT_EQ(FormatSize5(1500LL * 1024 * 1024), "1500M");
  EXPECT_EQ(FormatSize5(20LL * 1024 * 1024 * 1024), "20.0G");
  for (int64_t n = 1; n <= (int64_t{1} << 62) / 3; n *= 3) {
    EXPECT_LE(FormatSize5(n).size(), 5u) << n;
  }
}

TEST(ProgressMeter, FormatDuration) {
  EXPECT_EQ(FormatDuration(-1), "--:--:--");
  EXPECT_EQ(FormatDuration(0), " 0:00:00");
  EXPECT_EQ(FormatDuration(3723), " 1:02:03");
  EXPECT_EQ(FormatDuration(99 * 3600 + 59 * 60 + 59), "99:59:59");
  EXPECT_EQ(FormatDuration(100 * 3600), "  4d 04h");
  EXPECT_EQ(FormatDuration(2000LL * 86400), "   2000d");
}

TEST(ProgressMeter, HeaderColumnsLineUpWithTheLine) {
  std::string header = FormatMeterHeader();
  std::string first = header.substr(0, header.find('\n'));
  ProgressSnapshot s;
  std::string line = FormatMeterLine(s);
  EXPECT_LE(line.size(), first.size()) << "\n" << header << line;
}

TEST(ProgressMeter, LineWithKnownSize) {
  ProgressSnapshot s;
  s.download_total = 2000;
  s.downloaded = 1000;
  s.elapsed_us = 2000000;
  s.current_speed = 500;
  EXPECT_EQ(FormatMeterLine(s),
            " 50  2000   50  1000    0     0    500      0  0:00:04  0:00:02  "
            "0:00:02   500");
}

TEST(ProgressMeter, LineWithUnknownSize) {
  ProgressSnapshot s;
  s.downloaded = 4096;
  s.elapsed_us = 1000000;
  EXPECT_EQ(FormatMeterLine(s),
            "  0     0    0  4096    0     0   4096      0 --:--:--  0:00:01 "
            "--:--:--     0");
}

TEST(ProgressMeter, Bar) {
  ProgressSnapshot s;
  s.download_total = 100;
  s.downloaded = 50;
  std::string bar = FormatBar(s, 28);  // 20 bar columns
  EXPECT_EQ(bar, "##########            50.0%");
  s.downloaded = 100;
  EXPECT_EQ(FormatBar(s, 28), "#################### 100.0%");
  ProgressSnapshot unknown;
  unknown.downloaded = 12;
  EXPECT_EQ(FormatBar(unknown, 21), "            12 bytes");
}

TEST(ProgressMeter, RedrawsAtMostOncePerSecondAndFinishesWithNewline) {
  std::string out;
  ProgressMeter meter(ProgressMeter::Style::kMeter, 80,
                      [&](absl::string_view t) { out.append(t.data(), t.size()); });
  meter.Start(0);
  EXPECT_EQ(out, FormatMeterHeader() + "\r" + FormatMeterLine({}));
  out.clear();
  meter.Update(100, 500000);
  EXPECT_EQ(out, "") << "no redraw within a second";
  meter.Update(200, 1000000);
  EXPECT_EQ(out.substr(0, 1), "\r");
  EXPECT_EQ(meter.snapshot().current_speed, 200);
  out.clear();
  meter.Finish(1200000);
  EXPECT_EQ(out.back(), '\n');
  out.clear();
  meter.Finish(1300000);
  EXPECT_EQ(out, "") << "finishing twice draws nothing";
}

TEST(ProgressMeter, BarStyleHasNoHeader) {
  std::string out;
  ProgressMeter bar(ProgressMeter::Style::kBar, 30,
                    [&](absl::string_view t) { out.append(t.data(), t.size()); });
  bar.Start(0);
  EXPECT_EQ(out.find("Total"), std::string::npos);
  EXPECT_EQ(out[0], '\r');
}

// The lines below are curl 7.88's, captured from `curl -Z` with two
// transfers (3,000,000 and 6 bytes).
TEST(ParallelMeter, LinesAreCurls) {
  EXPECT_EQ(FormatParallelHeader(), "DL% UL%  Dled  Uled  Xfers  Live Total     Current  Left    Speed\n");
  ParallelSnapshot start;
  start.download_known = false;
  start.upload_known = false;
  start.added = 2;
  start.running = 2;
  EXPECT_EQ(FormatParallelLine(start, 0, 0, false),
            "\r--  --      0     0     2     2  --:--:-- --:--:-- --:--:--     0      ");
  ParallelSnapshot done;
  done.downloaded = 3000006;
  done.download_total = 3000006;
  done.upload_known = false;
  done.added = 2;
  EXPECT_EQ(FormatParallelLine(done, 249561088, 0, true),
            "\r100 --  2929k     0     2     0  --:--:-- --:--:-- --:--:--  238M     \n");
}

TEST(ParallelMeter, TimesAndPercentages) {
  ParallelSnapshot s;
  s.downloaded = 250;
  s.download_total = 1000;
  s.uploaded = 10;
  s.upload_total = 20;
  s.added = 3;
  s.running = 1;
  // 1000 bytes at 10 B/s: 100 s in all, 75 s left; 62 s spent.
  EXPECT_EQ(FormatParallelLine(s, 10, 62, false),
            "\r 25  50   250    10     3     1   0:01:40  0:01:02  0:01:15    10      ");
}

TEST(ParallelMeter, DrawsAtMostEveryHalfSecondAndAlwaysAtTheEnd) {
  std::string out;
  ParallelMeter meter(0, [&](absl::string_view text) { out.append(text.data(), text.size()); });
  ParallelSnapshot s;
  s.download_known = false;
  meter.Tick(s, 0, false);
  meter.Tick(s, 400000, false);   // too soon
  meter.Tick(s, 600000, false);   // drawn
  meter.Tick(s, 700000, true);    // the final line, always
  size_t lines = 0;
  for (char c : out) lines += c == '\r';
  EXPECT_EQ(lines, 3u);
  EXPECT_EQ(out.substr(0, FormatParallelHeader().size()), FormatParallelHeader());
  EXPECT_EQ(out.back(), '\n');
}

TEST(ParallelMeter, SpeedOverTheRunThenTheLastTenLines) {
  std::vector<std::string> lines;
  ParallelMeter meter(0, [&](absl::string_view text) { lines.emplace_back(text); });
  ParallelSnapshot s;
  s.download_known = false;
  // 1000 bytes a second for 20 seconds, then nothing for 10 seconds.
  for (int second = 1; second <= 30; ++second) {
    s.downloaded = std::min(second, 20) * 1000;
    meter.Tick(s, second * 1000000LL, false);
  }
  // At 30 s the last ten lines span 21..30 s, in which 0 bytes came.
  EXPECT_NE(lines.back().find("--:--:--     0      "), std::string::npos) << lines.back();
  // At 10 s (ten lines, the oldest at 1 s): 9000 bytes in 9 s.
  EXPECT_NE(lines[10].find(" 1000      "), std::string::npos) << lines[10];
}

}  // namespace
}  // namespace strata::cli
