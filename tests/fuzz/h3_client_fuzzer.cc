// h3_client_fuzzer.cc — the h3 plugin's HTTP/3 engine (plugins/h3:
// Http3Client, on nghttp3) fed server stream bytes as QUIC would hand them
// over once decrypted, with no QUIC, no TLS and no sockets.
//
// The client binds its control and QPACK streams to 2, 6 and 10, submits a
// GET on stream 0 (and, by flag, a POST on stream 4), then the input is a
// list of records, each the bytes the server sent on one stream:
//   [flags] then repeated [selector][length: 2 bytes][bytes...]
//   flags bit 0: the second request (POST with a 40 KB body on stream 4);
//         bit 1: prepend a valid control stream (type 0x00, empty SETTINGS);
//         bit 2: the host refuses every response body (Data returns an
//                error: the stream is abandoned, the connection lives on);
//         bit 3: the host's body source says "not yet" every other call.
//   selector bits 0-1: stream 0 (or 4 with bit 3), 3 (control), 7 (QPACK
//                encoder), 11 (QPACK decoder); bit 2: FIN after the bytes;
//                bit 4: then QUIC closes the stream (code from bits 5-7);
//                bit 3: request stream 4 instead of 0.
// After every record the client's output is drained as if QUIC sent it all.
// Invariants (trap):
//   - an exchange gets exactly one final event (End or Error), and nothing
//     after it; a Head comes before Data and its status is 100..999;
//   - a fatal error maps to an HTTP/3 or QPACK error code (0x100-0x110,
//     0x200-0x202);
//   - Open() never counts more exchanges than were submitted;
//   - flow-control credit is never returned for more bytes than arrived.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "plugins/h3/http3_client.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using strata::fuzz::Check;
using strata::fuzz::FuzzInput;
using strata::h3::Http3Client;

struct Exchange {
  bool head = false;
  bool final_status = false;
  bool done = false;
  size_t body_sent = 0;
  size_t body_size = 0;
  int reads = 0;
};

class FakeQuic : public Http3Client::Transport, public Http3Client::Exchanges {
 public:
  bool refuse_data = false;
  bool slow_body = false;
  std::map<int64_t, uint64_t> received, credited;

  void Consumed(int64_t id, uint64_t bytes) override {
    credited[id] += bytes;
    Check(credited[id] <= received[id]);
  }
  void ResetStream(int64_t, uint64_t) override {}
  void StopReading(int64_t, uint64_t) override {}
  void StopWriting(int64_t, uint64_t) override {}

  strata_status ReadBody(void* user, uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) override {
    auto* x = static_cast<Exchange*>(user);
    Check(!x->done);
    if (slow_body && (x->reads++ % 2) == 0) return STRATA_AGAIN;
    size_t n = std::min(cap, x->body_size - x->body_sent);
    for (size_t i = 0; i < n; ++i) buf[i] = static_cast<uint8_t>('a' + (x->body_sent + i) % 26);
    x->body_sent += n;
    *out_read = n;
    *out_eos = x->body_sent == x->body_size;
    return STRATA_OK;
  }
  strata_status Head(void* user, const strata_response_head& head) override {
    auto* x = static_cast<Exchange*>(user);
    Check(!x->done);
    Check(head.status >= 100 && head.status <= 999);
    Check(head.http_version == 30);
    x->head = true;
    if (head.status >= 200) x->final_status = true;
    return STRATA_OK;
  }
  strata_status Data(void* user, const uint8_t*, size_t) override {
    auto* x = static_cast<Exchange*>(user);
    Check(!x->done);
    Check(x->head);
    return refuse_data ? STRATA_E_BODY : STRATA_OK;
  }
  void End(void* user, const strata_header*, size_t) override {
    auto* x = static_cast<Exchange*>(user);
    Check(!x->done);
    x->done = true;
  }
  void Error(void* user, strata_status status, const std::string&) override {
    auto* x = static_cast<Exchange*>(user);
    Check(!x->done);
    Check(status < 0);
    x->done = true;
  }
};

bool IsH3Code(uint64_t code) { return (code >= 0x100 && code <= 0x110) || (code >= 0x200 && code <= 0x202); }

// Drain takes everything the client wants to send.
void Drain(Http3Client& client) {
  for (int i = 0; i < 64; ++i) {
    int64_t id = -1;
    int fin = 0;
    nghttp3_vec vec[16];
    int count = client.NextData(&id, &fin, vec, 16);
    if (count < 0) return;
    if (id < 0) return;
    size_t len = 0;
    for (int v = 0; v < count; ++v) len += vec[v].len;
    client.Written(id, len);
    if (len > 0) client.Acked(id, len);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in(data, size);
  const uint8_t flags = in.U8();
  FakeQuic quic;
  quic.refuse_data = (flags & 4) != 0;
  quic.slow_body = (flags & 8) != 0;
  Http3Client client(&quic, &quic, 16384, "fuzz.test:443");
  Check(client.Start(2, 6, 10).ok());

  Exchange get, post;
  const strata_request_head get_head = {sizeof(strata_request_head), "GET", "https", "fuzz.test", "/", nullptr, 0, 0,
                                        STRATA_REQUEST_NO_BODY};
  Check(client.Submit(0, get_head, &get).ok());
  size_t submitted = 1;
  if (flags & 1) {
    const strata_header field = {"content-type", 12, "text/plain", 10};
    post.body_size = 40000;
    const strata_request_head post_head = {sizeof(strata_request_head), "POST", "https", "fuzz.test", "/up",
                                           &field, 1, 40000, 0};
    Check(client.Submit(4, post_head, &post).ok());
    ++submitted;
  }
  Drain(client);

  auto feed = [&](int64_t id, const uint8_t* bytes, size_t len, bool fin) {
    quic.received[id] += len;
    int rv = client.Received(id, bytes, len, fin);
    if (rv != 0) {
      Check(IsH3Code(Http3Client::ErrorCode(rv)));
      return false;
    }
    return true;
  };
  bool alive = true;
  if (flags & 2) {
    static const uint8_t kControl[] = {0x00, 0x04, 0x00};
    alive = feed(3, kControl, sizeof(kControl), false);
  }
  static const int64_t kStreams[] = {0, 3, 7, 11};
  while (alive && !in.empty()) {
    const uint8_t selector = in.U8();
    int64_t id = kStreams[selector & 3];
    if (id == 0 && (selector & 8) && (flags & 1)) id = 4;
    const std::string_view bytes = in.Bytes(in.U16());
    alive = feed(id, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), (selector & 4) != 0);
    if (alive && (selector & 16)) {
      int rv = client.Closed(id, 0x100 + (selector >> 5));
      if (rv != 0) {
        Check(IsH3Code(Http3Client::ErrorCode(rv)));
        alive = false;
      }
    }
    if (alive) {
      client.ResumeBodies();
      Drain(client);
    }
    Check(client.Open() <= submitted);
  }
  client.FailAll(STRATA_E_CLOSED, "the fuzz input ended");
  Check(get.done);
  Check(!(flags & 1) || post.done);
  return 0;
}
