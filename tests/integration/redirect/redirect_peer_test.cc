// The redirect engine end to end against scripted peers on 127.0.0.1,
// through the public C API: what the client puts on the wire after a
// redirect. Method rewrites and body replay (RFC 9110 §15.4.2-9, HOSTILE
// 79), credentials across origins (HOSTILE 75), refused schemes and
// Locations (HOSTILE 77, 80), and 3xx responses that are final.
//
// Every peer records the raw bytes of each request, so the tests assert on
// what the next hop actually received: method, headers, body byte for byte.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/redirect/redirect_env.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

using namespace std::chrono_literals;

std::string ReasonFor(int status) {
  switch (status) {
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    default: return "Whatever";
  }
}

// RedirectReply: a 3xx with a small body the client must discard.
std::string RedirectReply(int status, const std::string& location) {
  return "HTTP/1.1 " + std::to_string(status) + " " + ReasonFor(status) + "\r\nLocation: " + location +
         "\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nmoved\n";
}

std::string OkReply(const std::string& body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

// A peer that answers the first request on its first connection with a
// redirect, then waits for the client to go away.
PeerScript RedirectOnce(int status, const std::string& location) {
  return {ReadRequest(), Send(RedirectReply(status, location)), ReadUntilClose()};
}

// A peer that answers one request with 200 "target\n".
PeerScript ServeTarget() { return {ReadRequest(), Send(OkReply("target\n")), ReadUntilClose()}; }

class RedirectPeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RuntimeResult rt = MakeRuntime(RedirectTestConfig());
    ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
    runtime_ = std::move(rt.runtime);
    hops_.Attach(runtime_.get());
  }

  FetchResult Follow(FetchSpec spec) {
    spec.int_options.insert(spec.int_options.begin(), {STRATA_OPT_FOLLOW_REDIRECTS, 1});
    return Fetch(runtime_.get(), spec);
  }

  // OnlyRequest returns the single request the peer read, failing the test
  // if there is not exactly one.
  static std::string OnlyRequest(const ScriptedPeer& peer) {
    EXPECT_TRUE(peer.WaitForConnections(1, 5s));
    std::vector<std::string> all = peer.AllRequests();
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? "" : all[0];
  }

  static FetchSpec PostSpec(const std::string& url, const std::string& body) {
    FetchSpec spec;
    spec.method = "POST";
    spec.url = url;
    spec.has_body = true;
    spec.body = body;
    spec.headers = {{"Content-Type", "application/octet-stream"}};
    return spec;
  }

  RuntimePtr runtime_;
  HopRecorder hops_;
};

// ---------------------------------------------------------------------------
// Method rewrites (RFC 9110 §15.4, HOSTILE 79)

// 303 after POST: the next hop is a GET with no body and none of the
// Content-* headers that described the body.
TEST_F(RedirectPeerTest, Rfc9110_15_4_4_SeeOtherAfterPostBecomesGetWithoutBody) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(303, target.Url("/result"))});
  std::string body = PatternBody(5000, 1);
  FetchSpec spec = PostSpec(origin.Url("/form"), body);
  spec.headers.push_back({"Content-Language", "en"});
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "target\n");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 1);

  std::string first = OnlyRequest(origin);
  EXPECT_EQ(RequestLine(first), "POST /form HTTP/1.1");
  EXPECT_TRUE(RequestBody(first) == body) << "the POST body did not reach the first hop intact";

  std::string next = OnlyRequest(target);
  EXPECT_EQ(RequestLine(next), "GET /result HTTP/1.1");
  EXPECT_EQ(RequestBody(next), "");
  for (const char* h : {"Content-Type", "Content-Length", "Transfer-Encoding", "Content-Language"}) {
    EXPECT_FALSE(HasHeader(next, h)) << h << " left on the GET:\n" << next;
  }
  ASSERT_EQ(hops_.hops.size(), 2u);
  EXPECT_NE(hops_.hops[1].message.find("GET " + target.Url("/result")), std::string::npos) << hops_.Dump();
}

