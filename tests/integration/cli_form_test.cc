// The CLI's -F/--form, --form-string and -J/--remote-header-name side by
// side with the installed curl (7.88): each command line runs once with
// curl and once with strata against a scripted peer that records the
// request, and the request line, the headers that matter, the body (its
// random boundaries replaced by BOUNDARY0, BOUNDARY1... in order of first
// appearance), stdout, the files written and the exit code must agree.
#include <dirent.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gtest/gtest.h"
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
  std::vector<std::string> requests;  // every request, in order
  std::string dir;      // what "{DIR}" stood for
};

struct Both {
  Side curl, strata;
};

struct RunSpec {
  std::string url_path = "/p";
  std::string response = kOk;
  std::string stdin_path;
  // Runs before each side with that side's {DIR} (to leave files there).
  std::function<void(const std::string& dir)> setup;
  std::vector<PeerScript> scripts;  // one per connection, instead of answering |response| once
};

// RunBoth runs |args| and the peer's URL, first with curl, then with
// strata, each against a fresh peer answering |spec.response|. "{DIR}" in
// an argument becomes a directory of that side's own.
Both RunBoth(const std::vector<std::string>& args, const RunSpec& spec = {}) {
  Both both;
  for (int side = 0; side < 2; ++side) {
    ScriptedPeer peer(spec.scripts.empty() ? std::vector<PeerScript>{{ReadRequest(), Send(spec.response), Close()}}
                                           : spec.scripts);
    ProcessOptions o;
    o.argv = {side == 0 ? "/usr/bin/curl" : RunfilePath("tools/strata")};
    const std::string dir = MakeTempDir(side == 0 ? "curl-side" : "strata-side");
    if (spec.setup) spec.setup(dir);
    for (std::string a : args) {
      if (size_t at = a.find("{DIR}"); at != std::string::npos) a.replace(at, 5, dir);
      o.argv.push_back(a);
    }
    o.argv.push_back(peer.Url(spec.url_path));
    o.env = {{"HOME", TestTmpDir()}};
    o.stdin_path = spec.stdin_path;
    Side& s = side == 0 ? both.curl : both.strata;
    s.dir = dir;
    s.run = RunProcess(o, seconds(30));
    peer.WaitForScripts(std::chrono::milliseconds(2000));
    std::vector<std::string> requests = peer.AllRequests();
    if (!requests.empty()) s.request = requests[0];
    s.requests = requests;
  }
  return both;
}

// NormalizeBoundaries replaces each curl-shaped boundary (24 '-' and 16
// hex digits) by BOUNDARY<n>, numbered in order of first appearance.
std::string NormalizeBoundaries(std::string text) {
  auto is_hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); };
  std::map<std::string, std::string> names;
  std::string out;
  const std::string dashes(24, '-');
  for (size_t i = 0; i < text.size();) {
    bool match = text.compare(i, 24, dashes) == 0 && i + 40 <= text.size();
    for (size_t k = i + 24; match && k < i + 40; ++k) match = is_hex(text[k]);
    if (!match) {
      out.push_back(text[i++]);
      continue;
    }
    const std::string boundary = text.substr(i, 40);
    auto [it, added] = names.emplace(boundary, "BOUNDARY" + std::to_string(names.size()));
    out += it->second;
    i += 40;
  }
  return out;
}

std::string RequestLine(const std::string& raw) { return raw.substr(0, raw.find("\r\n")); }
std::string Body(const std::string& raw) {
  size_t end = raw.find("\r\n\r\n");
  return end == std::string::npos ? "" : raw.substr(end + 4);
}

std::string Describe(const Both& b) {
  return "\n--- curl (" + b.curl.run.exit.Describe() + ")\n" + b.curl.request + "\nstderr: " +
         b.curl.run.stderr_text + "\n--- strata (" + b.strata.run.exit.Describe() + ")\n" + b.strata.request +
         "\nstderr: " + b.strata.run.stderr_text;
}

// Files lists "name: content" of the regular files in |dir|, sorted.
std::string Files(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  std::string out;
  for (const std::string& name : names) out += name + ": " + ReadFileIfExists(dir + "/" + name) + "\n";
  return out;
}

