#include "tests/support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "tests/support/test_env.h"

extern char** environ;

namespace strata::test {
namespace {

std::string FreshOutputPath(const char* stream) {
  // mkstemp gives a unique name even when several Process objects run in
  // one test or tests share a TEST_TMPDIR.
  std::string pattern = TestTmpDir() + "/proc-" + stream + "-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = mkstemp(buf.data());
  if (fd >= 0) close(fd);
  return buf.data();
}

// NoteCurlRun appends the command line of every run of the reference curl
// to curl-command-lines.txt among the test's undeclared outputs, so the
// side-by-side coverage (how many command lines, which options) can be
// counted from a test run rather than estimated from the sources.
void NoteCurlRun(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] != "/usr/bin/curl") return;
  const char* dir = getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  if (dir == nullptr || *dir == '\0') return;
  std::string line;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (i > 1) line += ' ';
    for (char c : argv[i]) line += (c == '\n' || c == '\r') ? ' ' : c;
  }
  line += '\n';
  const int fd = open((std::string(dir) + "/curl-command-lines.txt").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return;
  if (write(fd, line.data(), line.size()) < 0) {
    // A note that cannot be written only loses the count, never the test.
  }
  close(fd);
}

}  // namespace

std::string ExitInfo::Describe() const {
  if (timed_out) return "timed out";
  if (exited) return "exited with code " + std::to_string(exit_code);
  if (signal) return std::string("killed by signal ") + strsignal(signal);
  return "not finished";
}

Process::~Process() {
  if (pid_ > 0 && !reaped_) Stop(std::chrono::milliseconds(0));
}

bool Process::Start(const ProcessOptions& options, std::string* error) {
  if (pid_ > 0 && !reaped_) {
    *error = "Process::Start while the previous child still runs";
    return false;
  }
  if (options.argv.empty()) {
    *error = "Process::Start: empty argv";
    return false;
  }
  NoteCurlRun(options.argv);
  stdout_path_ = options.stdout_path.empty() ? FreshOutputPath("stdout")
                                             : options.stdout_path;
  stderr_path_ = options.stderr_path.empty() ? FreshOutputPath("stderr")
                                             : options.stderr_path;

  // The environment: ours, with the additions replacing same-named entries.
  std::map<std::string, std::string> env_map;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    size_t eq = entry.find('=');
    if (eq == std::string::npos) continue;
    env_map[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [key, value] : options.env) env_map[key] = value;
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : env_map) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::string> argv_strings = options.argv;
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::string stdin_path = options.stdin_path.empty() ? "/dev/null" : options.stdin_path;
  posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, stdout_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // A process group of its own lets the destructor kill everything the
  // child started. Default signal dispositions: gtest or Bazel may have
  // changed ours (e.g. SIGPIPE ignored), and the child must behave as it
  // would when a user runs it.
  sigset_t all_signals;
  sigfillset(&all_signals);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigdefault(&attr, &all_signals);
  posix_spawnattr_setsigmask(&attr, &no_signals);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETSIGMASK);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    *error = "posix_spawn " + options.argv[0] + ": " + std::strerror(rc);
    return false;
  }
  pid_ = pid;
  reaped_ = false;
  exit_ = ExitInfo();
  return true;
}

bool Process::TryReap() {
  if (reaped_) return true;
  if (pid_ <= 0) return false;
  int status = 0;
  struct rusage usage;
  std::memset(&usage, 0, sizeof(usage));
  pid_t r = wait4(pid_, &status, WNOHANG, &usage);
  if (r == 0) return false;
  if (r < 0) {
    // ECHILD: someone else reaped it; treat as gone.
    reaped_ = true;
    return true;
  }
  reaped_ = true;
  exit_.timed_out = false;
  exit_.max_rss_kib = usage.ru_maxrss;
  if (WIFEXITED(status)) {
    exit_.exited = true;
    exit_.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    exit_.signal = WTERMSIG(status);
  }
  // The leader is gone; anything it left in its group goes with it.
  kill(-pid_, SIGKILL);
  return true;
}

ExitInfo Process::Wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!TryReap()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ExitInfo info;
      info.timed_out = true;
      return info;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_;
}

void Process::Signal(int sig) {
  if (pid_ > 0 && !reaped_) kill(-pid_, sig);
}

bool Process::Running() { return pid_ > 0 && !TryReap(); }

ExitInfo Process::Stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0) return exit_;
  if (!reaped_) {
    if (grace.count() > 0) {
      Signal(SIGTERM);
      ExitInfo info = Wait(grace);
      if (!info.timed_out) return info;
    }
    Signal(SIGKILL);
    // SIGKILL cannot be ignored; a bounded wait still guards against a
    // child stuck in uninterruptible sleep hanging the test forever.
    Wait(std::chrono::seconds(10));
  }
  return exit_;
}

std::string Process::Stdout() const { return ReadFileIfExists(stdout_path_); }
std::string Process::Stderr() const { return ReadFileIfExists(stderr_path_); }

RunResult RunProcess(const ProcessOptions& options,
                     std::chrono::milliseconds timeout) {
  RunResult result;
  Process process;
  if (!process.Start(options, &result.start_error)) return result;
  result.exit = process.Wait(timeout);
  if (result.exit.timed_out) {
    process.Stop(std::chrono::milliseconds(0));
    result.exit.timed_out = true;
  }
  result.stdout_text = process.Stdout();
  result.stderr_text = process.Stderr();
  return result;
}

}  // namespace strata::test
