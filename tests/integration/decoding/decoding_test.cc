// Content decoding (STRATA_OPT_ACCEPT_ENCODING, the CLI's --compressed)
// against real encoders: nginx's gzip filter, and coding_peer.py, which
// encodes with Python's zlib, python3-brotli and python3-zstandard. Every
// decoded body must be byte-identical to the file served; a bomb, a
// truncated stream and an unknown coding must each end in a clear error,
// with bounded memory; and the CLI must agree with curl --compressed.
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/content.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;

// Text compresses like a real page: words, not noise.
std::string Text(size_t n) {
  static const char* kWords[] = {"strata ", "layer ", "hop ", "<div class=\"x\">", "tls ", "\n", "plugin ", "42 "};
  std::string s;
  uint32_t x = 12345;
  while (s.size() < n) {
    x = x * 1103515245 + 12345;
    s += kWords[(x >> 16) % 8];
  }
  s.resize(n);
  return s;
}

class CodingPeer {
 public:
  ~CodingPeer() { process_.Stop(2s); }
  bool Start(const std::string& docroot, std::string* error) {
    const std::string port_file = MakeTempDir("coding-peer-") + "/port";
    ProcessOptions o;
    o.argv = {"/usr/bin/python3", RunfilePath("tests/integration/decoding/coding_peer.py"), "--docroot", docroot,
              "--port-file", port_file};
    if (!process_.Start(o, error)) return false;
    for (auto deadline = std::chrono::steady_clock::now() + 15s; std::chrono::steady_clock::now() < deadline;) {
      const std::string text = ReadFileIfExists(port_file);
      if (!text.empty() && text.back() == '\n') {
        port_ = std::stoi(text);
        return true;
      }
      if (!process_.Running()) break;
      std::this_thread::sleep_for(10ms);
    }
    *error = "coding_peer.py did not start: " + process_.Stderr();
    return false;
  }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  Process process_;
  int port_ = 0;
};

class Decoding : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string e;
    docroot_ = MakeTempDir("coding-docroot-");
    WriteFile(docroot_ + "/page.html", text_);
    WriteFile(docroot_ + "/noise.bin", noise_);
    ASSERT_TRUE(peer_.Start(docroot_, &e)) << e;
    RuntimeResult rt = MakeRuntime(DefaultTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
  }

  static void WriteFile(const std::string& path, const std::string& data) {
    FILE* f = fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr) << path;
    fwrite(data.data(), 1, data.size(), f);
    fclose(f);
  }

  FetchResult Get(const std::string& url, const char* accept = "", BodySink* sink = nullptr) {
    FetchSpec spec;
    spec.url = url;
    if (accept) spec.string_options.push_back({STRATA_OPT_ACCEPT_ENCODING, accept});
    return sink ? FetchInto(runtime_.get(), spec, sink) : Fetch(runtime_.get(), spec);
  }

  const std::string text_ = Text(300000);
  const std::string noise_ = PatternBlock(3, 200000);
  std::string docroot_;
  CodingPeer peer_;
  RuntimePtr runtime_;
};

TEST_F(Decoding, EveryCodingAndStackFromPythonEncodersIsByteIdentical) {
  const char* kPaths[] = {
      "/enc/gzip/", "/enc/deflate/", "/enc/deflate-raw/", "/enc/br/", "/enc/zstd/",
      "/enc/gzip,br/", "/enc/br,zstd,gzip/", "/split/deflate,zstd/", "/split/identity,br/",
  };
  for (const char* prefix : kPaths) {
    for (const auto& [file, content] : {std::pair{"page.html", &text_}, std::pair{"noise.bin", &noise_}}) {
      const std::string url = peer_.Url(std::string(prefix) + file);
      FetchResult r = Get(url);
      ASSERT_EQ(r.status, STRATA_OK) << url << ": " << r.Describe();
      EXPECT_EQ(r.http_status(), 200);
      EXPECT_TRUE(r.body() == *content) << url << ": " << r.body().size() << " bytes decoded";
      // size_download counts the bytes on the wire, as curl's does.
      EXPECT_EQ(r.info(STRATA_INFO_SIZE_DOWNLOAD), std::stoll(r.header("Content-Length"))) << url;
      // Streamed to a writer, the same bytes.
      BodySink sink;
      r = Get(url, "", &sink);
      ASSERT_EQ(r.status, STRATA_OK) << url << ": " << r.Describe();
      EXPECT_TRUE(sink.bytes == *content) << url;
    }
  }
}

