// --pinnedpubkey side by side with curl 7.88 against a TLS nginx: the same
// exit code and output for a right pin (hash, several hashes, a key file),
// a wrong one, a malformed one and a missing file, with and without -k;
// with -s both stay silent, with -sS both name the pin mismatch.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/process.h"
#include "tests/support/side_by_side.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

class CliPinnedKeyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string e;
    pki_ = new TestPki();
    ASSERT_TRUE(pki_->MakeCa("ca", &e) && pki_->MakeLocalhostLeaf("ca", &e)) << e;
    nginx_ = new TlsNginx();
    port_ = nginx_->AddServer("    ssl_certificate \"" + pki_->Cert("localhost") + "\";\n" +
                              "    ssl_certificate_key \"" + pki_->Key("localhost") + "\";\n" +
                              "    location / { return 200 \"pinned\\n\"; }\n");
    ASSERT_TRUE(nginx_->Start(&e)) << e;
    key_file_ = new std::string(pki_->PublicKey("localhost"));
    pin_ = new std::string();
    ASSERT_TRUE(pki_->PublicKeyPin("localhost", pin_, &e)) << e;
  }
  static void TearDownTestSuite() {
    delete nginx_;
    delete pki_;
    delete key_file_;
    delete pin_;
  }

  struct Both {
    RunResult curl, strata;
  };
  static Both Run(std::vector<std::string> args) {
    args.push_back("https://localhost:" + std::to_string(port_) + "/");
    return {RunCli(false, args), RunCli(true, args)};
  }

  static TestPki* pki_;
  static TlsNginx* nginx_;
  static uint16_t port_;
  static std::string* key_file_;
  static std::string* pin_;
};

TestPki* CliPinnedKeyTest::pki_ = nullptr;
TlsNginx* CliPinnedKeyTest::nginx_ = nullptr;
uint16_t CliPinnedKeyTest::port_ = 0;
std::string* CliPinnedKeyTest::key_file_ = nullptr;
std::string* CliPinnedKeyTest::pin_ = nullptr;

const char kWrong[] = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

TEST_F(CliPinnedKeyTest, RightPinsFetchLikeCurl) {
  // curl compares each entry on its own: a malformed one does not spoil the
  // list.
  for (const std::string& pins :
       {*pin_, std::string(kWrong) + ";" + *pin_, "sha256//abc;" + *pin_, *key_file_}) {
    Both b = Run({"-sS", "--cacert", pki_->Cert("ca"), "--pinnedpubkey", pins});
    EXPECT_EQ(b.curl.exit.exit_code, 0) << pins << "\n" << b.curl.stderr_text;
    EXPECT_EQ(b.strata.exit.exit_code, 0) << pins << "\n" << b.strata.stderr_text;
    EXPECT_EQ(b.strata.stdout_text, "pinned\n");
    EXPECT_EQ(b.strata.stdout_text, b.curl.stdout_text);
  }
}

TEST_F(CliPinnedKeyTest, UnusablePinsFailWith90LikeCurl) {
  const std::vector<std::string> cases = {kWrong, "sha256//abc", "/nonexistent/pub.pem"};
  for (const std::string& pins : cases) {
    for (bool insecure : {false, true}) {
      std::vector<std::string> args = {"-sS", "--pinnedpubkey", pins};
      if (insecure) {
        args.push_back("-k");
      } else {
        args.insert(args.end(), {"--cacert", pki_->Cert("ca")});
      }
      Both b = Run(args);
      EXPECT_EQ(b.curl.exit.exit_code, 90) << pins << "\n" << b.curl.stderr_text;
      EXPECT_EQ(b.strata.exit.exit_code, 90) << pins << "\n" << b.strata.stderr_text;
      EXPECT_EQ(b.strata.stdout_text, "");
      EXPECT_EQ(b.curl.stderr_text, "curl: (90) SSL: public key does not match pinned public key\n");
      EXPECT_EQ(b.strata.stderr_text.rfind("strata: (90) ", 0), 0u) << b.strata.stderr_text;
      EXPECT_NE(b.strata.stderr_text.find("SSL: public key does not match pinned public key"), std::string::npos)
          << b.strata.stderr_text;
    }
  }
  // The message says what the server presented, so a user can fix the pin.
  Both b = Run({"-sS", "--cacert", pki_->Cert("ca"), "--pinnedpubkey", kWrong});
  EXPECT_NE(b.strata.stderr_text.find("localhost presented " + *pin_), std::string::npos) << b.strata.stderr_text;
  // -s alone: both silent.
  Both quiet = Run({"-s", "--cacert", pki_->Cert("ca"), "--pinnedpubkey", kWrong});
  EXPECT_EQ(quiet.curl.exit.exit_code, 90);
  EXPECT_EQ(quiet.strata.exit.exit_code, 90);
  EXPECT_EQ(quiet.curl.stderr_text, "");
  EXPECT_EQ(quiet.strata.stderr_text, "");
}

}  // namespace
}  // namespace strata::test
