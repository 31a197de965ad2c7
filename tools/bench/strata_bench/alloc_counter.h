// alloc_counter.h — counts heap allocations in strata-bench, so the
// benchmark can print allocations per request (the runtime core's hot path
// is meant to allocate little beyond the request and response objects).
//
// The counting malloc family lives in the executable, so it is what the
// C++ runtime (operator new) and libstrata.so call. Sanitizer builds bring
// their own malloc: there, counting is off and AllocationsCounted() is
// false.
#ifndef STRATA_TOOLS_BENCH_STRATA_BENCH_ALLOC_COUNTER_H_
#define STRATA_TOOLS_BENCH_STRATA_BENCH_ALLOC_COUNTER_H_

#include <cstdint>

namespace strata::bench {

bool AllocationsCounted();
// Allocations is the number of malloc/calloc/realloc(NULL, …)/aligned
// allocations so far (0 when not counted).
uint64_t Allocations();

}  // namespace strata::bench

#endif  // STRATA_TOOLS_BENCH_STRATA_BENCH_ALLOC_COUNTER_H_
