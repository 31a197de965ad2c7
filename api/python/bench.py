"""Requests per second from Python against a local nginx (1 KiB over HTTP/1.1):
strata against pycurl (sequential), aiohttp (parallel), and requests/httpx
when installed. Prints a Markdown table.

    bazel build -c opt //tools:dist
    STRATA_LIBRARY=$(bazel info -c opt bazel-bin)/tools/libstrata.so \\
        /usr/bin/python3 api/python/bench.py [--sequential N] [--parallel 500,3000] [--window 100]

Parallel rows keep at most --window transfers in flight (aiohttp's
connector has the same limit), so each client reuses that many keep-alive
connections; the per-row figure is transfers / wall time, best of --rounds.
"""

import argparse
import asyncio
import io
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "ffi"))

import nginx_launcher  # noqa: E402
import strata  # noqa: E402


class BenchNginx(nginx_launcher.Nginx):
    """The tests' nginx with room for many connections and no access log."""

    def _config(self):
        return (super()._config().replace("worker_connections 64;", "worker_connections 8192;")
                .replace("access_log \"%s/access.log\" strata;" % self.dir, "access_log off;")
                .replace("events {", "worker_rlimit_nofile 20000;\nevents {")
                .replace("server {", "keepalive_requests 1000000;\n  server {"))


def best(fn, rounds):
    rates = []
    for _ in range(rounds):
        n, seconds = fn()
        rates.append(n / seconds)
    return max(rates)


CONFIG = {"pool": {"max_idle_per_origin": 256}}


def strata_sequential(url, n):
    with strata.Runtime(CONFIG) as rt:
        rt.fetch(url)
        start = time.perf_counter()
        for _ in range(n):
            r = rt.fetch(url)
            assert r.status == 200 and len(r.body) == 1024
        return n, time.perf_counter() - start


def strata_session_sequential(url, n):
    with strata.Session(CONFIG) as s:
        s.get(url)
        start = time.perf_counter()
        for _ in range(n):
            r = s.get(url)
            assert r.status_code == 200 and len(r.content) == 1024
        return n, time.perf_counter() - start


def pycurl_sequential(url, n):
    import pycurl
    c = pycurl.Curl()
    c.setopt(pycurl.URL, url)
    buf = io.BytesIO()
    c.setopt(pycurl.WRITEDATA, buf)
    c.perform()
    start = time.perf_counter()
    for _ in range(n):
        buf.seek(0)
        buf.truncate()
        c.perform()
        assert c.getinfo(pycurl.RESPONSE_CODE) == 200 and len(buf.getvalue()) == 1024
    elapsed = time.perf_counter() - start
    c.close()
    return n, elapsed


def requests_sequential(url, n):
    import requests
    with requests.Session() as s:
        s.get(url)
        start = time.perf_counter()
        for _ in range(n):
            r = s.get(url)
            assert r.status_code == 200 and len(r.content) == 1024
        return n, time.perf_counter() - start


def httpx_sequential(url, n):
    import httpx
    with httpx.Client() as c:
        c.get(url)
        start = time.perf_counter()
        for _ in range(n):
            r = c.get(url)
            assert r.status_code == 200 and len(r.content) == 1024
        return n, time.perf_counter() - start


def strata_as_completed(url, n, window):
    with strata.Runtime(CONFIG) as rt:
        rt.fetch(url)
        start = time.perf_counter()
        running = [rt.submit(url) for _ in range(min(window, n))]
        submitted = len(running)
        done = 0
        while running:
            for _ in rt.as_completed(running):  # until at least one has finished
                break
            still = []
            for t in running:
                if t.done:
                    assert t.result().status == 200
                    done += 1
                else:
                    still.append(t)
            running = still
            while submitted < n and len(running) < window:
                running.append(rt.submit(url))
                submitted += 1
        assert done == n
        return n, time.perf_counter() - start


def strata_all_at_once(url, n, max_connections=0):
    """submit all n, then as_completed over all of them (no window); with
    max_connections, the runtime's pool.max_connections_per_origin."""
    config = {"pool": dict(CONFIG["pool"], max_connections_per_origin=max_connections)}
    with strata.Runtime(config) as rt:
        rt.fetch(url)
        start = time.perf_counter()
        transfers = [rt.submit(url) for _ in range(n)]
        count = 0
        for t in rt.as_completed(transfers):
            assert t.result().status == 200
            count += 1
        assert count == n
        return n, time.perf_counter() - start


def strata_gather(url, n, window):
    async def main():
        async with strata.AsyncSession(CONFIG) as s:
            await s.get(url)
            sem = asyncio.Semaphore(window)

            async def one():
                async with sem:
                    r = await s.get(url)
                    assert r.status_code == 200 and len(r.content) == 1024

            start = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(n)))
            return n, time.perf_counter() - start

    return asyncio.run(main())


def aiohttp_gather(url, n, window):
    import aiohttp

    async def main():
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=window)) as s:
            async with s.get(url) as r:
                await r.read()

            async def one():
                async with s.get(url) as r:
                    body = await r.read()
                    assert r.status == 200 and len(body) == 1024

            start = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(n)))
            return n, time.perf_counter() - start

    return asyncio.run(main())


def have(module):
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sequential", type=int, default=5000)
    ap.add_argument("--parallel", default="500,3000")
    ap.add_argument("--window", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.parallel.split(",")]
    rows = []
    with BenchNginx() as nginx:
        nginx.write("1k.bin", bytes(range(256)) * 4)
        url = nginx.url("/1k.bin")
        n = args.sequential
        rows.append(("strata `Runtime.fetch`, sequential", best(lambda: strata_sequential(url, n), args.rounds)))
        rows.append(("strata `Session.get`, sequential", best(lambda: strata_session_sequential(url, n),
                                                                args.rounds)))
        if have("pycurl"):
            rows.append(("pycurl, sequential", best(lambda: pycurl_sequential(url, n), args.rounds)))
        if have("requests"):
            rows.append(("requests Session, sequential", best(lambda: requests_sequential(url, n), args.rounds)))
        if have("httpx"):
            rows.append(("httpx Client, sequential", best(lambda: httpx_sequential(url, n), args.rounds)))
        for size in sizes:
            rows.append(("strata `submit` + `as_completed` (%d in flight), %d" % (args.window, size),
                         best(lambda: strata_as_completed(url, size, args.window), args.rounds)))
            rows.append(("strata `submit` all + `as_completed`, %d" % size,
                         best(lambda: strata_all_at_once(url, size), args.rounds)))
            rows.append(("strata `submit` all + `as_completed`, `max_connections_per_origin` %d, %d"
                         % (args.window, size), best(lambda: strata_all_at_once(url, size, args.window), args.rounds)))
            rows.append(("strata `AsyncSession` `gather` (%d in flight), %d" % (args.window, size),
                         best(lambda: strata_gather(url, size, args.window), args.rounds)))
            if have("aiohttp"):
                rows.append(("aiohttp `gather` (%d connections), %d" % (args.window, size),
                             best(lambda: aiohttp_gather(url, size, args.window), args.rounds)))
    lib = strata._ffi.load()._name
    print("libstrata: %s (strata %s), Python %s" % (lib, strata.version(), sys.version.split()[0]))
    print()
    print("| workload | req/s |")
    print("|---|---|")
    for name, rate in rows:
        print("| %s | %s |" % (name, "{:,.0f}".format(rate)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
