"""Inventory endpoints: counts by (variation, store), and changes with Square's state rules.

    POST /v2/inventory/counts/batch-retrieve
         {catalog_object_ids (<=1000), location_ids, states, updated_after, cursor, limit (<=1000)}
         -> {counts: [{catalog_object_id, catalog_object_type, state, location_id, quantity: "5",
                       calculated_at}], cursor}
    GET  /v2/inventory/{catalog_object_id}?location_ids=A,B&cursor=      -> {counts, cursor}
    POST /v2/inventory/changes/batch-create
         {idempotency_key, changes: [{type: ADJUSTMENT|PHYSICAL_COUNT|TRANSFER, adjustment|physical_count|
          transfer: {...}}] (<=100), ignore_unchanged_counts}            -> {counts, changes}
    POST /v2/inventory/changes/batch-retrieve
         {catalog_object_ids, location_ids, types, states, updated_after, updated_before, cursor, limit}
         -> {changes, cursor}   (changes made at run time; the seeded history is not kept)

State rules (Square's): only IN_STOCK, WASTE, SOLD, NONE and UNLINKED_RETURN
may be written (the rest are READ-ONLY); an adjustment moves between two
different writable states, never into UNLINKED_RETURN, and touches at least
one tracked state (IN_STOCK or WASTE); a physical count sets IN_STOCK or
WASTE; a transfer moves IN_STOCK between two stores. A batch is checked
whole before any of it is applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.pos.catalog import Catalog
from sandbox.pos.endpoint import SquareModel, ok, path_param, query_list, read_body
from sandbox.pos.errors import SquareError, not_found
from sandbox.pos.inventory import UNTRACKED, WRITABLE, Inventory
from sandbox.pos.locations import Stores
from sandbox.pos.store import PosStore
from sandbox.pos.wire import (
    decode_offset,
    encode_cursor,
    fingerprint,
    parse_quantity,
    parse_time,
    query_fingerprint,
)
from sandbox.world import Location, Variant

__all__ = ["inventory_routes"]

InventoryState = Literal[
    "CUSTOM",
    "IN_STOCK",
    "SOLD",
    "RETURNED_BY_CUSTOMER",
    "RESERVED_FOR_SALE",
    "SOLD_ONLINE",
    "ORDERED_FROM_VENDOR",
    "RECEIVED_FROM_VENDOR",
    "IN_TRANSIT_TO",
    "NONE",
    "WASTE",
    "UNLINKED_RETURN",
    "COMPOSED",
    "DECOMPOSED",
    "SUPPORTED_BY_NEWER_VERSION",
    "IN_TRANSIT",
]
ChangeType = Literal["PHYSICAL_COUNT", "ADJUSTMENT", "TRANSFER"]


class _CountsBody(SquareModel):
    catalog_object_ids: list[str] | None = Field(None, max_length=1000)
    location_ids: list[str] | None = None
    updated_after: str | None = None
    cursor: str | None = None
    states: list[InventoryState] | None = None
    limit: int | None = Field(None, ge=1, le=1000)


class _Adjustment(SquareModel):
    reference_id: str | None = Field(None, max_length=255)
    from_state: InventoryState
    to_state: InventoryState
    location_id: str
    catalog_object_id: str
    quantity: str
    occurred_at: str


class _PhysicalCount(SquareModel):
    reference_id: str | None = Field(None, max_length=255)
    catalog_object_id: str
    state: InventoryState
    location_id: str
    quantity: str
    occurred_at: str


class _Transfer(SquareModel):
    reference_id: str | None = Field(None, max_length=255)
    state: InventoryState
    from_location_id: str
    to_location_id: str
    catalog_object_id: str
    quantity: str
    occurred_at: str


class _Change(SquareModel):
    type: ChangeType
    physical_count: _PhysicalCount | None = None
    adjustment: _Adjustment | None = None
    transfer: _Transfer | None = None


class _ChangeBody(SquareModel):
    idempotency_key: str = Field(min_length=1, max_length=128)
    changes: list[_Change] = Field(min_length=1, max_length=100)
    ignore_unchanged_counts: bool | None = None


class _ChangesQuery(SquareModel):
    catalog_object_ids: list[str] | None = None
    location_ids: list[str] | None = None
    types: list[ChangeType] | None = None
    states: list[InventoryState] | None = None
    updated_after: str | None = None
    updated_before: str | None = None
    cursor: str | None = None
    limit: int | None = Field(None, ge=1, le=1000)


@dataclass(frozen=True)
class _Planned:
    """One validated change, ready to apply."""

    kind: ChangeType
    variant: Variant
    locations: tuple[Location, ...]
    states: tuple[str, ...]
    quantity: int
    occurred_at: datetime
    reference_id: str | None


def inventory_routes(store: PosStore) -> list[Route]:
    catalog, stores = store.catalog, store.stores

    def variants_for(ids: list[str] | None) -> list[Variant]:
        if ids is None:
            return list(catalog.variants)
        return list({oid: catalog.variations[oid] for oid in ids if oid in catalog.variations}.values())

    def stores_for(ids: list[str] | None) -> list[Location]:
        if not ids:
            return list(stores.all)
        return list({lid: stores.by_id[lid] for lid in ids if lid in stores.by_id}.values())

    async def batch_counts(request: Request) -> Response:
        body, raw = await read_body(request, _CountsBody)
        query = query_fingerprint(raw)
        start = decode_offset(body.cursor, "inventory.counts", query)
        since = parse_time(body.updated_after, "updated_after") if body.updated_after else None
        states = frozenset(body.states) if body.states else None
        variants, locations = variants_for(body.catalog_object_ids), stores_for(body.location_ids)
        counts, after = store.inventory.page(variants, locations, start, body.limit or 1000, states, since)
        cursor = encode_cursor("inventory.counts", query, after) if after is not None else None
        return ok({"counts": counts, "cursor": cursor})

    async def retrieve_count(request: Request) -> Response:
        object_id = path_param(request, "catalog_object_id")
        if catalog.ref(object_id) is None:
            raise not_found("Catalog object", object_id)
        location_ids = query_list(request, "location_ids")
        query = fingerprint([object_id, location_ids])
        start = decode_offset(request.query_params.get("cursor"), "inventory.count", query)
        counts, after = store.inventory.page(
            variants_for([object_id]), stores_for(location_ids), start, 1000, None, None
        )
        cursor = encode_cursor("inventory.count", query, after) if after is not None else None
        return ok({"counts": counts, "cursor": cursor})

    async def batch_change(request: Request) -> Response:
        body, raw = await read_body(request, _ChangeBody)
        replay = store.keys.replay("inventory.changes", body.idempotency_key, raw)
        if replay is not None:
            return ok(replay)
        planned = [_plan(i, change, catalog, stores) for i, change in enumerate(body.changes)]
        changes: list[dict[str, Any]] = []
        touched: dict[tuple[str, str], tuple[Variant, Location]] = {}
        for step in planned:
            change = _apply(step, store.inventory, bool(body.ignore_unchanged_counts))
            if change is not None:
                changes.append(change)
            for location in step.locations:
                touched[(step.variant.sku, location.code)] = (step.variant, location)
        counts = [
            count
            for variant, location in touched.values()
            for count in store.inventory.counts(variant, location)
        ]
        response = {"counts": counts, "changes": changes}
        return ok(store.keys.remember("inventory.changes", body.idempotency_key, raw, response))

    async def batch_changes(request: Request) -> Response:
        body, raw = await read_body(request, _ChangesQuery)
        query = query_fingerprint(raw)
        start = decode_offset(body.cursor, "inventory.changes", query)
        after = parse_time(body.updated_after, "updated_after") if body.updated_after else None
        before = parse_time(body.updated_before, "updated_before") if body.updated_before else None
        matches = [
            change for change in store.inventory.changes if _change_matches(change, body, after, before)
        ]
        limit = body.limit or 1000
        more = start + limit < len(matches)
        cursor = encode_cursor("inventory.changes", query, start + limit) if more else None
        return ok({"changes": matches[start : start + limit], "cursor": cursor})

    return [
        Route("/v2/inventory/counts/batch-retrieve", batch_counts, methods=["POST"]),
        Route("/v2/inventory/changes/batch-create", batch_change, methods=["POST"]),
        Route("/v2/inventory/changes/batch-retrieve", batch_changes, methods=["POST"]),
        Route("/v2/inventory/{catalog_object_id}", retrieve_count, methods=["GET"]),
    ]


def _plan(index: int, change: _Change, catalog: Catalog, stores: Stores) -> _Planned:
    """Check one change against Square's rules; raises before anything is applied."""
    key = {"ADJUSTMENT": "adjustment", "PHYSICAL_COUNT": "physical_count", "TRANSFER": "transfer"}[
        change.type
    ]
    detail = getattr(change, key)
    prefix = f"changes[{index}].{key}"
    if detail is None:
        raise SquareError(400, "MISSING_REQUIRED_PARAMETER", "Field must be set", field=prefix)

    def store(location_id: str, name: str) -> Location:
        location = stores.by_id.get(location_id)
        if location is None:
            raise not_found("Location", location_id, f"{prefix}.{name}")
        return location

    def invalid(detail_text: str, name: str) -> SquareError:
        return SquareError(400, "INVALID_VALUE", detail_text, field=f"{prefix}.{name}")

    variant = catalog.variations.get(detail.catalog_object_id)
    if variant is None:
        raise not_found("Item variation", detail.catalog_object_id, f"{prefix}.catalog_object_id")
    occurred_at = parse_time(detail.occurred_at, f"{prefix}.occurred_at")
    if isinstance(detail, _Adjustment):
        quantity = parse_quantity(detail.quantity, f"{prefix}.quantity")
        for name, state in (("from_state", detail.from_state), ("to_state", detail.to_state)):
            if state not in WRITABLE:
                raise invalid(f"The Inventory API cannot move quantities to or from `{state}`.", name)
        if detail.from_state == detail.to_state:
            raise invalid("`from_state` and `to_state` must differ.", "to_state")
        if detail.to_state == "UNLINKED_RETURN":
            raise invalid("Quantities cannot be moved into `UNLINKED_RETURN`.", "to_state")
        if detail.from_state in UNTRACKED and detail.to_state in UNTRACKED:
            raise invalid("An adjustment must move quantities to or from a tracked state.", "to_state")
        location = store(detail.location_id, "location_id")
        states: tuple[str, ...] = (detail.from_state, detail.to_state)
        return _Planned(
            "ADJUSTMENT", variant, (location,), states, quantity, occurred_at, detail.reference_id
        )
    if isinstance(detail, _PhysicalCount):
        quantity = parse_quantity(detail.quantity, f"{prefix}.quantity", allow_zero=True)
        if detail.state not in ("IN_STOCK", "WASTE"):
            raise invalid(f"Physical counts are taken in IN_STOCK or WASTE, not `{detail.state}`.", "state")
        location = store(detail.location_id, "location_id")
        return _Planned(
            "PHYSICAL_COUNT",
            variant,
            (location,),
            (detail.state,),
            quantity,
            occurred_at,
            detail.reference_id,
        )
    quantity = parse_quantity(detail.quantity, f"{prefix}.quantity")
    if detail.state != "IN_STOCK":
        raise invalid(f"Transfers move IN_STOCK quantities, not `{detail.state}`.", "state")
    source = store(detail.from_location_id, "from_location_id")
    target = store(detail.to_location_id, "to_location_id")
    if source is target:
        raise invalid("`from_location_id` and `to_location_id` must differ.", "to_location_id")
    return _Planned(
        "TRANSFER", variant, (source, target), ("IN_STOCK",), quantity, occurred_at, detail.reference_id
    )


