#include "tools/cli/netrc.h"

#include "gtest/gtest.h"

namespace strata::cli {
namespace {

constexpr char kNetrc[] =
    "machine 127.0.0.1\n"
    "login alice\n"
    "password s3cret\n"
    "\n"
    "machine Example.COM login bob password \"two words\"\n"
    "macdef init\n"
    "login mallory password fromthemacro\n"
    "\n"
    "default login dflt password dp\n";

std::string Find(absl::string_view host, absl::string_view user) {
  auto c = FindNetrcCredentials(kNetrc, host, user);
  return c ? c->login + ":" + c->password : "none";
}

TEST(Netrc, MachinesDefaultsAndUsers) {
  EXPECT_EQ(Find("127.0.0.1", ""), "alice:s3cret");
  EXPECT_EQ(Find("example.com", ""), "bob:two words");
  EXPECT_EQ(Find("localhost", ""), "dflt:dp");
  EXPECT_EQ(Find("127.0.0.1", "alice"), "alice:s3cret");
  // A user the machine does not list gets the default's password, as curl 7.88 does.
  EXPECT_EQ(Find("127.0.0.1", "zed"), "zed:dp");
  EXPECT_EQ(FindNetrcCredentials("machine a login x password y\n", "b", "").has_value(), false);
  EXPECT_EQ(FindNetrcCredentials("", "a", "").has_value(), false);
}

}  // namespace
}  // namespace strata::cli
