"""Runtime, Response, Transfer: the Python face of strata/strata.h."""

from __future__ import annotations

import collections
import ctypes
import io
import json as _json
import os
import time
import urllib.parse
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Union

from . import _ffi
from . import errors

_REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_VERSIONS = {10: "1.0", 11: "1.1", 20: "2", 30: "3"}
_EVENT_TYPES = {"trace": _ffi.EVENT_TRACE, "hop": _ffi.EVENT_HOP, "connect": _ffi.EVENT_CONNECT,
                "data_in": _ffi.EVENT_DATA_IN, "data_out": _ffi.EVENT_DATA_OUT, "retry": _ffi.EVENT_RETRY}
_EVENT_NAMES = {v: k for k, v in _EVENT_TYPES.items()}
# The bindings always listen to hops, for Response.hops. (A response's
# reason and a streamed response's early head come from the C API:
# strata_response_reason, strata_transfer_peek_response.)
_INTERNAL_MASK = 1 << _ffi.EVENT_HOP


def _s(b):
    return b.decode("utf-8", "replace") if b is not None else ""


def _ms(seconds, what):
    if seconds is None:
        return None
    ms = int(round(float(seconds) * 1000))
    if ms < 0:
        raise errors.UsageError(_ffi.STRATA_E_INVALID_ARGUMENT, "%s must not be negative" % what)
    return ms


# ---------------------------------------------------------------------------
# Headers


class Headers:
    """Response headers in arrival order, looked up without regard to case.

    h["Content-Type"] → first value (KeyError if absent); h.get(name, default);
    h.get_all(name) → every value; h.items() → [(name, value), ...] as
    received; `name in h`; iterating gives the distinct names."""

    def __init__(self, pairs=()):
        self._pairs = list(pairs)

    def get(self, name: str, default: Any = None) -> Any:
        low = name.lower()
        for k, v in self._pairs:
            if k.lower() == low:
                return v
        return default

    def get_all(self, name: str) -> List[str]:
        low = name.lower()
        return [v for k, v in self._pairs if k.lower() == low]

    def __getitem__(self, name):
        v = self.get(name)
        if v is None:
            raise KeyError(name)
        return v

    def __contains__(self, name):
        return self.get(name) is not None

    def __iter__(self):
        seen = set()
        for k, _ in self._pairs:
            if k.lower() not in seen:
                seen.add(k.lower())
                yield k

    def keys(self):
        return list(self)

    def items(self):
        return list(self._pairs)

    def __len__(self):
        return len(self._pairs)

    def __eq__(self, other):
        if isinstance(other, Headers):
            return self._pairs == other._pairs
        if isinstance(other, dict):
            return {k.lower(): v for k, v in other.items()} == {k.lower(): self[k] for k in self}
        return NotImplemented

    def __repr__(self):
        return "Headers(%r)" % (self._pairs,)


def _read_headers(lib, ptr):
    """A strata_response's headers (NUL-terminated as well as sized)."""
    pairs = []
    name, value = ctypes.c_char_p(), ctypes.c_char_p()
    nref, vref = ctypes.byref(name), ctypes.byref(value)
    get = lib.strata_response_header
    for i in range(lib.strata_response_header_count(ptr)):
        if get(ptr, i, nref, None, vref, None) == 0:
            pairs.append((name.value.decode("utf-8", "replace"), value.value.decode("utf-8", "replace")))
    return Headers(pairs)


# ---------------------------------------------------------------------------
# Responses