def _apply(step: _Planned, inventory: Inventory, ignore_unchanged: bool) -> dict[str, Any] | None:
    ref = step.reference_id
    if step.kind == "ADJUSTMENT":
        from_state, to_state = step.states
        location = step.locations[0]
        return inventory.adjust(
            step.variant, location, from_state, to_state, step.quantity, step.occurred_at, reference_id=ref
        )
    if step.kind == "PHYSICAL_COUNT":
        return inventory.physical_count(
            step.variant,
            step.locations[0],
            step.states[0],
            step.quantity,
            step.occurred_at,
            ignore_unchanged=ignore_unchanged,
            reference_id=ref,
        )
    source, target = step.locations
    return inventory.transfer(
        step.variant, source, target, "IN_STOCK", step.quantity, step.occurred_at, reference_id=ref
    )


def _change_matches(
    change: dict[str, Any], query: _ChangesQuery, after: datetime | None, before: datetime | None
) -> bool:
    detail: dict[str, Any] = next(v for k, v in change.items() if k != "type")
    locations = {detail.get("location_id"), detail.get("from_location_id"), detail.get("to_location_id")}
    states = {detail.get("state"), detail.get("from_state"), detail.get("to_state")}
    created = parse_time(detail["created_at"], "created_at")
    return (
        (query.types is None or change["type"] in query.types)
        and (query.catalog_object_ids is None or detail["catalog_object_id"] in query.catalog_object_ids)
        and (not query.location_ids or bool(locations & set(query.location_ids)))
        and (not query.states or bool(states & set(query.states)))
        and (after is None or created > after)
        and (before is None or created <= before)
    )