// Warnings keeps curl's "Warning: " lines of |text| (without -s curl
// draws a progress meter on a stderr that is not a terminal; strata not).
std::string Warnings(const std::string& text) {
  std::string out;
  size_t at = 0;
  while ((at = text.find("Warning: ", at)) != std::string::npos) {
    size_t end = text.find('\n', at);
    out += text.substr(at, end == std::string::npos ? std::string::npos : end + 1 - at);
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

// FlatWarnings is Warnings unwrapped into one line each, |dir| written
// "{DIR}" (the two sides' directories differ, and so does the wrapping).
std::string FlatWarnings(const std::string& text, const std::string& dir) {
  std::string flat = Warnings(text);
  for (size_t at; (at = flat.find("\nWarning: ")) != std::string::npos;) flat.replace(at, 10, "");
  for (size_t at; (at = flat.find(dir)) != std::string::npos;) flat.replace(at, dir.size(), "{DIR}");
  return flat;
}

// ExpectSameForm: the same request line, Content-Type and Content-Length,
// the same body once boundaries are named, the same stdout and exit code.
void ExpectSameForm(const Both& b) {
  ASSERT_FALSE(b.curl.request.empty()) << Describe(b);
  ASSERT_FALSE(b.strata.request.empty()) << Describe(b);
  EXPECT_EQ(RequestLine(b.strata.request), RequestLine(b.curl.request)) << Describe(b);
  EXPECT_EQ(NormalizeBoundaries(HeaderValue(b.strata.request, "Content-Type")),
            NormalizeBoundaries(HeaderValue(b.curl.request, "Content-Type")))
      << Describe(b);
  EXPECT_EQ(HeaderValue(b.strata.request, "Content-Length"), HeaderValue(b.curl.request, "Content-Length"))
      << Describe(b);
  EXPECT_FALSE(HeaderValue(b.strata.request, "Content-Length").empty()) << Describe(b);
  EXPECT_EQ(HeaderValue(b.strata.request, "Transfer-Encoding"), "") << Describe(b);
  EXPECT_EQ(NormalizeBoundaries(Body(b.strata.request)), NormalizeBoundaries(Body(b.curl.request))) << Describe(b);
  EXPECT_EQ(b.strata.run.exit.exit_code, b.curl.run.exit.exit_code) << Describe(b);
  EXPECT_EQ(b.strata.run.exit.exit_code, 0) << Describe(b);
  EXPECT_EQ(b.strata.run.stdout_text, b.curl.run.stdout_text) << Describe(b);
}

// Fixture files, made once.
struct Files_ {
  std::string dir, txt, dat, xml, headers, big, huge;
};
const Files_& Fixture() {
  static const Files_* files = [] {
    auto* f = new Files_;
    f->dir = MakeTempDir("form-files");
    f->txt = f->dir + "/a.txt";
    f->dat = f->dir + "/b.dat";
    f->xml = f->dir + "/c.XML";
    f->headers = f->dir + "/headers.txt";
    f->big = f->dir + "/big.bin";
    WriteFileOrDie(f->txt, "hello\n");
    WriteFileOrDie(f->dat, std::string("line1\r\nline2\n\0\xff", 15));
    WriteFileOrDie(f->xml, "<x/>");
    WriteFileOrDie(f->headers, "X-H1: one\r\n# a comment\nX-H2: two\n  folded\n");
    std::string big(300000, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 5);
    WriteFileOrDie(f->big, big);
    f->huge = f->dir + "/huge.bin";
    WriteFileOrDie(f->huge, big + big + big + big + big);
    return f;
  }();
  return *files;
}

TEST(NormalizeBoundaries, NamesBoundariesInOrder) {
  const std::string a = "------------------------0123456789abcdef", b = "------------------------fedcba9876543210";
  EXPECT_EQ(NormalizeBoundaries("x; boundary=" + a + "\r\n--" + b + "--" + a + "--"),
            "x; boundary=BOUNDARY0\r\n--BOUNDARY1--BOUNDARY0--");
  EXPECT_EQ(NormalizeBoundaries("------------------------0123"), "------------------------0123");
}

// 1
TEST(CliForm, TextAndFileParts) {
  Both b = RunBoth({"-sS", "-F", "name=value", "-F", "file=@" + Fixture().txt});
  ExpectSameForm(b);
  EXPECT_EQ(RequestLine(b.strata.request), "POST /p HTTP/1.1");
  EXPECT_NE(Body(b.strata.request).find("name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\n"),
            std::string::npos)
      << Describe(b);
}

// 2: the Content-Type of each kind of part, and the order of parts kept.
TEST(CliForm, ContentTypesAsCurlGuessesThem) {
  const Files_& f = Fixture();
  Both b = RunBoth({"-sS", "-F", "a=<" + f.txt, "-F", "b=@" + f.dat, "-F", "c=@" + f.xml, "-F", "d=v;type=text/x-foo",
                    "-F", "e=@" + f.txt + ";filename=other.bin", "-F", "f=v;filename=f.txt", "-F",
                    "g=<" + f.xml, "-F", "h=v;type=text/plain; charset=utf-8"});
  ExpectSameForm(b);
}

// 3: names and filenames with '"', CR and LF; quoted values with ';' and
// ','; backslash escapes in quotes.
TEST(CliForm, EscapingAndQuoting) {
  Both b = RunBoth({"-sS", "-F", "na\"m\re\nx=v", "-F", "f=@" + Fixture().txt + ";filename=\"q\\\"u;o,t\\\\e.txt\"",
                    "-F", "g=\"a;b,c\";type=text/x", "-F", "s=  spaced  "});
  ExpectSameForm(b);
  EXPECT_NE(Body(b.strata.request).find("name=\"na%22m%0De%0Ax\""), std::string::npos) << Describe(b);
  EXPECT_NE(Body(b.strata.request).find("filename=\"q%22u;o,t\\e.txt\""), std::string::npos) << Describe(b);
}

// 4: ;headers= inline, from a file (comments, folding), and a
// Content-Type header that becomes the part's type.
TEST(CliForm, PartHeaders) {
  Both b = RunBoth({"-sS", "-F", "h=x;headers=\"X-A: 1\";headers=X-B: 2", "-F", "i=y;headers=@" + Fixture().headers,
                    "-F", "j=z;headers=\"Content-Type: text/y\""});
  ExpectSameForm(b);
  EXPECT_NE(Body(b.strata.request).find("X-H2: two  folded\r\n"), std::string::npos) << Describe(b);
}

// 5: unknown modifiers, ';' in plain text and text after a closing quote
// are dropped with curl's warnings.
TEST(CliForm, WarningsForDroppedText) {
  Both b = RunBoth({"-S", "--no-progress-meter", "-F", "k=p;foo=bar", "-F", "l=\"quo\"ted", "-F", "m=a;b"});
  ExpectSameForm(b);
  EXPECT_EQ(b.strata.run.stderr_text, b.curl.run.stderr_text) << Describe(b);
  EXPECT_NE(b.strata.run.stderr_text.find("Warning: skip unknown form field: foo=bar"), std::string::npos);
  // -s mutes them in both.
  Both quiet = RunBoth({"-s", "-F", "k=p;foo=bar"});
  ExpectSameForm(quiet);
  EXPECT_EQ(quiet.strata.run.stderr_text, "");
}

// 6-8: standard input as a file part ("-" named), as text, and renamed.
TEST(CliForm, StandardInput) {
  RunSpec spec;
  spec.stdin_path = Fixture().txt;
  ExpectSameForm(RunBoth({"-sS", "-F", "a=@-"}, spec));
  ExpectSameForm(RunBoth({"-sS", "-F", "a=<-"}, spec));
  Both renamed = RunBoth({"-sS", "-F", "a=@-;filename=x.png"}, spec);
  ExpectSameForm(renamed);
  EXPECT_NE(Body(renamed.strata.request).find("Content-Type: image/png"), std::string::npos) << Describe(renamed);
}

// 9: several files in one field: a multipart/mixed part of attachments.
TEST(CliForm, SeveralFilesInOneField) {
  Both b = RunBoth({"-sS", "-F", "a=1", "-F", "b=@" + Fixture().txt + "," + Fixture().xml});
  ExpectSameForm(b);
  EXPECT_NE(Body(b.strata.request).find("Content-Disposition: attachment; filename=\"c.XML\""), std::string::npos)
      << Describe(b);
}

// 10-11: -H Content-Type keeps curl's semantics: the boundary is added to
// the user's type, parts become attachments; "Content-Type:" leaves
// "; boundary=..." alone.
TEST(CliForm, UserContentType) {
  Both mixed = RunBoth({"-sS", "-F", "a=1", "-F", "=2", "-H", "Content-Type: multipart/mixed"});
  ExpectSameForm(mixed);
  EXPECT_EQ(NormalizeBoundaries(HeaderValue(mixed.strata.request, "Content-Type")), "multipart/mixed; boundary=BOUNDARY0");
  Both removed = RunBoth({"-sS", "-F", "a=1", "-H", "Content-Type:"});
  ExpectSameForm(removed);
  Both related = RunBoth({"-sS", "-F", "a=1", "-H", "content-type: multipart/form-data; charset=x"});
  ExpectSameForm(related);
}

// 12-15: a nameless part, --form-string, -G (still POST), -X.
TEST(CliForm, NamelessFormStringGetAndMethod) {
  ExpectSameForm(RunBoth({"-sS", "-F", "=nameless"}));
  Both literal = RunBoth({"-sS", "--form-string", "a=@x;type=y", "--form-string", "b=<z", "-F", "c=1"});
  ExpectSameForm(literal);
  EXPECT_NE(Body(literal.strata.request).find("\r\n\r\n@x;type=y\r\n"), std::string::npos) << Describe(literal);
  Both get = RunBoth({"-sS", "-G", "-F", "a=1"});
  ExpectSameForm(get);
  EXPECT_EQ(RequestLine(get.strata.request), "POST /p HTTP/1.1");
  Both put = RunBoth({"-sS", "-X", "PUT", "-F", "a=1"});
  ExpectSameForm(put);
  EXPECT_EQ(RequestLine(put.strata.request), "PUT /p HTTP/1.1");
}

// 16: large files: strata streams a body over 1 MiB from its files (curl
// sends "Expect: 100-continue" first, which strata does not); both arrive
// whole with their Content-Length.
TEST(CliForm, LargeFiles) {
  Both b = RunBoth({"-sS", "-F", "big=@" + Fixture().big, "-F", "after=1"});
  ExpectSameForm(b);
  EXPECT_GT(Body(b.strata.request).size(), 300000u);
  Both huge = RunBoth({"-sS", "-F", "a=1", "-F", "huge=@" + Fixture().huge, "-F", "big=<" + Fixture().big});
  ExpectSameForm(huge);
  EXPECT_GT(Body(huge.strata.request).size(), 1800000u);
}

// 17: a 307 with -L sends the form again (a body up to 1 MiB is kept in
// memory for it); a 303 turns it into a GET without a body.
TEST(CliForm, RedirectsResendOrDropTheForm) {
  for (const char* status : {"307 Temporary Redirect", "303 See Other"}) {
    RunSpec spec;
    spec.scripts = {{ReadRequest(),
                     Send(std::string("HTTP/1.1 ") + status + "\r\nLocation: /q\r\nContent-Length: 0\r\n\r\n"),
                     ReadRequest(), Send(kOk), Close()}};
    Both b = RunBoth({"-sS", "-L", "-F", "a=1", "-F", "f=@" + Fixture().txt}, spec);
    ExpectSameForm(b);
    ASSERT_EQ(b.curl.requests.size(), 2u) << Describe(b);
    ASSERT_EQ(b.strata.requests.size(), 2u) << Describe(b);
    EXPECT_EQ(RequestLine(b.strata.requests[1]), RequestLine(b.curl.requests[1])) << status;
    EXPECT_EQ(NormalizeBoundaries(Body(b.strata.requests[1])), NormalizeBoundaries(Body(b.curl.requests[1])))
        << status;
    EXPECT_EQ(HeaderValue(b.strata.requests[1], "Content-Length"), HeaderValue(b.curl.requests[1], "Content-Length"))
        << status;
  }
}

// Dechunk undoes chunked framing (the two sides cut chunks differently).
std::string Dechunk(const std::string& body) {
  std::string out;
  size_t at = 0;
  while (at < body.size()) {
    size_t line_end = body.find("\r\n", at);
    if (line_end == std::string::npos) return "<bad chunking>";
    size_t size = std::stoul(body.substr(at, line_end - at), nullptr, 16);
    if (size == 0) break;
    out += body.substr(line_end + 2, size);
    at = line_end + 2 + size + 2;
  }
  return out;
}

// A pipe (/dev/stdin fed by sh) is streamed to its end and the body sent
// chunked, as curl sends it; the parts are the same.
TEST(CliForm, APipeIsSentChunked) {
  std::string requests[2];
  for (int side = 0; side < 2; ++side) {
    ScriptedPeer peer({{ReadRequest(), Send(kOk), Close()}});
    ProcessOptions o;
    o.argv = {"/bin/sh", "-c", "printf 'piped\\n' | \"$0\" \"$@\"",
              side == 0 ? "/usr/bin/curl" : RunfilePath("tools/strata"),
              "-sS", "-F", "a=@/dev/stdin", "-F", "b=1", peer.Url("/p")};
    o.env = {{"HOME", TestTmpDir()}};
    RunResult run = RunProcess(o, seconds(30));
    EXPECT_EQ(run.exit.exit_code, 0) << side << run.stderr_text;
    EXPECT_EQ(run.stdout_text, "ok\n");
    peer.WaitForScripts(std::chrono::milliseconds(2000));
    std::vector<std::string> all = peer.AllRequests();
    ASSERT_EQ(all.size(), 1u) << side;
    requests[side] = all[0];
    EXPECT_EQ(HeaderValue(all[0], "Transfer-Encoding"), "chunked") << all[0];
    EXPECT_EQ(HeaderValue(all[0], "Content-Length"), "") << all[0];
  }
  EXPECT_EQ(NormalizeBoundaries(Dechunk(Body(requests[1]))), NormalizeBoundaries(Dechunk(Body(requests[0]))));
  EXPECT_NE(Dechunk(Body(requests[1])).find("filename=\"stdin\"\r\nContent-Type: application/octet-stream\r\n\r\npiped\n\r\n"),
            std::string::npos)
      << requests[1];
}

// --retry sends the form again after a 503, as curl does.
TEST(CliForm, RetriesSendTheFormAgain) {
  RunSpec spec;
  spec.scripts = {
      {ReadRequest(), Send("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), Close()},
      {ReadRequest(), Send(kOk), Close()}};
  Both b = RunBoth({"-sS", "--retry", "1", "--retry-delay", "1", "-F", "a=1", "-F", "f=@" + Fixture().txt}, spec);
  ExpectSameForm(b);
  ASSERT_EQ(b.curl.requests.size(), 2u) << Describe(b);
  ASSERT_EQ(b.strata.requests.size(), 2u) << Describe(b);
  EXPECT_EQ(NormalizeBoundaries(Body(b.strata.requests[1])), NormalizeBoundaries(Body(b.curl.requests[1])));
  EXPECT_EQ(NormalizeBoundaries(Body(b.strata.requests[1])), NormalizeBoundaries(Body(b.strata.requests[0])));
}

// -F in a -K file, as curl's config syntax has it.
TEST(CliForm, FromACurlConfigFile) {
  const std::string config = MakeTempDir("form-config") + "/form.conf";
  WriteFileOrDie(config, "form = \"a=1\"\n-F \"f=@" + Fixture().txt + ";type=text/x\"\nform-string = \"s=@lit\"\n");
  Both b = RunBoth({"-sS", "-K", config});
  ExpectSameForm(b);
  EXPECT_NE(Body(b.strata.request).find("\r\n\r\n@lit\r\n"), std::string::npos) << Describe(b);
}

// Unlike curl, strata cannot send a streamed body (over 1 MiB) again: a
// 307 then stops with a clear error (exit 47), after one request.
TEST(CliForm, AStreamedFormIsNotResentOnA307) {
  ScriptedPeer peer({{ReadRequest(),
                      Send("HTTP/1.1 307 Temporary Redirect\r\nLocation: /q\r\nContent-Length: 0\r\n\r\n"),
                      ReadRequest(), Send(kOk), Close()}});
  ProcessOptions o;
  o.argv = {RunfilePath("tools/strata"), "-sS", "-L", "-F", "huge=@" + Fixture().huge, peer.Url("/p")};
  o.env = {{"HOME", TestTmpDir()}};
  RunResult run = RunProcess(o, seconds(30));
  EXPECT_EQ(run.exit.exit_code, 47) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("needs the request body again, but it came from a reader that cannot be replayed"),
            std::string::npos)
      << run.stderr_text;
  peer.WaitForScripts(std::chrono::milliseconds(500));
  EXPECT_EQ(peer.AllRequests().size(), 1u);
}

// 17-18: a file that cannot be opened: curl's message, exit 26, and
// nothing is sent.
TEST(CliForm, MissingFiles) {
  for (const char* arg : {"a=@/nonexistent/f.txt", "a=</nonexistent/f.txt"}) {
    Both b = RunBoth({"-sS", "-F", arg});
    EXPECT_EQ(b.curl.run.exit.exit_code, 26) << Describe(b);
    EXPECT_EQ(b.strata.run.exit.exit_code, 26) << Describe(b);
    EXPECT_TRUE(b.curl.request.empty()) << Describe(b);
    EXPECT_TRUE(b.strata.request.empty()) << Describe(b);
    EXPECT_NE(b.strata.run.stderr_text.find("(26) Failed to open/read local data from file/application"),
              std::string::npos)
        << Describe(b);
  }
}

// 19-20: -F with -d (or --json) or -T: curl's warning and exit 2, -s
// muting the warning.
TEST(CliForm, FormWithDataOrUploadIsRefused) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"-S", "-F", "a=1", "-d", "x=1"},
           {"-S", "-d", "x=1", "-F", "a=1"},
           {"-S", "-F", "a=1", "--json", "{}"},
           {"-S", "-F", "a=1", "-T", Fixture().txt}}) {
    Both b = RunBoth(args);
    EXPECT_EQ(b.curl.run.exit.exit_code, 2) << Describe(b);
    EXPECT_EQ(b.strata.run.exit.exit_code, 2) << Describe(b);
    EXPECT_TRUE(b.strata.request.empty()) << Describe(b);
    EXPECT_EQ(b.strata.run.stderr_text, b.curl.run.stderr_text) << Describe(b);
    EXPECT_NE(b.strata.run.stderr_text.find("Warning: You can only select one HTTP request method!"),
              std::string::npos);
  }
  Both quiet = RunBoth({"-s", "-F", "a=1", "-d", "x=1"});
  EXPECT_EQ(quiet.strata.run.exit.exit_code, 2);
  EXPECT_EQ(quiet.curl.run.stderr_text, "");
  EXPECT_EQ(quiet.strata.run.stderr_text, "");
}

