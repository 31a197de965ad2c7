// pool.max_connections_per_origin against nginx: transfers submitted at
// once past the limit wait for a connection instead of opening their own,
// all complete with their own bodies, and nginx sees no more connections
// than the limit; without it, the same load opens many more.
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

struct Outcome {
  int ok = 0;
  std::set<std::string> connections;  // nginx's $connection of each response
  std::string first_error;
};

Outcome SubmitAtOnce(strata_runtime* rt, const NginxFixture& nginx, int count) {
  Outcome out;
  std::vector<strata_transfer*> transfers;
  std::vector<RequestPtr> requests;
  for (int i = 0; i < count; ++i) {
    strata_status st = STRATA_OK;
    FetchSpec spec;
    spec.url = nginx.Url("/conn?" + std::to_string(i));
    requests.push_back(PrepareRequest(spec, &st));
    strata_transfer* t = nullptr;
    if (!requests.back() || strata_submit(rt, requests.back().get(), nullptr, &t) != STRATA_OK) break;
    transfers.push_back(t);
  }
  size_t running = transfers.size();
  for (int turns = 0; running > 0 && turns < 100000; ++turns) {
    if (strata_runtime_run(rt, 1000, &running) != STRATA_OK) break;
  }
  for (size_t i = 0; i < transfers.size(); ++i) {
    strata_error error = NewError();
    if (strata_transfer_result(transfers[i], &error) == STRATA_OK) {
      ResponsePtr resp(strata_transfer_take_response(transfers[i]));
      const uint8_t* data = nullptr;
      size_t len = 0;
      strata_response_body(resp.get(), &data, &len);
      std::string body(reinterpret_cast<const char*>(data), len);
      // "conn=N q=I": each transfer got its own response.
      if (strata_response_status(resp.get()) == 200 && body.find(" q=" + std::to_string(i) + "\n") != std::string::npos) {
        ++out.ok;
        out.connections.insert(body.substr(0, body.find(' ')));
      }
    } else if (out.first_error.empty()) {
      out.first_error = error.message;
    }
    strata_transfer_free(transfers[i]);
  }
  return out;
}

class ConnectionLimitTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    NginxOptions options;
    options.extra_locations = {"location = /conn { return 200 \"conn=$connection q=$args\\n\"; }"};
    nginx_ = new NginxFixture(options);
    std::string e;
    ASSERT_TRUE(nginx_->Start(&e)) << e;
  }
  static void TearDownTestSuite() { delete nginx_; }
  static std::string Config(int limit) {
    std::string c = DefaultTestConfig();
    c.insert(c.rfind('}'), ", \"pool\": {\"max_connections_per_origin\": " + std::to_string(limit) + "}");
    return c;
  }
  static NginxFixture* nginx_;
};

NginxFixture* ConnectionLimitTest::nginx_ = nullptr;

TEST_F(ConnectionLimitTest, TransfersPastTheLimitWaitForAConnection) {
  RuntimeResult rt = MakeRuntime(Config(3));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  Outcome o = SubmitAtOnce(rt.runtime.get(), *nginx_, 40);
  EXPECT_EQ(o.ok, 40) << o.first_error;
  EXPECT_GE(o.connections.size(), 1u);
  EXPECT_LE(o.connections.size(), 3u);
}

TEST_F(ConnectionLimitTest, WithoutALimitTheSameLoadOpensMore) {
  RuntimeResult rt = MakeRuntime(Config(0));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  Outcome o = SubmitAtOnce(rt.runtime.get(), *nginx_, 40);
  EXPECT_EQ(o.ok, 40) << o.first_error;
  EXPECT_GT(o.connections.size(), 3u);
}

TEST_F(ConnectionLimitTest, ANegativeLimitIsAConfigurationError) {
  RuntimeResult rt = MakeRuntime(Config(-1));
  EXPECT_EQ(rt.status, STRATA_E_CONFIG);
  EXPECT_NE(std::string(rt.error.message).find("/pool/max_connections_per_origin"), std::string::npos)
      << rt.error.message;
}

}  // namespace
}  // namespace strata::test
