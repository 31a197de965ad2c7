#!/usr/bin/env python3
"""The strata soak: 100,000 mixed requests against real peers that send
GOAWAY every 50 requests and close idle connections at random (issue 18).

  soak.py [--bin STRATA_SOAK] [--plugin-dir DIR] [--requests N]
          [--parallel P] [--seed S] [--mix NAME=WEIGHT,...] [--json FILE]
          [--keep] [-- EXTRA strata-soak ARGUMENTS]

It starts, each on free ports of 127.0.0.1 and with every file in a fresh
directory under /tmp:

  nginx     six server blocks, all with `keepalive_requests 50`: plain
            HTTP/1.1, HTTP/1.1 over TLS, HTTP/2 over TLS (ALPN), HTTP/2 in
            cleartext with prior knowledge (h2c), and one TLS and one TLS+h2
            block reached only through the CONNECT proxy. After 50 requests
            nginx ends an HTTP/1.1 connection ("Connection: close") and sends
            GOAWAY on an HTTP/2 one; its keep-alive timeouts (1 to 2 s) close
            connections left idle longer, HTTP/2 ones with GOAWAY too.
  apache2   mod_http2 with "Protocols h2c http/1.1" and H2Upgrade: the h2c
            Upgrade path (HTTP/1.1 request with "Upgrade: h2c", answered on
            HTTP/2 stream 1), MaxKeepAliveRequests 50, KeepAliveTimeout 1 s.
  squid     the CONNECT proxy in front of the two CONNECT-only nginx blocks.
  idle_closer.py
            a relay in front of every one of them (the client never reaches
            a peer directly) that, each time a connection goes idle, closes
            it at random: with probability 1/2 after a random 50-250 ms of
            silence, the client hearing of it 0-50 ms later (a request sent
            meanwhile crosses the close and gets a RST), else 4 in 5 with a
            FIN, 1 in 5 with a RST. The client pools connections for 60 s,
            so it keeps reusing connections a peer is about to drop or has
            just dropped (docs/soak.md).

Then it runs strata-soak (tools/soak/main.cc) over the mix

  h1           http://  HTTP/1.1                      -> nginx
  tls          https:// HTTP/1.1                      -> nginx (TLS)
  h2           https:// HTTP/2 (ALPN)                 -> nginx (TLS, http2)
  h2c          http://  HTTP/2 prior knowledge        -> nginx (http2)
  h2c-upgrade  http://  HTTP/2 by Upgrade: h2c        -> apache2
  connect      https:// HTTP/1.1 through CONNECT      -> squid -> nginx (TLS)
  connect-h2   https:// HTTP/2 through CONNECT        -> squid -> nginx (TLS, http2)

(GET of 512 B, 4 KiB and 32 KiB files checked byte for byte, and 10 % POSTs
on the nginx targets), prints strata-soak's periodic lines and summary, and
then what the peers saw: connections per relay, how many the relay closed
idle (FIN/RST; "crossed": a request crossed the close) and how many the
peer closed, and per nginx block the
requests, connections, and how many connections reached 50 requests (each
of those got GOAWAY or "Connection: close").

The exit status is strata-soak's (0: no failure and RSS growth within 5 %
after warm-up), or 5 if the scenario did not happen as described (no idle
close, or no connection reached the 50-request limit): a soak that never
met a GOAWAY proves nothing.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = (512, 4096, 32768)
KEEPALIVE_REQUESTS = 50
DEFAULT_MIX = "h1=1,tls=1,h2=1,h2c=1,h2c-upgrade=1,connect=1,connect-h2=1"


def log(msg):
    print("soak: " + msg, flush=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def body(n):
    # tools/soak/main.cc's ExpectedBody: byte i = 'a' + (i * 7 + n) % 26.
    return bytes(ord("a") + (i * 7 + n) % 26 for i in range(n))


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)


class Daemon:
    """A peer process in its own session, stopped with its group."""

    def __init__(self, name, argv, cwd, ports, logs, start_timeout=30, env=None):
        self.name, self.argv, self.cwd, self.ports, self.logs = name, argv, cwd, ports, logs
        self.start_timeout = start_timeout
        self.env = env
        self.proc = None

    def start(self):
        with open(os.path.join(self.cwd, self.name + ".stderr"), "wb") as err:
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, stdout=subprocess.DEVNULL, stderr=err,
                                         start_new_session=True, env=self.env)
        deadline = time.monotonic() + self.start_timeout
        pending = list(self.ports)
        while pending:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                text = "".join(read(p)[-3000:] for p in self.logs + [os.path.join(self.cwd, self.name + ".stderr")])
                self.stop()
                raise RuntimeError("%s did not start (%s):\n%s" % (
                    self.name, "exited %s" % self.proc.returncode if self.proc and self.proc.poll() is not None
                    else "timeout", text))
            if accepts(pending[0]):
                pending.pop(0)
            else:
                time.sleep(0.02)

    def stop(self, sig=signal.SIGTERM, grace=10):
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def openssl(*args):
    r = subprocess.run(["openssl"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (args[0], r.stderr.decode(errors="replace")))


def make_pki(d):
    """A throw-away CA and a server certificate for 127.0.0.1 and localhost
    (as tests/integration/tls_e2e's TestPki)."""
    ca, ca_key = os.path.join(d, "ca.pem"), os.path.join(d, "ca.key")
    crt, key = os.path.join(d, "server.pem"), os.path.join(d, "server.key")
    csr, ext = os.path.join(d, "server.csr"), os.path.join(d, "server.ext")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", "-new", *ec, "-keyout", ca_key, "-out", ca, "-days", "2", "-subj", "/CN=strata soak ca",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    write(ext, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
               "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("req", "-new", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=localhost")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-set_serial", "1001", "-days", "2", "-out", crt,
            "-extfile", ext)
    for p in (key, crt, ca):
        os.chmod(p, 0o644)
    return ca, crt, key


