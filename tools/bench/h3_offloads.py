#!/usr/bin/env python3
"""HTTP/3 with the udp layer's GSO and GRO on vs off (docs/performance.md,
plugins/udp/README.md). Figures, not a test.

After `bazel build -c opt //tools:dist`:

    tools/bench/h3_offloads.py [--bin DIR] [--rounds 3] [-n 20000] [--mib 64]

It serves a 1 KiB and a --mib file with gtlsserver (the ngtcp2 example
server, which itself sends with GSO) on 127.0.0.1, then alternates "on"
(the default) and "off" (a --config whose https+h3 chain says
{"gso": false, "gro": false} to the udp layer):

  - strata-bench --h3 -n N -c 1 -m 100 on the small file: req/s, best of
    --rounds;
  - strata --http3-only -o /dev/null on the big file: MB/s, best of --rounds;
  - once each under `strace -c -f`: sendmsg/sendto/recvmsg/recvfrom calls per
    request (per MiB for the download).
"""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common  # noqa: E402
import compare  # noqa: E402

OFF = '{"pipelines": {"https+h3": [{"layer": "udp", "options": {"gso": false, "gro": false}}, "h3"]}}'
CALLS = ("sendmsg", "sendto", "recvmsg", "recvfrom")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bin", help="directory with strata and strata-bench (default: the -c opt bazel-bin/tools)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("-n", type=int, default=20000)
    p.add_argument("--mib", type=int, default=64)
    args = p.parse_args()
    bindir = args.bin or os.path.join(bench_common.bazel_bin(), "tools")
    strata, bench = os.path.join(bindir, "strata"), os.path.join(bindir, "strata-bench")
    with tempfile.TemporaryDirectory(prefix="h3-offloads-") as tmp:
        pki, www = os.path.join(tmp, "pki"), os.path.join(tmp, "www")
        os.makedirs(pki)
        os.makedirs(www)
        bench_common.make_pki(pki)
        with open(os.path.join(www, "small.bin"), "wb") as f:
            f.write(os.urandom(1024))
        with open(os.path.join(www, "big.bin"), "wb") as f:
            f.write(os.urandom(args.mib << 20))
        off = os.path.join(tmp, "off.json")
        with open(off, "w") as f:
            f.write(OFF)
        port = bench_common.free_port()
        log = open(os.path.join(tmp, "gtlsserver.log"), "wb")
        server = subprocess.Popen(["gtlsserver", "-q", "-d", www, "127.0.0.1", str(port),
                                   f"{pki}/server.key", f"{pki}/server.pem"],
                                  stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        try:
            if not compare.udp_bound(port):
                raise SystemExit(f"gtlsserver did not bind UDP port {port}")
            url = f"https://127.0.0.1:{port}/"
            ca = ["--cacert", f"{pki}/ca.pem"]
            modes = {"on": [], "off": ["--config", off]}
            load = {m: [bench, "-n", str(args.n), "-c", "1", "-m", "100", "--h3", *ca, *extra, url + "small.bin"]
                    for m, extra in modes.items()}
            fetch = {m: [strata, "--http3-only", *ca, *extra, "-s", "-o", "/dev/null", url + "big.bin"]
                     for m, extra in modes.items()}
            rates, speeds = {m: [] for m in modes}, {m: [] for m in modes}
            for r in range(args.rounds):
                for m in (("on", "off") if r % 2 == 0 else ("off", "on")):
                    rates[m].append(compare.load_run(load[m], args.n, tmp)[0])
                    speeds[m].append((args.mib << 20) / 1e6 / compare.download_run(fetch[m], tmp)[1])
                    print(f"round {r + 1} {m:3s}: {rates[m][-1]:8.0f} req/s  {speeds[m][-1]:7.1f} MB/s", flush=True)
            rows = []
            for m in modes:
                per_req = counts(load[m], tmp, lambda argv: compare.load_run(argv, args.n, tmp), args.n)
                per_mib = counts(fetch[m], tmp, lambda argv: compare.download_run(argv, tmp), args.mib)
                rows.append([f"gso/gro {m}", f"{max(rates[m]):.0f}",
                             *[f"{per_req[c]:.3f}" for c in CALLS], f"{max(speeds[m]):.0f}",
                             *[f"{per_mib[c]:.0f}" for c in CALLS]])
            print()
            print(compare.table(["udp", "req/s", *[f"{c}/req" for c in CALLS], f"{args.mib} MiB MB/s",
                                 *[f"{c}/MiB" for c in CALLS]], rows))
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.close()
    return 0


def counts(argv, tmp, run, per):
    """Calls of each of CALLS per |per| (requests or MiB) in one run of argv
    under strace -c -f."""
    path = os.path.join(tmp, "strace.txt")
    run(["strace", "-c", "-f", "-o", path, *argv])
    c = compare.strace_counts(path)
    return {name: c.get(name, 0) / per for name in CALLS}


if __name__ == "__main__":
    sys.exit(main())