// 21-23: -F with -I (either order) and malformed arguments: exit 2,
// "is badly used here" with curl's reason.
TEST(CliForm, UsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string reason;
  };
  for (const Case& c : std::vector<Case>{
           {{"-F", "a=1", "-I"}, "You asked for both HEAD (-I, --head) and multipart formpost (-F, --form)."},
           {{"-I", "-F", "a=1"}, "You asked for both multipart formpost (-F, --form) and HEAD (-I, --head)."},
           {{"-F", "noequals"}, "Illegally formatted input field!"},
           {{"-F", "a=v;type=bad"}, "Illegally formatted content-type field!"}}) {
    Both b = RunBoth(c.args);
    EXPECT_EQ(b.curl.run.exit.exit_code, 2) << Describe(b);
    EXPECT_EQ(b.strata.run.exit.exit_code, 2) << Describe(b);
    EXPECT_TRUE(b.strata.request.empty()) << Describe(b);
    EXPECT_NE(b.strata.run.stderr_text.find("is badly used here"), std::string::npos) << Describe(b);
    auto flat = [](std::string s) {  // curl wraps its warnings
      std::string out;
      for (size_t at = 0; (at = s.find("\nWarning: ")) != std::string::npos;) s.replace(at, 10, "");
      for (char c : s) out.push_back(c == '\n' ? ' ' : c);
      return out;
    };
    EXPECT_NE(flat(b.curl.run.stderr_text).find(c.reason), std::string::npos) << Describe(b);
    EXPECT_NE(b.strata.run.stderr_text.find(c.reason), std::string::npos) << Describe(b);
  }
}

