"""A small nginx launcher for Python tests, with the rules of the C++
fixture (tests/support/nginx_fixture.h): 127.0.0.1 and a free port only,
every file under $TEST_TMPDIR, foreground single process, stopped always.

Nginx(tls=(cert, key), http2=True, locations="...") serves https (and h2
by ALPN) and adds location blocks; Pki makes a throw-away CA and leaf
certificates with the openssl command (as tests/integration/tls_e2e's
TestPki does); Squid is a CONNECT/forwarding proxy (like
tests/support/proxy_fixture.h: it drops privileges, so tests using it are
tagged no-sandbox)."""

import os
import signal
import socket
import subprocess
import tempfile
import time

NGINX = "/usr/sbin/nginx"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class Nginx:
    """Context manager: `with Nginx() as n: n.write("a.txt", b"..")`."""

    def __init__(self, tls=None, http2=False, locations=""):
        self.tls = tls
        self.http2 = http2
        self.locations = locations
        base = os.environ.get("TEST_TMPDIR", tempfile.gettempdir())
        self.dir = tempfile.mkdtemp(prefix="py-nginx-", dir=base)
        self.docroot = os.path.join(self.dir, "www")
        os.makedirs(self.docroot)
        # nginx creates the *_temp_path directories but not their parent.
        os.makedirs(os.path.join(self.dir, "temp"))
        self.port = 0
        self.proc = None

    def url(self, path, host="127.0.0.1"):
        return "%s://%s:%d%s" % ("https" if self.tls else "http", host, self.port, path)

    def write(self, relative, data):
        path = os.path.join(self.docroot, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def access_log(self):
        path = os.path.join(self.dir, "access.log")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [line.rstrip("\n").split("|") for line in f if line.strip()]

    def _config(self):
        d = self.dir
        temp = "".join('  %s_temp_path "%s/temp/%s";\n' % (k, d, k)
                       for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # As root nginx would switch to "nobody", which the sandbox lacks.
        user = "user root root;\n" if os.geteuid() == 0 else ""
        return (
            "daemon off;\nmaster_process off;\nworker_processes 1;\n" + user +
            'error_log "%s/error.log" info;\npid "%s/nginx.pid";\n' % (d, d) +
            "events { worker_connections 64; }\nhttp {\n" + temp +
            "  log_format strata '$connection|$connection_requests|$request|$status';\n"
            '  access_log "%s/access.log" strata;\n' % d +
            "  ssl_protocols TLSv1.2 TLSv1.3;\n"
            "  server {\n    listen 127.0.0.1:%d%s%s;\n" % (
                self.port, " ssl" if self.tls else "", " http2" if self.http2 else "") +
            ('    ssl_certificate "%s";\n    ssl_certificate_key "%s";\n' % self.tls if self.tls else "") +
            '    root "%s";\n    location / { }\n' % self.docroot + self.locations + "  }\n}\n")

    def __enter__(self):
        for _ in range(5):  # another process may take the free port first
            self.port = free_port()
            conf = os.path.join(self.dir, "nginx.conf")
            with open(conf, "w") as f:
                f.write(self._config())
            err = os.path.join(self.dir, "error.log")
            with open(os.path.join(self.dir, "stderr"), "wb") as stderr:
                self.proc = subprocess.Popen(
                    [NGINX, "-p", self.dir + "/", "-c", conf, "-e", err],
                    stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if _accepts(self.port):
                    return self
                time.sleep(0.01)
            log = open(err).read() if os.path.exists(err) else ""
            self._stop()
            if "Address already in use" not in log:
                raise RuntimeError("nginx did not start: " + log[-2000:])
        raise RuntimeError("nginx: no free port after 5 attempts")

    def _stop(self):
        _stop_group(self.proc, grace=5)
        self.proc = None

    def __exit__(self, *exc):
        self._stop()
        return False


def _stop_group(proc, grace):
    """Stops a daemon started with start_new_session=True: SIGTERM to its
    process group, SIGKILL after |grace| seconds."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _tmpdir(prefix):
    base = os.environ.get("TEST_TMPDIR", tempfile.gettempdir())
    return tempfile.mkdtemp(prefix=prefix, dir=base)


class Pki:
    """A throw-away CA and leaves made with the openssl command under
    $TEST_TMPDIR (no key is committed)."""

    def __init__(self):
        self.dir = _tmpdir("py-pki-")
        self._serial = 1000

    def cert(self, name):
        return os.path.join(self.dir, name + ".pem")

    def key(self, name):
        return os.path.join(self.dir, name + ".key")

    def _openssl(self, *args):
        r = subprocess.run(["openssl"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("openssl %s failed: %s" % (args[0], r.stderr.decode(errors="replace")))

    def make_ca(self, name="ca"):
        self._openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                      "-keyout", self.key(name), "-out", self.cert(name), "-days", "2", "-subj",
                      "/CN=strata test " + name, "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
                      "keyUsage=critical,keyCertSign,cRLSign")
        return self.cert(name)

    def make_leaf(self, name, ca="ca", common_name="localhost", san="DNS:localhost,IP:127.0.0.1"):
        csr = os.path.join(self.dir, name + ".csr")
        ext = os.path.join(self.dir, name + ".ext")
        with open(ext, "w") as f:
            f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                    "extendedKeyUsage=serverAuth\nsubjectAltName=%s\n" % san)
        self._openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                      "-keyout", self.key(name), "-out", csr, "-subj", "/CN=" + common_name)
        self._serial += 1
        self._openssl("x509", "-req", "-in", csr, "-CA", self.cert(ca), "-CAkey", self.key(ca), "-set_serial",
                      str(self._serial), "-days", "2", "-out", self.cert(name), "-extfile", ext)
        return self.cert(name), self.key(name)


def _reachable_by_others(path):
    path = os.path.abspath(path)
    while path != "/":
        path = os.path.dirname(path)
        if not os.stat(path).st_mode & 0o001:
            return False
    return True


class Squid:
    """squid on 127.0.0.1 (CONNECT and forwarding), as
    tests/support/proxy_fixture.h's SquidFixture."""

    def __init__(self):
        self.dir = _tmpdir("py-squid-")
        os.chmod(self.dir, 0o777)  # squid drops to an unprivileged user
        # ...which cannot reach a directory under a private /root (and squid
        # refuses to stay root): then there is no access log.
        self.has_log = os.geteuid() != 0 or _reachable_by_others(self.dir)
        self.port = 0
        self.proc = None

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def access_log(self):
        """The access log, or None when squid cannot write one here."""
        if not self.has_log:
            return None
        path = os.path.join(self.dir, "access.log")
        return open(path).read() if os.path.exists(path) else ""

    def __enter__(self):
        d = self.dir
        access = "access_log stdio:%s/access.log\n" % d if self.has_log else "access_log none\n"
        for _ in range(5):
            self.port = free_port()
            conf = os.path.join(d, "squid.conf")
            with open(conf, "w") as f:
                f.write("http_port 127.0.0.1:%d\n" % self.port +
                        "pid_filename %s/squid.pid\ncache_log %s/cache.log\n" % (d, d) + access +
                        "cache_store_log none\ncache deny all\ncoredump_dir %s\nnetdb_filename none\n" % d +
                        "pinger_enable off\nshutdown_lifetime 0 seconds\n"
                        "acl local src 127.0.0.0/8\nacl CONNECT method CONNECT\n"
                        "acl SSL_ports port 1-65535\n"
                        "http_access allow local\nhttp_access deny all\nforwarded_for delete\nvia off\n")
            with open(os.path.join(d, "stderr"), "wb") as stderr:
                # A service name of its own: squid names its shared memory
                # segments after it, so concurrent squids do not collide.
                self.proc = subprocess.Popen(["/usr/sbin/squid", "-N", "-n", "strata%d" % self.port, "-f", conf],
                                             stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                if _accepts(self.port):
                    return self
                time.sleep(0.05)
            log = ""
            for name in ("cache.log", "stderr"):
                path = os.path.join(d, name)
                if os.path.exists(path):
                    with open(path, errors="replace") as f:
                        log += f.read()
            self._stop()
            if "Address already in use" not in log:
                raise RuntimeError("squid did not start: " + log[-3000:])
        raise RuntimeError("squid: no free port after 5 attempts")

    def _stop(self):
        _stop_group(self.proc, grace=10)
        self.proc = None

    def __exit__(self, *exc):
        self._stop()
        return False


# Locations the bindings' tests share (Python and LuaJIT): redirects, a
# loop, a status, repeated headers, PUT uploads into the docroot (WebDAV).
TEST_LOCATIONS = (
    "    location = /redirect { return 302 /hello.txt; }\n"
    "    location = /redirect2 { return 301 /redirect; }\n"
    "    location = /loop { return 302 /loop; }\n"
    "    location = /teapot { return 418 \"short and stout\\n\"; }\n"
    "    location = /multi { add_header X-Multi one; add_header X-Multi two; return 200 \"multi\\n\"; }\n"
    "    location = /headers { return 200 \"ua=[$http_user_agent] accept=[$http_accept]\\n\"; }\n"
    "    location /up/ { dav_methods PUT; create_full_put_path on; client_max_body_size 512m; }\n"
    # Content decoding: nginx's gzip filter, a stored gzip bomb, a coding
    # nobody decodes.
    "    location /gz/ { gzip on; gzip_types *; gzip_min_length 0; }\n"
    "    location = /zeros.gz { default_type application/octet-stream; add_header Content-Encoding gzip; }\n"
    "    location = /compress { default_type text/plain; add_header Content-Encoding compress; return 200 \"x\\n\"; }\n"
    # Retries: always busy.
    "    location = /busy { return 503 \"busy\\n\"; }\n"
    # Cookies: one set on a redirect, and the Cookie header echoed.
    "    location = /login { add_header Set-Cookie \"sid=abc; Path=/\"; return 302 /echo-cookie; }\n"
    "    location = /echo-cookie { return 200 \"cookie=[$http_cookie]\\n\"; }\n"
    # An alternative service advertised (RFC 7838).
    "    location = /alt-svc { add_header Alt-Svc 'h3=\":4433\"; ma=600'; return 200 \"alt\\n\"; }\n"
    # Basic auth sent (strata.http's user/password).
    "    location = /echo-auth { return 200 \"auth=[$http_authorization]\\n\"; }\n")

# The text /gz/page.txt holds (compressible, like a page).
GZ_PAGE = b"".join(b"line %d of a page that compresses well\n" % i for i in range(5000))


def write_test_files(server):
    server.write("hello.txt", b"hello from nginx\n")
    server.write("data.json", b'{"name": "strata", "layers": ["tcp", "tls", "h1"]}\n')
    server.write("up/.keep", b"")
    server.write("gz/page.txt", GZ_PAGE)
    # 64 MiB of zeros in about 64 KiB: over the default decode ratio (200).
    import zlib
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + 15)
    zeros = bytes(1 << 20)
    server.write("zeros.gz", b"".join([c.compress(zeros) for _ in range(64)] + [c.flush()]))


def main(argv):
    """nginx_launcher.py [--squid] [--h2] [--big BYTES] -- COMMAND...: starts
    an http nginx, an https nginx (a fresh CA), optionally an https+h2 nginx
    and squid, runs COMMAND with their addresses in the environment, stops
    everything and exits with COMMAND's status. Environment:
    STRATA_TEST_HTTP, STRATA_TEST_HTTPS (base URLs, no trailing slash),
    STRATA_TEST_HTTPS_HOST (https://localhost:port), STRATA_TEST_CA,
    STRATA_TEST_DOCROOT, STRATA_TEST_PROXY, STRATA_TEST_H2."""
    import contextlib
    sep = argv.index("--")
    opts, command = argv[:sep], argv[sep + 1:]
    big = int(opts[opts.index("--big") + 1]) if "--big" in opts else 0
    with contextlib.ExitStack() as stack:
        pki = Pki()
        env = dict(os.environ, STRATA_TEST_CA=pki.make_ca())
        tls = pki.make_leaf("server")
        http = Nginx(locations=TEST_LOCATIONS)
        https = Nginx(tls=tls, locations=TEST_LOCATIONS)
        # The https server serves the http server's docroot too.
        https.docroot = http.docroot
        write_test_files(http)
        if big:
            http.write("big.bin", bytes(range(256)) * (big // 256))
        stack.enter_context(http)
        # An HTTPS to HTTP redirect (the https server only), once the http
        # server has its port.
        https.locations += "    location = /to-http { return 302 %s/hello.txt; }\n" % http.url("")
        stack.enter_context(https)
        env.update(STRATA_TEST_HTTP=http.url(""), STRATA_TEST_HTTPS=https.url(""),
                   STRATA_TEST_HTTPS_HOST=https.url("", host="localhost"), STRATA_TEST_DOCROOT=http.docroot)
        if "--h2" in opts:
            h2 = Nginx(tls=tls, http2=True, locations=TEST_LOCATIONS)
            h2.docroot = http.docroot
            stack.enter_context(h2)
            env["STRATA_TEST_H2"] = h2.url("", host="localhost")
        if "--squid" in opts:
            squid = stack.enter_context(Squid())
            env["STRATA_TEST_PROXY"] = squid.url()
        return subprocess.call(command, env=env)


if __name__ == "__main__":
    import sys
    sys.exit(main(sys.argv[1:]))
