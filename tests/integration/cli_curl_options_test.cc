// The CLI's curl options -G, --data-urlencode, --json, -A, -e, -H @file,
// -H "Name:", -D, -r, -C, --fail-with-body, --output-dir, --create-dirs and
// --no-progress-meter,
// side by side with the installed curl (7.88): each command runs once with
// curl and once with strata against scripted peers that record the request
// bytes, and the requests, outputs and exit codes must agree.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/scripted_peer.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

using std::chrono::seconds;

constexpr char kOk[] = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

struct Side {
  RunResult run;
  std::string request;  // the raw request the peer read ("" if none)
  std::string dir;      // what "{DIR}" stood for
};

struct Both {
  Side curl, strata;
};

// RunBoth runs |args| with |url_path| on a fresh peer answering |response|,
// first with curl, then with strata. "{DIR}" in an argument becomes a
// directory of that side's own.
Both RunBoth(const std::vector<std::string>& args, const std::string& url_path = "/p",
             const std::string& response = kOk, const std::string& userinfo = "",
             const PeerScript& script = {}, const std::string& stdin_path = "") {
  Both both;
  for (int side = 0; side < 2; ++side) {
    ScriptedPeer peer({script.empty() ? PeerScript{ReadRequest(), Send(response), Close()} : script});
    ProcessOptions o;
    o.argv = {side == 0 ? "/usr/bin/curl" : RunfilePath("tools/strata")};
    const std::string dir = MakeTempDir(side == 0 ? "curl-side" : "strata-side");
    for (std::string a : args) {
      if (size_t at = a.find("{DIR}"); at != std::string::npos) a.replace(at, 5, dir);
      o.argv.push_back(a);
    }
    o.argv.push_back("http://" + userinfo + "127.0.0.1:" + std::to_string(peer.port()) + url_path);
    o.env = {{"HOME", TestTmpDir()}};
    o.stdin_path = stdin_path;
    Side& s = side == 0 ? both.curl : both.strata;
    s.dir = dir;
    s.run = RunProcess(o, seconds(30));
    peer.WaitForScripts(std::chrono::milliseconds(2000));
    std::vector<std::string> requests = peer.AllRequests();
    if (!requests.empty()) s.request = requests[0];
  }
  return both;
}

std::string RequestLine(const std::string& raw) { return raw.substr(0, raw.find("\r\n")); }
std::string Body(const std::string& raw) {
  size_t end = raw.find("\r\n\r\n");
  return end == std::string::npos ? "" : raw.substr(end + 4);
}
bool HasHeader(const std::string& raw, const std::string& name) {
  const std::string head = raw.substr(0, raw.find("\r\n\r\n"));
  std::string lower_head, lower_name = "\r\n";
  for (char c : head) lower_head += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  for (char c : name) lower_name += static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return lower_head.find(lower_name + ":") != std::string::npos;
}

std::string Describe(const Both& b) {
  return "\n--- curl (" + b.curl.run.exit.Describe() + ")\n" + b.curl.request + "stderr: " +
         b.curl.run.stderr_text + "\n--- strata (" + b.strata.run.exit.Describe() + ")\n" + b.strata.request +
         "stderr: " + b.strata.run.stderr_text;
}

// The same request line and body; the listed headers present in both with
// the same value, or absent from both.
void ExpectSameRequest(const Both& b, const std::vector<std::string>& headers) {
  ASSERT_FALSE(b.curl.request.empty()) << Describe(b);
  ASSERT_FALSE(b.strata.request.empty()) << Describe(b);
  EXPECT_EQ(RequestLine(b.strata.request), RequestLine(b.curl.request)) << Describe(b);
  EXPECT_EQ(Body(b.strata.request), Body(b.curl.request)) << Describe(b);
  for (const std::string& h : headers) {
    EXPECT_EQ(HasHeader(b.strata.request, h), HasHeader(b.curl.request, h)) << h << Describe(b);
    EXPECT_EQ(HeaderValue(b.strata.request, h), HeaderValue(b.curl.request, h)) << h << Describe(b);
  }
  EXPECT_EQ(b.strata.run.exit.exit_code, b.curl.run.exit.exit_code) << Describe(b);
  EXPECT_EQ(b.strata.run.stdout_text, b.curl.run.stdout_text) << Describe(b);
}

