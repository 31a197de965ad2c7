"""The requests-shaped surface (strata.get/post/..., strata.Session), modelled
on requests' own tests: params, data, json, files, auth, cookies across a
Session, redirects with history, timeouts, streaming, raise_for_status —
against the echo peer (tests/echo_peer.py, a child process) and nginx."""

import io
import json
import time
import unittest

import support
from support import nginx_launcher, strata
from echo_peer import EchoPeer


class RequestsApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.echo = cls.enterClassContext(EchoPeer())
        cls.nginx = nginx_launcher.Nginx(locations=nginx_launcher.TEST_LOCATIONS)
        nginx_launcher.write_test_files(cls.nginx)
        cls.enterClassContext(cls.nginx)

    def setUp(self):
        self.s = strata.Session()

    def tearDown(self):
        self.s.close()

    def e(self, path):
        return self.echo.url(path)

    # -- the module functions and the response ------------------------------

    def test_get_module_function(self):
        r = strata.get(self.e("/anything"))
        self.assertEqual(r.status_code, 200)
        self.assertTrue(r.ok)
        self.assertEqual(r.reason, "OK")
        self.assertEqual(r.json()["method"], "GET")
        self.assertEqual(r.headers["content-type"], "application/json")
        self.assertEqual(r.headers["Content-Type"], r.headers["CONTENT-TYPE"])
        self.assertEqual(r.history, [])
        self.assertEqual([h["status"] for h in r.hops], [200], "strata's extras stay")
        self.assertIn("total", r.timings)

    def test_every_method_helper(self):
        for fn, method in ((strata.get, "GET"), (strata.post, "POST"), (strata.put, "PUT"),
                           (strata.patch, "PATCH"), (strata.delete, "DELETE"), (strata.options, "OPTIONS")):
            self.assertEqual(fn(self.e("/anything")).json()["method"], method)
        r = strata.head(self.e("/anything"))
        self.assertEqual((r.status_code, r.content), (200, b""))
        self.assertEqual(strata.request("PATCH", self.e("/anything")).json()["method"], "PATCH")

    def test_nginx_text_and_reason(self):
        r = self.s.get(self.nginx.url("/hello.txt"))
        self.assertEqual((r.status_code, r.reason, r.text), (200, "OK", "hello from nginx\n"))
        r = self.s.get(self.nginx.url("/teapot"))
        self.assertEqual(r.status_code, 418)
        self.assertFalse(r.ok)

    def test_text_charset_rules(self):
        # text/plain with no charset is ISO-8859-1, as in requests.
        r = self.s.get(self.e("/encoding/latin1"))
        self.assertEqual(r.encoding, "ISO-8859-1")
        self.assertEqual(r.text, "café\n")
        r.encoding = "utf-8"
        self.assertEqual(r.text, "caf\ufffd\n")
        self.assertEqual(self.s.get(self.e("/anything")).encoding, "utf-8")  # JSON

    # -- params, data, json, files -----------------------------------------

    def test_params(self):
        r = self.s.get(self.e("/anything"), params={"a": "1", "b": ["x", "y"], "none": None, "sp": "a b&c"})
        self.assertEqual(r.json()["args"], {"a": "1", "b": ["x", "y"], "sp": "a b&c"})
        r = self.s.get(self.e("/anything?z=0"), params=[("a", 1)])
        self.assertEqual(r.json()["url"], "/anything?z=0&a=1")
        self.s.params = {"session": "yes"}
        self.assertEqual(self.s.get(self.e("/anything"), params={"a": "1"}).json()["args"],
                         {"session": "yes", "a": "1"})

    def test_data_dict_is_a_form(self):
        r = self.s.post(self.e("/anything"), data={"name": "strata", "list": ["1", "2"]})
        body = r.json()
        self.assertEqual(body["headers"]["Content-Type"], "application/x-www-form-urlencoded")
        self.assertEqual(body["form"], {"name": "strata", "list": ["1", "2"]})
        self.assertEqual(self.s.post(self.e("/anything"), data=[("k", "v"), ("k", "w")]).json()["form"],
                         {"k": ["v", "w"]})

    def test_data_bytes_str_file_iterator(self):
        self.assertEqual(self.s.post(self.e("/anything"), data=b"raw").json()["data"], "raw")
        self.assertEqual(self.s.put(self.e("/anything"), data="text é").json()["data"], "text é")
        self.assertEqual(self.s.post(self.e("/anything"), data=io.BytesIO(b"from a file")).json()["data"],
                         "from a file")
        r = self.s.post(self.e("/anything"), data=(piece for piece in (b"it", b"er")))
        self.assertEqual(r.json()["data"], "iter")
        self.assertEqual(r.json()["headers"]["Transfer-Encoding"], "chunked")

    def test_json(self):
        r = self.s.post(self.e("/anything"), json={"a": [1, 2, {"b": None}]})
        self.assertEqual(r.json()["json"], {"a": [1, 2, {"b": None}]})
        self.assertEqual(r.json()["headers"]["Content-Type"], "application/json")
        # A Content-Type of the caller's wins.
        r = self.s.post(self.e("/anything"), json=[1], headers={"content-type": "application/vnd.x+json"})
        sent = {k.lower(): v for k, v in r.json()["headers"].items()}
        self.assertEqual(sent["content-type"], "application/vnd.x+json")

    def test_files_multipart(self):
        r = self.s.post(self.e("/anything"), data={"field": "value"},
                        files={"a": ("a.txt", b"alpha\n"), "b": ("b.csv", io.BytesIO(b"1,2\n"), "text/csv"),
                               "c": io.BytesIO(b"no name")})
        body = r.json()
        self.assertTrue(body["headers"]["Content-Type"].startswith("multipart/form-data; boundary="))
        self.assertEqual(body["form"], {"field": "value"})
        self.assertEqual(body["files"]["a"], {"filename": "a.txt", "content_type": "text/plain",
                                              "content": "alpha\n"})
        self.assertEqual(body["files"]["b"]["content_type"], "text/csv")
        self.assertEqual(body["files"]["b"]["content"], "1,2\n")
        self.assertEqual(body["files"]["c"]["content"], "no name")

    # -- mistakes -------------------------------------------------------------

    def test_unknown_keyword_is_a_type_error(self):
        with self.assertRaises(TypeError):
            self.s.get(self.e("/anything"), follow_redirect=True)
        with self.assertRaises(TypeError):
            strata.get(self.e("/anything"), verfiy=False)
        with self.assertRaises(TypeError):
            self.s.get(self.e("/anything"), allow_redirects=True, follow_redirects=True)

    def test_dict_body_is_an_error(self):
        with self.assertRaises(TypeError):
            self.s.post(self.e("/anything"), body={"a": 1})
        with strata.Runtime() as rt, self.assertRaises(TypeError):
            rt.fetch(self.e("/anything"), "POST", body={"a": 1})

    # -- auth, headers, cookies ------------------------------------------------

    def test_basic_auth(self):
        self.assertEqual(self.s.get(self.e("/basic-auth/user/pw")).status_code, 401)
        r = self.s.get(self.e("/basic-auth/user/pw"), auth=("user", "pw"))
        self.assertEqual(r.json(), {"authenticated": True, "user": "user"})
        self.s.auth = ("user", "pw")
        self.assertEqual(self.s.get(self.e("/basic-auth/user/pw")).status_code, 200)
        self.assertEqual(self.s.get(self.e("/basic-auth/user/pw"), auth=("user", "bad")).status_code, 401)

    def test_session_headers(self):
        self.s.headers.update({"X-Session": "1", "User-Agent": "mine/1"})
        h = self.s.get(self.e("/anything"), headers={"x-request": "2"}).json()["headers"]
        self.assertEqual((h["X-Session"], h["x-request"], h["User-Agent"]), ("1", "2", "mine/1"))
        h = self.s.get(self.e("/anything"), headers={"X-Session": None}).json()["headers"]
        self.assertNotIn("X-Session", h)

    def test_cookies_across_a_session(self):
        r = self.s.get(self.e("/cookies/set?flavour=oat&n=1"))
        self.assertEqual(r.json(), {"cookies": {"flavour": "oat", "n": "1"}})
        self.assertEqual([h.status_code for h in r.history], [302])
        self.assertEqual(self.s.cookies["flavour"], "oat")
        self.assertEqual(self.s.cookies.get_dict(), {"flavour": "oat", "n": "1"})
        # A later request of the session sends them; a request's own add to them.
        self.assertEqual(self.s.get(self.e("/cookies"), cookies={"extra": "x"}).json()["cookies"],
                         {"flavour": "oat", "n": "1", "extra": "x"})
        self.s.cookies.set("manual", "m", domain="127.0.0.1")
        self.assertEqual(self.s.get(self.e("/cookies")).json()["cookies"]["manual"], "m")
        self.s.cookies.clear()
        self.assertEqual(self.s.get(self.e("/cookies")).json(), {"cookies": {}})
        # Another session has a store of its own.
        with strata.Session() as other:
            other.get(self.e("/cookies/set?only=here"))
        self.assertNotIn("only", self.s.cookies)

    # -- redirects -------------------------------------------------------------

    def test_redirects_and_history(self):
        r = self.s.get(self.e("/redirect/3"))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.url, self.e("/anything"))
        self.assertEqual([h.status_code for h in r.history], [302, 302, 302])
        self.assertEqual([h.url for h in r.history], [self.e("/redirect/3"), self.e("/redirect/2"),
                                                      self.e("/redirect/1")])
        self.assertEqual(len(r.hops), 4)

    def test_allow_redirects_false(self):
        r = self.s.get(self.e("/redirect/1"), allow_redirects=False)
        self.assertEqual(r.status_code, 302)
        self.assertTrue(r.is_redirect)
        self.assertEqual(r.headers["location"], "/anything")
        self.assertEqual(r.history, [])

    def test_nginx_redirect(self):
        r = self.s.get(self.nginx.url("/redirect2"))
        self.assertEqual([h.status_code for h in r.history], [301, 302])
        self.assertEqual(r.text, "hello from nginx\n")

    # -- errors and timeouts ------------------------------------------------------

    def test_raise_for_status(self):
        r = self.s.get(self.e("/status/404"))
        self.assertEqual((r.status_code, r.reason), (404, "Not Found"))
        with self.assertRaises(strata.HTTPError) as cm:
            r.raise_for_status()
        self.assertIs(cm.exception.response, r)
        self.assertIn("404 Client Error: Not Found for url: " + self.e("/status/404"), str(cm.exception))
        with self.assertRaises(strata.HTTPError) as cm:
            self.s.get(self.e("/status/503")).raise_for_status()
        self.assertEqual(cm.exception.response.status_code, 503)
        self.assertIs(self.s.get(self.e("/status/204")).raise_for_status().status_code, 204)

    def test_timeout_number_and_pair(self):
        start = time.monotonic()
        with self.assertRaises(strata.Timeout) as cm:
            self.s.get(self.e("/delay/3"), timeout=0.3)
        self.assertIsInstance(cm.exception, TimeoutError)
        self.assertLess(time.monotonic() - start, 2.5)
        with self.assertRaises(strata.Timeout):
            self.s.get(self.e("/delay/3"), timeout=(2, 0.3))
        self.assertEqual(self.s.get(self.e("/delay/0.2"), timeout=(2, 2)).json(), {"delayed": 0.2})

    def test_connection_refused(self):
        with self.assertRaises(strata.ConnectionError):
            self.s.get("http://127.0.0.1:%d/" % support.nginx_launcher.free_port(), timeout=2)

    # -- streaming -------------------------------------------------------------

    def test_stream_iter_lines(self):
        r = self.s.get(self.e("/stream/5"), stream=True)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers["Transfer-Encoding"], "chunked")
        self.assertEqual([json.loads(line)["id"] for line in r.iter_lines()], [0, 1, 2, 3, 4])
        r.close()

    def test_stream_iter_content(self):
        with self.s.get(self.nginx.url("/gz/page.txt"), stream=True) as r:
            self.assertEqual(r.status_code, 200)
            self.assertEqual(b"".join(r.iter_content(1000)), nginx_launcher.GZ_PAGE)

    def test_iter_lines_unbuffered_response(self):
        r = self.s.get(self.e("/anything"), data=b"x")
        self.assertEqual(len(list(r.iter_lines())), 1)

    # -- proxies, verify, mounts ---------------------------------------------------

    def test_proxies_by_scheme(self):
        # The echo peer as a forward proxy of http://: it sees the absolute URL.
        r = self.s.get("http://example.invalid/anything?x=1", proxies={"http": self.e("")})
        self.assertEqual(r.json()["url"], "http://example.invalid/anything?x=1")
        # An https-only entry does not apply to http.
        r = self.s.get(self.e("/anything"), proxies={"https": "http://127.0.0.1:1"})
        self.assertEqual(r.status_code, 200)

    def test_mount_pipeline(self):
        config = {"pipelines": {"plain": ["tcp", "h1"]}}
        with strata.Session(config=config) as s:
            s.mount(self.e("/"), "plain")
            self.assertEqual(s.get(self.e("/anything")).status_code, 200)
            s.mount(self.e("/missing-pipeline"), "nope")
            with self.assertRaises(strata.StrataError):
                s.get(self.e("/missing-pipeline/x"))


if __name__ == "__main__":
    unittest.main()
