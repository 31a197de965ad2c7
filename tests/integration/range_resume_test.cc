// Ranges and resume through the C API (STRATA_OPT_RANGE,
// STRATA_OPT_RESUME_FROM) against nginx, which serves byte ranges of static
// files, and against scripted peers that ignore or misplace the range: a
// resumed transfer either continues exactly where it was asked to or fails
// with STRATA_E_RANGE before a single body byte reaches the application.
#include <string>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/content.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

class RangeResume : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string e;
    nginx_.WriteDocFile("data.bin", data_);
    ASSERT_TRUE(nginx_.Start(&e)) << e;
    RuntimeResult rt = MakeRuntime(DefaultTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
  }
  FetchSpec Spec(const std::string& url) {
    FetchSpec spec;
    spec.url = url;
    return spec;
  }

  const std::string data_ = PatternBlock(0, 100000);
  NginxFixture nginx_;
  RuntimePtr runtime_;
};

TEST_F(RangeResume, RangeAsksForBytes) {
  FetchSpec spec = Spec(nginx_.Url("/data.bin"));
  spec.string_options.push_back({STRATA_OPT_RANGE, "10-19"});
  BodySink got;
  FetchResult r = FetchInto(runtime_.get(), spec, &got);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 206);
  EXPECT_EQ(got.bytes, data_.substr(10, 10));
}

TEST_F(RangeResume, ResumeContinuesWhereAsked) {
  for (int64_t from : {1, 30000, 99999}) {
    FetchSpec spec = Spec(nginx_.Url("/data.bin"));
    spec.int_options.push_back({STRATA_OPT_RESUME_FROM, from});
    BodySink got;
    FetchResult r = FetchInto(runtime_.get(), spec, &got);
    ASSERT_EQ(r.status, STRATA_OK) << from << ": " << r.Describe();
    EXPECT_EQ(r.http_status(), 206);
    EXPECT_EQ(r.header("content-range"), "bytes " + std::to_string(from) + "-99999/100000");
    EXPECT_TRUE(got.bytes == data_.substr(from)) << from << ": " << got.bytes.size() << " bytes";
  }
}

// Nothing left to fetch: nginx answers 416, which is a success with no
// body (curl's reading: the file is complete).
TEST_F(RangeResume, ResumeAtTheEndIsA416WithoutBody) {
  FetchSpec spec = Spec(nginx_.Url("/data.bin"));
  spec.int_options.push_back({STRATA_OPT_RESUME_FROM, 100000});
  BodySink got;
  FetchResult r = FetchInto(runtime_.get(), spec, &got);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 416);
  EXPECT_EQ(got.bytes, "");
}

TEST_F(RangeResume, AnApplicationRangeHeaderWins) {
  FetchSpec spec = Spec(nginx_.Url("/data.bin"));
  spec.headers.push_back({"Range", "bytes=0-1"});
  spec.string_options.push_back({STRATA_OPT_RANGE, "10-19"});
  BodySink got;
  FetchResult r = FetchInto(runtime_.get(), spec, &got);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(got.bytes, data_.substr(0, 2));
}

TEST_F(RangeResume, BadOptionValuesAreRefused) {
  strata_request* req = nullptr;
  ASSERT_EQ(strata_request_new("GET", "http://127.0.0.1/", &req), STRATA_OK);
  RequestPtr owned(req);
  EXPECT_EQ(strata_request_set_option_int(req, STRATA_OPT_RESUME_FROM, -1), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_request_set_option_string(req, STRATA_OPT_RANGE, "0-1\r\nX: y"), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_request_set_option_int(req, STRATA_OPT_RESUME_FROM, 0), STRATA_OK);
}

// A server that ignores the range (200), one that resumes elsewhere, and
// one whose 206 has no Content-Range: STRATA_E_RANGE, and the writer never
// saw a byte (a file being resumed is left as it was).
TEST(RangeResumeHostile, NoByteIsDeliveredUnlessTheServerResumesWhereAsked) {
  RuntimeResult rt = MakeRuntime(DefaultTestConfig());
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  struct Case {
    const char* response;
    const char* expect_in_message;
  } cases[] = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", "ignored the range (200 instead of 206)"},
      {"HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-9/10\r\nContent-Length: 10\r\n\r\n0123456789",
       "resumed at byte 0, not at byte 5"},
      {"HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\n\r\n56789", "without a usable Content-Range (none)"},
      {"HTTP/1.1 206 Partial Content\r\nContent-Range: items 5-9/10\r\nContent-Length: 5\r\n\r\n56789",
       "without a usable Content-Range (items 5-9/10)"},
  };
  for (const Case& c : cases) {
    ScriptedPeer peer({{ReadRequest(), Send(c.response), Close()}});
    FetchSpec spec;
    spec.url = peer.Url("/f");
    spec.int_options.push_back({STRATA_OPT_RESUME_FROM, 5});
    BodySink got;
    FetchResult r = FetchInto(rt.runtime.get(), spec, &got);
    EXPECT_EQ(r.status, STRATA_E_RANGE) << c.response << "\n" << r.Describe();
    EXPECT_NE(std::string(r.error.message).find(c.expect_in_message), std::string::npos) << r.error.message;
    EXPECT_STREQ(r.error.layer, "http");
    EXPECT_EQ(got.bytes, "") << c.response;
    std::vector<std::string> requests = peer.AllRequests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(HeaderValue(requests[0], "Range"), "bytes=5-");
  }
}

}  // namespace
}  // namespace strata::test