const std::vector<std::string> kBodyHeaders = {"Content-Type", "Content-Length", "Accept"};

TEST(CliCurlOptions, GetPutsTheDataInTheQuery) {
  Both b = RunBoth({"-sS", "-G", "-d", "a=1", "-d", "b=2"});
  ExpectSameRequest(b, kBodyHeaders);
  EXPECT_EQ(RequestLine(b.strata.request), "GET /p?a=1&b=2 HTTP/1.1");
}

TEST(CliCurlOptions, GetAppendsToAnExistingQuery) {
  Both b = RunBoth({"-sS", "-G", "--data-urlencode", "q=a b&c"}, "/p?x=1");
  ExpectSameRequest(b, kBodyHeaders);
  EXPECT_EQ(RequestLine(b.strata.request), "GET /p?x=1&q=a+b%26c HTTP/1.1");
}

TEST(CliCurlOptions, GetOnAUrlWithoutPath) {
  Both b = RunBoth({"-sS", "-G", "-d", "a=1"}, "");
  ExpectSameRequest(b, kBodyHeaders);
  EXPECT_EQ(RequestLine(b.strata.request), "GET /?a=1 HTTP/1.1");
}

TEST(CliCurlOptions, GetWithHeadSendsHead) {
  Both b = RunBoth({"-sS", "-I", "-G", "-d", "a=1"});
  ExpectSameRequest(b, kBodyHeaders);
  EXPECT_EQ(RequestLine(b.strata.request), "HEAD /p?a=1 HTTP/1.1");
}

TEST(CliCurlOptions, DataUrlencodeForms) {
  const std::string file = MakeTempDir("urlencode") + "/content.txt";
  WriteFileOrDie(file, "line one\nline=two & \xc3\xbc\n");
  Both b = RunBoth({"-sS", "--data-urlencode", "plain text/ok~", "--data-urlencode", "=x=y z",
                "--data-urlencode", "name=a+b c", "--data-urlencode", "@" + file,
                "--data-urlencode", "n@" + file, "--data-urlencode", "a@b=c d"});
  ExpectSameRequest(b, kBodyHeaders);
  EXPECT_EQ(Body(b.strata.request),
            "plain+text%2Fok~&x%3Dy+z&name=a%2Bb+c&line+one%0Aline%3Dtwo+%26+%C3%BC%0A&"
            "n=line+one%0Aline%3Dtwo+%26+%C3%BC%0A&a@b=c+d");
}

TEST(CliCurlOptions, JsonPiecesAreConcatenatedWithJsonHeaders) {
  const std::string file = MakeTempDir("json") + "/tail.json";
  WriteFileOrDie(file, ", \"b\": [1,\n2]}");
  Both b = RunBoth({"-sS", "--json", "{\"a\": 1", "--json", "@" + file});
  ExpectSameRequest(b, kBodyHeaders);
  EXPECT_EQ(Body(b.strata.request), "{\"a\": 1, \"b\": [1,\n2]}");
  EXPECT_EQ(HeaderValue(b.strata.request, "Content-Type"), "application/json");
  EXPECT_EQ(HeaderValue(b.strata.request, "Accept"), "application/json");
  EXPECT_EQ(RequestLine(b.strata.request), "POST /p HTTP/1.1");
}

TEST(CliCurlOptions, JsonHeadersGiveWayToUserHeaders) {
  Both b = RunBoth({"-sS", "--json", "[]", "-H", "Accept: text/plain", "-H", "Content-Type: application/x-ndjson"});
  ExpectSameRequest(b, kBodyHeaders);
  EXPECT_EQ(HeaderValue(b.strata.request, "Accept"), "text/plain");
}

TEST(CliCurlOptions, UserAgentAndReferer) {
  Both b = RunBoth({"-sS", "-A", "Agent/1.0 (test)", "-e", "http://ref.example/from"});
  ExpectSameRequest(b, {"User-Agent", "Referer"});
  EXPECT_EQ(HeaderValue(b.strata.request, "User-Agent"), "Agent/1.0 (test)");
  // -H wins over -A, in both.
  Both h = RunBoth({"-sS", "-A", "from-A", "-H", "User-Agent: from-H"});
  ExpectSameRequest(h, {"User-Agent"});
  EXPECT_EQ(HeaderValue(h.strata.request, "User-Agent"), "from-H");
}