// 24: a ;headers=@file that cannot be read is a warning; the part is sent.
TEST(CliForm, UnreadableHeaderFileIsAWarning) {
  Both b = RunBoth({"-S", "--no-progress-meter", "-F", "a=v;headers=@/nonexistent/h.txt"});
  ExpectSameForm(b);
  EXPECT_EQ(Warnings(b.strata.run.stderr_text), Warnings(b.curl.run.stderr_text)) << Describe(b);
  EXPECT_NE(b.strata.run.stderr_text.find("Warning: Cannot read from /nonexistent/h.txt: No such file or directory"),
            std::string::npos);
}

// -J: the responses carry Content-Disposition headers; files land in
// --output-dir {DIR} (curl honours it for -J too).
std::string WithDisposition(const std::string& header) {
  return "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n" + header + "Connection: close\r\n\r\nok\n";
}

void ExpectSameFiles(const Both& b, int exit_code) {
  EXPECT_EQ(b.curl.run.exit.exit_code, exit_code) << Describe(b);
  EXPECT_EQ(b.strata.run.exit.exit_code, exit_code) << Describe(b);
  EXPECT_EQ(Files(b.strata.dir), Files(b.curl.dir)) << Describe(b);
  EXPECT_EQ(b.strata.run.stdout_text, b.curl.run.stdout_text) << Describe(b);
  EXPECT_EQ(FlatWarnings(b.strata.run.stderr_text, b.strata.dir), FlatWarnings(b.curl.run.stderr_text, b.curl.dir))
      << Describe(b);
}

