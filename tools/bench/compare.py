#!/usr/bin/env python3
"""strata against its anchors, on this machine, in one run: one table.

  tools/bench/compare.sh [--bin DIR] [--rounds 3] [--quick] [--only NAME]...
                         [--no-strace] [--strace] [--check]

Workloads (NAME for --only in brackets):
  [h2c-c1]     strata-bench vs h2load, 1 KiB file, nghttpd h2c, -n 100000 -c 1 -m 100
  [h2c-c10]    the same, -n 50000 -c 10 -m 10
  [tls-h2]     nginx TLS h2 (ALPN), -n 50000 -c 1 -m 100
  [h1]         nginx h1, -n 50000 -c 10 -m 1
  [tls-h3]     HTTP/3 (gtlsserver, QUIC) -n 20000 -c 1 -m 100, against strata's
               own h2 over TLS (nginx) on the same file: the installed h2load
               has no HTTP/3
  [dl-h1]      64 MiB to /dev/null, strata CLI vs curl, http:// (h1)
  [dl-tls-h1]  the same over https:// (TLS, h1)
  [dl-tls-h2]  the same over https:// (TLS, h2; curl --http2)
  [hs-full]    TLS handshakes per second, sequential fetches, the server
               closing after each response, no session reuse
  [hs-resumed] the same with session resumption (tickets / session cache)

Every round runs strata and its anchor back to back (who goes first flips
each round) and walks all workloads before the next round, so a noisy moment
on a shared machine does not hit every sample of one workload. The table
shows the best of --rounds: the highest throughput and, separately, the
lowest CPU. CPU is the client process's own user+sys time (wait4 rusage of
that child), for strata and the anchor alike.
The rounds column lists each round's ratio of the two rates, in round
order: how far the best-of ratio stands from the moment-to-moment spread.

Then a syscall pass: each h2 workload once more with fewer requests,
strata-bench and h2load, its system calls counted per request by `perf stat`
on the syscall tracepoints (which leaves the client's timing alone), or by
`strace -c -f` where perf cannot or with --strace (strace stops the client
at every call, so its wake-ups find bigger batches: fewer calls per request
than in a real run).

The server CPU column is the server process's CPU time over the run's wall
time, for strata's and the anchor's fastest round: near 100% the server, not
the client, sets the rate.

DIR holds strata, strata-bench, libstrata.so and the plugins; default:
`bazel build -c opt //tools:dist`, then `bazel info -c opt bazel-bin`/tools.
--quick uses few requests and small files (a smoke run, figures meaningless);
--check exits non-zero unless every row of the printed tables holds positive
figures (tools/bench:compare_smoke_test). See docs/performance.md."""

import argparse
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common  # noqa: E402
import tls_bench  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SMALL = "1k.bin"  # the 1 KiB file of the load workloads
BIG = "big.bin"  # the bulk download

# Programs this script runs, and the Debian package each comes from.
TOOLS = {
    "h2load": "nghttp2-client",
    "nghttpd": "nghttp2-server",
    "nginx": "nginx-light",
    "curl": "curl",
    "openssl": "openssl",
    "strace": "strace",
    "gtlsserver": "ngtcp2-server",
}


