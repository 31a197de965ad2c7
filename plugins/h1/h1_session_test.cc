// Drives the h1 session through its C vtable against a fake host whose
// lower layer is a pair of in-memory buffers and whose stream callbacks
// record what they get.
#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/plugin.h"

namespace {

struct Fake {
  // Lower layer.
  std::string inbox;         // bytes the "server" sends
  size_t inbox_off = 0;
  size_t recv_chunk = SIZE_MAX;  // at most this many bytes per recv
  bool eof = false;          // after inbox: end of stream (else AGAIN)
  strata_status recv_error = STRATA_OK;
  int recv_calls = 0;
  bool data_pending = false;  // what lower_data_pending answers
  // Generates server bytes after the inbox (for large bodies); returns 0
  // when finished.
  std::function<size_t(uint8_t*, size_t)> generator;
  std::string sent;
  bool keep_sent = true;
  uint64_t sent_total = 0;
  size_t send_chunk = SIZE_MAX;  // at most this many bytes per send
  size_t max_send_len = 0;   // largest buffer h1 offered at once
  bool send_blocked = false;
  uint64_t send_limit = UINT64_MAX;  // AGAIN once this many bytes were taken in all
  strata_status send_error = STRATA_OK;
  std::map<std::string, std::string> options;

  // Application body source.
  std::vector<std::string> body_pieces;  // "" = AGAIN once
  size_t body_index = 0;
  std::function<strata_status(uint8_t*, size_t, size_t*, int*)> body_source;