// "Name:" removes a header the tool would send, its default User-Agent
// and Accept included; -A "" sends no User-Agent. A value given as well
// is still sent.
TEST(CliCurlOptions, EmptyHeadersRemoveDefaults) {
  Both b = RunBoth({"-sS", "-H", "User-Agent:", "-H", "Accept:"});
  ExpectSameRequest(b, {"User-Agent", "Accept"});
  EXPECT_FALSE(HasHeader(b.strata.request, "User-Agent")) << b.strata.request;
  EXPECT_FALSE(HasHeader(b.strata.request, "Accept")) << b.strata.request;
  Both a = RunBoth({"-sS", "-A", ""});
  ExpectSameRequest(a, {"User-Agent", "Accept"});
  EXPECT_FALSE(HasHeader(a.strata.request, "User-Agent")) << a.strata.request;
  Both both = RunBoth({"-sS", "-H", "X-Thing: 1", "-H", "X-Thing:"});
  ExpectSameRequest(both, {"X-Thing"});
  // The user info's Authorization, as well.
  Both auth = RunBoth({"-sS", "-H", "Authorization:"}, "/p", kOk, "u:pw@");
  ExpectSameRequest(auth, {"Authorization"});
  EXPECT_FALSE(HasHeader(auth.strata.request, "Authorization")) << auth.strata.request;
}

TEST(CliCurlOptions, HeadersFromAFile) {
  const std::string file = MakeTempDir("headers") + "/headers.txt";
  WriteFileOrDie(file, "X-One: 1\r\nnot a header line\n\nX-Two:   two  \nX-Empty;\n");
  Both b = RunBoth({"-sS", "-H", "@" + file});
  ExpectSameRequest(b, {"X-One", "X-Two", "X-Empty"});
  EXPECT_EQ(HeaderValue(b.strata.request, "X-Two"), "two");
  EXPECT_TRUE(HasHeader(b.strata.request, "X-Empty")) << b.strata.request;
  EXPECT_EQ(b.strata.request.find("not a header"), std::string::npos) << b.strata.request;
}

TEST(CliCurlOptions, AMissingHeaderFileIsAWarning) {
  Both b = RunBoth({"-S", "-H", "@/nonexistent/headers.txt"});
  ExpectSameRequest(b, {});
  EXPECT_NE(b.curl.run.stderr_text.find("Warning: Failed to open /nonexistent/headers.txt!"), std::string::npos)
      << Describe(b);
  EXPECT_NE(b.strata.run.stderr_text.find("Warning: Failed to open /nonexistent/headers.txt!"), std::string::npos)
      << Describe(b);
  // -s silences it in both.
  Both quiet = RunBoth({"-s", "-H", "@/nonexistent/headers.txt"});
  EXPECT_EQ(quiet.curl.run.stderr_text, "");
  EXPECT_EQ(quiet.strata.run.stderr_text, "");
}

TEST(CliCurlOptions, FailWithBodyWritesTheBodyAndExits22) {
  const std::string not_found =
      "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nConnection: close\r\n\r\nnope\n";
  Both b = RunBoth({"-sS", "--fail-with-body"}, "/p", not_found);
  ExpectSameRequest(b, {});
  EXPECT_EQ(b.strata.run.exit.exit_code, 22) << Describe(b);
  EXPECT_EQ(b.strata.run.stdout_text, "nope\n");
  EXPECT_NE(b.strata.run.stderr_text.find("(22) The requested URL returned error: 404"), std::string::npos)
      << Describe(b);
  // A success is a success.
  Both ok = RunBoth({"-sS", "--fail-with-body"});
  ExpectSameRequest(ok, {});
  EXPECT_EQ(ok.strata.run.exit.exit_code, 0);
}

TEST(CliCurlOptions, FailAndFailWithBodyTogetherAreRefused) {
  Both b = RunBoth({"-sS", "-f", "--fail-with-body"});
  EXPECT_EQ(b.strata.run.exit.exit_code, b.curl.run.exit.exit_code) << Describe(b);
  EXPECT_EQ(b.strata.run.exit.exit_code, 2) << Describe(b);
  EXPECT_TRUE(b.strata.request.empty());
  EXPECT_NE(b.strata.run.stderr_text.find("You must select either --fail or --fail-with-body, not both."),
            std::string::npos)
      << Describe(b);
}

