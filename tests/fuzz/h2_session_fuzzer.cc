// h2_session_fuzzer.cc — the HTTP/2 ClientSession (plugins/h2/engine) fed
// server bytes after submitted requests, with a FakeClock and no sockets.
//
// Input: [flags][chunk][server bytes...]
//   flags bit 0: prepend a valid server preface (empty SETTINGS + ACK), so
//                raw frames from the hostile tests reach stream handling;
//         bit 1: the first request is a POST with a 200 KB body (flow
//                control on the send side);
//         bit 2: the first request is HEAD;
//         bit 3: h2c: stream 1 comes from Upgrade() instead of SubmitRequest;
//         bit 4: three requests at the start instead of one;
//         bit 5: after every chunk, submit another request when Capacity()>0;
//         bit 6: the clock advances between chunks and OnTimer() runs;
//         bit 7: the output is consumed only every fourth chunk.
//   chunk: the server bytes are fed in pieces of (chunk % 128) + 1 bytes,
//          or all at once when chunk == 0.
// Invariants (trap), after every Receive():
//   - flow control: the connection send window is never negative and never
//     above 2^31-1; a stream's send window never goes below
//     INITIAL_WINDOW_SIZE(now) - max INITIAL_WINDOW_SIZE the server ever
//     offered (RFC 9113 §6.9.2 is the only way below zero); our receive
//     windows are never negative; the DATA we wrote on the connection and on
//     each stream never exceeds what the server's SETTINGS and
//     WINDOW_UPDATEs can have granted;
//   - concurrency: a request is accepted only while fewer than
//     MAX_CONCURRENT_STREAMS are open, and Capacity() is 0 at the limit;
//   - HPACK: our decoder's table stays within its capacity and our
//     setting; the encoder's capacity is within the server's setting; every
//     HEADERS block we wrote decodes with a mirror decoder and carries the
//     request's pseudo-headers;
//   - the output is well-formed: preface, frames no larger than the largest
//     MAX_FRAME_SIZE offered, client frames only on odd streams we opened;
//   - callbacks: nothing after OnStreamClose, status codes in range, and
//     after TransportClosed() every stream got exactly one OnStreamClose.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/h2/engine/frames/frame.h"
#include "plugins/h2/engine/hpack/decoder.h"
#include "plugins/h2/engine/session/client_session.h"
#include "plugins/h2/engine/session/clock.h"
#include "tests/fuzz/fuzz_input.h"

using strata::fuzz::Check;
using strata::fuzz::FuzzInput;
namespace h2 = strata::h2;

namespace {

constexpr char kPreface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr int64_t kMaxWindow = 0x7fffffff;

struct Req {
  int id = 0;
  uint32_t stream_id = 0;
  int closes = 0;
  bool final_seen = false;
};

class Callbacks : public h2::SessionCallbacks {
 public:
  std::map<int, Req> reqs;

  Req* R(void* user) {
    auto it = reqs.find(static_cast<int>(reinterpret_cast<intptr_t>(user)));
    Check(it != reqs.end());
    Check(it->second.closes == 0);  // nothing after OnStreamClose
    return &it->second;
  }
  bool OnInformational(void* user, int status, const h2::HeaderList&) override {
    Req* r = R(user);
    Check(status >= 100 && status < 200 && status != 101);
    Check(!r->final_seen);
    return true;
  }
  bool OnHeaders(void* user, int status, const h2::HeaderList& fields, bool) override {
    Req* r = R(user);
    Check(status >= 200 && status <= 999);
    Check(!r->final_seen);
    r->final_seen = true;
    for (const h2::HeaderField& f : fields) Check(!f.name.empty() && f.name[0] != ':');
    return true;
  }
  bool OnData(void* user, absl::Span<const uint8_t>) override {
    Check(R(user)->final_seen);
    return true;
  }
  bool OnTrailers(void* user, const h2::HeaderList& trailers) override {
    Check(R(user)->final_seen);
    for (const h2::HeaderField& f : trailers) Check(!f.name.empty() && f.name[0] != ':');
    return true;
  }
  void OnStreamClose(void* user, const h2::StreamResult& result) override {
    Req* r = R(user);
    r->closes++;
    if (result.status.ok()) Check(r->final_seen);
  }
};

class PatternBody : public h2::BodySource {
 public:
  explicit PatternBody(size_t total) : left_(total) {}
  absl::StatusOr<h2::BodyChunk> Read(void*, absl::Span<uint8_t> buffer) override {
    size_t n = std::min(left_, buffer.size());
    std::fill(buffer.begin(), buffer.begin() + n, 'b');
    left_ -= n;
    return h2::BodyChunk{n, left_ == 0};
  }

