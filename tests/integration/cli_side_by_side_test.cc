// A table of command lines, each run with the installed curl (7.88) and with
// strata against scripted peers that record every request: exit codes,
// stdout, files written and the requests as the peer saw them (request line,
// body and the header fields that matter) must agree. One row per line, so
// adding a case is one line too.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/side_by_side.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

const std::string kOk =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Test: yes\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
const std::string k404 = "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nConnection: close\r\n\r\nnope\n";
std::string Redirect(int status, const std::string& reason) {
  return "HTTP/1.1 " + std::to_string(status) + " " + reason +
         "\r\nLocation: /next\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

std::vector<PeerScript> Answer(const std::string& response) { return {{ReadRequest(), Send(response), Close()}}; }
std::vector<PeerScript> Hop(const std::string& first) {
  return {{ReadRequest(), Send(first), Close()}, {ReadRequest(), Send(kOk), Close()}};
}

struct Case {
  std::vector<std::string> args;
  std::vector<PeerScript> scripts = Answer(kOk);
  std::string path = "/p";
  std::vector<std::string> files = {};  // under {DIR}, compared by content
  std::string stdin_path = "";
  // Fields strata sends differently on purpose (each case says why).
  std::vector<std::string> differs = {};
};

std::string FileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<missing>";
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The header fields compared (present in both with the same value, or in
// neither); User-Agent differs by design (curl/7.88.1 vs strata/...).
const std::vector<std::string> kFields = {
    "Host",           "Content-Type", "Content-Length", "Transfer-Encoding", "Accept",
    "Authorization",  "Referer",      "Cookie",         "Range",             "If-Modified-Since",
    "If-Unmodified-Since", "Accept-Encoding", "X-Custom", "X-A", "X-B"};

bool HasField(const std::string& raw, const std::string& name) {
  std::string head = raw.substr(0, raw.find("\r\n\r\n")), lower, want = "\r\n";
  for (char c : head) lower += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  for (char c : name) want += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return lower.find(want + ":") != std::string::npos;
}

// Normalise makes one side's text comparable: its own URL, directory and
// authority become placeholders.
std::string Normalise(const SideRun& s, std::string text) {
  const std::string authority = s.url.substr(7, s.url.find('/', 7) - 7);
  text = ReplaceAll(text, s.url, "{URL}");
  text = ReplaceAll(text, s.dir, "{DIR}");
  return ReplaceAll(text, authority, "{AUTHORITY}");
}

void Compare(const Case& c) {
  SideBySide b = RunSideBySide(c.args, c.scripts, c.path, c.stdin_path);
  std::string line;
  for (const std::string& a : c.args) line += a + " ";
  SCOPED_TRACE(line + b.Describe());
  EXPECT_EQ(b.strata.run.exit.exit_code, b.curl.run.exit.exit_code);
  EXPECT_EQ(Normalise(b.strata, b.strata.run.stdout_text), Normalise(b.curl, b.curl.run.stdout_text));
  ASSERT_EQ(b.strata.requests.size(), b.curl.requests.size());
  for (size_t i = 0; i < b.curl.requests.size(); ++i) {
    const std::string cr = Normalise(b.curl, b.curl.requests[i]), sr = Normalise(b.strata, b.strata.requests[i]);
    EXPECT_EQ(sr.substr(0, sr.find("\r\n")), cr.substr(0, cr.find("\r\n"))) << "request " << i;
    EXPECT_EQ(sr.substr(sr.find("\r\n\r\n")), cr.substr(cr.find("\r\n\r\n"))) << "body of request " << i;
    for (const std::string& f : kFields) {
      if (std::find(c.differs.begin(), c.differs.end(), f) != c.differs.end()) continue;
      EXPECT_EQ(HasField(sr, f), HasField(cr, f)) << f << " in request " << i;
      EXPECT_EQ(HeaderValue(sr, f), HeaderValue(cr, f)) << f << " in request " << i;
    }
  }
  for (const std::string& f : c.files) {
    EXPECT_EQ(FileText(b.strata.dir + "/" + f), FileText(b.curl.dir + "/" + f)) << f;
  }
}

class SideBySideTest : public ::testing::TestWithParam<Case> {};

TEST_P(SideBySideTest, SameAsCurl) { Compare(GetParam()); }

const std::string kDate = "Tue, 01 Dec 2026 10:00:00 GMT";

INSTANTIATE_TEST_SUITE_P(
    Request, SideBySideTest,
    ::testing::Values(
        Case{{"-s", "{URL}"}}, Case{{"{URL}"}}, Case{{"-s", "-i", "{URL}"}}, Case{{"-s", "-I", "{URL}"}},
        // RFC 9110 §8.6: a PUT without content announces it with
        // Content-Length: 0; curl sends only what -X names.
        Case{{"-s", "-X", "PUT", "{URL}"}, Answer(kOk), "/p", {}, "", {"Content-Length"}},
        Case{{"-s", "-X", "DELETE", "{URL}"}},
        Case{{"-s", "-X", "PATCH", "-d", "x=1", "{URL}"}}, Case{{"-s", "-H", "X-Custom: v", "{URL}"}},
        Case{{"-s", "-H", "Accept:", "{URL}"}}, Case{{"-s", "-H", "X-Custom;", "{URL}"}},
        Case{{"-s", "-H", "X-A: 1", "-H", "X-B: 2", "{URL}"}}, Case{{"-s", "-A", "", "{URL}"}},
        Case{{"-s", "-e", "http://ref.example/", "{URL}"}}, Case{{"-s", "-u", "alice:secret", "{URL}"}},
        Case{{"-s", "-u", "alice:", "{URL}"}}, Case{{"-s", "--url", "{URL}"}}, Case{{"-s", "-o", "-", "{URL}"}}));

INSTANTIATE_TEST_SUITE_P(
    Bodies, SideBySideTest,
    ::testing::Values(
        Case{{"-s", "-d", "a=1", "-d", "b=2", "{URL}"}}, Case{{"-s", "--data-binary", "raw\nbytes", "{URL}"}},
        Case{{"-s", "--data-raw", "@notafile", "{URL}"}}, Case{{"-s", "--data-urlencode", "q=a b&c", "{URL}"}},
        Case{{"-s", "--data-urlencode", "=x y", "{URL}"}}, Case{{"-s", "--json", "{\"a\":1}", "{URL}"}},
        Case{{"-s", "--json", "{\"a\":", "--json", "1}", "{URL}"}}, Case{{"-s", "-d", "", "{URL}"}},
        Case{{"-s", "-G", "-d", "a=1", "{URL}"}}, Case{{"-s", "-G", "--data-urlencode", "q=x y", "{URL}"}},
        Case{{"-s", "-T", "-", "{URL}"}, Answer(kOk), "/p", {}, "/work/main/tests/integration/BUILD"}));

INSTANTIATE_TEST_SUITE_P(
    Conditions, SideBySideTest,
    ::testing::Values(Case{{"-s", "-r", "0-9", "{URL}"}}, Case{{"-s", "-r", "-5", "{URL}"}},
                      Case{{"-s", "-b", "a=1", "{URL}"}}, Case{{"-s", "-b", "a=1; b=2", "{URL}"}},
                      Case{{"-s", "-z", kDate, "{URL}"}}, Case{{"-s", "-z", "-" + kDate, "{URL}"}},
                      Case{{"-s", "--compressed", "{URL}"}}));

INSTANTIATE_TEST_SUITE_P(
    Output, SideBySideTest,
    ::testing::Values(
        Case{{"-s", "-f", "{URL}"}, Answer(k404)}, Case{{"-s", "--fail-with-body", "{URL}"}, Answer(k404)},
        Case{{"-s", "{URL}"}, Answer(k404)}, Case{{"-s", "-i", "{URL}"}, Answer(k404)},
        Case{{"-s", "-w", "%{http_code}", "{URL}"}},
        Case{{"-s", "-w", "%{response_code} %{num_headers} %{size_header} %{size_download}", "-o", "/dev/null",
              "{URL}"}},
        Case{{"-s", "-w", "%{content_type}|%header{x-test}|%header{nope}", "-o", "/dev/null", "{URL}"}},
        Case{{"-s", "-w", "%{http_version} %{method} %{scheme} %{num_connects}", "-o", "/dev/null", "{URL}"}},
        Case{{"-s", "-w", "%{url} %{url_effective} %{urlnum}", "-o", "/dev/null", "{URL}"}},
        Case{{"-s", "-w", "%{exitcode} %{errormsg}", "-f", "-o", "/dev/null", "{URL}"}, Answer(k404)},
        // After a failure -w still has the transfer's figures.
        Case{{"-s", "-A", "x", "-f", "-o", "/dev/null", "-w",
              "%{http_code} %{size_request} %{size_header} %{num_connects} %{remote_ip} %{scheme}", "{URL}"},
             Answer(k404)},
        Case{{"-s", "-w", "%{http_code} %{num_connects} %{exitcode} %{size_request}", "http://127.0.0.1:1/"}, {}},
        Case{{"-s", "-w", "%{size_upload}", "-d", "abc", "-o", "/dev/null", "{URL}"}},
        Case{{"-s", "-D", "-", "-o", "/dev/null", "{URL}"}},
        Case{{"-s", "-o", "{DIR}/out.txt", "-w", "%{filename_effective}", "{URL}"}, Answer(kOk), "/p", {"out.txt"}},
        Case{{"-s", "--output-dir", "{DIR}", "-O", "{URL}"}, Answer(kOk), "/file.txt", {"file.txt"}},
        Case{{"-s", "-D", "{DIR}/h.txt", "-o", "{DIR}/b.txt", "{URL}"}, Answer(kOk), "/p", {"h.txt", "b.txt"}}));

INSTANTIATE_TEST_SUITE_P(
    Redirects, SideBySideTest,
    ::testing::Values(
        Case{{"-s", "-L", "{URL}"}, Hop(Redirect(302, "Found"))},
        Case{{"-s", "-i", "-L", "{URL}"}, Hop(Redirect(302, "Found"))},
        Case{{"-s", "-w", "%{num_redirects} %{url_effective}", "-L", "-o", "/dev/null", "{URL}"},
             Hop(Redirect(302, "Found"))},
        Case{{"-s", "-w", "%{redirect_url}", "-o", "/dev/null", "{URL}"}, Answer(Redirect(302, "Found"))},
        Case{{"-s", "-L", "--max-redirs", "0", "{URL}"}, Answer(Redirect(302, "Found"))},
        Case{{"-s", "-L", "-d", "a=1", "{URL}"}, Hop(Redirect(302, "Found"))},
        Case{{"-s", "-L", "--post302", "-d", "a=1", "{URL}"}, Hop(Redirect(302, "Found"))},
        Case{{"-s", "-L", "-d", "a=1", "{URL}"}, Hop(Redirect(301, "Moved Permanently"))},
        Case{{"-s", "-L", "--post301", "-d", "a=1", "{URL}"}, Hop(Redirect(301, "Moved Permanently"))},
        Case{{"-s", "-L", "-d", "a=1", "{URL}"}, Hop(Redirect(303, "See Other"))},
        Case{{"-s", "-L", "-d", "a=1", "{URL}"}, Hop(Redirect(307, "Temporary Redirect"))},
        Case{{"-s", "-L", "-u", "a:b", "{URL}"}, Hop(Redirect(302, "Found"))},
        Case{{"-s", "-I", "-L", "{URL}"}, Hop(Redirect(302, "Found"))},
        Case{{"-s", "-L", "-b", "c=1", "{URL}"}, Hop(Redirect(302, "Found"))}));

INSTANTIATE_TEST_SUITE_P(
    Failures, SideBySideTest,
    ::testing::Values(Case{{"-s", "-m", "1", "{URL}"}, {{ReadRequest(), NeverAnswer()}}},
                      Case{{"-s", "{URL}"}, {{ReadRequest(), Send("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"),
                                              Close()}}},
                      Case{{"-s", "-w", "%{http_code}", "{URL}"}, {{ReadRequest(), Close()}}},
                      // A scheme neither has a plugin/handler for (curl has
                      // FTP, so ftp: would connect there).
                      Case{{"-s", "foo://127.0.0.1/x"}, {}}, Case{{"-sS", "-f", "{URL}"}, Answer(k404)}, Case{{"-s", "http://[::1"}, {}},
                      Case{{"-s", "http://127.0.0.1:1/"}, {}},
                      // curl's exit codes the issue names: an unresolvable
                      // proxy (5), a refused CONNECT (56), an unreadable CA
                      // file (77).
                      Case{{"-sS", "-x", "http://proxy.invalid:3128", "{URL}"}, {}},
                      Case{{"-sS", "-x", "http://{AUTHORITY}", "https://origin.example/"},
                           Answer("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")},
                      Case{{"-sS", "-x", "http://{AUTHORITY}", "https://origin.example/"},
                           Answer("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")},
                      Case{{"-sS", "--cacert", "/nonexistent/ca.pem", "https://{AUTHORITY}/"},
                           {{ReadUntilClose()}}}));

}  // namespace
}  // namespace strata::test
