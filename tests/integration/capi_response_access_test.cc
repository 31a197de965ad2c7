// The C API's response access and option table, through the public C API:
// strata_response_reason (nginx's status lines), strata_transfer_peek_response
// on a transfer still running (a scripted peer that holds the body back),
// and strata_option_count/strata_option_at checked against the setters.
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

struct TransferDeleter {
  void operator()(strata_transfer* t) const { strata_transfer_free(t); }
};
using TransferPtr = std::unique_ptr<strata_transfer, TransferDeleter>;

RuntimePtr NewRuntime() {
  RuntimeResult rt = MakeRuntime(DefaultTestConfig());
  EXPECT_EQ(rt.status, STRATA_OK) << rt.error.message;
  return std::move(rt.runtime);
}

std::string Header(const strata_response* r, const char* name) {
  const char* v = strata_response_header_get(r, name);
  return v ? v : "<absent>";
}

TEST(OptionTable, ListsEveryOptionWithItsSetter) {
  size_t n = strata_option_count();
  ASSERT_GE(n, 39u);  // 1-33 and 40-45 at the time of writing
  RequestPtr req;
  {
    strata_request* r = nullptr;
    ASSERT_EQ(strata_request_new("GET", "http://127.0.0.1/", &r), STRATA_OK);
    req.reset(r);
  }
  std::set<std::string> names;
  int32_t last_id = 0;
  for (size_t i = 0; i < n; ++i) {
    strata_option_info info;
    std::memset(&info, 0, sizeof(info));
    info.struct_size = sizeof(info);
    ASSERT_EQ(strata_option_at(i, &info), STRATA_OK) << i;
    ASSERT_NE(info.name, nullptr);
    EXPECT_GT(info.id, last_id) << info.name << ": ids increase";
    last_id = info.id;
    EXPECT_TRUE(names.insert(info.name).second) << info.name << " twice";
    // The setter of the other type refuses the id as unknown; its own
    // setter knows it (a value may still be refused as invalid).
    if (info.type == STRATA_OPTION_TYPE_INT) {
      EXPECT_EQ(strata_request_set_option_string(req.get(), info.id, "1"), STRATA_E_UNSUPPORTED) << info.name;
      EXPECT_NE(strata_request_set_option_int(req.get(), info.id, 1), STRATA_E_UNSUPPORTED) << info.name;
    } else {
      ASSERT_EQ(info.type, STRATA_OPTION_TYPE_STRING) << info.name;
      EXPECT_EQ(strata_request_set_option_int(req.get(), info.id, 1), STRATA_E_UNSUPPORTED) << info.name;
      EXPECT_NE(strata_request_set_option_string(req.get(), info.id, "{}"), STRATA_E_UNSUPPORTED) << info.name;
    }
  }
  // Spot checks against the header's enum.
  auto find = [&](const char* name) {
    for (size_t i = 0; i < n; ++i) {
      strata_option_info info;
      info.struct_size = sizeof(info);
      strata_option_at(i, &info);
      if (std::strcmp(info.name, name) == 0) return info;
    }
    ADD_FAILURE() << name << " not listed";
    return strata_option_info{};
  };
  strata_option_info timeout = find("timeout_ms");
  EXPECT_EQ(timeout.id, STRATA_OPT_TIMEOUT_MS);
  EXPECT_EQ(timeout.type, STRATA_OPTION_TYPE_INT);
  EXPECT_EQ(timeout.repeatable, 0);
  strata_option_info resolve = find("resolve");
  EXPECT_EQ(resolve.id, STRATA_OPT_RESOLVE);
  EXPECT_EQ(resolve.type, STRATA_OPTION_TYPE_STRING);
  EXPECT_EQ(resolve.repeatable, 1);
  EXPECT_EQ(find("abstract_unix_socket").id, STRATA_OPT_ABSTRACT_UNIX_SOCKET);
  // Ids the table does not list are refused by both setters.
  for (int32_t id : {0, 34, 39, 9999, -1}) {
    EXPECT_EQ(strata_request_set_option_int(req.get(), id, 1), STRATA_E_UNSUPPORTED) << id;
    EXPECT_EQ(strata_request_set_option_string(req.get(), id, "x"), STRATA_E_UNSUPPORTED) << id;
  }
}

