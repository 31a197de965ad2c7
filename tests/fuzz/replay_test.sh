#!/usr/bin/env bash
# replay_test.sh BINARY CORPUS_DIR — the <target>_regression test: runs the
# fuzz target (replay main in normal builds) on every file of its checked-in
# corpus, crash reproducers included. Fails if the corpus is missing/empty or
# any input crashes.
set -euo pipefail
bin="$1"
corpus="$2"
if [[ ! -d "$corpus" ]] || [[ -z "$(find -L "$corpus" -type f | head -1)" ]]; then
  echo "no corpus at $corpus" >&2
  exit 1
fi
n=$(find -L "$corpus" -type f | wc -l)
echo "replaying $n inputs of $corpus through $bin"
# Under --config=fuzz the binary is libFuzzer's main: give it files, not the
# directory (a directory would start fuzzing).
help=$("$bin" -help=1 2>&1 || true)
if [[ "$help" == *libFuzzer* ]]; then
  find -L "$corpus" -type f -print0 | xargs -0 "$bin" -runs=1 >/dev/null 2>&1 || {
    find -L "$corpus" -type f -print0 | xargs -0 "$bin" -runs=1; exit 1; }
  echo "ok"
else
  "$bin" "$corpus" 2>/dev/null || { "$bin" "$corpus"; exit 1; }
fi
