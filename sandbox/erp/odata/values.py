"""Wire formats of OData V2 JSON as SAP writes them.

``Edm.DateTime`` is ``/Date(<ms since epoch>)/``, ``Edm.DateTimeOffset`` is
``/Date(<ms>+0000)/``, ``Edm.Decimal`` is a string with a fixed number of
decimals (``"12.000"``), and an ETag derived from a timestamp reads
``W/"datetime'2026-10-31T12%3A34%3A56.1234560'"``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from sandbox.erp.odata.edm import EntityType, Prop, Row

__all__ = [
    "day",
    "entity_path",
    "etag_of",
    "format_decimal",
    "key_literal",
    "parse_date",
    "parse_value",
    "to_json",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DATE_RE = re.compile(r"^/Date\((-?\d+)(?:([+-])(\d{4}))?\)/$")


def _ms(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(milliseconds=1)


def day(value: datetime) -> datetime:
    """Midnight UTC of ``value``'s date: how SAP holds a date in ``Edm.DateTime``."""
    value = value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def format_decimal(value: Decimal, scale: int) -> str:
    return f"{value:.{scale}f}"


def to_json(prop: Prop, value: Any) -> Any:
    """A typed value as the JSON value SAP writes for ``prop``."""
    if value is None:
        return None
    if prop.type == "Edm.Decimal":
        scale = prop.wire_scale if prop.wire_scale is not None else (prop.scale or 0)
        return format_decimal(Decimal(value), scale)
    if prop.type == "Edm.DateTime":
        return f"/Date({_ms(value)})/"
    if prop.type == "Edm.DateTimeOffset":
        return f"/Date({_ms(value)}+0000)/"
    return value


def parse_date(raw: str) -> datetime:
    """``/Date(ms)/``, ``/Date(ms+0000)/`` or ISO 8601 (naive means UTC)."""
    match = _DATE_RE.match(raw)
    if match:
        millis, sign, offset = match.groups()
        try:
            moment = _EPOCH + timedelta(milliseconds=int(millis))
            if offset:
                minutes = int(offset[:2]) * 60 + int(offset[2:])
                moment -= timedelta(minutes=minutes if sign == "+" else -minutes)
        except OverflowError:
            raise ValueError(f"'{raw}' is out of the range of dates") from None
        return moment
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"'{raw}' is not a date (expected /Date(ms)/)") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_value(prop: Prop, raw: Any) -> Any:
    """A JSON value from a request body as the typed value of ``prop``; ValueError if it is not one."""
    if raw is None:
        if not prop.nullable:
            raise ValueError(f"Property '{prop.name}' must not be null")
        return None
    if prop.type == "Edm.String":
        if not isinstance(raw, str):
            raise ValueError(f"Property '{prop.name}' expects a string")
        if prop.max_length is not None and len(raw) > prop.max_length:
            raise ValueError(f"Property '{prop.name}' is longer than {prop.max_length} characters")
        return raw
    if prop.type == "Edm.Decimal":
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise ValueError(f"Property '{prop.name}' expects a decimal string")
        try:
            number = Decimal(str(raw))
        except InvalidOperation:
            raise ValueError(f"Property '{prop.name}' expects a decimal string, not '{raw}'") from None
        if not number.is_finite():
            raise ValueError(f"Property '{prop.name}' expects a finite decimal")
        return number
    if prop.type in ("Edm.DateTime", "Edm.DateTimeOffset"):
        if not isinstance(raw, str):
            raise ValueError(f"Property '{prop.name}' expects a date string like /Date(ms)/")
        moment = parse_date(raw)
        return day(moment) if prop.display_format == "Date" else moment
    if not isinstance(raw, bool):
        raise ValueError(f"Property '{prop.name}' expects true or false")
    return raw


def key_literal(prop: Prop, value: Any) -> str:
    """A key value as written inside ``Set(...)``: strings quoted, '' escaped, URL-encoded."""
    if prop.type == "Edm.String":
        return "'" + quote(str(value).replace("'", "''"), safe="") + "'"
    if prop.type == "Edm.DateTime" and isinstance(value, datetime):
        return "datetime'" + value.strftime("%Y-%m-%dT%H:%M:%S") + "'"
    return str(value)


def entity_path(etype: EntityType, row: Row) -> str:
    """``A_SalesOrder('1000001')`` or ``A_SalesOrderItem(SalesOrder='1000001',SalesOrderItem='10')``."""
    props = [etype.prop(k) for k in etype.keys]
    if len(props) == 1 and props[0] is not None:
        return f"{etype.set_name}({key_literal(props[0], row[props[0].name])})"
    parts = ",".join(f"{p.name}={key_literal(p, row[p.name])}" for p in props if p is not None)
    return f"{etype.set_name}({parts})"


def etag_of(etype: EntityType, row: Row) -> str | None:
    """The weak ETag SAP derives from the entity's change timestamp, or None for unversioned types."""
    if etype.etag is None:
        return None
    value = row.get(etype.etag)
    if not isinstance(value, datetime):
        return None
    stamp = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0"
    return "W/\"datetime'" + stamp.replace(":", "%3A") + "'\""
