#include "tools/cli/multipart.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

constexpr char kB[] = "------------------------0123456789abcdef";

std::string TempFile(const std::string& name, const std::string& content) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

FormField Field(const std::string& arg) {
  absl::StatusOr<ParsedForm> parsed = ParseFormArgument(arg, false);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed->field;
}

// ReadAll streams |body| through a reader in |chunk|-byte reads.
std::string ReadAll(const MultipartBody& body, size_t chunk) {
  MultipartReader reader(&body);
  std::string out;
  std::vector<char> buf(chunk);
  for (int i = 0; i < 100000; ++i) {
    absl::StatusOr<size_t> n = reader.Read(buf.data(), buf.size());
    EXPECT_TRUE(n.ok()) << n.status();
    if (!n.ok() || *n == 0) break;
    out.append(buf.data(), *n);
    // done() with the read that returns the last byte (the body reader's
    // end of stream).
    if (reader.done()) break;
  }
  EXPECT_TRUE(reader.done());
  return out;
}

std::string Build(const std::vector<std::string>& args, const std::string& type = "multipart/form-data",
                  std::vector<std::string>* warnings = nullptr, const FormStdin& in = nullptr) {
  std::vector<FormField> fields;
  for (const std::string& a : args) fields.push_back(Field(a));
  std::vector<std::string> ignored;
  absl::StatusOr<MultipartBody> body = BuildMultipartBody(fields, type, kB, warnings ? warnings : &ignored, in);
  EXPECT_TRUE(body.ok()) << body.status();
  if (!body.ok()) return "";
  std::string whole = ReadAll(*body, 65536);
  EXPECT_EQ(static_cast<int64_t>(whole.size()), body->size);
  EXPECT_EQ(ReadAll(*body, 1), whole);  // the same bytes however it is read
  EXPECT_EQ(ReadAll(*body, 7), whole);
  absl::StatusOr<std::string> bytes = MultipartBodyBytes(*body);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  if (bytes.ok()) {
    EXPECT_EQ(*bytes, whole);
  }
  return whole;
}

const std::string kDash = std::string("--") + kB;

TEST(Multipart, TextAndFileParts) {
  std::string path = TempFile("a.txt", "hello\n");
  EXPECT_EQ(Build({"name=value", "file=@" + path}),
            kDash + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nvalue\r\n" + kDash +
                "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\nhello\n\r\n" +
                kDash + "--\r\n");
}

TEST(Multipart, ContentTypes) {
  std::string txt = TempFile("c.txt", "t");
  std::string xml = TempFile("c.XML", "<x/>");
  std::string bin = TempFile("b.dat", "\x01");
  // <file: no filename; text/plain left out, other guesses kept.
  EXPECT_EQ(Build({"a=<" + txt}), kDash + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nt\r\n" + kDash + "--\r\n");
  EXPECT_NE(Build({"a=<" + xml}).find("\r\nContent-Type: application/xml\r\n"), std::string::npos);
  // A file part: the extension, else application/octet-stream.
  EXPECT_NE(Build({"b=@" + bin}).find("filename=\"b.dat\"\r\nContent-Type: application/octet-stream\r\n"),
            std::string::npos);
  // ;filename= names it; its extension comes first, then the file's.
  EXPECT_NE(Build({"e=@" + txt + ";filename=other.bin"}).find("filename=\"other.bin\"\r\nContent-Type: text/plain"),
            std::string::npos);
  EXPECT_NE(Build({"e=@" + txt + ";filename=o.png"}).find("Content-Type: image/png"), std::string::npos);
  // A text part with a filename: guessed from it.
  EXPECT_NE(Build({"f=v;filename=f.txt"}).find("filename=\"f.txt\"\r\nContent-Type: text/plain"), std::string::npos);
  // An explicit type is always sent, text/plain too.
  EXPECT_NE(Build({"d=v;type=text/plain"}).find("name=\"d\"\r\nContent-Type: text/plain\r\n"), std::string::npos);
}

TEST(Multipart, UserHeaders) {
  std::string h = TempFile("h.txt", "X-H1: one\n# c\nX-H2: two\n");
  std::string body = Build({"h=x;headers=\"X-A: 1\";headers=@" + h, "j=z;headers=\"Content-Type: text/y\""});
  EXPECT_NE(body.find("name=\"h\"\r\nX-A: 1\r\nX-H1: one\r\nX-H2: two\r\n\r\nx\r\n"), std::string::npos) << body;
  // A Content-Type header becomes the part's type, in its place.
  EXPECT_NE(body.find("name=\"j\"\r\nContent-Type: text/y\r\n\r\nz\r\n"), std::string::npos) << body;
  // A header file that cannot be read: curl's warning, no headers.
  std::vector<std::string> warnings;
  std::string missing = Build({"m=y;headers=@/nonexistent/h"}, "multipart/form-data", &warnings);
  EXPECT_NE(missing.find("name=\"m\"\r\n\r\ny\r\n"), std::string::npos);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "Cannot read from /nonexistent/h: No such file or directory\n");
}

