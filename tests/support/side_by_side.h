// side_by_side.h — run one command line with the installed curl (7.88) and
// with strata, each against its own fresh peer, and keep what both did.
//
// In the arguments, "{URL}" becomes the peer's URL (the path given),
// "{AUTHORITY}" its "127.0.0.1:port", and "{DIR}" a fresh directory of that
// side's own, so file outputs can be
// compared without the two runs sharing anything.
#ifndef STRATA_TESTS_SUPPORT_SIDE_BY_SIDE_H_
#define STRATA_TESTS_SUPPORT_SIDE_BY_SIDE_H_

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/scripted_peer.h"

namespace strata::test {

struct SideRun {
  RunResult run;
  std::vector<std::string> requests;  // raw requests the peer read, in order
  std::string dir;                    // what "{DIR}" stood for
  std::string url;                    // what "{URL}" stood for
};

struct SideBySide {
  SideRun curl, strata;
  // Describe: both sides' exit, requests and stderr, for failure messages.
  std::string Describe() const;
};

// RunCli runs curl (strata = false) or tools/strata with |args|, HOME set
// to the test's directory and the proxy variables (http_proxy, https_proxy,
// all_proxy and their capitals) cleared, so the machine's own never apply.
RunResult RunCli(bool strata, const std::vector<std::string>& args, const std::string& stdin_path = "",
                 std::chrono::seconds timeout = std::chrono::seconds(30));

// RunSideBySide runs |args| with each program against a fresh ScriptedPeer
// playing |scripts|, "{URL}" standing for the peer's URL of |path|.
SideBySide RunSideBySide(const std::vector<std::string>& args, const std::vector<PeerScript>& scripts,
                         const std::string& path = "/p", const std::string& stdin_path = "");

// Replace returns |text| with every |from| replaced by |to|.
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to);

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_SIDE_BY_SIDE_H_
