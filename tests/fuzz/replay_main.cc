// replay_main.cc — the main() of a fuzz target outside --config=fuzz: runs
// LLVMFuzzerTestOneInput once on every file named on the command line, and on
// every regular file (recursively) of every directory named there. A crash or
// trap in the target fails the process, which is what the <target>_regression
// tests check. Prints how many inputs ran.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
    return false;
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A heap copy of exactly the input's size, so ASan sees reads past its end.
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  uint8_t* data = copy.empty() ? nullptr : copy.data();
  LLVMFuzzerTestOneInput(data, copy.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  size_t ran = 0;
  for (const auto& f : files) {
    std::fprintf(stderr, "replay: %s\n", f.c_str());
    if (!RunFile(f)) return 1;
    ++ran;
  }
  std::printf("replay: %zu inputs ran without a crash\n", ran);
  return 0;
}
