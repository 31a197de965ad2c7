#include "plugins/h2/engine/testing/session_harness.h"

#include <cstdio>
#include <cstdlib>

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace strata::h2::testing {

absl::StatusOr<BodyChunk> StringBody::Read(void* user, absl::Span<uint8_t> buffer) {
  if (!fail_with.ok()) return fail_with;
  size_t limit = std::min(data_.size(), pause_at);
  size_t n = std::min(buffer.size(), limit - std::min(limit, pos_));
  std::memcpy(buffer.data(), data_.data() + pos_, n);
  pos_ += n;
  return BodyChunk{n, pos_ == data_.size()};
}

uint32_t ClientFrame::u32(size_t at) const {
  const auto* p = reinterpret_cast<const uint8_t*>(payload.data()) + at;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

uint32_t ClientFrame::error_code() const {
  if (is(FrameType::kRstStream)) return u32(0);
  if (is(FrameType::kGoaway)) return u32(4);
  return 0xffffffff;
}

Harness::Harness(SessionOptions options)
    : session_(std::make_unique<ClientSession>(options, this, &clock_)) {}

Harness::~Harness() = default;

void Harness::Handshake(const std::vector<Setting>& settings) {
  std::vector<ClientFrame> frames = Drain();
  ASSERT_TRUE(preface_seen_);
  ASSERT_FALSE(frames.empty());
  ASSERT_TRUE(frames[0].is(FrameType::kSettings));
  ASSERT_TRUE(Feed(Settings(settings) + SettingsAck()).ok());
  Drain();
}

absl::StatusOr<uint32_t> Harness::TryRequest(const std::string& path, BodySource* body,
                                             const std::string& method, HeaderList extra,
                                             Exchange** out) {
  HeaderList h = {{":method", method}, {":scheme", "https"}, {":authority", "example.com"},
                  {":path", path}};
  for (HeaderField& f : extra) h.push_back(std::move(f));
  exchanges_.emplace_back();
  Exchange* ex = &exchanges_.back();
  absl::StatusOr<uint32_t> id = session_->SubmitRequest(h, body, ex);
  if (id.ok()) {
    ex->stream_id = *id;
    by_stream_[*id] = ex;
  }
  if (out) *out = ex;
  return id;
}

Exchange* Harness::Request(const std::string& path, BodySource* body, const std::string& method,
                           HeaderList extra) {
  Exchange* ex = nullptr;
  absl::StatusOr<uint32_t> id = TryRequest(path, body, method, std::move(extra), &ex);
  EXPECT_TRUE(id.ok()) << id.status();
  return ex;
}

Exchange* Harness::ByStream(uint32_t id) {
  auto it = by_stream_.find(id);
  return it == by_stream_.end() ? nullptr : it->second;
}

std::string Harness::HeaderBlock(const HeaderList& fields) {
  std::string block;
  server_encoder_.EncodeBlock(fields, &block);
  return block;
}

std::string Harness::Headers(uint32_t stream, const HeaderList& fields, bool end_stream,
                             uint8_t extra_flags) {
  std::string block = HeaderBlock(fields);
  uint8_t f = flags::kEndHeaders | extra_flags | (end_stream ? flags::kEndStream : 0);
  return Raw(FrameType::kHeaders, f, stream, block);
}

std::string Harness::Response(uint32_t stream, int status, bool end_stream, HeaderList extra) {
  HeaderList h = {{":status", std::to_string(status)}};
  for (HeaderField& f : extra) h.push_back(std::move(f));
  return Headers(stream, h, end_stream);
}

std::string Harness::Data(uint32_t stream, absl::string_view data, bool end_stream) {
  std::string out;
  AppendData(stream, data, end_stream, &out);
  return out;
}

std::string Harness::Raw(uint8_t type, uint8_t f, uint32_t stream, absl::string_view payload) {
  std::string out;
  AppendFrame(type, f, stream, payload, &out);
  return out;
}

std::string Harness::Raw(FrameType type, uint8_t f, uint32_t stream, absl::string_view payload) {
  return Raw(static_cast<uint8_t>(type), f, stream, payload);
}

std::string Harness::Rst(uint32_t stream, ErrorCode code) {
  std::string out;
  AppendRstStream(stream, static_cast<uint32_t>(code), &out);
  return out;
}

std::string Harness::Settings(const std::vector<Setting>& settings) {
  std::string out;
  AppendSettings(settings, &out);
  return out;
}

std::string Harness::SettingsAck() {
  std::string out;
  AppendSettingsAck(&out);
  return out;
}

std::string Harness::Ping(bool ack, uint64_t opaque) {
  std::array<uint8_t, 8> b{};
  for (int i = 7; i >= 0; --i, opaque >>= 8) b[i] = static_cast<uint8_t>(opaque);
  std::string out;
  AppendPing(ack, b, &out);
  return out;
}

std::string Harness::Goaway(uint32_t last, ErrorCode code) {
  std::string out;
  AppendGoaway(last, static_cast<uint32_t>(code), "", &out);
  return out;
}

std::string Harness::WindowUpdate(uint32_t stream, uint32_t increment) {
  std::string out;
  AppendWindowUpdate(stream, increment, &out);
  return out;
}

absl::Status Harness::Feed(const std::string& bytes) {
  // tools/fuzz/extract_seeds.py sets STRATA_H2_SEED_DIR to collect the server
  // bytes of every test as seeds for tests/fuzz/h2_session_fuzzer.
  if (const char* dir = std::getenv("STRATA_H2_SEED_DIR")) {
    const ::testing::TestInfo* t = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = t ? absl::StrCat(t->test_suite_name(), ".", t->name()) : "unknown";
    for (char& c : name) {
      if (c == '/') c = '_';
    }
    if (FILE* f = std::fopen(absl::StrCat(dir, "/", name, ".bin").c_str(), "ab")) {
      std::fwrite(bytes.data(), 1, bytes.size(), f);
      std::fclose(f);
    }
  }
  return session_->Receive(
      absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::vector<ClientFrame> Harness::Drain() {
  absl::Span<const uint8_t> out = session_->Output();
  pending_.append(reinterpret_cast<const char*>(out.data()), out.size());
  if (consume_output) session_->ConsumeOutput(out.size());
  if (!preface_seen_) {
    if (pending_.size() < kClientPrefaceSize) return {};
    EXPECT_EQ(pending_.substr(0, kClientPrefaceSize), std::string(kClientPreface));
    pending_.erase(0, kClientPrefaceSize);
    preface_seen_ = true;
  }
  std::vector<ClientFrame> frames;
  size_t pos = 0;
  while (pending_.size() - pos >= kFrameHeaderSize) {
    FrameHeader h = ParseFrameHeader(reinterpret_cast<const uint8_t*>(pending_.data()) + pos);
    if (pending_.size() - pos < kFrameHeaderSize + h.length) break;
    ClientFrame f;
    f.header = h;
    f.payload = pending_.substr(pos + kFrameHeaderSize, h.length);
    pos += kFrameHeaderSize + h.length;
    if (f.is(FrameType::kHeaders) || f.is(FrameType::kContinuation)) {
      block_ += f.payload;
      if (h.has(flags::kEndHeaders)) {
        absl::Status st = server_decoder_.DecodeBlock(block_, 1 << 30, &f.headers);
        EXPECT_TRUE(st.ok()) << st;
        block_.clear();
      }
    }
    frames.push_back(f);
    written_.push_back(std::move(f));
  }
  pending_.erase(0, pos);
  return frames;
}

std::vector<ClientFrame> Harness::DrainAll() {
  std::vector<ClientFrame> all;
  for (int i = 0; i < 100000; ++i) {
    std::vector<ClientFrame> more = Drain();
    if (more.empty() && !session_->OutputPending()) break;
    for (ClientFrame& f : more) all.push_back(std::move(f));
  }
  return all;
}

std::optional<uint32_t> Harness::GoawayCode() {
  Drain();
  std::optional<uint32_t> code;
  for (const ClientFrame& f : written_) {
    if (f.is(FrameType::kGoaway)) code = f.error_code();
  }
  return code;
}

std::optional<uint32_t> Harness::RstCode(uint32_t stream) {
  Drain();
  std::optional<uint32_t> code;
  for (const ClientFrame& f : written_) {
    if (f.is(FrameType::kRstStream) && f.header.stream_id == stream) code = f.error_code();
  }
  return code;
}

int Harness::Count(FrameType type) {
  Drain();
  return static_cast<int>(std::count_if(written_.begin(), written_.end(),
                                        [&](const ClientFrame& f) { return f.is(type); }));
}

bool Harness::OnInformational(void* user, int status, const HeaderList& fields) {
  static_cast<Exchange*>(user)->informational.push_back(status);
  return true;
}

bool Harness::OnHeaders(void* user, int status, const HeaderList& fields, bool end_stream) {
  auto* ex = static_cast<Exchange*>(user);
  EXPECT_FALSE(ex->closed);
  ex->status = status;
  ex->headers = fields;
  ex->headers_end_stream = end_stream;
  return !ex->abort_on_headers;
}

bool Harness::OnData(void* user, absl::Span<const uint8_t> data) {
  auto* ex = static_cast<Exchange*>(user);
  EXPECT_FALSE(ex->closed);
  ex->body.append(reinterpret_cast<const char*>(data.data()), data.size());
  return !ex->abort_on_data;
}

bool Harness::OnTrailers(void* user, const HeaderList& trailers) {
  static_cast<Exchange*>(user)->trailers = trailers;
  return true;
}

void Harness::OnStreamClose(void* user, const StreamResult& result) {
  auto* ex = static_cast<Exchange*>(user);
  EXPECT_FALSE(ex->closed) << "stream " << ex->stream_id << " closed twice";
  ex->closed = true;
  ex->result = result;
}

void Harness::OnGoaway(uint32_t last_stream_id, uint32_t error_code, absl::string_view debug) {
  events.push_back(absl::StrCat("goaway ", last_stream_id, " ", error_code));
}

}  // namespace strata::h2::testing
