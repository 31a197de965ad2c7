"""Streaming a large body and the non-blocking interface: many transfers
on one event loop, as_completed, fetch_all, embedding with selectors,
cancelling, failures among successes."""

import hashlib
import selectors
import unittest

import support
from support import nginx_launcher, strata
from echo_peer import EchoPeer

BIG = 48 * 1024 * 1024


class NonBlockingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.nginx = nginx_launcher.Nginx(locations=nginx_launcher.TEST_LOCATIONS)
        nginx_launcher.write_test_files(cls.nginx)
        cls.big = bytes(range(256)) * (BIG // 256)
        cls.nginx.write("big.bin", cls.big)
        for i in range(40):
            cls.nginx.write("n/%d.txt" % i, b"file %d\n" % i)
        cls.enterClassContext(cls.nginx)


    def setUp(self):
        # A small in-memory limit proves the streamed body never sits in one buffer.
        self.rt = strata.Runtime({"limits": {"max_body_bytes": 1024 * 1024}})

    def tearDown(self):
        self.rt.close()

    def test_as_completed_is_linear(self):
        # Each transfer's state is looked at a bounded number of times, however
        # many loop runs it takes (the old loop rescanned every pending
        # transfer after every run: quadratic).
        reads = [0]
        cls = strata.Transfer
        original = cls.done

        def counted(t):
            reads[0] += 1
            return original.fget(t)

        runs = [0]
        run = self.rt.run

        def counted_run(timeout=0):
            runs[0] += 1
            return run(timeout)

        self.rt.run = counted_run
        cls.done = property(counted)
        try:
            n = 60
            with EchoPeer() as echo:  # answers spread over 0.6 s: many loop runs
                transfers = [self.rt.submit(echo.url("/delay/%.2f" % (0.01 * (i % 60))), tag=i) for i in range(n)]
                tags = [t.tag for t in self.rt.as_completed(transfers, timeout=60)]
        finally:
            cls.done = original
        self.assertEqual(sorted(tags), list(range(n)))
        self.assertGreater(runs[0], 5, "the loop ran many times")
        self.assertLessEqual(reads[0], 2 * n, "%d reads of Transfer.done for %d transfers" % (reads[0], n))
        for t in transfers:
            self.assertEqual(t.result().json(), {"delayed": float("%.2f" % (0.01 * (t.tag % 60)))})

    def test_stream_large_body(self):
        with self.assertRaises(strata.LimitError):
            self.rt.fetch(self.nginx.url("/big.bin"))
        digest = hashlib.sha256()
        sizes = []
        with self.rt.fetch(self.nginx.url("/big.bin"), stream=True) as r:
            self.assertEqual(r.status, 200)
            self.assertEqual(r.http_version, "1.1")
            self.assertEqual(r.headers["Content-Length"], str(BIG))
            for chunk in r.iter_content(1 << 20):
                digest.update(chunk)
                sizes.append(len(chunk))
        self.assertEqual(digest.hexdigest(), hashlib.sha256(self.big).hexdigest())
        self.assertEqual(sum(sizes), BIG)
        self.assertEqual(set(sizes), {1 << 20})
        self.assertEqual(r.size_download, BIG)
        self.assertEqual(r.num_connects, 1)
        self.assertGreater(r.timings["total"], 0)

    def test_stream_with_redirect_and_body_property(self):
        r = self.rt.fetch(self.nginx.url("/redirect"), stream=True, follow_redirects=True)
        self.assertEqual((r.status, r.url), (200, self.nginx.url("/hello.txt")))
        self.assertEqual(r.body, b"hello from nginx\n")
        self.assertEqual([h["status"] for h in r.hops], [302, 200])

    def test_stream_closed_early_cancels(self):
        r = self.rt.fetch(self.nginx.url("/big.bin"), stream=True)
        first = next(r.iter_content(4096))
        self.assertEqual(first, self.big[:4096])
        running = not r._transfer.done  # loopback may deliver all 48 MiB in one run
        r.close()
        self.assertTrue(r._transfer.done)
        if running:
            self.assertIsInstance(r._transfer.exception(), strata.CancelledError)
        self.assertEqual(self.rt.fetch(self.nginx.url("/hello.txt")).status, 200)

    def test_many_transfers(self):
        urls = [self.nginx.url("/n/%d.txt" % i) for i in range(40)]
        transfers = [self.rt.submit(u, tag=i) for i, u in enumerate(urls)]
        self.assertEqual(len(self.rt.running), 40)
        finished = list(self.rt.as_completed(transfers, timeout=60))
        self.assertEqual(sorted(t.tag for t in finished), list(range(40)))
        for t in transfers:
            r = t.result()
            self.assertEqual(r.body, b"file %d\n" % t.tag)
            self.assertEqual(r.url, urls[t.tag])
            self.assertEqual([(h["hop"], h["url"]) for h in r.hops], [(1, urls[t.tag])])
        self.assertEqual(self.rt.running, [])
        self.assertLessEqual(sum(t.result().num_connects for t in transfers), 40)

    def test_hops_of_concurrent_redirects(self):
        # Identical URLs interleave their events; each response still gets
        # a consistent hop list.
        urls = [self.nginx.url("/redirect2" if i % 3 == 0 else "/redirect" if i % 3 == 1 else "/hello.txt")
                for i in range(30)]
        transfers = [self.rt.submit(u, follow_redirects=True, tag=i) for i, u in enumerate(urls)]
        for t in self.rt.as_completed(transfers, timeout=60):
            r = t.result()
            self.assertEqual(r.body, b"hello from nginx\n")
            self.assertEqual([h["hop"] for h in r.hops], list(range(1, r.num_redirects + 2)))
            self.assertEqual(r.hops[0]["url"], urls[t.tag])
            self.assertEqual(r.hops[-1]["url"], self.nginx.url("/hello.txt"))
            self.assertEqual(len(r.hops), 3 - t.tag % 3)

    def test_identical_urls_keep_their_own_hops(self):
        # One URL, two fates: followed (two hops, 200) or not (one hop, the
        # 302). Events name their transfer, so neither takes the other's.
        url = self.nginx.url("/redirect")
        transfers = [self.rt.submit(url, follow_redirects=(i % 2 == 0), tag=i) for i in range(20)]
        for t in self.rt.as_completed(transfers, timeout=60):
            r = t.result()
            if t.tag % 2 == 0:
                self.assertEqual([h["status"] for h in r.hops], [302, 200], t.tag)
            else:
                self.assertEqual([h["status"] for h in r.hops], [302], t.tag)
                self.assertEqual(r.status, 302)
        # A blocking fetch among them learns its transfer from its first event.
        self.assertEqual([h["status"] for h in self.rt.fetch(url, follow_redirects=True).hops], [302, 200])

    def test_fetch_all_with_redirects_and_failures(self):
        refused = "http://127.0.0.1:%d/" % nginx_launcher.free_port()
        reqs = [{"url": self.nginx.url("/redirect"), "follow_redirects": True},
                self.nginx.url("/data.json"),
                {"url": self.nginx.url("/up/x.txt"), "method": "PUT", "body": b"put via submit"}]
        responses = self.rt.fetch_all(reqs * 5, timeout=60)
        self.assertEqual([r.status for r in responses[:2]], [200, 200])
        self.assertEqual(responses[0].body, b"hello from nginx\n")
        self.assertEqual([h["status"] for h in responses[0].hops], [302, 200])
        self.assertEqual(responses[1].json()["name"], "strata")
        good = self.rt.submit(self.nginx.url("/hello.txt"))
        bad = self.rt.submit(refused)
        done = list(self.rt.as_completed([good, bad]))
        self.assertEqual(len(done), 2)
        self.assertEqual(good.result().status, 200)
        with self.assertRaises(strata.ConnectError) as cm:
            bad.result()
        self.assertEqual(cm.exception.url, refused)

    def test_embedding_with_selectors(self):
        transfers = [self.rt.submit(self.nginx.url("/n/%d.txt" % i)) for i in range(10)]
        sel = selectors.DefaultSelector()
        sel.register(self.rt.fileno(), selectors.EVENT_READ)
        try:
            rounds = 0
            while any(not t.done for t in transfers):
                rounds += 1
                self.assertLess(rounds, 10000)
                timeout = self.rt.timeout()
                sel.select(timeout if timeout is not None else 5)
                self.rt.run(0)
        finally:
            sel.close()
        self.assertEqual([t.result().body for t in transfers], [b"file %d\n" % i for i in range(10)])

    def test_cancel_and_close_with_transfers_running(self):
        import socket
        with socket.socket() as silent:  # never answers: the transfer stays running
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            t = self.rt.submit("http://127.0.0.1:%d/" % silent.getsockname()[1])
            self.rt.run(0.05)
            self.assertFalse(t.done)
            t.cancel()
            self.assertTrue(t.done)
            with self.assertRaises(strata.CancelledError):
                t.result()
        rt = strata.Runtime()
        pending = [rt.submit(self.nginx.url("/hello.txt")) for _ in range(3)]
        rt.close()
        for p in pending:
            self.assertTrue(p.done)
            self.assertIsInstance(p.exception(), strata.CancelledError)

    def test_result_timeout(self):
        import socket
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            t = self.rt.submit("http://127.0.0.1:%d/" % silent.getsockname()[1])
            with self.assertRaises(TimeoutError):
                t.result(timeout=0.2)
            self.assertFalse(t.done)
            t.close()
            self.assertTrue(t.done)


if __name__ == "__main__":
    unittest.main()
