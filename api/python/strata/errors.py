"""strata's status codes as exceptions.

Every exception is a StrataError carrying the code (number and name), the
layer, the 1-based redirect hop, the hop's URL and strata's message; a
subclass per family lets callers catch what they care about:

    StrataError
    ├── UsageError (ValueError)          -1..-5: a wrong call, nothing happened
    ├── ConfigError                      -20..-24: configuration and plugins
    │   └── PluginError                  -21..-23
    ├── URLError (ValueError)            -25
    ├── TransportError (OSError)         -40..-47
    │   ├── ConnectError                 -41 (and ResolveError, -40)
    │   ├── TimeoutError (builtins.TimeoutError)  -42
    │   ├── ConnectionClosedError        -43, -44
    │   ├── TLSError                     -45, -48 (TLSVerifyError, -46; PinnedKeyError, -49)
    │   └── ProxyError                   -47
    │   (ConnectError also for -50, STRATA_E_LOCAL_BIND)
    ├── ProtocolError                    -60..-62, -67, -68
    ├── HTTPStatusError                  -63 (raise_for_status / fail_on_http_error)
    ├── RedirectError                    -64
    ├── PolicyDeniedError                -51 (a configured policy refused the hop)
    ├── BodyError                        -65 (a body reader or writer failed)
    ├── CancelledError                   -66
    └── InternalError                    -2, -99 and codes this module does not know
"""

import builtins

from . import _ffi


class StrataError(Exception):
    """A strata failure. Attributes: code (int), name ("STRATA_E_TIMEOUT"),
    layer ("tcp", "tls", "config", ...), hop (1-based, 0 if none), url,
    message (strata's full sentence), hops (the hops that finished before the
    failure, as in Response.hops)."""

    def __init__(self, code, message="", layer="", hop=0, url="", hops=None):
        self.code = code
        self.name = _ffi.status_name(code)
        self.layer = layer
        self.hop = hop
        self.url = url
        self.message = message or self.name
        self.hops = list(hops or [])
        self.http_connect = 0  # a proxy's CONNECT reply status, 0 if none
        super().__init__(self.message)

    def __str__(self):
        return "%s (%s %d)" % (self.message, self.name, self.code)

    def __repr__(self):
        return "%s(code=%d, name=%r, layer=%r, hop=%d, url=%r, message=%r)" % (
            type(self).__name__, self.code, self.name, self.layer, self.hop, self.url, self.message)


class UsageError(StrataError, ValueError):
    pass


class ConfigError(StrataError):
    pass


class PluginError(ConfigError):
    pass


class URLError(StrataError, ValueError):
    pass


class TransportError(StrataError, OSError):
    def __init__(self, *args, **kwargs):
        StrataError.__init__(self, *args, **kwargs)

    def __str__(self):
        return StrataError.__str__(self)


class ConnectError(TransportError):
    pass


class ResolveError(ConnectError):
    pass


class TimeoutError(TransportError, builtins.TimeoutError):  # noqa: A001 (strata.TimeoutError on purpose)
    pass


class ConnectionClosedError(TransportError):
    pass


class TLSError(TransportError):
    pass


class TLSVerifyError(TLSError):
    pass


class ProxyError(TransportError):
    pass


class ProtocolError(StrataError):
    pass


class TruncatedError(ProtocolError):
    pass


class LimitError(ProtocolError):
    pass


class StreamResetError(ProtocolError):
    pass


class NotProcessedError(ProtocolError):
    pass


class HTTPStatusError(StrataError):
    """raise_for_status (also strata.HTTPError): .response is the Response
    (None when fail_on_http_error ended the transfer)."""
    response = None


class ContentEncodingError(StrataError):
    """The body's Content-Encoding could not be undone (accept_encoding=):
    an unknown coding, or malformed or truncated compressed data."""


class RangeError(StrataError):
    """A resumed transfer (resume_from=) got a response that does not
    continue where asked; no body byte was delivered."""


class RedirectError(StrataError):
    pass


class PolicyDeniedError(StrataError):
    """A configured policy refused the hop (-51, STRATA_E_POLICY_DENIED)."""


class PinnedKeyError(TLSError):
    """The server's public key matched no pin (-49, policy-pin)."""


class BodyError(StrataError):
    pass


class CancelledError(StrataError):
    pass


class InternalError(StrataError):
    pass


_BY_CODE = {
    -1: UsageError, -3: UsageError, -4: UsageError, -5: UsageError,
    -2: InternalError,
    -20: ConfigError, -21: PluginError, -22: PluginError, -23: PluginError, -24: ConfigError,
    -25: URLError,
    -40: ResolveError, -41: ConnectError, -42: TimeoutError, -43: ConnectionClosedError,
    -44: ConnectionClosedError, -45: TLSError, -46: TLSVerifyError, -47: ProxyError, -48: TLSError,
    -49: PinnedKeyError, -50: ConnectError, -51: PolicyDeniedError,
    -60: ProtocolError, -61: TruncatedError, -62: LimitError, -63: HTTPStatusError,
    -64: RedirectError, -65: BodyError, -66: CancelledError, -67: StreamResetError,
    -68: NotProcessedError, -69: RangeError, -70: ContentEncodingError,
    -99: InternalError,
}


def error_class(code):
    """The exception class for a strata status code."""
    return _BY_CODE.get(code, InternalError)


def from_code(code, message="", layer="", hop=0, url="", hops=None):
    return error_class(code)(code, message, layer, hop, url, hops)


def from_struct(code, err, hops=None):
    """An exception from a filled strata_error (falls back to |code| when
    the library left the struct empty)."""
    c = err.code if err.code else code
    e = from_code(c, err.message.decode("utf-8", "replace"), err.layer.decode("utf-8", "replace"),
                  err.hop, err.url.decode("utf-8", "replace"), hops)
    e.http_connect = err.http_connect
    return e
