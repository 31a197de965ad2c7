#!/usr/bin/env bash
# Runs every strata test: the whole suite, then the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup/install-deps.sh
bazel test //...
# Tests tagged no-asan load libstrata.so into an interpreter that is not
# built with ASan (Python, LuaJIT) and cannot run under it.
bazel test --config=asan --test_tag_filters=-no-asan //...
# Fuzzing: every libFuzzer target (tests/fuzz/) built with clang in its own
# output base, then run for a bounded time on a copy of its corpus. A crash
# fails CI and prints the reproducer (add it to tests/fuzz/corpus/<target>/).
# Seconds per target: STRATA_FUZZ_SECONDS (default 60). Measured on the
# shared 2-core machine: clang build from a fresh output base ~1.5-3 min
# (~35 s incremental), then 8 targets x 60 s = 8 min, so ~10-11 min in all.
tools/fuzz/run.sh "${STRATA_FUZZ_SECONDS:-60}"
