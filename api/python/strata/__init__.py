"""strata for Python: libstrata.so through ctypes.

requests' shape (strata.sessions, strata.aio):

    r = strata.get(url, params={"q": "x"}, timeout=5)
    r.raise_for_status(); r.status_code, r.headers, r.json(), r.history, r.hops
    with strata.Session() as s: s.post(url, json={"a": 1}, auth=("u", "pw"))
    async with strata.AsyncSession() as s: await asyncio.gather(*(s.get(u) for u in urls))

strata's own shape:

    import strata
    with strata.Runtime() as rt:
        r = rt.fetch("https://example.test/", follow_redirects=True, tls={"ca_file": "ca.pem"})
        print(r.status, r.http_version, r.headers["content-type"], len(r.body), r.hops)

Many at once: rt.submit(url, ...) → Transfer; rt.as_completed(transfers) or
rt.fetch_all([...]); rt.fileno() / rt.timeout() / rt.run(0) to embed in
another loop. Failures raise StrataError subclasses (strata.errors).
"""

from . import _ffi
from .aio import AsyncSession, AsyncStreamingResponse
from .client import Headers, Response, Runtime, StreamingResponse, Transfer, fetch
from .sessions import Session, SessionCookies, delete, get, head, options, patch, post, put, request
from .errors import (BodyError, CancelledError, ConfigError, ConnectError, ConnectionClosedError,
                     ContentEncodingError, HTTPStatusError, InternalError, LimitError, NotProcessedError,
                     PinnedKeyError, PluginError, PolicyDeniedError, ProtocolError, ProxyError, RangeError,
                     RedirectError, ResolveError, StrataError,
                     StreamResetError, TimeoutError, TLSError, TLSVerifyError, TransportError, TruncatedError,
                     URLError, UsageError, error_class)

# requests' names for the exceptions it shares with strata.
HTTPError = HTTPStatusError
RequestException = StrataError
Timeout = TimeoutError
ConnectionError = ConnectError

__all__ = [
    "request", "get", "options", "head", "post", "put", "patch", "delete", "Session", "SessionCookies",
    "AsyncSession", "AsyncStreamingResponse", "HTTPError", "RequestException", "Timeout", "ConnectionError",
    "Runtime", "Response", "StreamingResponse", "Transfer", "Headers", "fetch", "version", "abi_version",
    "status_name", "error_class", "StrataError", "UsageError", "ConfigError", "PluginError", "URLError",
    "TransportError", "ConnectError", "ResolveError", "TimeoutError", "ConnectionClosedError", "TLSError",
    "TLSVerifyError", "ProxyError", "ProtocolError", "TruncatedError", "LimitError", "StreamResetError",
    "NotProcessedError", "HTTPStatusError", "RangeError", "ContentEncodingError", "RedirectError", "BodyError", "CancelledError",
    "InternalError", "PinnedKeyError", "PolicyDeniedError",
]


def version(library=None):
    """libstrata's version, e.g. "0.1.0"."""
    return _ffi.load(library).strata_version().decode()


def abi_version(library=None):
    """The plugin ABI libstrata hosts, major * 1000 + minor."""
    return _ffi.load(library).strata_abi_version()


def status_name(code, library=None):
    """strata's name for a status code ("STRATA_E_TIMEOUT")."""
    return _ffi.load(library).strata_status_name(code).decode()
