"""The one small HTTP client every connector talks through: one pooled aiohttp session per process.

aiohttp rather than httpx on this hot path (DESIGN.md "The HTTP client on hot
paths": httpx costs several times the CPU per call). :class:`HttpClient` owns
one ``aiohttp.ClientSession`` with a bounded connection pool whose idle
connections are closed *sooner* than the peers close them (so a request never
lands on a socket the peer is tearing down), a default and a per-call timeout,
and translation of every aiohttp / socket / timeout exception into
:mod:`resolvers.errors` (``raise ... from exc``, see :mod:`resolvers.translate`).

It returns every answer, whatever its status, as an :class:`HttpResponse`: the
connector knows how its system spells errors (OData envelope, Square
``errors``) and the kit's bound client raises for statuses (``check=True``).

Lifecycle: ``await client.start()`` inside the event loop that uses it (an app
lifespan), ``await client.close()`` at shutdown; or ``async with HttpClient()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDictProxy
from pydantic import BaseModel, ConfigDict, Field

from resolvers.errors import UpstreamBadResponse
from resolvers.translate import parse_retry_after, translate_transport_error

__all__ = ["HttpClient", "HttpResponse", "HttpSettings", "QueryParams"]

QueryParams = Mapping[str, str | int | float]
_TRANSPORT_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)


class HttpSettings(BaseModel):
    """Pool and timeout settings of the process's one HTTP client."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_connections: int = Field(100, ge=1)
    """Open connections across all systems."""
    max_connections_per_host: int = Field(32, ge=0)
    """Open connections to one host:port (0 = no per-host limit)."""
    keepalive_seconds: float = Field(4.0, gt=0)
    """Idle connections are closed after this; keep it below every peer's idle timeout (uvicorn: 5 s)."""
    connect_timeout: float = Field(3.0, gt=0)
    """Bound on establishing a connection, within the call's timeout."""
    default_timeout: float = Field(10.0, gt=0)
    """Total time for one request (connect, send, read the whole body) when the call gives none."""
    dns_cache_seconds: int = Field(300, ge=0)
    user_agent: str = "retail-gateway"


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """One answer, read in full: status, headers (case-insensitive), body bytes."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes
    url: str
    method: str
    system: str = ""
    operation: str = ""

    @property
    def ok(self) -> bool:
        """True for 2xx."""
        return 200 <= self.status < 300

    @property
    def retry_after(self) -> float | None:
        """Seconds from the ``Retry-After`` header, if any."""
        return parse_retry_after(self.headers.get("Retry-After"))

    def json(self) -> Any:
        """The body parsed as JSON; :class:`UpstreamBadResponse` if it is not JSON."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError as exc:
            raise UpstreamBadResponse(
                f"expected JSON from {self.method} {self.url}, got {self.body[:80]!r}",
                system=self.system,
                operation=self.operation,
                status=self.status,
            ) from exc

    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")


class HttpClient:
    """Requests through one pooled ``aiohttp.ClientSession``; start it in the loop that uses it."""

    def __init__(self, settings: HttpSettings | None = None) -> None:
        self.settings = settings or HttpSettings()
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[float, aiohttp.ClientTimeout] = {}

    @property
    def started(self) -> bool:
        return self._session is not None

    async def start(self) -> None:
        """Open the session and its connection pool (idempotent)."""
        if self._session is not None:
            return
        s = self.settings
        connector = aiohttp.TCPConnector(
            limit=s.max_connections,
            limit_per_host=s.max_connections_per_host,
            keepalive_timeout=s.keepalive_seconds,
            ttl_dns_cache=s.dns_cache_seconds or None,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout(s.default_timeout),
            headers={"User-Agent": s.user_agent},
            raise_for_status=False,
        )

    async def close(self) -> None:
        """Close the session and every pooled connection (safe to call twice)."""
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> HttpClient:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    def _timeout(self, total: float) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get(total)
        if timeout is None:
            if len(self._timeouts) > 64:
                self._timeouts.clear()
            connect = min(self.settings.connect_timeout, total)
            timeout = self._timeouts[total] = aiohttp.ClientTimeout(total=total, sock_connect=connect)
        return timeout

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: QueryParams | None = None,
        json: Any = None,
        data: bytes | str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - aiohttp enforces it, per request
        system: str = "",
        operation: str = "",
    ) -> HttpResponse:
        """Send one request and read the whole answer; transport failures raise connector errors.

        ``json`` (serialised with orjson) and ``data`` are exclusive; ``timeout``
        bounds the whole exchange (default ``settings.default_timeout``);
        ``system`` and ``operation`` label the errors. Never retries.
        """
        session = self._session
        if session is None:
            raise RuntimeError("HttpClient.start() must be awaited before request()")
        if json is not None and data is not None:
            raise ValueError("pass json or data, not both")
        send_headers = dict(headers) if headers else {}
        if json is not None:
            data = orjson.dumps(json)
            send_headers.setdefault("Content-Type", "application/json")
        try:
            async with session.request(
                method,
                url,
                headers=send_headers,
                params=params,
                data=data,
                timeout=self._timeout(timeout or self.settings.default_timeout),
                allow_redirects=False,
            ) as answer:
                body = await answer.read()
                return HttpResponse(
                    status=answer.status,
                    headers=answer.headers,
                    body=body,
                    url=str(answer.url),
                    method=method,
                    system=system,
                    operation=operation,
                )
        except _TRANSPORT_ERRORS as exc:
            raise translate_transport_error(exc, system=system, operation=operation, url=url) from exc
