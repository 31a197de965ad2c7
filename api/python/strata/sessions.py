"""The requests-shaped surface: strata.get/post/..., strata.Session.

    import strata
    r = strata.get("https://example.test/items", params={"q": "x"}, timeout=5)
    r.raise_for_status()
    print(r.status_code, r.headers["content-type"], r.json(), r.hops)

    with strata.Session() as s:
        s.auth = ("user", "pw")
        s.post(url, json={"a": 1})

A Session owns one strata Runtime (its connection pool and cookie store).
Keyword arguments are requests' (params, data, json, files, headers,
cookies, auth, timeout, allow_redirects, proxies, stream, verify, cert); any
other keyword is one of Runtime.fetch's strata options (http_version, retry,
accept_encoding, resolve, ...), and an unknown one is a TypeError.
"""

from __future__ import annotations

import base64
import json as _json
import mimetypes
import os
import urllib.parse
import uuid
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from . import client, errors

Params = Union[Mapping[str, Any], Iterable[Tuple[str, Any]], str, bytes, None]
Timeout = Union[float, int, Tuple[Optional[float], Optional[float]], None]
Auth = Optional[Tuple[str, str]]

# Strata options a requests keyword already sets: passing both is an error.
_DERIVED = {
    "allow_redirects": ("follow_redirects",),
    "timeout": ("connect_timeout", "first_byte_timeout", "idle_timeout"),
    "proxies": ("proxy",),
    "cookies": ("cookie",),
    "data": ("body",),
    "json": ("body",),
    "files": ("body",),
}


def _pairs(value: Any) -> List[Tuple[str, Any]]:
    if value is None:
        return []
    items = value.items() if hasattr(value, "items") else value
    out = []
    for k, v in items:
        if isinstance(v, (list, tuple)):
            out.extend((k, x) for x in v)
        elif v is not None:
            out.append((k, v))
    return out


def _text(v: Any) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def _with_params(url: str, params: Params) -> str:
    if params is None or params == {} or params == []:
        return url
    if isinstance(params, (str, bytes)):
        query = _text(params)
    else:
        query = urllib.parse.urlencode([(_text(k), _text(v)) for k, v in _pairs(params)])
    if not query:
        return url
    base, hash_, fragment = url.partition("#")
    joiner = "&" if "?" in base and not base.endswith(("?", "&")) else ("" if base.endswith(("?", "&")) else "?")
    return base + joiner + query + hash_ + fragment


def _encode_form(data: Any) -> bytes:
    return urllib.parse.urlencode([(_text(k), _text(v)) for k, v in _pairs(data)]).encode("ascii")


def _multipart(data: Any, files: Any) -> Tuple[bytes, str]:
    """multipart/form-data of the |data| fields and |files| (name → file,
    bytes, or (filename, file-or-bytes[, content_type[, headers]]))."""
    boundary = uuid.uuid4().hex
    parts = []

    def part(disposition: str, content: bytes, ctype: Optional[str] = None, extra: Optional[Mapping] = None) -> None:
        head = "--%s\r\nContent-Disposition: form-data; %s\r\n" % (boundary, disposition)
        for k, v in (extra or {}).items():
            head += "%s: %s\r\n" % (k, v)
        if ctype:
            head += "Content-Type: %s\r\n" % ctype
        parts.append(head.encode("utf-8") + b"\r\n" + content + b"\r\n")

    def quote(s: str) -> str:
        return s.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "%0D").replace("\n", "%0A")

    if data is not None and not isinstance(data, (bytes, str)):
        for k, v in _pairs(data):
            v = v if isinstance(v, bytes) else str(v).encode("utf-8")
            part('name="%s"' % quote(_text(k)), v)
    for name, spec in (files.items() if hasattr(files, "items") else files):
        ctype, extra = None, None
        if isinstance(spec, (tuple, list)):
            filename, content = spec[0], spec[1]
            if len(spec) > 2:
                ctype = spec[2]
            if len(spec) > 3:
                extra = spec[3]
        else:
            content = spec
            filename = os.path.basename(getattr(spec, "name", "") or "") or _text(name)
        if hasattr(content, "read"):
            content = content.read()
        if isinstance(content, str):
            content = content.encode("utf-8")
        if filename is None:
            part('name="%s"' % quote(_text(name)), bytes(content), ctype, extra)
            continue
        if ctype is None:
            ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        part('name="%s"; filename="%s"' % (quote(_text(name)), quote(_text(filename))), bytes(content), ctype, extra)
    body = b"".join(parts) + ("--%s--\r\n" % boundary).encode("ascii")
    return body, "multipart/form-data; boundary=%s" % boundary


