#include "tools/cli/verbose.h"

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

strata_event Event(int type, int hop, const char* layer, const char* message) {
  strata_event e{};
  e.struct_size = sizeof(e);
  e.type = type;
  e.hop = hop;
  e.layer = layer;
  e.message = message;
  e.url = "";
  e.chain = "";
  return e;
}

TEST(Verbose, TraceAndConnectLinesNameTheLayer) {
  VerboseFormatter f("GET");
  EXPECT_EQ(f.Format(Event(STRATA_EVENT_TRACE, 1, "tcp", "connecting")),
            "* tcp: connecting\n");
  EXPECT_EQ(f.Format(Event(STRATA_EVENT_CONNECT, 1, "tls", "a\nb")),
            "* tls: a\n* tls: b\n");
}

TEST(Verbose, DataLinesArePrefixed) {
  VerboseFormatter f("GET");
  EXPECT_EQ(f.Format(Event(STRATA_EVENT_DATA_OUT, 1, "h1",
                           "GET / HTTP/1.1\r\nHost: a\r\n\r\n")),
            "> GET / HTTP/1.1\n> Host: a\n> \n");
  EXPECT_EQ(f.Format(Event(STRATA_EVENT_DATA_IN, 1, "h1",
                           "HTTP/1.1 200 OK\r\n")),
            "< HTTP/1.1 200 OK\n");
}

TEST(Verbose, CredentialsAreNeverPrinted) {
  VerboseFormatter f("GET");
  f.AddSecret("dXNlcjpwdw==");
  std::string out = f.Format(Event(
      STRATA_EVENT_DATA_OUT, 1, "h1",
      "GET / HTTP/1.1\r\nauthorization: Basic dXNlcjpwdw==\r\n"
      "Proxy-Authorization: Basic eHh4\r\n"));
  EXPECT_EQ(out.find("dXNlcjpwdw=="), std::string::npos) << out;
  EXPECT_EQ(out.find("eHh4"), std::string::npos) << out;
  EXPECT_NE(out.find("> authorization: [redacted]"), std::string::npos) << out;
  std::string trace = f.Format(
      Event(STRATA_EVENT_TRACE, 1, "h1", "sent header Basic dXNlcjpwdw=="));
  EXPECT_EQ(trace, "* h1: sent header Basic [redacted]\n");
}

TEST(Verbose, HopLineUsesTheMethodOfTheRequestHead) {
  VerboseFormatter f("POST");
  strata_event hop1 = Event(STRATA_EVENT_HOP, 1, "runtime", "");
  hop1.url = "http://a/old";
  hop1.status = 302;
  hop1.chain = "tcp(127.0.0.1:80) → h1";
  EXPECT_EQ(f.Format(hop1),
            "* hop 1: POST http://a/old → 302 (tcp(127.0.0.1:80) → h1, new "
            "connection)\n");
  // No request head seen for hop 2: derived from the 302 (POST → GET).
  strata_event hop2 = hop1;
  hop2.hop = 2;
  hop2.url = "http://a/new";
  hop2.status = 200;
  hop2.reused = 1;
  EXPECT_EQ(f.Format(hop2),
            "* hop 2: GET http://a/new → 200 (tcp(127.0.0.1:80) → h1, reused "
            "connection)\n");
  // A request head wins over the derivation.
  f.Reset("POST");
  f.Format(Event(STRATA_EVENT_DATA_OUT, 2, "h2", ":method: PUT\r\n:path: /\r\n"));
  strata_event hop = Event(STRATA_EVENT_HOP, 2, "runtime", "");
  hop.url = "https://b/";
  hop.status = 201;
  EXPECT_EQ(f.Format(hop),
            "* hop 2: PUT https://b/ → 201 (no chain, new connection)\n");
}

TEST(Verbose, HopLineIsTheRuntimeSummaryWithTimings) {
  VerboseFormatter f("GET");
  f.AddSecret("bWU6cHc=");
  strata_event hop = Event(
      STRATA_EVENT_HOP, 1, "runtime",
      "hop 1: GET https://a.test/x → 200 (tcp(127.0.0.1:3128) → "
      "connect-tunnel(a.test:443 via 127.0.0.1:3128) → tls(sni=a.test) → h1, "
      "new connection; ready: tcp 0.210 ms, connect-tunnel 1.502 ms, "
      "tls 6.013 ms, h1 6.020 ms)");
  hop.url = "https://a.test/x";
  hop.status = 200;
  hop.chain = "unused here";
  EXPECT_EQ(f.Format(hop),
            "* hop 1: GET https://a.test/x → 200 (tcp(127.0.0.1:3128) → "
            "connect-tunnel(a.test:443 via 127.0.0.1:3128) → tls(sni=a.test) "
            "→ h1, new connection; ready: tcp 0.210 ms, connect-tunnel 1.502 "
            "ms, tls 6.013 ms, h1 6.020 ms)\n");
  strata_event leaky = Event(STRATA_EVENT_HOP, 2, "runtime",
                             "hop 2: GET http://x/?t=bWU6cHc= → 200 (h1, "
                             "reused connection)");
  EXPECT_EQ(f.Format(leaky),
            "* hop 2: GET http://x/?t=[redacted] → 200 (h1, reused "
            "connection)\n");
}

TEST(Verbose, PostKeptOnRedirectWithPost30x) {
  VerboseFormatter f("POST");
  f.KeepPostOn(/*post301=*/true, /*post302=*/false, /*post303=*/true);
  strata_event hop1 = Event(STRATA_EVENT_HOP, 1, "runtime", "");
  hop1.url = "http://a/1";
  hop1.status = 301;
  f.Format(hop1);
  strata_event hop2 = Event(STRATA_EVENT_HOP, 2, "runtime", "");
  hop2.url = "http://a/2";
  hop2.status = 302;
  EXPECT_NE(f.Format(hop2).find("* hop 2: POST http://a/2"), std::string::npos)
      << "--post301 kept POST on the 301";
  strata_event hop3 = Event(STRATA_EVENT_HOP, 3, "runtime", "");
  hop3.url = "http://a/3";
  hop3.status = 200;
  EXPECT_NE(f.Format(hop3).find("* hop 3: GET http://a/3"), std::string::npos)
      << "no --post302: the 302 turned POST into GET";
}

TEST(Verbose, RedirectMethodFollowsRfc9110) {
  EXPECT_EQ(RedirectMethod("POST", 301, /*keep_post=*/true), "POST");
  EXPECT_EQ(RedirectMethod("POST", 303, /*keep_post=*/true), "POST");
  EXPECT_EQ(RedirectMethod("PUT", 303, /*keep_post=*/true), "GET");
  EXPECT_EQ(RedirectMethod("POST", 301), "GET");
  EXPECT_EQ(RedirectMethod("POST", 302), "GET");
  EXPECT_EQ(RedirectMethod("PUT", 302), "PUT");
  EXPECT_EQ(RedirectMethod("PUT", 303), "GET");
  EXPECT_EQ(RedirectMethod("HEAD", 303), "HEAD");
  EXPECT_EQ(RedirectMethod("POST", 307), "POST");
  EXPECT_EQ(RedirectMethod("POST", 308), "POST");
}

TEST(Verbose, OtherEventTypesPrintNothing) {
  VerboseFormatter f("GET");
  EXPECT_EQ(f.Format(Event(99, 0, "x", "y")), "");
}

}  // namespace
}  // namespace strata::cli
