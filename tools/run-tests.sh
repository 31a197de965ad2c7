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
