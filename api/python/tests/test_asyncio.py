"""strata.AsyncSession on asyncio, with no thread: 500 transfers at once over
HTTP/2 (nginx, TLS, ALPN h2), concurrent transfers of one URL, streaming,
timeouts driven by the runtime's timer, and cancellation."""

import asyncio
import threading
import time
import unittest

import support
from support import nginx_launcher, strata
from echo_peer import EchoPeer


class AsyncioTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = nginx_launcher.Pki()
        cls.ca = cls.pki.make_ca()
        cls.h2 = nginx_launcher.Nginx(tls=cls.pki.make_leaf("server"), http2=True)
        for i in range(10):
            cls.h2.write("n%d.txt" % i, b"file %d\n" % i * (i + 1))
        cls.enterClassContext(cls.h2)
        cls.echo = cls.enterClassContext(EchoPeer())

    def run_async(self, coro):
        return asyncio.run(asyncio.wait_for(coro, 60))

    def test_500_transfers_over_h2_without_threads(self):
        if not support.has_plugin("h2-alpn"):
            self.skipTest("no strata-h2-alpn.so in this build")
        threads_before = threading.active_count()
        seen_threads = []

        async def watch(stop):
            while not stop.is_set():
                seen_threads.append(threading.active_count())
                await asyncio.sleep(0.005)

        async def main():
            async with strata.AsyncSession() as s:
                s.verify = self.ca
                stop = asyncio.Event()
                watcher = asyncio.create_task(watch(stop))
                urls = [self.h2.url("/n%d.txt" % (i % 10), host="localhost") for i in range(500)]
                responses = await asyncio.gather(*(s.get(u) for u in urls))
                stop.set()
                await watcher
                return urls, responses

        start = time.monotonic()
        urls, responses = self.run_async(main())
        elapsed = time.monotonic() - start
        self.assertEqual(len(responses), 500)
        for i, (u, r) in enumerate(zip(urls, responses)):
            self.assertEqual(r.status_code, 200, u)
            self.assertEqual(r.http_version, "2")
            self.assertEqual(r.reason, "", "HTTP/2 has no reason phrase")
            self.assertEqual(r.content, b"file %d\n" % (i % 10) * (i % 10 + 1))
        self.assertTrue(seen_threads, "the watcher ran while the transfers did")
        self.assertEqual(set(seen_threads), {threads_before}, "no thread was started")
        self.assertEqual(threads_before, 1)
        # HTTP/2 multiplexes: far fewer connections than transfers.
        self.assertLess(sum(r.num_connects for r in responses), 50)
        self.assertLess(elapsed, 30)

    def test_same_url_concurrently_keeps_each_result(self):
        url = self.echo.url("/anything")

        async def main():
            async with strata.AsyncSession() as s:
                return await asyncio.gather(s.get(url, headers={"X-Who": "first"}),
                                            s.post(url, data=b"second body", headers={"X-Who": "second"}))

        a, b = self.run_async(main())
        self.assertEqual((a.json()["headers"]["X-Who"], a.json()["method"]), ("first", "GET"))
        self.assertEqual((b.json()["headers"]["X-Who"], b.json()["data"]), ("second", "second body"))
        self.assertEqual(len(a.hops), 1)
        self.assertEqual(len(b.hops), 1)
        self.assertIsNot(a.hops, b.hops)

    def test_same_url_on_the_runtime_interface(self):
        url = self.echo.url("/delay/0.2")
        with strata.Runtime() as rt:
            t1 = rt.submit(url, tag=1)
            t2 = rt.submit(url, "POST", body=b"x", tag=2)
            done = [t.tag for t in rt.as_completed([t1, t2], timeout=20)]
            self.assertEqual(sorted(done), [1, 2])
            self.assertEqual(t1.result().status, 200)
            self.assertEqual(t2.result().status, 200)
            self.assertEqual([h["hop"] for h in t1.hops], [1])
            self.assertEqual([h["hop"] for h in t2.hops], [1])

    def test_stream_head_before_body(self):
        async def main():
            async with strata.AsyncSession() as s:
                async with s.stream("GET", self.echo.url("/stream/6")) as r:
                    head_at = time.monotonic()
                    status, ctype = r.status_code, r.headers["content-type"]
                    lines = [line async for line in r.aiter_lines()]
                    end_at = time.monotonic()
                return status, ctype, lines, end_at - head_at, r

        status, ctype, lines, body_time, r = self.run_async(main())
        self.assertEqual((status, ctype), (200, "application/json"))
        self.assertEqual(lines, ['{"id": %d}' % i for i in range(6)])
        self.assertGreater(body_time, 0.15, "the head came before the body (6 lines 50 ms apart)")
        self.assertEqual([h["status"] for h in r.hops], [200])

    def test_timeout_by_the_runtime_timer(self):
        async def main():
            async with strata.AsyncSession() as s:
                start = time.monotonic()
                with self.assertRaises(strata.Timeout):
                    await s.get(self.echo.url("/delay/5"), timeout=0.3)
                return time.monotonic() - start

        self.assertLess(self.run_async(main()), 3)

    def test_cancellation_cancels_the_transfer(self):
        async def main():
            async with strata.AsyncSession() as s:
                task = asyncio.create_task(s.get(self.echo.url("/delay/5")))
                await asyncio.sleep(0.3)
                self.assertEqual(len(s.runtime.running), 1)
                task.cancel()
                with self.assertRaises(asyncio.CancelledError):
                    await task
                self.assertEqual(s.runtime.running, [], "the transfer was cancelled with its task")
                with self.assertRaises(asyncio.TimeoutError):
                    await asyncio.wait_for(s.get(self.echo.url("/delay/5")), 0.3)
                self.assertEqual(s.runtime.running, [])
                # The session still works afterwards.
                return (await s.get(self.echo.url("/anything"))).status_code

        start = time.monotonic()
        self.assertEqual(self.run_async(main()), 200)
        self.assertLess(time.monotonic() - start, 4)

    def test_errors_and_mistakes(self):
        async def main():
            async with strata.AsyncSession() as s:
                with self.assertRaises(strata.ConnectionError):
                    await s.get("http://127.0.0.1:%d/" % nginx_launcher.free_port())
                with self.assertRaises(TypeError):
                    await s.get(self.echo.url("/anything"), folow_redirects=True)
                r = await s.get(self.echo.url("/status/500"))
                with self.assertRaises(strata.HTTPError) as cm:
                    r.raise_for_status()
                self.assertIs(cm.exception.response, r)

        self.run_async(main())


if __name__ == "__main__":
    unittest.main()
