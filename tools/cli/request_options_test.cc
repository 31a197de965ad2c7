#include "tools/cli/request_options.h"

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "strata/strata.h"

namespace strata::cli {
namespace {

CliOptions Parsed(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"strata"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("http://a.test/");
  absl::StatusOr<CliOptions> o =
      ParseCommandLine(static_cast<int>(argv.size()), argv.data());
  EXPECT_TRUE(o.ok()) << o.status();
  return o.ok() ? *o : CliOptions{};
}

std::optional<int64_t> IntOf(const RequestOptions& r, int32_t id) {
  for (const IntOption& o : r.ints) {
    if (o.id == id) return o.value;
  }
  return std::nullopt;
}

std::vector<std::string> StringsOf(const RequestOptions& r, int32_t id) {
  std::vector<std::string> out;
  for (const StringOption& o : r.strings) {
    if (o.id == id) out.push_back(o.value);
  }
  return out;
}

TEST(RequestOptions, PlainGetSetsNothing) {
  RequestOptions r = BuildRequestOptions(Parsed({}));
  EXPECT_TRUE(r.ints.empty());
  EXPECT_TRUE(r.strings.empty());
  EXPECT_EQ(LayerOptionsJson(Parsed({})), "");
}

TEST(RequestOptions, TimeoutsRedirectsAndFail) {
  RequestOptions r = BuildRequestOptions(
      Parsed({"-m", "2", "--connect-timeout", "0.5", "-L", "--max-redirs",
              "-1", "-f"}));
  EXPECT_EQ(IntOf(r, STRATA_OPT_TIMEOUT_MS), 2000);
  EXPECT_EQ(IntOf(r, STRATA_OPT_CONNECT_TIMEOUT_MS), 500);
  EXPECT_EQ(IntOf(r, STRATA_OPT_FOLLOW_REDIRECTS), 1);
  EXPECT_EQ(IntOf(r, STRATA_OPT_MAX_REDIRECTS), INT32_MAX);
  EXPECT_EQ(IntOf(r, STRATA_OPT_FAIL_ON_HTTP_ERROR), 1);
}

TEST(RequestOptions, RedirectPolicy) {
  RequestOptions r = BuildRequestOptions(
      Parsed({"--unsafe-redirect", "--location-trusted", "--post301",
              "--post302", "--post303"}));
  EXPECT_EQ(IntOf(r, STRATA_OPT_UNSAFE_REDIRECT), 1);
  EXPECT_EQ(IntOf(r, STRATA_OPT_LOCATION_TRUSTED), 1);
  EXPECT_EQ(IntOf(r, STRATA_OPT_FOLLOW_REDIRECTS), 1)
      << "--location-trusted follows like -L";
  EXPECT_EQ(IntOf(r, STRATA_OPT_POST301), 1);
  EXPECT_EQ(IntOf(r, STRATA_OPT_POST302), 1);
  EXPECT_EQ(IntOf(r, STRATA_OPT_POST303), 1);
  RequestOptions only303 = BuildRequestOptions(Parsed({"--post303"}));
  EXPECT_FALSE(IntOf(only303, STRATA_OPT_POST301));
  EXPECT_FALSE(IntOf(only303, STRATA_OPT_UNSAFE_REDIRECT));
}

TEST(RequestOptions, Proxy) {
  RequestOptions r = BuildRequestOptions(
      Parsed({"-x", "p.test:3128", "-U", "me:pw", "--noproxy", "a.test", "-p"}));
  EXPECT_EQ(StringsOf(r, STRATA_OPT_PROXY),
            std::vector<std::string>{"p.test:3128"});
  EXPECT_EQ(StringsOf(r, STRATA_OPT_PROXY_CREDENTIALS),
            std::vector<std::string>{"me:pw"});
  EXPECT_EQ(StringsOf(r, STRATA_OPT_NO_PROXY),
            std::vector<std::string>{"a.test"});
  EXPECT_EQ(IntOf(r, STRATA_OPT_PROXY_TUNNEL), 1);
  EXPECT_FALSE(IntOf(r, STRATA_OPT_PROXY_HTTP2));
  EXPECT_EQ(IntOf(BuildRequestOptions(Parsed({"-x", "https://p.test", "--proxy-http2"})), STRATA_OPT_PROXY_HTTP2), 1);
  for (const StringOption& o : r.strings) {
    EXPECT_EQ(o.what.find("pw"), std::string::npos)
        << "credentials must not reach error messages: " << o.what;
  }
}

TEST(RequestOptions, EmptyProxyIsPassedOnToDisableProxies) {
  RequestOptions r = BuildRequestOptions(Parsed({"-x", ""}));
  EXPECT_EQ(StringsOf(r, STRATA_OPT_PROXY), std::vector<std::string>{""});
  EXPECT_TRUE(StringsOf(BuildRequestOptions(Parsed({})), STRATA_OPT_PROXY)
                  .empty())
      << "no -x: the runtime's configuration and environment decide";
}

TEST(RequestOptions, ProxyUserWithoutColonHasAnEmptyPassword) {
  EXPECT_EQ(ProxyCredentials("me"), "me:");
  EXPECT_EQ(ProxyCredentials("me:pw:x"), "me:pw:x");
  EXPECT_EQ(ProxyCredentials(":"), ":");
}

TEST(RequestOptions, ProxyUrlUserinfo) {
  EXPECT_EQ(ProxyUrlUserinfo("http://me:pw@p.test:3128"), "me:pw");
  EXPECT_EQ(ProxyUrlUserinfo("me:pw@p.test:3128"), "me:pw");
  EXPECT_EQ(ProxyUrlUserinfo("http://p.test:3128"), "");
  EXPECT_EQ(ProxyUrlUserinfo("http://p.test/x@y"), "");
  EXPECT_EQ(ProxyUrlUserinfo(""), "");
}

TEST(RequestOptions, ResolveAndPipelineKeepTheirOrder) {
  RequestOptions r = BuildRequestOptions(
      Parsed({"--resolve", "a.test:80:127.0.0.1", "--resolve",
              "b.test:80:127.0.0.2", "--pipeline", "h1"}));
  EXPECT_EQ(StringsOf(r, STRATA_OPT_RESOLVE),
            (std::vector<std::string>{"a.test:80:127.0.0.1",
                                      "b.test:80:127.0.0.2"}));
  EXPECT_EQ(StringsOf(r, STRATA_OPT_PIPELINE), std::vector<std::string>{"h1"});
}

TEST(RequestOptions, FaultInsertsTheFaultLayerWithItsOptions) {
  RequestOptions r = BuildRequestOptions(Parsed({"--fault", "chunk=1,refuse=ECONNREFUSED", "--cacert", "ca.pem"}));
  EXPECT_EQ(StringsOf(r, STRATA_OPT_LAYER_ABOVE_BOTTOM), std::vector<std::string>{"fault"});
  std::vector<std::string> layers = StringsOf(r, STRATA_OPT_LAYER_OPTIONS);
  ASSERT_EQ(layers.size(), 1u);
  nlohmann::json j = nlohmann::json::parse(layers[0]);
  EXPECT_EQ(j["fault"], nlohmann::json::parse(R"({"chunk": 1, "refuse": "ECONNREFUSED"})"));
  EXPECT_EQ(j["tls"]["ca_file"], "ca.pem");
  // Without --fault: no layer is inserted.
  EXPECT_TRUE(StringsOf(BuildRequestOptions(Parsed({"--cacert", "ca.pem"})), STRATA_OPT_LAYER_ABOVE_BOTTOM).empty());
}

TEST(RequestOptions, PreproxiesGoInOrder) {
  RequestOptions r = BuildRequestOptions(Parsed({"--preproxy", "socks5h://a:1080", "--preproxy", "https://b"}));
  EXPECT_EQ(StringsOf(r, STRATA_OPT_PREPROXY), (std::vector<std::string>{"socks5h://a:1080", "https://b"}));
  EXPECT_TRUE(StringsOf(BuildRequestOptions(Parsed({})), STRATA_OPT_PREPROXY).empty());
}

TEST(RequestOptions, NetworkOptions) {
  RequestOptions r = BuildRequestOptions(Parsed({"--connect-to", "a.test:80:b.test:81", "--connect-to",
                                                 "::127.0.0.1:abc", "--interface", "lo", "--local-port",
                                                 "4000-4002", "--abstract-unix-socket", "name"}));
  EXPECT_EQ(StringsOf(r, STRATA_OPT_CONNECT_TO),
            (std::vector<std::string>{"a.test:80:b.test:81", "::127.0.0.1:abc"}));
  // A refused entry ends the command with curl's code 49 and message.
  for (const StringOption& s : r.strings) {
    if (s.id != STRATA_OPT_CONNECT_TO) continue;
    EXPECT_EQ(s.refused_exit, 49);
    if (s.value == "::127.0.0.1:abc") {
      EXPECT_EQ(s.what, "No valid port number in connect to host string (abc)");
    }
  }
  EXPECT_EQ(StringsOf(r, STRATA_OPT_INTERFACE), std::vector<std::string>{"lo"});
  EXPECT_EQ(StringsOf(r, STRATA_OPT_ABSTRACT_UNIX_SOCKET), std::vector<std::string>{"name"});
  EXPECT_TRUE(StringsOf(r, STRATA_OPT_UNIX_SOCKET).empty());
  bool port = false, range = false;
  for (const IntOption& i : r.ints) {
    if (i.id == STRATA_OPT_LOCAL_PORT) port = i.value == 4000;
    if (i.id == STRATA_OPT_LOCAL_PORT_RANGE) range = i.value == 3;
  }
  EXPECT_TRUE(port);
  EXPECT_TRUE(range);
  // A path too long for a unix socket is curl's exit 6, quoting it.
  const std::string long_path = "/" + std::string(150, 'x');
  RequestOptions too_long = BuildRequestOptions(Parsed({"--unix-socket", long_path.c_str()}));
  ASSERT_EQ(too_long.strings.size(), 1u);
  EXPECT_EQ(too_long.strings[0].refused_exit, 6);
  EXPECT_EQ(too_long.strings[0].what, "Unix socket path too long: '" + long_path + "'");
  // --local-port 0 binds nothing, so nothing is asked for.
  RequestOptions none = BuildRequestOptions(Parsed({"--local-port", "0"}));
  for (const IntOption& i : none.ints) EXPECT_NE(i.id, STRATA_OPT_LOCAL_PORT);
}

TEST(RequestOptions, InsecureTurnsVerificationOffForTheServerOnly) {
  nlohmann::json j = nlohmann::json::parse(LayerOptionsJson(Parsed({"-k"})));
  EXPECT_EQ(j, nlohmann::json::parse(R"({"tls": {"verify": false}})"));
  // The h3 layer does its own TLS: with --http3-only it gets the same trust.
  nlohmann::json h3 = nlohmann::json::parse(LayerOptionsJson(Parsed({"--http3-only", "-k", "--cacert", "ca.pem"})));
  EXPECT_EQ(h3["h3"], h3["tls"]);
  EXPECT_EQ(h3["h3"]["verify"], false);
  EXPECT_EQ(h3["h3"]["ca_file"], "ca.pem");
}

TEST(RequestOptions, TlsEarlydataTurnsOnEarlyDataForTheH3LayerOnly) {
  nlohmann::json j = nlohmann::json::parse(LayerOptionsJson(Parsed({"--http3-only", "--tls-earlydata"})));
  EXPECT_EQ(j, nlohmann::json::parse(R"({"h3": {"early_data": true}})"));
  nlohmann::json with_tls =
      nlohmann::json::parse(LayerOptionsJson(Parsed({"--http3", "--tls-earlydata", "--cacert", "ca.pem"})));
  EXPECT_EQ(with_tls["h3"]["early_data"], true);
  EXPECT_EQ(with_tls["h3"]["ca_file"], "ca.pem");
  EXPECT_FALSE(with_tls["tls"].contains("early_data")) << "the tls layer sends no early data";
  // Without a way to HTTP/3 there is nothing to ask.
  EXPECT_EQ(LayerOptionsJson(Parsed({"--tls-earlydata"})), "");
  EXPECT_FALSE(Parsed({}).tls_earlydata);
}

TEST(RequestOptions, EveryTlsOptionUnderTls) {
  std::string text = LayerOptionsJson(Parsed(
      {"--cacert", "/ca.pem", "--capath", "/certs", "-E", "/c.pem:pw",
       "--key", "/c.key", "--tlsv1.3", "--tls-max", "1.3", "--ciphers",
       "A:B", "--curves", "X25519"}));
  nlohmann::json expected = nlohmann::json::parse(R"({"tls": {
      "ca_file": "/ca.pem", "ca_path": "/certs", "cert": "/c.pem",
      "key": "/c.key", "min_version": "1.3", "max_version": "1.3",
      "ciphers": ["A", "B"], "curves": ["X25519"]}})");
  EXPECT_EQ(nlohmann::json::parse(text), expected) << text;
}

