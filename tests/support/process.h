// process.h — a child process owned by a test.
//
// Tests start real programs (nginx, the strata CLI) and must never leave
// one behind, even when an assertion fails half way: the child is started in
// its own process group, and the destructor kills that whole group (so
// grandchildren go too) and reaps the child. Output goes to files, never to
// pipes, so a chatty child cannot block on a full pipe while the test waits.
#ifndef STRATA_TESTS_SUPPORT_PROCESS_H_
#define STRATA_TESTS_SUPPORT_PROCESS_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace strata::test {

struct ProcessOptions {
  // argv[0] is the program path (not searched in PATH).
  std::vector<std::string> argv;
  // Added to (or replacing entries of) the test's own environment.
  std::vector<std::pair<std::string, std::string>> env;
  // Where stdout/stderr go. Empty: a fresh file under TestTmpDir(), whose
  // content Stdout()/Stderr() return.
  std::string stdout_path;
  std::string stderr_path;
  // stdin comes from this file, /dev/null when empty.
  std::string stdin_path;
};

// ExitInfo describes how a child ended.
struct ExitInfo {
  bool timed_out = false;  // the wait gave up; the child may still run
  bool exited = false;     // normal exit: exit_code is valid
  int exit_code = -1;
  int signal = 0;          // killed by this signal (exited == false)
  long max_rss_kib = 0;    // peak resident set of the child, from wait4()
  std::string Describe() const;
};

class Process {
 public:
  Process() = default;
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Start spawns the child. Returns false and sets *error on failure. A
  // Process may be started again once its previous child was reaped.
  bool Start(const ProcessOptions& options, std::string* error);

  // Wait reaps the child, waiting at most |timeout|. On timeout the child is
  // left running (the destructor or Kill stops it) and timed_out is set.
  ExitInfo Wait(std::chrono::milliseconds timeout);

  // Signal sends |sig| to the child's whole process group.
  void Signal(int sig);
  // Stop sends SIGTERM, waits up to |grace|, then SIGKILLs the group and
  // reaps the child. Safe to call more than once.
  ExitInfo Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // Running is true while the child has not been reaped and has not exited.
  bool Running();

  pid_t pid() const { return pid_; }
  const std::string& stdout_path() const { return stdout_path_; }
  const std::string& stderr_path() const { return stderr_path_; }
  std::string Stdout() const;
  std::string Stderr() const;

 private:
  // TryReap collects the child's status without blocking.
  bool TryReap();

  pid_t pid_ = -1;
  bool reaped_ = false;
  ExitInfo exit_;
  std::string stdout_path_;
  std::string stderr_path_;
};

// RunProcess starts |options|, waits up to |timeout| and stops it if it is
// still running then. Convenience for short-lived commands such as the CLI.
struct RunResult {
  ExitInfo exit;
  std::string stdout_text;
  std::string stderr_text;
  std::string start_error;  // non-empty when the child could not be started
};
RunResult RunProcess(const ProcessOptions& options,
                     std::chrono::milliseconds timeout);

}  // namespace strata::test

#endif  // STRATA_TESTS_SUPPORT_PROCESS_H_
