#include "runtime/client/proxy.h"

#include "absl/strings/ascii.h"

#include <gtest/gtest.h>

#include <map>

namespace strata {
namespace {

struct FakeEnv {
  std::map<std::string, std::string> vars;
  std::function<const char*(const char*)> Fn() {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

std::optional<ProxyChoice> Choose(const std::string& url, ProxyInputs in) {
  absl::StatusOr<std::optional<ProxyChoice>> c = ChooseProxy(*ParseUrl(url), in);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : std::nullopt;
}

TEST(Proxy, ParsesProxyUrlsWithCurlDefaults) {
  EXPECT_EQ(ParseProxyUrl("127.0.0.1:3128")->HostPort(), "127.0.0.1:3128");
  EXPECT_EQ(ParseProxyUrl("http://proxy")->port, 1080);
  EXPECT_EQ(ParseProxyUrl("https://proxy")->port, 443);
  EXPECT_FALSE(ParseProxyUrl("http://pro xy").ok());
  EXPECT_FALSE(ParseProxyUrl("ftp://proxy").ok());
}

TEST(Proxy, SocksProxyUrls) {
  for (const char* scheme : {"socks5", "socks5h", "socks4a", "SOCKS5H"}) {
    absl::StatusOr<Url> url = ParseProxyUrl(std::string(scheme) + "://u:p@proxy");
    ASSERT_TRUE(url.ok()) << scheme << ": " << url.status();
    EXPECT_EQ(url->scheme, absl::AsciiStrToLower(scheme));
    EXPECT_EQ(url->HostPort(), "proxy:1080");
    EXPECT_EQ(url->userinfo, "u:p");
    EXPECT_TRUE(IsSocksScheme(url->scheme));
  }
  EXPECT_EQ(ParseProxyUrl("socks5h://[::1]:9050")->HostPort(), "[::1]:9050");
  // SOCKS4 resolving here is not supported: the message says what is.
  absl::StatusOr<Url> v4 = ParseProxyUrl("socks4://proxy");
  ASSERT_FALSE(v4.ok());
  EXPECT_NE(v4.status().message().find("socks4a://"), absl::string_view::npos) << v4.status();
  // SOCKS always tunnels, plain http too.
  ProxyInputs in;
  in.request_url = "socks5h://proxy";
  in.getenv = [](const char*) -> const char* { return nullptr; };
  absl::StatusOr<std::optional<ProxyChoice>> choice = ChooseProxy(*ParseUrl("http://origin/"), in);
  ASSERT_TRUE(choice.ok() && choice->has_value());
  EXPECT_TRUE((*choice)->tunnel);
}

TEST(Proxy, HttpProxyOnlyInLowercase) {
  FakeEnv env;
  env.vars["HTTP_PROXY"] = "http://upper:1";
  ProxyInputs in;
  in.getenv = env.Fn();
  EXPECT_FALSE(Choose("http://a/", in).has_value());
  env.vars["http_proxy"] = "http://lower:2";
  EXPECT_EQ(Choose("http://a/", in)->url.HostPort(), "lower:2");
}

TEST(Proxy, HttpsProxyInEitherCaseAndAllProxyFallback) {
  FakeEnv env;
  ProxyInputs in;
  in.getenv = env.Fn();
  env.vars["ALL_PROXY"] = "http://all:9";
  EXPECT_EQ(Choose("https://a/", in)->url.HostPort(), "all:9");
  env.vars["HTTPS_PROXY"] = "http://upper:3";
  EXPECT_EQ(Choose("https://a/", in)->url.HostPort(), "upper:3");
  env.vars["https_proxy"] = "http://lower:4";
  EXPECT_EQ(Choose("https://a/", in)->url.HostPort(), "lower:4");
  EXPECT_TRUE(Choose("https://a/", in)->tunnel);
  EXPECT_FALSE(Choose("http://a/", in)->tunnel);
}

TEST(Proxy, NoProxyFromEnvironment) {
  FakeEnv env;
  env.vars["http_proxy"] = "http://p:1";
  env.vars["NO_PROXY"] = "example.com, 10.0.0.0/8";
  ProxyInputs in;
  in.getenv = env.Fn();
  EXPECT_FALSE(Choose("http://example.com/", in).has_value());
  EXPECT_FALSE(Choose("http://www.example.com/", in).has_value());
  EXPECT_FALSE(Choose("http://10.1.2.3/", in).has_value());
  EXPECT_TRUE(Choose("http://badexample.com/", in).has_value());
  EXPECT_TRUE(Choose("http://11.1.2.3/", in).has_value());
}

TEST(Proxy, NoProxyMatching) {
  EXPECT_TRUE(NoProxyMatches("*", "anything"));
  EXPECT_TRUE(NoProxyMatches(".example.com", "example.com"));
  EXPECT_TRUE(NoProxyMatches("example.com", "A.Example.COM"));
  EXPECT_FALSE(NoProxyMatches("example.com", "example.com.evil"));
  EXPECT_TRUE(NoProxyMatches("127.0.0.1", "127.0.0.1"));
  EXPECT_TRUE(NoProxyMatches("::1", "::1"));
  EXPECT_TRUE(NoProxyMatches("[::1]", "::1"));
  EXPECT_TRUE(NoProxyMatches("127.0.0.0/8", "127.9.9.9"));
  EXPECT_FALSE(NoProxyMatches("", "a"));
}

TEST(Proxy, RequestBeatsConfigBeatsEnvironment) {
  FakeEnv env;
  env.vars["http_proxy"] = "http://env:1";
  ProxyInputs in;
  in.getenv = env.Fn();
  in.config_url = "http://config:2";
  EXPECT_EQ(Choose("http://a/", in)->url.HostPort(), "config:2");
  in.request_url = "http://req:3";
  EXPECT_EQ(Choose("http://a/", in)->url.HostPort(), "req:3");
  in.request_url = "";  // explicitly no proxy
  EXPECT_FALSE(Choose("http://a/", in).has_value());
}

TEST(Proxy, CredentialsFromUrlOrOptionsAndTunnelling) {
  ProxyInputs in;
  in.from_env = false;
  in.config_url = "http://us%40er:p%3Ass@proxy:8080";
  std::optional<ProxyChoice> c = Choose("http://a/", in);
  EXPECT_EQ(c->credentials, "us@er:p:ss");
  EXPECT_TRUE(c->url.userinfo.empty());
  in.request_credentials = "x:y";
  in.request_tunnel = 1;
  c = Choose("http://a/", in);
  EXPECT_EQ(c->credentials, "x:y");
  EXPECT_TRUE(c->tunnel);
}

TEST(Proxy, BadProxyUrlIsAnError) {
  ProxyInputs in;
  in.config_url = "ftp://p";
  EXPECT_FALSE(ChooseProxy(*ParseUrl("http://a/"), in).ok());
}

}  // namespace
}  // namespace strata

namespace strata {
namespace {

ProxyChain ChainFor(const std::string& url, ProxyInputs in) {
  absl::StatusOr<ProxyChain> c = ChooseProxyChain(*ParseUrl(url), in);
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? *c : ProxyChain{};
}

std::vector<std::string> Labels(const ProxyChain& chain) {
  std::vector<std::string> out;
  for (const ProxyChoice& p : chain) out.push_back(ProxyLabel(p));
  return out;
}

TEST(ProxyChain, PreproxiesComeFirstAndAllButTheLastTunnel) {
  FakeEnv env;
  ProxyInputs in;
  in.getenv = env.Fn();
  in.request_preproxies = std::vector<ProxyEntry>{{"socks5h://a:1080", ""}, {"https://u:p%40ss@b", ""}};
  in.request_url = "http://c:3128";
  in.request_credentials = "x:y";
  ProxyChain chain = ChainFor("http://origin/", in);
  EXPECT_EQ(Labels(chain), (std::vector<std::string>{"socks5h://a:1080", "https://b:443", "http://c:3128"}));
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_TRUE(chain[0].tunnel);
  EXPECT_TRUE(chain[1].tunnel);
  // Plain http through the last (http) proxy is forwarded, as with one.
  EXPECT_FALSE(chain[2].tunnel);
  // Each keeps its own credentials: the URL's (decoded), -U's for -x.
  EXPECT_EQ(chain[0].credentials, "");
  EXPECT_EQ(chain[1].credentials, "u:p@ss");
  EXPECT_EQ(chain[2].credentials, "x:y");
  EXPECT_TRUE(ChainFor("https://origin/", in)[2].tunnel);
}

TEST(ProxyChain, PreproxiesAloneAndTheEnvironment) {
  FakeEnv env;
  env.vars["http_proxy"] = "http://env:3128";
  ProxyInputs in;
  in.getenv = env.Fn();
  // Without preproxies the environment's proxy is the chain.
  EXPECT_EQ(Labels(ChainFor("http://origin/", in)), std::vector<std::string>{"http://env:3128"});
  // With them (and no proxy of its own) curl reads no environment: the
  // last preproxy is the proxy, and tunnels by the proxy's rule.
  in.request_preproxies = std::vector<ProxyEntry>{{"http://a:8080", "user:pw"}};
  ProxyChain chain = ChainFor("http://origin/", in);
  EXPECT_EQ(Labels(chain), std::vector<std::string>{"http://a:8080"});
  EXPECT_FALSE(chain[0].tunnel);
  EXPECT_EQ(chain[0].credentials, "user:pw");
  // The configuration's preproxies give way to the request's, even none.
  in.config_preproxies = {{"http://conf:1", ""}};
  in.request_preproxies = std::vector<ProxyEntry>{};
  EXPECT_EQ(Labels(ChainFor("http://origin/", in)), std::vector<std::string>{"http://env:3128"});
  in.request_preproxies.reset();
  in.config_url = "http://last:2";
  EXPECT_EQ(Labels(ChainFor("http://origin/", in)), (std::vector<std::string>{"http://conf:1", "http://last:2"}));
}

TEST(ProxyChain, NoProxyExemptsTheWholeChain) {
  FakeEnv env;
  ProxyInputs in;
  in.getenv = env.Fn();
  in.request_preproxies = std::vector<ProxyEntry>{{"http://a:1", ""}};
  in.request_url = "http://b:2";
  in.request_no_proxy = "origin";
  EXPECT_TRUE(ChainFor("http://origin/", in).empty());
  EXPECT_EQ(ChainFor("http://other/", in).size(), 2u);
}

TEST(ProxyChain, ABadEntryIsNamed) {
  ProxyInputs in;
  in.getenv = [](const char*) -> const char* { return nullptr; };
  in.request_preproxies = std::vector<ProxyEntry>{{"http://ok:1", ""}, {"ftp://bad", ""}};
  absl::StatusOr<ProxyChain> c = ChooseProxyChain(*ParseUrl("http://origin/"), in);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("preproxy 2: bad proxy URL 'ftp://bad'"), absl::string_view::npos) << c.status();
}

}  // namespace
}  // namespace strata