# name -> (listen suffix, keepalive_timeout)
NGINX_BLOCKS = [
    ("h1", "", "1s"),
    ("tls", " ssl", "1500ms"),
    ("h2", " ssl http2", "2s"),
    ("h2c", " http2", "1s"),
    ("connect", " ssl", "1500ms"),
    ("connect-h2", " ssl http2", "2s"),
]


def nginx_config(d, www, ports, crt, key):
    temp = "".join('  %s_temp_path "%s/temp/%s";\n' % (k, d, k) for k in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                          "scgi"))
    servers = ""
    for name, listen, keepalive in NGINX_BLOCKS:
        servers += ("  server {\n"
                    "    listen 127.0.0.1:%d%s;\n"
                    "    keepalive_timeout %s;\n"
                    '    root "%s";\n'
                    "    location / { }\n"
                    '    location = /post { return 200 "posted\\n"; }\n'
                    "  }\n" % (ports[name], listen, keepalive, www))
    # As root nginx would switch to "nobody".
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return ("daemon off;\nmaster_process off;\nworker_processes 1;\n" + user +
            'error_log "%s/error.log" info;\npid "%s/nginx.pid";\n' % (d, d) +
            "worker_rlimit_nofile 8192;\nevents { worker_connections 4096; }\n"
            "http {\n" + temp +
            "  default_type application/octet-stream;\n"
            "  log_format soak '$server_port|$connection|$connection_requests|$status|$request';\n"
            '  access_log "%s/access.log" soak buffer=256k flush=1s;\n' % d +
            "  ssl_protocols TLSv1.2 TLSv1.3;\n"
            '  ssl_certificate "%s";\n  ssl_certificate_key "%s";\n' % (crt, key) +
            "  keepalive_requests %d;\n" % KEEPALIVE_REQUESTS +
            servers + "}\n")


def apache_config(d, port):
    modules = "/usr/lib/apache2/modules/"
    return ('ServerRoot "%s"\nServerName 127.0.0.1\nListen 127.0.0.1:%d\n' % (d, port) +
            'PidFile "%s/httpd.pid"\nErrorLog "%s/error.log"\nLogLevel warn\n' % (d, d) +
            # mpm_worker: under mpm_event an upgraded connection sends
            # GOAWAY as soon as stream 1 is done (tests/integration/h2).
            "LoadModule mpm_worker_module %smod_mpm_worker.so\n" % modules +
            "LoadModule authz_core_module %smod_authz_core.so\n" % modules +
            "LoadModule mime_module %smod_mime.so\n" % modules +
            "LoadModule http2_module %smod_http2.so\n" % modules +
            "TypesConfig /etc/mime.types\nUser nobody\nGroup nogroup\n"
            "ServerLimit 4\nStartServers 2\nThreadsPerChild 64\nMaxRequestWorkers 256\n"
            'LogFormat "%%{remote}p %%>s %%r" soak\nCustomLog "%s/access.log" soak\n' % d +
            'DocumentRoot "%s/www"\n<Directory "%s/www">\n  Require all granted\n</Directory>\n' % (d, d) +
            "KeepAlive On\nKeepAliveTimeout 1\nMaxKeepAliveRequests %d\n" % KEEPALIVE_REQUESTS +
            "Protocols h2c http/1.1\nH2Upgrade on\n")


