#!/bin/bash
# The ABI 1.0 headers in tests/abi/v1_0 must never change (README.md there):
# any edit, even to a comment, fails here. Their checksums are those of
# api/strata/{plugin.h,status.h} when ABI 1.0 was released.
set -u
dir="$TEST_SRCDIR/strata/tests/abi/v1_0/strata"
status=0
check() {
  local actual
  actual=$(sha256sum <"$dir/$1" | cut -d' ' -f1)
  if [ "$actual" != "$2" ]; then
    echo "FAIL: tests/abi/v1_0/strata/$1 changed (sha256 $actual, frozen $2); restore it: ABI 1.0 is released" >&2
    status=1
  fi
}
check plugin.h 676745aee9d26ed85d29d846aeb96dc8264aef8ed7e375c690d8d378b996f051
check status.h 776afa2f27701dd4443e6f0ea46ab6f88853605650b2b96b9c6b561ba886d6d3
exit $status
