"""Small wire-format helpers: timestamps, amounts, addresses, sequence ids, query parameters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from starlette.datastructures import QueryParams

from sandbox.oms.errors import OmsError
from sandbox.world import Address

__all__ = [
    "MAX_PAGE_SIZE",
    "Page",
    "iso",
    "iso_or_none",
    "item_seq_id",
    "list_param",
    "money",
    "page_of",
    "page_params",
    "parse_datetime",
    "postal_address",
    "seq_id",
]

T = TypeVar("T")

MAX_PAGE_SIZE = 250
_DEFAULT_PAGE_SIZE = 20
_ISO3 = {"US": "USA", "CA": "CAN", "GB": "GBR", "DE": "DEU", "FR": "FRA", "MX": "MEX"}


def iso(at: datetime) -> str:
    """ISO-8601 in UTC with milliseconds and a ``Z``: ``2026-10-01T12:00:00.000Z``."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_or_none(at: datetime | None) -> str | None:
    return None if at is None else iso(at)


def money(cents: int | None) -> float | None:
    """An amount as a JSON number with two decimals (``2499`` -> ``24.99``)."""
    return None if cents is None else round(cents / 100, 2)


def seq_id(number: int) -> str:
    """OFBiz five-digit sequence ids: ship groups ``00001``, return items ``00001``."""
    return f"{number:05d}"


def item_seq_id(line_no: int) -> str:
    """Order item sequence ids as HotWax writes them: line 1 -> ``00101``."""
    return f"{100 + line_no:05d}"


def postal_address(address: Address, to_name: str | None = None) -> dict[str, Any]:
    """A world address as an OFBiz PostalAddress."""
    return {
        "toName": to_name,
        "address1": address.line1,
        "address2": address.line2,
        "city": address.city,
        "stateProvinceGeoId": address.region,
        "postalCode": address.postal_code,
        "countryGeoId": _ISO3.get(address.country_code, address.country_code),
    }


def parse_datetime(value: str, field: str) -> datetime:
    """An ISO-8601 timestamp (naive means UTC) or a 400 naming the parameter."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise OmsError(
            400, "INVALID_PARAMETER", f"[{field}] is not an ISO-8601 timestamp.", [{"field": field}]
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def list_param(params: QueryParams, name: str, valid: Sequence[str] | None = None) -> set[str] | None:
    """A filter that takes one value or a comma-separated list; checked against ``valid`` if given."""
    raw = params.getlist(name)
    if not raw:
        return None
    values = {v.strip() for chunk in raw for v in chunk.split(",") if v.strip()}
    if not values:
        raise OmsError(400, "INVALID_PARAMETER", f"[{name}] must not be empty.", [{"field": name}])
    if valid is not None and not values <= set(valid):
        bad = sorted(values - set(valid))
        raise OmsError(
            400,
            "INVALID_PARAMETER",
            f"[{name}] has unknown values {bad}.",
            [{"field": name, "invalid": bad, "valid": list(valid)}],
        )
    return values


def _int_param(params: QueryParams, name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise OmsError(400, "INVALID_PARAMETER", f"[{name}] must be an integer {bound}.", [{"field": name}])
    return value


class Page:
    """``pageIndex`` (zero-based) and ``pageSize`` (1..250, default 20), Moqui style."""

    def __init__(self, index: int, size: int) -> None:
        self.index, self.size = index, size

    @property
    def start(self) -> int:
        return self.index * self.size

    def headers(self, total: int) -> dict[str, str]:
        """Moqui's paging headers, alongside the ``<entity>Count`` field of the body."""
        max_index = max(0, (total - 1) // self.size)
        return {
            "X-Total-Count": str(total),
            "X-Page-Index": str(self.index),
            "X-Page-Size": str(self.size),
            "X-Page-Max-Index": str(max_index),
        }


def page_params(params: QueryParams) -> Page:
    index = _int_param(params, "pageIndex", 0, 0, None)
    size = _int_param(params, "pageSize", _DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    return Page(index, size)


def page_of(rows: Sequence[T], page: Page, render: Callable[[T], dict[str, Any]]) -> list[dict[str, Any]]:
    return [render(row) for row in rows[page.start : page.start + page.size]]
