#include "tests/support/side_by_side.h"

#include "tests/support/test_env.h"

namespace strata::test {

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

RunResult RunCli(bool strata, const std::vector<std::string>& args, const std::string& stdin_path,
                 std::chrono::seconds timeout) {
  ProcessOptions o;
  o.argv = {strata ? RunfilePath("tools/strata") : "/usr/bin/curl"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {{"HOME", TestTmpDir()}};
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    o.env.emplace_back(name, "");
  }
  o.stdin_path = stdin_path;
  return RunProcess(o, timeout);
}

SideBySide RunSideBySide(const std::vector<std::string>& args, const std::vector<PeerScript>& scripts,
                         const std::string& path, const std::string& stdin_path) {
  SideBySide both;
  for (int side = 0; side < 2; ++side) {
    ScriptedPeer peer(scripts);
    SideRun& s = side == 0 ? both.curl : both.strata;
    s.dir = MakeTempDir(side == 0 ? "curl-side" : "strata-side");
    s.url = peer.Url(path);
    std::vector<std::string> expanded;
    const std::string authority = "127.0.0.1:" + std::to_string(peer.port());
    for (const std::string& a : args) {
      expanded.push_back(ReplaceAll(ReplaceAll(ReplaceAll(a, "{DIR}", s.dir), "{URL}", s.url), "{AUTHORITY}", authority));
    }
    s.run = RunCli(side == 1, expanded, stdin_path);
    peer.WaitForScripts(std::chrono::milliseconds(2000));
    s.requests = peer.AllRequests();
  }
  return both;
}

std::string SideBySide::Describe() const {
  std::string out;
  for (const SideRun* s : {&curl, &strata}) {
    out += s == &curl ? "\n--- curl (" : "\n--- strata (";
    out += s->run.exit.Describe() + ")\n";
    for (const std::string& r : s->requests) out += r + "\n";
    out += "stdout: " + s->run.stdout_text + "\nstderr: " + s->run.stderr_text;
  }
  return out;
}

}  // namespace strata::test
