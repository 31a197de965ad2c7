"""Through squid: a CONNECT tunnel to an https nginx with a redirect
(tcp → connect-tunnel → tls → h1 per hop), and plain http forwarded in
absolute form. squid drops privileges: tagged no-sandbox."""

import time
import unittest

import support
from support import nginx_launcher, strata


class ProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.pki = nginx_launcher.Pki()
        cls.ca = cls.pki.make_ca()
        cls.https = nginx_launcher.Nginx(tls=cls.pki.make_leaf("server"), locations=nginx_launcher.TEST_LOCATIONS)
        cls.http = nginx_launcher.Nginx(locations=nginx_launcher.TEST_LOCATIONS)
        cls.squid = nginx_launcher.Squid()
        for server in (cls.https, cls.http):
            nginx_launcher.write_test_files(server)
            cls.enterClassContext(server)
        cls.enterClassContext(cls.squid)


    def test_connect_tunnel_with_redirect(self):
        with strata.Runtime() as rt:
            r = rt.fetch(self.https.url("/redirect", host="localhost"), proxy=self.squid.url(), no_proxy="",
                         follow_redirects=True, tls={"ca_file": self.ca})
        self.assertEqual((r.status, r.body), (200, b"hello from nginx\n"))
        self.assertEqual(r.http_connect, 200)
        self.assertEqual([h["status"] for h in r.hops], [302, 200])
        self.assertIn("connect-tunnel", r.hops[0]["chain"])
        self.assertIn("tls", r.hops[0]["chain"])
        self.assertIn("127.0.0.1:%d" % self.squid.port, r.hops[0]["chain"])
        self.assertTrue(r.hops[1]["reused"], "the redirect stays in the tunnel")
        # squid logs a tunnel when it closes (the runtime closed it above).
        if self.squid.has_log:
            deadline = time.monotonic() + 10
            while "CONNECT localhost:%d" % self.https.port not in self.squid.access_log():
                self.assertLess(time.monotonic(), deadline, self.squid.access_log())
                time.sleep(0.05)

    def test_chain_through_squid_twice(self):
        # preproxy: squid is asked (CONNECT) for itself, then for the origin.
        with strata.Runtime() as rt:
            r = rt.fetch(self.https.url("/hello.txt", host="localhost"), preproxy=[self.squid.url()],
                         proxy=self.squid.url(), no_proxy="", tls={"ca_file": self.ca})
        self.assertEqual((r.status, r.body), (200, b"hello from nginx\n"))
        self.assertEqual(r.http_connect, 200)
        self.assertEqual(r.hops[0]["chain"].count("connect-tunnel"), 2, r.hops[0]["chain"])

    def test_forwarded_http(self):
        with strata.Runtime() as rt:
            r = rt.fetch(self.http.url("/redirect"), proxy=self.squid.url(), no_proxy="", follow_redirects=True)
            self.assertEqual((r.status, r.body, r.http_connect), (200, b"hello from nginx\n", 0))
            self.assertEqual(len(r.hops), 2)
            for hop in r.hops:
                self.assertIn("tcp(127.0.0.1:%d)" % self.squid.port, hop["chain"])
            if self.squid.has_log:
                log = self.squid.access_log()
                self.assertIn("GET %s" % self.http.url("/redirect"), log)
                self.assertIn("GET %s" % self.http.url("/hello.txt"), log)
            # no_proxy bypasses it.
            r = rt.fetch(self.http.url("/hello.txt"), proxy=self.squid.url(), no_proxy="127.0.0.1")
            self.assertNotIn("tcp(127.0.0.1:%d)" % self.squid.port, r.chain)

    def test_proxy_refused(self):
        port = nginx_launcher.free_port()
        with strata.Runtime() as rt:
            with self.assertRaises(strata.StrataError) as cm:
                rt.fetch(self.https.url("/hello.txt", host="localhost"), proxy="http://127.0.0.1:%d" % port,
                         tls={"ca_file": self.ca})
        self.assertIn(cm.exception.name, ("STRATA_E_CONNECT", "STRATA_E_PROXY"))

    def test_proxy_denies_tunnel(self):
        # squid answers a CONNECT to an unresolvable name with an error status.
        with strata.Runtime() as rt:
            with self.assertRaises(strata.ProxyError) as cm:
                rt.fetch("https://no-such-host.invalid/", proxy=self.squid.url(), tls={"ca_file": self.ca},
                         timeout=20)
        self.assertEqual(cm.exception.code, -47)


if __name__ == "__main__":
    unittest.main()
