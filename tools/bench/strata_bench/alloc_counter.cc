#include "tools/bench/strata_bench/alloc_counter.h"

#include <cstddef>

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || __has_feature(thread_sanitizer)
#define STRATA_BENCH_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define STRATA_BENCH_SANITIZED 1
#endif

namespace {
uint64_t g_allocations = 0;  // strata-bench is single-threaded
}  // namespace

#ifndef STRATA_BENCH_SANITIZED
// glibc's own entry points, which its malloc/free are aliases of.
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t n, size_t size);
void* __libc_realloc(void* p, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void __libc_free(void* p);

void* malloc(size_t size) {
  ++g_allocations;
  return __libc_malloc(size);
}
void* calloc(size_t n, size_t size) {
  ++g_allocations;
  return __libc_calloc(n, size);
}
void* realloc(void* p, size_t size) {
  if (p == nullptr) ++g_allocations;
  return __libc_realloc(p, size);
}
void* memalign(size_t alignment, size_t size) {
  ++g_allocations;
  return __libc_memalign(alignment, size);
}
void* aligned_alloc(size_t alignment, size_t size) {
  ++g_allocations;
  return __libc_memalign(alignment, size);
}
int posix_memalign(void** out, size_t alignment, size_t size) {
  ++g_allocations;
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return 12;  // ENOMEM
  *out = p;
  return 0;
}
void free(void* p) { __libc_free(p); }
}  // extern "C"
#endif

namespace strata::bench {

bool AllocationsCounted() {
#ifdef STRATA_BENCH_SANITIZED
  return false;
#else
  return true;
#endif
}

uint64_t Allocations() { return g_allocations; }

}  // namespace strata::bench
