#!/usr/bin/env bash
# Installs every Debian package strata needs to build, test, benchmark and run
# its demo. Idempotent; run as root (or through sudo) on Debian 12.
set -euo pipefail

PACKAGES=(
  # Build: Bazel (offline, WORKSPACE mode), the compiler, system libraries.
  bazel-bootstrap g++ android-libboringssl-dev libabsl-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev pkg-config
  # Content codings (runtime/decoding): gzip/deflate, br, zstd.
  zlib1g-dev libbrotli-dev libzstd-dev
  # The Public Suffix List for cookies (runtime/cookies).
  libpsl-dev
  # QUIC and HTTP/3 (plugins/h3), and the ngtcp2 example server its tests run.
  libngtcp2-dev libnghttp3-dev ngtcp2-server
  # Real peers and reference clients started by tests, the demo and benchmarks.
  nginx-light nghttp2-server nghttp2-client nghttp2-proxy curl openssl squid tinyproxy apache2
  # The SOCKS5 proxy the socks plugin's tests run (tests/integration/socks).
  microsocks
  # Reading the generated man page (tools/cli docs_gen_test: groff -ww, man -l).
  groff-base man-db
  # Scripted hostile HTTP/2 servers (tests/hostile/h2_server) on a real h2 library.
  python3-h2
  # The br and zstd encoders of the content-coding test peer (tests/integration/decoding).
  python3-brotli python3-zstandard
  # Syscall counts per request in the benchmark comparison (tools/bench/compare.sh).
  strace
  # FFI bindings and their tests.
  python3 luajit
  # LuaSocket and LuaSec for LuaJIT (api/lua: ltn12, and the LuaSec comparison
  # and benchmark), luarocks (the rockspec test).
  lua-socket lua-sec luarocks
  # The CMake consumer of the installed package (tests/install).
  cmake
  # The Python package's offline install test in a fresh venv (api/python
  # test_pip_install): venv with Debian's pip and setuptools wheels.
  python3-venv python3-pip-whl python3-setuptools-whl
  # Fuzzing (libFuzzer) with clang.
  clang libclang-rt-14-dev
  # A host program linked against the system OpenSSL (TLS isolation test).
  libssl-dev
)

if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  exec sudo "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ] || [ "${STRATA_FORCE_APT:-}" = 1 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
fi