def squid_config(d, port):
    return ("http_port 127.0.0.1:%d\n" % port +
            "pid_filename %s/squid.pid\ncache_log %s/cache.log\naccess_log none\n" % (d, d) +
            "cache_store_log none\ncache deny all\ncoredump_dir %s\nnetdb_filename none\n" % d +
            "pinger_enable off\nshutdown_lifetime 0 seconds\nmax_filedescriptors 8192\n"
            "acl local src 127.0.0.0/8\nhttp_access allow local\nhttp_access deny all\n"
            "forwarded_for delete\nvia off\n")


def nginx_peer_stats(access_log, ports):
    """Per nginx block: requests, connections, connections that reached the
    keep-alive limit, the most requests one connection carried."""
    by_port = {str(p): n for n, p in ports.items()}
    out = {n: {"requests": 0, "connections": 0, "at_limit": 0, "max_per_connection": 0, "non_200": 0}
           for n in ports}
    conns = {}
    for line in read(access_log).splitlines():
        f = line.split("|")
        if len(f) < 5 or f[0] not in by_port:
            continue
        name = by_port[f[0]]
        s = out[name]
        s["requests"] += 1
        if f[3] != "200":
            s["non_200"] += 1
        n = int(f[2])
        key = (name, f[1])
        conns[key] = max(conns.get(key, 0), n)
    for (name, _), n in conns.items():
        s = out[name]
        s["connections"] += 1
        s["at_limit"] += n >= KEEPALIVE_REQUESTS
        s["max_per_connection"] = max(s["max_per_connection"], n)
    return out


def apache_peer_stats(access_log):
    """Requests answered, and upgrades: an h2c Upgrade is logged twice, as
    the 101 and as the response on stream 1."""
    statuses = [l.split(" ")[1] for l in read(access_log).splitlines() if len(l.split(" ")) > 2]
    upgrades = statuses.count("101")
    return {"requests": len(statuses) - upgrades, "upgrades": upgrades,
            "non_200": len(statuses) - upgrades - statuses.count("200")}


def relay_stats(path):
    out = {}
    for line in read(path).splitlines():
        name, key, value = line.split()
        out.setdefault(name, {})[key] = int(value)
    return out