// 303 after PUT: GET as well (only HEAD is kept).
TEST_F(RedirectPeerTest, Rfc9110_15_4_4_SeeOtherAfterPutBecomesGet) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(303, target.Url("/result"))});
  FetchSpec spec = PostSpec(origin.Url("/doc"), "new content");
  spec.method = "PUT";
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  std::string next = OnlyRequest(target);
  EXPECT_EQ(RequestLine(next), "GET /result HTTP/1.1");
  EXPECT_FALSE(HasHeader(next, "Content-Length")) << next;
}

// 303 after HEAD: HEAD stays HEAD.
TEST_F(RedirectPeerTest, Rfc9110_15_4_4_SeeOtherAfterHeadStaysHead) {
  ScriptedPeer target({{ReadRequest(),
                        Send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\n"),
                        ReadUntilClose()}});
  ScriptedPeer origin({{ReadRequest(),
                        Send("HTTP/1.1 303 See Other\r\nLocation: " + target.Url("/result") +
                             "\r\nContent-Length: 6\r\n\r\n"),
                        ReadUntilClose()}});
  FetchSpec spec;
  spec.method = "HEAD";
  spec.url = origin.Url("/thing");
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "");
  EXPECT_EQ(RequestLine(OnlyRequest(target)), "HEAD /result HTTP/1.1");
}

// STRATA_OPT_POST303 keeps the POST and its body on a 303 (curl --post303).
TEST_F(RedirectPeerTest, Rfc9110_15_4_4_SeeOtherWithPost303KeepsPostAndBody) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(303, target.Url("/result"))});
  std::string body = PatternBody(3000, 2);
  FetchSpec spec = PostSpec(origin.Url("/form"), body);
  spec.int_options.push_back({STRATA_OPT_POST303, 1});
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  std::string next = OnlyRequest(target);
  EXPECT_EQ(RequestLine(next), "POST /result HTTP/1.1");
  EXPECT_TRUE(RequestBody(next) == body);
}

// 307 and 308 keep the method and replay the body byte for byte, with the
// same Content-Length and Content-Type.
class BodyReplayTest : public RedirectPeerTest, public ::testing::WithParamInterface<int> {};

TEST_P(BodyReplayTest, KeepsPostAndReplaysTheBodyByteForByte) {
  const int status = GetParam();
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(status, target.Url("/again"))});
  std::string body = PatternBody(200000, static_cast<uint32_t>(status));
  FetchResult r = Follow(PostSpec(origin.Url("/upload"), body));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "target\n");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 1);

  std::string first = OnlyRequest(origin);
  std::string next = OnlyRequest(target);
  EXPECT_EQ(RequestLine(next), "POST /again HTTP/1.1");
  EXPECT_EQ(HeaderValue(next, "Content-Length"), std::to_string(body.size()));
  EXPECT_EQ(HeaderValue(next, "Content-Type"), "application/octet-stream");
  std::string replayed = RequestBody(next);
  EXPECT_EQ(replayed.size(), body.size());
  EXPECT_EQ(Fnv1a64(replayed), Fnv1a64(body)) << "the replayed body differs";
  EXPECT_TRUE(replayed == body);
  EXPECT_TRUE(RequestBody(first) == body);
  // SIZE_UPLOAD counts the final hop's upload.
  EXPECT_EQ(r.info(STRATA_INFO_SIZE_UPLOAD), static_cast<int64_t>(body.size()));
}

// Rfc9110_15_4_8 (307 Temporary Redirect) and Rfc9110_15_4_9 (308 Permanent
// Redirect).
INSTANTIATE_TEST_SUITE_P(Rfc9110_15_4_8_and_15_4_9, BodyReplayTest, ::testing::Values(307, 308),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return info.param == 307 ? std::string("TemporaryRedirect307")
                                                    : std::string("PermanentRedirect308");
                         });

// 301/302 after POST: GET by default, as browsers and curl do...
struct PostRewriteCase {
  int status;
  int32_t keep_option;
  const char* name;
};