// 25-31: which name is taken from which header.
TEST(CliRemoteHeaderName, NamesFromContentDisposition) {
  struct Case {
    std::string header;
    std::string file;  // "" : the URL's name, "p"
  };
  for (const Case& c : std::vector<Case>{
           {"Content-Disposition: attachment; filename=\"../../etc/passwd\"\r\n", "passwd"},
           {"Content-Disposition: attachment; filename=plain name.txt ; x=y\r\n", "plain name.txt "},
           {"content-disposition: inline;filename=x.txt\r\n", "x.txt"},
           {"Content-Disposition: attachment; filename=\"unterminated\r\n", "unterminated"},
           {"Content-Disposition: attachment; FILENAME=\"upper.txt\"\r\n", "p"},
           {"Content-Disposition: attachment; filename*=UTF-8''star.txt\r\n", "p"},
           {"Content-Disposition: attachment; filename=\"dir/\"\r\n", "p"},
           {"Content-Disposition: attachment; filename=\"a\\\\b.txt\"\r\n", "b.txt"},
           {"Content-Disposition: attachment; filename='single.txt'; filename=\"second.txt\"\r\n", "single.txt"},
           {"", "p"}}) {
    RunSpec spec;
    spec.response = WithDisposition(c.header);
    Both b = RunBoth({"-sS", "-O", "-J", "--output-dir", "{DIR}"}, spec);
    ExpectSameFiles(b, 0);
    EXPECT_EQ(Files(b.strata.dir), c.file + ": ok\n\n") << c.header << Describe(b);
  }
}