def resolve(path, what):
    """|path| as given, else in the runfiles next to this script (bazel run,
    bazel test)."""
    candidates = [path]
    if not os.path.isabs(path):
        for root in (os.environ.get("RUNFILES_DIR", ""), os.getcwd()):
            if root:
                candidates += [os.path.join(root, path), os.path.join(root, "strata", path)]
    for c in candidates:
        if os.path.exists(c):
            return os.path.abspath(c)
    sys.exit("soak: %s %s not found; build it (bazel build -c opt //tools/soak:strata-soak //tools:plugins) and "
             "pass --bin/--plugin-dir (docs/soak.md)" % (what, path))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bin", default="tools/soak/strata-soak", help="the strata-soak binary")
    p.add_argument("--plugin-dir", default="tools", help="directory with the strata-*.so plugins")
    p.add_argument("--requests", type=int, default=100000)
    p.add_argument("--parallel", type=int, default=32)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--mix", default=DEFAULT_MIX, help="NAME=WEIGHT,... over " + DEFAULT_MIX)
    p.add_argument("--json", help="write strata-soak's summary and the peers' figures here")
    p.add_argument("--keep", action="store_true", help="keep the peers' directory (logs)")
    p.add_argument("--log-closes", action="store_true",
                   help="the relay logs every connection it closes, and why (relay/stderr; with --keep)")
    p.add_argument("--no-scenario-check", action="store_true",
                   help="do not fail when no idle close or no 50-request limit was met")
    p.add_argument("extra", nargs="*", help="more strata-soak arguments (after --)")
    args = p.parse_args(argv)
    binary = resolve(args.bin, "strata-soak binary")
    plugin_dir = resolve(args.plugin_dir, "plugin directory")
    weights = {}
    for item in args.mix.split(","):
        name, _, w = item.partition("=")
        weights[name] = int(w or "1")
    unknown = set(weights) - set(DEFAULT_MIX.replace("=1", "").split(","))
    if unknown:
        sys.exit("soak: unknown mix entries %s (known: %s)" % (sorted(unknown), DEFAULT_MIX))

    # Under /tmp, not $TEST_TMPDIR: squid and Apache's children drop to
    # unprivileged users that cannot reach a private /root.
    work = tempfile.mkdtemp(prefix="strata-soak-", dir="/tmp")
    os.chmod(work, 0o755)
    daemons = []
    relay = None
    started = time.monotonic()
    try:
        pki = os.path.join(work, "pki")
        os.makedirs(pki)
        ca, crt, key = make_pki(pki)
        www = os.path.join(work, "www")
        for n in SIZES:
            write(os.path.join(www, "soak", "%d.bin" % n), body(n))
        os.chmod(work, 0o755)
        for dirpath, dirnames, _ in os.walk(www):
            for dname in dirnames:
                os.chmod(os.path.join(dirpath, dname), 0o755)
        os.chmod(www, 0o755)

        # nginx.
        ndir = os.path.join(work, "nginx")
        os.makedirs(os.path.join(ndir, "temp"))
        nports = {name: free_port() for name, _, _ in NGINX_BLOCKS}
        write(os.path.join(ndir, "nginx.conf"), nginx_config(ndir, www, nports, crt, key))
        nginx = Daemon("nginx", ["/usr/sbin/nginx", "-p", ndir + "/", "-c", os.path.join(ndir, "nginx.conf"), "-e",
                                 os.path.join(ndir, "error.log")], ndir, list(nports.values()),
                       [os.path.join(ndir, "error.log")])
        nginx.start()
        daemons.append(nginx)

        # Apache (h2c Upgrade).
        adir = os.path.join(work, "apache")
        os.makedirs(adir)
        os.chmod(adir, 0o755)
        os.symlink(www, os.path.join(adir, "www"))
        aport = free_port()
        write(os.path.join(adir, "httpd.conf"), apache_config(adir, aport))
        apache = Daemon("apache2", ["/usr/sbin/apache2", "-f", os.path.join(adir, "httpd.conf"), "-DFOREGROUND"],
                        adir, [aport], [os.path.join(adir, "error.log")])
        apache.start()
        daemons.append(apache)

        # squid (CONNECT).
        sdir = os.path.join(work, "squid")
        os.makedirs(sdir)
        os.chmod(sdir, 0o777)  # squid drops to its own user
        sport = free_port()
        write(os.path.join(sdir, "squid.conf"), squid_config(sdir, sport))
        # A service name of its own: squid names shared memory after it.
        squid = Daemon("squid", ["/usr/sbin/squid", "-N", "-n", "strata%d" % sport, "-f",
                                 os.path.join(sdir, "squid.conf")], sdir, [sport], [os.path.join(sdir, "cache.log")])
        squid.start()
        daemons.append(squid)

        # The idle-closing relay in front of every peer.
        rdir = os.path.join(work, "relay")
        os.makedirs(rdir)
        upstream = {"h1": nports["h1"], "tls": nports["tls"], "h2": nports["h2"], "h2c": nports["h2c"],
                    "h2c-upgrade": aport, "connect": sport, "connect-h2": sport}
        ports_file, stats_file = os.path.join(rdir, "ports"), os.path.join(rdir, "stats")
        relay_argv = [sys.executable, os.path.join(HERE, "idle_closer.py"), "--ports-file", ports_file, "--stats",
                      stats_file, "--seed", str(args.seed)]
        for name in weights:
            relay_argv += ["--listen", "%s:%d" % (name, upstream[name])]
        if args.log_closes:
            relay_argv.append("--log-closes")
        with open(os.path.join(rdir, "stderr"), "wb") as err:
            relay = subprocess.Popen(relay_argv, stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        deadline = time.monotonic() + 20
        while not os.path.exists(ports_file):
            if relay.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("idle_closer.py did not start: " + read(os.path.join(rdir, "stderr")))
            time.sleep(0.02)
        rports = dict((l.split()[0], int(l.split()[1])) for l in read(ports_file).splitlines())

        targets = {
            "h1": "http://127.0.0.1:%d,h1,post" % rports.get("h1", 0),
            "tls": "https://127.0.0.1:%d,h1,post" % rports.get("tls", 0),
            "h2": "https://127.0.0.1:%d,h2,post" % rports.get("h2", 0),
            "h2c": "http://127.0.0.1:%d,h2-prior,post" % rports.get("h2c", 0),
            "h2c-upgrade": "http://127.0.0.1:%d,h2" % rports.get("h2c-upgrade", 0),
            "connect": "https://127.0.0.1:%d,h1,proxy=http://127.0.0.1:%d,post" % (nports["connect"],
                                                                                   rports.get("connect", 0)),
            "connect-h2": "https://127.0.0.1:%d,h2,proxy=http://127.0.0.1:%d,post" % (nports["connect-h2"],
                                                                                      rports.get("connect-h2", 0)),
        }
        soak_json = os.path.join(work, "strata-soak.json")
        cmd = [binary, "--requests", str(args.requests), "--parallel", str(args.parallel), "--seed", str(args.seed),
               "--plugin-dir", plugin_dir, "--cacert", ca, "--json", soak_json,
               "--paths", ",".join("/soak/%d.bin" % n for n in SIZES)]
        for name, w in weights.items():
            cmd += ["--target", "%s=%d,%s" % (name, w, targets[name])]
        cmd += args.extra
        log("peers up in %.1fs (nginx, apache2, squid, idle_closer.py under %s)" % (time.monotonic() - started, work))
        log("running " + " ".join(cmd))
        rc = subprocess.call(cmd)

        # Let the peers write their logs, then stop them.
        relay.send_signal(signal.SIGTERM)
        try:
            relay.wait(timeout=20)
        except subprocess.TimeoutExpired:
            relay.kill()
        for d in reversed(daemons):
            d.stop(signal.SIGQUIT if d is nginx else signal.SIGTERM)
        daemons = []

        rstats = relay_stats(stats_file)
        nstats = nginx_peer_stats(os.path.join(ndir, "access.log"), nports)
        astats = apache_peer_stats(os.path.join(adir, "access.log"))
        print("\npeer side:")
        print("  %-12s %9s %8s %8s %8s %8s  %s" % ("relay", "accepted", "idle FIN", "idle RST", "crossed", "peer FIN",
                                                    "server: requests, connections, reached 50, max/conn"))
        idle_closes = 0
        at_limit = 0
        for name in weights:
            r = rstats.get(name, {})
            idle_closes += r.get("idle_fin", 0) + r.get("idle_rst", 0)
            if name in nstats:
                n = nstats[name]
                at_limit += n["at_limit"]
                server = "nginx: %d, %d, %d, %d%s" % (n["requests"], n["connections"], n["at_limit"],
                                                      n["max_per_connection"],
                                                      ", %d not 200" % n["non_200"] if n["non_200"] else "")
            else:
                server = "apache2: %d requests, %d upgrades (no per-connection limit)%s" % (
                    astats["requests"], astats["upgrades"],
                    ", %d not 200" % astats["non_200"] if astats["non_200"] else "")
            print("  %-12s %9d %8d %8d %8d %8d  %s" % (name, r.get("accepted", 0), r.get("idle_fin", 0),
                                                        r.get("idle_rst", 0), r.get("crossed", 0),
                                                        r.get("upstream_closed", 0), server))
        scenario_ok = idle_closes > 0 and at_limit > 0
        if not scenario_ok:
            print("soak: the scenario did not happen: %d idle closes by the relay, %d nginx connections reached %d "
                  "requests" % (idle_closes, at_limit, KEEPALIVE_REQUESTS))
        if args.json:
            summary = json.loads(read(soak_json) or "{}")
            summary["peers"] = {"relay": rstats, "nginx": nstats, "apache2": astats}
            summary["wall_s_with_peers"] = time.monotonic() - started
            with open(args.json, "w") as f:
                json.dump(summary, f, indent=1)
        if rc == 0 and not scenario_ok and not args.no_scenario_check:
            rc = 5
        print("soak: exit %d after %.1fs" % (rc, time.monotonic() - started), flush=True)
        return rc
    finally:
        if relay is not None and relay.poll() is None:
            relay.kill()
            relay.wait()
        for d in reversed(daemons):
            d.stop()
        if args.keep:
            log("peers' files kept in " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
