#include "runtime/client/redirect.h"

#include <gtest/gtest.h>

namespace strata {
namespace {

HopRequest Hop(const std::string& method, const std::string& url, bool body = false) {
  HopRequest r;
  r.method = method;
  r.url = *ParseUrl(url);
  r.headers = {{"Authorization", "Basic eA=="}, {"Cookie", "a=b"}, {"Content-Type", "text/plain"}, {"X-Keep", "1"}};
  r.has_body = body;
  return r;
}

RedirectPolicy Follow() {
  RedirectPolicy p;
  p.follow = true;
  return p;
}

TEST(Redirect, NotFollowingOrNoLocationIsFinal) {
  std::string loc = "/x";
  EXPECT_FALSE(PlanRedirect(Hop("GET", "http://a/"), 302, &loc, RedirectPolicy{}, 0)->has_value());
  EXPECT_FALSE(PlanRedirect(Hop("GET", "http://a/"), 302, nullptr, Follow(), 0)->has_value());
  EXPECT_FALSE(PlanRedirect(Hop("GET", "http://a/"), 305, &loc, Follow(), 0)->has_value());
  EXPECT_FALSE(PlanRedirect(Hop("GET", "http://a/"), 200, &loc, Follow(), 0)->has_value());
}

TEST(Redirect, Rfc9110_15_4_4_SeeOtherBecomesGetWithoutBody) {
  std::string loc = "/done";
  auto plan = PlanRedirect(Hop("POST", "http://a/form", true), 303, &loc, Follow(), 0);
  ASSERT_TRUE(plan.ok() && plan->has_value());
  EXPECT_EQ((*plan)->next.method, "GET");
  EXPECT_TRUE((*plan)->drop_body);
  EXPECT_EQ(FindHeader((*plan)->next.headers, "Content-Type"), nullptr);
  EXPECT_NE(FindHeader((*plan)->next.headers, "Authorization"), nullptr);  // same origin
  EXPECT_EQ((*plan)->next.url.ToString(), "http://a/done");
}

TEST(Redirect, Rfc9110_15_4_4_HeadStaysHead) {
  std::string loc = "/h";
  auto plan = PlanRedirect(Hop("HEAD", "http://a/"), 303, &loc, Follow(), 0);
  EXPECT_EQ((*plan)->next.method, "HEAD");
}

TEST(Redirect, Rfc9110_15_4_8_TemporaryRedirectKeepsMethodAndBody) {
  std::string loc = "/again";
  for (int status : {307, 308}) {
    auto plan = PlanRedirect(Hop("POST", "http://a/", true), status, &loc, Follow(), 0);
    EXPECT_EQ((*plan)->next.method, "POST");
    EXPECT_FALSE((*plan)->drop_body);
    EXPECT_NE(FindHeader((*plan)->next.headers, "Content-Type"), nullptr);
  }
}

TEST(Redirect, PostBecomesGetOn301And302) {
  std::string loc = "/x";
  for (int status : {301, 302}) {
    auto plan = PlanRedirect(Hop("POST", "http://a/", true), status, &loc, Follow(), 0);
    EXPECT_EQ((*plan)->next.method, "GET");
    EXPECT_TRUE((*plan)->drop_body);
  }
  auto put = PlanRedirect(Hop("PUT", "http://a/", true), 301, &loc, Follow(), 0);
  EXPECT_EQ((*put)->next.method, "PUT");
}

TEST(Redirect, Hostile75_CrossOriginDropsCredentials) {
  std::string loc = "http://a:8080/x";
  auto plan = PlanRedirect(Hop("GET", "http://a/"), 302, &loc, Follow(), 0);
  EXPECT_EQ(FindHeader((*plan)->next.headers, "Authorization"), nullptr);
  EXPECT_EQ(FindHeader((*plan)->next.headers, "Cookie"), nullptr);
  EXPECT_NE(FindHeader((*plan)->next.headers, "X-Keep"), nullptr);
}

TEST(Redirect, HttpsToHttpIsRefusedUnlessUnsafe) {
  std::string loc = "http://a/";
  auto refused = PlanRedirect(Hop("GET", "https://a/"), 301, &loc, Follow(), 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("https://a/"), std::string::npos);
  EXPECT_NE(refused.status().message().find("http://a/"), std::string::npos);
  RedirectPolicy unsafe = Follow();
  unsafe.allow_https_to_http = true;
  auto allowed = PlanRedirect(Hop("GET", "https://a/"), 301, &loc, unsafe, 0);
  ASSERT_TRUE(allowed.ok());
  // Same host and port differ in scheme: cross-origin (docs/hostile-peers.md 76).
  EXPECT_EQ(FindHeader((*allowed)->next.headers, "Authorization"), nullptr);
}

TEST(Redirect, Hostile77_OnlyHttpSchemes) {
  for (std::string loc : {"file:///etc/passwd", "ftp://a/", "data:text/plain,x"}) {
    EXPECT_FALSE(PlanRedirect(Hop("GET", "http://a/"), 302, &loc, Follow(), 0).ok()) << loc;
  }
}

TEST(Redirect, Hostile78_HopLimit) {
  std::string loc = "/x";
  RedirectPolicy p = Follow();
  p.max_redirects = 3;
  EXPECT_TRUE(PlanRedirect(Hop("GET", "http://a/"), 302, &loc, p, 2).ok());
  auto over = PlanRedirect(Hop("GET", "http://a/"), 302, &loc, p, 3);
  ASSERT_FALSE(over.ok());
  EXPECT_NE(over.status().message().find("maximum (3)"), std::string::npos);
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

TEST(Redirect, Post30xOptionsKeepPost) {
  std::string loc = "/x";
  RedirectPolicy p;
  p.follow = true;
  p.keep_post_301 = true;
  EXPECT_EQ((*PlanRedirect(Hop("POST", "http://a/", true), 301, &loc, p, 0))->next.method, "POST");
  EXPECT_EQ((*PlanRedirect(Hop("POST", "http://a/", true), 302, &loc, p, 0))->next.method, "GET");
  p.keep_post_302 = true;
  EXPECT_EQ((*PlanRedirect(Hop("POST", "http://a/", true), 302, &loc, p, 0))->next.method, "POST");
  p.keep_post_303 = true;
  auto see_other = PlanRedirect(Hop("POST", "http://a/", true), 303, &loc, p, 0);
  EXPECT_EQ((*see_other)->next.method, "POST");
  EXPECT_FALSE((*see_other)->drop_body);
}

TEST(Redirect, LocationTrustedKeepsCredentials) {
  std::string loc = "http://other/";
  RedirectPolicy p;
  p.follow = true;
  p.location_trusted = true;
  auto plan = PlanRedirect(Hop("GET", "http://a/"), 302, &loc, p, 0);
  EXPECT_NE(FindHeader((*plan)->next.headers, "Authorization"), nullptr);
}

}  // namespace
}  // namespace strata
