// tools/install.sh as a user outside Bazel uses it: install the files of
// //tools:dist (from this test's runfiles, since Bazel cannot run inside a
// test) into a fresh prefix, then
//   - build a C program with `cc fetch.c $(pkg-config --cflags --libs strata)`
//     and run it, without LD_LIBRARY_PATH, against a local nginx: the
//     library is found through the rpath in strata.pc and the plugins of the
//     built-in configuration in PREFIX/lib/strata/plugins;
//   - run the installed strata and strata-inspect;
//   - build the tap example with its Makefile against the installed headers
//     (found with pkg-config), `make install` it into the prefix and use it
//     by name from the installed strata;
//   - configure and build a CMake project that finds the installation with
//     find_package(strata) and links strata::strata, and run it;
//   - check the soname chain libstrata.so -> .so.0 -> .so.VERSION, installed
//     and next to the Bazel output (where a program linked with
//     -L <bazel-bin>/tools -lstrata runs).
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/version/version.h"
#include "tests/support/nginx_fixture.h"
#include "tests/support/process.h"
#include "tests/support/test_env.h"

namespace strata::test {
namespace {

constexpr char kPath[] = "/usr/local/bin:/usr/bin:/bin";

bool IsRegularFile(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string LinkTarget(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

class InstallTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    prefix_ = new std::string(MakeTempDir("prefix"));
    RunResult r = Run({"/bin/bash", RunfilePath("tools/install.sh"), "--from", RunfilePath("tools"), *prefix_});
    install_output_ = new std::string(r.stdout_text + r.stderr_text);
    ASSERT_TRUE(r.exit.exited && r.exit.exit_code == 0) << r.exit.Describe() << "\n" << *install_output_;

    nginx_ = new NginxFixture();
    std::string e;
    ASSERT_TRUE(nginx_->Start(&e)) << e;
    nginx_->WriteDocFile("hello.txt", "hello from an installed strata\n");
  }
  static void TearDownTestSuite() {
    delete nginx_;
    delete install_output_;
    delete prefix_;
  }

  // Run runs a command with a plain user's environment: no LD_LIBRARY_PATH,
  // pkg-config looking in the prefix.
  static RunResult Run(const std::vector<std::string>& argv) {
    ProcessOptions p;
    p.argv = argv;
    p.env = {{"PATH", kPath},
             {"LD_LIBRARY_PATH", ""},
             {"PKG_CONFIG_PATH", (prefix_ ? *prefix_ : "") + "/lib/pkgconfig"}};
    RunResult r = RunProcess(p, std::chrono::seconds(120));
    EXPECT_TRUE(r.start_error.empty()) << r.start_error;
    return r;
  }
  static RunResult Shell(const std::string& script) { return Run({"/bin/sh", "-c", script}); }
  static bool Succeeded(const RunResult& r) { return r.exit.exited && r.exit.exit_code == 0; }

  static std::string* prefix_;
  static std::string* install_output_;
  static NginxFixture* nginx_;
};

std::string* InstallTest::prefix_ = nullptr;
std::string* InstallTest::install_output_ = nullptr;
NginxFixture* InstallTest::nginx_ = nullptr;

TEST_F(InstallTest, LaysOutLibraryPluginsHeadersProgramsAndPkgConfig) {
  const std::string& p = *prefix_;
  // The library under its soname, and the link-time name pointing at it.
  RunResult soname = Shell("readelf -d '" + p + "/lib/libstrata.so.0' | grep SONAME");
  EXPECT_NE(soname.stdout_text.find("[libstrata.so.0]"), std::string::npos) << soname.stdout_text;
  // libstrata.so -> libstrata.so.0 -> libstrata.so.VERSION, the only file.
  const std::string real = std::string("libstrata.so.") + kStrataVersion;
  EXPECT_TRUE(IsRegularFile(p + "/lib/" + real)) << real;
  EXPECT_EQ(LinkTarget(p + "/lib/libstrata.so.0"), real);
  EXPECT_EQ(LinkTarget(p + "/lib/libstrata.so"), "libstrata.so.0");
  for (const char* plugin : {"tcp", "tls", "h1", "connect-tunnel"}) {
    EXPECT_TRUE(IsRegularFile(p + "/lib/strata/plugins/strata-" + std::string(plugin) + ".so")) << plugin;
  }
  for (const char* header : {"strata.h", "plugin.h", "status.h", "sdk.hpp"}) {
    EXPECT_EQ(ReadFileIfExists(p + "/include/strata/" + header),
              ReadFileOrDie(RunfilePath(std::string("api/strata/") + header)))
        << header;
  }
  EXPECT_EQ(access((p + "/bin/strata").c_str(), X_OK), 0);
  EXPECT_EQ(access((p + "/bin/strata-inspect").c_str(), X_OK), 0);
  // The man page reads with man -l and names the options; the completion
  // is bash that completes them.
  RunResult man = Run({"/bin/sh", "-c", "MANWIDTH=100 man -l " + p + "/share/man/man1/strata.1 | cat"});
  EXPECT_NE(man.stdout_text.find("--remote-name"), std::string::npos) << man.stdout_text << man.stderr_text;
  RunResult completion = Run({"/bin/bash", "-c", "source " + p +
                                                     "/share/bash-completion/completions/strata; COMP_WORDS=(strata "
                                                     "--compre); COMP_CWORD=1; _strata; echo \"${COMPREPLY[*]}\""});
  EXPECT_EQ(completion.stdout_text, "--compressed\n") << completion.stderr_text;

  RunResult flags = Run({"/usr/bin/pkg-config", "--cflags", "--libs", "strata"});
  ASSERT_TRUE(Succeeded(flags)) << flags.stderr_text;
  EXPECT_EQ(flags.stdout_text,
            "-I" + p + "/include -L" + p + "/lib -Wl,-rpath," + p + "/lib -lstrata \n");
  RunResult plugindir = Run({"/usr/bin/pkg-config", "--variable=plugindir", "strata"});
  EXPECT_EQ(plugindir.stdout_text, p + "/lib/strata/plugins\n");
}

// SanitizerFlags: a library built with sanitizers (bazel test
// --config=asan) can only be used by a program built with the same ones,
// because ASan's runtime must be the first library the program loads.
std::string SanitizerFlags(const std::string& library) {
  ProcessOptions p;
  p.argv = {"/usr/bin/readelf", "-d", library};
  std::string needed = RunProcess(p, std::chrono::seconds(30)).stdout_text;
  std::string flags;
  if (needed.find("libasan") != std::string::npos) flags += " -fsanitize=address";
  if (needed.find("libubsan") != std::string::npos) flags += " -fsanitize=undefined";
  return flags;
}

TEST_F(InstallTest, CProgramBuiltWithPkgConfigFetchesFromNginx) {
  // The program lives away from the prefix, so only libstrata.so's own
  // location can lead the runtime to the plugins.
  const std::string app = MakeTempDir("app") + "/fetch";
  RunResult build = Shell("cc -std=c11 -pedantic -Wall -Wextra -Werror" +
                          SanitizerFlags(*prefix_ + "/lib/libstrata.so.0") + " -o '" + app + "' '" +
                          RunfilePath("tests/install/fetch.c") + "' $(pkg-config --cflags --libs strata)");
  ASSERT_TRUE(Succeeded(build)) << build.exit.Describe() << "\n" << build.stdout_text << build.stderr_text;

  RunResult fetch = Run({app, nginx_->Url("/hello.txt")});
  ASSERT_TRUE(Succeeded(fetch)) << fetch.exit.Describe() << "\n" << fetch.stderr_text;
  EXPECT_EQ(fetch.stdout_text, "hello from an installed strata\n");
  EXPECT_NE(fetch.stderr_text.find("status 200"), std::string::npos) << fetch.stderr_text;

  // It ran against the installed library, not one from the build tree.
  RunResult ldd = Run({"/usr/bin/ldd", app});
  EXPECT_NE(ldd.stdout_text.find("libstrata.so.0 => " + *prefix_ + "/lib/libstrata.so.0"), std::string::npos)
      << ldd.stdout_text;
}

TEST_F(InstallTest, InstalledProgramsFindTheInstalledPlugins) {
  RunResult get = Run({*prefix_ + "/bin/strata", "-s", nginx_->Url("/hello.txt")});
  ASSERT_TRUE(Succeeded(get)) << get.exit.Describe() << "\n" << get.stderr_text;
  EXPECT_EQ(get.stdout_text, "hello from an installed strata\n");

  RunResult list = Run({*prefix_ + "/bin/strata-inspect"});
  EXPECT_TRUE(Succeeded(list)) << list.exit.Describe() << "\n" << list.stdout_text << list.stderr_text;
  EXPECT_NE(list.stdout_text.find(*prefix_ + "/lib/strata/plugins/strata-tls.so\n"), std::string::npos)
      << list.stdout_text;
  EXPECT_EQ(list.stdout_text.find("REFUSED"), std::string::npos) << list.stdout_text;
}

TEST_F(InstallTest, TapExampleBuildsAgainstTheInstalledHeadersAndLoadsByName) {
  const std::string build_dir = MakeTempDir("tap");
  const std::string makefile = RunfilePath("tools/examples/tap/Makefile");
  // No STRATA_INCLUDE and no PLUGIN_DIR: the Makefile asks pkg-config.
  RunResult make = Run({"/usr/bin/make", "-f", makefile, "O=" + build_dir, "install"});
  ASSERT_TRUE(Succeeded(make)) << make.exit.Describe() << "\n" << make.stdout_text << make.stderr_text;
  EXPECT_NE(make.stdout_text.find("-I" + *prefix_ + "/include"), std::string::npos) << make.stdout_text;
  ASSERT_TRUE(IsRegularFile(*prefix_ + "/lib/strata/plugins/strata-tap.so")) << make.stdout_text;

  const std::string log = build_dir + "/tap.log";
  const std::string config = build_dir + "/tap.json";
  WriteFileOrDie(config, "{\"plugins\": [\"tcp\", \"h1\", \"tap\"], \"pipelines\": {\"http\": [\"tcp\", "
                         "{\"layer\": \"tap\", \"options\": {\"file\": \"" + log + "\"}}, \"h1\"]}}");
  RunResult get = Run({*prefix_ + "/bin/strata", "-s", "--config", config, nginx_->Url("/hello.txt")});
  ASSERT_TRUE(Succeeded(get)) << get.exit.Describe() << "\n" << get.stderr_text;
  EXPECT_EQ(get.stdout_text, "hello from an installed strata\n");
  std::string recorded = ReadFileIfExists(log);
  EXPECT_NE(recorded.find("GET /hello.txt HTTP/1.1\r\n"), std::string::npos) << recorded;
  EXPECT_NE(recorded.find("\r\n\r\nhello from an installed strata\n"), std::string::npos) << recorded;
}

// The CMake package: find_package(strata VERSION) in a project outside the
// prefix, the imported target's include directory and library, and the
// build's rpath to it (the program runs without LD_LIBRARY_PATH).
TEST_F(InstallTest, CMakeProjectFindsThePackageAndFetchesFromNginx) {
  const std::string src = MakeTempDir("cmake-src");
  const std::string build = MakeTempDir("cmake-build");
  WriteFileOrDie(src + "/fetch.c", ReadFileOrDie(RunfilePath("tests/install/fetch.c")));
  WriteFileOrDie(src + "/CMakeLists.txt",
                 "cmake_minimum_required(VERSION 3.13)\n"
                 "project(consumer C)\n"
                 "find_package(strata " + std::string(kStrataVersion) + " REQUIRED CONFIG)\n"
                 "message(STATUS \"strata ${strata_VERSION} plugins ${strata_PLUGIN_DIR}\")\n"
                 "add_executable(fetch fetch.c)\n"
                 "set_property(TARGET fetch PROPERTY C_STANDARD 11)\n"
                 "target_link_libraries(fetch PRIVATE strata::strata)\n");
  const std::string flags = SanitizerFlags(*prefix_ + "/lib/libstrata.so.0");
  RunResult configure = Run({"/usr/bin/cmake", "-S", src, "-B", build, "-DCMAKE_PREFIX_PATH=" + *prefix_,
                             "-DCMAKE_C_FLAGS=-Wall -Werror" + flags});
  ASSERT_TRUE(Succeeded(configure)) << configure.stdout_text << configure.stderr_text;
  EXPECT_NE(configure.stdout_text.find(std::string("strata ") + kStrataVersion + " plugins " + *prefix_ +
                                       "/lib/strata/plugins"),
            std::string::npos)
      << configure.stdout_text;
  RunResult make = Run({"/usr/bin/cmake", "--build", build});
  ASSERT_TRUE(Succeeded(make)) << make.stdout_text << make.stderr_text;

  RunResult fetch = Run({build + "/fetch", nginx_->Url("/hello.txt")});
  ASSERT_TRUE(Succeeded(fetch)) << fetch.exit.Describe() << "\n" << fetch.stderr_text;
  EXPECT_EQ(fetch.stdout_text, "hello from an installed strata\n");
  EXPECT_NE(fetch.stderr_text.find(std::string("library ") + kStrataVersion), std::string::npos)
      << fetch.stderr_text;
  RunResult ldd = Run({"/usr/bin/ldd", build + "/fetch"});
  EXPECT_NE(ldd.stdout_text.find("libstrata.so.0 => " + *prefix_ + "/lib/libstrata.so.0"), std::string::npos)
      << ldd.stdout_text;
}

// strataConfigVersion.cmake: a newer version than installed, another major
// version, or a 32-bit project does not find it; the package is not found
// when the library it names is missing.
TEST_F(InstallTest, CMakePackageRefusesOtherVersionsAndBrokenInstallations) {
  auto configure = [](const std::string& prefix, const std::string& wanted, const std::string& pointer_size = "") {
    const std::string src = MakeTempDir("cmake-version");
    WriteFileOrDie(src + "/CMakeLists.txt", "cmake_minimum_required(VERSION 3.13)\nproject(v NONE)\n"
                                            "set(CMAKE_SIZEOF_VOID_P \"" + pointer_size + "\")\n"
                                            "find_package(strata " + wanted + " REQUIRED CONFIG)\n");
    return Run({"/usr/bin/cmake", "-S", src, "-B", src + "/build", "-DCMAKE_PREFIX_PATH=" + prefix});
  };
  EXPECT_TRUE(Succeeded(configure(*prefix_, "0.1")));
  EXPECT_TRUE(Succeeded(configure(*prefix_, "0.1", "8")));
  RunResult bits32 = configure(*prefix_, "0.1", "4");
  EXPECT_FALSE(Succeeded(bits32)) << "a 32-bit project must not take the 64-bit library";
  EXPECT_NE(bits32.stderr_text.find("(64-bit)"), std::string::npos) << bits32.stderr_text;
  RunResult newer = configure(*prefix_, "0.99");
  EXPECT_FALSE(Succeeded(newer));
  EXPECT_NE(newer.stderr_text.find(std::string("version: ") + kStrataVersion), std::string::npos)
      << newer.stderr_text;
  EXPECT_FALSE(Succeeded(configure(*prefix_, "1.0")));

  // A copy of the installation whose library is gone.
  const std::string broken = MakeTempDir("broken");
  RunResult copy = Shell("cp -a '" + *prefix_ + "/lib' '" + broken + "/' && cp -a '" + *prefix_ + "/include' '" +
                         broken + "/' && rm '" + broken + "/lib/libstrata.so." + kStrataVersion + "'");
  ASSERT_TRUE(Succeeded(copy)) << copy.stderr_text;
  RunResult missing = configure(broken, "");
  EXPECT_FALSE(Succeeded(missing));
  EXPECT_NE(missing.stderr_text.find("is missing from the installation"), std::string::npos) << missing.stderr_text;
}

// Next to the Bazel output: libstrata.so, libstrata.so.0 and
// libstrata.so.VERSION are the same library (copies, see tools/BUILD), and
// a program linked with -L <that directory> -lstrata runs from there.
TEST_F(InstallTest, BazelOutputHoldsTheSonameChain) {
  const std::string tools = RunfilePath("tools");
  const std::string lib = ReadFileOrDie(tools + "/libstrata.so");
  ASSERT_GT(lib.size(), 10000u);
  EXPECT_TRUE(ReadFileOrDie(tools + "/libstrata.so.0") == lib);
  EXPECT_TRUE(ReadFileOrDie(tools + "/libstrata.so." + kStrataVersion) == lib);
  RunResult soname = Shell("readelf -d '" + tools + "/libstrata.so' | grep SONAME");
  EXPECT_NE(soname.stdout_text.find("[libstrata.so.0]"), std::string::npos) << soname.stdout_text;

  const std::string app = MakeTempDir("bazel-app") + "/fetch";
  RunResult build = Shell("cc -std=c11" + SanitizerFlags(tools + "/libstrata.so") + " -o '" + app + "' '" +
                          RunfilePath("tests/install/fetch.c") + "' -I '" + RunfilePath("api") + "' -L '" + tools +
                          "' -lstrata");
  ASSERT_TRUE(Succeeded(build)) << build.stdout_text << build.stderr_text;
  ProcessOptions p;
  p.argv = {app, nginx_->Url("/hello.txt")};
  p.env = {{"PATH", kPath}, {"LD_LIBRARY_PATH", tools}};
  RunResult fetch = RunProcess(p, std::chrono::seconds(60));
  ASSERT_TRUE(Succeeded(fetch)) << fetch.exit.Describe() << "\n" << fetch.stderr_text;
  EXPECT_EQ(fetch.stdout_text, "hello from an installed strata\n");
}

}  // namespace
}  // namespace strata::test
