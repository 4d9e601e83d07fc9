"""``POST /v2/orders/search``: orders of up to ten stores, filtered, sorted and paged by keyset.

    {location_ids (1-10, required), query {filter {state_filter {states}, customer_filter {customer_ids},
     source_filter {source_names}, date_time_filter {created_at | updated_at | closed_at {start_at, end_at}}},
     sort {sort_field CREATED_AT|UPDATED_AT|CLOSED_AT, sort_order ASC|DESC}}, limit (1-1000, default 500),
     cursor, return_entries}
    -> {orders | order_entries [{order_id, version, location_id}], cursor}

Square's rules kept here: one timestamp in ``date_time_filter`` and the sort
on that same field; the default sort is CREATED_AT DESC; sorting on
CLOSED_AT leaves out orders that are not closed (a ``date_time_filter``
without a matching sort is ``INVALID_VALUE``, as in Square). Ranges include
``start_at`` and exclude ``end_at``. Square has no filter on
``reference_id``: a connector looking for an order number narrows by
customer or time and matches ``reference_id`` itself. Cursors point past the
last order returned, so orders created while paging do not shift pages.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.pos.endpoint import SquareModel, ok, read_body
from sandbox.pos.errors import invalid, not_found
from sandbox.pos.order_model import PosOrder
from sandbox.pos.store import PosStore
from sandbox.pos.wire import decode_cursor, encode_cursor, parse_time, query_fingerprint

__all__ = ["order_search_routes"]

SortField = Literal["CREATED_AT", "UPDATED_AT", "CLOSED_AT"]


class _TimeRange(SquareModel):
    start_at: str | None = None
    end_at: str | None = None


class _DateTimeFilter(SquareModel):
    created_at: _TimeRange | None = None
    updated_at: _TimeRange | None = None
    closed_at: _TimeRange | None = None


class _StateFilter(SquareModel):
    states: list[Literal["OPEN", "COMPLETED", "CANCELED", "DRAFT"]] = Field(min_length=1)


class _CustomerFilter(SquareModel):
    customer_ids: list[str] = Field(min_length=1, max_length=10)


class _SourceFilter(SquareModel):
    source_names: list[str] = Field(min_length=1, max_length=10)


class _Filter(SquareModel):
    state_filter: _StateFilter | None = None
    date_time_filter: _DateTimeFilter | None = None
    customer_filter: _CustomerFilter | None = None
    source_filter: _SourceFilter | None = None


class _Sort(SquareModel):
    sort_field: SortField
    sort_order: Literal["ASC", "DESC"] | None = None


class _Query(SquareModel):
    filter: _Filter | None = None
    sort: _Sort | None = None


class _SearchBody(SquareModel):
    location_ids: list[str] = Field(min_length=1, max_length=10)
    cursor: str | None = None
    query: _Query | None = None
    limit: int | None = Field(None, ge=1, le=1000)
    return_entries: bool | None = None


def _timestamp_of(order: PosOrder, sort_field: SortField) -> datetime | None:
    if sort_field == "CREATED_AT":
        return order.created_at
    if sort_field == "UPDATED_AT":
        return order.updated_at
    return order.closed_at


def _time_filter(f: _Filter | None) -> tuple[SortField, datetime | None, datetime | None] | None:
    if f is None or f.date_time_filter is None:
        return None
    ranges: tuple[tuple[SortField, _TimeRange | None], ...] = (
        ("CREATED_AT", f.date_time_filter.created_at),
        ("UPDATED_AT", f.date_time_filter.updated_at),
        ("CLOSED_AT", f.date_time_filter.closed_at),
    )
    given = [(field, window) for field, window in ranges if window is not None]
    if len(given) != 1:
        raise invalid("Set one of created_at, updated_at or closed_at.", "query.filter.date_time_filter")
    sort_field, window = given[0]
    assert window is not None
    name = f"query.filter.date_time_filter.{sort_field.lower()}"
    start = parse_time(window.start_at, f"{name}.start_at") if window.start_at else None
    end = parse_time(window.end_at, f"{name}.end_at") if window.end_at else None
    return sort_field, start, end


def _matches(order: PosOrder, f: _Filter | None) -> bool:
    if f is None:
        return True
    return (
        (f.state_filter is None or order.state in f.state_filter.states)
        and (f.customer_filter is None or order.customer_id in f.customer_filter.customer_ids)
        and (f.source_filter is None or order.source_name in f.source_filter.source_names)
    )


def _after(cursor: str, kind: str, query: str) -> tuple[datetime, str]:
    position = decode_cursor(cursor, kind, query)
    try:
        moment, order_id = position
        return datetime.fromisoformat(moment), str(order_id)
    except (TypeError, ValueError) as exc:
        raise invalid("The pagination cursor is not valid.", "cursor", "INVALID_CURSOR") from exc


def order_search_routes(store: PosStore) -> list[Route]:
    async def search_orders(request: Request) -> Response:
        body, raw = await read_body(request, _SearchBody)
        for i, location_id in enumerate(body.location_ids):
            if location_id not in store.stores.by_id:
                raise not_found("Location", location_id, f"location_ids[{i}]")
        query = query_fingerprint(raw)
        f = body.query.filter if body.query else None
        sort = body.query.sort if body.query else None
        sort_field: SortField = sort.sort_field if sort else "CREATED_AT"
        descending = sort is None or sort.sort_order != "ASC"
        window = _time_filter(f)
        if window is not None and window[0] != sort_field:
            raise invalid("sort_field must be the field of the date_time_filter.", "query.sort.sort_field")
        locations = set(body.location_ids)
        keyed: list[tuple[datetime, str, PosOrder]] = []
        for order in store.orders.orders.values():
            moment = _timestamp_of(order, sort_field)
            if order.location_id not in locations or moment is None or not _matches(order, f):
                continue
            if window is not None and not _within(moment, window[1], window[2]):
                continue
            keyed.append((moment, order.id, order))
        keyed.sort(key=lambda row: (row[0], row[1]), reverse=descending)
        if body.cursor:
            last = _after(body.cursor, "orders.search", query)
            keyed = [row for row in keyed if ((row[0], row[1]) < last) == descending and row[:2] != last]
        limit = body.limit or 500
        page = [row[2] for row in keyed[:limit]]
        cursor = None
        if len(keyed) > limit:
            moment, order_id, _ = keyed[limit - 1]
            cursor = encode_cursor("orders.search", query, [moment.isoformat(), order_id])
        payload: dict[str, Any] = {"cursor": cursor}
        if body.return_entries:
            payload["order_entries"] = [o.entry_json() for o in page]
        else:
            payload["orders"] = [o.as_json() for o in page]
        return ok(payload)

    return [Route("/v2/orders/search", search_orders, methods=["POST"])]


def _within(moment: datetime, start: datetime | None, end: datetime | None) -> bool:
    return (start is None or moment >= start) and (end is None or moment < end)