  // Recorded callbacks.
  std::vector<int> heads;
  std::vector<std::vector<std::pair<std::string, std::string>>> head_fields;
  std::string body;
  uint64_t body_total = 0;
  bool keep_body = true;
  size_t max_data_len = 0;
  bool ended = false;
  std::vector<std::pair<std::string, std::string>> trailers;
  strata_status error_status = STRATA_OK;
  std::string error_message;
  int final_callbacks = 0;
  strata_status last_set_error = STRATA_OK;
  std::string set_error_message;
  strata_status on_head_rc = STRATA_OK;
  strata_status on_data_rc = STRATA_OK;
};

Fake* F(strata_layer_ctx* ctx) { return reinterpret_cast<Fake*>(ctx); }

strata_host_services MakeServices() {
  strata_host_services s{};
  s.struct_size = sizeof(s);
  s.abi_major = STRATA_ABI_MAJOR;
  s.abi_minor = STRATA_ABI_MINOR;
  s.log = [](strata_layer_ctx*, int32_t, const char*) {};
  s.set_error = [](strata_layer_ctx* ctx, strata_status st, const char* msg) {
    F(ctx)->last_set_error = st;
    F(ctx)->set_error_message = msg;
  };
  s.now_ms = []() -> uint64_t { return 0; };
  s.wake_at = [](strata_layer_ctx*, uint64_t) {};
  s.watch_fd = [](strata_layer_ctx*, int) -> strata_status { return STRATA_OK; };
  s.unwatch_fd = [](strata_layer_ctx*, int) {};
  s.option_get = [](strata_layer_ctx* ctx, const char* key, char* out,
                    size_t* len) -> strata_status {
    auto it = F(ctx)->options.find(key);
    if (it == F(ctx)->options.end()) return STRATA_E_UNSUPPORTED;
    if (*len < it->second.size() + 1) {
      *len = it->second.size() + 1;
      return STRATA_E_BUFFER_TOO_SMALL;
    }
    std::memcpy(out, it->second.c_str(), it->second.size() + 1);
    *len = it->second.size() + 1;
    return STRATA_OK;
  };
  s.lower_connect = [](strata_layer_ctx*, int* done) -> strata_status {
    *done = 1;
    return STRATA_OK;
  };
  s.lower_send = [](strata_layer_ctx* ctx, const uint8_t* d, size_t n,
                    size_t* w) -> strata_status {
    Fake* f = F(ctx);
    if (f->send_error != STRATA_OK) return f->send_error;
    if (f->send_blocked || f->sent_total >= f->send_limit) return STRATA_AGAIN;
    f->max_send_len = std::max(f->max_send_len, n);
    size_t take = std::min<uint64_t>({n, f->send_chunk, f->send_limit - f->sent_total});
    if (f->keep_sent) f->sent.append(reinterpret_cast<const char*>(d), take);
    f->sent_total += take;
    *w = take;
    return STRATA_OK;
  };
  s.lower_recv = [](strata_layer_ctx* ctx, uint8_t* buf, size_t cap,
                    size_t* r) -> strata_status {
    Fake* f = F(ctx);
    *r = 0;
    f->recv_calls++;
    if (f->inbox_off < f->inbox.size()) {
      size_t n = std::min({cap, f->recv_chunk, f->inbox.size() - f->inbox_off});
      std::memcpy(buf, f->inbox.data() + f->inbox_off, n);
      f->inbox_off += n;
      *r = n;
      return STRATA_OK;
    }
    if (f->generator) {
      size_t n = f->generator(buf, std::min(cap, f->recv_chunk));
      if (n > 0) {
        *r = n;
        return STRATA_OK;
      }
    }
    if (f->recv_error != STRATA_OK) return f->recv_error;
    return f->eof ? STRATA_OK : STRATA_AGAIN;
  };
  s.lower_poll_interest = [](strata_layer_ctx*, uint32_t wants) -> uint32_t { return wants; };
  s.lower_data_pending = [](strata_layer_ctx* ctx) -> int { return F(ctx)->data_pending ? 1 : 0; };
  s.lower_query = [](strata_layer_ctx*, uint32_t, void*, size_t*) -> strata_status {
    return STRATA_E_UNSUPPORTED;
  };
  s.lower_control = [](strata_layer_ctx*, uint32_t, const void*, size_t) -> strata_status {
    return STRATA_E_UNSUPPORTED;
  };
  s.lower_shutdown = [](strata_layer_ctx*, int* done) -> strata_status {
    *done = 1;
    return STRATA_OK;
  };
  s.stream_read_body = [](strata_layer_ctx* ctx, void*, uint8_t* buf, size_t cap, size_t* n,
                          int* eos) -> strata_status {
    Fake* f = F(ctx);
    if (f->body_source) return f->body_source(buf, cap, n, eos);
    *n = 0;
    *eos = 0;
    if (f->body_index >= f->body_pieces.size()) {
      *eos = 1;
      return STRATA_OK;
    }
    std::string& piece = f->body_pieces[f->body_index];
    if (piece.empty()) {
      ++f->body_index;
      return STRATA_AGAIN;
    }
    size_t take = std::min(cap, piece.size());
    std::memcpy(buf, piece.data(), take);
    piece.erase(0, take);
    *n = take;
    if (piece.empty()) ++f->body_index;
    *eos = f->body_index >= f->body_pieces.size();
    return STRATA_OK;
  };
  s.stream_on_head = [](strata_layer_ctx* ctx, void*,
                        const strata_response_head* h) -> strata_status {
    Fake* f = F(ctx);
    f->heads.push_back(h->status);
    std::vector<std::pair<std::string, std::string>> fields;
    for (size_t i = 0; i < h->header_count; ++i) {
      fields.emplace_back(std::string(h->headers[i].name, h->headers[i].name_len),
                          std::string(h->headers[i].value, h->headers[i].value_len));
    }
    f->head_fields.push_back(fields);
    return f->on_head_rc;
  };
  s.stream_on_data = [](strata_layer_ctx* ctx, void*, const uint8_t* d,
                        size_t n) -> strata_status {
    Fake* f = F(ctx);
    if (f->keep_body) f->body.append(reinterpret_cast<const char*>(d), n);
    f->body_total += n;
    f->max_data_len = std::max(f->max_data_len, n);
    return f->on_data_rc;
  };
  s.stream_on_end = [](strata_layer_ctx* ctx, void*, const strata_header* t, size_t n) {
    Fake* f = F(ctx);
    f->ended = true;
    ++f->final_callbacks;
    for (size_t i = 0; i < n; ++i) {
      f->trailers.emplace_back(std::string(t[i].name, t[i].name_len),
                               std::string(t[i].value, t[i].value_len));
    }
  };
  s.stream_on_error = [](strata_layer_ctx* ctx, void*, strata_status st, const char* msg) {
    Fake* f = F(ctx);
    f->error_status = st;
    f->error_message = msg;
    ++f->final_callbacks;
  };
  return s;
}

const strata_host_services kServices = MakeServices();

}  // namespace

extern "C" const strata_plugin_descriptor* strata_plugin_entry(void);

