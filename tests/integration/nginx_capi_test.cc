// End-to-end through the public C API against a real nginx: the runtime
// with the tcp and h1 plugins from //tools:dist, linked as //runtime/capi.
// Each test starts its own nginx, so the tests run in parallel.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/content.h"
#include "tests/support/free_port.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

class NginxCapiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    ASSERT_TRUE(nginx_.Start(&error)) << error;
    RuntimeResult rt = MakeRuntime(DefaultTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
  }

  // LogEntryFor returns the access log entry of the (single) request whose
  // request line is |request_line|, waiting for it to be logged.
  AccessLogEntry LogEntryFor(const std::string& request_line) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    do {
      for (const AccessLogEntry& e : nginx_.AccessLog()) {
        if (e.request == request_line) return e;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    ADD_FAILURE() << "nginx never logged " << request_line;
    return {};
  }

  NginxFixture nginx_;
  RuntimePtr runtime_;
};

TEST_F(NginxCapiTest, Get) {
  nginx_.WriteDocFile("hello.txt", "hello from nginx\n");
  FetchResult r = Get(runtime_.get(), nginx_.Url("/hello.txt"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(strata_response_http_version(r.response.get()), 11);
  EXPECT_EQ(r.body(), "hello from nginx\n");
  EXPECT_EQ(r.header("content-length"), "17");
  EXPECT_EQ(r.header("Server").rfind("nginx", 0), 0u);
  EXPECT_EQ(r.info(STRATA_INFO_SIZE_DOWNLOAD), 17);
  EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), 1);
  EXPECT_EQ(std::string(strata_response_effective_url(r.response.get())), nginx_.Url("/hello.txt"));
  AccessLogEntry e = LogEntryFor("GET /hello.txt HTTP/1.1");
  EXPECT_EQ(e.status, 200);
}

TEST_F(NginxCapiTest, HeadHasNoBody) {
  nginx_.WriteDocFile("hello.txt", "hello from nginx\n");
  FetchSpec spec;
  spec.method = "HEAD";
  spec.url = nginx_.Url("/hello.txt");
  FetchResult r = Fetch(runtime_.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.header("Content-Length"), "17");  // the length a GET would have
  EXPECT_EQ(r.body(), "");
  EXPECT_EQ(LogEntryFor("HEAD /hello.txt HTTP/1.1").body_bytes_sent, 0u);
}

// The uploaded bytes are compared with the file nginx kept: proof that the
// body arrived exactly, not only that nginx answered.
TEST_F(NginxCapiTest, PostBodyArrivesByteForByte) {
  std::string body = PatternBlock(7, 300000);
  FetchSpec spec;
  spec.method = "POST";
  spec.url = nginx_.Url("/upload");
  spec.has_body = true;
  spec.body = body;
  spec.headers = {{"Content-Type", "application/octet-stream"}};
  FetchResult r = Fetch(runtime_.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "stored\n");
  AccessLogEntry e = LogEntryFor("POST /upload HTTP/1.1");
  EXPECT_EQ(e.content_length, std::to_string(body.size()));
  ASSERT_NE(e.request_body_file, "-") << nginx_.ErrorLog();
  EXPECT_TRUE(ReadFileOrDie(e.request_body_file) == body) << "uploaded bytes differ";
  EXPECT_EQ(r.info(STRATA_INFO_SIZE_UPLOAD), static_cast<int64_t>(body.size()));
}

struct PatternReader {
  std::string data;
  size_t offset = 0;
};

strata_status ReadPattern(void* user, uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) {
  auto* r = static_cast<PatternReader*>(user);
  // Small pieces on purpose: many read calls, many chunks on the wire.
  size_t n = std::min({cap, r->data.size() - r->offset, size_t{7000}});
  std::memcpy(buf, r->data.data() + r->offset, n);
  r->offset += n;
  *out_read = n;
  *out_eos = r->offset == r->data.size();
  return STRATA_OK;
}

