#!/usr/bin/env python3
"""64 MiB over https:// through a loopback squid (CONNECT tunnel), strata vs
curl in the same run, alternating: CPU and wall times and their ratio.

With --h2-proxy, strata's tunnel is a CONNECT stream over HTTP/2 to nghttpx
(-s, in front of the same squid: --proxy-http2), and curl keeps its HTTP/1.1
CONNECT to squid: the issue's "64 MiB through the h2 tunnel at <= 1.2x curl's
CPU through an HTTP/1.1 proxy".

  tools/bench/proxy_bench.py [--runs 10] [--mib 64] [--bin DIR] [--h2-proxy]"""

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--bin", default=None)
    ap.add_argument("--h2-proxy", action="store_true")
    args = ap.parse_args()
    bindir = args.bin or os.path.join(bench_common.bazel_bin(), "tools")
    strata = os.path.join(bindir, "strata")
    pki = tempfile.mkdtemp(prefix="strata-proxy-bench-")
    bench_common.make_pki(pki)
    tls_port = bench_common.free_port()
    server = f"""server {{ listen 127.0.0.1:{tls_port} ssl; root {{www}};
      ssl_certificate {pki}/server.pem; ssl_certificate_key {pki}/server.key; }}"""
    config = bench_common.strata_tls_config(pki)
    with bench_common.Nginx({"big.bin": args.mib << 20}, extra_server=server), bench_common.Squid() as squid:
        if not bench_common.wait_for_port(tls_port):
            raise RuntimeError("nginx's TLS port did not open")
        url = f"https://localhost:{tls_port}/big.bin"
        proxy = f"http://127.0.0.1:{squid.port}"
        curl = ["curl", "-s", "--cacert", f"{pki}/ca.pem", "-x", proxy, "-o", "/dev/null", url]
        if not args.h2_proxy:
            bench_common.compare(
                f"GET {args.mib} MiB over https:// through squid (CONNECT) to /dev/null",
                [strata, "-s", "--config", config, "-x", proxy, "-o", "/dev/null", url], curl, args.runs)
            return
        with bench_common.Nghttpx(squid.port, f"{pki}/server.pem", f"{pki}/server.key") as nghttpx:
            h2_proxy = f"https://localhost:{nghttpx.port}"
            bench_common.compare(
                f"GET {args.mib} MiB over https://: strata through nghttpx -s (CONNECT over HTTP/2) and squid, "
                f"curl through squid (CONNECT over HTTP/1.1), to /dev/null",
                [strata, "-s", "--config", config, "--proxy-http2", "-x", h2_proxy, "--proxy-cacert",
                 f"{pki}/ca.pem", "-o", "/dev/null", url], curl, args.runs)


if __name__ == "__main__":
    main()
