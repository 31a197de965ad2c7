"""Shared pieces of strata's benchmark programs: a loopback nginx, timing of
child processes, and the figures table. Benchmarks print figures; they are
not tests."""

import os
import resource
import shutil
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for_port(port, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def bazel_bin():
    """The -c opt output directory (`bazel build -c opt //tools:dist`): a
    plain `bazel info bazel-bin` names the fastbuild one."""
    out = subprocess.run(["bazel", "info", "-c", "opt", "bazel-bin"], check=True, capture_output=True, text=True)
    return out.stdout.strip()


class _Daemon:
    """A process started in a temp dir of its own (|proc|, |dir|): stop()
    ends it and removes the dir; usable as a context manager."""

    proc = None
    dir = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Nginx(_Daemon):
    """nginx on 127.0.0.1 serving |files| (name → size in bytes) from a temp dir.

    |extra_server| is more configuration for the http block; "{www}" in it
    stands for the docroot."""

    def __init__(self, files, extra_server=""):
        self.dir = tempfile.mkdtemp(prefix="strata-bench-")
        self.port = free_port()
        www = os.path.join(self.dir, "www")
        os.makedirs(www)
        for name, size in files.items():
            with open(os.path.join(www, name), "wb") as f:
                remaining = size
                chunk = os.urandom(1 << 20)
                while remaining > 0:
                    f.write(chunk[: min(remaining, len(chunk))])
                    remaining -= len(chunk)
        d = self.dir
        conf = f"""daemon off; master_process off; user root root;
pid {d}/nginx.pid; error_log {d}/error.log;
events {{}}
http {{
  access_log off; sendfile on;
  client_body_temp_path {d}/b; proxy_temp_path {d}/p; fastcgi_temp_path {d}/f;
  uwsgi_temp_path {d}/u; scgi_temp_path {d}/s;
  server {{ listen 127.0.0.1:{self.port}; root {www}; }}
  {extra_server.replace("{www}", www)}
}}
"""
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        self.proc = subprocess.Popen(["nginx", "-e", f"{d}/error.log", "-c", f"{d}/nginx.conf"])
        if not wait_for_port(self.port):
            self.stop()
            raise RuntimeError("nginx did not start; see " + d)


def run_timed(argv):
    """Runs argv to completion; returns (cpu seconds, wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def compare(label, ours, theirs, runs):
    """Alternates the two commands |runs| times and prints medians and ratios."""
    a_cpu, a_wall, b_cpu, b_wall = [], [], [], []
    for _ in range(runs):
        c, w = run_timed(ours)
        a_cpu.append(c)
        a_wall.append(w)
        c, w = run_timed(theirs)
        b_cpu.append(c)
        b_wall.append(w)
    m = statistics.median
    print(f"{label}  ({runs} alternating runs, medians)")
    print(f"  strata: cpu {m(a_cpu) * 1000:8.1f} ms   wall {m(a_wall) * 1000:8.1f} ms")
    print(f"  curl:   cpu {m(b_cpu) * 1000:8.1f} ms   wall {m(b_wall) * 1000:8.1f} ms")
    cpu_ratio = m(a_cpu) / m(b_cpu) if m(b_cpu) > 0 else float("nan")
    wall_ratio = m(a_wall) / m(b_wall) if m(b_wall) > 0 else float("nan")
    print(f"  ratio strata/curl: cpu {cpu_ratio:.2f}x   wall {wall_ratio:.2f}x")
    return cpu_ratio, wall_ratio


def make_pki(d):
    """A throw-away CA and a certificate for localhost/127.0.0.1 in |d|."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=bench CA",
        "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", f"{d}/server.key", "-out", f"{d}/server.csr")
    with open(f"{d}/san.ext", "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.pem", "-CAkey", f"{d}/ca.key",
        "-CAcreateserial", "-days", "1", "-extfile", f"{d}/san.ext", "-out", f"{d}/server.pem")


def strata_tls_config(d, session_cache=True, pooled=True):
    """A strata configuration file trusting the CA of make_pki(d)."""
    import json
    config = {
        "pipelines": {
            "https": ["tcp", {"layer": "tls", "options": {
                "alpn": ["http/1.1"], "ca_file": f"{d}/ca.pem", "session_cache": session_cache}}, "h1"],
        },
    }
    if not pooled:
        config["pool"] = {"max_idle_per_origin": 0}
    path = f"{d}/strata-{int(session_cache)}-{int(pooled)}.json"
    with open(path, "w") as f:
        json.dump(config, f)
    return path


class Squid(_Daemon):
    """squid on 127.0.0.1 (CONNECT allowed to any port), in a temp dir."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="strata-bench-squid-")
        os.chmod(self.dir, 0o777)
        self.port = free_port()
        d = self.dir
        with open(f"{d}/squid.conf", "w") as f:
            f.write(f"""http_port 127.0.0.1:{self.port}
pid_filename {d}/squid.pid
cache_log {d}/cache.log
access_log none
cache_store_log none
cache deny all
coredump_dir {d}
netdb_filename none
pinger_enable off
shutdown_lifetime 0 seconds
acl local src 127.0.0.0/8
http_access allow local
http_access deny all
""")
        self.proc = subprocess.Popen(["squid", "-N", "-f", f"{d}/squid.conf"])
        if not wait_for_port(self.port, 30):
            self.stop()
            raise RuntimeError("squid did not start; see " + d)


class Nghttpx(_Daemon):
    """nghttpx in HTTP/2 proxy mode (-s) on 127.0.0.1: TLS with ALPN h2,
    every CONNECT forwarded to the forward proxy on |backend_port|."""

    def __init__(self, backend_port, cert, key):
        self.dir = tempfile.mkdtemp(prefix="strata-bench-nghttpx-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["nghttpx", "--conf=/dev/null", "--http2-proxy", f"--frontend=127.0.0.1,{self.port}",
             f"--backend=127.0.0.1,{backend_port}", "--workers=1", "--no-ocsp",
             f"--errorlog-file={self.dir}/error.log", f"--pid-file={self.dir}/nghttpx.pid", key, cert],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for_port(self.port, 15):
            self.stop()
            raise RuntimeError("nghttpx did not start; see " + self.dir)

