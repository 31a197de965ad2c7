#include "tools/cli/write_out.h"

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

TransferSummary Sample() {
  TransferSummary s;
  s.http_code = 200;
  s.http_version = 11;
  s.num_redirects = 2;
  s.num_connects = 1;
  s.size_download = 12345;
  s.size_upload = 7;
  s.time_total_us = 1234567;
  s.time_connect_us = 500;
  s.time_starttransfer_us = 2000000;
  s.url = "http://a/start";
  s.url_effective = "http://a/end";
  s.method = "GET";
  s.headers = {{"Content-Type", "text/plain"}, {"X-Id", "42"}};
  return s;
}

// Stdout text of an expansion, for the common single-stream case.
std::string Out(const std::string& format, const TransferSummary& s = Sample()) {
  WriteOutResult r = ExpandWriteOut(format, s);
  std::string text;
  for (const WriteOutChunk& c : r.chunks) {
    if (c.stream == WriteOutStream::kStdout) text += c.text;
  }
  return text;
}

TEST(WriteOut, ProxyRedirectAndChainVariables) {
  TransferSummary s = Sample();
  s.http_connect = 200;
  s.redirect_url = "https://b/next";
  s.chain = "tcp(127.0.0.1:3128) → connect-tunnel(b:443 via 127.0.0.1:3128)";
  EXPECT_EQ(Out("%{http_connect}", s), "200");
  EXPECT_EQ(Out("%{redirect_url}", s), "https://b/next");
  EXPECT_EQ(Out("%{strata_chain}", s), s.chain);
  // Without a CONNECT or a redirect: curl's 000 and an empty string.
  EXPECT_EQ(Out("[%{http_connect}][%{redirect_url}][%{strata_chain}]"),
            "[000][][]");
  EXPECT_TRUE(ExpandWriteOut("%{http_connect}%{redirect_url}%{strata_chain}",
                             Sample())
                  .warnings.empty());
}

TEST(WriteOut, EveryVariable) {
  EXPECT_EQ(Out("%{http_code}"), "200");
  EXPECT_EQ(Out("%{response_code}"), "200");
  EXPECT_EQ(Out("%{http_version}"), "1.1");
  EXPECT_EQ(Out("%{num_redirects}"), "2");
  EXPECT_EQ(Out("%{num_connects}"), "1");
  EXPECT_EQ(Out("%{url_effective}"), "http://a/end");
  EXPECT_EQ(Out("%{url}"), "http://a/start");
  EXPECT_EQ(Out("%{method}"), "GET");
  EXPECT_EQ(Out("%{size_download}"), "12345");
  EXPECT_EQ(Out("%{size_upload}"), "7");
  EXPECT_EQ(Out("%{time_total}"), "1.234567");
  EXPECT_EQ(Out("%{time_connect}"), "0.000500");
  EXPECT_EQ(Out("%{time_starttransfer}"), "2.000000");
  EXPECT_EQ(Out("%{content_type}"), "text/plain");
  EXPECT_EQ(Out("%{exitcode}"), "0");
  EXPECT_EQ(Out("%{errormsg}"), "");
}

TEST(WriteOut, NoResponseGivesZeroCodeLikeCurl) {
  TransferSummary s;
  s.exitcode = 7;
  s.errormsg = "tcp: connection refused";
  EXPECT_EQ(Out("%{http_code} %{http_version} %{exitcode} %{errormsg}", s),
            "000 0 7 tcp: connection refused");
}

TEST(WriteOut, HttpVersions) {
  EXPECT_EQ(FormatHttpVersion(10), "1.0");
  EXPECT_EQ(FormatHttpVersion(11), "1.1");
  EXPECT_EQ(FormatHttpVersion(20), "2");
  EXPECT_EQ(FormatHttpVersion(0), "0");
}

TEST(WriteOut, EscapesAndPercent) {
  EXPECT_EQ(Out("a\\nb\\tc\\r\\\\"), "a\nb\tc\r\\");
  EXPECT_EQ(Out("100%%"), "100%");
  EXPECT_EQ(Out("50% off"), "50% off");
  EXPECT_EQ(Out("\\x"), "\\x");
  EXPECT_EQ(Out("trailing\\"), "trailing\\");
  EXPECT_EQ(Out("%{unterminated"), "%{unterminated");
}

TEST(WriteOut, HeaderLookupIsCaseInsensitive) {
  EXPECT_EQ(Out("%header{x-id}"), "42");
  EXPECT_EQ(Out("[%header{missing}]"), "[]");
}

TEST(WriteOut, UnknownVariableWarnsAndExpandsToNothing) {
  WriteOutResult r = ExpandWriteOut("a%{nope}b", Sample());
  ASSERT_EQ(r.chunks.size(), 1u);
  EXPECT_EQ(r.chunks[0].text, "ab");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "unknown --write-out variable: 'nope'");
}

TEST(WriteOut, StreamSwitches) {
  WriteOutResult r =
      ExpandWriteOut("code %{http_code}%{stderr}err\\n%{stdout}out", Sample());
  ASSERT_EQ(r.chunks.size(), 3u);
  EXPECT_EQ(r.chunks[0].stream, WriteOutStream::kStdout);
  EXPECT_EQ(r.chunks[0].text, "code 200");
  EXPECT_EQ(r.chunks[1].stream, WriteOutStream::kStderr);
  EXPECT_EQ(r.chunks[1].text, "err\n");
  EXPECT_EQ(r.chunks[2].text, "out");
}

TEST(WriteOut, OnErrorCutsTheRestOnSuccess) {
  EXPECT_EQ(Out("ok%{onerror}failed: %{errormsg}"), "ok");
  TransferSummary s;
  s.exitcode = 28;
  s.errormsg = "timeout";
  EXPECT_EQ(Out("ok%{onerror}failed: %{errormsg}", s), "okfailed: timeout");
}

TEST(WriteOut, FormatSeconds) {
  EXPECT_EQ(FormatSeconds(0), "0.000000");
  EXPECT_EQ(FormatSeconds(1), "0.000001");
  EXPECT_EQ(FormatSeconds(61000000), "61.000000");
  EXPECT_EQ(FormatSeconds(-5), "0.000000");
}

}  // namespace
}  // namespace strata::cli