namespace {

class H1Session : public ::testing::Test {
 protected:
  void SetUp() override {
    desc_ = strata_plugin_entry();
    ASSERT_EQ(desc_->abi_major, uint32_t{STRATA_ABI_MAJOR});
    ASSERT_EQ(desc_->layer_type_count, 1u);
    ASSERT_STREQ(desc_->layer_types[0]->name, "h1");
    ASSERT_EQ(desc_->layer_types[0]->kind, STRATA_LAYER_SESSION);
    vt_ = desc_->layer_types[0]->session;
    ASSERT_EQ(desc_->init(&kServices), STRATA_OK);
  }
  void TearDown() override {
    if (self_) vt_->destroy(self_);
    desc_->deinit();
  }

  strata_status Create() {
    strata_layer_config cfg{};
    cfg.struct_size = sizeof(cfg);
    cfg.layer_name = "h1";
    cfg.options_json = "{}";
    cfg.host = "example.com";
    cfg.port = 80;
    cfg.hop = 1;
    return vt_->create(ctx(), &cfg, &self_);
  }
  void CreateAndConnect() {
    ASSERT_EQ(Create(), STRATA_OK);
    EXPECT_EQ(vt_->capacity(self_), 0u);  // not connected yet
    int done = 0;
    ASSERT_EQ(vt_->connect(self_, &done), STRATA_OK);
    ASSERT_EQ(done, 1);
    EXPECT_EQ(vt_->capacity(self_), 1u);
  }

  strata_status Open(const char* method, const char* path, int64_t content_length = 0,
                     std::vector<strata_header> headers = {}, uint32_t flags = 0) {
    strata_request_head h{};
    h.struct_size = sizeof(h);
    h.method = method;
    h.scheme = "http";
    h.authority = "example.com";
    h.path = path;
    h.headers = headers.data();
    h.header_count = headers.size();
    h.content_length = content_length;
    h.flags = flags;
    if (content_length == 0 && flags == 0) h.flags = STRATA_REQUEST_NO_BODY;
    return vt_->open_stream(self_, &h, &user_, &id_);
  }

  // Run calls progress until the stream got its final callback, progress
  // fails, or nothing moves any more.
  strata_status Run(int max_rounds = 100000) {
    strata_status st = STRATA_OK;
    for (int i = 0; i < max_rounds; ++i) {
      st = vt_->progress(self_);
      if (st < 0 || fake_.final_callbacks > 0) return st;
    }
    return st;
  }

  strata_layer_ctx* ctx() { return reinterpret_cast<strata_layer_ctx*>(&fake_); }
  void Reset() {
    Fake fresh;
    fresh.options = fake_.options;
    fake_ = fresh;
  }