// With -L the first response that has the header names the file: here
// the redirect's.
TEST(CliRemoteHeaderName, ARedirectsHeaderCounts) {
  for (const char* first : {"Content-Disposition: attachment; filename=\"from-redirect.txt\"\r\n", ""}) {
    RunSpec spec;
    spec.scripts = {{ReadRequest(),
                     Send(std::string("HTTP/1.1 302 Found\r\nLocation: /q\r\nContent-Length: 0\r\n") + first + "\r\n"),
                     ReadRequest(),
                     Send(WithDisposition("Content-Disposition: attachment; filename=\"final.txt\"\r\n")), Close()}};
    Both b = RunBoth({"-sS", "-L", "-O", "-J", "--output-dir", "{DIR}"}, spec);
    ExpectSameFiles(b, 0);
    EXPECT_EQ(Files(b.strata.dir), std::string(*first ? "from-redirect.txt" : "final.txt") + ": ok\n\n") << Describe(b);
  }
}

// 32: an existing file is never replaced: curl's warning, exit 23.
TEST(CliRemoteHeaderName, RefusesToOverwrite) {
  RunSpec spec;
  spec.response = WithDisposition("Content-Disposition: attachment; filename=\"exist.txt\"\r\n");
  spec.setup = [](const std::string& dir) { WriteFileOrDie(dir + "/exist.txt", "old\n"); };
  Both b = RunBoth({"-S", "--no-progress-meter", "-O", "-J", "--output-dir", "{DIR}"}, spec);
  ExpectSameFiles(b, 23);
  EXPECT_EQ(ReadFileIfExists(b.strata.dir + "/exist.txt"), "old\n");
  EXPECT_NE(FlatWarnings(b.strata.run.stderr_text, b.strata.dir)
                .find("Warning: Failed to open the file {DIR}/exist.txt: File exists"),
            std::string::npos)
      << Describe(b);
  EXPECT_NE(b.strata.run.stderr_text.find("(23) Failed writing header"), std::string::npos) << Describe(b);
}

