"""strata for Python: libstrata.so through ctypes.

    import strata
    with strata.Runtime() as rt:
        r = rt.fetch("https://example.test/", follow_redirects=True, tls={"ca_file": "ca.pem"})
        print(r.status, r.http_version, r.headers["content-type"], len(r.body), r.hops)

Many at once: rt.submit(url, ...) → Transfer; rt.as_completed(transfers) or
rt.fetch_all([...]); rt.fileno() / rt.timeout() / rt.run(0) to embed in
another loop. Failures raise StrataError subclasses (strata.errors).
"""

from . import _ffi
from .client import Headers, Response, Runtime, StreamingResponse, Transfer, fetch
from .errors import (BodyError, CancelledError, ConfigError, ConnectError, ConnectionClosedError,
                     ContentEncodingError, HTTPStatusError, InternalError, LimitError, NotProcessedError,
                     PluginError, ProtocolError, ProxyError, RangeError, RedirectError, ResolveError, StrataError,
                     StreamResetError, TimeoutError, TLSError, TLSVerifyError, TransportError, TruncatedError,
                     URLError, UsageError, error_class)

__all__ = [
    "Runtime", "Response", "StreamingResponse", "Transfer", "Headers", "fetch", "version", "abi_version",
    "status_name", "error_class", "StrataError", "UsageError", "ConfigError", "PluginError", "URLError",
    "TransportError", "ConnectError", "ResolveError", "TimeoutError", "ConnectionClosedError", "TLSError",
    "TLSVerifyError", "ProxyError", "ProtocolError", "TruncatedError", "LimitError", "StreamResetError",
    "NotProcessedError", "HTTPStatusError", "RangeError", "ContentEncodingError", "RedirectError", "BodyError", "CancelledError",
    "InternalError",
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