TEST(Multipart, NamesAreEscaped) {
  EXPECT_EQ(EscapeFormName("na\"m\re\nx\\;,"), "na%22m%0De%0Ax\\;,");
  std::string body = Build({"na\"me=v;filename=\"q\\\"u.bin\""});
  EXPECT_NE(body.find("name=\"na%22me\"; filename=\"q%22u.bin\""), std::string::npos) << body;
}

TEST(Multipart, NamelessPartsAndOtherContentTypes) {
  // Under form-data every part has a disposition, even without a name.
  EXPECT_EQ(Build({"=v"}), kDash + "\r\nContent-Disposition: form-data\r\n\r\nv\r\n" + kDash + "--\r\n");
  // Under another type (-H Content-Type: multipart/mixed) parts are
  // attachments, and one without name or filename has none.
  EXPECT_EQ(Build({"a=1", "=2"}, "multipart/mixed"),
            kDash + "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\n1\r\n" + kDash + "\r\n\r\n2\r\n" + kDash +
                "--\r\n");
}

TEST(Multipart, StandardInput) {
  int reads = 0;
  FormStdin in = [&reads]() -> absl::StatusOr<std::string> {
    ++reads;
    return std::string("from stdin\n");
  };
  std::string body = Build({"b=@-", "c=<-"}, "multipart/form-data", nullptr, in);
  EXPECT_NE(body.find("name=\"b\"; filename=\"-\"\r\n\r\nfrom stdin\n\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("name=\"c\"\r\n\r\nfrom stdin\n\r\n"), std::string::npos) << body;
  EXPECT_NE(Build({"a=@-;filename=x.png"}, "multipart/form-data", nullptr, in).find("filename=\"x.png\"\r\nContent-Type: image/png"),
            std::string::npos);
}

TEST(Multipart, SeveralFilesMakeAMixedPart) {
  std::string a = TempFile("m1.txt", "one");
  std::string b = TempFile("m2.xml", "two");
  std::string body = Build({"f=@" + a + "," + b});
  const std::string prefix = kDash + "\r\nContent-Disposition: form-data; name=\"f\"\r\nContent-Type: multipart/mixed; boundary=";
  ASSERT_EQ(body.substr(0, prefix.size()), prefix) << body;
  const std::string inner = body.substr(prefix.size(), 40);
  EXPECT_EQ(inner.substr(0, 24), std::string(24, '-'));
  EXPECT_EQ(body.substr(prefix.size() + 40),
            "\r\n\r\n--" + inner + "\r\nContent-Disposition: attachment; filename=\"m1.txt\"\r\nContent-Type: text/plain\r\n\r\none\r\n--" +
                inner + "\r\nContent-Disposition: attachment; filename=\"m2.xml\"\r\nContent-Type: application/xml\r\n\r\ntwo\r\n--" +
                inner + "--\r\n\r\n" + kDash + "--\r\n");
}

TEST(Multipart, MissingFilesFailBeforeSending) {
  std::vector<std::string> warnings;
  for (const char* arg : {"a=@/nonexistent/f.txt", "a=</nonexistent/f.txt"}) {
    absl::StatusOr<MultipartBody> body = BuildMultipartBody({Field(arg)}, "multipart/form-data", kB, &warnings);
    ASSERT_FALSE(body.ok()) << arg;
    EXPECT_TRUE(absl::IsNotFound(body.status()));
    EXPECT_EQ(body.status().message(), "Failed to open/read local data from file/application");
  }
}