TEST_F(Decoding, AcceptEncodingIsSentOnlyWhenAsked) {
  FetchResult r = Get(peer_.Url("/ae"), nullptr);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "(none)");
  r = Get(peer_.Url("/ae"), "");
  EXPECT_EQ(r.body(), "deflate, gzip, br, zstd");
  r = Get(peer_.Url("/ae"), "br;q=1, gzip;q=0.5");
  EXPECT_EQ(r.body(), "br;q=1, gzip;q=0.5");
  // Without the option a coded body arrives as sent.
  r = Get(peer_.Url("/enc/gzip/page.html"), nullptr);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body().substr(0, 2), "\x1f\x8b");
  // An application's own Accept-Encoding wins, and decoding still happens.
  FetchSpec spec;
  spec.url = peer_.Url("/ae");
  spec.headers = {{"Accept-Encoding", "zstd"}};
  spec.string_options = {{STRATA_OPT_ACCEPT_ENCODING, ""}};
  strata_status st = STRATA_OK;
  RequestPtr request = PrepareRequest(spec, &st);
  ASSERT_NE(request, nullptr);
  strata_response* response = nullptr;
  strata_error error = NewError();
  ASSERT_EQ(strata_fetch(runtime_.get(), request.get(), &response, &error), STRATA_OK) << error.message;
  ResponsePtr owned(response);
  const uint8_t* data = nullptr;
  size_t len = 0;
  strata_response_body(response, &data, &len);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(data), len), "zstd");
}

TEST_F(Decoding, HeadOfACodedResourceHasNoBodyAndNoError) {
  FetchSpec spec;
  spec.method = "HEAD";
  spec.url = peer_.Url("/enc/br/page.html");
  spec.string_options = {{STRATA_OPT_ACCEPT_ENCODING, ""}};
  strata_status st = STRATA_OK;
  RequestPtr request = PrepareRequest(spec, &st);
  ASSERT_NE(request, nullptr);
  strata_response* response = nullptr;
  strata_error error = NewError();
  ASSERT_EQ(strata_fetch(runtime_.get(), request.get(), &response, &error), STRATA_OK) << error.message;
  strata_response_free(response);
}

TEST_F(Decoding, TruncatedStreamIsAClearErrorNamingTheCodingAndHop) {
  for (const char* coding : {"gzip", "deflate", "br", "zstd"}) {
    const std::string url = peer_.Url(std::string("/cut/") + coding + "/page.html");
    FetchResult r = Get(url);
    EXPECT_EQ(r.status, STRATA_E_CONTENT_ENCODING) << url << ": " << r.Describe();
    EXPECT_STREQ(r.error.layer, "decoding");
    const std::string m = r.error.message;
    EXPECT_NE(m.find(std::string("decoding: ") + coding + ": "), std::string::npos) << m;
    EXPECT_NE(m.find("truncated"), std::string::npos) << m;
    EXPECT_NE(m.find("(hop 1, " + url + ")"), std::string::npos) << m;
  }
  // The connection is still good: the next request works.
  EXPECT_EQ(Get(peer_.Url("/enc/gzip/page.html")).status, STRATA_OK);
}