TEST(CliCurlOptions, OutputDirAndCreateDirs) {
  Both b = RunBoth({"-sS", "--output-dir", "{DIR}/out", "--create-dirs", "-o", "a/b/body.txt"});
  ExpectSameRequest(b, {});
  EXPECT_EQ(b.strata.run.exit.exit_code, 0) << Describe(b);
  EXPECT_EQ(ReadFileIfExists(b.curl.dir + "/out/a/b/body.txt"), "ok\n");
  EXPECT_EQ(ReadFileIfExists(b.strata.dir + "/out/a/b/body.txt"), "ok\n");
  // Without --create-dirs the missing directories are an error: 23 in both.
  Both missing = RunBoth({"-sS", "--output-dir", "{DIR}/out", "-o", "a/b/body.txt"});
  EXPECT_EQ(missing.strata.run.exit.exit_code, missing.curl.run.exit.exit_code) << Describe(missing);
  EXPECT_EQ(missing.strata.run.exit.exit_code, 23) << Describe(missing);
}

// -D: every hop's head, as received, in a file truncated at the start;
// "-D -" puts them on stdout in front of the body.
TEST(CliCurlOptions, DumpHeaderWritesEveryHopsHead) {
  const PeerScript redirect_then_ok = {
      ReadRequest(),
      Send("HTTP/1.1 302 Found\r\nLocation: /q\r\nContent-Length: 0\r\nX-Hop: one\r\n\r\n"),
      ReadRequest(),
      Send("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Hop: two\r\nConnection: close\r\n\r\nok\n"),
      Close()};
  Both b = RunBoth({"-sS", "-L", "-D", "{DIR}/heads.txt", "-o", "{DIR}/body.txt"}, "/p", "", "", redirect_then_ok);
  EXPECT_EQ(b.strata.run.exit.exit_code, 0) << Describe(b);
  EXPECT_EQ(b.curl.run.exit.exit_code, 0) << Describe(b);
  const std::string curl_heads = ReadFileIfExists(b.curl.dir + "/heads.txt");
  EXPECT_NE(curl_heads.find("X-Hop: one"), std::string::npos) << curl_heads;
  EXPECT_EQ(ReadFileIfExists(b.strata.dir + "/heads.txt"), curl_heads);
  EXPECT_EQ(ReadFileIfExists(b.strata.dir + "/body.txt"), "ok\n");

  Both out = RunBoth({"-sS", "-D", "-"});
  ExpectSameRequest(out, {});
  EXPECT_EQ(out.strata.run.stdout_text.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << Describe(out);
}

// -r: the Range header as curl sends it, with curl's warnings for a bare
// number (a dash is appended) and for other characters (sent as given).
TEST(CliCurlOptions, RangeIsSentAsCurlSendsIt) {
  // Only the warnings: without -s curl also draws its progress meter on a
  // stderr that is not a terminal, which strata does not.
  auto warnings = [](const std::string& text) {
    std::string out;
    size_t at = 0;
    while ((at = text.find("Warning: ", at)) != std::string::npos) {
      size_t end = text.find('\n', at);
      out += text.substr(at, end == std::string::npos ? std::string::npos : end + 1 - at);
      at = end == std::string::npos ? text.size() : end + 1;
    }
    return out;
  };
  for (const char* range : {"0-9", "5", "-500", "0-1,5-6", "abc"}) {
    Both b = RunBoth({"-S", "-r", range});
    ExpectSameRequest(b, {"Range"});
    EXPECT_EQ(warnings(b.strata.run.stderr_text), warnings(b.curl.run.stderr_text)) << range << Describe(b);
  }
}

// -C - against nginx: a partial file is completed byte for byte; a
// complete one is left alone (nginx answers 416, a success for both).
TEST(CliCurlOptions, ContinueAtResumesAgainstNginx) {
  NginxFixture nginx;
  std::string data(200000, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7919) >> 3);
  nginx.WriteDocFile("data.bin", data);
  std::string e;
  ASSERT_TRUE(nginx.Start(&e)) << e;
  for (size_t have : {size_t{0}, size_t{1}, size_t{123456}, data.size()}) {
    std::string files[2];
    for (int side = 0; side < 2; ++side) {
      files[side] = MakeTempDir(side == 0 ? "curl-resume" : "strata-resume") + "/data.bin";
      if (have > 0) WriteFileOrDie(files[side], data.substr(0, have));
      ProcessOptions o;
      o.argv = {side == 0 ? "/usr/bin/curl" : RunfilePath("tools/strata"), "-sS", "-C", "-", "-o", files[side],
                nginx.Url("/data.bin")};
      o.env = {{"HOME", TestTmpDir()}};
      RunResult run = RunProcess(o, seconds(30));
      EXPECT_EQ(run.exit.exit_code, 0) << (side == 0 ? "curl " : "strata ") << have << ": " << run.stderr_text;
    }
    EXPECT_TRUE(ReadFileIfExists(files[0]) == data) << "curl, from " << have;
    EXPECT_TRUE(ReadFileIfExists(files[1]) == data) << "strata, from " << have;
  }
}

