#include "plugins/h2/engine/frames/frame.h"

#include <string>

#include "gtest/gtest.h"

namespace strata::h2 {
namespace {

// Decode runs both stages over one encoded frame.
H2Error Decode(const std::string& wire, Frame* out, uint32_t max_frame_size = kDefaultMaxFrameSize) {
  EXPECT_GE(wire.size(), kFrameHeaderSize);
  FrameHeader h = ParseFrameHeader(reinterpret_cast<const uint8_t*>(wire.data()));
  EXPECT_EQ(h.length, wire.size() - kFrameHeaderSize);
  H2Error err = CheckFrameHeader(h, max_frame_size);
  if (!err.ok()) return err;
  return DecodeFrame(h, absl::string_view(wire).substr(kFrameHeaderSize), out);
}

std::string Raw(FrameType t, uint8_t f, uint32_t stream, absl::string_view payload) {
  std::string out;
  AppendFrame(static_cast<uint8_t>(t), f, stream, payload, &out);
  return out;
}

TEST(Frame, Rfc9113_4_1_HeaderRoundTripIgnoresReservedBit) {
  std::string wire;
  AppendFrameHeader(FrameHeader{0x123456, 0x9, 0xff, 0x7fffffff}, &wire);
  wire[5] = static_cast<char>(0xff);  // reserved bit set
  FrameHeader h = ParseFrameHeader(reinterpret_cast<const uint8_t*>(wire.data()));
  EXPECT_EQ(h.length, 0x123456u);
  EXPECT_EQ(h.type, 9);
  EXPECT_EQ(h.flags, 0xff);
  EXPECT_EQ(h.stream_id, 0x7fffffffu);
}

TEST(Frame, AllTypesRoundTrip) {
  Frame f;
  std::string w;
  AppendData(3, "hello", true, &w);
  ASSERT_TRUE(Decode(w, &f).ok());
  EXPECT_EQ(f.data, "hello");
  EXPECT_TRUE(f.header.has(flags::kEndStream));

  w.clear();
  AppendPriority(3, 1, 200, true, &w);
  ASSERT_TRUE(Decode(w, &f).ok());
  EXPECT_EQ(f.dependency, 1u);
  EXPECT_EQ(f.weight, 200);
  EXPECT_TRUE(f.exclusive);

  w.clear();
  AppendRstStream(5, 8, &w);
  ASSERT_TRUE(Decode(w, &f).ok());
  EXPECT_EQ(f.error_code, 8u);

  w.clear();
  Setting s[] = {{kSettingsEnablePush, 0}, {0x99, 7}};
  AppendSettings(s, &w);
  ASSERT_TRUE(Decode(w, &f).ok());
  ASSERT_EQ(f.settings.size(), 2u);
  EXPECT_EQ(f.settings[1].id, 0x99);
  EXPECT_EQ(f.settings[1].value, 7u);

  w.clear();
  AppendPing(true, {1, 2, 3, 4, 5, 6, 7, 8}, &w);
  ASSERT_TRUE(Decode(w, &f).ok());
  EXPECT_EQ(f.ping[7], 8);
  EXPECT_TRUE(f.header.has(flags::kAck));

  w.clear();
  AppendGoaway(7, 11, "calm", &w);
  ASSERT_TRUE(Decode(w, &f).ok());
  EXPECT_EQ(f.last_stream_id, 7u);
  EXPECT_EQ(f.error_code, 11u);
  EXPECT_EQ(f.data, "calm");

  w.clear();
  AppendWindowUpdate(0, 1000, &w);
  ASSERT_TRUE(Decode(w, &f).ok());
  EXPECT_EQ(f.window_increment, 1000u);

  w.clear();
  AppendFieldBlock(1, "abc", false, 16384, &w, /*promised_stream_id=*/2);
  ASSERT_TRUE(Decode(w, &f).ok());
  EXPECT_EQ(f.promised_stream_id, 2u);
  EXPECT_EQ(f.data, "abc");
}

TEST(Frame, FieldBlockIsSplitIntoContinuations) {
  std::string block(40000, 'x');
  std::string w;
  AppendFieldBlock(1, block, true, 16384, &w);
  // HEADERS 16384, CONTINUATION 16384, CONTINUATION 7232.
  ASSERT_EQ(w.size(), block.size() + 3 * kFrameHeaderSize);
  FrameHeader h = ParseFrameHeader(reinterpret_cast<const uint8_t*>(w.data()));
  EXPECT_EQ(h.type, static_cast<uint8_t>(FrameType::kHeaders));
  EXPECT_TRUE(h.has(flags::kEndStream));
  EXPECT_FALSE(h.has(flags::kEndHeaders));
  h = ParseFrameHeader(reinterpret_cast<const uint8_t*>(w.data()) + 2 * (kFrameHeaderSize + 16384));
  EXPECT_EQ(h.type, static_cast<uint8_t>(FrameType::kContinuation));
  EXPECT_TRUE(h.has(flags::kEndHeaders));
  EXPECT_EQ(h.length, 40000u - 2 * 16384);
}

TEST(Frame, Rfc9113_6_1_PaddingIsStrippedAndCounted) {
  std::string payload = std::string(1, '\x03') + "hi" + std::string(3, '\0');
  Frame f;
  const std::string wire = Raw(FrameType::kData, flags::kPadded, 1, payload);  // f views into it
  ASSERT_TRUE(Decode(wire, &f).ok());
  EXPECT_EQ(f.data, "hi");
  EXPECT_EQ(f.padding, 4u);
}

TEST(Frame, Rfc9113_6_1_PadLengthNotLessThanPayloadIsProtocolError) {
  Frame f;
  H2Error e = Decode(Raw(FrameType::kData, flags::kPadded, 1, std::string("\x05" "abcd", 5)), &f);
  EXPECT_TRUE(e.is_connection());
  EXPECT_EQ(e.code, ErrorCode::kProtocolError);
  e = Decode(Raw(FrameType::kHeaders, flags::kPadded | flags::kEndHeaders, 1,
                 std::string("\x04" "abc", 4)),
             &f);
  EXPECT_EQ(e.code, ErrorCode::kProtocolError);
}

TEST(Frame, Rfc9113_6_StreamIdRules) {
  Frame f;
  for (FrameType t : {FrameType::kData, FrameType::kHeaders, FrameType::kRstStream,
                      FrameType::kContinuation, FrameType::kPushPromise}) {
    H2Error e = Decode(Raw(t, 0, 0, std::string(4, '\0')), &f);
    EXPECT_TRUE(e.is_connection()) << static_cast<int>(t);
    EXPECT_EQ(e.code, ErrorCode::kProtocolError);
  }
  EXPECT_EQ(Decode(Raw(FrameType::kPriority, 0, 0, std::string(5, '\0')), &f).code,
            ErrorCode::kProtocolError);
  EXPECT_EQ(Decode(Raw(FrameType::kPing, 0, 1, std::string(8, '\0')), &f).code,
            ErrorCode::kProtocolError);
  EXPECT_EQ(Decode(Raw(FrameType::kSettings, 0, 1, ""), &f).code, ErrorCode::kProtocolError);
  EXPECT_EQ(Decode(Raw(FrameType::kGoaway, 0, 1, std::string(8, '\0')), &f).code,
            ErrorCode::kProtocolError);
}

TEST(Frame, Rfc9113_6_LengthRules) {
  Frame f;
  H2Error e = Decode(Raw(FrameType::kRstStream, 0, 1, std::string(5, '\0')), &f);
  EXPECT_TRUE(e.is_connection());
  EXPECT_EQ(e.code, ErrorCode::kFrameSizeError);
  EXPECT_EQ(Decode(Raw(FrameType::kWindowUpdate, 0, 0, std::string(3, '\0')), &f).code,
            ErrorCode::kFrameSizeError);
  EXPECT_EQ(Decode(Raw(FrameType::kPing, 0, 0, std::string(7, '\0')), &f).code,
            ErrorCode::kFrameSizeError);
  EXPECT_EQ(Decode(Raw(FrameType::kSettings, 0, 0, std::string(7, '\0')), &f).code,
            ErrorCode::kFrameSizeError);
  EXPECT_EQ(Decode(Raw(FrameType::kSettings, flags::kAck, 0, std::string(6, '\0')), &f).code,
            ErrorCode::kFrameSizeError);
  e = Decode(Raw(FrameType::kPriority, 0, 1, std::string(4, '\0')), &f);
  EXPECT_TRUE(e.is_stream());
  EXPECT_EQ(e.code, ErrorCode::kFrameSizeError);
}

TEST(Frame, Rfc9113_4_2_OversizedFrames) {
  Frame f;
  std::string big(16385, 'x');
  H2Error e = Decode(Raw(FrameType::kData, 0, 1, big), &f);
  EXPECT_TRUE(e.is_stream());
  EXPECT_EQ(e.code, ErrorCode::kFrameSizeError);
  e = Decode(Raw(FrameType::kHeaders, 0, 1, big), &f);
  EXPECT_TRUE(e.is_connection());
  EXPECT_EQ(e.code, ErrorCode::kFrameSizeError);
  // Unknown types are skipped whatever their size.
  EXPECT_TRUE(Decode(Raw(static_cast<FrameType>(0xfa), 0, 0, big), &f).ok());
  EXPECT_FALSE(f.known_type);
  EXPECT_TRUE(Decode(Raw(FrameType::kData, 0, 1, big), &f, 1 << 20).ok());
}

TEST(Frame, ErrorCodeNames) {
  EXPECT_STREQ(ErrorCodeName(ErrorCode::kEnhanceYourCalm), "ENHANCE_YOUR_CALM");
  EXPECT_STREQ(ErrorCodeName(0x1234), "UNKNOWN_ERROR");
}

}  // namespace
}  // namespace strata::h2
