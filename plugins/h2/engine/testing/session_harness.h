// session_harness.h — a scripted fake server for ClientSession tests, in
// the spirit of Go's testClientConn: the test builds exact server frames,
// feeds them, and asserts what the client wrote back. Time is a FakeClock.
#ifndef STRATA_PLUGINS_H2_ENGINE_TESTING_SESSION_HARNESS_H_
#define STRATA_PLUGINS_H2_ENGINE_TESTING_SESSION_HARNESS_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "plugins/h2/engine/frames/frame.h"
#include "plugins/h2/engine/hpack/decoder.h"
#include "plugins/h2/engine/hpack/encoder.h"
#include "plugins/h2/engine/session/client_session.h"

namespace strata::h2::testing {

// Exchange records everything the session reported for one request.
struct Exchange {
  uint32_t stream_id = 0;
  std::vector<int> informational;
  int status = 0;
  HeaderList headers;
  std::string body;
  HeaderList trailers;
  bool headers_end_stream = false;
  bool closed = false;
  StreamResult result;
  // Test knobs: return false from this callback.
  bool abort_on_headers = false;
  bool abort_on_data = false;
};

// StringBody is a BodySource over a string; it can pause after |pause_at|
// bytes (answering "nothing now") until resumed by clearing the pause.
class StringBody : public BodySource {
 public:
  explicit StringBody(std::string data) : data_(std::move(data)) {}
  absl::StatusOr<BodyChunk> Read(void* user, absl::Span<uint8_t> buffer) override;
  size_t pause_at = SIZE_MAX;
  absl::Status fail_with;  // non-ok: Read fails with it
  size_t sent() const { return pos_; }

 private:
  std::string data_;
  size_t pos_ = 0;
};

// ClientFrame is one frame the client wrote, with owned payload.
struct ClientFrame {
  FrameHeader header;
  std::string payload;
  HeaderList headers;  // HEADERS: the decoded block (CONTINUATIONs merged)

  bool is(FrameType t) const { return header.type == static_cast<uint8_t>(t); }
  uint32_t u32(size_t at) const;
  uint32_t error_code() const;  // RST_STREAM, GOAWAY
};

class Harness : public SessionCallbacks {
 public:
  explicit Harness(SessionOptions options = SessionOptions());
  ~Harness() override;

  ClientSession& session() { return *session_; }
  FakeClock& clock() { return clock_; }

  // Handshake reads the client preface, sends the server's SETTINGS with
  // |settings| and an ACK of the client's, and drains the client's answer.
  void Handshake(const std::vector<Setting>& settings = {});

  // Request submits GET (or |method|) of |path| and returns its Exchange.
  Exchange* Request(const std::string& path = "/", BodySource* body = nullptr,
                    const std::string& method = "GET", HeaderList extra = {});
  absl::StatusOr<uint32_t> TryRequest(const std::string& path, BodySource* body,
                                      const std::string& method, HeaderList extra,
                                      Exchange** out);
  Exchange* ByStream(uint32_t id);

  // Frame builders (server side). Headers are HPACK-encoded with the
  // server's encoder, so calls must happen in sending order.
  std::string Headers(uint32_t stream, const HeaderList& fields, bool end_stream,
                      uint8_t extra_flags = 0);
  std::string Response(uint32_t stream, int status, bool end_stream, HeaderList extra = {});
  std::string HeaderBlock(const HeaderList& fields);  // HPACK bytes only
  static std::string Data(uint32_t stream, absl::string_view data, bool end_stream);
  static std::string Raw(uint8_t type, uint8_t flags, uint32_t stream, absl::string_view payload);
  static std::string Raw(FrameType type, uint8_t flags, uint32_t stream, absl::string_view payload);
  static std::string Rst(uint32_t stream, ErrorCode code);
  static std::string Settings(const std::vector<Setting>& settings);
  static std::string SettingsAck();
  static std::string Ping(bool ack, uint64_t opaque);
  static std::string Goaway(uint32_t last, ErrorCode code);
  static std::string WindowUpdate(uint32_t stream, uint32_t increment);

  // Feed gives bytes to the client; returns what Receive returned.
  absl::Status Feed(const std::string& bytes);

  // Drain consumes everything the client wrote and returns it as frames.
  std::vector<ClientFrame> Drain();
  // DrainUntilEmpty keeps draining while the client writes more.
  std::vector<ClientFrame> DrainAll();

  // Expectations over the frames drained so far (Drain() is called first).
  std::optional<uint32_t> GoawayCode();      // the last GOAWAY's code
  std::optional<uint32_t> RstCode(uint32_t stream);  // the last RST on it
  int Count(FrameType type);
  const std::vector<ClientFrame>& written() const { return written_; }
  void ClearWritten() { written_.clear(); }

  // SessionCallbacks.
  bool OnInformational(void* user, int status, const HeaderList& fields) override;
  bool OnHeaders(void* user, int status, const HeaderList& fields, bool end_stream) override;
  bool OnData(void* user, absl::Span<const uint8_t> data) override;
  bool OnTrailers(void* user, const HeaderList& trailers) override;
  void OnStreamClose(void* user, const StreamResult& result) override;
  void OnGoaway(uint32_t last_stream_id, uint32_t error_code, absl::string_view debug) override;

  std::vector<std::string> events;  // "goaway 3 0", ...
  bool consume_output = true;       // Drain() consumes the client's output

 private:
  FakeClock clock_;
  std::unique_ptr<ClientSession> session_;
  hpack::Encoder server_encoder_;
  hpack::Decoder server_decoder_;
  std::deque<Exchange> exchanges_;
  std::map<uint32_t, Exchange*> by_stream_;
  std::string pending_;        // client bytes not yet parsed
  bool preface_seen_ = false;
  std::string block_;          // a HEADERS block awaiting CONTINUATION
  std::vector<ClientFrame> written_;
};

}  // namespace strata::h2::testing

#endif  // STRATA_PLUGINS_H2_ENGINE_TESTING_SESSION_HARNESS_H_