// A body of unknown length goes out chunked (strata.h); nginx decodes it,
// and the kept file must equal what the reader produced.
TEST_F(NginxCapiTest, StreamedBodyOfUnknownLengthIsSentChunked) {
  PatternReader reader{PatternBlock(11, 123457), 0};
  strata_status st;
  FetchSpec spec;
  spec.method = "POST";
  spec.url = nginx_.Url("/upload");
  RequestPtr request = PrepareRequest(spec, &st);
  ASSERT_EQ(st, STRATA_OK);
  ASSERT_EQ(strata_request_set_body_reader(request.get(), -1, ReadPattern, &reader), STRATA_OK);
  strata_response* resp = nullptr;
  strata_error error = NewError();
  st = strata_fetch(runtime_.get(), request.get(), &resp, &error);
  ResponsePtr response(resp);
  ASSERT_EQ(st, STRATA_OK) << error.message;
  EXPECT_EQ(strata_response_status(resp), 200);
  AccessLogEntry e = LogEntryFor("POST /upload HTTP/1.1");
  EXPECT_EQ(e.transfer_encoding, "chunked");
  EXPECT_EQ(e.content_length, std::to_string(reader.data.size()));  // nginx's decoded length
  ASSERT_NE(e.request_body_file, "-");
  EXPECT_TRUE(ReadFileOrDie(e.request_body_file) == reader.data) << "uploaded bytes differ";
}

TEST_F(NginxCapiTest, PutWithKnownLengthReaderWritesTheFile) {
  PatternReader reader{PatternBlock(3, 65536 + 17), 0};
  strata_status st;
  FetchSpec spec;
  spec.method = "PUT";
  spec.url = nginx_.Url("/dav/put.bin");
  RequestPtr request = PrepareRequest(spec, &st);
  ASSERT_EQ(st, STRATA_OK);
  ASSERT_EQ(strata_request_set_body_reader(request.get(), static_cast<int64_t>(reader.data.size()),
                                           ReadPattern, &reader),
            STRATA_OK);
  strata_response* resp = nullptr;
  strata_error error = NewError();
  st = strata_fetch(runtime_.get(), request.get(), &resp, &error);
  ResponsePtr response(resp);
  ASSERT_EQ(st, STRATA_OK) << error.message;
  EXPECT_EQ(strata_response_status(resp), 201);
  EXPECT_TRUE(ReadFileOrDie(nginx_.docroot() + "/dav/put.bin") == reader.data);
  EXPECT_EQ(LogEntryFor("PUT /dav/put.bin HTTP/1.1").content_length,
            std::to_string(reader.data.size()));
}