TEST(Multipart, FilesAreStreamedNotCopied) {
  std::string big(3 * 1000 * 1000 + 17, 'x');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  std::string path = TempFile("big.bin", big);
  std::vector<std::string> warnings;
  absl::StatusOr<MultipartBody> body = BuildMultipartBody({Field("f=@" + path)}, "multipart/form-data", kB, &warnings);
  ASSERT_TRUE(body.ok());
  // The file is one segment naming the file, not its bytes.
  size_t in_memory = 0;
  for (const FormSegment& s : body->segments) in_memory += s.bytes.size();
  EXPECT_LT(in_memory, 1000u);
  std::string streamed = ReadAll(*body, 65536);
  EXPECT_EQ(static_cast<int64_t>(streamed.size()), body->size);
  EXPECT_NE(streamed.find(big), std::string::npos);
}

// A pipe (here /proc/self/fd/N of a pipe) is not read while the body is
// built: its part streams to the pipe's end, and the size is unknown.
TEST(Multipart, PipesStreamWithAnUnknownSize) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string data = "piped\ndata";
  ASSERT_EQ(write(fds[1], data.data(), data.size()), static_cast<ssize_t>(data.size()));
  close(fds[1]);
  const std::string path = "/proc/self/fd/" + std::to_string(fds[0]);
  std::vector<std::string> warnings;
  absl::StatusOr<MultipartBody> body = BuildMultipartBody({Field("p=@" + path)}, "multipart/form-data", kB, &warnings);
  ASSERT_TRUE(body.ok()) << body.status();
  EXPECT_EQ(body->size, -1);
  EXPECT_FALSE(MultipartBodyBytes(*body).ok());
  std::string streamed = ReadAll(*body, 3);
  close(fds[0]);
  EXPECT_EQ(streamed, kDash + "\r\nContent-Disposition: form-data; name=\"p\"; filename=\"" +
                          std::to_string(fds[0]) + "\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data +
                          "\r\n" + kDash + "--\r\n");
}

TEST(Multipart, AFileThatShrinksIsAnError) {
  std::string path = TempFile("shrink.bin", std::string(1000, 'x'));
  std::vector<std::string> warnings;
  absl::StatusOr<MultipartBody> body = BuildMultipartBody({Field("f=@" + path)}, "multipart/form-data", kB, &warnings);
  ASSERT_TRUE(body.ok());
  TempFile("shrink.bin", "short");
  EXPECT_FALSE(MultipartBodyBytes(*body).ok());
  MultipartReader reader(&*body);
  char buf[4096];
  absl::Status status;
  for (int i = 0; i < 10 && status.ok(); ++i) {
    absl::StatusOr<size_t> n = reader.Read(buf, sizeof(buf));
    if (!n.ok()) status = n.status();
    else if (*n == 0) break;
  }
  EXPECT_FALSE(status.ok());
}

TEST(Multipart, ContentTypeHeaderAndBoundary) {
  EXPECT_EQ(FormContentTypeHeader(std::nullopt, "B"), "multipart/form-data; boundary=B");
  EXPECT_EQ(FormContentTypeHeader(std::string("multipart/mixed"), "B"), "multipart/mixed; boundary=B");
  EXPECT_EQ(FormContentTypeHeader(std::string(""), "B"), "; boundary=B");
  std::string b = RandomBoundary();
  ASSERT_EQ(b.size(), 40u);
  EXPECT_EQ(b.substr(0, 24), std::string(24, '-'));
  EXPECT_EQ(b.find_first_not_of("0123456789abcdef", 24), std::string::npos);
  EXPECT_NE(RandomBoundary(), b);
  EXPECT_EQ(GuessContentType("A.JPEG"), "image/jpeg");
  EXPECT_EQ(GuessContentType("x.tar.gz"), std::nullopt);
  EXPECT_EQ(GuessContentType(".svg"), "image/svg+xml");
}

}  // namespace
}  // namespace strata::cli