// 33-34: an empty name is exit 23 ("Remote filename has no length!");
// a URL without a name and no header is exit 23 as well.
TEST(CliRemoteHeaderName, EmptyNames) {
  for (const char* header : {"Content-Disposition: attachment; filename=\"\"\r\n",
                             "Content-Disposition: attachment; filename=\r\n"}) {
    RunSpec spec;
    spec.response = WithDisposition(header);
    Both b = RunBoth({"-S", "--no-progress-meter", "-O", "-J", "--output-dir", "{DIR}"}, spec);
    ExpectSameFiles(b, 23);
    EXPECT_NE(b.strata.run.stderr_text.find("Remote filename has no length!"), std::string::npos) << Describe(b);
  }
  RunSpec root;
  root.url_path = "/";
  Both b = RunBoth({"-sS", "-O", "-J", "--output-dir", "{DIR}"}, root);
  ExpectSameFiles(b, 23);
  // The header supplies the name the URL lacks.
  root.response = WithDisposition("Content-Disposition: attachment; filename=\"fromcd.txt\"\r\n");
  Both named = RunBoth({"-sS", "-O", "-J", "--output-dir", "{DIR}"}, root);
  ExpectSameFiles(named, 0);
  EXPECT_EQ(Files(named.strata.dir), "fromcd.txt: ok\n\n");
}

// 35-37: -J with -i or -I is refused (exit 2); without -O it changes
// nothing.
TEST(CliRemoteHeaderName, CombinationsWithOtherOptions) {
  for (const char* show : {"-i", "-I"}) {
    Both b = RunBoth({"-sS", show, "-O", "-J", "--output-dir", "{DIR}"});
    EXPECT_EQ(b.curl.run.exit.exit_code, 2) << Describe(b);
    EXPECT_EQ(b.strata.run.exit.exit_code, 2) << Describe(b);
    EXPECT_NE(b.strata.run.stderr_text.find("showing headers and --remote-header-name cannot be combined"),
              std::string::npos)
        << Describe(b);
  }
  RunSpec spec;
  spec.response = WithDisposition("Content-Disposition: attachment; filename=\"x.txt\"\r\n");
  Both b = RunBoth({"-sS", "-J"}, spec);
  ExpectSameFiles(b, 0);
  EXPECT_EQ(b.strata.run.stdout_text, "ok\n");
}

}  // namespace
}  // namespace strata::test
