#include "plugins/h1/request_writer.h"

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::h1 {
namespace {

strata_header H(const char* name, const char* value) {
  return strata_header{name, std::strlen(name), value, std::strlen(value)};
}

struct Req {
  std::string method = "GET";
  std::string scheme = "http";
  std::string authority = "example.com";
  std::string path = "/";
  std::vector<strata_header> headers;
  int64_t content_length = 0;
  uint32_t flags = STRATA_REQUEST_NO_BODY;

  strata_request_head Head() const {
    strata_request_head h{};
    h.struct_size = sizeof(h);
    h.method = method.c_str();
    h.scheme = scheme.c_str();
    h.authority = authority.c_str();
    h.path = path.c_str();
    h.headers = headers.data();
    h.header_count = headers.size();
    h.content_length = content_length;
    h.flags = flags;
    return h;
  }
};

std::string Bytes(const Req& r) {
  absl::StatusOr<SerializedRequestHead> s = SerializeRequestHead(r.Head());
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? s->bytes : "";
}

absl::Status Error(const Req& r) { return SerializeRequestHead(r.Head()).status(); }

TEST(RequestWriter, Rfc9112_3_2_1_OriginFormGetWithHostFirst) {
  Req r;
  r.path = "/a/b?c=d";
  r.headers = {H("Accept", "*/*"), H("X-Two", "2")};
  EXPECT_EQ(Bytes(r), "GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nX-Two: 2\r\n\r\n");
  EXPECT_EQ(SerializeRequestHead(r.Head())->body_framing, RequestBodyFraming::kNone);
}

TEST(RequestWriter, Rfc9112_3_2_2_AbsoluteFormForProxies) {
  Req r;
  r.authority = "example.com:8080";
  r.path = "/x";
  r.flags |= STRATA_REQUEST_ABSOLUTE_FORM;
  EXPECT_EQ(Bytes(r), "GET http://example.com:8080/x HTTP/1.1\r\nHost: example.com:8080\r\n\r\n");
}

TEST(RequestWriter, Rfc9112_3_2_3_AuthorityFormForConnect) {
  Req r;
  r.method = "CONNECT";
  r.authority = "example.com:443";
  r.path = "";
  EXPECT_EQ(Bytes(r), "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
}

TEST(RequestWriter, Rfc9112_3_2_4_AsteriskFormForOptions) {
  Req r;
  r.method = "OPTIONS";
  r.path = "*";
  EXPECT_EQ(Bytes(r), "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n");
}

TEST(RequestWriter, Rfc9112_3_2_ApplicationHostIsUsedOnce) {
  Req r;
  r.headers = {H("Accept", "*/*"), H("host", "other.example")};
  EXPECT_EQ(Bytes(r), "GET / HTTP/1.1\r\nHost: other.example\r\nAccept: */*\r\n\r\n");
  r.headers.push_back(H("Host", "third.example"));
  EXPECT_NE(Error(r).message().find("two Host"), std::string_view::npos);
}

TEST(RequestWriter, Rfc9110_8_6_ContentLengthRules) {
  Req r;
  r.flags = STRATA_REQUEST_NO_BODY;
  r.method = "HEAD";
  EXPECT_EQ(Bytes(r).find("Content-Length"), std::string::npos);
  r.method = "GET";
  r.flags = 0;
  EXPECT_EQ(Bytes(r).find("Content-Length"), std::string::npos);
  r.method = "POST";
  EXPECT_NE(Bytes(r).find("\r\nContent-Length: 0\r\n\r\n"), std::string::npos);
  r.method = "PUT";
  r.flags = STRATA_REQUEST_NO_BODY;
  EXPECT_NE(Bytes(r).find("\r\nContent-Length: 0\r\n\r\n"), std::string::npos);
  r.method = "POST";
  r.flags = 0;
  r.content_length = 1234567890123;
  r.headers = {H("Content-Type", "text/plain")};
  EXPECT_EQ(Bytes(r),
            "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Type: text/plain\r\n"
            "Content-Length: 1234567890123\r\n\r\n");
  auto s = SerializeRequestHead(r.Head());
  EXPECT_EQ(s->body_framing, RequestBodyFraming::kContentLength);
  EXPECT_EQ(s->content_length, 1234567890123u);
}

TEST(RequestWriter, Rfc9112_7_1_UnknownLengthUsesChunked) {
  Req r;
  r.method = "POST";
  r.flags = 0;
  r.content_length = -1;
  EXPECT_EQ(Bytes(r), "POST / HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_EQ(SerializeRequestHead(r.Head())->body_framing, RequestBodyFraming::kChunked);
}

TEST(RequestWriter, Rfc9112_7_1_ChunkEncoder) {
  std::string out;
  AppendChunk("hello", &out);
  AppendChunk("", &out);  // would be the last chunk: written as nothing
  AppendChunk(std::string(300, 'x'), &out);
  out.append(kLastChunk);
  EXPECT_EQ(out, "5\r\nhello\r\n12c\r\n" + std::string(300, 'x') + "\r\n0\r\n\r\n");
  std::string line;
  AppendChunkSizeLine(0xffffffffffffffffull, &line);
  EXPECT_EQ(line, "ffffffffffffffff\r\n");
}

TEST(RequestWriter, RefusesHeaderInjection) {
  Req r;
  r.headers = {H("X-A", "ok\r\nInjected: yes")};
  absl::Status st = Error(r);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("control character"), std::string_view::npos) << st;
  r.headers = {H("X-A", "bare\nLF")};
  EXPECT_FALSE(Error(r).ok());
  strata_header nul{"X-A", 3, "a\0b", 3};
  r.headers = {nul};
  EXPECT_FALSE(Error(r).ok());
  for (const char* name : {"Bad Name", "X:Y", "", "X\r\n", "\xc3\xa9"}) {
    r.headers = {H(name, "v")};
    st = Error(r);
    EXPECT_NE(st.message().find("invalid request header name"), std::string_view::npos) << name;
  }
}

TEST(RequestWriter, RefusesBadRequestLineParts) {
  Req r;
  r.method = "GE T";
  EXPECT_NE(Error(r).message().find("method"), std::string_view::npos);
  r = Req();
  r.path = "/a b";
  EXPECT_NE(Error(r).message().find("path"), std::string_view::npos);
  r.path = "/a\r\nX: y";
  EXPECT_FALSE(Error(r).ok());
  r.path = "noslash";
  EXPECT_FALSE(Error(r).ok());
  r = Req();
  r.authority = "evil.example/x";
  EXPECT_NE(Error(r).message().find("authority"), std::string_view::npos);
  r.authority = "a b";
  EXPECT_FALSE(Error(r).ok());
  r.authority = "";
  EXPECT_FALSE(Error(r).ok());
}

TEST(RequestWriter, RefusesApplicationFramingHeaders) {
  Req r;
  r.method = "POST";
  r.flags = 0;
  r.content_length = 3;
  r.headers = {H("Content-Length", "3")};
  EXPECT_NE(Error(r).message().find("set by the h1 layer"), std::string_view::npos);
  r.headers = {H("transfer-encoding", "chunked")};
  EXPECT_FALSE(Error(r).ok());
}

TEST(RequestWriter, RefusesContradictoryBodyLength) {
  Req r;
  r.flags = STRATA_REQUEST_NO_BODY;
  r.content_length = 5;
  EXPECT_FALSE(Error(r).ok());
  r.flags = 0;
  r.content_length = -2;
  EXPECT_FALSE(Error(r).ok());
}

}  // namespace
}  // namespace strata::h1