// nginx answers /chunked/ with Transfer-Encoding: chunked (sub_filter drops
// the length); a body larger than nginx's buffers arrives in many chunks.
TEST_F(NginxCapiTest, ChunkedResponseIsDecoded) {
  std::string text;
  for (int i = 0; text.size() < 200000; ++i) text += "line " + std::to_string(i) + " aaa zzz\n";
  nginx_.WriteDocFile("chunked/big.txt", text);
  std::string expected = text;
  for (char& c : expected) {
    if (c == 'a') c = 'b';
  }
  FetchResult r = Get(runtime_.get(), nginx_.Url("/chunked/big.txt"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_FALSE(r.has_header("Content-Length"));
  EXPECT_EQ(r.body().size(), expected.size());
  EXPECT_TRUE(r.body() == expected) << "decoded chunked body differs";
  EXPECT_EQ(r.info(STRATA_INFO_SIZE_DOWNLOAD), static_cast<int64_t>(expected.size()));
}

TEST_F(NginxCapiTest, NotFoundIsAResponse) {
  FetchResult r = Get(runtime_.get(), nginx_.Url("/missing.txt"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 404);
  EXPECT_NE(r.body().find("404 Not Found"), std::string::npos) << r.body();
}

// Every fetch here must finish long before nginx's 60 s keep-alive timeout;
// a fetch that only ends when the server closes the connection is a hang.
constexpr auto kPrompt = std::chrono::seconds(5);

TEST_F(NginxCapiTest, FailOnHttpErrorReportsTheStatus) {
  FetchSpec spec;
  spec.url = nginx_.Url("/missing.txt");
  spec.int_options = {{STRATA_OPT_FAIL_ON_HTTP_ERROR, 1}};
  auto start = std::chrono::steady_clock::now();
  FetchResult f = Fetch(runtime_.get(), spec);
  EXPECT_LT(std::chrono::steady_clock::now() - start, kPrompt);
  EXPECT_EQ(f.status, STRATA_E_HTTP_STATUS) << f.Describe();
  EXPECT_EQ(f.response, nullptr);
  EXPECT_NE(std::string(f.error.message).find("404"), std::string::npos) << f.error.message;
  EXPECT_NE(std::string(f.error.url).find("/missing.txt"), std::string::npos) << f.error.url;
}

// Regression: after a 404 was fetched without "fail", the same fetch with
// "fail" on the reused connection used to return only when nginx closed
// that connection 60 s later.
TEST_F(NginxCapiTest, FailOnHttpErrorOnAReusedConnectionIsPrompt) {
  ASSERT_EQ(Get(runtime_.get(), nginx_.Url("/missing.txt")).http_status(), 404);
  FetchSpec spec;
  spec.url = nginx_.Url("/missing.txt");
  spec.int_options = {{STRATA_OPT_FAIL_ON_HTTP_ERROR, 1}};
  auto start = std::chrono::steady_clock::now();
  FetchResult f = Fetch(runtime_.get(), spec);
  EXPECT_LT(std::chrono::steady_clock::now() - start, kPrompt);
  EXPECT_EQ(f.status, STRATA_E_HTTP_STATUS) << f.Describe();
}

// Keep-alive, proven on the server side: nginx logs the same $connection
// for both requests and counts them 1 and 2 on it.
TEST_F(NginxCapiTest, TwoFetchesOnOneRuntimeShareTheConnection) {
  nginx_.WriteDocFile("one.txt", "one\n");
  nginx_.WriteDocFile("two.txt", "two\n");
  FetchResult first = Get(runtime_.get(), nginx_.Url("/one.txt"));
  ASSERT_EQ(first.status, STRATA_OK) << first.Describe();
  FetchResult second = Get(runtime_.get(), nginx_.Url("/two.txt"));
  ASSERT_EQ(second.status, STRATA_OK) << second.Describe();
  EXPECT_EQ(first.body(), "one\n");
  EXPECT_EQ(second.body(), "two\n");
  EXPECT_EQ(first.info(STRATA_INFO_NUM_CONNECTS), 1);
  EXPECT_EQ(second.info(STRATA_INFO_NUM_CONNECTS), 0);
  AccessLogEntry a = LogEntryFor("GET /one.txt HTTP/1.1");
  AccessLogEntry b = LogEntryFor("GET /two.txt HTTP/1.1");
  EXPECT_EQ(a.connection, b.connection);
  EXPECT_EQ(a.connection_requests, 1u);
  EXPECT_EQ(b.connection_requests, 2u);
}

// When nginx closes after keepalive_requests, the next fetch must notice
// and connect again instead of failing.
TEST(NginxCapiKeepAliveTest, ServerClosingAfterOneRequestMeansANewConnection) {
  NginxOptions options;
  options.keepalive_requests = 1;
  NginxFixture nginx(options);
  std::string error;
  ASSERT_TRUE(nginx.Start(&error)) << error;
  nginx.WriteDocFile("a.txt", "a\n");
  RuntimeResult rt = MakeRuntime(DefaultTestConfig());
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  for (int i = 0; i < 3; ++i) {
    FetchResult r = Get(rt.runtime.get(), nginx.Url("/a.txt"));
    ASSERT_EQ(r.status, STRATA_OK) << "fetch " << i << ": " << r.Describe();
    EXPECT_EQ(r.body(), "a\n");
  }
  auto log = nginx.WaitForAccessLog(3);
  ASSERT_EQ(log.size(), 3u);
  EXPECT_NE(log[0].connection, log[1].connection);
  EXPECT_NE(log[1].connection, log[2].connection);
}

struct ChecksumWriter {
  Fnv1a64 sum;
  uint64_t bytes = 0;
  size_t calls = 0;
};

strata_status WriteChecksum(void* user, const uint8_t* data, size_t len) {
  auto* w = static_cast<ChecksumWriter*>(user);
  w->sum.Update(data, len);
  w->bytes += len;
  ++w->calls;
  return STRATA_OK;
}

// 64 MiB through a body writer: every byte arrives in order, and the
// response collects nothing (the writer got it all).
TEST_F(NginxCapiTest, LargeBodyStreamsToAWriter) {
  const size_t kBlocks = 64;
  ASSERT_TRUE(WritePatternFile(nginx_.docroot() + "/big.bin", kBlocks));
  uint64_t size = 0;
  Fnv1a64 expected = FileChecksum(nginx_.docroot() + "/big.bin", &size);
  ASSERT_EQ(size, kBlocks * kPatternBlockSize);

  ChecksumWriter writer;
  strata_status st;
  FetchSpec spec;
  spec.url = nginx_.Url("/big.bin");
  RequestPtr request = PrepareRequest(spec, &st);
  ASSERT_EQ(st, STRATA_OK);
  ASSERT_EQ(strata_request_set_body_writer(request.get(), WriteChecksum, &writer), STRATA_OK);
  strata_response* resp = nullptr;
  strata_error error = NewError();
  st = strata_fetch(runtime_.get(), request.get(), &resp, &error);
  ResponsePtr response(resp);
  ASSERT_EQ(st, STRATA_OK) << error.message;
  EXPECT_EQ(strata_response_status(resp), 200);
  EXPECT_EQ(writer.bytes, size);
  EXPECT_EQ(writer.sum.hash, expected.hash);
  EXPECT_GT(writer.calls, 64u);  // streamed in pieces, not handed over whole
  const uint8_t* data = nullptr;
  size_t len = 1;
  strata_response_body(resp, &data, &len);
  EXPECT_EQ(len, 0u);
}

// A writer that refuses bytes aborts the transfer with its status.
strata_status RefuseWrite(void*, const uint8_t*, size_t) { return STRATA_E_BODY; }

TEST_F(NginxCapiTest, WriterErrorAbortsTheTransfer) {
  ASSERT_TRUE(WritePatternFile(nginx_.docroot() + "/four.bin", 4));
  strata_status st;
  FetchSpec spec;
  spec.url = nginx_.Url("/four.bin");
  RequestPtr request = PrepareRequest(spec, &st);
  ASSERT_EQ(st, STRATA_OK);
  ASSERT_EQ(strata_request_set_body_writer(request.get(), RefuseWrite, nullptr), STRATA_OK);
  strata_response* resp = nullptr;
  strata_error error = NewError();
  st = strata_fetch(runtime_.get(), request.get(), &resp, &error);
  ResponsePtr response(resp);
  EXPECT_EQ(st, STRATA_E_BODY) << error.message;
  EXPECT_EQ(resp, nullptr);
}

// STRATA_OPT_RESOLVE pins a name to an address, like curl's --resolve: the
// name is never looked up, and the Host header keeps the name.
TEST_F(NginxCapiTest, ResolveOverridesNameResolution) {
  std::string port = std::to_string(nginx_.port());
  FetchSpec spec;
  spec.url = "http://strata-test.invalid:" + port + "/headers";
  spec.headers = {{"X-Strata-Test", "resolved"}};
  spec.string_options = {{STRATA_OPT_RESOLVE, "strata-test.invalid:" + port + ":127.0.0.1"}};
  FetchResult r = Fetch(runtime_.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_NE(r.body().find("test=resolved"), std::string::npos) << r.body();
}

// Without the override the .invalid name cannot resolve (RFC 6761).
TEST(NginxCapiResolveTest, UnresolvableNameIsAResolveError) {
  RuntimeResult rt = MakeRuntime(DefaultTestConfig());
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  auto start = std::chrono::steady_clock::now();
  FetchResult f = Get(rt.runtime.get(), "http://strata-test.invalid:8080/");
  EXPECT_LT(std::chrono::steady_clock::now() - start, kPrompt);
  EXPECT_EQ(f.status, STRATA_E_RESOLVE) << f.Describe();
  EXPECT_NE(std::string(f.error.message).find("strata-test.invalid"), std::string::npos)
      << f.error.message;
}

// Regression: after a fetch with a resolve override left its connection in
// the pool, a fetch of the same origin without the override used to return
// only when nginx closed the idle connection 60 s later. It must not reuse
// that connection either: without the override the name does not resolve.
TEST_F(NginxCapiTest, FetchAfterResolveOverrideIsPrompt) {
  std::string port = std::to_string(nginx_.port());
  FetchSpec spec;
  spec.url = "http://strata-test.invalid:" + port + "/headers";
  spec.string_options = {{STRATA_OPT_RESOLVE, "strata-test.invalid:" + port + ":127.0.0.1"}};
  ASSERT_EQ(Fetch(runtime_.get(), spec).status, STRATA_OK);
  auto start = std::chrono::steady_clock::now();
  FetchResult f = Get(runtime_.get(), spec.url);
  EXPECT_LT(std::chrono::steady_clock::now() - start, kPrompt);
  EXPECT_EQ(f.status, STRATA_E_RESOLVE) << f.Describe();
}

TEST_F(NginxCapiTest, ApplicationHeadersAreSent) {
  FetchSpec spec;
  spec.url = nginx_.Url("/headers");
  spec.headers = {{"User-Agent", "strata-integration/1"}, {"X-Strata-Test", "hello"}};
  FetchResult r = Fetch(runtime_.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "ua=strata-integration/1 test=hello\n");
}

// A submitted transfer shares the request rather than copying it; a change
// made to the request afterwards must reach only later submissions.
TEST_F(NginxCapiTest, ChangingARequestAfterSubmitLeavesEarlierTransfersAsTheyWere) {
  strata_request* raw = nullptr;
  ASSERT_EQ(strata_request_new("GET", nginx_.Url("/headers").c_str(), &raw), STRATA_OK);
  RequestPtr request(raw);
  ASSERT_EQ(strata_request_add_header(request.get(), "User-Agent", "ua-1"), STRATA_OK);
  ASSERT_EQ(strata_request_add_header(request.get(), "X-Strata-Test", "first"), STRATA_OK);
  strata_transfer* a = nullptr;
  ASSERT_EQ(strata_submit(runtime_.get(), request.get(), nullptr, &a), STRATA_OK);
  ASSERT_EQ(strata_request_remove_header(request.get(), "X-Strata-Test"), STRATA_OK);
  ASSERT_EQ(strata_request_add_header(request.get(), "X-Strata-Test", "second"), STRATA_OK);
  strata_transfer* b = nullptr;
  ASSERT_EQ(strata_submit(runtime_.get(), request.get(), nullptr, &b), STRATA_OK);
  // An option changed after both: neither sees it.
  ASSERT_EQ(strata_request_set_option_int(request.get(), STRATA_OPT_MAX_BODY_BYTES, 5), STRATA_OK);
  // Freed before either transfer runs: they hold what they need.
  request.reset();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((!strata_transfer_done(a) || !strata_transfer_done(b)) && std::chrono::steady_clock::now() < deadline) {
    strata_runtime_run(runtime_.get(), 50, nullptr);
  }
  ASSERT_TRUE(strata_transfer_done(a) && strata_transfer_done(b));
  auto body = [](strata_transfer* t) {
    EXPECT_EQ(strata_transfer_result(t, nullptr), STRATA_OK);
    ResponsePtr r(strata_transfer_take_response(t));
    const uint8_t* data = nullptr;
    size_t len = 0;
    strata_response_body(r.get(), &data, &len);
    return std::string(reinterpret_cast<const char*>(data), len);
  };
  EXPECT_EQ(body(a), "ua=ua-1 test=first\n");
  EXPECT_EQ(body(b), "ua=ua-1 test=second\n");
  strata_transfer_free(a);
  strata_transfer_free(b);
}

TEST(NginxCapiConnectTest, RefusedConnectionIsAConnectError) {
  RuntimeResult rt = MakeRuntime(DefaultTestConfig());
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  // A port nobody listens on (freed right away).
  std::string url = "http://127.0.0.1:" + std::to_string(FreePort()) + "/";
  FetchResult r = Get(rt.runtime.get(), url);
  EXPECT_EQ(r.status, STRATA_E_CONNECT) << r.Describe();
  EXPECT_EQ(std::string(r.error.url), url);
  EXPECT_NE(std::string(r.error.message).find("127.0.0.1"), std::string::npos) << r.error.message;
}

}  // namespace
}  // namespace strata::test

namespace strata::test {
namespace {

// Plugins are loaded once per process and shared: freeing one runtime (which
// releases its plugins) must leave another runtime's connections working,
// including the pooled one it closes last.
TEST_F(NginxCapiTest, TwoRuntimesShareThePluginsAndOutliveEachOther) {
  nginx_.WriteDocFile("two.txt", "two runtimes\n");
  RuntimeResult second = MakeRuntime(DefaultTestConfig());
  ASSERT_EQ(second.status, STRATA_OK) << second.error.message;
  FetchSpec spec;
  spec.url = nginx_.Url("/two.txt");
  FetchResult a = Fetch(second.runtime.get(), spec);
  ASSERT_EQ(a.status, STRATA_OK) << a.Describe();
  FetchResult b = Fetch(runtime_.get(), spec);
  ASSERT_EQ(b.status, STRATA_OK) << b.Describe();
  second.runtime.reset();  // frees its pooled connection and its plugin references
  FetchResult c = Fetch(runtime_.get(), spec);
  ASSERT_EQ(c.status, STRATA_OK) << c.Describe();
  EXPECT_EQ(c.body(), "two runtimes\n");
  EXPECT_EQ(c.info(STRATA_INFO_NUM_CONNECTS), 0);  // still the first runtime's pooled connection
}

}  // namespace
}  // namespace strata::test