TEST_F(Decoding, GzipBombStopsAtTheLimitWithBoundedOutput) {
  // 1 GiB of zeros in about 1 MiB of gzip.
  BodySink sink;
  sink.keep = false;
  auto start = std::chrono::steady_clock::now();
  FetchResult r = Get(peer_.Url("/bomb/1024"), "", &sink);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(r.status, STRATA_E_LIMIT) << r.Describe();
  EXPECT_STREQ(r.error.layer, "decoding");
  EXPECT_NE(std::string(r.error.message).find("decompression bomb"), std::string::npos) << r.error.message;
  // It stopped past the ratio floor (4 MiB), once the output was over 200
  // times the input read so far (one read of the socket can be 64 KiB:
  // 12.5 MiB), nowhere near 1 GiB.
  EXPECT_GT(sink.total, 4 << 20);
  EXPECT_LT(sink.total, 32 << 20);
  EXPECT_LT(took, 20s);
}

TEST_F(Decoding, LimitsAreOptionsPerRequest) {
  auto fetch = [&](const std::string& path, std::vector<std::pair<int32_t, int64_t>> ints, BodySink* sink) {
    FetchSpec spec;
    spec.url = peer_.Url(path);
    spec.string_options = {{STRATA_OPT_ACCEPT_ENCODING, ""}};
    spec.int_options = std::move(ints);
    return FetchInto(runtime_.get(), spec, sink);
  };
  BodySink small;
  FetchResult r = fetch("/enc/gzip/page.html", {{STRATA_OPT_MAX_DECODED_BYTES, 100000}}, &small);
  EXPECT_EQ(r.status, STRATA_E_LIMIT) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("more than 100000 bytes"), std::string::npos) << r.error.message;
  EXPECT_LE(small.total, 100000);
  // A ratio above the bomb's lets 64 MiB of zeros through, streamed.
  BodySink big;
  big.keep = false;
  r = fetch("/bomb/64", {{STRATA_OPT_MAX_DECODE_RATIO, 5000}}, &big);
  EXPECT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(big.total, int64_t{64} << 20);
}

TEST_F(Decoding, UnknownCodingIsNamed) {
  // coding_peer.py cannot encode "compress": serve it from a scripted file
  // through nginx instead.
  NginxOptions o;
  o.extra_locations = {"location /compress { default_type text/plain; add_header Content-Encoding compress; }"};
  NginxFixture nginx(o);
  nginx.WriteDocFile("compress", "not really compressed\n");
  std::string e;
  ASSERT_TRUE(nginx.Start(&e)) << e;
  FetchResult r = Get(nginx.Url("/compress"));
  EXPECT_EQ(r.status, STRATA_E_CONTENT_ENCODING) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("unrecognized content encoding 'compress'"), std::string::npos)
      << r.error.message;
  // Not asked to decode: the body arrives as sent.
  r = Get(nginx.Url("/compress"), nullptr);
  EXPECT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "not really compressed\n");
}

// nginx's own gzip filter (chunked, streamed) over HTTP/1.1.
TEST(DecodingNginx, GzipOnGivesTheFileBack) {
  NginxOptions o;
  o.extra_locations = {"location /gz/ { gzip on; gzip_types *; gzip_min_length 0; gzip_comp_level 6; }"};
  NginxFixture nginx(o);
  const std::string text = Text(500000);
  nginx.WriteDocFile("gz/page.txt", text);
  std::string e;
  ASSERT_TRUE(nginx.Start(&e)) << e;
  RuntimeResult rt = MakeRuntime(DefaultTestConfig());
  ASSERT_EQ(rt.status, STRATA_OK);
  FetchSpec spec;
  spec.url = nginx.Url("/gz/page.txt");
  spec.string_options = {{STRATA_OPT_ACCEPT_ENCODING, ""}};
  FetchResult r = Fetch(rt.runtime.get(), spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.header("Content-Encoding"), "gzip");
  EXPECT_TRUE(r.body() == text) << r.body().size();
  EXPECT_LT(r.info(STRATA_INFO_SIZE_DOWNLOAD), static_cast<int64_t>(text.size()) / 3);
}

