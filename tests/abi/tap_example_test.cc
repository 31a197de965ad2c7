// The tap example plugin (tools/examples/tap) the way a user builds it:
// `make` with a plain compiler and only the public headers (api/ from the
// runfiles stands in for an installed include directory), then loaded by
// path into the runtime and put into an https pipeline twice: between tls
// and h1, where it must record the plaintext HTTP/1.1 exchange, and between
// tcp and tls, where it must record TLS records and no plaintext.
#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/make_build.h"
#include "tests/support/process.h"
#include "tests/support/strata_client.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

// One record of a tap log (tools/examples/tap/README.md).
struct TapRecord {
  char kind = 0;     // '#' note, '>' sent, '<' received, 'E' end of stream
  std::string text;  // the note, or the recorded bytes
};

// ParseTapLog parses |log| strictly: every byte must belong to a record and
// every byte count must match, or *error says where it went wrong.
std::vector<TapRecord> ParseTapLog(const std::string& log, std::string* error) {
  std::vector<TapRecord> records;
  size_t pos = 0;
  while (pos < log.size()) {
    size_t eol = log.find('\n', pos);
    if (eol == std::string::npos) {
      *error = "unterminated record header at offset " + std::to_string(pos);
      return records;
    }
    std::string header = log.substr(pos, eol - pos);
    pos = eol + 1;
    if (header.rfind("# ", 0) == 0) {
      records.push_back({'#', header.substr(2)});
    } else if (header == "< end of stream") {
      records.push_back({'E', ""});
    } else if ((header[0] == '>' || header[0] == '<') && header.size() > 8 &&
               header.compare(header.size() - 6, 6, " bytes") == 0) {
      size_t len = std::stoul(header.substr(2, header.size() - 8));
      if (pos + len + 1 > log.size() || log[pos + len] != '\n') {
        *error = "record '" + header + "' is not followed by that many bytes and a newline";
        return records;
      }
      records.push_back({header[0], log.substr(pos, len)});
      pos += len + 1;
    } else {
      *error = "not a record header: '" + header + "'";
      return records;
    }
  }
  return records;
}

// Joined returns the bytes of every record of |kind|, in order.
std::string Joined(const std::vector<TapRecord>& records, char kind) {
  std::string out;
  for (const TapRecord& r : records) {
    if (r.kind == kind) out += r.text;
  }
  return out;
}

class TapExampleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plugin_ = new std::string(BuildWithMake("tools/examples/tap/Makefile", "strata-tap.so"));
    pki_ = new TestPki();
    std::string e;
    ASSERT_TRUE(pki_->MakeCa("ca", &e) &&
                pki_->MakeLocalhostLeaf("ca", &e))
        << e;
    nginx_ = new TlsNginx();
    port_ = nginx_->AddServer("    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n" +
                              "    ssl_certificate_key \"" + pki_->Key("localhost") + "\";\n" +
                              "    location /x { return 200 \"tapped body\\n\"; }\n");
    ASSERT_TRUE(nginx_->Start(&e)) << e;
  }
  static void TearDownTestSuite() {
    delete nginx_;  // stops nginx
    delete pki_;
    delete plugin_;
  }

  static std::string TapStep(const std::string& file) {
    return "{\"layer\": \"tap\", \"options\": {\"file\": " + JsonString(file) + "}}";
  }

  // Config: the dist plugins plus the freshly built tap, and an https
  // template made of |layers| (JSON array members).
  static std::string Config(const std::string& layers) {
    return "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) + "],"
           " \"plugins\": [\"tcp\", \"tls\", \"h1\", {\"path\": " + JsonString(*plugin_) + "}],"
           " \"pipelines\": {\"https\": [" + layers + "]},"
           " \"timeouts\": {\"connect_ms\": 5000, \"total_ms\": 30000}}";
  }
  static std::string Tls() {
    return "{\"layer\": \"tls\", \"options\": {\"ca_file\": " + JsonString(pki_->Cert("ca")) + "}}";
  }
  static std::string Url() { return "https://localhost:" + std::to_string(port_) + "/x"; }

  static std::string* plugin_;
  static TestPki* pki_;
  static TlsNginx* nginx_;
  static uint16_t port_;
};

