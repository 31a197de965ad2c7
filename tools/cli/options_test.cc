#include "tools/cli/options.h"

#include <initializer_list>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

absl::StatusOr<CliOptions> Parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"strata"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

TEST(Options, UrlAloneIsAGet) {
  auto o = Parse({"http://a/"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->urls, std::vector<std::string>{"http://a/"});
  EXPECT_FALSE(o->verbose);
  EXPECT_FALSE(o->method);
}

TEST(Options, EveryBooleanFlagShortAndLong) {
  auto s = Parse({"-v", "-i", "-L", "-f", "-s", "-S", "-#", "u"});
  ASSERT_TRUE(s.ok()) << s.status();
  auto l = Parse({"--verbose", "--include", "--location", "--fail",
                  "--silent", "--show-error", "--progress-bar", "u"});
  ASSERT_TRUE(l.ok()) << l.status();
  for (const CliOptions* o : {&*s, &*l}) {
    EXPECT_TRUE(o->verbose);
    EXPECT_TRUE(o->include_headers);
    EXPECT_TRUE(o->follow_redirects);
    EXPECT_TRUE(o->fail);
    EXPECT_TRUE(o->silent);
    EXPECT_TRUE(o->show_error);
    EXPECT_TRUE(o->progress_bar);
  }
}

TEST(Options, HeadFlag) {
  EXPECT_TRUE(Parse({"-I", "u"})->head);
  EXPECT_TRUE(Parse({"--head", "u"})->head);
}

TEST(Options, BundledShortFlags) {
  auto o = Parse({"-sSLv", "u"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->silent && o->show_error && o->follow_redirects && o->verbose);
}

TEST(Options, ShortArgumentAttachedOrNextWord) {
  auto o = Parse({"-XPUT", "-o", "a.out", "-sobody", "u1", "u2"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o->method, "PUT");
  ASSERT_EQ(o->outputs.size(), 2u);
  EXPECT_EQ(o->outputs[0].path, "a.out");
  EXPECT_EQ(o->outputs[1].path, "body");
  EXPECT_TRUE(o->silent);
}

TEST(Options, LongArgumentNextWordOrEquals) {
  auto o = Parse({"--request", "DELETE", "--max-time=2.5", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o->method, "DELETE");
  EXPECT_EQ(*o->max_time_ms, 2500);
}

TEST(Options, OutputsInOrderIncludingRemoteName) {
  auto o = Parse({"-o", "x", "-O", "--output", "z", "u1", "u2", "u3"});
  ASSERT_TRUE(o.ok());
  ASSERT_EQ(o->outputs.size(), 3u);
  EXPECT_EQ(o->outputs[0].kind, OutputTarget::Kind::kFile);
  EXPECT_EQ(o->outputs[1].kind, OutputTarget::Kind::kRemoteName);
  EXPECT_EQ(o->outputs[2].path, "z");
  EXPECT_TRUE(Parse({"--remote-name", "u"}).ok());
}

TEST(Options, MoreOutputsThanUrlsIsAnError) {
  EXPECT_FALSE(Parse({"-o", "a", "-o", "b", "u"}).ok());
}

TEST(Options, HeadersAreRepeatableAndParsed) {
  auto o = Parse({"-H", "X-A: 1", "--header", "X-B:  two words ", "-H",
                  "Accept:", "-H", "X-Empty;", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_EQ(o->headers.size(), 4u);
  EXPECT_EQ(o->headers[0].name, "X-A");
  EXPECT_EQ(o->headers[0].value, "1");
  EXPECT_EQ(o->headers[1].value, "two words");
  EXPECT_TRUE(o->headers[2].remove);
  EXPECT_FALSE(o->headers[3].remove);
  EXPECT_EQ(o->headers[3].value, "");
}

TEST(Options, MalformedHeaderIsAnError) {
  auto o = Parse({"-H", "NoColon", "u"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("Name: value"), std::string::npos);
  EXPECT_FALSE(Parse({"-H", ": v", "u"}).ok());
}

TEST(Options, DataForms) {
  auto o = Parse({"-d", "a=1", "--data", "@f", "--data-binary", "@g",
                  "--data-raw", "@h", "--data-ascii", "x", "u"});
  ASSERT_TRUE(o.ok());
  ASSERT_EQ(o->data.size(), 5u);
  EXPECT_EQ(o->data[0].kind, DataArg::Kind::kAscii);
  EXPECT_EQ(o->data[1].value, "@f");
  EXPECT_EQ(o->data[2].kind, DataArg::Kind::kBinary);
  EXPECT_EQ(o->data[3].kind, DataArg::Kind::kRaw);
  EXPECT_EQ(o->data[4].kind, DataArg::Kind::kAscii);
}

TEST(Options, HeadWithDataIsRefused) {
  EXPECT_FALSE(Parse({"-I", "-d", "x", "u"}).ok());
}

TEST(Options, User) {
  EXPECT_EQ(*Parse({"-u", "me:pw", "u"})->user, "me:pw");
  EXPECT_EQ(*Parse({"--user", "me", "u"})->user, "me");
}

TEST(Options, ResolveIsRepeatableAndChecked) {
  auto o = Parse({"--resolve", "a.test:80:127.0.0.1", "--resolve",
                  "b.test:443:::1", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->resolve.size(), 2u);
  EXPECT_EQ(o->resolve[1], "b.test:443:::1");
  EXPECT_FALSE(Parse({"--resolve", "a.test:80", "u"}).ok());
  EXPECT_FALSE(Parse({"--resolve", "a.test:http:1.2.3.4", "u"}).ok());
  EXPECT_FALSE(Parse({"--resolve", "a.test:70000:1.2.3.4", "u"}).ok());
  EXPECT_FALSE(Parse({"--resolve", ":80:1.2.3.4", "u"}).ok());
}

TEST(Options, NetworkOptions) {
  auto o = Parse({"--connect-to", "a.test:80:b.test:81", "--connect-to", "::c.test:", "--interface", "if!lo",
                  "--local-port", "4000-4009", "--unix-socket", "/run/x.sock", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->connect_to, (std::vector<std::string>{"a.test:80:b.test:81", "::c.test:"}));
  EXPECT_EQ(*o->interface, "if!lo");
  EXPECT_EQ(o->local_port, 4000);
  EXPECT_EQ(o->local_port_range, 10);
  EXPECT_EQ(*o->unix_socket, "/run/x.sock");
  EXPECT_FALSE(o->abstract_unix_socket);
  // The last socket option wins, abstract or not.
  auto a = Parse({"--unix-socket", "/run/x.sock", "--abstract-unix-socket", "name", "u"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a->unix_socket, "name");
  EXPECT_TRUE(a->abstract_unix_socket);
}

TEST(Options, FaultAddsUpItsPairsAndRefusesBadOnes) {
  auto o = Parse({"--fault", "chunk=1,read_delay_ms=20", "--fault", "chunk=2", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->fault, R"({"chunk":2,"read_delay_ms":20})");
  auto bad = Parse({"--fault", "chunky=1", "u"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("option --fault: unknown fault option 'chunky'", 0), 0u) << bad.status();
  EXPECT_FALSE(Parse({"--fault", "refuse=NOPE", "u"}).ok());
  EXPECT_FALSE(Parse({"u", "--fault"}).ok());
}

TEST(Options, LocalPortFormsAsCurlReadsThem) {
  struct Case {
    const char* text;
    int64_t port, count;
  } good[] = {{"0", 0, 1}, {"80", 80, 1}, {"40000-40000", 40000, 1}, {"1-65535", 1, 65535}, {"7 - 9", 7, 3}};
  for (const Case& c : good) {
    absl::StatusOr<std::pair<int64_t, int64_t>> r = ParseLocalPortRange(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status();
    EXPECT_EQ(r->first, c.port) << c.text;
    EXPECT_EQ(r->second, c.count) << c.text;
  }
  for (const char* bad : {"", "abc", "-1", "65536", "5-3", "5-", "5-x", "5x", "99999999", "1-70000"}) {
    EXPECT_FALSE(ParseLocalPortRange(bad).ok()) << bad;
    auto o = Parse({"--local-port", bad, "u"});
    ASSERT_FALSE(o.ok()) << bad;
    EXPECT_EQ(o.status().message().rfind("option --local-port: is badly used here", 0), 0u) << o.status();
  }
}

TEST(Options, Timeouts) {
  auto o = Parse({"--connect-timeout", "0.25", "-m", "3", "u"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*o->connect_timeout_ms, 250);
  EXPECT_EQ(*o->max_time_ms, 3000);
  EXPECT_EQ(*Parse({"-m", "0.0001", "u"})->max_time_ms, 1)
      << "a tiny timeout must not become 'no timeout'";
  for (const char* bad : {"-1", "abc", "", "nan", "inf", "1s"}) {
    auto r = Parse({"--connect-timeout", bad, "u"});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("--connect-timeout"),
              std::string::npos);
  }
}

TEST(Options, Redirects) {
  auto o = Parse({"-L", "--max-redirs", "3", "u"});
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->follow_redirects);
  EXPECT_EQ(*o->max_redirects, 3);
  EXPECT_EQ(*Parse({"--max-redirs", "-1", "u"})->max_redirects, -1);
  EXPECT_FALSE(Parse({"--max-redirs", "-2", "u"}).ok());
  EXPECT_FALSE(Parse({"--max-redirs", "x", "u"}).ok());
}

TEST(Options, RedirectPolicyFlags) {
  auto o = Parse({"--unsafe-redirect", "--post301", "--post302", "--post303",
                  "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->unsafe_redirect);
  EXPECT_TRUE(o->post301 && o->post302 && o->post303);
  EXPECT_FALSE(o->follow_redirects) << "--post30x alone does not follow";
  EXPECT_FALSE(o->location_trusted);
  auto none = Parse({"u"});
  EXPECT_FALSE(none->unsafe_redirect || none->post301 || none->post302 ||
               none->post303 || none->location_trusted);
}

TEST(Options, LocationTrustedImpliesLocation) {
  auto o = Parse({"--location-trusted", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->location_trusted);
  EXPECT_TRUE(o->follow_redirects);
}

TEST(Options, ProxyShortAndLong) {
  auto s = Parse({"-x", "proxy.test:3128", "-U", "me:pw", "-p", "u"});
  ASSERT_TRUE(s.ok()) << s.status();
  auto l = Parse({"--proxy", "proxy.test:3128", "--proxy-user", "me:pw",
                  "--proxytunnel", "u"});
  ASSERT_TRUE(l.ok()) << l.status();
  for (const CliOptions* o : {&*s, &*l}) {
    EXPECT_EQ(*o->proxy, "proxy.test:3128");
    EXPECT_EQ(*o->proxy_user, "me:pw");
    EXPECT_TRUE(o->proxytunnel);
    EXPECT_FALSE(o->noproxy);
  }
  EXPECT_FALSE(s->proxy_http2);
  EXPECT_TRUE(Parse({"--proxy-http2", "-x", "https://p:1", "u"})->proxy_http2);
  EXPECT_TRUE(Parse({"-px", "http://p:1", "u"})->proxytunnel)
      << "-p bundles with -x";
  EXPECT_EQ(*Parse({"-xhttp://p:1", "u"})->proxy, "http://p:1");
}

TEST(Options, EmptyProxyMeansNoneAndIsKept) {
  auto o = Parse({"-x", "", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_TRUE(o->proxy.has_value());
  EXPECT_EQ(*o->proxy, "");
  EXPECT_EQ(*Parse({"--proxy=", "u"})->proxy, "");
  EXPECT_FALSE(Parse({"u"})->proxy.has_value());
}

TEST(Options, ProxyUrlIsLeftToTheRuntime) {
  // The runtime owns proxy URL syntax and reports its own error.
  EXPECT_EQ(*Parse({"-x", "http://[::1", "u"})->proxy, "http://[::1");
}

TEST(Options, PreproxyIsRepeatableAndSocks4WithoutAScheme) {
  auto o = Parse({"--preproxy", "socks5h://a:1080", "--preproxy", "b:3128", "-x", "http://c", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  // In the order given; no scheme is curl's default for --preproxy,
  // socks4:// (which the runtime refuses, naming the alternatives).
  EXPECT_EQ(o->preproxy, (std::vector<std::string>{"socks5h://a:1080", "socks4://b:3128"}));
  EXPECT_FALSE(Parse({"--preproxy", "", "u"}).ok());
}

TEST(Options, NoProxyListMayBeEmpty) {
  EXPECT_EQ(*Parse({"--noproxy", "a.test,.b.test", "u"})->noproxy,
            "a.test,.b.test");
  EXPECT_EQ(*Parse({"--noproxy", "", "u"})->noproxy, "");
  EXPECT_FALSE(Parse({"-U", "", "u"}).ok());
}

TEST(Options, ProxyTlsOptions) {
  auto o = Parse({"--proxy-cacert", "p.pem", "--proxy-capath", "/pdir",
                  "--proxy-insecure", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o->proxy_cacert, "p.pem");
  EXPECT_EQ(*o->proxy_capath, "/pdir");
  EXPECT_TRUE(o->proxy_insecure);
  EXPECT_FALSE(o->insecure) << "--proxy-insecure is not -k";
  EXPECT_FALSE(o->cacert);
}

TEST(Options, TlsOptions) {
  auto o = Parse({"--cacert", "ca.pem", "--capath", "/certs", "-k", "-E",
                  "client.pem", "--key", "client.key", "--tlsv1.2",
                  "--tls-max", "1.3", "--ciphers",
                  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256",
                  "--curves", "X25519:P-256", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o->cacert, "ca.pem");
  EXPECT_EQ(*o->capath, "/certs");
  EXPECT_TRUE(o->insecure);
  EXPECT_EQ(*o->cert, "client.pem");
  EXPECT_FALSE(o->cert_password_ignored);
  EXPECT_EQ(*o->key, "client.key");
  EXPECT_EQ(*o->tls_min, "1.2");
  EXPECT_EQ(*o->tls_max, "1.3");
  EXPECT_EQ(o->ciphers, (std::vector<std::string>{
                            "ECDHE-ECDSA-AES128-GCM-SHA256",
                            "ECDHE-RSA-AES128-GCM-SHA256"}));
  EXPECT_EQ(o->curves, (std::vector<std::string>{"X25519", "P-256"}));
  EXPECT_TRUE(Parse({"--insecure", "u"})->insecure);
  EXPECT_EQ(*Parse({"--cert", "c.pem", "u"})->cert, "c.pem");
}

TEST(Options, TlsMinimumVersionLastOneWins) {
  EXPECT_EQ(*Parse({"--tlsv1.3", "u"})->tls_min, "1.3");
  EXPECT_EQ(*Parse({"--tlsv1.3", "--tlsv1.2", "u"})->tls_min, "1.2");
  EXPECT_FALSE(Parse({"u"})->tls_min);
}

TEST(Options, TlsMaxAcceptsOnlyVersionsThisBuildHas) {
  EXPECT_EQ(*Parse({"--tls-max", "1.2", "u"})->tls_max, "1.2");
  EXPECT_FALSE(Parse({"--tls-max", "1.3", "--tls-max", "default", "u"})
                   ->tls_max)
      << "curl's 'default' lifts the limit";
  for (const char* bad : {"1.4", "1.1", "1.0", "", "TLSv1.3", "1"}) {
    auto r = Parse({"--tls-max", bad, "u"});
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("--tls-max"), std::string::npos)
        << r.status();
  }
}

TEST(Options, TlsMinimumAboveMaximumIsRefused) {
  auto r = Parse({"--tlsv1.3", "--tls-max", "1.2", "u"});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("--tls-max"), std::string::npos)
      << r.status();
  EXPECT_TRUE(Parse({"--tlsv1.2", "--tls-max", "1.2", "u"}).ok());
}

TEST(Options, CipherAndCurveListsSplitOnColonsCommasSpaces) {
  EXPECT_EQ(Parse({"--curves", "X25519, P-256::P-384", "u"})->curves,
            (std::vector<std::string>{"X25519", "P-256", "P-384"}));
  EXPECT_FALSE(Parse({"--ciphers", "", "u"}).ok());
  EXPECT_FALSE(Parse({"--curves", ":", "u"}).ok());
}

TEST(Options, CertPasswordIsCutOff) {
  auto o = Parse({"-E", "client.pem:secret", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o->cert, "client.pem");
  EXPECT_TRUE(o->cert_password_ignored);
  EXPECT_FALSE(Parse({"-E", ":secret", "u"}).ok());
}

TEST(Options, SplitCertArgumentHonoursEscapes) {
  bool had_password = true;
  EXPECT_EQ(SplitCertArgument("c.pem", &had_password), "c.pem");
  EXPECT_FALSE(had_password);
  EXPECT_EQ(SplitCertArgument("dir\\:x.pem:pw", &had_password), "dir:x.pem");
  EXPECT_TRUE(had_password);
  EXPECT_EQ(SplitCertArgument("a\\\\b.pem", &had_password), "a\\b.pem");
  EXPECT_FALSE(had_password);
  EXPECT_EQ(SplitCertArgument("a\\nb.pem", &had_password), "a\\nb.pem");
  EXPECT_EQ(SplitCertArgument("c.pem:", &had_password), "c.pem");
  EXPECT_TRUE(had_password);
}

TEST(Options, EmptyTlsFileArgumentsAreErrors) {
  for (const char* opt : {"--cacert", "--capath", "--key", "--proxy-cacert",
                          "--proxy-capath", "-E"}) {
    EXPECT_FALSE(Parse({opt, "", "u"}).ok()) << opt;
  }
}

TEST(Options, WriteOutConfigPluginDirsPipeline) {
  auto o = Parse({"-w", "%{http_code}", "--config", "c.json", "--plugin-dir",
                  "/a", "--plugin-dir", "/b", "--pipeline", "h1", "u"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(*o->write_out, "%{http_code}");
  EXPECT_EQ(*o->config_file, "c.json");
  EXPECT_EQ(o->plugin_dirs, (std::vector<std::string>{"/a", "/b"}));
  EXPECT_EQ(*o->pipeline, "h1");
  EXPECT_EQ(*Parse({"--write-out", "x", "u"})->write_out, "x");
}

TEST(Options, UrlOptionAndDoubleDash) {
  auto o = Parse({"--url", "http://a/", "--", "-not-an-option"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->urls, (std::vector<std::string>{"http://a/", "-not-an-option"}));
}

TEST(Options, HelpAndVersionNeedNoUrl) {
  EXPECT_TRUE(Parse({"--help"})->show_help);
  EXPECT_TRUE(Parse({"-h"})->show_help);
  EXPECT_TRUE(Parse({"--version"})->show_version);
  EXPECT_TRUE(Parse({"-V"})->show_version);
}

TEST(Options, NoUrlIsAnError) {
  auto o = Parse({"-v"});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().message(), "no URL specified");
}

TEST(Options, UnknownOptionsAreNamed) {
  auto l = Parse({"--frobnicate", "u"});
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().message(), "option --frobnicate: is unknown");
  auto s = Parse({"-sQ", "u"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().message(), "option -Q: is unknown");
}

TEST(Options, MissingArgumentIsNamed) {
  for (const char* opt : {"-o", "-X", "-H", "-d", "-u", "-m", "-w",
                          "--resolve", "--connect-timeout", "--max-redirs",
                          "--config", "--plugin-dir", "--data-binary", "-x",
                          "-U", "--noproxy", "--proxy-cacert",
                          "--proxy-capath", "--cacert", "--capath", "-E",
                          "--key", "--tls-max", "--ciphers", "--curves",
                          "--connect-to", "--interface", "--local-port",
                          "--unix-socket", "--abstract-unix-socket", "--fault"}) {
    auto o = Parse({"u", opt});
    ASSERT_FALSE(o.ok()) << opt;
    EXPECT_NE(o.status().message().find("requires an argument"),
              std::string::npos)
        << o.status();
  }
}

TEST(Options, FlagGivenAValueIsAnError) {
  EXPECT_FALSE(Parse({"--verbose=yes", "u"}).ok());
  EXPECT_FALSE(Parse({"--insecure=1", "u"}).ok());
  EXPECT_FALSE(Parse({"--tlsv1.3=yes", "u"}).ok());
}

TEST(Options, EmptyRequiredValuesAreErrors) {
  EXPECT_FALSE(Parse({"-X", "", "u"}).ok());
  EXPECT_FALSE(Parse({"-o", "", "u"}).ok());
  EXPECT_FALSE(Parse({"--plugin-dir", "", "u"}).ok());
}

TEST(Options, SingleDashIsAUrlWord) {
  EXPECT_EQ(Parse({"-"})->urls, std::vector<std::string>{"-"});
}

// ---- HTTP version and parallel transfers ---------------------------------

TEST(Options, HttpVersionFlagsLastOneWins) {
  EXPECT_EQ(Parse({"u"})->http_version, HttpVersion::kDefault);
  EXPECT_EQ(Parse({"--http1.1", "u"})->http_version, HttpVersion::kHttp11);
  EXPECT_EQ(Parse({"--http2", "u"})->http_version, HttpVersion::kHttp2);
  EXPECT_EQ(Parse({"--http2-prior-knowledge", "u"})->http_version,
            HttpVersion::kHttp2PriorKnowledge);
  // curl: the last of the version flags decides.
  EXPECT_EQ(Parse({"--http2", "--http1.1", "u"})->http_version,
            HttpVersion::kHttp11);
  EXPECT_EQ(Parse({"--http1.1", "--http2-prior-knowledge", "u"})->http_version,
            HttpVersion::kHttp2PriorKnowledge);
  EXPECT_EQ(Parse({"--http3-only", "u"})->http_version, HttpVersion::kHttp3Only);
  EXPECT_EQ(Parse({"--http3-only", "--http2", "u"})->http_version, HttpVersion::kHttp2);
  EXPECT_EQ(Parse({"--http3", "u"})->http_version, HttpVersion::kHttp3);
  EXPECT_EQ(Parse({"--http3", "--http3-only", "u"})->http_version, HttpVersion::kHttp3Only);
  EXPECT_EQ(Parse({"--http3-only", "--http3", "u"})->http_version, HttpVersion::kHttp3);
}

TEST(Options, HttpVersionFlagsTakeNoArgumentAndAreExactNames) {
  auto with_value = Parse({"--http2=yes", "u"});
  ASSERT_FALSE(with_value.ok());
  EXPECT_EQ(with_value.status().message(), "option --http2: takes no argument");
  auto prefix = Parse({"--http", "u"});
  ASSERT_FALSE(prefix.ok());
  EXPECT_EQ(prefix.status().message(), "option --http: is unknown");
  EXPECT_FALSE(Parse({"--http1.0", "u"}).ok()) << "not offered by strata";
  EXPECT_FALSE(Parse({"--http3=yes", "u"}).ok());
}

TEST(Options, ParallelShortAndLongWithDefaultMax) {
  auto none = Parse({"u1", "u2"});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->parallel);
  EXPECT_EQ(none->parallel_max, 50);
  auto s = Parse({"-Z", "u1", "u2"});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->parallel);
  EXPECT_EQ(s->parallel_max, 50);
  auto l = Parse({"--parallel", "u1"});
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_TRUE(l->parallel);
  auto bundled = Parse({"-sSZ", "u1"});
  ASSERT_TRUE(bundled.ok()) << bundled.status();
  EXPECT_TRUE(bundled->parallel && bundled->silent && bundled->show_error);
}

TEST(Options, ParallelMaxCurlRules) {
  EXPECT_EQ(Parse({"--parallel-max", "7", "u"})->parallel_max, 7);
  EXPECT_EQ(Parse({"--parallel-max=1", "u"})->parallel_max, 1);
  EXPECT_EQ(Parse({"--parallel-max", "300", "u"})->parallel_max, 300);
  // Above curl's ceiling: capped, not refused; 0: the default.
  EXPECT_EQ(Parse({"--parallel-max", "301", "u"})->parallel_max, 300);
  EXPECT_EQ(Parse({"--parallel-max", "100000", "u"})->parallel_max, 300);
  EXPECT_EQ(Parse({"--parallel-max", "0", "u"})->parallel_max, 50);
  // --parallel-max alone does not turn -Z on (curl neither).
  EXPECT_FALSE(Parse({"--parallel-max", "4", "u"})->parallel);
}

TEST(Options, ParallelMaxRejectsNonNumbers) {
  for (const char* bad : {"-1", "x", "", "2.5", "3k"}) {
    auto o = Parse({"--parallel-max", bad, "u"});
    ASSERT_FALSE(o.ok()) << bad;
    EXPECT_EQ(o.status().message(),
              std::string("option --parallel-max: '") + bad +
                  "' is not a number of transfers");
  }
  auto missing = Parse({"u", "--parallel-max"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "option --parallel-max: requires an argument");
}

TEST(Options, CurlRequestShortcuts) {
  auto o = Parse({"-G", "-A", "ua", "-e", "http://r/", "--json", "{}", "--data-urlencode", "a b",
                  "-H", "@hdrs.txt", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->get);
  EXPECT_TRUE(o->json);
  EXPECT_EQ(*o->user_agent, "ua");
  EXPECT_EQ(*o->referer, "http://r/");
  ASSERT_EQ(o->data.size(), 2u);
  EXPECT_EQ(o->data[0].kind, DataArg::Kind::kJson);
  EXPECT_EQ(o->data[1].kind, DataArg::Kind::kUrlencode);
  ASSERT_EQ(o->headers.size(), 1u);
  EXPECT_EQ(o->headers[0].file, "hdrs.txt");
  // -I with -d is refused, but not with -G (a HEAD with a query).
  EXPECT_FALSE(Parse({"-I", "-d", "a", "u"}).ok());
  EXPECT_TRUE(Parse({"-I", "-G", "-d", "a", "u"}).ok());
}

TEST(Options, RefererAutoIsRefused) {
  auto o = Parse({"-e", "http://r/;auto", "u"});
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find(";auto"), std::string::npos) << o.status();
}

TEST(Options, OutputOptions) {
  auto o = Parse({"--output-dir", "d", "--create-dirs", "--fail-with-body", "--no-progress-meter", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o->output_dir, "d");
  EXPECT_TRUE(o->create_dirs);
  EXPECT_TRUE(o->fail_with_body);
  EXPECT_TRUE(o->no_progress_meter);
  EXPECT_FALSE(Parse({"--output-dir", "", "u"}).ok());
  auto both = Parse({"-f", "--fail-with-body", "u"});
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().message(), "You must select either --fail or --fail-with-body, not both.");
}

TEST(Options, RangeAndContinueAt) {
  auto o = Parse({"-r", "5", "-C", "-", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o->range, "5-");
  ASSERT_EQ(o->warnings.size(), 1u);
  EXPECT_TRUE(o->resume_auto);
  EXPECT_FALSE(o->resume_from);
  o = Parse({"-r", "0-9,20-", "-C", "100", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o->range, "0-9,20-");
  EXPECT_TRUE(o->warnings.empty());
  EXPECT_EQ(*o->resume_from, 100);
  EXPECT_FALSE(o->resume_auto);
  o = Parse({"-r", "x-y", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(*o->range, "x-y");
  EXPECT_EQ(o->warnings.size(), 1u);
  EXPECT_FALSE(Parse({"-C", "-5", "u"}).ok());
  EXPECT_FALSE(Parse({"-C", "x", "u"}).ok());
}

TEST(Options, TraceAndVerboseReplaceEachOther) {
  auto t = Parse({"-v", "--trace-ascii", "f.txt", "--trace-time", "u"});
  ASSERT_TRUE(t.ok());
  EXPECT_FALSE(t->verbose);
  EXPECT_EQ(t->trace_file.value_or(""), "f.txt");
  EXPECT_TRUE(t->trace_ascii);
  EXPECT_TRUE(t->trace_time);
  ASSERT_EQ(t->warnings.size(), 1u);
  EXPECT_EQ(t->warnings[0], "--trace-ascii overrides an earlier trace/verbose option\n");
  auto v = Parse({"--trace", "-", "-v", "u"});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->verbose);
  EXPECT_FALSE(v->trace_file.has_value());
  ASSERT_EQ(v->warnings.size(), 1u);
  EXPECT_EQ(v->warnings[0], "-v, --verbose overrides an earlier trace/verbose option\n");
  // The same kind again is no override; -s before mutes the warning.
  auto same = Parse({"--trace", "a", "--trace", "b", "u"});
  EXPECT_TRUE(same->warnings.empty());
  EXPECT_EQ(same->trace_file.value_or(""), "b");
  EXPECT_FALSE(same->trace_ascii);
  EXPECT_TRUE(Parse({"-s", "-v", "--trace", "a", "u"})->warnings.empty());
}

}  // namespace
}  // namespace strata::cli

namespace strata::cli {
namespace {

TEST(Options, FormFieldsInOrderWithTheirWarnings) {
  auto o = Parse({"-F", "a=1", "--form", "f=@x.txt;type=text/x", "--form-string", "s=@literal;type=y", "-F",
                  "k=p;foo=bar", "u"});
  ASSERT_TRUE(o.ok()) << o.status();
  ASSERT_EQ(o->form.size(), 4u);
  EXPECT_EQ(o->form[0].kind, FormField::Kind::kText);
  EXPECT_EQ(o->form[1].kind, FormField::Kind::kFiles);
  EXPECT_EQ(o->form[1].pieces[0].type, "text/x");
  EXPECT_EQ(o->form[2].pieces[0].data, "@literal;type=y");
  EXPECT_EQ(o->warnings, std::vector<std::string>{"skip unknown form field: foo=bar\n"});
  EXPECT_FALSE(o->method_conflict);
  // -s before it mutes the warning, as in curl.
  EXPECT_TRUE(Parse({"-s", "-F", "k=p;foo=bar", "u"})->warnings.empty());
}

TEST(Options, MalformedFormIsBadlyUsed) {
  auto o = Parse({"-F", "noequals", "u"});
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.status().message(), "Illegally formatted input field!\nstrata: option -F, --form: is badly used here");
  auto t = Parse({"--form-string", "x", "u"});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("option --form-string: is badly used here"), std::string::npos);
}

TEST(Options, FormAndHeadClashInEitherOrder) {
  auto after = Parse({"-F", "a=1", "-I", "u"});
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().message(),
            "You can only select one HTTP request method! You asked for both HEAD (-I, --head) and multipart "
            "formpost (-F, --form).\nstrata: option -I, --head: is badly used here");
  auto before = Parse({"-I", "-F", "a=1", "u"});
  ASSERT_FALSE(before.ok());
  EXPECT_NE(before.status().message().find("both multipart formpost (-F, --form) and HEAD (-I, --head)."),
            std::string::npos);
}

TEST(Options, FormWithDataOrUploadIsAConflictFoundAfterParsing) {
  auto d = Parse({"-d", "x", "-F", "a=1", "u"});
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->method_conflict, "You can only select one HTTP request method! You asked for both POST (-d, --data) "
                                "and multipart formpost (-F, --form).\n");
  auto t = Parse({"-F", "a=1", "-T", "file", "u"});
  ASSERT_TRUE(t.ok());
  EXPECT_NE(t->method_conflict->find("PUT (-T, --upload-file)"), std::string::npos);
}

TEST(Options, RemoteHeaderName) {
  EXPECT_TRUE(Parse({"-OJ", "u"})->remote_header_name);
  EXPECT_TRUE(Parse({"--remote-header-name", "-O", "u"})->remote_header_name);
  EXPECT_FALSE(Parse({"-O", "u"})->remote_header_name);
  for (const char* show : {"-i", "-I"}) {
    auto o = Parse({show, "-O", "-J", "u"});
    ASSERT_FALSE(o.ok()) << show;
    EXPECT_EQ(o.status().message(), "showing headers and --remote-header-name cannot be combined");
  }
}

}  // namespace
}  // namespace strata::cli
