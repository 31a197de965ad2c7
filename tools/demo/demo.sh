#!/usr/bin/env bash
# The strata demo: starts real peers on loopback (nginx, with TLS when the tls
# plugin is built), then fetches through strata's pipelines with -v so every
# layer's work is visible. Needs no internet. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools/setup/install-deps.sh
bazel build //tools:dist
BIN="$(bazel info bazel-bin)/tools"
STRATA="$BIN/strata"

WORK="$(mktemp -d /tmp/strata-demo.XXXXXX)"
NGINX_PID=""
SQUID_PID=""
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  [ -n "$SQUID_PID" ] && kill "$SQUID_PID" 2>/dev/null && wait "$SQUID_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
SQUID_PORT=$(free_port)

mkdir -p "$WORK/www"
echo "hello from nginx through strata" > "$WORK/www/index.html"
head -c 1048576 /dev/urandom > "$WORK/www/1MiB.bin"

TLS_SERVER=""
if [ -f "$BIN/strata-tls.so" ]; then
  # A demo CA and a certificate for localhost and 127.0.0.1.
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=strata demo CA" \
    -keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$WORK/server.key" -out "$WORK/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > "$WORK/san.ext"
  openssl x509 -req -in "$WORK/server.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" \
    -CAcreateserial -days 1 -extfile "$WORK/san.ext" -out "$WORK/server.pem" 2>/dev/null
  # nginx 1.22 spells HTTP/2 as a listen parameter.
  TLS_SERVER="server { listen 127.0.0.1:$HTTPS_PORT ssl http2; root $WORK/www;
    ssl_certificate $WORK/server.pem; ssl_certificate_key $WORK/server.key; }"
fi

cat > "$WORK/nginx.conf" <<CONF
daemon off;
master_process off;
user root root;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events {}
http {
  log_format conn 'connection=\$connection request=\$connection_requests "\$request" \$status \$body_bytes_sent';
  access_log $WORK/access.log conn;
  client_body_temp_path $WORK/tmp_body; proxy_temp_path $WORK/tmp_proxy;
  fastcgi_temp_path $WORK/tmp_fcgi; uwsgi_temp_path $WORK/tmp_uwsgi; scgi_temp_path $WORK/tmp_scgi;
  server { listen 127.0.0.1:$HTTP_PORT; root $WORK/www;
    location = /secure { return 301 https://localhost:$HTTPS_PORT/index.html; } }
  $TLS_SERVER
}
CONF
nginx -e "$WORK/error.log" -c "$WORK/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT") 2>/dev/null && break
  sleep 0.1
done

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "http:// through tcp → h1, verbose" \
  "$STRATA" -v "http://127.0.0.1:$HTTP_PORT/index.html"
step "two URLs, one connection (num_connects 1 then 0)" \
  "$STRATA" -s -o /dev/null -o /dev/null -w '%{url_effective} %{http_code} connects=%{num_connects} bytes=%{size_download}\n' \
  "http://127.0.0.1:$HTTP_PORT/1MiB.bin" "http://127.0.0.1:$HTTP_PORT/1MiB.bin"
step "a missing page with --fail" \
  "$STRATA" -sS -f "http://127.0.0.1:$HTTP_PORT/missing" || true
if [ -n "$TLS_SERVER" ]; then
  step "https:// forced to HTTP/1.1: tcp → tls → h1, verified against the demo CA" \
    "$STRATA" -v --http1.1 --cacert "$WORK/ca.pem" "https://localhost:$HTTPS_PORT/index.html"
  step "https:// by default: tcp → tls → h2-alpn, HTTP/2 chosen by ALPN, frames traced" \
    "$STRATA" -v --cacert "$WORK/ca.pem" -o /dev/null -w '%{http_version} %{http_code}\n' \
    "https://localhost:$HTTPS_PORT/index.html"
  step "a redirect from http to https: a new chain for the new hop" \
    "$STRATA" -sS -L --cacert "$WORK/ca.pem" -w '%{num_redirects} redirect(s), %{strata_chain}\n' \
    "http://127.0.0.1:$HTTP_PORT/secure"
  if command -v squid >/dev/null; then
    mkdir -p "$WORK/squid" && chmod 777 "$WORK/squid" "$WORK"
    cat > "$WORK/squid/squid.conf" <<SQUID
http_port 127.0.0.1:$SQUID_PORT
pid_filename $WORK/squid/squid.pid
cache_log $WORK/squid/cache.log
access_log stdio:$WORK/squid/access.log
cache deny all
netdb_filename none
pinger_enable off
shutdown_lifetime 0 seconds
acl local src 127.0.0.0/8
http_access allow local
http_access deny all
SQUID
    squid -N -n "stratademo$SQUID_PORT" -f "$WORK/squid/squid.conf" &
    SQUID_PID=$!
    for _ in $(seq 100); do
      (exec 3<>"/dev/tcp/127.0.0.1/$SQUID_PORT") 2>/dev/null && break
      sleep 0.1
    done
    step "https:// through squid: tcp → connect-tunnel → tls → h2-alpn" \
      "$STRATA" -v -x "http://127.0.0.1:$SQUID_PORT" --cacert "$WORK/ca.pem" -o /dev/null \
      -w '%{http_connect} from the proxy, %{http_code} from the origin\n' "https://localhost:$HTTPS_PORT/index.html"
    echo "squid saw:"
    cat "$WORK/squid/access.log" 2>/dev/null || true
  fi
fi
echo
echo "nginx saw (connection number, request):"
cat "$WORK/access.log"