// A server that ignores the range: exit 33 in both, and the partial file
// is left as it was (nothing appended).
TEST(CliCurlOptions, ContinueAtRefusedByTheServerLeavesTheFile) {
  const std::string full = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789";
  Both b = RunBoth({"-sS", "-C", "4"}, "/p", full);
  EXPECT_EQ(HeaderValue(b.strata.request, "Range"), "bytes=4-") << Describe(b);
  ExpectSameRequest(b, {"Range"});
  EXPECT_EQ(b.strata.run.exit.exit_code, 33) << Describe(b);
  for (const std::string prefix : {"curl", "strata"}) {
    const std::string file = MakeTempDir(prefix + "-refused") + "/part.bin";
    WriteFileOrDie(file, "0123");
    ScriptedPeer peer({{ReadRequest(), Send(full), Close()}});
    ProcessOptions o;
    o.argv = {prefix == "curl" ? "/usr/bin/curl" : RunfilePath("tools/strata"), "-sS", "-C", "-", "-o", file,
              peer.Url("/p")};
    o.env = {{"HOME", TestTmpDir()}};
    RunResult run = RunProcess(o, seconds(30));
    EXPECT_EQ(run.exit.exit_code, 33) << prefix << ": " << run.stderr_text;
    EXPECT_EQ(ReadFileIfExists(file), "0123") << prefix;
  }
}

TEST(CliCurlOptions, NoProgressMeterSilencesTheBarOnly) {
  Both b = RunBoth({"-#", "--no-progress-meter", "-o", "{DIR}/body.txt"});
  ExpectSameRequest(b, {});
  EXPECT_EQ(b.curl.run.stderr_text, "") << Describe(b);
  EXPECT_EQ(b.strata.run.stderr_text, "") << Describe(b);
}

// -T: PUT with the file's bytes and length; a URL ending in '/' (or with
// no path) gets the file's name; "-" reads stdin, sent chunked.
TEST(CliCurlOptions, UploadFileIsSentAsCurlSendsIt) {
  const std::string file = TestTmpDir() + "/up load.txt";
  {
    FILE* f = fopen(file.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::string content;
    for (int i = 0; i < 3000; ++i) content += "line " + std::to_string(i) + "\n";
    fwrite(content.data(), 1, content.size(), f);
    fclose(f);
  }
  const std::vector<std::string> headers = {"Content-Length", "Transfer-Encoding", "Content-Type"};
  for (const char* path : {"/dir/", "/dir/name.txt", "", "/"}) {
    Both b = RunBoth({"-s", "-T", file}, path);
    ExpectSameRequest(b, headers);
    EXPECT_EQ(RequestLine(b.strata.request).substr(0, 4), "PUT ") << path;
  }
  // -X wins over PUT, as in curl.
  ExpectSameRequest(RunBoth({"-s", "-T", file, "-X", "POST"}, "/p"), headers);
  // stdin: no length, so chunked.
  Both in = RunBoth({"-s", "-T", "-"}, "/in", kOk, "", {}, file);
  ExpectSameRequest(in, {"Content-Length", "Transfer-Encoding"});
  EXPECT_EQ(HeaderValue(in.strata.request, "Transfer-Encoding"), "chunked");
}

TEST(CliCurlOptions, UploadFileMissingIsExit26) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-T", "/nonexistent/file"}, std::vector<std::string>{"-s", "-T", "/nonexistent/file"}}) {
    Both b = RunBoth(args, "/x");
    EXPECT_EQ(b.curl.run.exit.exit_code, 26);
    EXPECT_EQ(b.strata.run.exit.exit_code, 26);
    EXPECT_TRUE(b.strata.request.empty());
    std::string curl_err = b.curl.run.stderr_text;
    for (size_t at; (at = curl_err.find("curl")) != std::string::npos;) curl_err.replace(at, 4, "strata");
    // curl's hint also names its manual, which strata does not have.
    for (size_t at; (at = curl_err.find(" or 'strata --manual'")) != std::string::npos;) curl_err.erase(at, 21);
    EXPECT_EQ(b.strata.run.stderr_text, curl_err) << args[0];
  }
}

