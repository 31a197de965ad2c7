#include "tools/cli/write_out.h"

#include <algorithm>
#include <vector>

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
  s.http_connects = "0 200 407";
  EXPECT_EQ(Out("[%{http_connects}]", s), "[0 200 407]");
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

TEST(WriteOut, TimersSizesAndAddresses) {
  TransferSummary s = Sample();
  s.time_namelookup_us = 12;
  s.time_appconnect_us = 3000;
  s.time_pretransfer_us = 3100;
  s.time_redirect_us = 1500000;
  s.size_header = 234;
  s.size_request = 79;
  s.remote_ip = "::1";
  s.remote_port = 8443;
  s.local_ip = "::1";
  s.local_port = 50000;
  s.ssl_verify_result = 20;
  s.url_effective = "https://a/end";
  EXPECT_EQ(Out("%{time_namelookup} %{time_appconnect} %{time_pretransfer} %{time_redirect}", s),
            "0.000012 0.003000 0.003100 1.500000");
  EXPECT_EQ(Out("%{size_header} %{size_request} %{num_headers}", s), "234 79 2");
  EXPECT_EQ(Out("%{remote_ip} %{remote_port} %{local_ip} %{local_port}", s), "::1 8443 ::1 50000");
  EXPECT_EQ(Out("%{ssl_verify_result} %{proxy_ssl_verify_result} %{scheme}", s), "20 0 HTTPS");
  // Bytes per second over the whole transfer, truncated: 12345 B in
  // 1.234567 s.
  EXPECT_EQ(Out("%{speed_download} %{speed_upload}", s), "9999 5");
  EXPECT_EQ(Out("%{speed_download}", TransferSummary{}), "0");
}

TEST(WriteOut, LayerTimes) {
  TransferSummary s = Sample();
  s.layer_times = "proxy:tcp=100 connect-tunnel=900 tls=4512 h2-alpn=4513";
  EXPECT_EQ(Out("%{time_layer:tls} %{time_layer:proxy:tcp} %{time_layer:connect-tunnel}", s),
            "0.004512 0.000100 0.000900");
  // A layer that is not in the chain (or a reused connection) reads 0.
  EXPECT_EQ(Out("%{time_layer:tcp} %{time_layer:}", s), "0.000000 0.000000");
  EXPECT_TRUE(ExpandWriteOut("%{time_layer:nope}", s).warnings.empty());
}

TEST(WriteOut, JsonHasEveryVariableSortedWithNulls) {
  TransferSummary s = Sample();
  s.version = "strata/1.2.3";
  s.errormsg = "";
  std::string json = Out("%{json}", s);
  EXPECT_EQ(json.rfind("{\"content_type\":\"text/plain\",", 0), 0u) << json;
  EXPECT_NE(json.find("\"errormsg\":null,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"redirect_url\":null,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"http_code\":200,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"http_version\":\"1.1\","), std::string::npos) << json;
  EXPECT_NE(json.find("\"time_total\":1.234567,"), std::string::npos) << json;
  EXPECT_EQ(json.substr(json.size() - 32), "\"strata_version\":\"strata/1.2.3\"}");
  // Sorted: each key (after a ',' or the '{') after the one before; no
  // value of the sample holds ',"'.
  std::vector<std::string> keys;
  for (size_t at = 0; at != std::string::npos; at = json.find(",\"", at + 1)) {
    size_t begin = at + 2;
    keys.push_back(json.substr(begin, json.find('"', begin) - begin));
  }
  ASSERT_EQ(keys.back(), "strata_version");
  keys.pop_back();
  EXPECT_EQ(keys.size(), 39u);
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_EQ(std::adjacent_find(keys.begin(), keys.end()), keys.end());
}

TEST(WriteOut, JsonQuotingIsCurls) {
  EXPECT_EQ(JsonQuoted("a\"b\\c\n\t\x01\x7f\xc3\xa9"), "\"a\\\"b\\\\c\\n\\t\\u0001\x7f\xc3\xa9\"");
  EXPECT_EQ(JsonQuoted("Content-Type", /*lowercase=*/true), "\"content-type\"");
}

TEST(WriteOut, HeaderJsonGroupsRepeatedNames) {
  TransferSummary s = Sample();
  s.headers = {{"Set-Cookie", "a=1"}, {"X-Id", "42"}, {"set-cookie", "b=\"2\""}};
  EXPECT_EQ(Out("%{header_json}", s),
            "{\"set-cookie\":[\"a=1\",\"b=\\\"2\\\"\"],\n\"x-id\":[\"42\"]\n}");
  EXPECT_EQ(Out("%{header_json}", TransferSummary{}), "{\n}");
}

TEST(WriteOut, OutputSendsTheRestToAFile) {
  WriteOutResult r = ExpandWriteOut("a%output{/tmp/x}b%{http_code}%output{>>/tmp/y}c%{stderr}d", Sample());
  ASSERT_EQ(r.chunks.size(), 4u);
  EXPECT_EQ(r.chunks[0].text, "a");
  EXPECT_EQ(r.chunks[1].stream, WriteOutStream::kFile);
  EXPECT_EQ(r.chunks[1].path, "/tmp/x");
  EXPECT_FALSE(r.chunks[1].append);
  EXPECT_EQ(r.chunks[1].text, "b200");
  EXPECT_EQ(r.chunks[2].path, "/tmp/y");
  EXPECT_TRUE(r.chunks[2].append);
  EXPECT_EQ(r.chunks[2].text, "c");
  EXPECT_EQ(r.chunks[3].stream, WriteOutStream::kStderr);
  // The same file named again is opened again (truncated), as in curl.
  WriteOutResult again = ExpandWriteOut("%output{f}1%output{f}2", Sample());
  ASSERT_EQ(again.chunks.size(), 2u);
  EXPECT_EQ(again.chunks[1].text, "2");
  EXPECT_FALSE(again.chunks[1].append);
  // Unterminated: printed as is.
  EXPECT_EQ(Out("%output{x"), "%output{x");
}

TEST(WriteOut, CertsAreNotPretended) {
  // strata does not export the certificate chain: curl's %{certs} and
  // %{num_certs} warn rather than print an empty value.
  EXPECT_EQ(ExpandWriteOut("%{certs}%{num_certs}", Sample()).warnings.size(), 2u);
}

TEST(WriteOut, FormatSeconds) {
  EXPECT_EQ(FormatSeconds(0), "0.000000");
  EXPECT_EQ(FormatSeconds(1), "0.000001");
  EXPECT_EQ(FormatSeconds(61000000), "61.000000");
  EXPECT_EQ(FormatSeconds(-5), "0.000000");
}

}  // namespace
}  // namespace strata::cli