TEST(OptionTable, RefusesBadCalls) {
  strata_option_info info;
  info.struct_size = sizeof(info);
  EXPECT_EQ(strata_option_at(strata_option_count(), &info), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_option_at(0, nullptr), STRATA_E_INVALID_ARGUMENT);
  info.struct_size = 8;  // too small for the name
  EXPECT_EQ(strata_option_at(0, &info), STRATA_E_INVALID_ARGUMENT);
  // An older caller whose struct ends at |name| gets no |repeatable|.
  info.struct_size = offsetof(strata_option_info, repeatable);
  info.repeatable = 77;
  ASSERT_EQ(strata_option_at(0, &info), STRATA_OK);
  EXPECT_EQ(info.repeatable, 77);
}

TEST(ResponseReason, FromTheStatusLine) {
  NginxFixture nginx;
  std::string error;
  ASSERT_TRUE(nginx.Start(&error)) << error;
  nginx.WriteDocFile("a.txt", "a\n");
  RuntimePtr rt = NewRuntime();
  FetchResult ok = Get(rt.get(), nginx.Url("/a.txt"));
  ASSERT_EQ(ok.status, STRATA_OK) << ok.Describe();
  EXPECT_STREQ(strata_response_reason(ok.response.get()), "OK");
  FetchResult missing = Get(rt.get(), nginx.Url("/missing"));
  ASSERT_EQ(missing.status, STRATA_OK) << missing.Describe();
  EXPECT_EQ(missing.http_status(), 404);
  EXPECT_STREQ(strata_response_reason(missing.response.get()), "Not Found");
  EXPECT_STREQ(strata_response_reason(nullptr), "");
}

TEST(ResponseReason, EmptyWhenTheStatusLineHasNone) {
  ScriptedPeer peer({{ReadRequest(), Send("HTTP/1.1 204\r\n\r\n"), Close()}});
  RuntimePtr rt = NewRuntime();
  FetchResult r = Get(rt.get(), peer.Url("/"));
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 204);
  EXPECT_STREQ(strata_response_reason(r.response.get()), "");
}

// Runs |rt| until |t|'s final head can be peeked at (or it ends).
const strata_response* RunUntilHead(strata_runtime* rt, strata_transfer* t, std::vector<int>* seen_statuses) {
  for (int i = 0; i < 2000; ++i) {
    const strata_response* view = nullptr;
    strata_status st = strata_transfer_peek_response(t, &view);
    if (st == STRATA_OK) return view;
    EXPECT_EQ(st, STRATA_AGAIN);
    EXPECT_EQ(view, nullptr);
    if (strata_transfer_done(t)) return nullptr;
    size_t running = 0;
    EXPECT_EQ(strata_runtime_run(rt, 10, &running), STRATA_OK);
    (void)seen_statuses;
  }
  return nullptr;
}