class PostRewriteTest : public RedirectPeerTest, public ::testing::WithParamInterface<PostRewriteCase> {};

TEST_P(PostRewriteTest, PostBecomesGetByDefault) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(GetParam().status, target.Url("/after"))});
  FetchResult r = Follow(PostSpec(origin.Url("/form"), "a=1&b=2"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  std::string next = OnlyRequest(target);
  EXPECT_EQ(RequestLine(next), "GET /after HTTP/1.1");
  EXPECT_EQ(RequestBody(next), "");
  EXPECT_FALSE(HasHeader(next, "Content-Length")) << next;
  EXPECT_FALSE(HasHeader(next, "Content-Type")) << next;
}

// ...and POST with its body when STRATA_OPT_POST301 / POST302 says so.
TEST_P(PostRewriteTest, PostIsKeptWithTheOption) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(GetParam().status, target.Url("/after"))});
  FetchSpec spec = PostSpec(origin.Url("/form"), "a=1&b=2");
  spec.int_options.push_back({GetParam().keep_option, 1});
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  std::string next = OnlyRequest(target);
  EXPECT_EQ(RequestLine(next), "POST /after HTTP/1.1");
  EXPECT_EQ(RequestBody(next), "a=1&b=2");
  EXPECT_EQ(HeaderValue(next, "Content-Type"), "application/octet-stream");
}

// A method other than POST is kept on 301/302.
TEST_P(PostRewriteTest, PutIsKept) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(GetParam().status, target.Url("/after"))});
  FetchSpec spec = PostSpec(origin.Url("/doc"), "new content");
  spec.method = "PUT";
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  std::string next = OnlyRequest(target);
  EXPECT_EQ(RequestLine(next), "PUT /after HTTP/1.1");
  EXPECT_EQ(RequestBody(next), "new content");
}

INSTANTIATE_TEST_SUITE_P(Rfc9110_15_4_2_and_15_4_3, PostRewriteTest,
                         ::testing::Values(PostRewriteCase{301, STRATA_OPT_POST301, "MovedPermanently301"},
                                           PostRewriteCase{302, STRATA_OPT_POST302, "Found302"}),
                         [](const ::testing::TestParamInfo<PostRewriteCase>& info) {
                           return std::string(info.param.name);
                         });

// ---------------------------------------------------------------------------
// Bodies from a read callback cannot be replayed (HOSTILE 79)

struct OneShotReader {
  std::string data;
  size_t offset = 0;
  int calls_after_eos = 0;
};

strata_status ReadOnce(void* user, uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) {
  auto* r = static_cast<OneShotReader*>(user);
  if (r->offset == r->data.size()) r->calls_after_eos++;
  size_t n = std::min({cap, r->data.size() - r->offset, size_t{4096}});
  std::memcpy(buf, r->data.data() + r->offset, n);
  r->offset += n;
  *out_read = n;
  *out_eos = r->offset == r->data.size();
  return STRATA_OK;
}

struct ReaderFetch {
  strata_status status = STRATA_E_INTERNAL;
  strata_error error = NewError();
  ResponsePtr response;
};

ReaderFetch FetchWithReader(strata_runtime* rt, const std::string& url, OneShotReader* reader, int64_t length) {
  ReaderFetch out;
  strata_request* req = nullptr;
  EXPECT_EQ(strata_request_new("POST", url.c_str(), &req), STRATA_OK);
  RequestPtr request(req);
  EXPECT_EQ(strata_request_add_header(req, "Content-Type", "application/octet-stream"), STRATA_OK);
  EXPECT_EQ(strata_request_set_body_reader(req, length, &ReadOnce, reader), STRATA_OK);
  EXPECT_EQ(strata_request_set_option_int(req, STRATA_OPT_FOLLOW_REDIRECTS, 1), STRATA_OK);
  strata_response* resp = nullptr;
  out.status = strata_fetch(rt, req, &resp, &out.error);
  out.response.reset(resp);
  return out;
}

