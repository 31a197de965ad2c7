#!/usr/bin/env python3
"""Downloads 64 MiB over HTTP/1.1 from a loopback nginx with strata and with
curl, alternating, and prints CPU and wall times and their ratio.

  tools/bench/h1_download.py [--runs 10] [--mib 64] [--bin DIR]

DIR holds the strata binary and plugins (default: `bazel info bazel-bin`/tools,
after `bazel build -c opt //tools:dist`)."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--bin", default=None)
    args = ap.parse_args()
    bindir = args.bin or os.path.join(bench_common.bazel_bin(), "tools")
    strata = os.path.join(bindir, "strata")
    with bench_common.Nginx({"big.bin": args.mib << 20}) as nginx:
        url = f"http://127.0.0.1:{nginx.port}/big.bin"
        bench_common.compare(
            f"GET {args.mib} MiB over http:// (h1) to /dev/null",
            [strata, "-s", "-o", "/dev/null", url],
            ["curl", "-s", "-o", "/dev/null", url],
            args.runs,
        )


if __name__ == "__main__":
    main()
