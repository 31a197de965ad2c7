#!/usr/bin/env python3
"""HTTPS benchmarks against a loopback nginx, strata vs curl in the same run:

  1. 64 MiB over https:// (HTTP/1.1): CPU and wall times, ratio strata/curl;
  2. TLS handshakes per second, sequential fetches with a new connection
     each (the server closes after every response), full and resumed.

  tools/bench/tls_bench.py [--runs 10] [--mib 64] [--handshakes 200] [--bin DIR]

DIR holds strata and its plugins (default: `bazel info -c opt bazel-bin`/tools
after `bazel build -c opt //tools:dist`)."""

import argparse
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common  # noqa: E402


def strata_config(d, session_cache, pooled):
    return bench_common.strata_tls_config(d, session_cache, pooled)


def handshakes_per_second(argv, n):
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return n / (time.perf_counter() - start)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--handshakes", type=int, default=200)
    ap.add_argument("--bin", default=None)
    args = ap.parse_args()
    bindir = args.bin or os.path.join(bench_common.bazel_bin(), "tools")
    strata = os.path.join(bindir, "strata")
    pki = tempfile.mkdtemp(prefix="strata-tls-bench-")
    bench_common.make_pki(pki)
    tls_port = bench_common.free_port()
    server = f"""server {{ listen 127.0.0.1:{tls_port} ssl; root {{www}};
      ssl_certificate {pki}/server.pem; ssl_certificate_key {pki}/server.key;
      ssl_session_cache shared:bench:1m; ssl_session_tickets on;
      location /close/ {{ keepalive_timeout 0; alias {{www}}/; }} }}"""
    with bench_common.Nginx({"big.bin": args.mib << 20, "small.txt": 64}, extra_server=server):
        if not bench_common.wait_for_port(tls_port):
            raise RuntimeError("nginx's TLS port did not open")
        base = f"https://localhost:{tls_port}"
        pooled = strata_config(pki, True, True)
        bench_common.compare(
            f"GET {args.mib} MiB over https:// (h1, TLS) to /dev/null",
            [strata, "-s", "--config", pooled, "-o", "/dev/null", f"{base}/big.bin"],
            ["curl", "-s", "--cacert", f"{pki}/ca.pem", "-o", "/dev/null", f"{base}/big.bin"],
            args.runs,
        )
        n = args.handshakes
        urls = [f"{base}/close/small.txt"] * n
        outs = []
        for _ in urls:
            outs += ["-o", "/dev/null"]
        print(f"TLS handshakes, {n} sequential fetches, new connection each (server closes)")
        for label, cache, curl_extra in (("full", False, ["--no-sessionid"]), ("resumed", True, [])):
            cfg = strata_config(pki, cache, False)
            s = handshakes_per_second([strata, "-s", "--config", cfg, *outs, *urls], n)
            c = handshakes_per_second(["curl", "-s", "--cacert", f"{pki}/ca.pem", *curl_extra, *outs, *urls], n)
            print(f"  {label:8s} strata {s:8.1f}/s   curl {c:8.1f}/s   ratio {s / c:.2f}x")


if __name__ == "__main__":
    main()
