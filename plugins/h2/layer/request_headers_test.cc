// BuildRequestHeaders: RFC 9113 §8.3.1 pseudo-headers and §8.2.2
// connection-specific fields.
#include "plugins/h2/layer/request_headers.h"

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::h2 {
namespace {

strata_header H(const char* name, const char* value) {
  return strata_header{name, std::strlen(name), value, std::strlen(value)};
}

strata_request_head Head(const char* method, std::vector<strata_header>* headers,
                         int64_t content_length = 0, uint32_t flags = STRATA_REQUEST_NO_BODY) {
  strata_request_head h{};
  h.struct_size = sizeof(h);
  h.method = method;
  h.scheme = "https";
  h.authority = "example.com:8443";
  h.path = "/a?b=c";
  h.headers = headers->data();
  h.header_count = headers->size();
  h.content_length = content_length;
  h.flags = flags;
  return h;
}

std::vector<std::string> Lines(const hpack::HeaderList& list) {
  std::vector<std::string> out;
  for (const auto& f : list) out.push_back(f.name + ": " + f.value);
  return out;
}

TEST(RequestHeaders, Rfc9113_8_3_1_PseudoHeadersFirstThenLowercaseFields) {
  std::vector<strata_header> fields = {H("User-Agent", "strata/0.1"), H("Accept", " */* ")};
  strata_request_head head = Head("GET", &fields);
  absl::StatusOr<hpack::HeaderList> list = BuildRequestHeaders(head);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(Lines(*list),
            (std::vector<std::string>{":method: GET", ":scheme: https",
                                      ":authority: example.com:8443", ":path: /a?b=c",
                                      "user-agent: strata/0.1", "accept: */*"}));
  EXPECT_FALSE(RequestHasBody(head));
}

TEST(RequestHeaders, Rfc9113_8_2_2_ConnectionSpecificFieldsAreDropped) {
  std::vector<strata_header> fields = {
      H("Connection", "keep-alive, X-Hop"), H("Keep-Alive", "timeout=5"),
      H("Proxy-Connection", "keep-alive"),  H("Transfer-Encoding", "chunked"),
      H("Upgrade", "h2c"),                  H("HTTP2-Settings", "AAA"),
      H("X-Hop", "1"),                      H("X-Kept", "2")};
  strata_request_head head = Head("GET", &fields);
  absl::StatusOr<hpack::HeaderList> list = BuildRequestHeaders(head);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->size(), 5u);
  EXPECT_EQ(list->back().name, "x-kept");
}

TEST(RequestHeaders, Rfc9113_8_2_2_TeOnlyAsTrailers) {
  std::vector<strata_header> fields = {H("TE", "gzip, Trailers;q=1")};
  strata_request_head head = Head("GET", &fields);
  absl::StatusOr<hpack::HeaderList> list = BuildRequestHeaders(head);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Lines(*list).back(), "te: trailers");

  std::vector<strata_header> gzip_only = {H("TE", "gzip")};
  head = Head("GET", &gzip_only);
  list = BuildRequestHeaders(head);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 4u);  // pseudo-headers only
}

TEST(RequestHeaders, HostBecomesAuthority) {
  std::vector<strata_header> fields = {H("Host", "other.test")};
  strata_request_head head = Head("GET", &fields);
  absl::StatusOr<hpack::HeaderList> list = BuildRequestHeaders(head);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Lines(*list)[2], ":authority: other.test");
  EXPECT_EQ(list->size(), 4u);

  std::vector<strata_header> two = {H("Host", "a"), H("host", "b")};
  head = Head("GET", &two);
  EXPECT_FALSE(BuildRequestHeaders(head).ok());
}

TEST(RequestHeaders, ContentLengthComesFromTheHead) {
  std::vector<strata_header> none;
  strata_request_head post = Head("POST", &none, 11, 0);
  absl::StatusOr<hpack::HeaderList> list = BuildRequestHeaders(post);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Lines(*list).back(), "content-length: 11");
  EXPECT_TRUE(RequestHasBody(post));

  strata_request_head empty_post = Head("POST", &none, 0, 0);
  list = BuildRequestHeaders(empty_post);
  EXPECT_EQ(Lines(*list).back(), "content-length: 0");
  EXPECT_FALSE(RequestHasBody(empty_post));

  strata_request_head unknown = Head("PUT", &none, -1, 0);
  list = BuildRequestHeaders(unknown);
  EXPECT_EQ(list->size(), 4u);  // no length: DATA until END_STREAM
  EXPECT_TRUE(RequestHasBody(unknown));

  std::vector<strata_header> own = {H("Content-Length", "3")};
  strata_request_head refused = Head("POST", &own, 3, 0);
  EXPECT_FALSE(BuildRequestHeaders(refused).ok());
}

TEST(RequestHeaders, ConnectHasOnlyMethodAndAuthority) {
  std::vector<strata_header> none;
  strata_request_head head = Head("CONNECT", &none);
  absl::StatusOr<hpack::HeaderList> list = BuildRequestHeaders(head);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Lines(*list),
            (std::vector<std::string>{":method: CONNECT", ":authority: example.com:8443"}));
}

