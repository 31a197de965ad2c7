// PlanMemo: which requests it keeps plans for, what its key tells apart, and
// that a kept plan is the planner's own.
#include "runtime/client/plan_memo.h"

#include <gtest/gtest.h>

#include <functional>
#include <vector>

namespace strata {
namespace {

Url U(const std::string& text) {
  absl::StatusOr<Url> u = ParseUrl(text);
  EXPECT_TRUE(u.ok()) << u.status();
  return *u;
}

PlanPtr Marked(const std::string& fingerprint) {
  HopPlan plan;
  plan.fingerprint = fingerprint;
  return std::make_shared<const HopPlan>(std::move(plan));
}

TEST(PlanMemoTest, OnlyRequestsThatSetNothingThePlannerReadsBeyondVersionAndTimeout) {
  RequestOptions plain;
  EXPECT_TRUE(PlanMemo::Memoizable(plain));
  plain.http_version = STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
  plain.connect_timeout_ms = 500;
  plain.timeout_ms = 100;  // not a planner input
  EXPECT_TRUE(PlanMemo::Memoizable(plain));

  const std::vector<std::pair<const char*, std::function<void(RequestOptions&)>>> setters = {
      {"proxy", [](RequestOptions& o) { o.proxy = ""; }},
      {"proxy_credentials", [](RequestOptions& o) { o.proxy_credentials = "u:p"; }},
      {"no_proxy", [](RequestOptions& o) { o.no_proxy = "*"; }},
      {"proxy_tunnel", [](RequestOptions& o) { o.proxy_tunnel = 0; }},
      {"proxy_http2", [](RequestOptions& o) { o.proxy_http2 = 0; }},
      {"preproxies", [](RequestOptions& o) { o.preproxies.emplace(); }},
      {"unix_socket", [](RequestOptions& o) { o.unix_socket = "/s"; }},
      {"connect_to", [](RequestOptions& o) { o.connect_to = {"a:1:b:2"}; }},
      {"pipeline", [](RequestOptions& o) { o.pipeline = "http"; }},
      {"resolve", [](RequestOptions& o) { o.resolve = {"a:1:127.0.0.1"}; }},
      {"interface", [](RequestOptions& o) { o.interface = "lo"; }},
      {"local_port", [](RequestOptions& o) { o.local_port = 5000; }},
      {"local_port_range", [](RequestOptions& o) { o.local_port_range = 3; }},
  };
  for (const auto& [name, set] : setters) {
    RequestOptions o;
    set(o);
    EXPECT_FALSE(PlanMemo::Memoizable(o)) << name;
  }
}

TEST(PlanMemoTest, KeyedByOriginVersionAndConnectTimeout) {
  PlanMemo memo;
  RequestOptions o;
  const Url url = U("http://a.example:8080/x");
  EXPECT_EQ(memo.Find(url, o), nullptr);
  memo.Put(url, o, Marked("A"));
  PlanPtr kept = memo.Find(U("http://a.example:8080/other?q"), o);
  ASSERT_NE(kept, nullptr);  // the path is no part of a plan
  EXPECT_EQ(kept->fingerprint, "A");

  EXPECT_EQ(memo.Find(U("https://a.example:8080/x"), o), nullptr);
  EXPECT_EQ(memo.Find(U("http://b.example:8080/x"), o), nullptr);
  EXPECT_EQ(memo.Find(U("http://a.example:8081/x"), o), nullptr);
  RequestOptions h2 = o;
  h2.http_version = STRATA_HTTP_VERSION_2;
  EXPECT_EQ(memo.Find(url, h2), nullptr);
  RequestOptions slow = o;
  slow.connect_timeout_ms = 10;
  EXPECT_EQ(memo.Find(url, slow), nullptr);
}

// Layer options are part of the key, compared as values: another CA file
// is another plan, the same options set anew are the same one.
TEST(PlanMemoTest, KeyedByLayerOptions) {
  PlanMemo memo;
  RequestOptions ca_a;
  ca_a.layer_options = {{"tls", {{"ca_file", "/a.pem"}}}};
  const Url url = U("https://a.example/");
  memo.Put(url, ca_a, Marked("A"));
  RequestOptions same;
  same.layer_options = nlohmann::json::parse(R"({"tls": {"ca_file": "/a.pem"}})");
  ASSERT_NE(memo.Find(url, same), nullptr);
  EXPECT_EQ(memo.Find(url, same)->fingerprint, "A");
  RequestOptions ca_b;
  ca_b.layer_options = {{"tls", {{"ca_file", "/b.pem"}}}};
  EXPECT_EQ(memo.Find(url, ca_b), nullptr);
  // Numbers of another type are other options (the fingerprint tells 1
  // from 1.0, and a layer may insist on an integer).
  RequestOptions whole, fraction;
  whole.layer_options = {{"tcp", {{"connect_timeout_ms", 100}}}};
  fraction.layer_options = {{"tcp", {{"connect_timeout_ms", 100.0}}}};
  memo.Put(url, whole, Marked("whole"));
  EXPECT_EQ(memo.Find(url, fraction), nullptr);
  EXPECT_EQ(memo.Find(url, whole)->fingerprint, "whole");
  EXPECT_EQ(memo.Find(url, RequestOptions()), nullptr);
  memo.Put(url, RequestOptions(), Marked("none"));
  EXPECT_EQ(memo.Find(url, RequestOptions())->fingerprint, "none");
  EXPECT_EQ(memo.Find(url, ca_a)->fingerprint, "A");
}

TEST(PlanMemoTest, KeepsNothingForRequestsWithTheirOwnPlanInputs) {
  PlanMemo memo;
  RequestOptions o;
  o.resolve = {"a.example:80:127.0.0.1"};
  const Url url = U("http://a.example/");
  memo.Put(url, o, Marked("A"));
  EXPECT_EQ(memo.Find(url, RequestOptions()), nullptr);
}

TEST(PlanMemoTest, ReplacesTheOldestOriginWhenFull) {
  PlanMemo memo;
  RequestOptions o;
  const int kMany = 17;  // one more than the memo holds
  for (int i = 0; i < kMany; ++i) {
    memo.Put(U("http://h" + std::to_string(i) + ".example/"), o, Marked(std::to_string(i)));
  }
  EXPECT_EQ(memo.Find(U("http://h0.example/"), o), nullptr);
  for (int i = 1; i < kMany; ++i) {
    PlanPtr kept = memo.Find(U("http://h" + std::to_string(i) + ".example/"), o);
    ASSERT_NE(kept, nullptr) << i;
    EXPECT_EQ(kept->fingerprint, std::to_string(i));
  }
}

// A kept plan is shared by the transfers that take it; a transfer that
// changes its plan (a policy's amendment) changes a copy of its own.
TEST(PlanMemoTest, AChangedPlanIsCopiedAndTheKeptOneStaysAsItWas) {
  PlanMemo memo;
  RequestOptions o;
  const Url url = U("http://a.example/");
  memo.Put(url, o, Marked("A"));
  PlanPtr first = memo.Find(url, o);
  PlanPtr second = memo.Find(url, o);
  EXPECT_EQ(first.get(), second.get());  // shared, not copied
  HopPlan* mine = MutablePlan(&first);
  mine->Amend({{"tls", {{"verify", false}}}});
  EXPECT_NE(first.get(), second.get());
  EXPECT_NE(first->fingerprint, "A");
  EXPECT_EQ(second->fingerprint, "A");
  EXPECT_EQ(memo.Find(url, o)->fingerprint, "A");
  // A plan held by one transfer only is changed where it is.
  HopPlan* again = MutablePlan(&first);
  EXPECT_EQ(again, first.get());
}

}  // namespace
}  // namespace strata
