// The digests are checked against the openssl command line's, computed the
// way curl's documentation says to make a pin.
#include "plugins/policy_pin/spki.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

#include "gtest/gtest.h"

namespace strata::policy_pin {
namespace {

std::string Capture(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class SpkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TEST_TMPDIR");
    dir_ = tmp ? tmp : "/tmp";
    const std::string key = dir_ + "/key.pem", cert = dir_ + "/cert.pem";
    ASSERT_EQ(0, std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + key +
                              " -out " + cert + " -subj /CN=pin.test -days 2 2>/dev/null")
                                 .c_str()));
    ASSERT_EQ(0, std::system(("openssl x509 -in " + cert + " -outform der -out " + dir_ + "/cert.der").c_str()));
    ASSERT_EQ(0, std::system(("openssl x509 -in " + cert + " -pubkey -noout > " + dir_ + "/pub.pem").c_str()));
    ASSERT_EQ(0, std::system(("openssl pkey -pubin -in " + dir_ + "/pub.pem -outform der -out " + dir_ + "/pub.der")
                                 .c_str()));
    expected_ = "sha256//" + Capture("openssl dgst -sha256 -binary " + dir_ + "/pub.der | openssl enc -base64");
    ASSERT_EQ(expected_.size(), 8u + 44u) << expected_;
  }
  std::string dir_;
  std::string expected_;
};

TEST_F(SpkiTest, CertificateDigestIsTheOpensslPin) {
  absl::StatusOr<std::string> d = SpkiDigestOfCertificate(ReadFile(dir_ + "/cert.der"));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(PinText(*d), expected_);
}

TEST_F(SpkiTest, KeyFilesInPemAndDerGiveTheSamePin) {
  for (const char* file : {"/pub.pem", "/pub.der"}) {
    absl::StatusOr<std::string> d = SpkiDigestOfKeyFile(dir_ + file);
    ASSERT_TRUE(d.ok()) << file << ": " << d.status();
    EXPECT_EQ(PinText(*d), expected_) << file;
  }
}

TEST_F(SpkiTest, PinTextRoundTrips) {
  absl::StatusOr<std::string> d = ParsePinText(expected_);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->size(), 32u);
  EXPECT_EQ(PinText(*d), expected_);
}

TEST(SpkiErrors, MalformedInputIsRefusedWithAReason) {
  EXPECT_FALSE(ParsePinText("sha1//AAAA").ok());
  EXPECT_FALSE(ParsePinText("sha256//not base64!").ok());
  EXPECT_FALSE(ParsePinText("sha256//AAAA").ok());  // base64, but not 32 bytes
  EXPECT_FALSE(SpkiDigestOfCertificate("garbage").ok());
  EXPECT_FALSE(SpkiDigestOfCertificate("").ok());
  absl::StatusOr<std::string> missing = SpkiDigestOfKeyFile("/nonexistent/key.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/key.pem"), std::string::npos);
}

}  // namespace
}  // namespace strata::policy_pin