std::string* TapExampleTest::plugin_ = nullptr;
TestPki* TapExampleTest::pki_ = nullptr;
TlsNginx* TapExampleTest::nginx_ = nullptr;
uint16_t TapExampleTest::port_ = 0;

TEST_F(TapExampleTest, MakefileBuildExportsOnlyTheEntrySymbol) {
  ProcessOptions nm;
  nm.argv = {"/usr/bin/nm", "-D", "--defined-only", "--format=just-symbols", *plugin_};
  RunResult r = RunProcess(nm, std::chrono::seconds(30));
  ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << r.exit.Describe() << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "strata_plugin_entry\n");
}

TEST_F(TapExampleTest, BetweenTlsAndH1RecordsThePlaintextExchange) {
  const std::string log = MakeTempDir("tap-log") + "/plain.log";
  RuntimeResult rt = MakeRuntime(Config("\"tcp\", " + Tls() + ", " + TapStep(log) + ", \"h1\""));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), Url());
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "tapped body\n");
  rt.runtime.reset();  // closes the connection: the log is complete

  std::string error;
  std::vector<TapRecord> records = ParseTapLog(ReadFileOrDie(log), &error);
  ASSERT_TRUE(error.empty()) << error << "\n" << ReadFileOrDie(log);
  ASSERT_FALSE(records.empty());
  // The layer's peer is the origin, as the runtime configured it.
  EXPECT_EQ(records[0].kind, '#');
  EXPECT_EQ(records[0].text, "connected localhost:" + std::to_string(port_) + " hop 1");

  const std::string sent = Joined(records, '>');
  EXPECT_EQ(sent.rfind("GET /x HTTP/1.1\r\n", 0), 0u) << sent;
  EXPECT_NE(sent.find("\r\nHost: localhost:" + std::to_string(port_) + "\r\n"), std::string::npos) << sent;
  EXPECT_EQ(sent.substr(sent.size() - 4), "\r\n\r\n") << "the whole request head was recorded: " << sent;

  const std::string received = Joined(records, '<');
  EXPECT_EQ(received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << received;
  EXPECT_NE(received.find("\r\n\r\ntapped body\n"), std::string::npos) << received;
}

TEST_F(TapExampleTest, BetweenTcpAndTlsRecordsOnlyCiphertext) {
  const std::string dir = MakeTempDir("tap-log");
  const std::string wire = dir + "/wire.log";
  const std::string plain = dir + "/plain.log";
  // Two instances of the same layer type in one chain, each with its file.
  RuntimeResult rt = MakeRuntime(
      Config("\"tcp\", " + TapStep(wire) + ", " + Tls() + ", " + TapStep(plain) + ", \"h1\""));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), Url());
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.body(), "tapped body\n");
  rt.runtime.reset();

  std::string error;
  std::vector<TapRecord> records = ParseTapLog(ReadFileOrDie(wire), &error);
  ASSERT_TRUE(error.empty()) << error;
  const std::string sent = Joined(records, '>');
  const std::string received = Joined(records, '<');
  // A TLS handshake record (content type 22, version 3.x) opens each way.
  ASSERT_GE(sent.size(), 2u);
  EXPECT_EQ(sent[0], '\x16');
  EXPECT_EQ(sent[1], '\x03');
  ASSERT_GE(received.size(), 2u);
  EXPECT_EQ(received[0], '\x16');
  EXPECT_EQ(sent.find("GET /x"), std::string::npos);
  EXPECT_EQ(received.find("tapped body"), std::string::npos);
  // The tap above tls saw the same exchange in the clear.
  EXPECT_NE(ReadFileOrDie(plain).find("GET /x HTTP/1.1\r\n"), std::string::npos);
}

TEST_F(TapExampleTest, MissingFileOptionIsAConfigurationError) {
  RuntimeResult rt = MakeRuntime(Config("\"tcp\", " + Tls() + ", \"tap\", \"h1\""));
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), Url());
  EXPECT_EQ(r.status, STRATA_E_CONFIG) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("option \"file\" is required"), std::string::npos)
      << r.error.message;
}

}  // namespace
}  // namespace strata::test