class ReaderBodyTest : public RedirectPeerTest, public ::testing::WithParamInterface<int> {};

// 307/308 need the body again; a reader was consumed on the first hop, so
// the transfer fails with a clear STRATA_E_REDIRECT instead of sending an
// empty or truncated body. Known length (Content-Length) and unknown
// (chunked) alike.
TEST_P(ReaderBodyTest, Hostile79_RedirectNeedingAReaderBodyAgainFails) {
  const int status = GetParam();
  for (int64_t length : {int64_t{20000}, int64_t{-1}}) {
    SCOPED_TRACE("length " + std::to_string(length));
    ScriptedPeer target({ServeTarget()});
    ScriptedPeer origin({RedirectOnce(status, target.Url("/again"))});
    OneShotReader reader{PatternBody(20000, 9)};
    ReaderFetch r = FetchWithReader(runtime_.get(), origin.Url("/upload"), &reader, length);
    ASSERT_EQ(r.status, STRATA_E_REDIRECT) << strata_status_name(r.status) << " " << r.error.message;
    EXPECT_EQ(r.response, nullptr);
    std::string msg = r.error.message;
    EXPECT_NE(msg.find(std::to_string(status)), std::string::npos) << msg;
    EXPECT_NE(msg.find("cannot be replayed"), std::string::npos) << msg;
    EXPECT_NE(msg.find(target.Url("/again")), std::string::npos) << msg;
    EXPECT_EQ(r.error.hop, 1);
    // The first hop got the whole body; the target was never contacted.
    std::string first = OnlyRequest(origin);
    if (length < 0) {
      EXPECT_EQ(HeaderValue(first, "Transfer-Encoding"), "chunked") << first;
    } else {
      EXPECT_TRUE(RequestBody(first) == reader.data);
    }
    EXPECT_EQ(target.ConnectionCount(), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc9110_15_4_8_and_15_4_9, ReaderBodyTest, ::testing::Values(307, 308),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return "Status" + std::to_string(info.param);
                         });

// A 303 turns the request into a GET: the reader body is not needed again,
// so the redirect is followed.
TEST_F(RedirectPeerTest, Hostile79_SeeOtherAfterAReaderBodyIsFollowed) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(303, target.Url("/result"))});
  OneShotReader reader{PatternBody(10000, 4)};
  ReaderFetch r = FetchWithReader(runtime_.get(), origin.Url("/upload"), &reader, 10000);
  ASSERT_EQ(r.status, STRATA_OK) << r.error.message;
  EXPECT_EQ(strata_response_status(r.response.get()), 200);
  EXPECT_TRUE(RequestBody(OnlyRequest(origin)) == reader.data);
  std::string next = OnlyRequest(target);
  EXPECT_EQ(RequestLine(next), "GET /result HTTP/1.1");
  EXPECT_EQ(RequestBody(next), "");
  EXPECT_EQ(reader.calls_after_eos, 0) << "the reader was asked for more after its end";
}

// ---------------------------------------------------------------------------
// Credentials and origins (HOSTILE 75, 76)

FetchSpec WithCredentials(const std::string& url) {
  FetchSpec spec;
  spec.url = url;
  spec.headers = {{"Authorization", "Bearer secret-token"},
                  {"Cookie", "session=s3cr3t"},
                  {"Proxy-Authorization", "Basic cHJveHk6cHc="},
                  {"X-Harmless", "kept"}};
  return spec;
}

