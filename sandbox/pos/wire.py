"""Square's wire conventions: money, RFC 3339 timestamps, decimal-string quantities, cursors, ids.

* Money is ``{"amount": <int, smallest unit>, "currency": "USD"}``.
* Timestamps are RFC 3339 in UTC with milliseconds and ``Z``.
* Inventory and line-item quantities are decimal strings (``"5"``).
* Cursors are opaque base64 strings; this mimic binds each to the endpoint and
  the query that produced it, so a foreign or tampered cursor is ``INVALID_CURSOR``.
* Square omits empty arrays and unset fields from responses (``{}`` for an
  empty result), and :func:`compact` does the same.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from sandbox.pos.errors import SquareError
from sandbox.world import Address

__all__ = [
    "CURRENCY",
    "ID_ALPHABET",
    "address_json",
    "compact",
    "decode_cursor",
    "decode_offset",
    "encode_cursor",
    "fingerprint",
    "money",
    "new_id",
    "now",
    "parse_quantity",
    "parse_time",
    "query_fingerprint",
    "timestamp",
]

CURRENCY = "USD"
ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def money(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": CURRENCY}


def now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime) -> str:
    """``2026-11-01T09:30:00.123Z``."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(value: str, field: str) -> datetime:
    """An RFC 3339 timestamp from a request; anything else is ``INVALID_TIME``."""
    if not _RFC3339.match(value):
        raise SquareError(400, "INVALID_TIME", f"`{value}` is not a valid RFC 3339 timestamp.", field=field)
    fraction = re.search(r"\.(\d+)", value)
    text = re.sub(r"\.\d+", "", value).replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise SquareError(400, "INVALID_TIME", f"`{value}` is not a valid timestamp.", field=field) from exc
    if fraction:
        moment = moment.replace(microsecond=int(fraction.group(1)[:6].ljust(6, "0")))
    return moment.astimezone(UTC)


def parse_quantity(value: str, field: str, *, allow_zero: bool = False) -> int:
    """A decimal-string quantity; this POS sells and counts whole units only."""
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise SquareError(400, "INVALID_VALUE", f"`{value}` is not a decimal quantity.", field=field) from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise SquareError(400, "INVALID_VALUE", f"`{value}` is not a whole quantity.", field=field)
    if number < 0 or (number == 0 and not allow_zero):
        raise SquareError(400, "VALUE_TOO_LOW", f"Quantity `{value}` must be positive.", field=field)
    if number > 10_000_000:
        raise SquareError(400, "VALUE_TOO_HIGH", f"Quantity `{value}` is too large.", field=field)
    return int(number)


def new_id(length: int = 26) -> str:
    """A fresh Square-style id for something created at run time."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(length))


def fingerprint(value: Any) -> str:
    """A stable digest of a JSON-able value (idempotency and cursor binding)."""
    return hashlib.blake2b(orjson.dumps(value, option=orjson.OPT_SORT_KEYS), digest_size=12).hexdigest()


def query_fingerprint(body: dict[str, Any]) -> str:
    """What a cursor is bound to: the request body without its ``cursor`` and ``limit``."""
    return fingerprint({k: v for k, v in body.items() if k not in ("cursor", "limit")})


def encode_cursor(kind: str, query: str, position: Any) -> str:
    raw = orjson.dumps({"k": kind, "q": query, "p": position})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str, query: str) -> Any:
    """The position a cursor of ours points at; ``INVALID_CURSOR`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        raise _bad_cursor() from exc
    if not isinstance(data, dict) or data.get("k") != kind or data.get("q") != query or "p" not in data:
        raise _bad_cursor()
    return data["p"]


def decode_offset(cursor: str | None, kind: str, query: str) -> int:
    """An offset cursor of ours (0 when there is none)."""
    if not cursor:
        return 0
    position = decode_cursor(cursor, kind, query)
    if not isinstance(position, int) or isinstance(position, bool) or position < 0:
        raise _bad_cursor()
    return position


def _bad_cursor() -> SquareError:
    return SquareError(400, "INVALID_CURSOR", "The pagination cursor is not valid.", field="cursor")


def address_json(address: Address) -> dict[str, Any]:
    return compact(
        {
            "address_line_1": address.line1,
            "address_line_2": address.line2,
            "locality": address.city,
            "administrative_district_level_1": address.region,
            "postal_code": address.postal_code,
            "country": address.country_code,
        }
    )


def compact(payload: dict[str, Any]) -> dict[str, Any]:
    """Drop unset fields and empty arrays, as Square's responses do."""
    return {k: v for k, v in payload.items() if v is not None and v != []}
