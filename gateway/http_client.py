"""The one pooled HTTP client for subgraph calls (aiohttp: ~9x less CPU per call than httpx here).

:class:`SubgraphClient` owns one ``aiohttp.ClientSession`` per process with
a bounded, keep-alive connection pool (idle connections are closed sooner
than subgraphs close them, so a request never lands on a dying socket),
timeouts, and optional de-duplication of identical in-flight requests:
while one POST with a given URL and body is under way, the same request
waits for its answer instead of sending again. Every waiter parses its own
copy of the body.

Errors: :class:`SubgraphHTTPError` (code ``SUBGRAPH_HTTP_ERROR``) for
transport failures and timeouts, with the cause chained.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp

from gateway.errors import GatewayError

__all__ = ["SubgraphClient", "SubgraphHTTPError", "SubgraphResponse"]


class SubgraphHTTPError(GatewayError):
    code = "SUBGRAPH_HTTP_ERROR"


@dataclass(frozen=True, slots=True)
class SubgraphResponse:
    status: int
    body: bytes
    content_type: str


class SubgraphClient:
    """POSTs to subgraphs through one pooled session. Start it inside the event loop that uses it."""

    def __init__(
        self,
        *,
        timeout_s: float = 30.0,
        connect_timeout_s: float = 5.0,
        keepalive_s: float = 4.0,
        max_connections: int = 256,
        dedupe: bool = True,
    ) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=connect_timeout_s)
        self.keepalive_s = keepalive_s
        self.max_connections = max_connections
        self.dedupe = dedupe
        self._session: aiohttp.ClientSession | None = None
        self._in_flight: dict[tuple[str, bytes], asyncio.Future[SubgraphResponse]] = {}

    async def start(self) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self.max_connections, keepalive_timeout=self.keepalive_s, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self.timeout, skip_auto_headers=("User-Agent",)
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(
        self, url: str, body: bytes, headers: dict[str, str], dedupe: bool = True
    ) -> SubgraphResponse:
        """POST ``body``; identical concurrent POSTs share one request when de-duplication is on."""
        if not (self.dedupe and dedupe):
            return await self._send(url, body, headers)
        key = (url, body)
        pending = self._in_flight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[SubgraphResponse] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            response = await self._send(url, body, headers)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters get it through shield
            raise
        else:
            future.set_result(response)
            return response
        finally:
            del self._in_flight[key]

    async def _send(self, url: str, body: bytes, headers: dict[str, str]) -> SubgraphResponse:
        if self._session is None:
            await self.start()
        assert self._session is not None
        try:
            async with self._session.post(url, data=body, headers=headers) as response:
                payload = await response.read()
                return SubgraphResponse(response.status, payload, response.headers.get("Content-Type", ""))
        except TimeoutError as exc:
            raise SubgraphHTTPError(f"timed out calling {url}") from exc
        except aiohttp.ClientError as exc:
            raise SubgraphHTTPError(f"could not reach {url}: {exc}") from exc
