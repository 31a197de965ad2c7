// fake_session_host.h — a stand-in for the runtime when testing the HTTP/2
// session layer types through their C vtables: the layer below is a pair
// of in-memory buffers (with an ALPN answer), stream callbacks are recorded
// per stream, time is a fake clock; plus a scripted HTTP/2 server that
// parses what the client wrote and builds the frames the test sends back.
#ifndef STRATA_PLUGINS_H2_LAYER_TESTING_FAKE_SESSION_HOST_H_
#define STRATA_PLUGINS_H2_LAYER_TESTING_FAKE_SESSION_HOST_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "plugins/h2/engine/frames/frame.h"
#include "plugins/h2/engine/hpack/decoder.h"
#include "plugins/h2/engine/hpack/encoder.h"
#include "strata/plugin.h"

namespace strata::h2::testing {

using Fields = std::vector<std::pair<std::string, std::string>>;

// StreamRecord is one exchange as the host saw it; its address is the
// stream_user handed to open_stream.
struct StreamRecord {
  // Request body: pieces handed out in order; "" answers STRATA_AGAIN once.
  std::vector<std::string> body_pieces;
  size_t body_index = 0;
  strata_status body_error = STRATA_OK;  // returned instead, when set
  // What the host answers from on_head / on_data.
  strata_status head_rc = STRATA_OK;
  strata_status data_rc = STRATA_OK;

  std::vector<int> heads;  // every head's status, 1xx included
  std::vector<int> versions;
  Fields fields;  // the last head's fields
  std::string body;
  Fields trailers;
  bool ended = false;
  strata_status error = STRATA_OK;
  std::string error_message;
  int final_callbacks = 0;

  bool done() const { return final_callbacks > 0; }
};

class FakeSessionHost {
 public:
  FakeSessionHost();
  FakeSessionHost(const FakeSessionHost&) = delete;
  FakeSessionHost& operator=(const FakeSessionHost&) = delete;

  const strata_host_services* services() const { return &services_; }
  strata_layer_ctx* ctx() { return reinterpret_cast<strata_layer_ctx*>(this); }

  // The layer below.
  std::string inbox;  // bytes the server sends, consumed by lower_recv
  size_t inbox_off = 0;
  bool eof = false;  // after the inbox: end of stream (else AGAIN)
  std::string sent;  // everything the layer wrote
  bool send_blocked = false;
  std::string alpn;  // the ALPN answer; unsupported when alpn_known is false
  bool alpn_known = true;
  int alpn_queries = 0;

  std::map<std::string, std::string> options;  // option_get answers (JSON text)
  uint64_t now_ms = 1000;
  uint64_t wake_at = 0;
  std::vector<std::pair<int, std::string>> logs;
  strata_status error_status = STRATA_OK;  // last set_error
  std::string error_message;

  // LogHas: a log line at |level| (0: any) contains |needle|.
  bool LogHas(const std::string& needle, int level = 0) const;

 private:
  // now_ms() carries no ctx: it reads the most recently made host.
  static FakeSessionHost* current_;
  strata_host_services services_;
};

// ClientFrame is one frame the client wrote; HEADERS carry the decoded
// field block.
struct ClientFrame {
  FrameHeader header;
  std::string payload;
  Fields fields;

  bool is(FrameType t) const { return header.type == static_cast<uint8_t>(t); }
  uint32_t error_code() const;  // RST_STREAM, GOAWAY
};

// ScriptedServer reads the client's bytes from a FakeSessionHost and queues
// server frames into its inbox.
class ScriptedServer {
 public:
  explicit ScriptedServer(FakeSessionHost* host, size_t start_at = 0) : host_(host), pos_(start_at) {}

  // Frames the client wrote since the last call (the preface is skipped).
  std::vector<ClientFrame> NewFrames();
  // All frames read so far.
  const std::vector<ClientFrame>& frames() const { return all_; }
  bool SawPreface() const { return saw_preface_; }

  void Settings(const std::vector<Setting>& settings = {});
  void SettingsAck();
  void Headers(uint32_t stream_id, const Fields& fields, bool end_stream);
  void Data(uint32_t stream_id, const std::string& data, bool end_stream);
  void Rst(uint32_t stream_id, uint32_t code);
  void Goaway(uint32_t last_stream_id, uint32_t code);
  void Raw(const std::string& bytes) { host_->inbox += bytes; }

 private:
  FakeSessionHost* host_;
  size_t pos_;
  bool saw_preface_ = false;
  std::vector<ClientFrame> all_;
  hpack::Encoder encoder_;
  hpack::Decoder decoder_;
};

}  // namespace strata::h2::testing

#endif  // STRATA_PLUGINS_H2_LAYER_TESTING_FAKE_SESSION_HOST_H_