// The CLI next to curl 7.88: the same output file for every coding, and the
// same exit code for an unknown one.
TEST_F(Decoding, CliCompressedMatchesCurl) {
  for (const char* path : {"/enc/gzip/page.html", "/enc/br/noise.bin", "/enc/zstd/page.html", "/enc/deflate/page.html",
                           "/split/gzip,br/page.html"}) {
    std::string outs[2];
    int codes[2];
    for (int side = 0; side < 2; ++side) {
      const std::string out = MakeTempDir(side ? "strata-out" : "curl-out") + "/body";
      ProcessOptions o;
      o.argv = {side ? RunfilePath("tools/strata") : "/usr/bin/curl", "-s", "--compressed", "-o", out,
                peer_.Url(path)};
      o.env = {{"HOME", TestTmpDir()}};
      RunResult run = RunProcess(o, 30s);
      codes[side] = run.exit.exit_code;
      outs[side] = ReadFileIfExists(out);
    }
    EXPECT_EQ(codes[1], codes[0]) << path;
    EXPECT_EQ(codes[1], 0) << path;
    EXPECT_TRUE(outs[1] == outs[0]) << path << ": strata " << outs[1].size() << " bytes, curl " << outs[0].size();
  }
}

TEST(DecodingCli, UnknownCodingExits61LikeCurl) {
  NginxOptions o;
  o.extra_locations = {"location /compress { default_type text/plain; add_header Content-Encoding compress; }"};
  NginxFixture nginx(o);
  nginx.WriteDocFile("compress", "x\n");
  std::string e;
  ASSERT_TRUE(nginx.Start(&e)) << e;
  int codes[2];
  std::string errs[2];
  for (int side = 0; side < 2; ++side) {
    ProcessOptions p;
    p.argv = {side ? RunfilePath("tools/strata") : "/usr/bin/curl", "-sS", "--compressed", "-o", "/dev/null",
              nginx.Url("/compress")};
    p.env = {{"HOME", TestTmpDir()}};
    RunResult run = RunProcess(p, 30s);
    codes[side] = run.exit.exit_code;
    errs[side] = run.stderr_text;
  }
  EXPECT_EQ(codes[0], 61) << errs[0];
  EXPECT_EQ(codes[1], 61) << errs[1];
  EXPECT_NE(errs[1].find("(61)"), std::string::npos) << errs[1];
  EXPECT_NE(errs[1].find("compress"), std::string::npos) << errs[1];
}

// The CLI's memory stays bounded on the 1 GiB bomb: it stops at the limit,
// and its peak is that of a small download plus a few buffers (compared
// with one, so the figure holds under ASan too).
TEST_F(Decoding, CliBombHasBoundedMemory) {
  auto run = [&](const std::string& path) {
    ProcessOptions o;
    o.argv = {RunfilePath("tools/strata"), "-sS", "--compressed", "-o", "/dev/null", peer_.Url(path)};
    o.env = {{"HOME", TestTmpDir()}};
    return RunProcess(o, 60s);
  };
  RunResult small = run("/enc/gzip/page.html");
  ASSERT_EQ(small.exit.exit_code, 0) << small.stderr_text;
  RunResult bomb = run("/bomb/1024");
  EXPECT_EQ(bomb.exit.exit_code, 63) << bomb.stderr_text;
  EXPECT_NE(bomb.stderr_text.find("decompression bomb"), std::string::npos) << bomb.stderr_text;
  fprintf(stderr, "peak RSS: small %ld KiB, bomb %ld KiB\n", small.exit.max_rss_kib, bomb.exit.max_rss_kib);
  EXPECT_LT(bomb.exit.max_rss_kib - small.exit.max_rss_kib, 48 * 1024)
      << "bomb " << bomb.exit.Describe() << ", small download " << small.exit.Describe();
}

}  // namespace
}  // namespace strata::test
