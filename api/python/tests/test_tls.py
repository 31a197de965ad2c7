"""https through tcp → tls → h1 against nginx with a CA made at test time:
verification with tls={"ca_file": ...}, a verify failure, redirects over
TLS, and (when strata-h2-alpn.so is in //tools:dist) HTTP/2 by ALPN."""

import os
import unittest

import support
from support import nginx_launcher, strata


class TlsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = nginx_launcher.Pki()
        cls.ca = cls.pki.make_ca()
        cls.nginx = nginx_launcher.Nginx(tls=cls.pki.make_leaf("server"), locations=nginx_launcher.TEST_LOCATIONS)
        nginx_launcher.write_test_files(cls.nginx)
        cls.enterClassContext(cls.nginx)


    def setUp(self):
        self.rt = strata.Runtime()
        self.tls = {"ca_file": self.ca}

    def tearDown(self):
        self.rt.close()

    def test_verified_fetch_by_name_and_ip(self):
        for host in ("localhost", "127.0.0.1"):
            r = self.rt.fetch(self.nginx.url("/hello.txt", host=host), tls=self.tls)
            self.assertEqual((r.status, r.body, r.http_version), (200, b"hello from nginx\n", "1.1"))
            self.assertIn("tls", r.chain)
            self.assertIn("tls", r.hops[0]["chain"])
        # The layer_options spelling reaches the same option.
        r = self.rt.fetch(self.nginx.url("/hello.txt", host="localhost"), layer_options={"tls": self.tls})
        self.assertEqual(r.status, 200)

    def test_redirect_over_tls(self):
        r = self.rt.fetch(self.nginx.url("/redirect", host="localhost"), tls=self.tls, follow_redirects=True)
        self.assertEqual(r.status, 200)
        self.assertEqual([h["status"] for h in r.hops], [302, 200])
        self.assertTrue(r.hops[1]["reused"], "second hop on the same TLS connection")
        self.assertEqual(r.url, self.nginx.url("/hello.txt", host="localhost"))

    def test_alt_svc_cache_in_curls_file_format(self):
        path = os.path.join(os.environ.get("TEST_TMPDIR", "/tmp"), "alt-svc-%d.txt" % os.getpid())
        self.rt.fetch(self.nginx.url("/alt-svc", host="localhost"), tls=self.tls)
        self.rt.save_alt_svc(path)  # off: nothing recorded
        with open(path) as f:
            self.assertNotIn("h3", f.read())
        self.rt.enable_alt_svc()
        r = self.rt.fetch(self.nginx.url("/alt-svc", host="localhost"), tls=self.tls)
        self.assertEqual(r.body, b"alt\n")
        self.rt.save_alt_svc(path)
        with open(path) as f:
            text = f.read()
        self.assertTrue(text.startswith("# Your alt-svc cache."), text)
        self.assertIn("h1 localhost %d h3 localhost 4433 " % self.nginx.port, text)
        other = strata.Runtime()
        self.assertEqual(other.load_alt_svc(path), 1)
        self.assertEqual(other.load_alt_svc(path + ".missing"), 0)
        with self.assertRaises(strata.StrataError):
            other.save_alt_svc("/nonexistent-dir/alt-svc.txt")
        os.unlink(path)

    def test_verify_failure(self):
        # The system trust store does not know the test CA.
        with self.assertRaises(strata.TLSVerifyError) as cm:
            self.rt.fetch(self.nginx.url("/hello.txt", host="localhost"))
        e = cm.exception
        self.assertIsInstance(e, strata.TLSError)
        self.assertEqual((e.code, e.name, e.layer, e.hop), (-46, "STRATA_E_TLS_VERIFY", "tls", 1))
        self.assertIn("verify", e.message)
        # A certificate for other names.
        other = self.pki.make_leaf("other", san="DNS:other.test")
        with nginx_launcher.Nginx(tls=other) as bad:
            with self.assertRaises(strata.TLSVerifyError) as cm:
                self.rt.fetch(bad.url("/", host="localhost"), tls=self.tls)
            self.assertIn("mismatch", cm.exception.message)
        # Plain http on a TLS port: nginx answers in plain HTTP.
        r = self.rt.fetch(self.nginx.url("/").replace("https:", "http:"), timeout=5)
        self.assertEqual(r.status, 400)
        self.assertIn(b"plain HTTP request was sent to HTTPS port", r.body)
        with self.assertRaises(strata.TLSError):
            self.rt.fetch(self.nginx.url("/", host="localhost"), tls={"ca_file": "/nonexistent/ca.pem"})

    def test_session_verify_and_cert(self):
        url = self.nginx.url("/hello.txt", host="localhost")
        with strata.Session() as s:
            with self.assertRaises(strata.TLSVerifyError):
                s.get(url)  # the system trust store does not know the test CA
            s.verify = self.ca
            self.assertEqual(s.get(url).text, "hello from nginx\n")
            self.assertEqual(s.get(url, verify=False).status_code, 200)
        with strata.Session() as s:
            s.verify = False
            self.assertEqual(s.get(url).status_code, 200)
        # A client certificate: nginx reports the subject it received.
        client = self.pki.make_leaf("client", common_name="py-client", san="DNS:client.test")
        who = ('    ssl_verify_client optional_no_ca;\n'
               '    location = /who { return 200 "[$ssl_client_s_dn]\\n"; }\n')
        with nginx_launcher.Nginx(tls=(self.pki.cert("server"), self.pki.key("server")), locations=who) as n:
            with strata.Session() as s:
                s.verify = self.ca
                self.assertEqual(s.get(n.url("/who", host="localhost")).text, "[]\n")
                s.cert = client
                self.assertEqual(s.get(n.url("/who", host="localhost")).text, "[CN=py-client]\n")

    @unittest.skipUnless(support.has_plugin("h2-alpn"), "strata-h2-alpn.so is not in //tools:dist yet")
    def test_http2_by_alpn(self):
        with nginx_launcher.Nginx(tls=(self.pki.cert("server"), self.pki.key("server")), http2=True) as h2:
            h2.write("hello.txt", b"hello over h2\n")
            with strata.Runtime() as rt:
                transfers = [rt.submit(h2.url("/hello.txt", host="localhost"), pipeline="https+h2", tls=self.tls)
                             for _ in range(8)]
                responses = [t.result(timeout=30) for t in transfers]
                self.assertEqual({(r.status, r.http_version, r.body) for r in responses},
                                 {(200, "2", b"hello over h2\n")})
                self.assertEqual(sum(r.num_connects for r in responses), 1, "one multiplexed connection")
                self.assertIn("h2", responses[0].chain)
                r = rt.fetch(h2.url("/hello.txt", host="localhost"), http_version="2", tls=self.tls)
                self.assertEqual(r.http_version, "2")
                with rt.fetch(h2.url("/hello.txt", host="localhost"), http_version="2", tls=self.tls,
                              stream=True) as s:
                    self.assertEqual((s.status, s.http_version), (200, "2"))
                    self.assertEqual(s.body, b"hello over h2\n")
                # ALPN falls back to HTTP/1.1 where the server has no h2.
                r = rt.fetch(self.nginx.url("/hello.txt", host="localhost"), http_version="2", tls=self.tls)
                self.assertEqual((r.status, r.http_version), (200, "1.1"))


if __name__ == "__main__":
    unittest.main()