// Same origin: the second request (on the same connection) carries the
// credentials again.
TEST_F(RedirectPeerTest, Hostile75_AuthorizationAndCookieKeptOnASameOriginHop) {
  ScriptedPeer origin({{ReadRequest(), Send(RedirectReply(302, "/second")), ReadRequest(),
                        Send(OkReply("second\n")), ReadUntilClose()}});
  FetchResult r = Follow(WithCredentials(origin.Url("/first")));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "second\n");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), 1);
  ASSERT_EQ(origin.ConnectionCount(), 1);
  std::vector<std::string> reqs = origin.Connection(0).requests;
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(RequestLine(reqs[1]), "GET /second HTTP/1.1");
  EXPECT_EQ(HeaderValue(reqs[1], "Authorization"), "Bearer secret-token");
  EXPECT_EQ(HeaderValue(reqs[1], "Cookie"), "session=s3cr3t");
  EXPECT_EQ(HeaderValue(reqs[1], "X-Harmless"), "kept");
}

// Same host, other port: another origin. Authorization, Cookie and
// Proxy-Authorization stay behind; other headers go along.
TEST_F(RedirectPeerTest, Hostile75_AuthorizationDroppedWhenThePortChanges) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(302, target.Url("/elsewhere"))});
  FetchResult r = Follow(WithCredentials(origin.Url("/first")));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  std::string first = OnlyRequest(origin);
  EXPECT_EQ(HeaderValue(first, "Authorization"), "Bearer secret-token");
  EXPECT_EQ(HeaderValue(first, "Cookie"), "session=s3cr3t");
  std::string next = OnlyRequest(target);
  EXPECT_EQ(RequestLine(next), "GET /elsewhere HTTP/1.1");
  EXPECT_FALSE(HasHeader(next, "Authorization")) << next;
  EXPECT_FALSE(HasHeader(next, "Cookie")) << next;
  EXPECT_FALSE(HasHeader(next, "Proxy-Authorization")) << next;
  EXPECT_EQ(HeaderValue(next, "X-Harmless"), "kept");
}

// Credentials given in the URL become Authorization on their origin only.
TEST_F(RedirectPeerTest, Hostile75_UrlCredentialsNotSentAfterThePortChanges) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(301, target.Url("/elsewhere"))});
  FetchSpec spec;
  spec.url = "http://user:secret@127.0.0.1:" + std::to_string(origin.port()) + "/first";
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(HeaderValue(OnlyRequest(origin), "Authorization"), "Basic dXNlcjpzZWNyZXQ=");
  std::string next = OnlyRequest(target);
  EXPECT_FALSE(HasHeader(next, "Authorization")) << next;
  EXPECT_EQ(std::string(strata_response_effective_url(r.response.get())), target.Url("/elsewhere"));
}

// STRATA_OPT_LOCATION_TRUSTED: the application vouches for the redirect
// targets, so the credentials go along (curl --location-trusted).
TEST_F(RedirectPeerTest, Hostile75_CredentialsKeptAcrossOriginsWithLocationTrusted) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(302, target.Url("/elsewhere"))});
  FetchSpec spec = WithCredentials(origin.Url("/first"));
  spec.int_options.push_back({STRATA_OPT_LOCATION_TRUSTED, 1});
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  std::string next = OnlyRequest(target);
  EXPECT_EQ(HeaderValue(next, "Authorization"), "Bearer secret-token");
  EXPECT_EQ(HeaderValue(next, "Cookie"), "session=s3cr3t");
}

// Dropped once, gone for good: A → B (other port) → A again does not get
// the credentials back on A.
TEST_F(RedirectPeerTest, Hostile75_CredentialsDoNotComeBackWhenTheChainReturns) {
  ScriptedPeer back({ServeTarget()});
  ScriptedPeer middle({RedirectOnce(302, back.Url("/back"))});
  ScriptedPeer origin({RedirectOnce(302, middle.Url("/middle"))});
  FetchResult r = Follow(WithCredentials(origin.Url("/first")));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_FALSE(HasHeader(OnlyRequest(middle), "Authorization"));
  EXPECT_FALSE(HasHeader(OnlyRequest(back), "Authorization"));
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 2);
}

// ---------------------------------------------------------------------------
// What is not followed (HOSTILE 77, 80)

