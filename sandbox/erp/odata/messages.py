"""The transport-neutral request and response the engine works on (so $batch parts can reuse it)."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

__all__ = ["ODataRequest", "ODataResponse", "json_body"]


@dataclass(frozen=True)
class ODataRequest:
    """One request below a service root: ``path`` is relative (``A_SalesOrder('1')/to_Item``)."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    """Lower-case names."""
    body: bytes
    host_url: str
    """``scheme://host[:port]`` the client used, for absolute ``__metadata`` URIs and ``__next`` links."""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class ODataResponse:
    status: int
    body: bytes = b""
    media_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_body(payload: object, status: int = 200, headers: dict[str, str] | None = None) -> ODataResponse:
    return ODataResponse(status, orjson.dumps(payload), "application/json", dict(headers or {}))