TEST(RequestHeaders, Rfc9113_8_5_TunnelConnectCarriesProxyCredentialsAndNoLength) {
  // What the runtime's h2-connect layer sends: a body of unknown length
  // (the tunnel), and the proxy's credentials as a regular field.
  std::vector<strata_header> fields = {H("proxy-authorization", "Basic dTpw")};
  strata_request_head head = Head("CONNECT", &fields, -1, STRATA_REQUEST_TUNNEL);
  head.scheme = "";
  head.path = "";
  head.authority = "[::1]:443";
  absl::StatusOr<hpack::HeaderList> list = BuildRequestHeaders(head);
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(Lines(*list), (std::vector<std::string>{":method: CONNECT", ":authority: [::1]:443",
                                                    "proxy-authorization: Basic dTpw"}));
  EXPECT_TRUE(RequestHasBody(head));
}

TEST(RequestHeaders, ApplicationPseudoHeaderIsRefused) {
  std::vector<strata_header> fields = {H(":path", "/evil")};
  strata_request_head head = Head("GET", &fields);
  EXPECT_FALSE(BuildRequestHeaders(head).ok());
}

// A session builds every request into one list; each build must leave
// exactly its own fields, whatever the previous request left there.
TEST(RequestHeaders, ReusedListHoldsExactlyEachRequestsFields) {
  hpack::HeaderList list;
  std::vector<strata_header> many = {H("X-A-Rather-Long-Field-Name", "a value longer than sso"),
                                     H("Accept", "*/*"), H("X-Three", "3"), H("TE", "trailers")};
  strata_request_head big = Head("GET", &many);
  ASSERT_TRUE(BuildRequestHeaders(big, &list).ok());
  EXPECT_EQ(Lines(list),
            (std::vector<std::string>{":method: GET", ":scheme: https",
                                      ":authority: example.com:8443", ":path: /a?b=c",
                                      "x-a-rather-long-field-name: a value longer than sso",
                                      "accept: */*", "x-three: 3", "te: trailers"}));
  list[5].never_index = true;  // whatever a previous user of the list left

  // Fewer fields, a shorter name where a long one was, a CONNECT (no
  // :scheme, no :path): nothing of the previous request survives.
  std::vector<strata_header> few = {H("Proxy-Authorization", "Basic eA==")};
  strata_request_head connect = Head("CONNECT", &few);
  ASSERT_TRUE(BuildRequestHeaders(connect, &list).ok());
  EXPECT_EQ(Lines(list), (std::vector<std::string>{":method: CONNECT",
                                                   ":authority: example.com:8443",
                                                   "proxy-authorization: Basic eA=="}));
  for (const auto& f : list) EXPECT_FALSE(f.never_index) << f.name;

  // More fields again, with a body (content-length last).
  std::vector<strata_header> more = {H("A", "1"), H("B", "2"), H("C", "3"), H("D", "4"),
                                     H("E", "5")};
  strata_request_head post = Head("POST", &more, 12, 0);
  ASSERT_TRUE(BuildRequestHeaders(post, &list).ok());
  EXPECT_EQ(Lines(list), (std::vector<std::string>{
                             ":method: POST", ":scheme: https", ":authority: example.com:8443",
                             ":path: /a?b=c", "a: 1", "b: 2", "c: 3", "d: 4", "e: 5",
                             "content-length: 12"}));

  // A failed build leaves no field of an earlier request behind.
  std::vector<strata_header> bad = {H("X-Ok", "1"), H(":path", "/x")};
  strata_request_head refused = Head("GET", &bad);
  EXPECT_FALSE(BuildRequestHeaders(refused, &list).ok());
  for (const auto& f : list) EXPECT_NE(f.name, "e") << "stale field";
}

TEST(RequestHeaders, UppercaseAndMixedCaseNamesAreLowered) {
  std::vector<strata_header> fields = {H("X-MiXeD-CaSe", "Value Kept"), H("ACCEPT", "*/*"),
                                       H("x-already", "lower")};
  strata_request_head head = Head("GET", &fields);
  hpack::HeaderList list;
  ASSERT_TRUE(BuildRequestHeaders(head, &list).ok());
  EXPECT_EQ(list[4].name, "x-mixed-case");
  EXPECT_EQ(list[4].value, "Value Kept");  // values keep their case
  EXPECT_EQ(list[5].name, "accept");
  EXPECT_EQ(list[6].name, "x-already");
}

TEST(RequestHeaders, ConnectionFieldNamingAHeaderStillDropsIt) {
  hpack::HeaderList list;
  // A first request with no Connection field fills the list ...
  std::vector<strata_header> plain = {H("X-Hop", "kept here"), H("X-Other", "1")};
  strata_request_head first = Head("GET", &plain);
  ASSERT_TRUE(BuildRequestHeaders(first, &list).ok());
  EXPECT_EQ(list.size(), 6u);
  // ... the next names X-Hop (in another case, among other tokens, with
  // spaces) in its Connection field: dropped, as are Connection itself and
  // the other named field.
  std::vector<strata_header> named = {H("X-HOP", "dropped"), H("Connection", " close ,x-hop,  X-Other "),
                                      H("X-Other", "dropped"), H("X-Kept", "2")};
  strata_request_head second = Head("GET", &named);
  ASSERT_TRUE(BuildRequestHeaders(second, &list).ok());
  EXPECT_EQ(Lines(list), (std::vector<std::string>{":method: GET", ":scheme: https",
                                                   ":authority: example.com:8443",
                                                   ":path: /a?b=c", "x-kept: 2"}));
}

}  // namespace
}  // namespace strata::h2