// Only http and https targets are followed; the peer is asked nothing more.
TEST_F(RedirectPeerTest, Hostile77_NonHttpSchemesAreRefused) {
  for (const std::string& location :
       {std::string("file:///etc/passwd"), std::string("file://localhost/etc/passwd"),
        std::string("ftp://127.0.0.1/pub/x"), std::string("scp://127.0.0.1/etc/passwd"),
        std::string("data:text/plain,hello"), std::string("gopher://127.0.0.1:70/1"),
        std::string("javascript:alert(1)"), std::string("dict://127.0.0.1:11211/stat"),
        std::string("ldap://127.0.0.1/dc=x")}) {
    SCOPED_TRACE(location);
    ScriptedPeer origin({RedirectOnce(302, location)}, /*extra_connections_close=*/true);
    FetchSpec spec;
    spec.url = origin.Url("/start");
    FetchResult r = Follow(spec);
    EXPECT_EQ(r.status, STRATA_E_REDIRECT) << r.Describe();
    EXPECT_EQ(r.response, nullptr);
    std::string msg = r.error.message;
    EXPECT_STREQ(r.error.layer, "redirect");
    EXPECT_NE(msg.find(origin.Url("/start")), std::string::npos) << msg;
    // The refused target is named (as written or normalised).
    std::string scheme = location.substr(0, location.find(':') + 1);
    EXPECT_NE(msg.find(scheme), std::string::npos) << msg;
    EXPECT_EQ(origin.ConnectionCount(), 1);
    EXPECT_EQ(origin.AllRequests().size(), 1u);
  }
}

// HOSTILE 80: Locations a lenient parser would read two ways are refused.
TEST_F(RedirectPeerTest, Hostile80_MalformedLocationsAreRefused) {
  for (const std::string& location :
       {std::string("http:///etc/passwd"), std::string("http://127.0.0.1%2F.evil.test/"),
        std::string("http://127.0.0.1:99999/"), std::string("http://127.0.0.1\\@evil.test/"),
        std::string("http://exa mple.test/")}) {
    SCOPED_TRACE(location);
    ScriptedPeer origin({RedirectOnce(302, location)}, /*extra_connections_close=*/true);
    FetchSpec spec;
    spec.url = origin.Url("/start");
    FetchResult r = Follow(spec);
    EXPECT_EQ(r.status, STRATA_E_REDIRECT) << r.Describe();
    EXPECT_NE(std::string(r.error.message).find("invalid Location"), std::string::npos) << r.error.message;
    EXPECT_EQ(origin.ConnectionCount(), 1);
  }
}

// A 3xx without Location is the final response, body included.
TEST_F(RedirectPeerTest, Rfc9110_15_4_RedirectWithoutLocationIsReturnedAsIs) {
  ScriptedPeer origin({{ReadRequest(),
                        Send("HTTP/1.1 302 Found\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\n"
                             "no location\n"),
                        ReadUntilClose()}});
  FetchSpec spec;
  spec.url = origin.Url("/start");
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 302);
  EXPECT_EQ(r.body(), "no location\n");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 0);
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_REDIRECT_URL), "");
  EXPECT_EQ(std::string(strata_response_effective_url(r.response.get())), origin.Url("/start"));
}

// HOSTILE 80 / RFC 9110 §15.4.6: 305 Use Proxy is not followed (nor is 300).
TEST_F(RedirectPeerTest, Hostile80_UseProxyAndMultipleChoicesAreNotFollowed) {
  for (int status : {305, 300}) {
    SCOPED_TRACE(status);
    ScriptedPeer elsewhere({ServeTarget()});
    ScriptedPeer origin({RedirectOnce(status, elsewhere.Url("/proxy"))});
    FetchSpec spec;
    spec.url = origin.Url("/start");
    FetchResult r = Follow(spec);
    ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
    EXPECT_EQ(r.http_status(), status);
    EXPECT_EQ(r.body(), "moved\n");
    EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 0);
    EXPECT_EQ(elsewhere.ConnectionCount(), 0);
  }
}

