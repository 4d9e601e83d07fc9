"""A lean HTTP/1.1 keep-alive client for subgraph POSTs: httptools' parser on an asyncio ``Protocol``.

The gateway's one hot outbound path is "POST a JSON body to a subgraph,
read the whole JSON answer". aiohttp's general client costs ~100-150 us
of CPU per such call here (request/response objects, header multidicts,
URL objects, timers, payload registries); this client does the same
exchange in ~20 us (measured side by side against the benchmark's
subgraph server; bench/README.md). What it does, and no more:

- one pool per origin (scheme, host, port) of keep-alive connections, at
  most ``max_connections`` open at once per origin (callers beyond that
  wait for a free one, within their timeout); idle connections are reused
  newest first and dropped once idle for ``keepalive_s`` (set it below the
  subgraphs' own keep-alive timeout, so a request never lands on a socket
  the server is closing), or sooner when the server's ``Keep-Alive:
  timeout=N`` says it closes idle sockets sooner (then a second before, or
  at half of a shorter one);
- TLS for ``https://`` URLs (the default verifying context);
- responses framed by Content-Length, chunked encoding or connection
  close; gzip/deflate bodies decoded (none are asked for); 1xx skipped;
  bodies above ``max_response_bytes`` refused;
- a total timeout per exchange (connect has its own, shorter one);
- a request on a reused connection that the server closed before sending
  a byte of the answer is retried once on a new connection, when the
  caller says the request is safe to repeat (queries).

Failures raise :class:`HTTPClientError` with a message naming the URL.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import quote, urlsplit

import httptools

__all__ = ["HTTPClientError", "HTTPPool", "Target"]

_TOKEN = re.compile(rb"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
_BAD_VALUE = re.compile(rb"[\r\n\x00]")
_URL_SAFE = "/%:@!$&'()*+,;=-._~"
_KEEP_ALIVE_TIMEOUT = re.compile(rb"timeout\s*=\s*(\d+)", re.IGNORECASE)


class HTTPClientError(Exception):
    """A subgraph could not be reached or did not answer in HTTP/1.1 (or in time)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A URL, parsed once: where to connect and the request line's fixed part."""

    host: str
    port: int
    tls: bool
    head: bytes  # b"POST /path HTTP/1.1\r\nHost: host:port\r\n"

    @classmethod
    def parse(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise HTTPClientError(f"not an http(s) URL: {url!r}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise HTTPClientError(f"bad port in {url!r}") from exc
        # Characters a request line cannot carry (spaces, non-ASCII) percent-encoded; escapes kept.
        path = quote(parts.path or "/", safe=_URL_SAFE)
        if parts.query:
            path += "?" + quote(parts.query, safe=_URL_SAFE + "?")
        host = parts.netloc.rpartition("@")[2]
        try:
            host = host if host.isascii() else host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise HTTPClientError(f"bad host name in {url!r}") from exc
        head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\n".encode("ascii")
        return cls(parts.hostname, port, parts.scheme == "https", head)


def header_block(headers: Mapping[str, str]) -> bytes:
    """``headers`` as request header lines; refuses names and values that would split the request."""
    lines = []
    for name, value in headers.items():
        try:
            raw_name, raw_value = name.encode("latin-1"), value.encode("latin-1")
        except UnicodeEncodeError:
            raise HTTPClientError(f"invalid request header {name!r}: not latin-1") from None
        if not _TOKEN.match(raw_name) or _BAD_VALUE.search(raw_value):
            raise HTTPClientError(f"invalid request header {name!r}")
        lines.append(b"%s: %s\r\n" % (raw_name, raw_value))
    return b"".join(lines)


class _Connection(asyncio.Protocol):
    """One socket; one exchange at a time. Its answer arrives through ``waiter``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int, live: set[_Connection]) -> None:
        self.loop, self.limit, self.live = loop, limit, live
        self.lost: asyncio.Future[None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[tuple[int, bytes, str]] | None = None
        self.closed = False
        self.reusable = False
        self.reused = False
        self.idle_since = 0.0
        self.idle_limit: float | None = None  # from the server's Keep-Alive: timeout=N
        self._reset()

    def _reset(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.received = False
        self.headers_done = False
        self.framed = False  # Content-Length or chunked: the body's end is known without EOF
        self.content_type = ""
        self.encoding = b""

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self.live.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.live.discard(self)
        if not self.lost.done():
            self.lost.set_result(None)
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        if self.headers_done and not self.framed:
            self._finish()  # the body ran to the end of the connection
        else:
            waiter.set_exception(_Lost(self.received, exc))

    def data_received(self, data: bytes) -> None:
        if self.waiter is None:  # nothing was asked: the server is not speaking HTTP/1.1 to us
            self.close()
            return
        self.received = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(HTTPClientError(f"malformed HTTP response: {exc}"))

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        lowered = name.lower()
        if lowered == b"content-type":
            self.content_type = value.decode("latin-1")
        elif lowered == b"content-length":
            self.framed = True
        elif lowered == b"transfer-encoding":
            self.framed = self.framed or b"chunked" in value.lower()
        elif lowered == b"content-encoding":
            self.encoding = value.strip().lower()
        elif lowered == b"keep-alive" and (found := _KEEP_ALIVE_TIMEOUT.search(value)):
            seconds = int(found.group(1))
            self.idle_limit = max(seconds - 1.0, seconds / 2)

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, body: bytes) -> None:
        self.size += len(body)
        if self.size > self.limit:
            self._fail(HTTPClientError(f"response larger than {self.limit} bytes"))
            return
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        if self.parser.get_status_code() < 200:  # 100 Continue and friends: the answer follows
            self._reset()
            self.received = True
            return
        self.reusable = self.parser.should_keep_alive()  # valid only until the next message starts
        self._finish()

    # the exchange
    async def exchange(self, data: bytes, deadline: float) -> tuple[int, bytes, str]:
        assert self.transport is not None
        waiter: asyncio.Future[tuple[int, bytes, str]] = self.loop.create_future()
        self.waiter = waiter
        self.reusable = False
        timer = self.loop.call_at(deadline, self._expire)
        try:
            self.transport.write(data)
            return await waiter
        finally:
            timer.cancel()
            self.waiter = None
            self._reset()

    def keep_alive(self) -> bool:
        return not self.closed and self.reusable

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    def _finish(self) -> None:
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        body = b"".join(self.chunks)
        if self.encoding in (b"gzip", b"deflate"):
            try:
                body = zlib.decompress(body, 47 if self.encoding == b"gzip" else 15)
            except zlib.error as exc:
                waiter.set_exception(HTTPClientError(f"undecodable {self.encoding.decode()} body: {exc}"))
                return
        elif self.encoding not in (b"", b"identity"):
            waiter.set_exception(HTTPClientError(f"unsupported content-encoding {self.encoding.decode()}"))
            return
        waiter.set_result((self.parser.get_status_code(), body, self.content_type))

    def _fail(self, exc: Exception) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
        self.close()

    def _expire(self) -> None:
        self._fail(TimeoutError())


class _Lost(Exception):
    """The connection closed before the answer was complete."""

    def __init__(self, received: bool, cause: Exception | None) -> None:
        super().__init__(str(cause) if cause else "connection closed")
        self.received = received


@dataclass(slots=True)
class _Origin:
    """One origin's pool: a slot per connection it may open, and its idle connections (newest last)."""

    slots: asyncio.Semaphore
    idle: list[_Connection] = field(default_factory=list)


class HTTPPool:
    """Keep-alive connections per origin, and the POST exchange over them. Use inside one event loop."""

    def __init__(
        self,
        *,
        timeout_s: float,
        connect_timeout_s: float,
        keepalive_s: float,
        max_connections: int,
        max_response_bytes: int,
    ) -> None:
        self.timeout_s, self.connect_timeout_s = timeout_s, connect_timeout_s
        self.keepalive_s, self.max_connections = keepalive_s, max_connections
        self.max_response_bytes = max_response_bytes
        self._targets: dict[str, Target] = {}
        self._origins: dict[tuple[str, int, bool], _Origin] = {}
        self._ssl: ssl.SSLContext | None = None
        self._live: set[_Connection] = set()
        self._closed = False

    def target(self, url: str) -> Target:
        target = self._targets.get(url)
        if target is None:
            target = Target.parse(url)
            if len(self._targets) >= 4096:  # subgraph URLs are few; never let odd ones pile up
                self._targets.clear()
            self._targets[url] = target
        return target

    async def post(self, url: str, body: bytes, headers: bytes, *, retry: bool) -> tuple[int, bytes, str]:
        """POST ``body`` with ``headers`` (lines from :func:`header_block`): (status, body, content type)."""
        target = self.target(url)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        data = b"%s%sContent-Length: %d\r\n\r\n%s" % (target.head, headers, len(body), body)
        origin = self._origin(target)
        if origin.slots.locked():
            try:
                await asyncio.wait_for(origin.slots.acquire(), max(deadline - loop.time(), 0))
            except TimeoutError:
                raise HTTPClientError(f"timed out waiting for a connection to {url}") from None
        else:
            await origin.slots.acquire()
        try:
            return await self._exchange(origin, target, data, deadline, retry, url)
        finally:
            origin.slots.release()

    async def close(self) -> None:
        """Close every connection, idle or busy (busy exchanges fail), and wait until they are closed."""
        self._closed = True
        self._origins.clear()
        closing = list(self._live)
        for connection in closing:
            connection.close()
        if closing:
            await asyncio.wait([connection.lost for connection in closing], timeout=5)

    async def _exchange(
        self, origin: _Origin, target: Target, data: bytes, deadline: float, retry: bool, url: str
    ) -> tuple[int, bytes, str]:
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            connection = self._idle(origin, loop.time()) or await self._connect(target, deadline, url)
            try:
                result = await connection.exchange(data, deadline)
            except _Lost as lost:
                connection.close()
                if retry and attempt == 1 and connection.reused and not lost.received:
                    continue  # the server closed an idle connection as we sent: nothing was done
                raise HTTPClientError(f"{url} closed the connection: {lost}") from None
            except TimeoutError:
                connection.close()
                raise HTTPClientError(f"timed out calling {url}") from None
            except BaseException:
                connection.close()  # cancelled or failed mid-exchange: the socket's state is unknown
                raise
            if connection.keep_alive() and not self._closed:
                connection.reused = True
                connection.idle_since = loop.time()
                origin.idle.append(connection)
            else:
                connection.close()
            return result
        raise AssertionError("unreachable")

    def _origin(self, target: Target) -> _Origin:
        key = (target.host, target.port, target.tls)
        origin = self._origins.get(key)
        if origin is None:
            origin = self._origins[key] = _Origin(slots=asyncio.Semaphore(self.max_connections))
        return origin

    def _idle(self, origin: _Origin, now: float) -> _Connection | None:
        idle = origin.idle
        while idle:
            connection = idle.pop()  # newest first: the likeliest to be alive
            if connection.closed:
                continue
            limit = self.keepalive_s
            if connection.idle_limit is not None and connection.idle_limit < limit:
                limit = connection.idle_limit
            if now - connection.idle_since >= limit:
                connection.close()  # the server may be closing it: older ones are looked at in turn
                continue
            return connection
        return None

    async def _connect(self, target: Target, deadline: float, url: str) -> _Connection:
        loop = asyncio.get_running_loop()
        context: ssl.SSLContext | None = None
        if target.tls:
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            context = self._ssl
        limit = self.max_response_bytes
        budget = min(self.connect_timeout_s, max(deadline - loop.time(), 0))
        try:
            connecting = loop.create_connection(
                lambda: _Connection(loop, limit, self._live), target.host, target.port, ssl=context
            )
            _, protocol = await asyncio.wait_for(connecting, budget)
        except TimeoutError:
            raise HTTPClientError(f"timed out connecting to {url}") from None
        except OSError as exc:
            raise HTTPClientError(f"could not reach {url}: {exc.strerror or exc}") from None
        return protocol
