// End to end through the public C API: the runtime (//runtime/capi linked
// in) loads tcp, h1 and connect-tunnel from this test's runfiles and runs
// the pipeline tcp → connect-tunnel → h1 against a scripted proxy that
// answers the CONNECT and then plays the origin.
//
// Until the runtime knows proxies, every layer gets the URL's host and
// port, so the URL points at the proxy and the CONNECT target is that same
// address; the assertions on the CONNECT bytes say so.
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "plugins/connect_tunnel/testing/scripted_proxy.h"
#include "strata/strata.h"

namespace strata::connect_tunnel {
namespace {

using testing::Close;
using testing::ReadHead;
using testing::ScriptedProxy;
using testing::Send;

const char kEstablished[] = "HTTP/1.1 200 Connection established\r\n\r\n";
const char kOriginReply[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

std::string Runfile(const std::string& path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir && *srcdir ? srcdir : ".") + "/strata/" + path;
}

// Config loads the three plugins by explicit path and defines the
// "tunnel" pipeline; |tunnel_options| is the layer's options object.
std::string Config(const std::string& tunnel_options = "{}") {
  return "{\"plugins\": ["
         "{\"path\": \"" + Runfile("plugins/tcp/strata-tcp.so") + "\"},"
         "{\"path\": \"" + Runfile("plugins/h1/strata-h1.so") + "\"},"
         "{\"path\": \"" + Runfile("plugins/connect_tunnel/strata-connect-tunnel.so") + "\"}],"
         " \"pipelines\": {\"https\": null, \"tunnel\": [\"tcp\","
         " {\"layer\": \"connect-tunnel\", \"options\": " + tunnel_options + "}, \"h1\"]},"
         " \"timeouts\": {\"connect_ms\": 5000, \"first_byte_ms\": 10000,"
         " \"idle_ms\": 10000, \"total_ms\": 30000}}";
}

struct Result {
  strata_status status = STRATA_E_INTERNAL;
  strata_error error{};
  int http_status = 0;
  std::string body;
};

class TunnelE2eTest : public ::testing::Test {
 protected:
  // Fetch GETs |path| from the proxy's address through the tunnel pipeline,
  // then frees the runtime so the proxy sees the connection close.
  Result Fetch(ScriptedProxy& proxy, const std::string& config, const std::string& path = "/x") {
    Result r;
    r.error.struct_size = sizeof(r.error);
    strata_runtime* rt = nullptr;
    strata_status st = strata_runtime_new(config.c_str(), &rt, &r.error);
    EXPECT_EQ(st, STRATA_OK) << r.error.message;
    if (st != STRATA_OK) return r;
    strata_request* req = nullptr;
    std::string url = Url(proxy, path);
    EXPECT_EQ(strata_request_new("GET", url.c_str(), &req), STRATA_OK);
    EXPECT_EQ(strata_request_set_option_string(req, STRATA_OPT_PIPELINE, "tunnel"), STRATA_OK);
    strata_response* resp = nullptr;
    r.status = strata_fetch(rt, req, &resp, &r.error);
    if (resp) {
      r.http_status = strata_response_status(resp);
      const uint8_t* data = nullptr;
      size_t len = 0;
      strata_response_body(resp, &data, &len);
      r.body.assign(reinterpret_cast<const char*>(data), len);
      strata_response_free(resp);
    }
    strata_request_free(req);
    strata_runtime_free(rt);
    if (proxy.ConnectionCount() > 0) {
      EXPECT_TRUE(proxy.WaitForClose(0, std::chrono::seconds(10)));
    }
    return r;
  }

