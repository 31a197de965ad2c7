#include "tools/cli/exit_codes.h"

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

TEST(ExitCodes, CurlNumbersForEachStatus) {
  EXPECT_EQ(ExitCodeFor(STRATA_OK), 0);
  EXPECT_EQ(ExitCodeFor(STRATA_E_CONFIG), 2);
  EXPECT_EQ(ExitCodeFor(STRATA_E_PLUGIN_LOAD), 2);
  EXPECT_EQ(ExitCodeFor(STRATA_E_PLUGIN_ABI), 2);
  EXPECT_EQ(ExitCodeFor(STRATA_E_PLUGIN_INIT), 2);
  EXPECT_EQ(ExitCodeFor(STRATA_E_UNKNOWN_LAYER), 2);
  EXPECT_EQ(ExitCodeFor(STRATA_E_INVALID_ARGUMENT), 2);
  EXPECT_EQ(ExitCodeFor(STRATA_E_UNSUPPORTED), 4);
  EXPECT_EQ(ExitCodeFor(STRATA_E_NO_MEMORY), 27);
  EXPECT_EQ(ExitCodeFor(STRATA_E_NOT_PROCESSED), 56);  // a network failure, not a usage error
  EXPECT_EQ(ExitCodeFor(STRATA_E_RESOLVE), 6);
  EXPECT_EQ(ExitCodeFor(STRATA_E_CONNECT), 7);
  EXPECT_EQ(ExitCodeFor(STRATA_E_TIMEOUT), 28);
  EXPECT_EQ(ExitCodeFor(STRATA_E_TLS), 35);
  EXPECT_EQ(ExitCodeFor(STRATA_E_TLS_VERIFY), 60);
  EXPECT_EQ(ExitCodeFor(STRATA_E_PROXY), 97);
  // curl 7.88: a refused HTTP CONNECT is 56 ("CONNECT tunnel failed"),
  // a SOCKS failure 97.
  EXPECT_EQ(ExitCodeFor(STRATA_E_PROXY, {.proxy_involved = true, .http_tunnel = true}), 56);
  EXPECT_EQ(ExitCodeFor(STRATA_E_TLS_CA), 77);
  EXPECT_EQ(ExitCodeFor(STRATA_E_LOCAL_BIND), 45);
  EXPECT_EQ(ExitCodeFor(STRATA_E_TLS_PINNED_KEY), 90);
  EXPECT_EQ(ExitCodeFor(STRATA_E_POLICY_DENIED), 42);
  EXPECT_EQ(ExitCodeFor(STRATA_E_PROTOCOL), 8);
  EXPECT_EQ(ExitCodeFor(STRATA_E_TRUNCATED), 18);
  EXPECT_EQ(ExitCodeFor(STRATA_E_LIMIT), 63);
  EXPECT_EQ(ExitCodeFor(STRATA_E_HTTP_STATUS), 22);
  EXPECT_EQ(ExitCodeFor(STRATA_E_REDIRECT), 47);
  EXPECT_EQ(ExitCodeFor(STRATA_E_CANCELLED), 42);
  EXPECT_EQ(ExitCodeFor(STRATA_E_STREAM_RESET), 92);
}

TEST(ExitCodes, UrlErrorsTellUnsupportedSchemeFromMalformed) {
  EXPECT_EQ(ExitCodeFor(STRATA_E_URL, {.url = "ftp://host/x"}), 1);
  EXPECT_EQ(ExitCodeFor(STRATA_E_URL, {.url = "http://[::1"}), 3);
  EXPECT_EQ(ExitCodeFor(STRATA_E_URL, {.url = "not a url"}), 3);
  EXPECT_EQ(ExitCodeFor(STRATA_E_URL, {.url = "HTTPS://x/"}), 3);
}

TEST(ExitCodes, IoErrorIsSendOrReceiveByWhetherTheRequestWentOut) {
  EXPECT_EQ(ExitCodeFor(STRATA_E_IO, {.request_sent = false}), 55);
  EXPECT_EQ(ExitCodeFor(STRATA_E_IO, {.request_sent = true}), 56);
}

TEST(ExitCodes, AResumeTheServerRefusedIsARangeError) {
  EXPECT_EQ(ExitCodeFor(STRATA_E_RANGE), 33);
  EXPECT_EQ(ExitCodeFor(STRATA_E_CONTENT_ENCODING), 61);
}

TEST(ExitCodes, CloseBeforeAnyResponseIsAnEmptyReply) {
  EXPECT_EQ(ExitCodeFor(STRATA_E_CLOSED,
                        {.request_sent = true, .response_started = false}),
            52);
  EXPECT_EQ(ExitCodeFor(STRATA_E_CLOSED,
                        {.request_sent = true, .response_started = true}),
            56);
  EXPECT_EQ(ExitCodeFor(STRATA_E_CLOSED, {}), 52);
}

TEST(ExitCodes, BodyErrorsBlameTheSideThatFailed) {
  EXPECT_EQ(ExitCodeFor(STRATA_E_BODY, {.writer_failed = true}), 23);
  EXPECT_EQ(ExitCodeFor(STRATA_E_BODY, {.reader_failed = true}), 26);
  EXPECT_EQ(ExitCodeFor(STRATA_E_CANCELLED, {.writer_failed = true}), 23);
}

TEST(ExitCodes, ProxyResolveFailure) {
  EXPECT_EQ(ExitCodeFor(STRATA_E_RESOLVE, {.proxy_involved = true}), 5);
}

TEST(ExitCodes, UnknownAndInternalCodesAreStartupFailures) {
  EXPECT_EQ(ExitCodeFor(STRATA_E_INTERNAL), 2);
  EXPECT_EQ(ExitCodeFor(STRATA_E_STATE), 2);
  EXPECT_EQ(ExitCodeFor(-1234), 2);
}

TEST(ExitCodes, HasUnsupportedScheme) {
  EXPECT_TRUE(HasUnsupportedScheme("ftp://x"));
  EXPECT_TRUE(HasUnsupportedScheme("gopher+s://x"));
  EXPECT_FALSE(HasUnsupportedScheme("http://x"));
  EXPECT_FALSE(HasUnsupportedScheme("Https://x"));
  EXPECT_FALSE(HasUnsupportedScheme("://x"));
  EXPECT_FALSE(HasUnsupportedScheme("1ab://x"));
  EXPECT_FALSE(HasUnsupportedScheme("example.com/x"));
}

TEST(ExitCodes, EveryReachableCodeIsDocumentedInOrder) {
  size_t count = 0;
  const ExitCodeDoc* docs = ExitCodeDocs(&count);
  auto documented = [&](int code) {
    for (size_t i = 0; i < count; ++i) {
      if (docs[i].code == code) return true;
    }
    return false;
  };
  for (size_t i = 1; i < count; ++i) EXPECT_LT(docs[i - 1].code, docs[i].code);
  const FailureContext contexts[] = {
      {},
      {.writer_failed = true},
      {.reader_failed = true},
      {.request_sent = true},
      {.request_sent = true, .response_started = true},
      {.proxy_involved = true},
      {.proxy_involved = true, .http_tunnel = true},
      {.url = "ftp://x/"},
  };
  for (strata_status s = -100; s <= 1; ++s) {
    for (const FailureContext& c : contexts) {
      EXPECT_TRUE(documented(ExitCodeFor(s, c))) << s;
    }
  }
}

}  // namespace
}  // namespace strata::cli
