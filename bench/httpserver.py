"""The benchmark's subgraph server: as little work per request as HTTP allows, so it is never the bottleneck.

One process per worker (forked), each serving every subgraph of a scenario
on that subgraph's own port (``SO_REUSEPORT``, so the kernel spreads the
gateways' connections over the workers). Requests are parsed with
httptools on uvloop; a POST's answer is looked up by its exact body bytes
in a per-worker memo of fully encoded HTTP responses, and only a body seen
for the first time is executed (by the subgraph's :meth:`answer`, e.g. a
:class:`bench.fedsub.FederatedSubgraph` on graphql-core).

Besides ``POST`` (any path) each port answers ``GET /health``, ``GET
/_stats`` (request and miss counts of every worker, from shared memory)
and ``GET /_bodies`` (this worker's distinct request bodies and how often
each came, for the subgraph capacity run).

Usage::

    python -m bench.httpserver --app bench.scenarios.gateways_benchmark.subgraphs:build \\
        --listen accounts=127.0.0.1:4201 --listen products=127.0.0.1:4203 --workers 2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import mmap
import os
import signal
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, cast

import httptools
import orjson

__all__ = ["Answerer", "main"]

_MEMO_LIMIT = 200_000  # distinct bodies per subgraph and worker; past it, answers are computed every time
_REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 500: b"Internal Server Error"}


class Answerer(Protocol):
    """What a subgraph must offer: the status and encoded JSON answer for a POST body."""

    def answer(self, body: bytes) -> tuple[int, bytes]: ...


def _http_response(status: int, payload: bytes) -> bytes:
    head = (
        b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
        b"keep-alive: timeout=75\r\n\r\n"
    ) % (status, _REASONS.get(status, b"OK"), len(payload))
    return head + payload


class _Counters:
    """Requests and memo misses per (worker, subgraph) in anonymous shared memory (created before fork)."""

    def __init__(self, workers: int, subgraphs: int) -> None:
        self.workers, self.subgraphs = workers, subgraphs
        self._memory = mmap.mmap(-1, workers * subgraphs * 2 * 8)
        self._slots = memoryview(self._memory).cast("q")
        self.worker = 0

    def add(self, subgraph: int, miss: bool) -> None:
        slot = ((self.worker * self.subgraphs) + subgraph) * 2
        self._slots[slot] += 1
        if miss:
            self._slots[slot + 1] += 1

    def totals(self, subgraph: int) -> tuple[int, int]:
        requests = misses = 0
        for worker in range(self.workers):
            slot = ((worker * self.subgraphs) + subgraph) * 2
            requests, misses = requests + self._slots[slot], misses + self._slots[slot + 1]
        return requests, misses


class _Endpoint:
    """One subgraph in one worker: its memo of encoded responses and its counters."""

    def __init__(self, name: str, index: int, subgraph: Answerer, counters: _Counters, delay_s: float):
        self.name, self.index, self.subgraph = name, index, subgraph
        self.counters, self.delay_s = counters, delay_s
        self.memo: dict[bytes, bytes] = {}
        self.seen: dict[bytes, int] = {}

    def post(self, body: bytes) -> bytes:
        response = self.memo.get(body)
        miss = response is None
        if response is None:
            try:
                status, payload = self.subgraph.answer(body)
            except Exception as exc:  # a bug in a scenario's resolvers: answer it, keep serving
                status, payload = 500, orjson.dumps({"errors": [{"message": f"subgraph error: {exc}"}]})
            response = _http_response(status, payload)
            if len(self.memo) < _MEMO_LIMIT:
                self.memo[body] = response
        self.counters.add(self.index, miss)
        self.seen[body] = self.seen.get(body, 0) + 1
        return response

    def get(self, path: bytes, endpoints: Sequence[_Endpoint]) -> bytes:
        if path == b"/health":
            return _http_response(200, b'{"status":"pass"}')
        if path == b"/_stats":
            stats: dict[str, Any] = {}
            for endpoint in endpoints:
                requests, misses = self.counters.totals(endpoint.index)
                stats[endpoint.name] = {"requests": requests, "misses": misses}
            return _http_response(200, orjson.dumps(stats))
        if path == b"/_bodies":
            bodies = [{"body": body.decode(), "count": count} for body, count in self.seen.items()]
            return _http_response(200, orjson.dumps(bodies))
        return _http_response(404, b'{"errors":[{"message":"not found"}]}')


class _Connection(asyncio.Protocol):
    def __init__(self, endpoint: _Endpoint, endpoints: Sequence[_Endpoint]) -> None:
        self.endpoint, self.endpoints = endpoint, endpoints
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""
        self.chunks: list[bytes] = []
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            if self.transport is not None:
                self.transport.write(_http_response(400, b'{"errors":[{"message":"bad HTTP request"}]}'))
                self.transport.close()

    # httptools callbacks
    def on_message_begin(self) -> None:
        self.url = b""
        self.chunks = []

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        if self.parser.get_method() == b"POST":
            body = self.chunks[0] if len(self.chunks) == 1 else b"".join(self.chunks)
            response = self.endpoint.post(body)
        else:
            response = self.endpoint.get(self.url.split(b"?", 1)[0], self.endpoints)
        keep_alive = self.parser.should_keep_alive()
        if self.endpoint.delay_s > 0:
            self.loop.call_later(self.endpoint.delay_s, self._write, response, keep_alive)
        else:
            self._write(response, keep_alive)

    def _write(self, response: bytes, keep_alive: bool) -> None:
        if self.transport is None:
            return
        self.transport.write(response)
        if not keep_alive:
            self.transport.close()


def _listening_socket(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def _worker(
    subgraphs: Mapping[str, Answerer],
    listen: Mapping[str, tuple[str, int]],
    counters: _Counters,
    delay_s: float,
) -> None:
    import gc

    gc.collect()
    gc.freeze()
    loop = _new_loop()
    asyncio.set_event_loop(loop)
    endpoints = [
        _Endpoint(name, index, subgraphs[name], counters, delay_s) for index, name in enumerate(listen)
    ]
    for endpoint in endpoints:
        host, port = listen[endpoint.name]

        def factory(endpoint: _Endpoint = endpoint) -> _Connection:
            return _Connection(endpoint, endpoints)

        loop.run_until_complete(loop.create_server(factory, sock=_listening_socket(host, port)))
    stop: asyncio.Future[None] = loop.create_future()

    def on_signal() -> None:
        if not stop.done():
            stop.set_result(None)

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal)
    loop.run_until_complete(stop)


def _load(app: str) -> Callable[[], Mapping[str, Answerer]]:
    module, _, attribute = app.partition(":")
    factory: Callable[[], Mapping[str, Answerer]] = getattr(importlib.import_module(module), attribute)
    return factory


def _address(text: str) -> tuple[str, tuple[str, int]]:
    name, _, address = text.partition("=")
    host, _, port = address.rpartition(":")
    if not name or not host or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected NAME=HOST:PORT, got {text!r}")
    return name, (host, int(port))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.httpserver", description=__doc__.split("\n")[0])
    parser.add_argument("--app", required=True, help="MODULE:FUNCTION returning {subgraph name: answerer}")
    parser.add_argument("--listen", action="append", type=_address, required=True, help="NAME=HOST:PORT")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--delay-ms", type=float, default=0.0, help="added to every answer")
    args = parser.parse_args(argv)
    listen = dict(args.listen)
    subgraphs = _load(args.app)()
    unknown = set(listen) - set(subgraphs)
    if unknown:
        parser.error(f"unknown subgraphs: {sorted(unknown)}")
    counters = _Counters(args.workers, len(listen))
    children: list[int] = []
    for index in range(args.workers):
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                counters.worker = index
                _worker(subgraphs, listen, counters, args.delay_ms / 1000)
            except BaseException as exc:
                print(f"subgraph worker {index} failed: {exc!r}", file=sys.stderr)
                code = 1
            finally:
                os._exit(code)
        children.append(pid)

    def stop(signum: int, frame: object) -> None:
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    code = 0
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid in children:
            children.remove(pid)
            if status != 0 and children:  # one worker died: take the others down with it
                code = 1
                stop(signal.SIGTERM, None)
    return code


if __name__ == "__main__":
    sys.exit(main())
