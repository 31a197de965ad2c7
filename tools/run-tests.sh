#!/usr/bin/env bash
# Runs every strata test: the whole suite, then the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup/install-deps.sh
bazel test //...
bazel test --config=asan //...