 private:
  size_t left_;
};

// What the server's bytes can have granted, read from the frames they hold
// (an upper bound: the session applies a subset of them).
struct Grants {
  int64_t max_initial_window = h2::kDefaultWindowSize;
  uint32_t max_frame_size = h2::kDefaultMaxFrameSize;
  uint32_t max_table_size = 4096;
  uint64_t connection_updates = 0;
  std::map<uint32_t, uint64_t> stream_updates;
  size_t settings_frames = 0;
};

Grants ScanServer(std::string_view b) {
  Grants g;
  size_t pos = 0;
  while (pos + 9 <= b.size()) {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(b.data() + pos);
    uint32_t len = (p[0] << 16) | (p[1] << 8) | p[2];
    uint8_t type = p[3];
    uint8_t flags = p[4];
    uint32_t stream = ((p[5] << 24) | (p[6] << 16) | (p[7] << 8) | p[8]) & 0x7fffffff;
    std::string_view payload = b.substr(pos + 9, len);
    if (type == 4 && !(flags & 1)) {
      g.settings_frames++;
      for (size_t i = 0; i + 6 <= payload.size(); i += 6) {
        const uint8_t* s = reinterpret_cast<const uint8_t*>(payload.data() + i);
        uint16_t id = (s[0] << 8) | s[1];
        uint32_t v = (static_cast<uint32_t>(s[2]) << 24) | (s[3] << 16) | (s[4] << 8) | s[5];
        if (id == 4 && v <= kMaxWindow) g.max_initial_window = std::max<int64_t>(g.max_initial_window, v);
        if (id == 5) g.max_frame_size = std::max(g.max_frame_size, v);
        if (id == 1) g.max_table_size = std::max(g.max_table_size, v);
      }
    }
    if (type == 8 && payload.size() == 4) {
      const uint8_t* s = reinterpret_cast<const uint8_t*>(payload.data());
      uint32_t inc = ((s[0] << 24) | (s[1] << 16) | (s[2] << 8) | s[3]) & 0x7fffffff;
      if (stream == 0) {
        g.connection_updates += inc;
      } else {
        g.stream_updates[stream] += inc;
      }
    }
    pos += 9 + static_cast<size_t>(len);
  }
  return g;
}

// ClientWire follows what the client wrote.
class ClientWire {
 public:
  explicit ClientWire(const Grants& g) : grants_(g), decoder_(g.max_table_size) {}

  void Append(absl::Span<const uint8_t> bytes) {
    buf_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    Parse();
  }
  uint32_t highest_stream() const { return highest_stream_; }
  // Upgraded notes stream 1, opened by the HTTP/1.1 upgrade request.
  void Upgraded() { highest_stream_ = 1; }

 private:
  void Parse() {
    if (!preface_done_) {
      if (buf_.size() < 24) return;
      Check(buf_.compare(0, 24, kPreface) == 0);
      pos_ = 24;
      preface_done_ = true;
    }
    while (buf_.size() - pos_ >= 9) {
      const uint8_t* p = reinterpret_cast<const uint8_t*>(buf_.data() + pos_);
      uint32_t len = (p[0] << 16) | (p[1] << 8) | p[2];
      if (buf_.size() - pos_ < 9 + static_cast<size_t>(len)) return;
      uint8_t type = p[3];
      uint8_t flags = p[4];
      uint32_t stream = ((p[5] << 24) | (p[6] << 16) | (p[7] << 8) | p[8]) & 0x7fffffff;
      std::string_view payload(buf_.data() + pos_ + 9, len);
      pos_ += 9 + static_cast<size_t>(len);
      Frame(type, flags, stream, payload);
    }
  }

