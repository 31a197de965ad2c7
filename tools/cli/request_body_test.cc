#include "tools/cli/request_body.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

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

  o.headers.push_back({"content-type", "application/json", false, ""});
  headers = BuildRequestHeaders(o);
  ASSERT_EQ(headers.size(), 1u);
  EXPECT_EQ(headers[0].value, "application/json");

  o.headers = {{"Content-Type", "", true, ""}};
  EXPECT_TRUE(BuildRequestHeaders(o).empty());
}

TEST(RequestBody, UserAddsAuthorizationAndHeadersKeepOrder) {
  CliOptions o;
  o.user = "a:b";
  o.headers = {{"X-1", "1", false, ""}, {"X-2", "2", false, ""}};
  auto headers = BuildRequestHeaders(o);
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0].name, "Authorization");
  EXPECT_EQ(headers[0].value, "Basic YTpi");
  EXPECT_EQ(headers[1].name, "X-1");
  EXPECT_EQ(headers[2].name, "X-2");
}

TEST(RequestBody, UrlEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(UrlEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(UrlEncode("a b+c&d=e/\xc3\xbc\n"), "a+b%2Bc%26d%3De%2F%C3%BC%0A");
  EXPECT_EQ(UrlEncode(std::string("\0", 1)), "%00");
}

TEST(RequestBody, DataUrlencodeForms) {
  const std::string file = TempFile("urlencode.txt", "x y\n");
  auto body = BuildRequestBody({{DataArg::Kind::kUrlencode, "a b"},
                                {DataArg::Kind::kUrlencode, "=c=d"},
                                {DataArg::Kind::kUrlencode, "n=e f"},
                                {DataArg::Kind::kUrlencode, "@" + file},
                                {DataArg::Kind::kUrlencode, "m@" + file},
                                {DataArg::Kind::kUrlencode, "p@q=r"}});
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, "a+b&c%3Dd&n=e+f&x+y%0A&m=x+y%0A&p@q=r");
  EXPECT_FALSE(BuildRequestBody({{DataArg::Kind::kUrlencode, "@/nonexistent/x"}}).ok());
}

TEST(RequestBody, JsonPiecesAreConcatenated) {
  auto body = BuildRequestBody({{DataArg::Kind::kJson, "{\"a\":"},
                                {DataArg::Kind::kJson, "1}"},
                                {DataArg::Kind::kAscii, "x=1"}});
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(*body, "{\"a\":1}&x=1");
}

TEST(RequestBody, AppendQueryFollowsCurl788) {
  EXPECT_EQ(AppendQuery("http://h/p", "a=1"), "http://h/p?a=1");
  EXPECT_EQ(AppendQuery("http://h/p?x=1", "a=1"), "http://h/p?x=1&a=1");
  EXPECT_EQ(AppendQuery("http://h", "a=1"), "http://h/?a=1");
  EXPECT_EQ(AppendQuery("http://h:8080", "a=1"), "http://h:8080/?a=1");
  EXPECT_EQ(AppendQuery("http://h/", "a=1"), "http://h/?a=1");
}

TEST(RequestBody, GetJsonAgentAndReferer) {
  CliOptions o;
  o.data.push_back({DataArg::Kind::kJson, "{}"});
  o.json = true;
  o.user_agent = "ua";
  o.referer = "http://r/";
  auto headers = BuildRequestHeaders(o);
  ASSERT_EQ(headers.size(), 4u);
  EXPECT_EQ(headers[0].value, "application/json");
  EXPECT_EQ(headers[1].name, "Accept");
  EXPECT_EQ(headers[2].name, "User-Agent");
  EXPECT_EQ(headers[3].name, "Referer");
  EXPECT_EQ(EffectiveMethod(o), "POST");
  o.get = true;
  headers = BuildRequestHeaders(o);
  EXPECT_EQ(headers[0].name, "Accept");  // no Content-Type without a body
  EXPECT_EQ(EffectiveMethod(o), "GET");
  o.head = true;
  EXPECT_EQ(EffectiveMethod(o), "HEAD");
}

TEST(RequestBody, RemovedHeadersIncludeAnEmptyUserAgent) {
  CliOptions o;
  o.headers.push_back({"Accept", "", true, ""});
  o.headers.push_back({"X-Kept", "1", false, ""});
  o.user_agent = "";
  EXPECT_EQ(RemovedHeaders(o), (std::vector<std::string>{"Accept", "User-Agent"}));
  for (const RequestHeader& h : BuildRequestHeaders(o)) EXPECT_NE(h.name, "User-Agent");
  o.user_agent = "ua";
  EXPECT_EQ(RemovedHeaders(o), (std::vector<std::string>{"Accept"}));
}

TEST(RequestBody, HeaderFilesExpandInPlace) {
  const std::string file = TempFile("headers.txt", "A: 1\r\nnot a header\n\nB:  2 \n");
  CliOptions o;
  o.headers.push_back({"X-First", "0", false, ""});
  o.headers.push_back({"", "", false, file});
  o.headers.push_back({"", "", false, "/nonexistent/h.txt"});
  o.headers.push_back({"X-Last", "9", false, ""});
  std::string warnings;
  ExpandHeaderFiles(o, &warnings);
  ASSERT_EQ(o.headers.size(), 4u);
  EXPECT_EQ(o.headers[0].name, "X-First");
  EXPECT_EQ(o.headers[1].name, "A");
  EXPECT_EQ(o.headers[1].value, "1");
  EXPECT_EQ(o.headers[2].name, "B");
  EXPECT_EQ(o.headers[2].value, "2");
  EXPECT_EQ(o.headers[3].name, "X-Last");
  EXPECT_EQ(warnings, "Warning: Failed to open /nonexistent/h.txt!\n");
}

TEST(UploadUrl, AppendsTheFileNameWhereCurlDoes) {
  EXPECT_EQ(UploadUrl("http://h/dir/", "/tmp/a.txt"), "http://h/dir/a.txt");
  EXPECT_EQ(UploadUrl("http://h", "a.txt"), "http://h/a.txt");
  EXPECT_EQ(UploadUrl("http://h/", "x/b c+d.txt"), "http://h/b%20c%2Bd.txt");
  EXPECT_EQ(UploadUrl("http://h/dir/?q=1", "a"), "http://h/dir/a?q=1");
  EXPECT_EQ(UploadUrl("http://h/dir/name", "a.txt"), "http://h/dir/name");
  EXPECT_EQ(UploadUrl("http://h/", "-"), "http://h/");
}

}  // namespace
}  // namespace strata::cli

namespace strata::cli {
namespace {

TEST(RequestBody, FormIsAPostEvenWithGet) {
  CliOptions options;
  options.form.push_back(FormField{});
  EXPECT_EQ(EffectiveMethod(options), "POST");
  options.get = true;
  EXPECT_EQ(EffectiveMethod(options), "POST");
  options.method = "PUT";
  EXPECT_EQ(EffectiveMethod(options), "PUT");
}

}  // namespace
}  // namespace strata::cli