// URL globbing against nginx: the same transfers, outputs and errors.
TEST(CliCurlOptions, UrlGlobbingMatchesCurl) {
  NginxFixture nginx;
  for (const char* name : {"f1.txt", "f2.txt", "f3.txt", "fa.txt", "fb.txt", "fa1.txt", "fa2.txt", "fb1.txt", "fb2.txt"}) {
    nginx.WriteDocFile(name, std::string("content of ") + name + "\n");
  }
  std::string e;
  ASSERT_TRUE(nginx.Start(&e)) << e;
  const std::vector<std::vector<std::string>> cases = {
      {nginx.Url("/f[1-3].txt")},
      {nginx.Url("/f[1-3:2].txt")},
      {"-w", "%{url_effective}\n", "-o", "/dev/null", nginx.Url("/f{a,b}[1-2].txt")},
      {"-o", "{DIR}/out_#1.txt", nginx.Url("/f{a,b}.txt"), "-w", "%{http_code} "},
      {nginx.Url("/f[1-2].txt"), "-o", "{DIR}/o#1", "-o", "{DIR}/second", nginx.Url("/fa.txt"), "-w", "[%{url}]"},
      {"-g", nginx.Url("/f[1-3].txt"), "-w", "%{http_code}"},
      {"-S", nginx.Url("/[bad")},
      {"-S", nginx.Url("/f{a,b")},
  };
  for (std::vector<std::string> args : cases) {
    args.insert(args.begin(), "-s");
    std::string out[2], err[2], files[2];
    int code[2];
    for (int side = 0; side < 2; ++side) {
      const std::string dir = MakeTempDir(side ? "strata-glob" : "curl-glob");
      ProcessOptions o;
      o.argv = {side ? RunfilePath("tools/strata") : "/usr/bin/curl"};
      for (std::string a : args) {
        if (size_t at = a.find("{DIR}"); at != std::string::npos) a.replace(at, 5, dir);
        o.argv.push_back(a);
      }
      o.env = {{"HOME", TestTmpDir()}};
      RunResult r = RunProcess(o, seconds(30));
      out[side] = r.stdout_text;
      err[side] = r.stderr_text;
      code[side] = r.exit.exit_code;
      for (const char* f : {"out_a.txt", "out_b.txt", "o1", "o2", "second"}) {
        files[side] += std::string(f) + ":" + ReadFileIfExists(dir + "/" + f) + ";";
      }
    }
    for (size_t at; (at = err[0].find("curl:")) != std::string::npos;) err[0].replace(at, 5, "strata:");
    const std::string what = args.size() > 1 ? args[1] + " " + args.back() : args[0];
    EXPECT_EQ(out[1], out[0]) << what;
    EXPECT_EQ(err[1], err[0]) << what;
    EXPECT_EQ(code[1], code[0]) << what;
    EXPECT_EQ(files[1], files[0]) << what;
  }
}

