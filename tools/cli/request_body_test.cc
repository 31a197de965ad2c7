#include "tools/cli/request_body.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

std::string TempFile(const std::string& name, const std::string& content) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

TEST(RequestBody, JoinsArgumentsWithAmpersand) {
  auto body = BuildRequestBody({{DataArg::Kind::kAscii, "a=1"},
                                {DataArg::Kind::kBinary, "b=2"}});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, "a=1&b=2");
}

TEST(RequestBody, DataFromFileDropsCarriageReturnsAndNewlines) {
  std::string path = TempFile("ascii.txt", "line1\r\nline2\n");
  auto body = BuildRequestBody({{DataArg::Kind::kAscii, "@" + path}});
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, "line1line2");
}

TEST(RequestBody, DataBinaryFromFileKeepsBytes) {
  std::string content("x\r\n\0y\n", 6);
  std::string path = TempFile("binary.bin", content);
  auto body = BuildRequestBody({{DataArg::Kind::kBinary, "@" + path}});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, content);
}

TEST(RequestBody, DataRawNeverReadsFiles) {
  auto body = BuildRequestBody({{DataArg::Kind::kRaw, "@/nonexistent"}});
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, "@/nonexistent");
}

TEST(RequestBody, MissingFileIsAnErrorNamingIt) {
  auto body = BuildRequestBody({{DataArg::Kind::kAscii, "@/nonexistent/x"}});
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.status().message().find("/nonexistent/x"), std::string::npos);
}

TEST(RequestBody, BasicAuthorization) {
  EXPECT_EQ(BasicAuthorization("Aladdin:open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
  EXPECT_EQ(BasicAuthorization("user"), "Basic dXNlcjo=");
}

TEST(RequestBody, EffectiveMethod) {
  CliOptions o;
  EXPECT_EQ(EffectiveMethod(o), "GET");
  o.data.push_back({DataArg::Kind::kAscii, "x"});
  EXPECT_EQ(EffectiveMethod(o), "POST");
  o.method = "PUT";
  EXPECT_EQ(EffectiveMethod(o), "PUT");
  CliOptions head;
  head.head = true;
  EXPECT_EQ(EffectiveMethod(head), "HEAD");
}

TEST(RequestBody, DataAddsFormContentTypeUnlessGivenOrRemoved) {
  CliOptions o;
  o.data.push_back({DataArg::Kind::kAscii, "x"});
  auto headers = BuildRequestHeaders(o);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].name, "Content-Type");
  EXPECT_EQ(headers[0].value, "application/x-www-form-urlencoded");

  o.headers.push_back({"content-type", "application/json", false});
  headers = BuildRequestHeaders(o);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].value, "application/json");

  o.headers = {{"Content-Type", "", true}};
  EXPECT_TRUE(BuildRequestHeaders(o).empty());
}

TEST(RequestBody, UserAddsAuthorizationAndHeadersKeepOrder) {
  CliOptions o;
  o.user = "a:b";
  o.headers = {{"X-1", "1", false}, {"X-2", "2", false}};
  auto headers = BuildRequestHeaders(o);
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].name, "Authorization");
  EXPECT_EQ(headers[0].value, "Basic YTpi");
  EXPECT_EQ(headers[1].name, "X-1");
  EXPECT_EQ(headers[2].name, "X-2");
}

}  // namespace
}  // namespace strata::cli
