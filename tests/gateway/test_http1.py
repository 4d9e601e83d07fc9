"""The subgraph HTTP client over real sockets: reuse, framing, stale connections, limits and failures."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from gateway.http_client import SubgraphClient, SubgraphHTTPError

JSON = b'{"data":{"ok":true}}'


def _response(body: bytes = JSON, *, extra: bytes = b"", framing: str = "length") -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" + extra
    if framing == "length":
        return head + b"content-length: %d\r\n\r\n" % len(body) + body
    if framing == "chunked":
        half = len(body) // 2
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:half], body[half:]))
        return head + b"transfer-encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n"
    return head + b"connection: close\r\n\r\n" + body  # framed by the connection's end


Script = Callable[[int, bytes], bytes | None]  # (request number on this connection, request) -> answer


class RawServer:
    """A TCP server answering each request with what ``script`` says (None: close without answering)."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.requests: list[bytes] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/graphql"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        number = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                answer = self.script(number, request)
                number += 1
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if b"connection: close" in answer:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


Starter = Callable[[Script], Awaitable[RawServer]]


@pytest.fixture
async def serve() -> AsyncIterator[Starter]:
    servers: list[RawServer] = []

    async def start(script: Script) -> RawServer:
        raw = RawServer(script)
        raw.server = await asyncio.start_server(raw._serve, "127.0.0.1", 0)
        servers.append(raw)
        return raw

    yield start
    for raw in servers:
        assert raw.server is not None
        raw.server.close()
        for writer in raw.writers:
            writer.close()
    await asyncio.sleep(0.01)  # let the handlers see their connections end


async def _client(**options: float) -> SubgraphClient:
    client = SubgraphClient(dedupe=False, **options)  # type: ignore[arg-type]
    await client.start()
    return client


async def test_sequential_requests_reuse_one_kept_alive_connection(serve: Starter) -> None:
    raw = await serve(lambda n, request: _response())
    client = await _client()
    for _ in range(5):
        response = await client.post(raw.url, b"{}", {"Content-Type": "application/json"})
        assert (response.status, response.body, response.content_type) == (200, JSON, "application/json")
    await client.close()
    assert raw.connections == 1
    assert raw.requests[0].startswith(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}" in raw.requests[0]


@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
async def test_bodies_framed_by_length_chunks_or_the_connections_end_arrive_whole(
    serve: Starter, framing: str
) -> None:
    body = b'{"data":{"text":"' + b"x" * 100_000 + b'"}}'
    raw = await serve(lambda n, request: _response(body, framing=framing))
    client = await _client()
    assert [(await client.post(raw.url, b"{}", {})).body for _ in range(2)] == [body, body]
    await client.close()
    assert raw.connections == (2 if framing == "close" else 1)


async def test_a_gzip_body_is_decoded_and_an_informational_response_is_skipped(serve: Starter) -> None:
    packed = gzip.compress(JSON)
    raw = await serve(
        lambda n, request: (
            b"HTTP/1.1 100 Continue\r\n\r\n" + _response(packed, extra=b"content-encoding: gzip\r\n")
        )
    )
    client = await _client()
    assert (await client.post(raw.url, b"{}", {})).body == JSON
    await client.close()


async def test_a_query_on_a_connection_the_server_closed_while_idle_is_sent_again(serve: Starter) -> None:
    raw = await serve(lambda n, request: _response() if n == 0 else None)  # each connection answers once
    client = await _client()
    assert (await client.post(raw.url, b"{}", {})).status == 200
    assert (await client.post(raw.url, b"{}", {}, dedupe=True)).status == 200  # retried on a new connection
    assert (raw.connections, len(raw.requests)) == (2, 3)
    await client.close()


async def test_a_mutation_on_a_connection_that_closed_unanswered_fails_rather_than_run_twice(
    serve: Starter,
) -> None:
    raw = await serve(lambda n, request: _response() if n == 0 else None)
    client = await _client()
    await client.post(raw.url, b"{}", {})
    with pytest.raises(SubgraphHTTPError, match="closed the connection"):
        await client.post(raw.url, b'{"query":"mutation { m }"}', {}, dedupe=False)
    assert len(raw.requests) == 2
    await client.close()