// -V reads like curl -V: version and libraries, then the plugins found,
// protocols and features.
TEST(CliCurlOptions, VersionListsLibrariesPluginsAndFeatures) {
  ProcessOptions o;
  o.argv = {RunfilePath("tools/strata"), "-V"};
  RunResult r = RunProcess(o, seconds(30));
  ASSERT_EQ(r.exit.exit_code, 0) << r.stderr_text;
  const std::string& v = r.stdout_text;
  EXPECT_EQ(v.rfind("strata ", 0), 0u) << v;
  for (const char* part : {"(plugin ABI 1.3)", "zlib/", "brotli/", "zstd/", "libpsl/", "\nPlugins: tcp/",
                           " tls/", " h1/", " h2-alpn/", " h2-upgrade/", " connect-tunnel/", " udp/", " h3/",
                           "\nProtocols: http https\n", "\nFeatures: ", " alt-svc ", " cookies ", " HTTP2 ", " HTTP3 ",
                           " PSL ", " SSL ", " zstd\n"}) {
    EXPECT_NE(v.find(part), std::string::npos) << part << " in\n" << v;
  }
}

// -4/-6: nginx listens on 127.0.0.1 only, so localhost works over IPv4
// and is refused over IPv6, for both.
TEST(CliCurlOptions, AddressFamilyMatchesCurl) {
  NginxFixture nginx;
  nginx.WriteDocFile("f.txt", "four\n");
  std::string e;
  ASSERT_TRUE(nginx.Start(&e)) << e;
  const std::string url = "http://localhost:" + std::to_string(nginx.port()) + "/f.txt";
  for (const std::vector<std::string>& args : {std::vector<std::string>{"-4"}, std::vector<std::string>{"-6"},
                                               std::vector<std::string>{"-6", "-4"}}) {
    int code[2];
    std::string out[2];
    for (int side = 0; side < 2; ++side) {
      ProcessOptions o;
      o.argv = {side ? RunfilePath("tools/strata") : "/usr/bin/curl", "-s"};
      o.argv.insert(o.argv.end(), args.begin(), args.end());
      o.argv.push_back(url);
      o.env = {{"HOME", TestTmpDir()}};
      RunResult r = RunProcess(o, seconds(30));
      code[side] = r.exit.exit_code;
      out[side] = r.stdout_text;
    }
    EXPECT_EQ(code[1], code[0]) << args.back();
    EXPECT_EQ(out[1], out[0]) << args.back();
    EXPECT_EQ(code[0], args.back() == "-4" ? 0 : 7) << args.back();
  }
}

// -K: curl's config-file syntax, read by both.
TEST(CliCurlOptions, ConfigFileMatchesCurl) {
  NginxFixture nginx;
  nginx.WriteDocFile("k.txt", "from a config\n");
  std::string e;
  ASSERT_TRUE(nginx.Start(&e)) << e;
  const std::string dir = MakeTempDir("kcfg");
  auto write = [&](const std::string& name, const std::string& text) {
    const std::string path = dir + "/" + name;
    FILE* f = fopen(path.c_str(), "w");
    fwrite(text.data(), 1, text.size(), f);
    fclose(f);
    return path;
  };
  const std::string good = write("good.cfg", "# comment\nsilent\n--show-error\nurl = \"" + nginx.Url("/k.txt") +
                                                 "\"\n-o {DIR}/out.txt\nwrite-out = \"[%{http_code}]\\n\"\n"
                                                 "header: \"X-A: b c\"\n");
  const std::string unknown = write("unknown.cfg", "bogus-opt\nurl " + nginx.Url("/k.txt") + "\n");
  const std::string nested = write("nested.cfg", "-K " + unknown + "\n-s\n");
  const std::vector<std::vector<std::string>> cases = {
      {"-K", good},
      {"--no-progress-meter", "-K", unknown},
      {"-K", nested},
      {"-s", "-K", dir + "/missing.cfg", nginx.Url("/k.txt")},
  };
  for (const std::vector<std::string>& args : cases) {
    std::string out[2], err[2], file[2];
    int code[2];
    for (int side = 0; side < 2; ++side) {
      const std::string side_dir = MakeTempDir(side ? "strata-k" : "curl-k");
      std::vector<std::string> a = args;
      if (a[1] == good) {
        // The -o inside names this side's directory.
        std::string text = ReadFileIfExists(good);
        text.replace(text.find("{DIR}"), 5, side_dir);
        a[1] = write(side ? "good-strata.cfg" : "good-curl.cfg", text);
      }
      ProcessOptions o;
      o.argv = {side ? RunfilePath("tools/strata") : "/usr/bin/curl"};
      o.argv.insert(o.argv.end(), a.begin(), a.end());
      o.env = {{"HOME", TestTmpDir()}};
      RunResult r = RunProcess(o, seconds(30));
      out[side] = r.stdout_text;
      err[side] = r.stderr_text;
      code[side] = r.exit.exit_code;
      file[side] = ReadFileIfExists(side_dir + "/out.txt");
    }
    for (size_t at; (at = err[0].find("curl")) != std::string::npos;) err[0].replace(at, 4, "strata");
    for (size_t at; (at = err[0].find(" or 'strata --manual'")) != std::string::npos;) err[0].erase(at, 21);
    EXPECT_EQ(out[1], out[0]) << args[1];
    EXPECT_EQ(err[1], err[0]) << args[1];
    EXPECT_EQ(code[1], code[0]) << args[1];
    EXPECT_EQ(file[1], file[0]) << args[1];
  }
}

