// The low-level connection API (strata_connection_*): a pipeline used as a
// byte stream for any protocol, or as a session to issue requests on
// directly, as the original LuaSec exposed its low-level functions.
#include <string>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

struct ConnDeleter {
  void operator()(strata_connection* c) const { strata_connection_close(c); }
};
using ConnPtr = std::unique_ptr<strata_connection, ConnDeleter>;

RuntimePtr RuntimeWith(const std::string& pipelines) {
  RuntimeResult r = MakeRuntime("{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "], \"pipelines\": {" +
                                pipelines + "}}");
  EXPECT_EQ(r.status, STRATA_OK) << r.error.message;
  return std::move(r.runtime);
}

ConnPtr Open(strata_runtime* rt, const char* pipeline, uint16_t port, strata_status* status,
             strata_error* error, const char* host = "127.0.0.1") {
  strata_connection* c = nullptr;
  *status = strata_connection_open(rt, pipeline, host, port, 5000, &c, error);
  return ConnPtr(c);
}

std::string RecvAll(strata_connection* c, strata_status* last) {
  std::string got;
  char buf[4096];
  for (;;) {
    size_t n = 0;
    strata_error err = NewError();
    *last = strata_connection_recv(c, buf, sizeof(buf), &n, 5000, &err);
    if (*last != STRATA_OK || n == 0) return got;
    got.append(buf, n);
  }
}

TEST(ConnectionApi, RawTcpByteStreamBothWays) {
  ScriptedPeer peer({{ReadRequest(), Send("pong: any protocol works\n"), Close()}});
  RuntimePtr rt = RuntimeWith("\"raw\": [\"tcp\"]");
  strata_error err = NewError();
  strata_status st;
  ConnPtr c = Open(rt.get(), "raw", peer.port(), &st, &err);
  ASSERT_EQ(st, STRATA_OK) << err.message;
  EXPECT_NE(std::string(strata_connection_describe(c.get())).find("tcp(127.0.0.1:"), std::string::npos);
  const std::string ping = "PING\r\n\r\n";
  ASSERT_EQ(strata_connection_send(c.get(), ping.data(), ping.size(), 5000, &err), STRATA_OK) << err.message;
  strata_status last;
  EXPECT_EQ(RecvAll(c.get(), &last), "pong: any protocol works\n");
  EXPECT_EQ(last, STRATA_OK);  // orderly end of stream
  ASSERT_TRUE(peer.WaitForScripts(std::chrono::seconds(5)));
  EXPECT_EQ(peer.Connection(0).requests.at(0), ping);
}

TEST(ConnectionApi, RecvTimesOutOnASilentPeer) {
  ScriptedPeer peer({{NeverAnswer()}});
  RuntimePtr rt = RuntimeWith("\"raw\": [\"tcp\"]");
  strata_error err = NewError();
  strata_status st;
  ConnPtr c = Open(rt.get(), "raw", peer.port(), &st, &err);
  ASSERT_EQ(st, STRATA_OK) << err.message;
  char buf[16];
  size_t n = 0;
  EXPECT_EQ(strata_connection_recv(c.get(), buf, sizeof(buf), &n, 200, &err), STRATA_E_TIMEOUT);
  EXPECT_EQ(n, 0u);
}

TEST(ConnectionApi, TlsByteStreamSpeaksAnyProtocolOverTls) {
  TestPki pki;
  std::string e;
  ASSERT_TRUE(pki.MakeCa("ca", &e)) << e;
  ASSERT_TRUE(pki.MakeLocalhostLeaf("ca", &e)) << e;
  TlsNginx nginx;
  uint16_t port = nginx.AddServer("    ssl_certificate \"" + pki.Cert("localhost") + "\";\n    ssl_certificate_key \"" +
                                  pki.Key("localhost") + "\";\n    location / { return 200 \"over tls\\n\"; }\n");
  ASSERT_TRUE(nginx.Start(&e)) << e;
  RuntimePtr rt = RuntimeWith("\"tls-raw\": [\"tcp\", {\"layer\": \"tls\", \"options\": {\"ca_file\": " +
                              JsonString(pki.Cert("ca")) + "}}]");
  strata_error err = NewError();
  strata_status st;
  ConnPtr c = Open(rt.get(), "tls-raw", port, &st, &err, "localhost");
  ASSERT_EQ(st, STRATA_OK) << err.message;
  EXPECT_NE(std::string(strata_connection_describe(c.get())).find("tls(sni=localhost"), std::string::npos);
  const std::string request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  ASSERT_EQ(strata_connection_send(c.get(), request.data(), request.size(), 5000, &err), STRATA_OK) << err.message;
  strata_status last;
  std::string reply = RecvAll(c.get(), &last);
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_NE(reply.find("over tls\n"), std::string::npos) << reply;
}

TEST(ConnectionApi, RequestsOnOneSessionConnection) {
  NginxFixture nginx;
  std::string e;
  ASSERT_TRUE(nginx.Start(&e)) << e;
  nginx.WriteDocFile("a.txt", "first\n");
  nginx.WriteDocFile("b.txt", "second\n");
  RuntimePtr rt = RuntimeWith("");
  strata_error err = NewError();
  strata_status st;
  ConnPtr c = Open(rt.get(), "http", nginx.port(), &st, &err);
  ASSERT_EQ(st, STRATA_OK) << err.message;
  for (const char* name : {"a.txt", "b.txt"}) {
    FetchSpec spec;
    spec.url = nginx.Url(std::string("/") + name);
    strata_status prep;
    RequestPtr req = PrepareRequest(spec, &prep);
    ASSERT_EQ(prep, STRATA_OK);
    strata_response* resp = nullptr;
    ASSERT_EQ(strata_connection_request(c.get(), req.get(), &resp, &err), STRATA_OK) << err.message;
    ResponsePtr owned(resp);
    EXPECT_EQ(strata_response_status(resp), 200);
  }
  std::vector<AccessLogEntry> log = nginx.WaitForAccessLog(2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].connection, log[1].connection);  // the one connection we opened
  EXPECT_EQ(log[1].connection_requests, 2u);
  // A session connection is not a byte stream.
  EXPECT_EQ(strata_connection_send(c.get(), "x", 1, 100, &err), STRATA_E_STATE);
}

TEST(ConnectionApi, OpenErrorsNameTheLayerAndTheTarget) {
  RuntimePtr rt = RuntimeWith("\"raw\": [\"tcp\"]");
  strata_error err = NewError();
  strata_status st;
  ConnPtr refused = Open(rt.get(), "raw", 1, &st, &err);
  EXPECT_EQ(st, STRATA_E_CONNECT);
  EXPECT_EQ(refused, nullptr);
  EXPECT_STREQ(err.layer, "tcp");
  EXPECT_NE(std::string(err.message).find("127.0.0.1:1"), std::string::npos) << err.message;
  err = NewError();
  ConnPtr unknown = Open(rt.get(), "no-such-pipeline", 80, &st, &err);
  EXPECT_EQ(st, STRATA_E_CONFIG);
  EXPECT_NE(std::string(err.message).find("no-such-pipeline"), std::string::npos) << err.message;
}

}  // namespace
}  // namespace strata::test
