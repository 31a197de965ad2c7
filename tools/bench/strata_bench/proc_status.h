// proc_status.h — reading this process's memory figures from /proc, for the
// load tools (strata-bench, strata-soak).
#ifndef STRATA_TOOLS_BENCH_STRATA_BENCH_PROC_STATUS_H_
#define STRATA_TOOLS_BENCH_STRATA_BENCH_PROC_STATUS_H_

namespace strata::tools {

// StatusKiB returns the value, in KiB, of the /proc/self/status line that
// starts with |key| ("VmRSS:", "VmHWM:", "RssAnon:"), or 0.
long StatusKiB(const char* key);

}  // namespace strata::tools

#endif  // STRATA_TOOLS_BENCH_STRATA_BENCH_PROC_STATUS_H_