def basic_auth(user: Union[str, bytes], password: Union[str, bytes]) -> str:
    """The Authorization value of Basic credentials (latin-1, as requests)."""
    u = user if isinstance(user, bytes) else str(user).encode("latin-1")
    p = password if isinstance(password, bytes) else str(password).encode("latin-1")
    return "Basic " + base64.b64encode(u + b":" + p).decode("ascii")


class SessionCookies:
    """The cookies of a Session: a view of its runtime's cookie store (RFC
    6265bis; what responses set is kept and sent on later requests).

    c["name"] / c.get(name, default, domain=None) → value; `name in c`;
    c.keys(), c.items(), c.get_dict(); c.set(name, value, domain=, path="/",
    secure=False) stores one as if https?://domain/ had set it;
    c.list() → dicts with every attribute; c.clear(); c.save(path) /
    c.load(path) use curl's cookie-jar format."""

    def __init__(self, runtime: client.Runtime) -> None:
        self._rt = runtime

    def list(self) -> List[Dict[str, Any]]:
        return self._rt.cookies()

    def get(self, name: str, default: Any = None, domain: Optional[str] = None, path: Optional[str] = None) -> Any:
        for c in reversed(self.list()):
            if c["name"] == name and (domain is None or c["domain"] == domain.lstrip(".").lower()) and (
                    path is None or c["path"] == path):
                return c["value"]
        return default

    def __getitem__(self, name: str) -> str:
        v = self.get(name)
        if v is None:
            raise KeyError(name)
        return v

    def __contains__(self, name: object) -> bool:
        return any(c["name"] == name for c in self.list())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.list())

    def keys(self) -> List[str]:
        return [c["name"] for c in self.list()]

    def items(self) -> List[Tuple[str, str]]:
        return [(c["name"], c["value"]) for c in self.list()]

    def get_dict(self, domain: Optional[str] = None) -> Dict[str, str]:
        return {c["name"]: c["value"] for c in self.list()
                if domain is None or c["domain"] == domain.lstrip(".").lower()}

    def set(self, name: str, value: str, domain: str, path: str = "/", secure: bool = False) -> None:
        if not domain:
            raise ValueError("a cookie of a Session needs its domain (the store is per host)")
        attrs = "%s=%s; Path=%s" % (name, value, path)
        host = domain.lstrip(".")
        if domain.startswith("."):
            attrs += "; Domain=%s" % host
        if secure:
            attrs += "; Secure"
        self._rt.add_cookie("%s://%s%s" % ("https" if secure else "http", host, path), attrs)

    def update(self, cookies: Mapping[str, str], domain: str, path: str = "/") -> None:
        for k, v in cookies.items():
            self.set(k, v, domain=domain, path=path)

    def clear(self) -> None:
        self._rt.clear_cookies()

    def save(self, path: str) -> None:
        self._rt.save_cookies(path)

    def load(self, path: str) -> int:
        return self._rt.load_cookies(path)

    def __repr__(self) -> str:
        return "<SessionCookies %r>" % (self.get_dict(),)