TEST(RequestOptions, ProxyTlsOptionsUnderProxyTls) {
  std::string text = LayerOptionsJson(
      Parsed({"--proxy-cacert", "/p.pem", "--proxy-capath", "/pdir",
              "--proxy-insecure", "--cacert", "/ca.pem"}));
  nlohmann::json expected = nlohmann::json::parse(R"({
      "proxy:tls": {"ca_file": "/p.pem", "ca_path": "/pdir", "verify": false},
      "tls": {"ca_file": "/ca.pem"}})");
  EXPECT_EQ(nlohmann::json::parse(text), expected) << text;
}

TEST(RequestOptions, LayerOptionsAreOneStringOption) {
  RequestOptions r = BuildRequestOptions(Parsed({"-k", "--proxy-insecure"}));
  std::vector<std::string> layers = StringsOf(r, STRATA_OPT_LAYER_OPTIONS);
  ASSERT_EQ(layers.size(), 1u);
  nlohmann::json j = nlohmann::json::parse(layers[0]);
  EXPECT_EQ(j["tls"]["verify"], false);
  EXPECT_EQ(j["proxy:tls"]["verify"], false);
}

TEST(RequestOptions, FileNamesAreJsonEscaped) {
  std::string text = LayerOptionsJson(Parsed({"--cacert", "/a \"b\"\\c.pem"}));
  EXPECT_EQ(nlohmann::json::parse(text)["tls"]["ca_file"], "/a \"b\"\\c.pem");
}