TEST(PeekResponse, HeadOfARunningTransferBeforeItsBody) {
  // The head and half the body, then a pause the test spends peeking.
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 200 Fine Thanks\r\nContent-Length: 10\r\nX-Early: yes\r\nX-Early: twice\r\n\r\n"
                           "01234"),
                      Sleep(1500), Send("56789"), Close()}});
  RuntimePtr rt = NewRuntime();
  strata_request* r = nullptr;
  ASSERT_EQ(strata_request_new("GET", peer.Url("/slow").c_str(), &r), STRATA_OK);
  RequestPtr req(r);
  BodySink sink;
  ASSERT_EQ(strata_request_set_body_writer(req.get(), &BodySink::Write, &sink), STRATA_OK);
  strata_transfer* raw = nullptr;
  ASSERT_EQ(strata_submit(rt.get(), req.get(), nullptr, &raw), STRATA_OK);
  TransferPtr t(raw);
  const strata_response* view = nullptr;
  EXPECT_EQ(strata_transfer_peek_response(t.get(), &view), STRATA_AGAIN) << "nothing sent yet";
  EXPECT_EQ(view, nullptr);

  view = RunUntilHead(rt.get(), t.get(), nullptr);
  ASSERT_NE(view, nullptr);
  EXPECT_FALSE(strata_transfer_done(t.get())) << "the peer still holds half the body";
  EXPECT_EQ(strata_response_status(view), 200);
  EXPECT_EQ(strata_response_http_version(view), 11);
  EXPECT_STREQ(strata_response_reason(view), "Fine Thanks");
  EXPECT_EQ(Header(view, "x-early"), "yes");
  ASSERT_EQ(strata_response_header_count(view), 3u);
  const char *name = nullptr, *value = nullptr;
  size_t nlen = 0, vlen = 0;
  ASSERT_EQ(strata_response_header(view, 2, &name, &nlen, &value, &vlen), STRATA_OK);
  EXPECT_EQ(std::string(name, nlen), "X-Early");
  EXPECT_EQ(std::string(value, vlen), "twice");
  const uint8_t* body = nullptr;
  size_t body_len = 99;
  strata_response_body(view, &body, &body_len);
  EXPECT_EQ(body_len, 0u);
  EXPECT_LE(sink.bytes.size(), 5u);

  while (!strata_transfer_done(t.get())) {
    size_t running = 0;
    ASSERT_EQ(strata_runtime_run(rt.get(), -1, &running), STRATA_OK);
  }
  // Still peekable after the end, with the same head.
  ASSERT_EQ(strata_transfer_peek_response(t.get(), &view), STRATA_OK);
  EXPECT_STREQ(strata_response_reason(view), "Fine Thanks");
  EXPECT_EQ(sink.bytes, "0123456789");
  ResponsePtr final_resp(strata_transfer_take_response(t.get()));
  ASSERT_NE(final_resp, nullptr);
  EXPECT_STREQ(strata_response_reason(final_resp.get()), "Fine Thanks");
  EXPECT_EQ(strata_transfer_peek_response(t.get(), &view), STRATA_E_STATE) << "the response was taken";
  EXPECT_EQ(view, nullptr);
  EXPECT_EQ(strata_transfer_peek_response(nullptr, &view), STRATA_E_INVALID_ARGUMENT);
  EXPECT_EQ(strata_transfer_peek_response(t.get(), nullptr), STRATA_E_INVALID_ARGUMENT);
}

TEST(PeekResponse, AFollowedRedirectAndA1xxAreNotTheHead) {
  ScriptedPeer peer({{ReadRequest(), Send("HTTP/1.1 302 Found\r\nLocation: /next\r\nContent-Length: 0\r\n\r\n"),
                      ReadRequest(), Sleep(300), Send("HTTP/1.1 100 Continue\r\n\r\n"), Sleep(300),
                      Send("HTTP/1.1 201 Made\r\nContent-Length: 3\r\n\r\nab"), Sleep(800), Send("c"), Close()}});
  RuntimePtr rt = NewRuntime();
  strata_request* r = nullptr;
  ASSERT_EQ(strata_request_new("GET", peer.Url("/first").c_str(), &r), STRATA_OK);
  RequestPtr req(r);
  ASSERT_EQ(strata_request_set_option_int(req.get(), STRATA_OPT_FOLLOW_REDIRECTS, 1), STRATA_OK);
  BodySink sink;
  ASSERT_EQ(strata_request_set_body_writer(req.get(), &BodySink::Write, &sink), STRATA_OK);
  strata_transfer* raw = nullptr;
  ASSERT_EQ(strata_submit(rt.get(), req.get(), nullptr, &raw), STRATA_OK);
  TransferPtr t(raw);
  const strata_response* view = RunUntilHead(rt.get(), t.get(), nullptr);
  ASSERT_NE(view, nullptr);
  EXPECT_EQ(strata_response_status(view), 201) << "never the 302 or the 100";
  EXPECT_STREQ(strata_response_reason(view), "Made");
  EXPECT_FALSE(strata_transfer_done(t.get()));
  while (!strata_transfer_done(t.get())) {
    size_t running = 0;
    ASSERT_EQ(strata_runtime_run(rt.get(), -1, &running), STRATA_OK);
  }
  EXPECT_EQ(strata_transfer_result(t.get(), nullptr), STRATA_OK);
  EXPECT_EQ(sink.bytes, "abc");
}

}  // namespace
}  // namespace strata::test