  void Frame(uint8_t type, uint8_t flags, uint32_t stream, std::string_view payload) {
    Check(payload.size() <= grants_.max_frame_size);
    Check(type <= 9);
    Check(type != 5);  // never PUSH_PROMISE
    if (continuation_stream_ != 0) {
      Check(type == 9 && stream == continuation_stream_);
    }
    switch (type) {
      case 0: {  // DATA
        Check(stream != 0 && (stream & 1) && stream <= highest_stream_);
        connection_data_ += payload.size();
        stream_data_[stream] += payload.size();
        Check(static_cast<int64_t>(connection_data_) <=
              h2::kDefaultWindowSize + static_cast<int64_t>(grants_.connection_updates));
        Check(static_cast<int64_t>(stream_data_[stream]) <=
              grants_.max_initial_window + static_cast<int64_t>(StreamUpdates(stream)));
        break;
      }
      case 1: {  // HEADERS
        Check(stream != 0 && (stream & 1));
        Check(stream > highest_stream_);  // we send no trailers: a new stream each time
        highest_stream_ = stream;
        std::string_view block = payload;
        if (flags & 0x8) {  // PADDED
          Check(!block.empty() && static_cast<uint8_t>(block[0]) < block.size());
          size_t pad = static_cast<uint8_t>(block[0]);
          block = block.substr(1, block.size() - 1 - pad);
        }
        if (flags & 0x20) block.remove_prefix(std::min<size_t>(5, block.size()));
        block_.assign(block.data(), block.size());
        if (flags & 0x4) {
          Block();
        } else {
          continuation_stream_ = stream;
        }
        break;
      }
      case 9:  // CONTINUATION
        Check(continuation_stream_ == stream);
        block_.append(payload);
        if (flags & 0x4) {
          continuation_stream_ = 0;
          Block();
        }
        break;
      case 3:  // RST_STREAM
        Check(stream != 0 && (stream & 1) && stream <= highest_stream_ && payload.size() == 4);
        break;
      case 4:  // SETTINGS
        Check(stream == 0);
        if (flags & 1) {
          Check(payload.empty());
          ++acks_;
          Check(acks_ <= grants_.settings_frames);
        }
        break;
      case 6:  // PING
        Check(stream == 0 && payload.size() == 8);
        break;
      case 7:  // GOAWAY
        Check(stream == 0 && payload.size() >= 8);
        break;
      case 8:  // WINDOW_UPDATE
        Check(payload.size() == 4);
        break;
      default:
        break;
    }
  }

  uint64_t StreamUpdates(uint32_t stream) const {
    auto it = grants_.stream_updates.find(stream);
    return it == grants_.stream_updates.end() ? 0 : it->second;
  }

  void Block() {
    h2::HeaderList fields;
    absl::Status st = decoder_.DecodeBlock(block_, SIZE_MAX, &fields);
    Check(st.ok());
    bool method = false, path = false, regular = false;
    for (const h2::HeaderField& f : fields) {
      Check(!f.name.empty());
      if (f.name[0] == ':') {
        Check(!regular);  // pseudo-headers first
      } else {
        regular = true;
      }
      if (f.name == ":method") method = true;
      if (f.name == ":path") path = true;
    }
    Check(method && path);
  }