  static std::string Authority(const ScriptedProxy& proxy) {
    return "127.0.0.1:" + std::to_string(proxy.port());
  }
  static std::string Url(const ScriptedProxy& proxy, const std::string& path) {
    return "http://" + Authority(proxy) + path;
  }
  static std::string ConnectHead(const ScriptedProxy& proxy, const std::string& extra = "") {
    return "CONNECT " + Authority(proxy) + " HTTP/1.1\r\nHost: " + Authority(proxy) + "\r\n" +
           extra + "\r\n";
  }
};

TEST_F(TunnelE2eTest, ExchangeRunsThroughTheTunnel) {
  ScriptedProxy proxy({{ReadHead(), Send(kEstablished), ReadHead(), Send(kOriginReply)}});
  Result r = Fetch(proxy, Config());
  ASSERT_EQ(r.status, STRATA_OK) << r.error.message;
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(r.body, "hello");
  std::string seen = proxy.Received(0);
  std::string connect = ConnectHead(proxy);
  ASSERT_EQ(seen.substr(0, connect.size()), connect) << seen;
  // Right after the CONNECT comes the origin request, as h1 wrote it.
  std::string origin = seen.substr(connect.size());
  EXPECT_EQ(origin.rfind("GET /x HTTP/1.1\r\nHost: " + Authority(proxy) + "\r\n", 0), 0u) << origin;
  EXPECT_EQ(origin.find("Proxy-Authorization"), std::string::npos);
  EXPECT_EQ(origin.size(), origin.find("\r\n\r\n") + 4) << "nothing after the GET head";
}

TEST_F(TunnelE2eTest, BytesArrivingWithThe200ReachTheLayerAbove) {
  // The proxy sends its 200 and origin bytes in one write, before any
  // request: the bytes are the tunnel's leftover and go up to h1 — which
  // rightly calls a response before its request unexpected. What matters
  // here is that they were neither lost nor taken as part of the proxy's
  // reply.
  ScriptedProxy proxy({{ReadHead(), Send(std::string(kEstablished) + kOriginReply), ReadHead()}});
  Result r = Fetch(proxy, Config());
  EXPECT_EQ(r.status, STRATA_E_PROTOCOL);
  std::string message = r.error.message;
  EXPECT_NE(message.find("unexpected bytes on idle connection (43 bytes"), std::string::npos)
      << message;
  EXPECT_STREQ(r.error.layer, "h1");
}

TEST_F(TunnelE2eTest, Hostile69_Connect200WithContentLengthStartsTheTunnelAtOnce) {
  ScriptedProxy proxy({{ReadHead(), Send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"),
                        ReadHead(), Send(kOriginReply)}});
  Result r = Fetch(proxy, Config());
  ASSERT_EQ(r.status, STRATA_OK) << r.error.message;
  EXPECT_EQ(r.body, "hello");
}

TEST_F(TunnelE2eTest, Hostile70_RefusalFailsWithTheProxysStatusNotItsBody) {
  ScriptedProxy proxy(
      {{ReadHead(), Send("HTTP/1.1 403 Forbidden\r\nContent-Length: 12\r\n\r\nproxy's page")}});
  Result r = Fetch(proxy, Config());
  EXPECT_EQ(r.status, STRATA_E_PROXY);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_EQ(r.body, "");
  std::string message = r.error.message;
  EXPECT_NE(message.find("proxy refused CONNECT to " + Authority(proxy) + ": 403 Forbidden"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("proxy's page"), std::string::npos);
  EXPECT_EQ(proxy.Received(0), ConnectHead(proxy));  // no origin request leaked
}

TEST_F(TunnelE2eTest, Hostile71_OnChallengeRetriesOnceWithCredentials) {
  ScriptedProxy proxy({{ReadHead(),
                        Send("HTTP/1.1 407 Proxy Authentication Required\r\n"
                             "Proxy-Authenticate: Basic realm=\"p\"\r\nContent-Length: 4\r\n\r\nnope"),
                        ReadHead(), Send(kEstablished), ReadHead(), Send(kOriginReply)}});
  Result r = Fetch(proxy, Config("{\"proxy_authorization\": \"Basic dXNlcjpwYXNz\","
                                 " \"auth\": \"on_challenge\"}"));
  ASSERT_EQ(r.status, STRATA_OK) << r.error.message;
  EXPECT_EQ(r.body, "hello");
  std::string expected = ConnectHead(proxy) +
                         ConnectHead(proxy, "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n");
  std::string seen = proxy.Received(0);
  ASSERT_EQ(seen.substr(0, expected.size()), expected) << seen;
  std::string origin = seen.substr(expected.size());
  EXPECT_EQ(origin.rfind("GET /x HTTP/1.1\r\n", 0), 0u) << origin;
  // The credentials are for the proxy only (HOSTILE 71).
  EXPECT_EQ(origin.find("Proxy-Authorization"), std::string::npos) << origin;
}

TEST_F(TunnelE2eTest, Hostile71_407WithoutCredentialsNamesTheFix) {
  ScriptedProxy proxy({{ReadHead(), Send("HTTP/1.1 407 Proxy Authentication Required\r\n"
                                         "Content-Length: 0\r\n\r\n")}});
  Result r = Fetch(proxy, Config());
  EXPECT_EQ(r.status, STRATA_E_PROXY);
  EXPECT_NE(std::string(r.error.message).find("configure proxy credentials"), std::string::npos)
      << r.error.message;
  EXPECT_STREQ(r.error.layer, "connect-tunnel");
}

TEST_F(TunnelE2eTest, Hostile72_ProxyClosingWithoutAnswerIsAProxyError) {
  ScriptedProxy proxy({{ReadHead(), Close()}});
  Result r = Fetch(proxy, Config());
  EXPECT_EQ(r.status, STRATA_E_PROXY);
  EXPECT_NE(std::string(r.error.message).find("without answering CONNECT"), std::string::npos)
      << r.error.message;
}

TEST_F(TunnelE2eTest, ProxySilenceTimesOut) {
  ScriptedProxy proxy({{ReadHead()}});
  Result r = Fetch(proxy, Config("{\"connect_timeout_ms\": 300}"));
  EXPECT_EQ(r.status, STRATA_E_TIMEOUT);
  EXPECT_NE(std::string(r.error.message).find("proxy did not answer CONNECT within 300 ms"),
            std::string::npos)
      << r.error.message;
}

TEST_F(TunnelE2eTest, ProxyClosingRightAfter200IsTheOriginsTruncation) {
  ScriptedProxy proxy({{ReadHead(), Send(kEstablished), ReadHead(), Close()}});
  Result r = Fetch(proxy, Config());
  EXPECT_LT(r.status, 0);
  EXPECT_NE(r.status, STRATA_E_PROXY) << r.error.message;  // the tunnel itself was fine
}

}  // namespace
}  // namespace strata::connect_tunnel
