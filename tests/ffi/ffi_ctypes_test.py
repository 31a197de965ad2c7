"""libstrata.so from Python with ctypes only, as an FFI user would: declare
the few functions by hand, build a runtime from a JSON string, fetch from a
local nginx, read status and body, free everything."""

import ctypes
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nginx_launcher  # noqa: E402  (next to this file in the runfiles)

STRATA_OK = 0
STRATA_E_CONFIG = -20
STRATA_E_PLUGIN_LOAD = -21


class StrataError(ctypes.Structure):
    # Mirrors strata_error (pinned by tests/abi/layout_test.c: 2128 bytes).
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("code", ctypes.c_int32),
        ("hop", ctypes.c_int32),
        ("layer", ctypes.c_char * 64),
        ("message", ctypes.c_char * 1024),
        ("url", ctypes.c_char * 1024),
    ]


def runfile(relative):
    return os.path.join(os.environ.get("TEST_SRCDIR", "."), "strata", relative)


def load_library():
    lib = ctypes.CDLL(runfile("tools/libstrata.so"))
    p = ctypes.c_void_p
    lib.strata_version.restype = ctypes.c_char_p
    lib.strata_abi_version.restype = ctypes.c_uint32
    lib.strata_status_name.restype = ctypes.c_char_p
    lib.strata_status_name.argtypes = [ctypes.c_int32]
    lib.strata_runtime_new.restype = ctypes.c_int32
    lib.strata_runtime_new.argtypes = [ctypes.c_char_p, ctypes.POINTER(p), ctypes.POINTER(StrataError)]
    lib.strata_runtime_free.argtypes = [p]
    lib.strata_request_new.restype = ctypes.c_int32
    lib.strata_request_new.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.POINTER(p)]
    lib.strata_request_free.argtypes = [p]
    lib.strata_fetch.restype = ctypes.c_int32
    lib.strata_fetch.argtypes = [p, p, ctypes.POINTER(p), ctypes.POINTER(StrataError)]
    lib.strata_response_status.restype = ctypes.c_int32
    lib.strata_response_status.argtypes = [p]
    lib.strata_response_body.argtypes = [p, ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8)),
                                         ctypes.POINTER(ctypes.c_size_t)]
    lib.strata_response_header_get.restype = ctypes.c_char_p
    lib.strata_response_header_get.argtypes = [p, ctypes.c_char_p]
    lib.strata_response_free.argtypes = [p]
    return lib


def new_error():
    err = StrataError()
    err.struct_size = ctypes.sizeof(StrataError)
    return err


class FfiCtypesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = load_library()

    def make_runtime(self, config):
        rt = ctypes.c_void_p()
        err = new_error()
        status = self.lib.strata_runtime_new(json.dumps(config).encode(), ctypes.byref(rt),
                                             ctypes.byref(err))
        return status, rt, err

    def fetch(self, rt, method, url):
        req = ctypes.c_void_p()
        self.assertEqual(self.lib.strata_request_new(method.encode(), url.encode(), ctypes.byref(req)),
                         STRATA_OK)
        try:
            resp = ctypes.c_void_p()
            err = new_error()
            status = self.lib.strata_fetch(rt, req, ctypes.byref(resp), ctypes.byref(err))
            return status, resp, err
        finally:
            self.lib.strata_request_free(req)

    def body(self, resp):
        data = ctypes.POINTER(ctypes.c_uint8)()
        length = ctypes.c_size_t()
        self.lib.strata_response_body(resp, ctypes.byref(data), ctypes.byref(length))
        return ctypes.string_at(data, length.value) if length.value else b""

    def test_version_and_abi(self):
        self.assertRegex(self.lib.strata_version().decode(), r"^\d+\.\d+\.\d+")
        self.assertEqual(self.lib.strata_abi_version(), 1003)  # ABI 1.3
        self.assertEqual(self.lib.strata_status_name(STRATA_E_CONFIG), b"STRATA_E_CONFIG")
        self.assertEqual(ctypes.sizeof(StrataError), 2128)

    def test_fetch_from_nginx(self):
        body = bytes(range(256)) * 40 + b"\r\n\0end"
        with nginx_launcher.Nginx() as nginx:
            nginx.write("data.bin", body)
            nginx.write("two.txt", b"two\n")
            config = {
                "plugin_dirs": [runfile("tools")],
                "plugins": ["tcp", "h1"],
                "pipelines": {"http": ["tcp", "h1"]},
                "timeouts": {"connect_ms": 5000, "total_ms": 30000},
            }
            status, rt, err = self.make_runtime(config)
            self.assertEqual(status, STRATA_OK, err.message)
            try:
                status, resp, err = self.fetch(rt, "GET", nginx.url("/data.bin"))
                self.assertEqual(status, STRATA_OK, err.message)
                try:
                    self.assertEqual(self.lib.strata_response_status(resp), 200)
                    self.assertEqual(self.body(resp), body)
                    self.assertEqual(self.lib.strata_response_header_get(resp, b"content-length"),
                                     str(len(body)).encode())
                finally:
                    self.lib.strata_response_free(resp)

                status, resp, err = self.fetch(rt, "GET", nginx.url("/missing"))
                self.assertEqual(status, STRATA_OK, err.message)
                self.assertEqual(self.lib.strata_response_status(resp), 404)
                self.lib.strata_response_free(resp)
            finally:
                self.lib.strata_runtime_free(rt)
            # nginx writes a log line after it has sent the response: the
            # second one may land a moment after the fetch returned.
            deadline = time.monotonic() + 5
            log = nginx.access_log()
            while len(log) < 2 and time.monotonic() < deadline:
                time.sleep(0.02)
                log = nginx.access_log()
            self.assertEqual([entry[2] for entry in log],
                             ["GET /data.bin HTTP/1.1", "GET /missing HTTP/1.1"])
            self.assertEqual(log[0][0], log[1][0], "both fetches on one connection")

    def test_plugins_found_next_to_the_library(self):
        # No plugin_dirs: the runtime looks next to libstrata.so.
        with nginx_launcher.Nginx() as nginx:
            nginx.write("a.txt", b"next to the library\n")
            status, rt, err = self.make_runtime({"plugins": ["tcp", "h1"]})
            self.assertEqual(status, STRATA_OK, err.message)
            try:
                status, resp, err = self.fetch(rt, "GET", nginx.url("/a.txt"))
                self.assertEqual(status, STRATA_OK, err.message)
                self.assertEqual(self.body(resp), b"next to the library\n")
                self.lib.strata_response_free(resp)
            finally:
                self.lib.strata_runtime_free(rt)

    def test_errors_reach_python(self):
        status, rt, err = self.make_runtime({"plugins": ["tcp", "h1", "no-such-plugin"]})
        self.assertEqual(status, STRATA_E_PLUGIN_LOAD)
        self.assertFalse(rt.value)
        self.assertEqual(err.code, STRATA_E_PLUGIN_LOAD)
        self.assertIn(b"no-such-plugin", err.message)


if __name__ == "__main__":
    unittest.main()
