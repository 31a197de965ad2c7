#!/bin/bash
# strata-inspect as a user runs it: from //tools:dist (here, its runfiles),
# finding the plugins next to itself. Checks the listing, the refusal of the
# ABI test plugins with their reasons, --validate on good and bad
# configurations, and the documented exit codes.
set -u

INSPECT="$TEST_SRCDIR/strata/tools/strata-inspect"
C_PLUGINS="$TEST_SRCDIR/strata/tests/abi/c_plugin"
TMP="$TEST_TMPDIR"
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# run ARGS...: sets $rc, $out and $err.
run() {
  "$INSPECT" "$@" >"$TMP/out" 2>"$TMP/err"
  rc=$?
  out=$(cat "$TMP/out")
  err=$(cat "$TMP/err")
}

expect_rc() {
  [ "$rc" -eq "$1" ] || fail "$2: exit code $rc, expected $1; stdout: $out; stderr: $err"
}

expect_has() {  # expect_has WHAT TEXT NEEDLE
  case "$2" in
    *"$3"*) ;;
    *) fail "$1 lacks '$3':"$'\n'"$2" ;;
  esac
}

# --- The listing of //tools:dist -------------------------------------------
run
expect_rc 0 "listing the dist plugins"
host_abi=$(sed -n 's/^runtime ABI: //p' "$TMP/out")
[ -n "$host_abi" ] || fail "no 'runtime ABI:' line: $out"
major=${host_abi%.*}
minor=${host_abi#*.}
for plugin in tcp tls h1 connect-tunnel; do
  expect_has "listing" "$out" "/strata-$plugin.so"
  expect_has "listing" "$out" "name:     $plugin"
done
expect_has "listing" "$out" "ABI:      $host_abi accepted"
expect_has "listing" "$out" "tcp  byte-stream  flags=-  "
expect_has "listing" "$out" "h1  session  flags=-  "
expect_has "listing" "$out" "connect-tunnel  byte-stream  flags=tunnel  "
expect_has "listing" "$out" "tls  byte-stream  flags=secure  "
# Policy plugins (ABI 1.1) list their policies and no layers.
expect_has "listing" "$out" "name:     policy-pin"
expect_has "listing" "$out" "  policies:
    policy-pin  refuses a TLS peer"
expect_has "listing" "$out" "    policy-allowlist  lets hops go only to listed origins"
expect_has "listing" "$out" "(default)"
case "$out" in *REFUSED*) fail "a dist plugin is refused: $out" ;; esac

# --- Plugins this runtime must refuse, and why --------------------------------
run --plugin-dir "$C_PLUGINS"
expect_rc 3 "listing with refused plugins"
expect_has "listing" "$out" "$C_PLUGINS  (--plugin-dir)"
expect_has "accepted C plugin" "$out" "c-passthrough  byte-stream"
wrong_major="$C_PLUGINS/strata-c-passthrough-wrong-major.so"
newer_minor="$C_PLUGINS/strata-c-passthrough-newer-minor.so"
# The reason is the loader's message: it names the file and both versions.
expect_has "wrong major" "$out" "ABI:      $((major + 1)).$minor REFUSED: plugin $wrong_major was built for strata ABI $((major + 1)).$minor but this runtime hosts ABI $host_abi"
expect_has "newer minor" "$out" "ABI:      $major.$((minor + 1)) REFUSED: plugin $newer_minor was built for strata ABI $major.$((minor + 1)), newer than this runtime's ABI $host_abi"

# One file on the command line: only that file is judged.
run "$C_PLUGINS/strata-c-passthrough.so"
expect_rc 0 "one accepted file"
expect_has "one file" "$out" "found:    command line"
case "$out" in *strata-tcp.so*) fail "listed the search path's plugins too: $out" ;; esac

# A bare file name is a file in the current directory, not a library search.
(cd "$C_PLUGINS" && "$INSPECT" strata-c-passthrough.so >"$TMP/out" 2>"$TMP/err")
rc=$?
out=$(cat "$TMP/out")
err=$(cat "$TMP/err")
expect_rc 0 "a file name relative to the current directory"
expect_has "relative file" "$out" "$C_PLUGINS/strata-c-passthrough.so"$'\n'"  found:    command line"