class Failure(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# Running one client process: exact CPU of that child (wait4), wall time.


class Run:
    def __init__(self, returncode, stdout, stderr, cpu, wall):
        self.returncode, self.stdout, self.stderr, self.cpu, self.wall = returncode, stdout, stderr, cpu, wall


def run_child(argv, workdir, timeout=600):
    """Runs argv to completion with stdout/stderr in files (no pipes to
    drain, so the child can be reaped with os.wait4 and its own rusage
    read). Returns a Run; CPU is user+sys of that child and its threads."""
    out_path = os.path.join(workdir, "child.out")
    err_path = os.path.join(workdir, "child.err")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            while True:
                try:
                    _, status, usage = os.wait4(proc.pid, 0)
                    break
                except InterruptedError:
                    continue
        except BaseException:
            # Ctrl-C or SIGTERM while waiting: do not leave the client behind.
            proc.kill()
            proc.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4, not by Popen
    with open(out_path, errors="replace") as f:
        stdout = f.read()
    with open(err_path, errors="replace") as f:
        stderr = f.read()
    return Run(proc.returncode, stdout, stderr, usage.ru_utime + usage.ru_stime, wall)


def describe(argv, run):
    return (f"{' '.join(argv)}\nexit {run.returncode}\n--- stdout\n{run.stdout[-3000:]}"
            f"\n--- stderr\n{run.stderr[-3000:]}")


def cpu_ticks(pid):
    """User+sys clock ticks of process |pid| and all its threads so far, or
    None if it cannot be read (the server has gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # stat fields 14 and 15: utime, stime
    except (OSError, IndexError, ValueError):
        return None


def load_run(argv, n, workdir, server_pid=None):
    """A strata-bench or h2load run of n requests; (req/s, CPU us/request,
    output, server CPU share). The share is the server process's CPU time
    over the run's wall time (1.0: a full core), None without |server_pid|.
    Fails unless all n requests succeeded."""
    before = cpu_ticks(server_pid) if server_pid else None
    run = run_child(argv, workdir)
    after = cpu_ticks(server_pid) if server_pid else None
    server = ((after - before) / os.sysconf("SC_CLK_TCK") / run.wall
              if before is not None and after is not None and run.wall > 0 else None)
    rate = re.search(r"^finished in [^,]+, ([0-9.]+) req/s", run.stdout, re.M)
    reqs = re.search(r"^requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded", run.stdout, re.M)
    if run.returncode != 0 or not rate or not reqs or int(reqs.group(1)) != n:
        raise Failure("load client failed:\n" + describe(argv, run))
    return float(rate.group(1)), run.cpu * 1e6 / n, run.stdout, server


def download_run(argv, workdir):
    """A strata or curl download; (CPU s, wall s)."""
    run = run_child(argv, workdir)
    if run.returncode != 0:
        raise Failure("download failed:\n" + describe(argv, run))
    return run.cpu, run.wall


# --------------------------------------------------------------------------
# Peers: nginx (h1, TLS h1, TLS h2) and nghttpd (h2c), all on 127.0.0.1.


class Peers:
    def __init__(self, stack, tmp, big_bytes):
        self.pki = os.path.join(tmp, "pki")
        os.makedirs(self.pki)
        bench_common.make_pki(self.pki)
        self.ca = os.path.join(self.pki, "ca.pem")
        self.tls_h2_port = bench_common.free_port()
        self.tls_h1_port = bench_common.free_port()
        pki = self.pki
        # keepalive_requests also bounds h2 connections in nginx 1.22: a load
        # run must stay on its connections, so lift it for every server.
        servers = f"""keepalive_requests 1000000;
  server {{ listen 127.0.0.1:{self.tls_h2_port} ssl http2; root {{www}};
    http2_max_concurrent_streams 128;
    ssl_certificate {pki}/server.pem; ssl_certificate_key {pki}/server.key; }}
  server {{ listen 127.0.0.1:{self.tls_h1_port} ssl; root {{www}};
    ssl_certificate {pki}/server.pem; ssl_certificate_key {pki}/server.key;
    ssl_session_cache shared:bench:1m; ssl_session_tickets on;
    location /close/ {{ keepalive_timeout 0; alias {{www}}/; }} }}"""
        self.nginx = stack.enter_context(
            bench_common.Nginx({SMALL: 1024, BIG: big_bytes}, extra_server=servers))
        for port in (self.tls_h2_port, self.tls_h1_port):
            if not bench_common.wait_for_port(port):
                raise Failure(f"nginx did not open port {port}; see {self.nginx.dir}/error.log")
        self.www = os.path.join(self.nginx.dir, "www")
        # The same files over HTTP/3: the ngtcp2 example server (QUIC, UDP).
        self.h3_port = bench_common.free_port()
        with open(os.path.join(tmp, "gtlsserver.log"), "wb") as glog:
            self.gtlsserver = subprocess.Popen(
                ["gtlsserver", "-q", "-d", self.www, "127.0.0.1", str(self.h3_port),
                 f"{pki}/server.key", f"{pki}/server.pem"],
                stdin=subprocess.DEVNULL, stdout=glog, stderr=subprocess.STDOUT)
        stack.callback(self._stop, self.gtlsserver)
        if not udp_bound(self.h3_port):
            raise Failure(f"gtlsserver did not bind UDP port {self.h3_port}; see {tmp}/gtlsserver.log")
        self.h2c_port = bench_common.free_port()
        log_path = os.path.join(tmp, "nghttpd.log")
        with open(log_path, "wb") as nlog:
            self.nghttpd = subprocess.Popen(
                ["nghttpd", "--no-tls", "-d", self.www, str(self.h2c_port)],
                stdin=subprocess.DEVNULL, stdout=nlog, stderr=subprocess.STDOUT)
        stack.callback(self._stop, self.nghttpd)
        if not bench_common.wait_for_port(self.h2c_port):
            with open(log_path, errors="replace") as f:
                raise Failure("nghttpd did not start:\n" + f.read()[-2000:])

    @staticmethod
    def _stop(proc):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def h2c(self, name):
        return f"http://127.0.0.1:{self.h2c_port}/{name}"

    def h1(self, name):
        return f"http://127.0.0.1:{self.nginx.port}/{name}"

    def tls_h2(self, name):
        return f"https://127.0.0.1:{self.tls_h2_port}/{name}"

    def h3(self, name):
        return f"https://127.0.0.1:{self.h3_port}/{name}"

    def tls_h1(self, name):
        return f"https://127.0.0.1:{self.tls_h1_port}/{name}"


# --------------------------------------------------------------------------
# Workloads. Each has a name (for --only), a label (the table's first
# column) and a measure(round) that runs strata and its anchor once each.


class Load:
    """strata-bench vs h2load with the same -n -c -m on the same URL."""

    kind = "load"
    anchor = "h2load"

    def __init__(self, name, label, n, c, m, url, strata_flags, h2load_flags, server, h2=True):
        self.name, self.label, self.n = name, label, n
        self.shape = ["-c", str(c), "-m", str(m)]
        self.url, self.strata_flags, self.h2load_flags, self.h2 = url, strata_flags, h2load_flags, h2
        self.server = self.anchor_server = server  # pid of the server process, for its CPU share
        self.ours, self.theirs = [], []  # (req/s, us/request, server CPU share)
        self.best_output = None  # strata-bench's output of its fastest round
        self.best_rate = 0.0

    def strata_argv(self, bindir, n):
        return [os.path.join(bindir, "strata-bench"), "-n", str(n), *self.shape, *self.strata_flags, self.url]

    def h2load_argv(self, n):
        return ["h2load", "-n", str(n), *self.shape, *self.h2load_flags, self.url]

    def measure(self, ctx, strata_first):
        def ours():
            rate, cpu, out, server = load_run(self.strata_argv(ctx.bindir, self.n), self.n, ctx.tmp, self.server)
            self.ours.append((rate, cpu, server))
            if rate > self.best_rate:
                self.best_rate, self.best_output = rate, out

        def theirs():
            rate, cpu, _, server = load_run(self.h2load_argv(self.n), self.n, ctx.tmp, self.anchor_server)
            self.theirs.append((rate, cpu, server))

        for f in ((ours, theirs) if strata_first else (theirs, ours)):
            f()
        log(f"  {self.name:10s} strata {self.ours[-1][0]:10.0f} req/s {self.ours[-1][1]:7.1f} us/req "
            f"server {share(self.ours[-1][2])}   {self.anchor} {self.theirs[-1][0]:10.0f} req/s "
            f"{self.theirs[-1][1]:7.1f} us/req server {share(self.theirs[-1][2])}")

    def row(self):
        (so, sc), (ao, ac) = best(self.ours), best(self.theirs)
        return [self.label, f"{so:.0f} req/s", f"{ao:.0f} req/s", ratio(so, ao), round_ratios(self.ours, self.theirs),
                f"{sc:.1f} us/req", f"{ac:.1f} us/req",
                f"{share(fastest(self.ours)[2])} / {share(fastest(self.theirs)[2])}"]


class SelfLoad(Load):
    """strata-bench on one URL vs strata-bench on another: for a protocol the
    installed anchors lack (HTTP/3: h2load here has no QUIC), strata's own
    figures for a protocol they have, on the same file."""

    def __init__(self, name, label, n, c, m, url, strata_flags, server, anchor_url, anchor_flags, anchor_server):
        super().__init__(name, label, n, c, m, url, strata_flags, [], server, h2=False)
        self.anchor = "strata-h2"
        self.anchor_server = anchor_server
        self.anchor_url, self.anchor_flags = anchor_url, anchor_flags
        self.bindir = None

    def measure(self, ctx, strata_first):
        self.bindir = ctx.bindir
        super().measure(ctx, strata_first)

    def h2load_argv(self, n):
        return [os.path.join(self.bindir, "strata-bench"), "-n", str(n), *self.shape, *self.anchor_flags,
                self.anchor_url]


class Download:
    """The strata CLI vs curl fetching one big file to /dev/null."""

    kind = "download"

    def __init__(self, name, label, size, strata_argv, curl_argv):
        self.name, self.label, self.size = name, label, size
        self.strata, self.curl = strata_argv, curl_argv
        self.ours, self.theirs = [], []  # (MB/s, cpu s, wall s)

    def measure(self, ctx, strata_first):
        def one(argv, into):
            cpu, wall = download_run(argv, ctx.tmp)
            into.append((self.size / 1e6 / wall, cpu, wall))

        pair = ((self.strata, self.ours), (self.curl, self.theirs))
        for argv, into in (pair if strata_first else pair[::-1]):
            one(argv, into)
        log(f"  {self.name:10s} strata {self.ours[-1][0]:8.1f} MB/s cpu {self.ours[-1][1]:.3f}s   "
            f"curl {self.theirs[-1][0]:8.1f} MB/s cpu {self.theirs[-1][1]:.3f}s")

    def row(self):
        s, a = self.ours, self.theirs
        s_rate, a_rate = max(x[0] for x in s), max(x[0] for x in a)
        s_wall, a_wall = min(x[2] for x in s), min(x[2] for x in a)
        return [self.label, f"{s_rate:.0f} MB/s ({s_wall * 1e3:.0f} ms)", f"{a_rate:.0f} MB/s ({a_wall * 1e3:.0f} ms)",
                ratio(s_rate, a_rate), round_ratios(s, a), f"{min(x[1] for x in s):.3f} s",
                f"{min(x[1] for x in a):.3f} s", "-"]


class Handshakes:
    """tls_bench.py's handshake measure: n sequential fetches of a small file
    from a location where nginx closes after each response, one process for
    all n; full (no session reuse) or resumed."""

    kind = "handshakes"

    def __init__(self, name, label, n, strata_argv, curl_argv):
        self.name, self.label, self.n = name, label, n
        self.strata, self.curl = strata_argv, curl_argv
        self.ours, self.theirs = [], []  # (handshakes/s, us per handshake)

    def measure(self, ctx, strata_first):
        def one(argv, into):
            cpu, wall = download_run(argv, ctx.tmp)
            into.append((self.n / wall, cpu * 1e6 / self.n))

        pair = ((self.strata, self.ours), (self.curl, self.theirs))
        for argv, into in (pair if strata_first else pair[::-1]):
            one(argv, into)
        log(f"  {self.name:10s} strata {self.ours[-1][0]:8.1f} hs/s {self.ours[-1][1]:7.0f} us/hs   "
            f"curl {self.theirs[-1][0]:8.1f} hs/s {self.theirs[-1][1]:7.0f} us/hs")

    def row(self):
        (so, sc), (ao, ac) = best(self.ours), best(self.theirs)
        return [self.label, f"{so:.0f} hs/s", f"{ao:.0f} hs/s", ratio(so, ao), round_ratios(self.ours, self.theirs),
                f"{sc:.0f} us/hs", f"{ac:.0f} us/hs", "-"]


def best(samples):
    """Best of the rounds: the highest rate and, on its own, the lowest CPU."""
    return max(s[0] for s in samples), min(s[1] for s in samples)


def fastest(samples):
    """The round with the highest rate."""
    return max(samples, key=lambda s: s[0])


def share(fraction):
    """A server's CPU share as a percentage of one core."""
    return "n/a" if fraction is None else f"{fraction * 100:.0f}%"


def ratio(ours, theirs):
    return f"{ours / theirs:.2f}x" if theirs > 0 else "n/a"


def round_ratios(ours, theirs):
    """Each round's ratio of the rates (first field of each sample), in
    round order: the two sides of a round ran back to back, so these show
    how far the best-of ratio stands from the machine's moment-to-moment
    spread."""
    return " ".join(f"{o[0] / t[0]:.2f}" if t[0] > 0 else "n/a" for o, t in zip(ours, theirs))


def workloads(args, peers, bindir, tmp):
    q = args.quick
    n1 = 2000 if q else 100000
    n2 = 2000 if q else 50000
    mib = args.mib
    size = mib << 20
    hs = 20 if q else args.handshakes
    strata = os.path.join(bindir, "strata")
    ca = peers.ca
    out = []
    out.append(Load("h2c-c1", f"h2c nghttpd -n {n1} -c 1 -m 100 vs h2load", n1, 1, 100, peers.h2c(SMALL),
                    ["--h2-prior"], [], peers.nghttpd.pid))
    out.append(Load("h2c-c10", f"h2c nghttpd -n {n2} -c 10 -m 10 vs h2load", n2, 10, 10, peers.h2c(SMALL),
                    ["--h2-prior"], [], peers.nghttpd.pid))
    out.append(Load("tls-h2", f"TLS h2 nginx -n {n2} -c 1 -m 100 vs h2load", n2, 1, 100, peers.tls_h2(SMALL),
                    ["--h2", "--cacert", ca], [], peers.nginx.proc.pid))
    out.append(Load("h1", f"h1 nginx -n {n2} -c 10 -m 1 vs h2load --h1", n2, 10, 1, peers.h1(SMALL),
                    ["--h1"], ["--h1"], peers.nginx.proc.pid, h2=False))
    n3 = 2000 if q else 20000
    out.append(SelfLoad("tls-h3", f"HTTP/3 gtlsserver -n {n3} -c 1 -m 100 vs strata TLS h2 nginx", n3, 1, 100,
                        peers.h3(SMALL), ["--h3", "--cacert", ca], peers.gtlsserver.pid,
                        peers.tls_h2(SMALL), ["--h2", "--cacert", ca], peers.nginx.proc.pid))
    dl = ["-s", "-o", "/dev/null"]
    out.append(Download("dl-h1", f"{mib} MiB h1 nginx vs curl", size,
                        [strata, *dl, peers.h1(BIG)], ["curl", *dl, peers.h1(BIG)]))
    out.append(Download("dl-tls-h1", f"{mib} MiB TLS h1 nginx vs curl", size,
                        [strata, *dl, "--http1.1", "--cacert", ca, peers.tls_h1(BIG)],
                        ["curl", *dl, "--http1.1", "--cacert", ca, peers.tls_h1(BIG)]))
    out.append(Download("dl-tls-h2", f"{mib} MiB TLS h2 nginx vs curl --http2", size,
                        [strata, *dl, "--http2", "--cacert", ca, peers.tls_h2(BIG)],
                        ["curl", *dl, "--http2", "--cacert", ca, peers.tls_h2(BIG)]))
    urls = [peers.tls_h1("close/" + SMALL)] * hs
    outs = ["-o", "/dev/null"] * hs
    for name, label, cache, curl_extra in (("hs-full", "full", False, ["--no-sessionid"]),
                                           ("hs-resumed", "resumed", True, [])):
        # tls_bench's strata configuration: trusts the CA, session cache on or
        # off, no idle connections kept (a new connection each fetch).
        cfg = tls_bench.strata_config(peers.pki, cache, False)
        out.append(Handshakes(name, f"TLS handshakes {label}, {hs} fetches vs curl", hs,
                              [strata, "-s", "--config", cfg, *outs, *urls],
                              ["curl", "-s", "--cacert", ca, *curl_extra, *outs, *urls]))
    return out


NAMES = ["h2c-c1", "h2c-c10", "tls-h2", "h1", "tls-h3", "dl-h1", "dl-tls-h1", "dl-tls-h2", "hs-full", "hs-resumed"]


def udp_bound(port, seconds=10):
    """Waits until something binds UDP |port| on 127.0.0.1 (/proc/net/udp)."""
    needle = f"0100007F:{port:04X}"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with open("/proc/net/udp") as f:
            if needle in f.read():
                return True
        time.sleep(0.05)
    return False


# --------------------------------------------------------------------------
# strace -c: syscalls per request.

WRITES = ("sendto", "writev", "write")
READS = ("recvfrom", "read")
WAITS = ("epoll_wait", "epoll_pwait", "epoll_pwait2", "poll", "ppoll")


def strace_counts(path):
    """{syscall: calls} from an `strace -c` summary file."""
    counts = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            # % time, seconds, usecs/call, calls, [errors,] syscall
            if len(parts) in (5, 6) and re.fullmatch(r"[0-9.]+", parts[0]) and parts[-1] != "total":
                counts[parts[-1]] = counts.get(parts[-1], 0) + int(parts[3])
    return counts


# perf stat on the syscall tracepoints counts without slowing the client
# down: under strace every system call stops the process, so each wake-up
# finds more responses waiting and batches grow (a TLS h2 run wrote 0.035
# times per request under strace and 0.37 times without it). strace is the
# fallback where perf or the tracepoints are missing.
PERF_EVENTS = [f"syscalls:sys_enter_{name}" for name in (*WRITES, *READS, *WAITS, "epoll_ctl")] + \
    ["raw_syscalls:sys_enter"]


def perf_usable(tmp):
    """Whether perf stat counts system calls here: it may run and count
    nothing (no access to the tracepoints, as in Bazel's sandbox)."""
    path = os.path.join(tmp, "perf-probe.txt")
    try:
        r = subprocess.run(["perf", "stat", "-x,", "-o", path, "-e", ",".join(PERF_EVENTS), "true"],
                           stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        return r.returncode == 0 and perf_counts(path).get("all", 0) > 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def perf_counts(path):
    """{syscall: calls} (and "all") from a `perf stat -x,` output file."""
    counts = {}
    with open(path) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) < 3 or not parts[0].isdigit():
                continue
            event = parts[2]
            name = "all" if event == "raw_syscalls:sys_enter" else event.rsplit("sys_enter_", 1)[-1]
            counts[name] = counts.get(name, 0) + int(parts[0])
    return counts


def syscalls(argv, n, tmp, counter):
    path = os.path.join(tmp, "syscalls.txt")
    if counter == "perf":
        load_run(["perf", "stat", "-x,", "-o", path, "-e", ",".join(PERF_EVENTS), "--", *argv], n, tmp)
        c = perf_counts(path)
        every = c.pop("all", 0)
    else:
        load_run(["strace", "-c", "-f", "-o", path, *argv], n, tmp)
        c = strace_counts(path)
        every = sum(c.values())
    per = lambda names: sum(c.get(x, 0) for x in names) / n  # noqa: E731
    return [f"{per(WRITES):.3f}", f"{c.get('epoll_ctl', 0) / n:.3f}", f"{per(READS):.3f}", f"{per(WAITS):.3f}",
            f"{every / n:.2f}"]


# --------------------------------------------------------------------------
# Output.


def table(header, rows):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    lines = [fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += [fmt(r) for r in rows]
    return "\n".join(lines)


def check_table(text, labels, numeric_columns, key_cells=1):
    """Every label has a row in the printed table |text| (its first
    key_cells cells joined by " ") whose numeric_columns (0-based cell
    indexes) each start with a positive number. Returns a list of problems."""
    problems = []
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[" ".join(cells[:key_cells])] = cells
    for label in labels:
        cells = rows.get(label)
        if cells is None:
            problems.append(f"no row {label!r}")
            continue
        for i in numeric_columns:
            m = re.match(r"[0-9.]+", cells[i]) if i < len(cells) else None
            if not m or float(m.group(0)) <= 0:
                problems.append(f"row {label!r}: column {i + 1} is {cells[i] if i < len(cells) else None!r}")
    return problems


# --------------------------------------------------------------------------


def default_bindir():
    log("building: bazel build -c opt //tools:dist")
    subprocess.run(["bazel", "build", "-c", "opt", "//tools:dist"], cwd=REPO, check=True)
    out = subprocess.run(["bazel", "info", "-c", "opt", "bazel-bin"], cwd=REPO, check=True,
                         capture_output=True, text=True)
    return os.path.join(out.stdout.strip(), "tools")


def check_tools(bindir):
    # nginx and nghttpd live in /usr/sbin, which a Bazel test's PATH lacks.
    path = os.environ.get("PATH", "")
    for extra in ("/usr/sbin", "/sbin"):
        if extra not in path.split(":"):
            path += ":" + extra
    os.environ["PATH"] = path
    missing = [f"{tool} (Debian package {pkg})" for tool, pkg in TOOLS.items() if not shutil.which(tool)]
    if missing:
        raise Failure("missing on PATH: " + ", ".join(missing) +
                      "; tools/setup/install-deps.sh installs them")
    for name in ("strata", "strata-bench", "libstrata.so", "strata-tls.so"):
        if not os.path.exists(os.path.join(bindir, name)):
            raise Failure(f"{bindir}/{name} is missing; build with `bazel build -c opt //tools:dist`")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--bin", help="directory of strata, strata-bench and the plugins")
    ap.add_argument("--rounds", type=int, default=3, help="alternating rounds; the best is shown (default 3)")
    ap.add_argument("--quick", action="store_true", help="few requests, small files: a smoke run")
    ap.add_argument("--only", action="append", choices=NAMES, metavar="NAME",
                    help="run this workload only (repeatable): " + ", ".join(NAMES))
    ap.add_argument("--mib", type=int, default=None, help="size of the bulk download (default 64, 8 with --quick)")
    ap.add_argument("--handshakes", type=int, default=200, help="fetches per handshake run (default 200)")
    ap.add_argument("--strace-requests", type=int, default=None,
                    help="requests per strace run (default 20000, 2000 with --quick)")
    ap.add_argument("--no-strace", action="store_true", help="skip the syscalls-per-request pass")
    ap.add_argument("--strace", action="store_true",
                    help="count syscalls with strace -c -f even where perf stat could (slows the client)")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless every printed row holds positive figures (smoke test)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    if args.mib is None:
        args.mib = 8 if args.quick else 64
    if args.strace_requests is None:
        args.strace_requests = 2000 if args.quick else 20000

    # A Bazel test keeps every file under $TEST_TMPDIR (nginx's too: the
    # bench_common.Nginx directory comes from tempfile).
    if os.environ.get("TEST_TMPDIR"):
        tempfile.tempdir = os.environ["TEST_TMPDIR"]
    # SIGTERM (a test timeout, kill) unwinds like Ctrl-C: peers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Ctrl-C interrupts even when started from a shell that ignores SIGINT
    # in background jobs.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    try:
        bindir = os.path.abspath(args.bin) if args.bin else default_bindir()
        check_tools(bindir)
        return run(args, bindir)
    except Failure as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("compare.py: interrupted; peers stopped", file=sys.stderr)
        return 130


class Context:
    def __init__(self, bindir, tmp):
        self.bindir, self.tmp = bindir, tmp


def run(args, bindir):
    with contextlib.ExitStack() as stack:
        tmp = tempfile.mkdtemp(prefix="strata-compare-")
        stack.callback(shutil.rmtree, tmp, True)
        log(f"binaries: {bindir}")
        peers = Peers(stack, tmp, args.mib << 20)
        ctx = Context(bindir, tmp)
        chosen = [w for w in workloads(args, peers, bindir, tmp) if not args.only or w.name in args.only]
        for r in range(args.rounds):
            log(f"round {r + 1}/{args.rounds}")
            for w in chosen:
                w.measure(ctx, strata_first=(r % 2 == 0))

        date = time.strftime("%Y-%m-%d %H:%M %Z")
        cpus = os.cpu_count()
        print(f"strata vs anchors, best of {args.rounds} alternating round(s), {date}, {cpus} CPUs"
              + (" (--quick: smoke run, figures meaningless)" if args.quick else ""))
        print()
        header = ["workload", "strata", "anchor", "ratio", "rounds", "strata CPU", "anchor CPU", "server CPU"]
        main_table = table(header, [w.row() for w in chosen])
        print(main_table)
        problems = check_table(main_table, [w.label for w in chosen], [1, 2, 3, 4, 5, 6])

        counters = []
        for w in chosen:
            if w.kind == "load" and w.best_output:
                lines = [ln for ln in w.best_output.splitlines() if ln.startswith(("allocations:", "memory:"))]
                counters += [f"{w.name:8s} {ln}" for ln in lines]
        if counters:
            print()
            print("strata-bench counters (its fastest round):")
            print("\n".join(counters))

        h2_loads = [w for w in chosen if w.kind == "load" and w.h2]
        if h2_loads and not args.no_strace:
            n = args.strace_requests
            counter = "strace" if args.strace or not perf_usable(tmp) else "perf"
            how = "perf stat on the syscall tracepoints" if counter == "perf" else "strace -c -f"
            log(f"syscalls: {how}, {n} requests each")
            rows = []
            for w in h2_loads:
                rows.append([w.name, "strata-bench", *syscalls(w.strata_argv(bindir, n), n, tmp, counter)])
                rows.append([w.name, "h2load", *syscalls(w.h2load_argv(n), n, tmp, counter)])
            print()
            print(f"syscalls per request ({how}, {n} requests; writes = sendto+writev+write, "
                  f"reads = recvfrom+read, waits = epoll_wait+epoll_pwait+poll+ppoll):")
            print()
            sc_table = table(["workload", "client", "writes", "epoll_ctl", "reads", "waits", "all"], rows)
            print(sc_table)
            labels = [f"{w.name} {c}" for w in h2_loads for c in ("strata-bench", "h2load")]
            problems += check_table(sc_table, labels, [2, 4, 6], key_cells=2)
        sys.stdout.flush()
        if args.check:
            if problems:
                print("compare.py --check failed:\n  " + "\n  ".join(problems), file=sys.stderr)
                return 1
            log("compare.py --check: every row has positive figures")
        return 0


if __name__ == "__main__":
    sys.exit(main())
