"""SAP Gateway's CSRF handshake for every write: one token per connector, fetched once, refreshed on a 403.

SAP refuses a modifying request (POST, PATCH, MERGE, DELETE, ``$batch``)
unless it carries an ``X-CSRF-Token`` fetched earlier *and* the session
cookie that came with it. :class:`CsrfSession` holds both for the whole
connector (the process's HTTP client is shared by every system, so the
session cookie is kept here and sent explicitly, not left to a cookie jar):

- the first write fetches the token (``GET <service>/`` with ``X-CSRF-Token:
  Fetch``: its own ``csrf_token`` call through the kit, so its own span);
  concurrent writes wait for that one fetch;
- every later write reuses it;
- a write answered 403 "CSRF token validation failed" (the token expired,
  or the server dropped the session) certainly did nothing, so
  :meth:`CsrfSession.write` drops the token, fetches a new one (sending the
  old cookie, so SAP renews the token within its session) and sends the
  write once more. A second refusal is an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import TypeVar

from resolvers.erp.odata import CsrfTokenRejected, OData
from resolvers.errors import UpstreamBadResponse
from resolvers.kit.call import ConnectorKit, LandedCheck
from resolvers.kit.upstream import UpstreamHttp

__all__ = ["CsrfSession", "CsrfToken"]

T = TypeVar("T")
SYSTEM = "erp"


@dataclass(frozen=True, slots=True)
class CsrfToken:
    """A fetched token and the session cookies it is only valid with."""

    token: str
    cookies: dict[str, str] = field(default_factory=dict)
    """Cookie name -> value as sent (``SAP_SESSIONID_<SID>_<client>``, ``sap-usercontext``)."""

    def headers(self) -> dict[str, str]:
        out = {"X-CSRF-Token": self.token}
        if self.cookies:
            out["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return out


def _cookies(set_cookie: list[str], previous: dict[str, str]) -> dict[str, str]:
    jar = dict(previous)
    for header in set_cookie:
        parsed: SimpleCookie = SimpleCookie()
        try:
            parsed.load(header)
        except CookieError:
            continue
        jar.update({name: morsel.coded_value for name, morsel in parsed.items()})
    return jar


class CsrfSession:
    """The connector's CSRF token and session; :meth:`write` sends a write with it (see module docstring)."""

    def __init__(self, kit: ConnectorKit, odata: OData) -> None:
        self._kit = kit
        self._odata = odata
        self._current: CsrfToken | None = None
        self._cookies: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def token(self, service: str) -> CsrfToken:
        """The current token, fetched (from ``service``'s root) if there is none."""
        current = self._current
        if current is not None:
            return current
        async with self._lock:
            if self._current is None:
                self._current = await self._fetch(service)
            return self._current

    def invalidate(self, stale: CsrfToken) -> None:
        """Forget ``stale`` (unless another write already replaced it)."""
        if self._current is stale:
            self._current = None

    async def _fetch(self, service: str) -> CsrfToken:
        odata = self._odata
        previous = dict(self._cookies)

        async def fetch(http: UpstreamHttp) -> CsrfToken:
            headers = CsrfToken("Fetch", previous).headers()
            response = await http.get(
                odata.url(service), params=odata.params(), headers=odata.headers(headers), check=False
            )
            odata.check(http, response)
            token = response.headers.get("x-csrf-token", "")
            if not token or token.lower() in ("fetch", "required"):
                raise UpstreamBadResponse(
                    "the token fetch answered no X-CSRF-Token",
                    system=http.system,
                    operation=http.operation,
                    status=response.status,
                )
            return CsrfToken(token, _cookies(response.headers.getall("Set-Cookie", []), previous))

        fetched = (await self._kit.read(SYSTEM, "csrf_token", fetch)).value
        self._cookies = dict(fetched.cookies)
        return fetched

    async def write(
        self,
        operation: str,
        service: str,
        send: Callable[[UpstreamHttp, CsrfToken], Awaitable[T]],
        *,
        landed: LandedCheck[T] | None = None,
    ) -> T:
        """``kit.write`` of ``send`` with the token; once more with a fresh token after a CSRF 403."""
        for attempt in range(2):
            token = await self.token(service)
            try:
                result = await self._kit.write(SYSTEM, operation, _bound(send, token), landed=landed)
            except CsrfTokenRejected:
                if attempt:
                    raise
                self.invalidate(token)
                continue
            return result.value
        raise AssertionError("unreachable")  # pragma: no cover


def _bound(
    send: Callable[[UpstreamHttp, CsrfToken], Awaitable[T]], token: CsrfToken
) -> Callable[[UpstreamHttp], Awaitable[T]]:
    async def fn(http: UpstreamHttp) -> T:
        return await send(http, token)

    return fn