  const Grants& grants_;
  strata::h2::hpack::Decoder decoder_;
  std::string buf_;
  size_t pos_ = 0;
  bool preface_done_ = false;
  uint32_t highest_stream_ = 0;
  uint32_t continuation_stream_ = 0;
  std::string block_;
  uint64_t connection_data_ = 0;
  std::map<uint32_t, uint64_t> stream_data_;
  size_t acks_ = 0;
};

h2::HeaderList RequestHeaders(const char* method, int n) {
  return {{":method", method},
          {":scheme", "https"},
          {":path", "/r" + std::to_string(n)},
          {":authority", "example.com"},
          {"user-agent", "strata-fuzz"},
          {"cookie", "session=1"}};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  uint8_t flags = in.U8();
  uint8_t chunk = in.U8();
  std::string server;
  if (flags & 1) {
    server.append("\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9);  // SETTINGS {}
    server.append("\x00\x00\x00\x04\x01\x00\x00\x00\x00", 9);  // SETTINGS ACK
  }
  server.append(in.Rest());

  Grants grants = ScanServer(server);
  h2::SessionOptions options;
  h2::FakeClock clock;
  Callbacks cb;
  auto session = std::make_unique<h2::ClientSession>(options, &cb, &clock);
  ClientWire wire(grants);
  std::vector<std::unique_ptr<PatternBody>> bodies;
  int next_req = 1;

  auto drain = [&] {
    absl::Span<const uint8_t> out = session->Output();
    wire.Append(out);
    session->ConsumeOutput(out.size());
  };
  auto submit = [&](const char* method, bool with_body) {
    const size_t active = session->active_streams();
    const uint32_t cap = session->Capacity();
    const uint32_t limit = session->peer_settings().max_concurrent_streams;
    int id = next_req++;
    cb.reqs[id].id = id;
    h2::BodySource* body = nullptr;
    if (with_body) {
      bodies.push_back(std::make_unique<PatternBody>(200000));
      body = bodies.back().get();
    }
    absl::StatusOr<uint32_t> sid = session->SubmitRequest(
        RequestHeaders(method, id), body, reinterpret_cast<void*>(static_cast<intptr_t>(id)));
    if (sid.ok()) {
      Check(cap > 0);
      Check(active < limit);
      Check(*sid & 1);
      cb.reqs[id].stream_id = *sid;
    } else {
      cb.reqs.erase(id);
    }
  };

  if (flags & 8) {
    int id = next_req++;
    cb.reqs[id].id = id;
    absl::StatusOr<uint32_t> sid =
        session->Upgrade(reinterpret_cast<void*>(static_cast<intptr_t>(id)), flags & 4);
    Check(sid.ok() && *sid == 1);
    cb.reqs[id].stream_id = 1;
    wire.Upgraded();
  } else {
    submit((flags & 4) ? "HEAD" : ((flags & 2) ? "POST" : "GET"), flags & 2);
  }
  if (flags & 16) {
    submit("GET", false);
    submit("POST", true);
  }
  drain();

  auto check_invariants = [&] {
    const h2::PeerSettings& peer = session->peer_settings();
    Check(session->connection_send_window() >= 0);
    Check(session->connection_send_window() <= kMaxWindow);
    Check(session->connection_receive_window() >= 0);
    Check(session->connection_receive_window() <= kMaxWindow);
    for (const h2::ClientSession::StreamWindows& w : session->stream_windows()) {
      Check(w.send <= kMaxWindow);
      Check(w.send >= static_cast<int64_t>(peer.initial_window_size) - grants.max_initial_window);
      Check(w.receive >= 0 && w.receive <= kMaxWindow);
    }
    if (session->active_streams() >= peer.max_concurrent_streams) Check(session->Capacity() == 0);
    const auto& dt = session->hpack_decoder().table();
    Check(dt.size() <= dt.capacity());
    Check(session->hpack_decoder().table_size_setting() == options.header_table_size);
    const auto& et = session->hpack_encoder().table();
    Check(et.size() <= et.capacity());
    Check(et.capacity() <= peer.header_table_size);
    Check(peer.max_frame_size >= h2::kDefaultMaxFrameSize && peer.max_frame_size <= 0xffffff);
    Check(peer.initial_window_size <= kMaxWindow);
  };
  check_invariants();

  size_t step = chunk == 0 ? server.size() : (chunk % 128) + 1;
  size_t pos = 0;
  int n = 0;
  while (pos < server.size()) {
    size_t len = std::min(step, server.size() - pos);
    absl::Status st = session->Receive(absl::Span<const uint8_t>(
        reinterpret_cast<const uint8_t*>(server.data() + pos), len));
    pos += len;
    ++n;
    if (!st.ok()) Check(session->IsDead());
    check_invariants();
    if (flags & 64) {
      clock.Advance(absl::Seconds(n % 7) + absl::Milliseconds(n * 37 % 1000));
      if (clock.Now() >= session->NextDeadline()) session->OnTimer();
      check_invariants();
    }
    if ((flags & 32) && session->Capacity() > 0 && next_req < 64) submit("GET", false);
    if (!(flags & 128) || n % 4 == 0) drain();
    if (session->IsDead()) break;
  }
  drain();
  session->TransportClosed(absl::UnavailableError("fuzz: transport closed"));
  drain();
  Check(session->active_streams() == 0);
  for (const auto& [id, r] : cb.reqs) Check(r.closes == 1);
  return 0;
}