class Session:
    """requests.Session's shape over one strata Runtime.

    Attributes applied to every request (a request's own arguments win):
    headers (dict; a value None removes the header, strata's default
    User-Agent/Accept too), auth ((user, password): Basic), params, proxies
    ({"http": url, "https": url, "all": url}), verify (True, False, or a CA
    bundle path), cert (path, or (cert, key)), cookies (the runtime's cookie
    store, see SessionCookies), max_redirects, and mounts: mount(prefix,
    pipeline) sends URLs starting with |prefix| through that pipeline
    template of the configuration (the longest prefix wins).

    Session(config=None, config_file=None, library=None, runtime=None): the
    runtime is built from config/config_file (None: the built-in one), or
    an existing Runtime is used (and not closed by close())."""

    def __init__(self, config: Any = None, config_file: Optional[str] = None, library: Optional[str] = None,
                 runtime: Optional[client.Runtime] = None) -> None:
        self._owns_runtime = runtime is None
        self._rt = runtime if runtime is not None else client.Runtime(config, config_file=config_file,
                                                                      library=library)
        self._rt.enable_cookies(True)
        self.headers: Dict[str, Optional[str]] = {}
        self.auth: Auth = None
        self.params: Dict[str, Any] = {}
        self.proxies: Dict[str, str] = {}
        self.verify: Union[bool, str] = True
        self.cert: Union[str, Tuple[str, str], None] = None
        self.max_redirects: int = 30
        self.mounts: Dict[str, str] = {}
        self.cookies = SessionCookies(self._rt)

    @property
    def runtime(self) -> client.Runtime:
        return self._rt

    def mount(self, prefix: str, pipeline: str) -> None:
        """Requests whose URL starts with |prefix| use the pipeline template
        |pipeline| (a key of the configuration's "pipelines")."""
        self.mounts[prefix] = pipeline

    def close(self) -> None:
        if self._owns_runtime:
            self._rt.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> bool:
        self.close()
        return False

    # -- building ----------------------------------------------------------

    def _build(self, method: str, url: str, params: Params = None, data: Any = None,
               headers: Optional[Mapping[str, Any]] = None, cookies: Optional[Mapping[str, str]] = None,
               files: Any = None, auth: Auth = None, timeout: Timeout = None, allow_redirects: bool = True,
               proxies: Optional[Mapping[str, str]] = None, verify: Union[bool, str, None] = None,
               cert: Union[str, Tuple[str, str], None] = None, json: Any = None,
               options: Optional[Dict[str, Any]] = None) -> Tuple[str, str, Dict[str, Any]]:
        options = dict(options or {})
        given = {"allow_redirects": True, "timeout": timeout is not None, "proxies": proxies is not None,
                 "cookies": cookies is not None, "data": data is not None, "json": json is not None,
                 "files": files is not None}
        for ours, theirs in _DERIVED.items():
            for name in theirs:
                if given[ours] and name in options:
                    raise TypeError("pass %s= or %s=, not both" % (ours, name))
        if json is not None and (data is not None or files is not None):
            raise TypeError("pass json= or data=/files=, not both")
        method = method.upper()
        merged_params = _pairs(self.params) + (_pairs(params) if not isinstance(params, (str, bytes)) else [])
        url = _with_params(url, merged_params)
        if isinstance(params, (str, bytes)):
            url = _with_params(url, params)
        # Headers: the session's, then the request's, case-insensitively.
        hdrs: Dict[str, Tuple[str, Any]] = {}
        for source in (self.headers, headers or {}):
            for k, v in (source.items() if hasattr(source, "items") else source):
                hdrs[k.lower()] = (k, v)
        body = options.pop("body", None)
        ctype = None
        if files is not None:
            body, ctype = _multipart(data, files)
        elif data is not None:
            if isinstance(data, (bytes, bytearray, memoryview, str)) or hasattr(data, "read") or (
                    not hasattr(data, "items") and not isinstance(data, (list, tuple))):
                body = data  # bytes, str, a file or an iterator: sent as is
            else:
                body = _encode_form(data)
                ctype = "application/x-www-form-urlencoded"
        elif json is not None:
            body = _json.dumps(json).encode("utf-8")
            ctype = "application/json"
        if ctype and "content-type" not in hdrs:
            hdrs["content-type"] = ("Content-Type", ctype)
        auth = auth if auth is not None else self.auth
        if auth is not None:
            if not isinstance(auth, (tuple, list)) or len(auth) != 2:
                raise TypeError("auth= takes a (user, password) pair")
            hdrs["authorization"] = ("Authorization", basic_auth(*auth))
        options["headers"] = [pair for pair in hdrs.values()]
        if body is not None:
            options["body"] = body
        if cookies:
            options["cookie"] = "; ".join("%s=%s" % (k, v) for k, v in _pairs(cookies))
        if timeout is not None:
            if isinstance(timeout, (tuple, list)):
                if len(timeout) != 2:
                    raise ValueError("timeout= takes a number or a (connect, read) pair")
                connect, read = timeout
            else:
                connect = read = timeout
            if connect is not None:
                options["connect_timeout"] = connect
            if read is not None:
                options["first_byte_timeout"] = read
                options["idle_timeout"] = read
        options["follow_redirects"] = bool(allow_redirects)
        options.setdefault("max_redirects", self.max_redirects)
        all_proxies = dict(self.proxies)
        all_proxies.update(proxies or {})
        if all_proxies:
            scheme = urllib.parse.urlsplit(url).scheme.lower()
            proxy = all_proxies.get(scheme, all_proxies.get("all"))
            if proxy is not None:
                options["proxy"] = proxy
        verify = self.verify if verify is None else verify
        cert = self.cert if cert is None else cert
        tls = dict(options.pop("tls", None) or {})
        if verify is False:
            tls["verify"] = False
        elif isinstance(verify, str):
            tls["ca_path" if os.path.isdir(verify) else "ca_file"] = verify
        if cert is not None:
            c, k = (cert, cert) if isinstance(cert, str) else tuple(cert)
            tls["cert"], tls["key"] = c, k
        if tls:
            options["tls"] = tls
        if "pipeline" not in options:
            best = ""
            for prefix in self.mounts:
                if url.startswith(prefix) and len(prefix) > len(best):
                    best = prefix
            if best:
                options["pipeline"] = self.mounts[best]
        return method, url, options

    @staticmethod
    def _history(resp: client.Response) -> client.Response:
        """requests' history: a Response per redirect followed (status, url,
        reason from its hop), oldest first."""
        history = []
        for hop in resp.hops[:-1]:
            h = client.Response()
            h.status, h.url, h.hops = hop["status"], hop["url"], [hop]
            history.append(h)
        resp.history = history
        return resp

    # -- requests ----------------------------------------------------------

    def request(self, method: str, url: str, params: Params = None, data: Any = None,
                headers: Optional[Mapping[str, Any]] = None, cookies: Optional[Mapping[str, str]] = None,
                files: Any = None, auth: Auth = None, timeout: Timeout = None, allow_redirects: bool = True,
                proxies: Optional[Mapping[str, str]] = None, stream: bool = False,
                verify: Union[bool, str, None] = None, cert: Union[str, Tuple[str, str], None] = None,
                json: Any = None, **options: Any) -> client.Response:
        """Runs one request; returns its Response (stream=True: a
        StreamingResponse whose body arrives through iter_content()).
        Raises a StrataError (a TimeoutError, ConnectError...) when no
        response came; HTTP error statuses are returned (raise_for_status())."""
        m, u, opts = self._build(method, url, params, data, headers, cookies, files, auth, timeout,
                                 allow_redirects, proxies, verify, cert, json, options)
        resp = self._rt.fetch(u, m, stream=stream, **opts)
        if stream:
            return resp
        return self._history(resp)

    def get(self, url: str, params: Params = None, **kwargs: Any) -> client.Response:
        return self.request("GET", url, params=params, **kwargs)

    def options(self, url: str, **kwargs: Any) -> client.Response:
        return self.request("OPTIONS", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> client.Response:
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", url, **kwargs)

    def post(self, url: str, data: Any = None, json: Any = None, **kwargs: Any) -> client.Response:
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str, data: Any = None, **kwargs: Any) -> client.Response:
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url: str, data: Any = None, **kwargs: Any) -> client.Response:
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> client.Response:
        return self.request("DELETE", url, **kwargs)