# --- --validate ---------------------------------------------------------------
cat >"$TMP/good.json" <<'JSON'
{
  "plugins": ["tcp", "tls", "h1"],
  "pipelines": {
    "http": ["tcp", "h1"],
    "https": ["tcp", {"layer": "tls", "options": {"alpn": ["http/1.1"], "min_version": "1.3"}}, "h1"],
    "raw": ["tcp", "tls"]
  }
}
JSON
run --validate "$TMP/good.json"
expect_rc 0 "valid configuration"
[ "$(head -n1 "$TMP/out")" = "OK" ] || fail "first line is not OK: $out"
expect_has "valid" "$out" "https: tcp → tls → h1"
expect_has "valid" "$out" "raw: tcp → tls"
expect_has "valid" "$out" "tls 0.1.0 ("

# validate_error NAME JSON NEEDLE...: invalid, exit 1, stderr names each NEEDLE.
validate_error() {
  local name=$1 json=$2
  shift 2
  printf '%s\n' "$json" >"$TMP/$name.json"
  run --validate "$TMP/$name.json"
  expect_rc 1 "$name"
  [ -z "$out" ] || fail "$name: printed on stdout: $out"
  for needle in "$@"; do expect_has "$name" "$err" "$needle"; done
}
validate_error unknown_layer '{"pipelines": {"https": ["tcp", "tlss", "h1"]}}' \
  "unknown_layer.json: configuration /pipelines/https/1: no loaded plugin provides layer 'tlss'"
validate_error bad_option \
  '{"pipelines": {"https": ["tcp", {"layer": "tls", "options": {"min_version": "1.7"}}, "h1"]}}' \
  "configuration /pipelines/https/1: tls: cannot create layer:" "min_version"
validate_error session_not_last '{"pipelines": {"http": ["tcp", "h1", "tls"]}}' \
  "configuration /pipelines/http/1: session layer 'h1' must be the last (top) layer"
validate_error wrong_type '{"timeouts": {"connect_ms": "soon"}}' "/timeouts/connect_ms"
validate_error malformed '{"pipelines": {' "line"
validate_error missing_plugin '{"plugins": ["tcp", "nosuch"]}' "/plugins/1" "strata-nosuch.so"

# --plugin-dir reaches --validate: a configuration naming the C plugin by name.
printf '%s\n' '{"plugins": ["tcp", "c-passthrough", "h1"], "pipelines": {"http": ["tcp", "c-passthrough", "h1"]}}' \
  >"$TMP/c.json"
run --validate "$TMP/c.json"
expect_rc 1 "C plugin without its directory"
run --plugin-dir "$C_PLUGINS" --validate "$TMP/c.json"
expect_rc 0 "C plugin with --plugin-dir"
expect_has "with --plugin-dir" "$out" "http: tcp → c-passthrough → h1"

# --- --config for the listing ------------------------------------------------
printf '%s\n' '{"plugins": ["tcp", "h1", "nosuch"]}' >"$TMP/listcfg.json"
run --config "$TMP/listcfg.json"
expect_rc 3 "configuration naming a missing plugin"
expect_has "missing plugin" "$out" "problem: configuration /plugins/2 names plugin 'nosuch', but no strata-nosuch.so is in the search path"
printf '%s\n' "{\"plugin_dirs\": [\"$C_PLUGINS\"], \"plugins\": [\"tcp\"]}" >"$TMP/dircfg.json"
run --config "$TMP/dircfg.json"
expect_has "config dirs" "$out" "$C_PLUGINS  (configuration /plugin_dirs/0)"

# --- Usage errors --------------------------------------------------------------
run --frobnicate
expect_rc 2 "unknown option"
expect_has "usage" "$err" "unknown option --frobnicate"
run --validate "$TMP/does-not-exist.json"
expect_rc 2 "unreadable file"
run --validate
expect_rc 2 "missing argument"
run --help
expect_rc 0 "--help"
expect_has "help" "$out" "exit codes:"

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all checks passed"