// -n, --netrc-file, --netrc-optional: the same Authorization as curl's.
TEST(CliCurlOptions, NetrcMatchesCurl) {
  const std::string netrc = "machine 127.0.0.1\nlogin alice\npassword s3cret\n\ndefault login dflt password dp\n";
  const std::string file = TestTmpDir() + "/netrc-file";
  for (const std::string& path : {file, TestTmpDir() + "/.netrc"}) {
    FILE* f = fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    fwrite(netrc.data(), 1, netrc.size(), f);
    fclose(f);
  }
  struct Case {
    std::vector<std::string> args;
    std::string userinfo;
  };
  const Case cases[] = {
      {{"-s", "--netrc-file", file}, ""},
      {{"-s", "-n"}, ""},
      {{"-s", "--netrc-optional"}, ""},
      {{"-s", "--netrc-file", file}, "alice@"},
      {{"-s", "--netrc-file", file}, "zed@"},
      {{"-s", "--netrc-file", file}, "carol:own@"},
      {{"-s", "--netrc-file", file, "-u", "bob:pw"}, ""},
      {{"-s", "--netrc-file", TestTmpDir() + "/missing"}, ""},
  };
  for (const Case& c : cases) {
    Both b = RunBoth(c.args, "/p", kOk, c.userinfo);
    ExpectSameRequest(b, {"Authorization"});
    const bool missing = c.args.back().find("/missing") != std::string::npos;
    EXPECT_EQ(HasHeader(b.strata.request, "Authorization"), !missing) << c.args[1] << " " << c.userinfo;
  }
}

// --remote-name-all (with a glob and an -o) and -N, next to curl.
TEST(CliCurlOptions, RemoteNameAllAndNoBufferMatchCurl) {
  NginxFixture nginx;
  for (const char* name : {"r1.txt", "r2.txt", "other.txt"}) nginx.WriteDocFile(name, std::string(name) + "\n");
  std::string e;
  ASSERT_TRUE(nginx.Start(&e)) << e;
  std::string listing[2], out[2];
  for (int side = 0; side < 2; ++side) {
    const std::string dir = MakeTempDir(side ? "strata-rna" : "curl-rna");
    ProcessOptions o;
    o.argv = {side ? RunfilePath("tools/strata") : "/usr/bin/curl", "-s", "--remote-name-all", "--output-dir", dir,
              "-o", "named.txt", nginx.Url("/other.txt"), nginx.Url("/r[1-2].txt")};
    o.env = {{"HOME", TestTmpDir()}};
    RunResult r = RunProcess(o, seconds(30));
    EXPECT_EQ(r.exit.exit_code, 0) << side << r.stderr_text;
    for (const char* f : {"named.txt", "r1.txt", "r2.txt", "other.txt"}) {
      listing[side] += std::string(f) + "=" + ReadFileIfExists(dir + "/" + f) + ";";
    }
    ProcessOptions n;
    n.argv = {side ? RunfilePath("tools/strata") : "/usr/bin/curl", "-s", "-N", nginx.Url("/r1.txt")};
    n.env = o.env;
    out[side] = RunProcess(n, seconds(30)).stdout_text;
  }
  EXPECT_EQ(listing[1], listing[0]);
  EXPECT_EQ(listing[0], "named.txt=other.txt\n;r1.txt=r1.txt\n;r2.txt=r2.txt\n;other.txt=;");
  EXPECT_EQ(out[1], out[0]);
}

}  // namespace
}  // namespace strata::test