async def test_an_idle_connection_older_than_the_keepalive_is_not_reused(serve: Starter) -> None:
    raw = await serve(lambda n, request: _response())
    client = await _client(keepalive_s=0.05)
    await client.post(raw.url, b"{}", {})
    await asyncio.sleep(0.1)
    await client.post(raw.url, b"{}", {})
    assert raw.connections == 2
    await client.close()


async def test_concurrent_requests_open_at_most_max_connections(serve: Starter) -> None:
    raw = await serve(lambda n, request: _response())
    client = await _client(max_connections=2)
    answers = await asyncio.gather(*(client.post(raw.url, b"{}", {}) for _ in range(20)))
    assert {a.status for a in answers} == {200}
    assert raw.connections <= 2
    await client.close()


async def test_a_slow_subgraph_times_out_with_a_clear_error(serve: Starter) -> None:
    raw = await serve(lambda n, request: b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{")  # never finishes
    client = await _client(timeout_s=0.2)
    with pytest.raises(SubgraphHTTPError, match="timed out calling"):
        await client.post(raw.url, b"{}", {})
    await client.close()


async def test_an_oversized_answer_is_refused(serve: Starter) -> None:
    raw = await serve(lambda n, request: _response(b"x" * 5_000))
    client = await _client(max_response_bytes=1_000)
    with pytest.raises(SubgraphHTTPError, match="larger than 1000 bytes"):
        await client.post(raw.url, b"{}", {})
    await client.close()


async def test_a_malformed_answer_is_an_error_not_a_hang(serve: Starter) -> None:
    raw = await serve(lambda n, request: b"SMTP ready\r\n\r\n")
    client = await _client(timeout_s=5)
    with pytest.raises(SubgraphHTTPError, match="malformed HTTP response"):
        await client.post(raw.url, b"{}", {})
    await client.close()


@pytest.mark.parametrize(
    ("value", "refusal"),
    [("x\r\nX-Admin: 1", "invalid request header"), ("caf\u00e9\u2603", "not latin-1")],
    ids=["would split the request", "outside latin-1"],
)
async def test_a_header_value_that_http_cannot_carry_is_refused_not_sent(value: str, refusal: str) -> None:
    client = await _client()
    with pytest.raises(SubgraphHTTPError, match=refusal):
        await client.post("http://127.0.0.1:9/graphql", b"{}", {"authorization": value})
    await client.close()


async def test_a_path_with_spaces_or_non_ascii_characters_is_sent_percent_encoded(serve: Starter) -> None:
    raw = await serve(lambda n, request: _response())
    client = await _client()
    await client.post(raw.url.replace("/graphql", "/sub graph/\u00fc") + "?v=\u00fc&w=%20", b"{}", {})
    await client.close()
    assert raw.requests[0].startswith(b"POST /sub%20graph/%C3%BC?v=%C3%BC&w=%20 HTTP/1.1\r\n")


async def test_an_unreachable_subgraph_is_a_clear_error() -> None:
    client = await _client()
    with pytest.raises(SubgraphHTTPError, match=r"could not reach http://127\.0\.0\.1:9/graphql"):
        await client.post("http://127.0.0.1:9/graphql", b"{}", {})
    with pytest.raises(SubgraphHTTPError, match="not an http"):
        await client.post("ftp://127.0.0.1/graphql", b"{}", {})
    await client.close()


async def test_close_closes_busy_connections_too(serve: Starter) -> None:
    raw = await serve(lambda n, request: b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{")
    client = await _client()
    pending = asyncio.ensure_future(client.post(raw.url, b"{}", {}))
    await asyncio.sleep(0.05)
    await client.close()
    with pytest.raises(SubgraphHTTPError, match="closed the connection"):
        await pending


async def test_a_socket_is_not_reused_once_the_servers_keep_alive_timeout_nears(serve: Starter) -> None:
    raw = await serve(lambda n, request: _response(extra=b"keep-alive: timeout=1\r\n"))
    client = await _client(keepalive_s=30)
    await client.post(raw.url, b"{}", {})
    await client.post(raw.url, b"{}", {})  # at once: the same connection
    await asyncio.sleep(0.6)  # past half the server's one second
    await client.post(raw.url, b"{}", {})
    assert (raw.connections, len(raw.requests)) == (2, 3)
    await client.close()