def request(method: str, url: str, config: Any = None, library: Optional[str] = None,
            **kwargs: Any) -> client.Response:
    """One request on a Session of its own (closed before returning, so
    stream=True is refused: use a Session)."""
    if kwargs.get("stream"):
        raise errors.UsageError(-1, "stream=True needs a Session that outlives the call")
    with Session(config, library=library) as s:
        return s.request(method, url, **kwargs)


def get(url: str, params: Params = None, **kwargs: Any) -> client.Response:
    return request("GET", url, params=params, **kwargs)


def options(url: str, **kwargs: Any) -> client.Response:
    return request("OPTIONS", url, **kwargs)


def head(url: str, **kwargs: Any) -> client.Response:
    kwargs.setdefault("allow_redirects", False)
    return request("HEAD", url, **kwargs)


def post(url: str, data: Any = None, json: Any = None, **kwargs: Any) -> client.Response:
    return request("POST", url, data=data, json=json, **kwargs)


def put(url: str, data: Any = None, **kwargs: Any) -> client.Response:
    return request("PUT", url, data=data, **kwargs)


def patch(url: str, data: Any = None, **kwargs: Any) -> client.Response:
    return request("PATCH", url, data=data, **kwargs)


def delete(url: str, **kwargs: Any) -> client.Response:
    return request("DELETE", url, **kwargs)