// Not following: the 3xx is returned and REDIRECT_URL is the resolved
// Location; nothing is fetched from it.
TEST_F(RedirectPeerTest, RedirectUrlIsSetWhenNotFollowing) {
  ScriptedPeer target({ServeTarget()});
  ScriptedPeer origin({RedirectOnce(307, target.Url("/next?q=1"))});
  FetchResult r = Get(runtime_.get(), origin.Url("/start"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 307);
  EXPECT_EQ(r.body(), "moved\n");
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_REDIRECT_URL), target.Url("/next?q=1"));
  EXPECT_EQ(r.info(STRATA_INFO_NUM_REDIRECTS), 0);
  EXPECT_EQ(target.ConnectionCount(), 0);
}

// A relative Location is reported resolved.
TEST_F(RedirectPeerTest, RedirectUrlIsResolvedAgainstTheRequestUrl) {
  ScriptedPeer origin({RedirectOnce(301, "../up?x=1")});
  FetchResult r = Get(runtime_.get(), origin.Url("/a/b/c"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(InfoString(r, STRATA_INFO_STR_REDIRECT_URL), origin.Url("/a/up?x=1"));
}

// The body of a followed 3xx is read and dropped: it neither leaks into
// the final body nor desynchronises the reused connection.
TEST_F(RedirectPeerTest, RedirectBodyIsDiscardedAndTheConnectionReused) {
  ScriptedPeer origin({{ReadRequest(),
                        Send("HTTP/1.1 302 Found\r\nLocation: /final\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5\r\nmoved\r\n3\r\n!!\n\r\n0\r\n\r\n"),
                        ReadRequest(), Send(OkReply("final\n")), ReadUntilClose()}});
  FetchSpec spec;
  spec.url = origin.Url("/start");
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "final\n");
  EXPECT_EQ(r.info(STRATA_INFO_SIZE_DOWNLOAD), 6);
  EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), 1);
  ASSERT_EQ(hops_.hops.size(), 2u);
  EXPECT_EQ(hops_.hops[1].reused, 1) << hops_.Dump();
  EXPECT_EQ(origin.ConnectionCount(), 1);
}

// A 3xx that closes its connection: the same-origin next hop needs (and
// gets) a new connection rather than writing into a closed one.
TEST_F(RedirectPeerTest, SameOriginHopAfterConnectionCloseUsesANewConnection) {
  ScriptedPeer origin({{ReadRequest(),
                        Send("HTTP/1.1 302 Found\r\nLocation: /final\r\nConnection: close\r\n"
                             "Content-Length: 6\r\n\r\nmoved\n"),
                        Close()},
                       ServeTarget()});
  FetchSpec spec;
  spec.url = origin.Url("/start");
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe() << "\n" << hops_.Dump();
  EXPECT_EQ(r.body(), "target\n");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), 2);
  ASSERT_EQ(hops_.hops.size(), 2u);
  EXPECT_EQ(hops_.hops[1].reused, 0) << hops_.Dump();
  ASSERT_EQ(origin.ConnectionCount(), 2);
  EXPECT_EQ(RequestLine(origin.Connection(1).requests.at(0)), "GET /final HTTP/1.1");
}

// The body of a followed 3xx is not collected, so it does not count
// against STRATA_OPT_MAX_BODY_BYTES.
TEST_F(RedirectPeerTest, RedirectBodyDoesNotCountAgainstMaxBodyBytes) {
  std::string big(100000, 'x');
  ScriptedPeer origin({{ReadRequest(),
                        Send("HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Length: " +
                             std::to_string(big.size()) + "\r\n\r\n" + big),
                        ReadRequest(), Send(OkReply("small\n")), ReadUntilClose()}});
  FetchSpec spec;
  spec.url = origin.Url("/start");
  spec.int_options.push_back({STRATA_OPT_MAX_BODY_BYTES, 1000});
  FetchResult r = Follow(spec);
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "small\n");
  EXPECT_EQ(r.info(STRATA_INFO_NUM_CONNECTS), 1);
}

}  // namespace
}  // namespace strata::test
