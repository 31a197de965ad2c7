#!/usr/bin/env bash
# tools/fuzz/run.sh [SECONDS] [TARGET...] — builds the libFuzzer targets with
# clang (--config=fuzz, separate output base) and runs each for SECONDS
# (default 60) on a copy of its checked-in corpus with its dictionary.
# New inputs go to a temporary directory, never into the repository.
# Prints per target: executions, coverage (cov/ft), new units, crashes.
# Exits non-zero if any target crashed, leaving the reproducer path printed
# (add it under tests/fuzz/corpus/<target>/ once fixed: the <target>_regression
# test then replays it in every `bazel test //...`).
#
#   tools/fuzz/run.sh                 all targets, 60 s each
#   tools/fuzz/run.sh 30              all targets, 30 s each (CI)
#   tools/fuzz/run.sh 3600 h2_session_fuzzer   one target for an hour
# Environment: FUZZ_OUTPUT_BASE (default /root/.cache/bazel-ob-fuzz),
# FUZZ_WORK (default: a new mktemp dir), FUZZ_JOBS is not used: one target at
# a time (the machine is shared).
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
shift || true
all=(hpack_decoder_fuzzer hpack_roundtrip_fuzzer h2_session_fuzzer h1_response_fuzzer
     connect_reply_fuzzer url_fuzzer config_fuzzer h2_upgrade_fuzzer decoder_fuzzer cookie_fuzzer
     socks_reply_fuzzer alt_svc_fuzzer h3_client_fuzzer)
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all[@]}")
output_base="${FUZZ_OUTPUT_BASE:-/root/.cache/bazel-ob-fuzz}"
work="${FUZZ_WORK:-$(mktemp -d /tmp/strata-fuzz.XXXXXX)}"
mkdir -p "$work"

declare -A dicts=(
  [hpack_decoder_fuzzer]=h2.dict [hpack_roundtrip_fuzzer]=http.dict
  [h2_session_fuzzer]=h2.dict [h1_response_fuzzer]=http.dict
  [connect_reply_fuzzer]=http.dict [url_fuzzer]=http.dict [config_fuzzer]=json.dict
  [h2_upgrade_fuzzer]=h2.dict [cookie_fuzzer]=cookie.dict [alt_svc_fuzzer]=http.dict
  [h3_client_fuzzer]=h3.dict
)

t0=$(date +%s)
labels=()
for t in "${targets[@]}"; do labels+=("//tests/fuzz:$t"); done
echo "== building ${#targets[@]} fuzz targets (clang, --config=fuzz, output base $output_base)"
if ! bazel --output_base="$output_base" build --config=fuzz "${labels[@]}"; then
  echo "fuzz build failed" >&2
  exit 2
fi
bin_dir="$(bazel --output_base="$output_base" info --config=fuzz bazel-bin 2>/dev/null)/tests/fuzz"
echo "== build took $(( $(date +%s) - t0 )) s; work dir $work"

status=0
summary=()
for t in "${targets[@]}"; do
  corpus="$work/$t/corpus"
  artifacts="$work/$t/artifacts/"
  mkdir -p "$corpus" "$artifacts"
  # The checked-in corpus is read-only input: libFuzzer writes new units to
  # the first directory only, which is the temporary copy.
  cp -r "tests/fuzz/corpus/$t/." "$corpus/" 2>/dev/null || true
  dict_args=()
  [[ -n "${dicts[$t]:-}" ]] && dict_args=(-dict="tests/fuzz/dict/${dicts[$t]}")
  log="$work/$t/fuzz.log"
  echo "== $t: ${seconds}s"
  start_units=$(find "$corpus" -type f | wc -l)
  "$bin_dir/$t" "$corpus" "${dict_args[@]}" -max_total_time="$seconds" \
    -print_final_stats=1 -artifact_prefix="$artifacts" -timeout=25 -rss_limit_mb=2048 \
    -max_len=8192 >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  newu=$(grep -o 'stat::new_units_added: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
  crashes=$(find "$artifacts" -type f | wc -l)
  line=$(printf '%-24s execs=%-10s cov=%-6s ft=%-6s new_units=%-6s corpus=%s→%s crashes=%s' \
    "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${newu:-?}" "$start_units" \
    "$(find "$corpus" -type f | wc -l)" "$crashes")
  echo "$line"
  summary+=("$line")
  if [[ $rc -ne 0 || $crashes -ne 0 ]]; then
    status=1
    echo "!! $t crashed (exit $rc); log: $log"
    grep -E 'ERROR:|SUMMARY:|Test unit written' "$log" | head -5
    find "$artifacts" -type f | sed 's/^/!! reproducer: /'
  fi
done
echo "== summary (${seconds}s per target, total $(( $(date +%s) - t0 )) s)"
printf '%s\n' "${summary[@]}"
exit $status
