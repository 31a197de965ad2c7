"""strata.Runtime.fetch against a local nginx over plain HTTP: responses,
headers, bodies in and out, redirects and hops, and errors as exceptions."""

import hashlib
import io
import json
import os
import socket
import unittest

import support
from support import nginx_launcher, strata


class FetchTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.nginx = nginx_launcher.Nginx(locations=nginx_launcher.TEST_LOCATIONS)
        nginx_launcher.write_test_files(cls.nginx)
        cls.enterClassContext(cls.nginx)


    def setUp(self):
        self.rt = strata.Runtime()

    def tearDown(self):
        self.rt.close()

    def url(self, path):
        return self.nginx.url(path)

    def test_version(self):
        self.assertRegex(strata.version(), r"^\d+\.\d+\.\d+")
        self.assertEqual(strata.abi_version(), 1003)  # ABI 1.3
        self.assertEqual(strata.status_name(-42), "STRATA_E_TIMEOUT")

    def test_get(self):
        r = self.rt.fetch(self.url("/hello.txt"), headers={"Accept": "text/plain", "X-Test": "1"})
        self.assertEqual(r.status, 200)
        self.assertTrue(r.ok)
        self.assertEqual(r.http_version, "1.1")
        self.assertEqual(r.body, b"hello from nginx\n")
        self.assertEqual(r.text, "hello from nginx\n")
        self.assertEqual(r.headers["content-length"], "17")
        self.assertEqual(r.headers.get("Content-Length"), "17")
        self.assertIn("SERVER", r.headers)
        self.assertIsNone(r.headers.get("x-absent"))
        self.assertTrue(r.headers.items()[0][0][0].isupper(), "names keep their case")
        self.assertEqual(r.url, self.url("/hello.txt"))
        self.assertEqual(r.num_connects, 1)
        self.assertEqual(r.num_redirects, 0)
        self.assertEqual(r.reason, "OK")
        self.assertGreater(r.timings["total"], 0)
        self.assertIn("tcp(127.0.0.1:%d)" % self.nginx.port, r.chain)
        self.assertEqual([(h["hop"], h["status"], h["reused"]) for h in r.hops], [(1, 200, False)])
        self.assertEqual(list(r.iter_content(5)), [b"hello", b" from", b" ngin", b"x\n"])

    def test_keep_alive_json_and_repeated_headers(self):
        r = self.rt.fetch(self.url("/data.json"))
        self.assertEqual(r.json()["layers"], ["tcp", "tls", "h1"])
        r = self.rt.fetch(self.url("/multi"))
        self.assertEqual(r.headers.get_all("x-multi"), ["one", "two"])
        self.assertEqual(r.num_connects, 0, "second request on the pooled connection")
        self.assertTrue(r.hops[0]["reused"])
        r = self.rt.fetch(self.url("/missing"))
        self.assertEqual(r.status, 404)
        with self.assertRaises(strata.HTTPStatusError):
            r.raise_for_status()
        r = self.rt.fetch(self.url("/hello.txt"), method="HEAD")
        self.assertEqual((r.status, r.body), (200, b""))
        log = self.nginx.access_log()
        self.assertEqual(len({entry[0] for entry in log[-4:]}), 1, "one connection: %r" % log)

    def test_none_removes_a_header_and_the_default(self):
        r = self.rt.fetch(self.url("/headers"))
        self.assertRegex(r.text, r"^ua=\[strata/[^\]]+\] accept=\[\*/\*\]\n$")
        r = self.rt.fetch(self.url("/headers"), headers={"User-Agent": None, "Accept": None})
        self.assertEqual(r.text, "ua=[] accept=[]\n")
        r = self.rt.fetch(self.url("/headers"), headers=[("User-Agent", "mine"), ("user-agent", None)])
        self.assertEqual(r.text, "ua=[] accept=[*/*]\n")

    def test_range_and_resume(self):
        r = self.rt.fetch(self.url("/hello.txt"), range="0-4")
        self.assertEqual((r.status, r.body), (206, b"hello"))
        r = self.rt.fetch(self.url("/hello.txt"), resume_from=6)
        self.assertEqual((r.status, r.body), (206, b"from nginx\n"))
        self.assertEqual(r.headers["content-range"], "bytes 6-16/17")
        # nginx's "return" ignores ranges: a resume must not take its body.
        with self.assertRaises(strata.RangeError) as cm:
            self.rt.fetch(self.url("/headers"), resume_from=3)
        self.assertIn("ignored the range", str(cm.exception))

    def test_content_decoding(self):
        page = nginx_launcher.GZ_PAGE
        # Not asked: no Accept-Encoding, nginx sends the page as is.
        r = self.rt.fetch(self.url("/gz/page.txt"))
        self.assertIsNone(r.headers.get("content-encoding"))
        self.assertEqual(r.body, page)
        # Asked (True or ""): gzip on the wire, the page decoded.
        for accept in (True, ""):
            r = self.rt.fetch(self.url("/gz/page.txt"), accept_encoding=accept)
            self.assertEqual(r.headers["content-encoding"], "gzip")
            self.assertEqual(r.body, page)
            self.assertLess(r.size_download, len(page) // 4)
        # Streamed into a sink, the same bytes.
        pieces = []
        self.rt.fetch(self.url("/gz/page.txt"), accept_encoding=True, sink=pieces.append)
        self.assertEqual(b"".join(pieces), page)
        with self.assertRaises(strata.ContentEncodingError) as cm:
            self.rt.fetch(self.url("/compress"), accept_encoding=True)
        self.assertIn("'compress'", str(cm.exception))
        self.assertEqual(cm.exception.layer, "decoding")
        # The stored bomb (64 MiB of zeros in 64 KiB) trips the ratio limit;
        # a higher ratio lets it through.
        with self.assertRaises(strata.LimitError) as cm:
            self.rt.fetch(self.url("/zeros.gz"), accept_encoding=True, sink=lambda b: None)
        self.assertIn("decompression bomb", str(cm.exception))
        total = []
        self.rt.fetch(self.url("/zeros.gz"), accept_encoding=True, max_decode_ratio=5000,
                      sink=lambda b: total.append(len(b)))
        self.assertEqual(sum(total), 64 << 20)
        with self.assertRaises(strata.LimitError):
            self.rt.fetch(self.url("/gz/page.txt"), accept_encoding=True, max_decoded_bytes=1000)

    def test_retries(self):
        seen = []
        self.rt.on_event(seen.append, types=("retry",))
        r = self.rt.fetch(self.url("/busy"), retry=2, retry_delay=0.05)
        self.assertEqual(r.status, 503)
        self.assertEqual(r.body, b"busy\n")  # the last attempt's body
        self.assertEqual([(e["attempt"], e["retries_left"], e["status"]) for e in seen], [(1, 2, 503), (2, 1, 503)])
        self.assertEqual(seen[0]["delay"], 0.05)
        self.assertEqual([h["status"] for h in r.hops][-1], 503)
        # A POST is not retried unless asked.
        seen.clear()
        self.assertEqual(self.rt.fetch(self.url("/busy"), "POST", body=b"x", retry=2, retry_delay=0.05).status, 503)
        self.assertEqual(seen, [])
        self.rt.fetch(self.url("/busy"), "POST", body=b"x", retry=1, retry_delay=0.05, retry_non_idempotent=True)
        self.assertEqual(len(seen), 1)
        # Only the classes asked for: not HTTP statuses here.
        seen.clear()
        self.rt.fetch(self.url("/busy"), retry=3, retry_on=("timeout", "connect"))
        self.assertEqual(seen, [])
        with self.assertRaises(strata.UsageError):
            self.rt.fetch(self.url("/busy"), retry=1, retry_on="sometimes")

    def test_cookies(self):
        # Off by default: nothing stored, nothing sent.
        self.assertEqual(self.rt.fetch(self.url("/login"), follow_redirects=True).text, "cookie=[]\n")
        self.assertEqual(self.rt.cookies(), [])
        self.rt.enable_cookies()
        # Set on the 302, sent on the redirect's next hop and afterwards.
        self.assertEqual(self.rt.fetch(self.url("/login"), follow_redirects=True).text, "cookie=[sid=abc]\n")
        self.assertEqual(self.rt.fetch(self.url("/echo-cookie")).text, "cookie=[sid=abc]\n")
        [c] = self.rt.cookies()
        self.assertEqual((c["name"], c["value"], c["domain"], c["path"], c["host_only"], c["expires"]),
                         ("sid", "abc", "127.0.0.1", "/", True, 0))
        # cookie= adds to the store's, in one header.
        self.assertEqual(self.rt.fetch(self.url("/echo-cookie"), cookie={"x": "1"}).text, "cookie=[sid=abc; x=1]\n")
        jar = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "py-jar.txt")
        self.rt.save_cookies(jar)
        with open(jar) as f:
            self.assertIn("127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tabc", f.read())
        with strata.Runtime() as other:
            self.assertEqual(other.load_cookies(jar), 1)
            self.assertEqual(other.fetch(self.url("/echo-cookie")).text, "cookie=[sid=abc]\n")
            self.assertEqual(other.load_cookies(jar, drop_session=True), 1)
            self.assertEqual(other.cookies(), [])
        with self.assertRaises(strata.UsageError):
            self.rt.add_cookie("http://www.example.co.uk/", "x=1; Domain=co.uk")
        self.rt.add_cookie(self.url("/"), "p=1; Max-Age=600")
        self.rt.clear_cookies(session_only=True)
        self.assertEqual([c["name"] for c in self.rt.cookies()], ["p"])
        with self.assertRaises(strata.StrataError):
            self.rt.load_cookies("/nonexistent/jar")

    def test_module_level_fetch(self):
        self.assertEqual(strata.fetch(self.url("/hello.txt")).body, b"hello from nginx\n")

    def test_upload_bytes_file_and_iterable(self):
        payload = os.urandom(300000)
        r = self.rt.fetch(self.url("/up/bytes.bin"), "PUT", body=payload)
        self.assertIn(r.status, (201, 204))
        self.assertEqual(r.size_upload, len(payload))
        path = os.path.join(self.nginx.dir, "source.bin")
        with open(path, "wb") as f:
            f.write(payload)
        with open(path, "rb") as f:
            r = self.rt.fetch(self.url("/up/file.bin"), "PUT", body=f)
        self.assertIn(r.status, (201, 204))
        pieces = (payload[i:i + 7777] for i in range(0, len(payload), 7777))
        r = self.rt.fetch(self.url("/up/iter.bin"), "PUT", body=pieces)  # unknown length: chunked
        self.assertIn(r.status, (201, 204))
        r = self.rt.fetch(self.url("/up/text.txt"), "PUT", body="héllo")
        for name, expect in (("bytes.bin", payload), ("file.bin", payload), ("iter.bin", payload),
                             ("text.txt", "héllo".encode())):
            with open(os.path.join(self.nginx.docroot, "up", name), "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(expect).hexdigest(), name)

    def test_redirects_and_hops(self):
        r = self.rt.fetch(self.url("/redirect2"), follow_redirects=True)
        self.assertEqual((r.status, r.body), (200, b"hello from nginx\n"))
        self.assertEqual(r.url, self.url("/hello.txt"))
        self.assertEqual(r.num_redirects, 2)
        self.assertEqual([(h["hop"], h["status"], h["url"]) for h in r.hops],
                         [(1, 301, self.url("/redirect2")), (2, 302, self.url("/redirect")),
                          (3, 200, self.url("/hello.txt"))])
        r = self.rt.fetch(self.url("/redirect"))  # not followed by default
        self.assertEqual(r.status, 302)
        self.assertEqual(r.redirect_url, self.url("/hello.txt"))
        with self.assertRaises(strata.RedirectError) as cm:
            self.rt.fetch(self.url("/redirect2"), follow_redirects=True, max_redirects=1)
        self.assertEqual(cm.exception.name, "STRATA_E_REDIRECT")
        with self.assertRaises(strata.RedirectError) as cm:
            self.rt.fetch(self.url("/loop"), follow_redirects=True)
        e = cm.exception
        self.assertEqual(e.code, -64)
        self.assertEqual(e.layer, "redirect")
        self.assertIn("loop", e.message)
        self.assertEqual([(h["hop"], h["status"]) for h in e.hops], [(1, 302)])

    def test_connection_refused(self):
        port = nginx_launcher.free_port()
        with self.assertRaises(strata.ConnectError) as cm:
            self.rt.fetch("http://127.0.0.1:%d/x" % port)
        e = cm.exception
        self.assertIsInstance(e, strata.StrataError)
        self.assertIsInstance(e, OSError)
        self.assertEqual((e.code, e.name, e.layer, e.hop), (-41, "STRATA_E_CONNECT", "tcp", 1))
        self.assertEqual(e.url, "http://127.0.0.1:%d/x" % port)
        self.assertIn("refused", e.message)

    def test_timeout(self):
        with socket.socket() as silent:  # accepts (backlog) but never answers
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            url = "http://127.0.0.1:%d/" % silent.getsockname()[1]
            with self.assertRaises(strata.TimeoutError) as cm:
                self.rt.fetch(url, timeout=0.3)
            self.assertIsInstance(cm.exception, TimeoutError)  # the builtin too
            self.assertEqual(cm.exception.name, "STRATA_E_TIMEOUT")

    def test_bad_config_and_arguments(self):
        with self.assertRaises(strata.ConfigError) as cm:
            strata.Runtime({"timeouts": {"connect_ms": "soon"}})
        self.assertIn("/timeouts/connect_ms", cm.exception.message)
        self.assertEqual(cm.exception.layer, "config")
        with self.assertRaises(strata.ConfigError):
            strata.Runtime("{not json")
        with self.assertRaises(strata.PluginError) as cm:
            strata.Runtime({"plugins": ["tcp", "h1", "no-such-plugin"]})
        self.assertEqual(cm.exception.name, "STRATA_E_PLUGIN_LOAD")
        cfg = os.path.join(self.nginx.dir, "cfg.json")
        with open(cfg, "w") as f:
            json.dump({"plugins": ["tcp", "h1"], "pipelines": {"https": None}}, f)
        with strata.Runtime(config_file=cfg) as rt:
            self.assertEqual(rt.fetch(self.url("/hello.txt")).status, 200)
            with self.assertRaises(strata.StrataError):
                rt.fetch(self.nginx.url("/").replace("http:", "https:"))
        with self.assertRaises(strata.ConfigError):
            strata.Runtime(config_file=os.path.join(self.nginx.dir, "absent.json"))
        with self.assertRaises(strata.UsageError):
            self.rt.fetch(self.url("/"), headers={"X-Bad": "a\r\nInjected: 1"})
        with self.assertRaises(strata.UsageError):
            self.rt.fetch(self.url("/"), resolve="nonsense")
        with self.assertRaises(strata.URLError):
            self.rt.fetch("ftp:/nope")
        with self.assertRaises(strata.HTTPStatusError):
            self.rt.fetch(self.url("/teapot"), fail_on_http_error=True)

    def test_connect_to_and_interface(self):
        port = self.nginx.url("/").split(":")[2].split("/")[0]
        r = self.rt.fetch("http://elsewhere.test/hello.txt", interface="127.0.0.1",
                          connect_to="elsewhere.test:80:127.0.0.1:%s" % port)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"hello from nginx\n")
        with self.assertRaises(strata.ConnectError) as cm:
            self.rt.fetch(self.url("/hello.txt"), interface="if!strata-bogus0")
        self.assertEqual(cm.exception.name, "STRATA_E_LOCAL_BIND")
        self.assertIn("Couldn't bind to interface 'strata-bogus0'", str(cm.exception))
        with self.assertRaises(strata.UsageError):
            self.rt.fetch(self.url("/"), connect_to="::127.0.0.1:abc")

    def test_callback_exceptions_are_reraised(self):
        class Boom(Exception):
            pass

        def body():
            yield b"first part"
            raise Boom("reader failed")

        with self.assertRaises(Boom) as cm:
            self.rt.fetch(self.url("/up/boom.bin"), "PUT", body=body())
        self.assertIsInstance(cm.exception.__cause__, strata.BodyError)

        def on_event(ev):
            raise Boom("event handler failed")

        self.rt.on_event(on_event, types=("hop",))
        with self.assertRaises(Boom):
            self.rt.fetch(self.url("/hello.txt"))
        self.rt.on_event(None)
        self.assertEqual(self.rt.fetch(self.url("/hello.txt")).status, 200)

    def test_trace_events(self):
        seen = []
        self.rt.on_event(seen.append, types=("trace", "hop", "data_out"))
        self.rt.fetch(self.url("/hello.txt"))
        types = {e["type"] for e in seen}
        self.assertIn("hop", types)
        self.assertIn("data_out", types)
        out = [e for e in seen if e["type"] == "data_out"][0]
        self.assertTrue(out["message"].startswith("GET /hello.txt HTTP/1.1"))

    def test_closed_runtime(self):
        rt = strata.Runtime()
        with rt:
            pass
        self.assertTrue(rt.closed)
        rt.close()  # twice is fine
        with self.assertRaises(strata.UsageError):
            rt.fetch(self.url("/"))


if __name__ == "__main__":
    unittest.main()
