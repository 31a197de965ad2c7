// FrameTracer: nghttp -v style lines from a byte stream in any split.
#include "plugins/h2/layer/frame_tracer.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::h2 {
namespace {

std::vector<std::string> Trace(FrameTracer& t, const std::string& bytes, size_t step) {
  std::vector<std::string> lines;
  for (size_t i = 0; i < bytes.size(); i += step) {
    std::string part = bytes.substr(i, step);
    t.Feed(absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(part.data()), part.size()),
           [&](const std::string& line) { lines.push_back(line); });
  }
  return lines;
}

TEST(FrameTracer, DescribesFramesLikeNghttp) {
  std::string wire;
  AppendSettings({{kSettingsMaxConcurrentStreams, 100}, {kSettingsInitialWindowSize, 65535},
                  {kSettingsMaxFrameSize, 16384}},
                 &wire);
  AppendFieldBlock(1, "abc", true, 16384, &wire);
  AppendData(1, "hello", true, &wire);
  AppendRstStream(3, 0x8, &wire);
  AppendWindowUpdate(0, 1000, &wire);
  AppendPing(true, {}, &wire);
  AppendGoaway(5, 0x1, "bad", &wire);
  AppendFrame(0xfa, 0, 0, "x", &wire);
  for (size_t step : {wire.size(), size_t{1}, size_t{7}}) {
    FrameTracer t("recv", false);
    std::vector<std::string> lines = Trace(t, wire, step);
    ASSERT_EQ(lines.size(), 8u) << "step " << step;
    EXPECT_EQ(lines[0], "recv SETTINGS frame <length=18, flags=0x00, stream_id=0> (niv=3)");
    EXPECT_EQ(lines[1],
              "recv HEADERS frame <length=3, flags=0x05, stream_id=1> ; END_STREAM | END_HEADERS");
    EXPECT_EQ(lines[2], "recv DATA frame <length=5, flags=0x01, stream_id=1> ; END_STREAM");
    EXPECT_EQ(lines[3],
              "recv RST_STREAM frame <length=4, flags=0x00, stream_id=3> (error_code=CANCEL(0x08))");
    EXPECT_EQ(lines[4],
              "recv WINDOW_UPDATE frame <length=4, flags=0x00, stream_id=0> "
              "(window_size_increment=1000)");
    EXPECT_EQ(lines[5], "recv PING frame <length=8, flags=0x01, stream_id=0> ; ACK");
    EXPECT_EQ(lines[6],
              "recv GOAWAY frame <length=11, flags=0x00, stream_id=0> (last_stream_id=5, "
              "error_code=PROTOCOL_ERROR(0x01), opaque_data=\"bad\")");
    EXPECT_EQ(lines[7], "recv UNKNOWN(0xfa) frame <length=1, flags=0x00, stream_id=0>");
  }
}

TEST(FrameTracer, SkipsTheClientPreface) {
  std::string wire = kClientPreface;
  AppendSettingsAck(&wire);
  FrameTracer t("send", true);
  std::vector<std::string> lines = Trace(t, wire, 5);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "send client connection preface");
  EXPECT_EQ(lines[1], "send SETTINGS frame <length=0, flags=0x01, stream_id=0> ; ACK");
}

}  // namespace
}  // namespace strata::h2