TEST(RequestOptions, HttpVersion) {
  EXPECT_FALSE(IntOf(BuildRequestOptions(Parsed({})), STRATA_OPT_HTTP_VERSION))
      << "no flag: the runtime's default template";
  EXPECT_EQ(IntOf(BuildRequestOptions(Parsed({"--http1.1"})),
                  STRATA_OPT_HTTP_VERSION),
            STRATA_HTTP_VERSION_1_1);
  EXPECT_EQ(IntOf(BuildRequestOptions(Parsed({"--http2"})),
                  STRATA_OPT_HTTP_VERSION),
            STRATA_HTTP_VERSION_2);
  EXPECT_EQ(IntOf(BuildRequestOptions(Parsed({"--http2-prior-knowledge"})),
                  STRATA_OPT_HTTP_VERSION),
            STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
  EXPECT_EQ(IntOf(BuildRequestOptions(Parsed({"--http3-only"})),
                  STRATA_OPT_HTTP_VERSION),
            STRATA_HTTP_VERSION_3_ONLY);
  RequestOptions last = BuildRequestOptions(Parsed({"--http2", "--http1.1"}));
  int n = 0;
  for (const IntOption& o : last.ints) n += o.id == STRATA_OPT_HTTP_VERSION;
  EXPECT_EQ(n, 1);
  EXPECT_EQ(IntOf(last, STRATA_OPT_HTTP_VERSION), STRATA_HTTP_VERSION_1_1);
}

TEST(RequestOptions, VerboseTracesHttp2FramesInEveryH2Layer) {
  nlohmann::json j = nlohmann::json::parse(LayerOptionsJson(Parsed({"-v"})));
  EXPECT_EQ(j, nlohmann::json::parse(R"({
      "h2-alpn": {"trace_frames": true},
      "h2": {"trace_frames": true},
      "h2-upgrade": {"trace_frames": true}})"));
  // Beside the TLS options, in the same one object.
  RequestOptions r = BuildRequestOptions(Parsed({"-v", "-k", "--http2"}));
  std::vector<std::string> layers = StringsOf(r, STRATA_OPT_LAYER_OPTIONS);
  ASSERT_EQ(layers.size(), 1u);
  nlohmann::json both = nlohmann::json::parse(layers[0]);
  EXPECT_EQ(both["tls"]["verify"], false);
  EXPECT_EQ(both["h2-alpn"]["trace_frames"], true);
  EXPECT_EQ(LayerOptionsJson(Parsed({"--http2"})), "")
      << "no frame trace without -v";
}

}  // namespace
}  // namespace strata::cli
