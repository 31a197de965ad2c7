"""strata.AsyncSession: the Session surface for asyncio, with no thread.

    async with strata.AsyncSession() as s:
        r = await s.get(url)
        rs = await asyncio.gather(*(s.get(u) for u in urls))
        async with s.stream("GET", url) as r:
            print(r.status_code, r.headers)
            async for chunk in r.aiter_bytes():
                ...

The runtime's descriptor (strata_runtime_fd) is watched with
loop.add_reader and its next deadline (strata_runtime_timeout_ms) with
loop.call_later; each wake-up runs the runtime once without waiting
(strata_runtime_run(rt, 0)). Cancelling the task that awaits a request
cancels its transfer (strata_transfer_cancel). A session belongs to the
event loop it was first used in.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any, AsyncIterator, Optional, Set

from . import client, errors
from .sessions import Session


class AsyncStreamingResponse(client.Response):
    """The response of AsyncSession.stream(): status_code, reason, headers
    are set when the `async with` body starts; the body arrives through
    aiter_bytes()/aiter_content(), aiter_lines() or aread(). The other
    attributes (hops, timings, ...) are filled when the transfer ends.
    Leaving the `async with` block cancels an unfinished transfer."""

    def __init__(self, session: "AsyncSession", transfer: client.Transfer) -> None:
        super().__init__()
        self._session = session
        self._transfer = transfer
        self._waiter: Optional[asyncio.Future] = None
        self._head = False
        self._consumed = False

    def _poll(self) -> None:
        """After each run of the runtime: wake the reader if something came."""
        t = self._transfer
        if not self._head and (t.done or t._peek_head(self)):
            self._head = True
        w = self._waiter
        if w is not None and not w.done() and self._head and (t._chunks or t.done):
            w.set_result(None)

    async def _wait(self) -> None:
        self._waiter = self._session._loop.create_future()
        self._poll()
        try:
            await self._waiter
        finally:
            self._waiter = None

    async def _wait_head(self) -> None:
        while not self._head:
            await self._wait()
        t = self._transfer
        if t.done and t._error is not None:
            raise t._error
        if t._response is not None:
            self._finish()

    def _finish(self) -> None:
        final = self._transfer._response
        if final is not None:
            final._materialize()
            self._headers = final.headers
            body = self._body
            self.__dict__.update({k: v for k, v in final.__dict__.items() if not k.startswith("_")})
            self._body = body
            Session._history(self)

    async def aiter_bytes(self, chunk_size: Optional[int] = None) -> AsyncIterator[bytes]:
        """The body as it arrives (pieces of |chunk_size| bytes if given)."""
        if self._consumed:
            raise errors.UsageError(-5, "the body of a streamed response can be read once")
        self._consumed = True
        t = self._transfer
        pending = bytearray()
        while True:
            for piece in client._rechunk(t._chunks, pending, chunk_size):
                yield piece
            if t.done:
                break
            await self._wait()
        if pending:
            yield bytes(pending)
        if t._error is not None:
            raise t._error
        self._finish()

    aiter_content = aiter_bytes

    async def aiter_lines(self) -> AsyncIterator[str]:
        pending = ""
        async for chunk in self.aiter_bytes():
            pending += chunk.decode(self.encoding, "replace")
            lines = pending.splitlines(keepends=True)
            pending = lines.pop() if lines and not lines[-1].endswith(("\n", "\r")) else ""
            for line in lines:
                yield line.rstrip("\r\n")
        if pending:
            yield pending

    async def aread(self) -> bytes:
        if not self._consumed:
            self._body = b"".join([c async for c in self.aiter_bytes()])
        return self._body

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        self._session._streams.discard(self)
        if not self._transfer.done:
            self._transfer.cancel()
        self._transfer.close()


class _StreamContext:
    def __init__(self, session: "AsyncSession", method: str, url: str, kwargs: dict) -> None:
        self._session, self._method, self._url, self._kwargs = session, method, url, kwargs
        self._resp: Optional[AsyncStreamingResponse] = None

    async def __aenter__(self) -> AsyncStreamingResponse:
        s = self._session
        s._attach()
        m, u, opts = s._build_kwargs(self._method, self._url, self._kwargs)
        t = s._rt.submit(u, m, _stream=True, **opts)
        resp = AsyncStreamingResponse(s, t)
        self._resp = resp
        s._streams.add(resp)
        s._kick()
        try:
            await resp._wait_head()
        except BaseException:
            resp.close()
            raise
        return resp

    async def __aexit__(self, *exc: Any) -> bool:
        if self._resp is not None:
            self._resp.close()
        return False


class AsyncSession(Session):
    """Session for asyncio: the same attributes and keyword arguments, with
    `await s.get(...)`, `await s.request(...)` and `async with
    s.stream(method, url, ...)`. Close it with `async with` or aclose()."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._fd = -1
        self._timer: Optional[asyncio.TimerHandle] = None
        self._timer_at: Optional[float] = None
        self._scheduled = False
        self._waiting: Set[asyncio.Future] = set()
        self._streams: Set[AsyncStreamingResponse] = set()

    # -- the loop ----------------------------------------------------------

    def _attach(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        if self._loop is not None and not self._loop.is_closed():
            raise RuntimeError("this AsyncSession belongs to another event loop")
        self._loop = loop
        self._fd = self._rt.fileno()
        loop.add_reader(self._fd, self._drive)

    def _kick(self) -> None:
        """Runs the runtime soon (a new transfer has work to do at once)."""
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._drive)

    def _drive(self) -> None:
        self._scheduled = False
        if self._rt.closed:
            return
        try:
            self._rt.run(0)
        except BaseException as e:  # an event callback's exception: to every waiter
            for fut in list(self._waiting):
                if not fut.done():
                    fut.set_exception(e)
        for resp in list(self._streams):
            resp._poll()
        self._arm_timer()

    def _arm_timer(self) -> None:
        if not self._rt._transfers:
            if self._timer is not None:
                self._timer.cancel()
                self._timer, self._timer_at = None, None
            return
        timeout = self._rt.timeout()
        if timeout is None:
            return
        at = self._loop.time() + timeout
        if self._timer is not None:
            if self._timer_at is not None and abs(self._timer_at - at) < 0.001:
                return
            self._timer.cancel()
        self._timer_at = at
        self._timer = self._loop.call_at(at, self._on_timer)

    def _on_timer(self) -> None:
        self._timer, self._timer_at = None, None
        self._drive()

    # -- requests ----------------------------------------------------------

    def _build_kwargs(self, method: str, url: str, kwargs: dict):
        kw = dict(kwargs)
        names = ("params", "data", "headers", "cookies", "files", "auth", "timeout", "allow_redirects", "proxies",
                 "verify", "cert", "json")
        args = [kw.pop(n, None) for n in names]
        if args[7] is None:
            args[7] = True  # allow_redirects
        if kw.pop("stream", False):
            raise TypeError("stream=True: use `async with session.stream(method, url)`")
        return self._build(method, url, *args, options=kw)

    async def request(self, method: str, url: str, **kwargs: Any) -> client.Response:  # type: ignore[override]
        """As Session.request, awaited. Cancelling the awaiting task cancels
        the transfer."""
        self._attach()
        m, u, opts = self._build_kwargs(method, url, kwargs)
        t = self._rt.submit(u, m, **opts)
        fut = self._loop.create_future()

        def done(_t: client.Transfer) -> None:
            if not fut.done():
                fut.set_result(None)

        t._on_done = done
        if t.done:
            done(t)
        self._waiting.add(fut)
        self._kick()
        try:
            await fut
        except asyncio.CancelledError:
            t.cancel()
            t.close()
            raise
        finally:
            self._waiting.discard(fut)
        return self._history(t.result())

    async def get(self, url: str, **kwargs: Any) -> client.Response:  # type: ignore[override]
        return await self.request("GET", url, **kwargs)

    async def options(self, url: str, **kwargs: Any) -> client.Response:  # type: ignore[override]
        return await self.request("OPTIONS", url, **kwargs)

    async def head(self, url: str, **kwargs: Any) -> client.Response:  # type: ignore[override]
        kwargs.setdefault("allow_redirects", False)
        return await self.request("HEAD", url, **kwargs)

    async def post(self, url: str, data: Any = None, json: Any = None,  # type: ignore[override]
                   **kwargs: Any) -> client.Response:
        return await self.request("POST", url, data=data, json=json, **kwargs)

    async def put(self, url: str, data: Any = None, **kwargs: Any) -> client.Response:  # type: ignore[override]
        return await self.request("PUT", url, data=data, **kwargs)

    async def patch(self, url: str, data: Any = None, **kwargs: Any) -> client.Response:  # type: ignore[override]
        return await self.request("PATCH", url, data=data, **kwargs)

    async def delete(self, url: str, **kwargs: Any) -> client.Response:  # type: ignore[override]
        return await self.request("DELETE", url, **kwargs)

    def stream(self, method: str, url: str, **kwargs: Any) -> _StreamContext:
        """`async with s.stream("GET", url) as r:` status and headers at
        once, the body through r.aiter_bytes()."""
        return _StreamContext(self, method, url, kwargs)

    # -- lifetime ----------------------------------------------------------

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._loop is not None and self._fd >= 0 and not self._loop.is_closed():
            self._loop.remove_reader(self._fd)
        self._fd = -1
        self._loop = None
        super().close()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> "AsyncSession":
        return self

    async def __aexit__(self, *exc: Any) -> bool:
        self.close()
        return False
