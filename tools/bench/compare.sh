#!/usr/bin/env bash
# strata vs h2load and curl on this machine, one table (tools/bench/compare.py;
# docs/performance.md). Without --bin it builds `bazel build -c opt //tools:dist`
# first and uses that.
#
#   tools/bench/compare.sh [--bin DIR] [--rounds 3] [--quick] [--only NAME]...
set -euo pipefail
exec python3 "$(dirname "${BASH_SOURCE[0]}")/compare.py" "$@"
