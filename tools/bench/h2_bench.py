#!/usr/bin/env python3
"""HTTP/2 load: strata-bench vs h2load, alternating, same parameters, against
nghttpd (h2c, prior knowledge) and nginx (TLS, h2 via ALPN); then 64 MiB over
h2 with the strata CLI vs curl --http2 (CPU and wall).

  tools/bench/h2_bench.py [--requests 100000] [--rounds 3] [--mib 64] [--bin DIR]

Prints each run's requests/s and the median ratio strata/h2load per setting.
DIR: `bazel info -c opt bazel-bin`/tools after `bazel build -c opt //tools:dist`."""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common  # noqa: E402


def reqs_per_sec(output):
    m = re.search(r"finished in [^,]+, ([0-9.]+) req/s", output)
    if not m:
        raise RuntimeError("no req/s in output:\n" + output)
    return float(m.group(1))


def run(argv):
    p = subprocess.run(argv, capture_output=True, text=True)
    if "finished in" not in p.stdout:
        raise RuntimeError(f"{argv[0]} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return reqs_per_sec(p.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=100000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--bin", default=None)
    args = ap.parse_args()
    bindir = args.bin or os.path.join(bench_common.bazel_bin(), "tools")
    bench = os.path.join(bindir, "strata-bench")
    strata = os.path.join(bindir, "strata")
    pki = tempfile.mkdtemp(prefix="strata-h2-bench-")
    bench_common.make_pki(pki)
    www = os.path.join(pki, "www")
    os.makedirs(www)
    with open(os.path.join(www, "index.html"), "w") as f:
        f.write("hello h2\n")
    with open(os.path.join(www, "big.bin"), "wb") as f:
        chunk = os.urandom(1 << 20)
        for _ in range(args.mib):
            f.write(chunk)
    h2c_port = bench_common.free_port()
    nghttpd = subprocess.Popen(["nghttpd", "--no-tls", "-d", www, "-n", "1", str(h2c_port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tls_port = bench_common.free_port()
    server = f"""server {{ listen 127.0.0.1:{tls_port} ssl http2; root {www};
      http2_max_concurrent_streams 128; keepalive_requests 1000000;
      ssl_certificate {pki}/server.pem; ssl_certificate_key {pki}/server.key; }}"""
    try:
        with bench_common.Nginx({}, extra_server=server):
            if not bench_common.wait_for_port(tls_port) or not bench_common.wait_for_port(h2c_port):
                raise RuntimeError("peers did not start")
            settings = [
                ("nghttpd h2c", f"http://127.0.0.1:{h2c_port}/index.html", ["--h2-prior"], []),
                ("nginx TLS h2", f"https://localhost:{tls_port}/index.html",
                 ["--h2", "--cacert", f"{pki}/ca.pem"], []),
            ]
            shapes = [("-n %d -c 1 -m 100" % args.requests, ["-c", "1", "-m", "100"]),
                      ("-n %d -c 10 -m 10" % args.requests, ["-c", "10", "-m", "10"])]
            for label, url, strata_flags, h2load_flags in settings:
                for shape_label, shape in shapes:
                    ours, theirs = [], []
                    for _ in range(args.rounds):
                        ours.append(run([bench, "-n", str(args.requests), *shape, *strata_flags, url]))
                        theirs.append(run(["h2load", "-n", str(args.requests), *shape, *h2load_flags, url]))
                    m_ours, m_theirs = statistics.median(ours), statistics.median(theirs)
                    print(f"{label:13s} {shape_label:24s} strata {m_ours:10.0f} req/s   "
                          f"h2load {m_theirs:10.0f} req/s   ratio {m_ours / m_theirs:.2f}x")
            bench_common.compare(
                f"GET {args.mib} MiB over h2 (TLS, ALPN) to /dev/null",
                [strata, "-s", "--http2", "--cacert", f"{pki}/ca.pem", "-o", "/dev/null",
                 f"https://localhost:{tls_port}/big.bin"],
                ["curl", "-s", "--http2", "--cacert", f"{pki}/ca.pem", "-o", "/dev/null",
                 f"https://localhost:{tls_port}/big.bin"],
                5,
            )
    finally:
        nghttpd.terminate()
        nghttpd.wait()


if __name__ == "__main__":
    main()