class Response:
    """A finished response. Attributes: status, reason (when known),
    http_version ("1.0", "1.1", "2"), headers (Headers), body (bytes), text,
    json(), iter_content(), url (the final hop's), redirect_url (where a final
    3xx pointed), num_redirects, num_connects, hops (one dict per hop: hop,
    url, status, chain, reused, elapsed, message), chain (the final hop's
    layers), http_connect (a proxy's CONNECT reply status, 0 if none),
    size_download, size_upload, timings ({"total", "connect", "first_byte"}
    in seconds) and elapsed (total seconds)."""

    # Read from the C response on first use (most callers want the status
    # and body only): attribute → its default when there is no C response.
    _LAZY = {"redirect_url": "", "chain": "", "num_redirects": 0, "num_connects": 0, "http_connect": 0,
             "condition_unmet": False, "size_download": 0, "size_upload": 0, "timings": {}, "elapsed": 0.0}

    def __init__(self):
        self.status = 0
        self.reason = ""
        self.http_version = ""
        self.url = ""
        self.hops = []
        self.history = []      # requests' history: a Response per redirect followed
        self._encoding = None
        self._headers = None
        self._body = b""
        self._c = None         # the strata_response*, owned, freed with this object
        self._lib = None

    # Filled from a strata_response*, which this object then owns.
    @classmethod
    def _from_c(cls, lib, ptr, hops):
        r = cls()
        r._fill(lib, ptr, hops)
        return r

    def _read_head(self, lib, ptr):
        """Status, version, reason and headers of a strata_response (or a
        transfer's peeked view of one, which does not last: read at once)."""
        self.status = lib.strata_response_status(ptr)
        v = lib.strata_response_http_version(ptr)
        self.http_version = _VERSIONS.get(v) or "%d.%d" % (v // 10, v % 10)
        self.reason = _s(lib.strata_response_reason(ptr))
        self._headers = _read_headers(lib, ptr)

    def _fill(self, lib, ptr, hops):
        self._lib, self._c = lib, ptr
        self.status = lib.strata_response_status(ptr)
        v = lib.strata_response_http_version(ptr)
        self.http_version = _VERSIONS.get(v) or "%d.%d" % (v // 10, v % 10)
        self.reason = _s(lib.strata_response_reason(ptr))
        self.url = _s(lib.strata_response_effective_url(ptr))
        self._body = None      # read on first use
        self.hops = list(hops)

    def _load_info(self):
        """Sets every _LAZY attribute from the C response (defaults without one)."""
        d = self.__dict__
        ptr, lib = self._c, self._lib
        if ptr is None:
            for k, v in self._LAZY.items():
                d.setdefault(k, dict(v) if isinstance(v, dict) else v)
            return
        out = ctypes.c_int64()
        ref = ctypes.byref(out)
        get = lib.strata_response_info

        def info(i):
            return out.value if get(ptr, i, ref) == 0 else 0

        values = {"num_redirects": info(_ffi.INFO_NUM_REDIRECTS), "num_connects": info(_ffi.INFO_NUM_CONNECTS),
                  "http_connect": info(_ffi.INFO_HTTP_CONNECT),
                  "condition_unmet": info(_ffi.INFO_CONDITION_UNMET) == 1,
                  "size_download": info(_ffi.INFO_SIZE_DOWNLOAD), "size_upload": info(_ffi.INFO_SIZE_UPLOAD),
                  "timings": {"total": info(_ffi.INFO_TIME_TOTAL_US) / 1e6,
                              "connect": info(_ffi.INFO_TIME_CONNECT_US) / 1e6,
                              "first_byte": info(_ffi.INFO_TIME_FIRST_BYTE_US) / 1e6}}
        values["elapsed"] = values["timings"]["total"]
        sv = ctypes.c_char_p()
        for name, which in (("redirect_url", _ffi.INFO_STR_REDIRECT_URL), ("chain", _ffi.INFO_STR_CHAIN)):
            values[name] = _s(sv.value) if lib.strata_response_info_string(ptr, which, ctypes.byref(sv)) == 0 else ""
        for k, v in values.items():
            d.setdefault(k, v)

    def __getattr__(self, name):
        # Only reached for attributes not set yet.
        if name in Response._LAZY:
            self._load_info()
            return self.__dict__[name]
        raise AttributeError("%r object has no attribute %r" % (type(self).__name__, name))

    def _materialize(self):
        """Reads everything still in the C response, and frees it."""
        self._load_info()
        _ = self.headers
        if self._body is None:
            _ = Response.body.fget(self)
        self._release_c()

    def _release_c(self):
        ptr, self._c = self._c, None
        if ptr is not None and self._lib is not None:
            self._lib.strata_response_free(ptr)

    def __del__(self):
        try:
            self._release_c()
        except Exception:
            pass

    @property
    def headers(self):
        h = self._headers
        if h is None:
            h = self._headers = _read_headers(self._lib, self._c) if self._c is not None else Headers()
        return h

    @headers.setter
    def headers(self, value):
        self._headers = value

    @property
    def body(self):
        b = self._body
        if b is None:
            b = b""
            if self._c is not None:
                data, length = _ffi.u8p(), ctypes.c_size_t()
                self._lib.strata_response_body(self._c, ctypes.byref(data), ctypes.byref(length))
                if length.value:
                    b = ctypes.string_at(data, length.value)
            self._body = b
        return b

    content = body

    @property
    def status_code(self) -> int:
        """requests' name for status."""
        return self.status

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 400

    @property
    def is_redirect(self):
        return "location" in self.headers and self.status in _REDIRECT_STATUSES

    @property
    def encoding(self):
        """The body's charset, by requests' rules: the Content-Type's charset;
        else ISO-8859-1 for text/*, UTF-8 for JSON and everything else.
        Assignable, as in requests."""
        if self._encoding is not None:
            return self._encoding
        ctype = self.headers.get("content-type", "")
        mime, *params = ctype.split(";")
        for part in params:
            k, _, v = part.strip().partition("=")
            if k.lower() == "charset" and v:
                return v.strip().strip("'\"")
        if mime.strip().lower().startswith("text/"):
            return "ISO-8859-1"
        return "utf-8"

    @encoding.setter
    def encoding(self, value):
        self._encoding = value

    @property
    def text(self) -> str:
        try:
            return self.body.decode(self.encoding, "replace")
        except LookupError:
            return self.body.decode("utf-8", "replace")

    def json(self, **kwargs: Any) -> Any:
        return _json.loads(self.body, **kwargs)

    def iter_lines(self, chunk_size=65536, decode_unicode=False, delimiter=None):
        """The body line by line, as requests: split on \\n, \\r\\n or \\r
        (or |delimiter|), without the line ends; str with decode_unicode."""
        pending = None
        for chunk in self.iter_content(chunk_size):
            if decode_unicode:
                chunk = chunk.decode(self.encoding or "utf-8", "replace")
            if pending is not None:
                chunk = pending + chunk
            lines = chunk.split(delimiter) if delimiter else chunk.splitlines()
            if lines and lines[-1] and chunk and lines[-1][-1:] == chunk[-1:]:
                pending = lines.pop()
            else:
                pending = None
            for line in lines:
                yield line
        if pending is not None:
            yield pending

    def iter_content(self, chunk_size=65536):
        body = self.body
        step = chunk_size or len(body) or 1
        for i in range(0, len(body), step):
            yield body[i:i + step]

    def raise_for_status(self) -> "Response":
        """Raises HTTPStatusError (strata.HTTPError), whose .response is this
        response, for a 4xx or 5xx; returns self otherwise."""
        if 400 <= self.status < 600:
            kind = "Client" if self.status < 500 else "Server"
            e = errors.HTTPStatusError(_ffi.STRATA_E_HTTP_STATUS, "%d %s Error: %s for url: %s" % (
                self.status, kind, self.reason, self.url), "runtime", len(self.hops), self.url, self.hops)
            e.response = self
            raise e
        return self

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return "<strata.Response [%d] HTTP/%s %s>" % (self.status, self.http_version, self.url)


def _rechunk(chunks, pending, chunk_size):
    """Yields the pieces queued in |chunks| (a deque, emptied), as they came
    when |chunk_size| is falsy, else in pieces of exactly |chunk_size| bytes,
    keeping the remainder in |pending| (a bytearray) for the next call."""
    while chunks:
        piece = chunks.popleft()
        if not chunk_size:
            yield piece
            continue
        pending += piece
        while len(pending) >= chunk_size:
            yield bytes(pending[:chunk_size])
            del pending[:chunk_size]


class StreamingResponse(Response):
    """Returned by fetch(..., stream=True). status, http_version and headers
    are known when fetch returns (the final response head has arrived); the
    body arrives through iter_content() while the runtime runs. The other
    attributes (num_connects, timings, ...) are filled when the transfer
    ends. close() (or leaving a `with` block) cancels an unfinished
    transfer."""

    def __init__(self, transfer):
        super().__init__()
        self._transfer = transfer
        self._consumed = False
        self._collected = None

    def _apply_head(self, final):
        self.status, self.http_version, self.reason, self.headers = (
            final.status, final.http_version, final.reason, final.headers)
        self.url = final.url

    def iter_content(self, chunk_size=65536):
        if self._consumed:
            raise errors.UsageError(_ffi.STRATA_E_STATE, "the body of a streamed response can be read once")
        self._consumed = True
        t = self._transfer
        rt = t._runtime
        pending = bytearray()
        while True:
            yield from _rechunk(t._chunks, pending, chunk_size)
            if t.done:
                break
            rt.run(None)
        if pending:
            yield bytes(pending)
        t.result()  # raises if the transfer failed part-way
        self._finish()

    def _finish(self):
        if self._transfer._response is not None and not self._collected:
            final = self._transfer._response
            final._materialize()
            self._headers = final.headers
            body = self._body
            self.__dict__.update({k: v for k, v in final.__dict__.items() if not k.startswith("_")})
            self._body = body
            self._collected = True

    @property
    def body(self):
        if not self._consumed:
            self._body = b"".join(self.iter_content(None))
        return self._body

    content = body

    def close(self):
        if not self._transfer.done:
            self._transfer.cancel()
        self._transfer.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


# ---------------------------------------------------------------------------
# Requests


class _BodyReader:
    """strata_read_fn over a file-like object or an iterable of bytes/str."""

    def __init__(self, source):
        self.exc = None
        self.length = -1
        self._eof = False
        self._pending = b""
        if hasattr(source, "read"):
            self._file = source
            self._iter = None
            try:
                st = os.fstat(source.fileno())
                import stat as _stat
                if _stat.S_ISREG(st.st_mode) and not isinstance(source, io.TextIOBase):
                    self.length = max(0, st.st_size - source.tell())
            except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
                pass
        else:
            self._file = None
            self._iter = iter(source)
        self.cfunc = _ffi.READ_FN(self._read)

    def _next(self, cap):
        if self._file is not None:
            data = self._file.read(cap)
            if isinstance(data, str):
                data = data.encode("utf-8")
            if not data:
                self._eof = True
            return data
        while not self._pending:
            try:
                piece = next(self._iter)
            except StopIteration:
                self._eof = True
                return b""
            self._pending = piece.encode("utf-8") if isinstance(piece, str) else bytes(piece)
        data, self._pending = self._pending[:cap], self._pending[cap:]
        return data

    def _read(self, user, buf, cap, out_read, out_eos):
        try:
            data = b"" if self._eof else self._next(cap)
            if data:
                ctypes.memmove(buf, data, len(data))
            out_read[0] = len(data)
            out_eos[0] = 1 if self._eof else 0
            return _ffi.STRATA_OK
        except BaseException as e:  # never across the C boundary
            self.exc = e
            return _ffi.STRATA_E_BODY


class _BodyWriter:
    """strata_write_fn handing each piece to |sink|."""

    def __init__(self, sink):
        self.exc = None
        self._sink = sink
        self.cfunc = _ffi.WRITE_FN(self._write)

    def _write(self, user, data, length):
        try:
            self._sink(ctypes.string_at(data, length))
            return _ffi.STRATA_OK
        except BaseException as e:
            self.exc = e
            return _ffi.STRATA_E_BODY


class _Request:
    """A strata_request and everything it borrows (callbacks, their
    sources), alive until the call or transfer using it is over."""

    def __init__(self, lib, url, method="GET", headers=None, body=None, follow_redirects=None, max_redirects=None,
                 proxy=None, proxy_credentials=None, no_proxy=None, proxy_tunnel=None, timeout=None,
                 connect_timeout=None, first_byte_timeout=None, idle_timeout=None, tls=None, proxy_tls=None,
                 layer_options=None, pipeline=None, resolve=None, fail_on_http_error=None, max_body_bytes=None,
                 unsafe_redirect=None, location_trusted=None, post301=None, post302=None, post303=None,
                 http_version=None, range=None, resume_from=None, accept_encoding=None, max_decoded_bytes=None,
                 max_decode_ratio=None, retry=None, retry_delay=None, retry_max_time=None, retry_on=None,
                 retry_non_idempotent=None, cookie=None, if_modified_since=None, if_unmodified_since=None,
                 connect_to=None, interface=None, local_port=None, local_port_range=None, unix_socket=None,
                 abstract_unix_socket=None, proxy_http2=None, preproxy=None, sink=None):
        self.lib = lib
        self.url = url
        self.shared = False  # kept by the runtime for reuse: not freed by its users
        self.reader = None
        self.writer = None
        self.ptr = ctypes.c_void_p()
        st = lib.strata_request_new(method.encode(), url.encode(), ctypes.byref(self.ptr))
        if st != 0:
            raise errors.from_code(st, "invalid request: method %r, URL %r" % (method, url), "runtime", 0, url)
        try:
            self._apply(headers, body, sink, locals())
        except BaseException:
            self.free()
            raise

    def _check(self, st, what):
        if st != 0:
            raise errors.from_code(st, "%s: %s" % (what, _ffi.status_name(st)), "runtime", 0, self.url)

    def _apply(self, headers, body, sink, kw):
        lib, p = self.lib, self.ptr
        if headers:
            items = headers.items() if hasattr(headers, "items") else headers
            for name, value in items:
                if value is None:
                    # As in requests: None removes the header, including
                    # the runtime's own default (User-Agent, Accept).
                    self._check(lib.strata_request_remove_header(p, str(name).encode()), "header %r" % name)
                    continue
                if isinstance(value, (list, tuple)):
                    values = value
                else:
                    values = [value]
                for v in values:
                    self._check(lib.strata_request_add_header(p, str(name).encode(), str(v).encode()),
                                "header %r" % name)
        if body is not None:
            if isinstance(body, (dict, list, tuple, set)) or hasattr(body, "keys"):
                # Iterating a dict would send its keys: a form is data=, JSON json=.
                raise TypeError("body= takes bytes, str, a binary file or an iterable of bytes, not %s "
                                "(strata.request(..., data=dict) sends a form, json= sends JSON)"
                                % type(body).__name__)
            if isinstance(body, str):
                body = body.encode("utf-8")
            if isinstance(body, (bytes, bytearray, memoryview)):
                data = bytes(body)
                self._check(lib.strata_request_set_body(p, data, len(data)), "body")
            else:
                self.reader = _BodyReader(body)
                self._check(lib.strata_request_set_body_reader(p, self.reader.length, self.reader.cfunc, None),
                            "body reader")
        if sink is not None:
            self.writer = _BodyWriter(sink)
            self._check(lib.strata_request_set_body_writer(p, self.writer.cfunc, None), "body writer")

        opts = _ffi.options(lib)  # the library's option table: name → (id, type)

        def opt_int(opt, value, what):
            if value is not None:
                self._check(lib.strata_request_set_option_int(p, opts[opt][0], int(value)), what)

        def opt_str(opt, value, what):
            if value is not None:
                self._check(lib.strata_request_set_option_string(p, opts[opt][0], value.encode()), what)

        opt_int("follow_redirects", kw["follow_redirects"], "follow_redirects")
        opt_int("max_redirects", kw["max_redirects"], "max_redirects")
        opt_int("timeout_ms", _ms(kw["timeout"], "timeout"), "timeout")
        opt_int("connect_timeout_ms", _ms(kw["connect_timeout"], "connect_timeout"), "connect_timeout")
        opt_int("first_byte_timeout_ms", _ms(kw["first_byte_timeout"], "first_byte_timeout"),
                "first_byte_timeout")
        opt_int("idle_timeout_ms", _ms(kw["idle_timeout"], "idle_timeout"), "idle_timeout")
        opt_int("fail_on_http_error", kw["fail_on_http_error"], "fail_on_http_error")
        opt_int("max_body_bytes", kw["max_body_bytes"], "max_body_bytes")
        opt_int("proxy_tunnel", kw["proxy_tunnel"], "proxy_tunnel")
        opt_int("proxy_http2", kw["proxy_http2"], "proxy_http2")
        opt_int("unsafe_redirect", kw["unsafe_redirect"], "unsafe_redirect")
        opt_int("location_trusted", kw["location_trusted"], "location_trusted")
        opt_int("post301", kw["post301"], "post301")
        opt_int("post302", kw["post302"], "post302")
        opt_int("post303", kw["post303"], "post303")
        opt_str("pipeline", kw["pipeline"], "pipeline")
        opt_str("range", kw["range"], "range")
        opt_int("resume_from", kw["resume_from"], "resume_from")
        accept = kw["accept_encoding"]
        if accept is True:
            accept = ""  # every coding this build decodes
        if accept is not False:
            opt_str("accept_encoding", accept, "accept_encoding")
        opt_int("max_decoded_bytes", kw["max_decoded_bytes"], "max_decoded_bytes")
        opt_int("max_decode_ratio", kw["max_decode_ratio"], "max_decode_ratio")
        cookie = kw["cookie"]
        if isinstance(cookie, dict):
            cookie = "; ".join("%s=%s" % (k, v) for k, v in cookie.items())
        opt_str("cookie", cookie, "cookie")
        for name, opt in (("if_modified_since", "if_modified_since"),
                          ("if_unmodified_since", "if_unmodified_since")):
            when = kw[name]
            if hasattr(when, "timestamp"):  # a datetime (naive ones are local time, as Python has it)
                when = when.timestamp()
            opt_int(opt, None if when is None else int(when), name)
        opt_int("retry", kw["retry"], "retry")
        opt_int("retry_delay_ms", _ms(kw["retry_delay"], "retry_delay"), "retry_delay")
        opt_int("retry_max_time_ms", _ms(kw["retry_max_time"], "retry_max_time"), "retry_max_time")
        if kw["retry_on"] is not None or kw["retry_non_idempotent"]:
            names = {"timeout": _ffi.RETRY_ON_TIMEOUT, "connect": _ffi.RETRY_ON_CONNECT, "reset": _ffi.RETRY_ON_RESET,
                     "http": _ffi.RETRY_ON_HTTP, "all": _ffi.RETRY_ON_ALL_ERRORS}
            chosen = kw["retry_on"] if kw["retry_on"] is not None else ("timeout", "connect", "reset", "http")
            bits = 0
            for name in ([chosen] if isinstance(chosen, str) else chosen):
                if name not in names:
                    raise errors.UsageError(_ffi.STRATA_E_INVALID_ARGUMENT,
                                            "retry_on: %r is not one of %s" % (name, ", ".join(sorted(names))))
                bits |= names[name]
            if kw["retry_non_idempotent"]:
                bits |= _ffi.RETRY_NON_IDEMPOTENT
            opt_int("retry_on", bits, "retry_on")
        if kw["http_version"] is not None:
            v = {"1.1": _ffi.HTTP_VERSION_1_1, "2": _ffi.HTTP_VERSION_2,
                 "2-prior": _ffi.HTTP_VERSION_2_PRIOR_KNOWLEDGE,
                 "3": _ffi.HTTP_VERSION_3, "3-only": _ffi.HTTP_VERSION_3_ONLY}.get(str(kw["http_version"]))
            if v is None:
                raise errors.UsageError(_ffi.STRATA_E_INVALID_ARGUMENT,
                                        'http_version: "1.1", "2", "2-prior", "3" or "3-only"')
            opt_int("http_version", v, "http_version")
        proxy = kw["proxy"]
        if proxy is not None:
            opt_str("proxy", proxy or "", "proxy")
        creds = kw["proxy_credentials"]
        if isinstance(creds, (tuple, list)):
            creds = "%s:%s" % tuple(creds)
        opt_str("proxy_credentials", creds, "proxy_credentials")
        no_proxy = kw["no_proxy"]
        if isinstance(no_proxy, (list, tuple)):
            no_proxy = ",".join(no_proxy)
        opt_str("no_proxy", no_proxy, "no_proxy")
        resolve = kw["resolve"]
        if isinstance(resolve, str):
            resolve = [resolve]
        elif isinstance(resolve, dict):  # {"host:port": "addr"} or {("host", port): "addr"}
            resolve = ["%s:%s" % (k if isinstance(k, str) else "%s:%d" % tuple(k), v) for k, v in resolve.items()]
        for entry in resolve or ():
            self._check(lib.strata_request_set_option_string(p, opts["resolve"][0], entry.encode()),
                        "resolve entry %r (expected host:port:address)" % entry)
        connect_to = kw["connect_to"]
        for entry in [connect_to] if isinstance(connect_to, str) else (connect_to or ()):
            self._check(lib.strata_request_set_option_string(p, opts["connect_to"][0], entry.encode()),
                        "connect_to entry %r (expected HOST1:PORT1:HOST2:PORT2)" % entry)
        opt_str("interface", kw["interface"], "interface")
        opt_int("local_port", kw["local_port"], "local_port")
        opt_int("local_port_range", kw["local_port_range"], "local_port_range")
        opt_str("unix_socket", kw["unix_socket"], "unix_socket")
        opt_str("abstract_unix_socket", kw["abstract_unix_socket"], "abstract_unix_socket")
        preproxy = kw["preproxy"]
        if preproxy is not None:
            # Proxies before `proxy`, nearest this client first; [] = none.
            urls = [preproxy] if isinstance(preproxy, str) else list(preproxy)
            opt_str("preproxy", "\n".join(urls), "preproxy")
        layers = {}
        for name, value in (("tls", kw["tls"]), ("proxy:tls", kw["proxy_tls"])):
            if value is not None:
                layers[name] = value
        for doc in (layers, kw["layer_options"]):
            if doc:
                text = doc if isinstance(doc, str) else _json.dumps(doc)
                self._check(lib.strata_request_set_option_string(p, opts["layer_options"][0], text.encode()),
                            "layer options (a JSON object of layer name → object of options)")

    def callback_exception(self):
        for cb in (self.reader, self.writer):
            if cb is not None and cb.exc is not None:
                return cb.exc
        return None

    def free(self):
        if self.ptr:
            self.lib.strata_request_free(self.ptr)
            self.ptr = ctypes.c_void_p()


def _frozen(value):
    """|value| as a hashable of plain values, or raises TypeError."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    raise TypeError


def _cache_key(method, url, options):
    """A key under which fetch may keep the strata_request it built: only
    for requests without a body or a callback, whose options are plain
    values (a dict, a list of pairs, strings, numbers)."""
    if options.get("body") is not None or options.get("sink") is not None:
        return None
    try:
        return method, url, _frozen(options)
    except TypeError:
        return None


# ---------------------------------------------------------------------------
# Event attribution


class _Track:
    """What the event callback learned about one transfer: its finished
    hops."""

    def __init__(self, url):
        self.url = url
        self.hops = []


# ---------------------------------------------------------------------------
# Transfers


class _Owner:
    """Holds the event track of a blocking fetch."""
    _track = None


class Transfer:
    """One request running on a runtime's event loop (Runtime.submit).
    done → bool; result() runs the loop until it is done and returns the
    Response or raises; cancel(); close() frees it (a running transfer is
    cancelled). tag is yours."""

    def __init__(self, runtime, request, ptr, track, tag=None, streaming=False):
        self._runtime = runtime
        self._request = request
        self._ptr = ptr
        if track is not None:
            self._track = track
        self._response = None
        self._error = None
        self._done = False
        self._chunks = collections.deque() if streaming else None
        self._on_done = None  # called once when it ends (AsyncSession)
        self.tag = tag
        self.url = request.url

    @property
    def done(self):
        return self._done

    def _peek_head(self, into):
        """Fills |into| (a Response) with the final response head if it has
        arrived (strata_transfer_peek_response); True then."""
        if not self._ptr:
            return False
        view = ctypes.c_void_p()
        if self._runtime._lib.strata_transfer_peek_response(self._ptr, ctypes.byref(view)) != 0:
            return False
        into._read_head(self._runtime._lib, view)
        into.url = self.url
        return True

    @property
    def hops(self):
        return list(self._track.hops)

    def _finish(self):
        """Called by the runtime when strata says the transfer is done:
        collects the result and frees the C objects at once."""
        lib = self._runtime._lib
        err = _ffi.Error.new()
        st = lib.strata_transfer_result(self._ptr, ctypes.byref(err))
        hops = list(self._track.hops)
        if st == _ffi.STRATA_OK:
            rp = lib.strata_transfer_take_response(self._ptr)
            self._response = Response._from_c(lib, rp, hops) if rp else Response()
        else:
            self._error = errors.from_struct(st, err, hops)
            cb_exc = self._request.callback_exception()
            if cb_exc is not None:
                cb_exc.__cause__ = self._error
                self._error = cb_exc
        self._release()

    def _release(self):
        self._done = True
        for queue in self._runtime._completion_queues:
            queue.append(self)
        if self._on_done is not None:
            self._on_done(self)
        if self._ptr:
            self._runtime._lib.strata_transfer_free(self._ptr)
            self._runtime._transfers.pop(self._ptr, None)
            self._ptr = None
        self._runtime._untrack(self._track)
        if self._request is not None:
            if not self._request.shared:
                self._request.free()
            self._request = None

    def result(self, timeout: Optional[float] = None) -> "Response":
        """The Response, running the runtime until this transfer is done
        (at most |timeout| seconds, then builtins.TimeoutError)."""
        if not self._done:
            for _ in self._runtime.as_completed([self], timeout=timeout):
                pass
        if self._error is not None:
            raise self._error
        return self._response

    def exception(self):
        return self._error if self._done else None

    def cancel(self):
        if self._done or not self._ptr:
            return
        self._runtime._lib.strata_transfer_cancel(self._ptr)
        self._runtime._collect()
        if not self._done:
            self._error = errors.CancelledError(_ffi.STRATA_E_CANCELLED, "cancelled by the application", "runtime",
                                                len(self._track.hops), self.url, self._track.hops)
            self._release()

    def close(self):
        if not self._done:
            self.cancel()

    def __repr__(self):
        state = "done" if self._done else "running"
        return "<strata.Transfer %s %s>" % (self.url, state)


# ---------------------------------------------------------------------------
# Runtime


class Runtime:
    """A strata runtime: configuration, plugins, connection pool, event loop.

    Runtime() uses the built-in configuration; config= takes a dict or JSON
    text, config_file= a path. library= a path to libstrata.so (else
    $STRATA_LIBRARY, next to this package, the system loader). Use it as a
    context manager, or call close(): that frees the runtime, its
    connections and unfinished transfers at once. One thread at a time."""

    def __init__(self, config: Union[None, str, bytes, Dict[str, Any]] = None, config_file: Optional[str] = None,
                 library: Optional[str] = None) -> None:
        self._ptr = None
        self._lib = _ffi.load(library)
        if config is not None and config_file is not None:
            raise errors.UsageError(_ffi.STRATA_E_INVALID_ARGUMENT, "pass config or config_file, not both")
        err = _ffi.Error.new()
        ptr = ctypes.c_void_p()
        if config_file is not None:
            st = self._lib.strata_runtime_new_from_file(os.fsencode(config_file), ctypes.byref(ptr),
                                                        ctypes.byref(err))
        else:
            text = config if isinstance(config, (str, bytes)) or config is None else _json.dumps(config)
            if isinstance(text, str):
                text = text.encode("utf-8")
            st = self._lib.strata_runtime_new(text, ctypes.byref(ptr), ctypes.byref(err))
        if st != 0:
            raise errors.from_struct(st, err)
        self._ptr = ptr
        self._transfers = {}       # strata_transfer* value → Transfer
        self._tracks = {}          # in flight, submission order (id(track) -> track)
        self._tracks_by_id = {}    # strata_event.transfer_id -> track
        self._fetching = None      # the blocking fetch's track until its first event names it
        self._requests = {}        # (method, url, options) → a prepared _Request, for fetch
        self._completion_queues = []  # one deque per running as_completed: transfers as they end
        self._callback_exc = None
        self._user_event = None
        self._user_mask = 0
        self._event_cfunc = _ffi.EVENT_FN(self._on_event)  # alive as long as the runtime
        self._install_events()

    # -- lifetime ----------------------------------------------------------

    @property
    def closed(self):
        return self._ptr is None

    def close(self):
        if self._ptr is None:
            return
        for t in list(self._transfers.values()):
            t._error = errors.CancelledError(_ffi.STRATA_E_CANCELLED, "the runtime was closed", "runtime", 0, t.url)
            t._release()
        self._lib.strata_runtime_set_event_callback(self._ptr, _ffi.EVENT_FN(), None, 0)
        for req in self._requests.values():
            req.free()
        self._requests.clear()
        self._lib.strata_runtime_free(self._ptr)
        self._ptr = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def _live(self):
        if self._ptr is None:
            raise errors.UsageError(_ffi.STRATA_E_STATE, "the runtime is closed")
        return self._ptr

    # -- cookies -----------------------------------------------------------

    def _cookie_call(self, st, what):
        if st != 0:
            raise errors.from_code(st, "%s: %s" % (what, _ffi.status_name(st)), "cookies", 0, "")

    # -- alternative services (RFC 7838) -------------------------------------

    def enable_alt_svc(self, enabled=True):
        """Turns the runtime's Alt-Svc cache on (or off): https responses'
        Alt-Svc fields are recorded. Loading a file turns it on too."""
        self._cookie_call(self._lib.strata_alt_svc_enable(self._live(), 1 if enabled else 0), "enable_alt_svc")

    def load_alt_svc(self, path):
        """Reads curl's alt-svc cache file (curl --alt-svc); returns how many
        entries it read. A missing file reads as empty."""
        n = ctypes.c_size_t(0)
        self._cookie_call(self._lib.strata_alt_svc_load(self._live(), os.fsencode(path), ctypes.byref(n)),
                          "load_alt_svc %s" % path)
        return n.value

    def save_alt_svc(self, path):
        """Writes the Alt-Svc cache in curl's alt-svc file format."""
        self._cookie_call(self._lib.strata_alt_svc_save(self._live(), os.fsencode(path)), "save_alt_svc %s" % path)

    def enable_cookies(self, enabled=True):
        """Turns the runtime's cookie store on (or off: kept, not used).
        Loading or adding cookies turns it on too."""
        self._cookie_call(self._lib.strata_cookies_enable(self._live(), 1 if enabled else 0), "enable_cookies")

    def load_cookies(self, path, drop_session=False):
        """Reads a Netscape cookie jar (curl's -b/-c format); returns how
        many cookies it read. drop_session forgets session cookies (curl's -j)."""
        n = ctypes.c_size_t(0)
        self._cookie_call(self._lib.strata_cookies_load(self._live(), os.fsencode(path), 1 if drop_session else 0,
                                                        ctypes.byref(n)), "load_cookies %s" % path)
        return n.value

    def save_cookies(self, path):
        """Writes every cookie as a Netscape cookie jar curl reads."""
        self._cookie_call(self._lib.strata_cookies_save(self._live(), os.fsencode(path)), "save_cookies %s" % path)

    def add_cookie(self, url, set_cookie):
        """Stores a Set-Cookie field value as if |url| had sent it; UsageError
        if it is refused (malformed, a public suffix, Secure from http...)."""
        self._cookie_call(self._lib.strata_cookies_add(self._live(), url.encode(), set_cookie.encode()),
                          "add_cookie %r" % set_cookie)

    def cookies(self):
        """The cookies held (not expired), oldest first, as dicts: name,
        value, domain, path, host_only, secure, http_only, same_site,
        expires (Unix seconds, 0 for a session cookie)."""
        out = []

        def one(user, c_p):
            c = c_p.contents
            out.append({"name": _s(c.name), "value": _s(c.value), "domain": _s(c.domain), "path": _s(c.path),
                        "host_only": bool(c.host_only), "secure": bool(c.secure), "http_only": bool(c.http_only),
                        "same_site": _ffi.SAME_SITE_NAMES.get(c.same_site), "expires": c.expires})

        self._cookie_call(self._lib.strata_cookies_list(self._live(), _ffi.COOKIE_FN(one), None), "cookies")
        return out

    def clear_cookies(self, session_only=False):
        self._cookie_call(self._lib.strata_cookies_clear(self._live(), 1 if session_only else 0), "clear_cookies")

    # -- events ------------------------------------------------------------

    def _install_events(self):
        self._lib.strata_runtime_set_event_callback(self._ptr, self._event_cfunc, None,
                                                    _INTERNAL_MASK | self._user_mask)

    def on_event(self, callback: Optional[Callable[[Dict[str, Any]], None]],
                 types: Sequence[str] = ("trace", "hop", "connect")) -> None:
        """Calls callback(event_dict) for events of |types| ("trace", "hop",
        "connect", "data_in", "data_out"); None removes it. An exception the
        callback raises is re-raised by the fetch/run call that ran it."""
        self._live()
        self._user_event = callback
        self._user_mask = 0
        if callback is not None:
            for t in types:
                self._user_mask |= 1 << _EVENT_TYPES[t]
        self._install_events()

    def _track(self, url, owner, transfer_id=0):
        t = _Track(url)
        t.owner = owner
        t.transfer_id = transfer_id
        owner._track = t
        self._tracks[id(t)] = t
        if transfer_id:
            self._tracks_by_id[transfer_id] = t
        return t

    def _untrack(self, track):
        self._tracks.pop(id(track), None)
        if track.transfer_id:
            self._tracks_by_id.pop(track.transfer_id, None)
        if self._fetching is track:
            self._fetching = None

    def _track_of(self, ev):
        """The track an event belongs to, by the transfer it names
        (strata_event.transfer_id)."""
        tid = ev.transfer_id
        track = self._tracks_by_id.get(tid)
        if track is None and self._fetching is not None and tid:
            # strata_fetch's transfer: its id is learnt from its first event.
            track, self._fetching = self._fetching, None
            track.transfer_id = tid
            self._tracks_by_id[tid] = track
        return track

    def _on_event(self, user, ev_p):
        try:
            ev = ev_p.contents
            etype = ev.type
            if etype == _ffi.EVENT_HOP:
                track = self._track_of(ev)
                if track is not None:
                    track.hops.append({"hop": ev.hop, "url": _s(ev.url), "status": ev.status,
                                       "chain": _s(ev.chain), "reused": bool(ev.reused),
                                       "elapsed": ev.elapsed_us / 1e6, "message": _s(ev.message)})
            if self._user_event is not None and self._user_mask & (1 << etype):
                event = {"type": _EVENT_NAMES.get(etype, str(etype)), "hop": ev.hop, "layer": _s(ev.layer),
                         "message": _s(ev.message), "url": _s(ev.url), "status": ev.status,
                         "reused": bool(ev.reused), "chain": _s(ev.chain), "elapsed": ev.elapsed_us / 1e6}
                if etype == _ffi.EVENT_RETRY:
                    event.update(attempt=ev.attempt, retries_left=ev.retries_left, delay=ev.retry_delay_ms / 1000)
                self._user_event(event)
        except BaseException as e:  # never across the C boundary
            if self._callback_exc is None:
                self._callback_exc = e

    def _raise_callback_exc(self):
        e, self._callback_exc = self._callback_exc, None
        if e is not None:
            raise e

    # -- blocking ----------------------------------------------------------

    def fetch(self, url: str, method: str = "GET", stream: bool = False, **options: Any) -> "Response":
        """Runs one request to completion and returns a Response (stream=True:
        a StreamingResponse whose body arrives through iter_content()).
        Options: headers (dict or pairs), body (bytes, str, file-like or an
        iterable of bytes), follow_redirects, max_redirects, timeout,
        connect_timeout, first_byte_timeout, idle_timeout (seconds), proxy,
        proxy_credentials ("user:pw" or a pair), no_proxy (str or list),
        proxy_tunnel, proxy_http2 (tunnels as CONNECT streams on one HTTP/2
        connection to an https proxy), tls (tls layer options, e.g. {"ca_file": ...}),
        proxy_tls, layer_options ({layer: {option: value}}), pipeline (a
        template name, e.g. "https+h2"), http_version ("1.1", "2" by ALPN
        or h2c Upgrade, "2-prior", "3-only"), resolve ("host:port:addr" or a
        list), fail_on_http_error, max_body_bytes, unsafe_redirect,
        location_trusted, post301/post302/post303, connect_to
        ("HOST1:PORT1:HOST2:PORT2" or a list), interface, local_port,
        local_port_range, unix_socket, abstract_unix_socket, preproxy (a
        proxy URL or a list, gone through before `proxy`, nearest this
        client first). Raises a StrataError."""
        if stream:
            return self._fetch_stream(url, method, options)
        rt = self._live()
        req = self._prepared(url, method, options)
        owner = _Owner()
        self._fetching = self._track(url, owner)
        try:
            out = ctypes.c_void_p()
            err = _ffi.Error.new()
            st = self._lib.strata_fetch(rt, req.ptr, ctypes.byref(out), ctypes.byref(err))
            if st != _ffi.STRATA_OK:
                error = errors.from_struct(st, err, list(owner._track.hops))
                cb_exc = req.callback_exception()
                if cb_exc is not None:
                    raise cb_exc from error
                raise error
            resp = Response._from_c(self._lib, out, owner._track.hops)
        finally:
            self._untrack(owner._track)
            if not req.shared:
                req.free()
            self._collect()
        self._raise_callback_exc()
        return resp

    def _prepared(self, url, method, options):
        """The _Request for |url|, |method| and |options|: a kept one when
        the request has no body and plain options (strata_fetch leaves a
        request as it was and strata_submit copies it, so it can run again),
        else a new one the caller frees."""
        key = _cache_key(method, url, options)
        if key is None:
            return _Request(self._lib, url, method, **options)
        req = self._requests.get(key)
        if req is None:
            req = _Request(self._lib, url, method, **options)
            if len(self._requests) >= 64:
                self._requests.pop(next(iter(self._requests))).free()
            req.shared = True
            self._requests[key] = req
        return req

    def _fetch_stream(self, url, method, options):
        if "sink" in options:
            raise errors.UsageError(_ffi.STRATA_E_INVALID_ARGUMENT, "stream=True delivers the body itself")
        t = self.submit(url, method, _stream=True, **options)
        resp = StreamingResponse(t)
        # Run until the final head has arrived (strata_transfer_peek_response), or the end.
        try:
            while not t.done and not t._peek_head(resp):
                self.run(None)
        except BaseException:
            t.close()
            raise
        if t._error is not None:
            raise t._error
        if t._response is not None:
            resp._apply_head(t._response)
        return resp

    # -- non-blocking ------------------------------------------------------

    def submit(self, url: str, method: str = "GET", tag: Any = None, _stream: bool = False,
               **options: Any) -> "Transfer":
        """Starts a request on the event loop and returns its Transfer.
        Options as for fetch. Drive it with run(), as_completed() or
        Transfer.result()."""
        rt = self._live()
        chunks = collections.deque() if _stream else None
        if _stream:
            options["sink"] = chunks.append
        req = self._prepared(url, method, options)
        ptr = ctypes.c_void_p()
        try:
            st = self._lib.strata_submit(rt, req.ptr, None, ctypes.byref(ptr))
            if st != 0:
                raise errors.from_code(st, "strata_submit failed", "runtime", 0, url)
        except BaseException:
            if not req.shared:
                req.free()
            raise
        t = Transfer(self, req, ptr.value, None, tag=tag, streaming=_stream)
        self._track(url, t, self._lib.strata_transfer_id(ptr))
        t._chunks = chunks
        self._transfers[ptr.value] = t
        return t

    def run(self, timeout: Optional[float] = 0) -> int:
        """Progresses every transfer, waiting at most |timeout| seconds for
        something to happen (0: do not wait; None: until something happens).
        Finished transfers are collected. Returns the number still running."""
        rt = self._live()
        ms = -1 if timeout is None else max(0, min(int(timeout * 1000 + 0.999), 2**31 - 1))
        running = ctypes.c_size_t()
        st = self._lib.strata_runtime_run(rt, ms, ctypes.byref(running))
        self._collect()
        if st != 0:
            raise errors.from_code(st, "strata_runtime_run failed", "runtime")
        self._raise_callback_exc()
        return running.value

    def _collect(self):
        if self._ptr is None:
            return
        while True:
            p = self._lib.strata_runtime_next_done(self._ptr)
            if not p:
                return
            t = self._transfers.get(p)
            if t is not None:
                t._finish()

    def as_completed(self, transfers: Iterable["Transfer"], timeout: Optional[float] = None) -> Iterator["Transfer"]:
        """Yields the transfers as they finish, running the loop; after
        |timeout| seconds raises builtins.TimeoutError."""
        # Linear in the transfers: each run's finished ones come from a queue
        # the transfers fill as they end, not from a scan of all pending.
        pending = set()
        deadline = None if timeout is None else time.monotonic() + timeout
        finished = collections.deque()
        self._completion_queues.append(finished)
        try:
            for t in transfers:
                if t.done:
                    yield t
                else:
                    pending.add(t)
            while pending:
                while finished:
                    t = finished.popleft()
                    if t in pending:
                        pending.discard(t)
                        yield t
                if not pending:
                    return
                wait = None
                if deadline is not None:
                    wait = deadline - time.monotonic()
                    if wait <= 0:
                        raise TimeoutError("%d transfer(s) still running after %.3f s" % (len(pending), timeout))
                self.run(wait)
        finally:
            self._completion_queues.remove(finished)

    def fetch_all(self, requests: Iterable[Union[str, Dict[str, Any]]],
                  timeout: Optional[float] = None) -> List["Response"]:
        """Runs many requests at once: |requests| are URLs or dicts of fetch
        arguments ({"url": ..., "method": ..., ...}). Returns the Responses
        in order, or raises the first error (others still finish)."""
        transfers = []
        for r in requests:
            if isinstance(r, str):
                transfers.append(self.submit(r))
            else:
                r = dict(r)
                transfers.append(self.submit(r.pop("url"), **r))
        for _ in self.as_completed(transfers, timeout=timeout):
            pass
        return [t.result() for t in transfers]

    # -- embedding ---------------------------------------------------------

    def fileno(self) -> int:
        """A descriptor that becomes readable when run(0) has work to do."""
        return self._lib.strata_runtime_fd(self._live())

    def timeout(self) -> Optional[float]:
        """Seconds until run() must be called at the latest, or None."""
        ms = self._lib.strata_runtime_timeout_ms(self._live())
        return None if ms < 0 else ms / 1000.0

    @property
    def running(self):
        return [t for t in self._transfers.values() if not t.done]


def fetch(url: str, method: str = "GET", config: Any = None, library: Optional[str] = None,
          **options: Any) -> Response:
    """One request with a runtime of its own (built-in configuration unless
    |config| is given), closed before returning."""
    if options.get("stream"):
        raise errors.UsageError(_ffi.STRATA_E_INVALID_ARGUMENT, "stream=True needs a Runtime that outlives the call")
    with Runtime(config, library=library) as rt:
        return rt.fetch(url, method, **options)
