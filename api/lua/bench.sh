#!/usr/bin/env bash
# bench.sh [seconds per workload] — builds //tools:dist with -c opt and runs
# bench.lua against a local nginx (http, https, and https with HTTP/2, from a
# fresh CA), printing a Markdown table of requests per second: strata from
# LuaJIT against LuaSocket's http.request and LuaSec's https.request (Debian
# lua-socket and lua-sec; skipped when absent). BAZEL_FLAGS are passed to
# the build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
# Not under TEST_TMPDIR's output root (Bazel moves there when it is set).
env -u TEST_TMPDIR bazel build -c opt ${BAZEL_FLAGS:-} //tools:dist >&2
bin=$(env -u TEST_TMPDIR bazel info -c opt ${BAZEL_FLAGS:-} bazel-bin 2>/dev/null)
export STRATA_LIBRARY="$bin/tools/libstrata.so"
export LUA_PATH="$here/?.lua;$here/examples/?.lua;;"
# The peers of tests/ffi/nginx_launcher.py, but keeping connections for
# any number of requests: nginx ends one after 1000 by default, and then
# each transfer in flight opens a connection of its own (the runtime does
# not wait for the one HTTP/2 connection being made), past nginx's 64.
exec /usr/bin/python3 - "$@" <<EOF
import os, subprocess, sys
sys.path.insert(0, "$repo/tests/ffi")
import nginx_launcher as nl
keep = "    keepalive_requests 1000000;\n"
pki = nl.Pki()
ca = pki.make_ca()
tls = pki.make_leaf("server")
http = nl.Nginx(locations=keep)
https = nl.Nginx(tls=tls, locations=keep)
h2 = nl.Nginx(tls=tls, http2=True, locations=keep)
https.docroot = h2.docroot = http.docroot  # one docroot, before they start
with http, https, h2:
    env = dict(os.environ, STRATA_TEST_HTTP=http.url(""), STRATA_TEST_HTTPS_HOST=https.url("", host="localhost"),
               STRATA_TEST_H2=h2.url("", host="localhost"), STRATA_TEST_CA=ca, STRATA_TEST_DOCROOT=http.docroot)
    sys.exit(subprocess.call(["luajit", "$here/bench.lua"] + sys.argv[1:], env=env))
EOF