  const strata_plugin_descriptor* desc_ = nullptr;
  const strata_session_layer_vtable* vt_ = nullptr;
  void* self_ = nullptr;
  Fake fake_;
  int user_ = 0;
  uint32_t id_ = 0;
};

strata_header H(const char* name, const char* value) {
  return strata_header{name, std::strlen(name), value, std::strlen(value)};
}

TEST_F(H1Session, Rfc9112_GetWithContentLengthResponse) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/index.html", 0, {H("Accept", "*/*")}), STRATA_OK);
  EXPECT_EQ(vt_->capacity(self_), 0u);
  EXPECT_EQ(vt_->poll_interest(self_), uint32_t{STRATA_POLL_READ | STRATA_POLL_WRITE});
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: t\r\n\r\nhello";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(fake_.sent, "GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n");
  ASSERT_EQ(fake_.heads, std::vector<int>{200});
  EXPECT_EQ(fake_.head_fields[0][1], (std::pair<std::string, std::string>{"Server", "t"}));
  EXPECT_EQ(fake_.body, "hello");
  EXPECT_TRUE(fake_.ended);
  EXPECT_EQ(fake_.final_callbacks, 1);
  EXPECT_EQ(vt_->is_reusable(self_), 1);
  EXPECT_EQ(vt_->capacity(self_), 1u);
  EXPECT_EQ(vt_->poll_interest(self_), uint32_t{STRATA_POLL_READ});
}

TEST_F(H1Session, Rfc9112_6_3_HeadResponseHasNoBody) {
  CreateAndConnect();
  ASSERT_EQ(Open("HEAD", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(fake_.sent, "HEAD / HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_TRUE(fake_.ended);
  EXPECT_EQ(fake_.body, "");
  EXPECT_EQ(vt_->is_reusable(self_), 1);
}

TEST_F(H1Session, Rfc9112_6_2_PostWithContentLengthBodyInPieces) {
  CreateAndConnect();
  fake_.body_pieces = {"hel", "", "lo w", "", "orld"};
  fake_.send_chunk = 7;  // partial writes
  ASSERT_EQ(Open("POST", "/upload", 11, {H("Content-Type", "text/plain")}), STRATA_OK);
  // Drive until the whole request is out, then answer.
  for (int i = 0; i < 50; ++i) vt_->progress(self_);
  EXPECT_EQ(fake_.sent,
            "POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\n"
            "Content-Length: 11\r\n\r\nhello world");
  EXPECT_EQ(vt_->poll_interest(self_), uint32_t{STRATA_POLL_READ});  // all sent
  fake_.inbox = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(fake_.heads, std::vector<int>{201});
  EXPECT_EQ(vt_->is_reusable(self_), 1);
}

TEST_F(H1Session, Rfc9112_7_1_ChunkedRequestBodyOfUnknownLength) {
  CreateAndConnect();
  fake_.body_pieces = {"abc", "", "defgh"};
  ASSERT_EQ(Open("PUT", "/x", -1), STRATA_OK);
  for (int i = 0; i < 20; ++i) vt_->progress(self_);
  EXPECT_EQ(fake_.sent,
            "PUT /x HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n");
  fake_.inbox = "HTTP/1.1 204 No Content\r\n\r\n";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_TRUE(fake_.ended);
}

TEST_F(H1Session, Rfc9112_7_1_ChunkedRequestBodyEndingWithEmptyRead) {
  CreateAndConnect();
  int calls = 0;
  fake_.body_source = [&](uint8_t* buf, size_t cap, size_t* n, int* eos) -> strata_status {
    ++calls;
    *eos = calls >= 2;
    *n = calls == 1 ? 2 : 0;
    if (calls == 1) std::memcpy(buf, "ok", 2);
    return STRATA_OK;
  };
  ASSERT_EQ(Open("POST", "/", -1), STRATA_OK);
  for (int i = 0; i < 10; ++i) vt_->progress(self_);
  EXPECT_NE(fake_.sent.find("\r\n\r\n2\r\nok\r\n0\r\n\r\n"), std::string::npos) << fake_.sent;
}

TEST_F(H1Session, Rfc9112_7_1_ChunkedResponseWithTrailers) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
      "4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Sum: 42\r\n\r\n";
  fake_.recv_chunk = 3;  // arbitrary splits
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(fake_.body, "Wikipedia");
  ASSERT_EQ(fake_.trailers.size(), 1u);
  EXPECT_EQ(fake_.trailers[0], (std::pair<std::string, std::string>{"X-Sum", "42"}));
  EXPECT_EQ(vt_->is_reusable(self_), 1);
}

TEST_F(H1Session, Rfc9110_15_2_InformationalHeadsAreDeliveredBeforeTheFinalOne) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(fake_.heads, (std::vector<int>{100, 103, 200}));
  EXPECT_EQ(fake_.body, "ok");
}

TEST_F(H1Session, Rfc9112_9_3_KeepAliveCarriesASecondExchange) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/1"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na";
  EXPECT_EQ(Run(), STRATA_OK);
  ASSERT_EQ(vt_->capacity(self_), 1u);
  // Idle and quiet: nothing to do.
  EXPECT_EQ(vt_->progress(self_), STRATA_AGAIN);
  Reset();
  ASSERT_EQ(Open("GET", "/2"), STRATA_OK);
  EXPECT_EQ(id_, 2u);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(fake_.sent, "GET /2 HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_EQ(fake_.body, "b");
  EXPECT_EQ(vt_->is_reusable(self_), 1);
}

TEST_F(H1Session, Rfc9112_9_6_ConnectionCloseIsNotReusable) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\na";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_TRUE(fake_.ended);
  EXPECT_EQ(vt_->is_reusable(self_), 0);
  EXPECT_EQ(vt_->capacity(self_), 0u);
  EXPECT_EQ(Open("GET", "/again"), STRATA_E_STATE);
}

TEST_F(H1Session, Rfc9112_9_6_RequestConnectionCloseIsNotReusable) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/", 0, {H("Connection", "close")}), STRATA_OK);
  EXPECT_EQ(vt_->is_reusable(self_), 0);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(vt_->is_reusable(self_), 0);
}

TEST_F(H1Session, Rfc9112_9_3_Http10WithoutKeepAliveIsNotReusable) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(vt_->is_reusable(self_), 0);
}

TEST_F(H1Session, Rfc9112_6_3_ReadUntilCloseEndsSuccessfullyAtEof) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\n\r\nstreamed until close";
  fake_.eof = true;
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_TRUE(fake_.ended);
  EXPECT_EQ(fake_.body, "streamed until close");
  EXPECT_EQ(vt_->is_reusable(self_), 0);
}

TEST_F(H1Session, Hostile59_ShortContentLengthBodyIsTruncated) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + std::string(1234, 'x');
  fake_.eof = true;
  EXPECT_EQ(Run(), STRATA_E_TRUNCATED);
  EXPECT_EQ(fake_.error_status, STRATA_E_TRUNCATED);
  EXPECT_EQ(fake_.error_message,
            "response truncated: connection closed after 1234 of 5000 body bytes");
  EXPECT_EQ(fake_.set_error_message, fake_.error_message);
  EXPECT_EQ(fake_.final_callbacks, 1);
  EXPECT_EQ(fake_.body.size(), 1234u);  // what arrived was delivered
  EXPECT_EQ(vt_->is_reusable(self_), 0);
  EXPECT_EQ(vt_->progress(self_), STRATA_E_TRUNCATED);  // stays dead
  EXPECT_EQ(fake_.final_callbacks, 1);
}

TEST_F(H1Session, Hostile59_MissingLastChunkIsTruncated) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n";
  fake_.eof = true;
  EXPECT_EQ(Run(), STRATA_E_TRUNCATED);
  EXPECT_NE(fake_.error_message.find("no last chunk"), std::string::npos) << fake_.error_message;
}

TEST_F(H1Session, ServerClosingBeforeAnyResponseIsClosed) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.eof = true;
  EXPECT_EQ(Run(), STRATA_E_CLOSED);
  EXPECT_EQ(fake_.error_status, STRATA_E_CLOSED);
}

TEST_F(H1Session, PeerResetIsReportedToTheStream) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab";
  fake_.recv_error = STRATA_E_IO;
  EXPECT_EQ(Run(), STRATA_E_IO);
  EXPECT_EQ(fake_.error_status, STRATA_E_IO);
  EXPECT_EQ(fake_.final_callbacks, 1);
}

TEST_F(H1Session, NewConnectionClosedBeforeTheFirstRequest) {
  CreateAndConnect();
  fake_.eof = true;
  EXPECT_EQ(vt_->progress(self_), STRATA_E_CLOSED);
  // Not an idle timeout: the server never answered anything on it. (No
  // TLS below here, so no ALPN hint.)
  EXPECT_EQ(fake_.set_error_message, "server closed the connection before the first request, without a response");
  EXPECT_EQ(vt_->is_reusable(self_), 0);
  EXPECT_EQ(fake_.final_callbacks, 0);
}

TEST_F(H1Session, IdleConnectionClosedByServer) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(Run(), STRATA_OK);
  ASSERT_EQ(vt_->is_reusable(self_), 1);
  const int finals = fake_.final_callbacks;
  fake_.eof = true;
  EXPECT_EQ(vt_->progress(self_), STRATA_E_CLOSED);
  EXPECT_EQ(fake_.set_error_message, "server closed idle connection");
  EXPECT_EQ(vt_->is_reusable(self_), 0);
  EXPECT_EQ(vt_->capacity(self_), 0u);
  EXPECT_EQ(fake_.final_callbacks, finals);
}

TEST_F(H1Session, Hostile68_BytesOnIdleConnectionAreAProtocolError) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(Run(), STRATA_OK);
  ASSERT_EQ(vt_->is_reusable(self_), 1);
  fake_.inbox += "HTTP/1.1 200 OK\r\n";  // a response nobody asked for
  EXPECT_EQ(vt_->progress(self_), STRATA_E_PROTOCOL);
  EXPECT_NE(fake_.set_error_message.find("unexpected bytes on idle connection"),
            std::string::npos);
  EXPECT_EQ(vt_->is_reusable(self_), 0);
}

TEST_F(H1Session, Hostile68_BytesAfterAResponseBlockReuse) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(fake_.body, "ok");
  EXPECT_TRUE(fake_.ended);
  EXPECT_EQ(vt_->is_reusable(self_), 0);
}

TEST_F(H1Session, Hostile64_BodyBytesOnNoContentBlockReuse) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 204 No Content\r\n\r\nstray body";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(fake_.body, "");
  EXPECT_EQ(vt_->is_reusable(self_), 0);
}

TEST_F(H1Session, Hostile53_ProtocolErrorIsFatalAndNamed) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nContent-Length: 7\r\n\r\nabcdefg";
  EXPECT_EQ(Run(), STRATA_E_PROTOCOL);
  EXPECT_EQ(fake_.error_status, STRATA_E_PROTOCOL);
  EXPECT_EQ(fake_.error_message, "two different Content-Length values (6, 7)");
  EXPECT_TRUE(fake_.heads.empty());
}

TEST_F(H1Session, Hostile65_GarbageStatusLine) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "<html>oops</html>";
  EXPECT_EQ(Run(), STRATA_E_PROTOCOL);
  EXPECT_EQ(fake_.error_message.rfind("malformed status line: ", 0), 0u) << fake_.error_message;
}

TEST_F(H1Session, Hostile66_HeaderLimitsComeFromOptions) {
  fake_.options["max_header_bytes"] = "1024";
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.inbox = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n";
  EXPECT_EQ(Run(), STRATA_E_LIMIT);
  EXPECT_NE(fake_.error_message.find("max_header_bytes"), std::string::npos);
}

TEST_F(H1Session, Hostile39_InformationalBytesCapFromOptions) {
  fake_.options["max_1xx_bytes"] = "200";
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  for (int i = 0; i < 20; ++i) fake_.inbox += "HTTP/1.1 102 Processing\r\n\r\n";
  EXPECT_EQ(Run(), STRATA_E_LIMIT);
  EXPECT_NE(fake_.error_message.find("max_1xx_bytes"), std::string::npos);
}

TEST_F(H1Session, InvalidOptionFailsCreate) {
  fake_.options["max_header_count"] = "\"lots\"";
  EXPECT_EQ(Create(), STRATA_E_CONFIG);
  EXPECT_NE(fake_.set_error_message.find("max_header_count"), std::string::npos);
  self_ = nullptr;
}

TEST_F(H1Session, EarlyResponseDuringUploadStopsSending) {
  CreateAndConnect();
  // A body source that never ends on its own within this test.
  fake_.body_source = [](uint8_t* buf, size_t cap, size_t* n, int* eos) -> strata_status {
    std::memset(buf, 'u', cap);
    *n = cap;
    *eos = 0;
    return STRATA_OK;
  };
  fake_.keep_sent = false;
  fake_.send_chunk = 1000;
  ASSERT_EQ(Open("POST", "/big", 1 << 30), STRATA_OK);
  vt_->progress(self_);
  fake_.send_blocked = true;  // the server stopped reading
  fake_.inbox = "HTTP/1.1 413 Content Too Large\r\nContent-Length: 4\r\n\r\nnope";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(fake_.heads, std::vector<int>{413});
  EXPECT_EQ(fake_.body, "nope");
  EXPECT_TRUE(fake_.ended);
  EXPECT_LT(fake_.sent_total, uint64_t{1} << 30);
  EXPECT_EQ(vt_->is_reusable(self_), 0);
  EXPECT_EQ(vt_->poll_interest(self_) & STRATA_POLL_WRITE, 0u);
}

TEST_F(H1Session, ContinueDuringUploadDoesNotStopSending) {
  CreateAndConnect();
  fake_.body_pieces = {"0123456789"};
  fake_.send_blocked = true;
  ASSERT_EQ(Open("POST", "/", 10), STRATA_OK);
  fake_.inbox = "HTTP/1.1 100 Continue\r\n\r\n";
  vt_->progress(self_);
  fake_.send_blocked = false;
  for (int i = 0; i < 10; ++i) vt_->progress(self_);
  EXPECT_NE(fake_.sent.find("\r\n\r\n0123456789"), std::string::npos);
  fake_.inbox += "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_EQ(fake_.heads, (std::vector<int>{100, 200}));
  EXPECT_EQ(vt_->is_reusable(self_), 1);
}

TEST_F(H1Session, SendFailureWithoutResponseFailsTheStream) {
  CreateAndConnect();
  fake_.send_error = STRATA_E_CLOSED;
  fake_.eof = true;
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  EXPECT_EQ(Run(), STRATA_E_CLOSED);
  EXPECT_EQ(fake_.error_status, STRATA_E_CLOSED);
  EXPECT_NE(fake_.error_message.find("sending the request"), std::string::npos);
}

TEST_F(H1Session, BodySourceShorterThanDeclaredIsABodyError) {
  CreateAndConnect();
  fake_.body_pieces = {"abc"};
  ASSERT_EQ(Open("POST", "/", 10), STRATA_OK);
  EXPECT_EQ(Run(), STRATA_E_BODY);
  EXPECT_EQ(fake_.error_status, STRATA_E_BODY);
  EXPECT_EQ(fake_.error_message, "request body source ended after 3 of 10 declared bytes");
  EXPECT_EQ(vt_->is_reusable(self_), 0);
}

TEST_F(H1Session, BodySourceLongerThanDeclaredIsABodyError) {
  CreateAndConnect();
  fake_.body_source = [](uint8_t* buf, size_t cap, size_t* n, int* eos) -> strata_status {
    std::memset(buf, 'x', cap);
    *n = cap;
    *eos = 0;
    return STRATA_OK;
  };
  ASSERT_EQ(Open("POST", "/", 10), STRATA_OK);
  EXPECT_EQ(Run(), STRATA_E_BODY);
  EXPECT_EQ(fake_.error_message, "request body source gave more than the declared 10 bytes");
}

TEST_F(H1Session, BodySourceWaitingDropsWriteInterest) {
  CreateAndConnect();
  fake_.body_source = [](uint8_t*, size_t, size_t* n, int* eos) -> strata_status {
    *n = 0;
    *eos = 0;
    return STRATA_AGAIN;
  };
  ASSERT_EQ(Open("POST", "/", 5), STRATA_OK);
  EXPECT_EQ(vt_->progress(self_), STRATA_OK);  // the head went out
  EXPECT_EQ(vt_->poll_interest(self_), uint32_t{STRATA_POLL_READ});
  EXPECT_EQ(vt_->progress(self_), STRATA_AGAIN);
}

TEST_F(H1Session, CallbackAbortEndsStreamAndConnection) {
  CreateAndConnect();
  fake_.on_data_rc = STRATA_E_BODY;
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  ASSERT_EQ(vt_->progress(self_), STRATA_OK);  // sends the request
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndata";
  EXPECT_EQ(vt_->progress(self_), STRATA_E_BODY);
  EXPECT_EQ(fake_.final_callbacks, 0);  // the host aborted it; no more callbacks
  EXPECT_EQ(vt_->is_reusable(self_), 0);
  EXPECT_EQ(vt_->capacity(self_), 0u);
}

TEST_F(H1Session, NoReadRightAfterTheWholeRequestLeft) {
  // The server cannot have answered a request that left in this very call:
  // progress() does not ask the layer below (it would only say AGAIN); the
  // host drives it again once the socket is readable.
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  const int before = fake_.recv_calls;
  ASSERT_EQ(vt_->progress(self_), STRATA_OK);
  EXPECT_NE(fake_.sent.find("GET / HTTP/1.1\r\n"), std::string::npos);
  EXPECT_EQ(fake_.recv_calls, before);
  // What the skip relies on: the host polls for the response.
  EXPECT_NE(vt_->poll_interest(self_) & STRATA_POLL_READ, 0u);
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  ASSERT_EQ(Run(), STRATA_OK);
  EXPECT_TRUE(fake_.ended);
  EXPECT_EQ(fake_.body, "ok");
  EXPECT_EQ(vt_->is_reusable(self_), 1);
}

TEST_F(H1Session, ARequestThatLeftOverTwoCallsIsFollowedByARead) {
  // Only a request that leaves whole in one call skips the read: once its
  // first bytes went out earlier, an answer (an early 413, a 408) may be
  // waiting when the rest leaves.
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.send_limit = 10;
  ASSERT_EQ(vt_->progress(self_), STRATA_OK);
  ASSERT_EQ(fake_.sent_total, 10u);
  fake_.send_limit = UINT64_MAX;
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const int before = fake_.recv_calls;
  ASSERT_EQ(vt_->progress(self_), STRATA_OK);
  EXPECT_GT(fake_.recv_calls, before);
  EXPECT_TRUE(fake_.ended);
  EXPECT_EQ(fake_.body, "ok");
}

TEST_F(H1Session, BytesALayerBelowAlreadyHoldsAreReadWithTheRequest) {
  // Polling would not report bytes a layer below buffered (a tunnel's
  // leftovers): when it says it holds some, they are read in the same call.
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  fake_.data_pending = true;
  fake_.inbox = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  ASSERT_EQ(vt_->progress(self_), STRATA_OK);
  EXPECT_TRUE(fake_.ended);
  EXPECT_EQ(fake_.body, "ok");
}

TEST_F(H1Session, CancelStreamBlocksReuseAndSilencesCallbacks) {
  CreateAndConnect();
  ASSERT_EQ(Open("GET", "/"), STRATA_OK);
  EXPECT_EQ(vt_->cancel_stream(self_, id_), STRATA_OK);
  EXPECT_EQ(vt_->is_reusable(self_), 0);
  EXPECT_EQ(vt_->capacity(self_), 0u);
  EXPECT_EQ(vt_->cancel_stream(self_, 99), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(fake_.final_callbacks, 0);
}

TEST_F(H1Session, InvalidRequestHeadIsRefusedClearly) {
  CreateAndConnect();
  EXPECT_EQ(Open("GET", "/", 0, {H("X-Evil", "a\r\nInjected: 1")}), STRATA_E_INVALID_ARGUMENT);
  EXPECT_NE(fake_.set_error_message.find("control character"), std::string::npos);
  EXPECT_EQ(vt_->capacity(self_), 1u);  // nothing happened
}

TEST_F(H1Session, QueriesAnswerVersionAndDescription) {
  CreateAndConnect();
  int version = 0;
  size_t len = sizeof(version);
  ASSERT_EQ(vt_->query(self_, STRATA_QUERY_HTTP_VERSION, &version, &len), STRATA_OK);
  EXPECT_EQ(version, 11);
  char text[16];
  len = sizeof(text);
  ASSERT_EQ(vt_->query(self_, STRATA_QUERY_DESCRIBE, text, &len), STRATA_OK);
  EXPECT_STREQ(text, "h1");
  len = sizeof(text);
  EXPECT_EQ(vt_->query(self_, STRATA_QUERY_ALPN, text, &len), STRATA_E_UNSUPPORTED);
}

TEST_F(H1Session, LargeBodiesUseFixedBuffers) {
  constexpr uint64_t kSize = 64ull << 20;
  CreateAndConnect();
  // 64 MiB chunked upload.
  uint64_t produced = 0;
  fake_.body_source = [&](uint8_t* buf, size_t cap, size_t* n, int* eos) -> strata_status {
    size_t take = static_cast<size_t>(std::min<uint64_t>(cap, kSize - produced));
    std::memset(buf, 'b', take);
    produced += take;
    *n = take;
    *eos = produced == kSize;
    return STRATA_OK;
  };
  fake_.keep_sent = false;
  fake_.keep_body = false;
  ASSERT_EQ(Open("POST", "/", -1), STRATA_OK);
  // 64 MiB response body generated on the fly after the head.
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kSize) + "\r\n\r\n";
  uint64_t served = 0;
  bool head_served = false;
  fake_.generator = [&](uint8_t* buf, size_t cap) -> size_t {
    if (produced < kSize) return 0;  // answer after the upload
    if (!head_served) {
      head_served = true;
      std::memcpy(buf, head.data(), head.size());
      return head.size();
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(cap, kSize - served));
    std::memset(buf, 'r', take);
    served += take;
    return take;
  };
  EXPECT_EQ(Run(), STRATA_OK);
  EXPECT_TRUE(fake_.ended);
  EXPECT_EQ(produced, kSize);
  EXPECT_EQ(fake_.body_total, kSize);
  EXPECT_GT(fake_.sent_total, kSize);  // plus head and chunk framing
  EXPECT_LE(fake_.max_send_len, size_t{64 * 1024 + 32});
  EXPECT_LE(fake_.max_data_len, size_t{64 * 1024});
  EXPECT_EQ(vt_->is_reusable(self_), 1);
}

}  // namespace
