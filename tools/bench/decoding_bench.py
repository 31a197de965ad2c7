#!/usr/bin/env python3
"""Content decoding: strata --compressed vs curl --compressed on the same
files, alternating, from a loopback nginx serving pre-compressed copies of
one text file (gzip, br, zstd) with their Content-Encoding. Prints CPU and
wall time medians and the decoded MB/s each client reaches.

  tools/bench/decoding_bench.py [--runs 7] [--mib 64] [--bin DIR]

DIR holds the strata binary and plugins (default: `bazel info bazel-bin`/tools,
after `bazel build -c opt //tools:dist`). Encoders: gzip(1) -6, Python's
brotli (quality 5, python3-brotli) and zstandard (level 3, python3-zstandard),
as a server would store them."""

import argparse
import gzip
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common  # noqa: E402


def text(size):
    # Like a large HTML or JSON document: repetitive structure, varying values.
    out, i = [], 0
    total = 0
    while total < size:
        line = b'{"id": %d, "name": "item-%d", "tags": ["strata", "layer", "hop"], "score": %d.%02d}\n' % (
            i, i * 7919 % 100003, i % 977, i % 100)
        out.append(line)
        total += len(line)
        i += 1
    return b"".join(out)[:size]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--mib", type=int, default=64)
    ap.add_argument("--bin", default=None)
    args = ap.parse_args()
    try:
        import brotli
        import zstandard
    except ImportError as e:
        sys.exit("decoding_bench.py needs python3-brotli and python3-zstandard (%s)" % e)
    bindir = args.bin or os.path.join(bench_common.bazel_bin(), "tools")
    strata = os.path.join(bindir, "strata")
    data = text(args.mib << 20)
    encoded = {
        "gzip": gzip.compress(data, compresslevel=6),
        "br": brotli.compress(data, quality=5),
        "zstd": zstandard.ZstdCompressor(level=3).compress(data),
    }
    locations = "\n".join(
        f"  server {{ listen 127.0.0.1:{{port_{c}}}; root {{www}}; default_type application/json; "
        f"add_header Content-Encoding {c}; }}" for c in encoded)
    ports = {c: bench_common.free_port() for c in encoded}
    for c, p in ports.items():
        locations = locations.replace("{port_%s}" % c, str(p))
    with bench_common.Nginx({}, extra_server=locations) as nginx:
        www = os.path.join(nginx.dir, "www")
        for c, body in encoded.items():
            with open(os.path.join(www, "doc." + c), "wb") as f:
                f.write(body)
        for c, body in encoded.items():
            url = f"http://127.0.0.1:{ports[c]}/doc.{c}"
            # Both must decode to the same bytes before anything is timed.
            for argv in ([strata, "-s", "--compressed", url], ["curl", "-s", "--compressed", url]):
                got = subprocess.run(argv, check=True, stdout=subprocess.PIPE).stdout
                if got != data:
                    sys.exit("%s decoded %d bytes, expected %d" % (argv[0], len(got), len(data)))
            label = (f"{c}: {len(body) / 1e6:.1f} MB on the wire → {len(data) / 1e6:.0f} MB decoded "
                     f"(ratio {len(data) / len(body):.1f}), to /dev/null")
            a_cpu, a_wall, b_cpu, b_wall = [], [], [], []
            for _ in range(args.runs):
                cpu, wall = bench_common.run_timed([strata, "-s", "--compressed", "-o", "/dev/null", url])
                a_cpu.append(cpu)
                a_wall.append(wall)
                cpu, wall = bench_common.run_timed(["curl", "-s", "--compressed", "-o", "/dev/null", url])
                b_cpu.append(cpu)
                b_wall.append(wall)
            m = statistics.median
            mb = len(data) / 1e6
            print(f"{label}  ({args.runs} alternating runs, medians)")
            print(f"  strata: cpu {m(a_cpu) * 1000:7.1f} ms  wall {m(a_wall) * 1000:7.1f} ms  "
                  f"{mb / m(a_wall):7.0f} MB/s decoded")
            print(f"  curl:   cpu {m(b_cpu) * 1000:7.1f} ms  wall {m(b_wall) * 1000:7.1f} ms  "
                  f"{mb / m(b_wall):7.0f} MB/s decoded")
            print(f"  ratio strata/curl: cpu {m(a_cpu) / m(b_cpu):.2f}x  wall {m(a_wall) / m(b_wall):.2f}x")


if __name__ == "__main__":
    main()
