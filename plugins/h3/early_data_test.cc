// What the h3 layer sends in 0-RTT and what it does with those requests
// when the server accepts or rejects the early data (RFC 9001 §4.6,
// RFC 8470 §4: only requests that are safe to replay go early).
#include "plugins/h3/early_data.h"

#include <string>

#include "gtest/gtest.h"

namespace strata::h3 {
namespace {

strata_request_head Head(const char* method, int64_t content_length, uint32_t flags = 0) {
  strata_request_head h{};
  h.struct_size = sizeof(h);
  h.method = method;
  h.scheme = "https";
  h.authority = "localhost:443";
  h.path = "/x";
  h.content_length = content_length;
  h.flags = flags;
  return h;
}

TEST(MaySendEarlyTest, OnlyGetHeadAndOptionsWithoutABody) {
  EXPECT_TRUE(MaySendEarly(Head("GET", 0)));
  EXPECT_TRUE(MaySendEarly(Head("HEAD", 0)));
  EXPECT_TRUE(MaySendEarly(Head("OPTIONS", 0)));
  EXPECT_TRUE(MaySendEarly(Head("GET", -1, STRATA_REQUEST_NO_BODY)));
  EXPECT_FALSE(MaySendEarly(Head("GET", 5))) << "a GET with a body is not known to be safe to replay";
  EXPECT_FALSE(MaySendEarly(Head("GET", -1))) << "a body of unknown length";
  EXPECT_FALSE(MaySendEarly(Head("POST", 0)));
  EXPECT_FALSE(MaySendEarly(Head("PUT", 0))) << "idempotent, but RFC 8470 leaves it to the application";
  EXPECT_FALSE(MaySendEarly(Head("DELETE", 0)));
  EXPECT_FALSE(MaySendEarly(Head("get", 0))) << "methods are case-sensitive (RFC 9110 §9.1)";
}

TEST(OwnedHeadTest, KeepsACopyOfEveryField) {
  std::string name = "accept", value = "text/plain";
  strata_header field{name.data(), name.size(), value.data(), value.size()};
  strata_request_head h = Head("GET", 0);
  h.headers = &field;
  h.header_count = 1;
  OwnedHead owned(h);
  name.assign("xxxxxx");
  value.assign("yyyyyyyyyy");
  OwnedHead copy(owned);
  const strata_request_head out = copy.head();
  EXPECT_STREQ(out.method, "GET");
  EXPECT_STREQ(out.path, "/x");
  ASSERT_EQ(out.header_count, 1u);
  EXPECT_EQ(std::string(out.headers[0].name, out.headers[0].name_len), "accept");
  EXPECT_EQ(std::string(out.headers[0].value, out.headers[0].value_len), "text/plain");
}

TEST(EarlyRequestsTest, APostIsHeldAndEverythingAfterItToo) {
  EarlyRequests e;
  EXPECT_EQ(e.Decide(Head("GET", 0)), EarlyRequests::Route::kEarly);
  e.Add(Head("GET", 0), nullptr, EarlyRequests::Route::kEarly);
  EXPECT_EQ(e.Decide(Head("POST", 3)), EarlyRequests::Route::kHold);
  e.Add(Head("POST", 3), nullptr, EarlyRequests::Route::kHold);
  // Stream IDs are handed out in order: a GET after a held POST would
  // take the POST's ID in QUIC, so it waits too.
  EXPECT_EQ(e.Decide(Head("GET", 0)), EarlyRequests::Route::kHold);
  EXPECT_EQ(e.NextId(), 8);
  EXPECT_EQ(e.sent_early(), 1u);
  EXPECT_EQ(e.held(), 1u);
}

TEST(EarlyRequestsTest, AcceptedSubmitsOnlyTheHeldOnes) {
  EarlyRequests e;
  int a, b, c;
  e.Add(Head("GET", 0), &a, EarlyRequests::Route::kEarly);
  e.Add(Head("HEAD", 0), &b, EarlyRequests::Route::kEarly);
  e.Add(Head("POST", 1), &c, EarlyRequests::Route::kHold);
  auto submit = e.ToSubmit(/*rejected=*/false);
  ASSERT_EQ(submit.size(), 1u);
  EXPECT_EQ(submit[0]->id, 8);
  EXPECT_EQ(submit[0]->user, &c);
  EXPECT_EQ(e.Summary(false),
            "0-RTT: 2 requests sent early, accepted; 1 held for the handshake (not idempotent, or after one that was)");
}

TEST(EarlyRequestsTest, RejectedSendsEverythingAgainInStreamOrderOnce) {
  EarlyRequests e;
  int a, b, c;
  e.Add(Head("GET", 0), &a, EarlyRequests::Route::kEarly);
  e.Add(Head("GET", 0), &b, EarlyRequests::Route::kEarly);
  e.Add(Head("POST", 1), &c, EarlyRequests::Route::kHold);
  auto submit = e.ToSubmit(/*rejected=*/true);
  ASSERT_EQ(submit.size(), 3u);
  EXPECT_EQ(submit[0]->id, 0);
  EXPECT_EQ(submit[0]->user, &a);
  EXPECT_EQ(submit[1]->id, 4);
  EXPECT_EQ(submit[1]->user, &b);
  EXPECT_EQ(submit[2]->id, 8);
  EXPECT_EQ(submit[2]->user, &c);
  EXPECT_STREQ(submit[2]->head.head().method, "POST");
  EXPECT_EQ(e.Summary(true).substr(0, 60), "0-RTT: 2 requests sent early, rejected (sent again after the");
}

TEST(EarlyRequestsTest, ACancelledRequestKeepsItsStreamIdButIsMarked) {
  EarlyRequests e;
  e.Add(Head("GET", 0), nullptr, EarlyRequests::Route::kEarly);
  e.Add(Head("GET", 0), nullptr, EarlyRequests::Route::kEarly);
  EXPECT_TRUE(e.Cancel(0));
  EXPECT_FALSE(e.Cancel(12));
  auto submit = e.ToSubmit(/*rejected=*/true);
  ASSERT_EQ(submit.size(), 2u);
  EXPECT_TRUE(submit[0]->cancelled) << "its ID must still be taken so the next keeps 4";
  EXPECT_FALSE(submit[1]->cancelled);
  EXPECT_EQ(e.Summary(false), "0-RTT: 2 requests sent early, accepted");
}

TEST(EarlyRequestsTest, OneRequestIsSingular) {
  EarlyRequests e;
  e.Add(Head("GET", 0), nullptr, EarlyRequests::Route::kEarly);
  EXPECT_EQ(e.Summary(false), "0-RTT: 1 request sent early, accepted");
  e.Clear();
  EXPECT_EQ(e.Summary(false), "0-RTT: 0 requests sent early, accepted");
}

}  // namespace
}  // namespace strata::h3
