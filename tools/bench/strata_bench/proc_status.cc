#include "tools/bench/strata_bench/proc_status.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace strata::tools {

long StatusKiB(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(key);
  while (std::getline(in, line)) {
    if (line.compare(0, n, key) == 0) return std::strtol(line.c_str() + n, nullptr, 10);
  }
  return 0;
}

}  // namespace strata::tools
