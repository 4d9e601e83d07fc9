"""``inventoryAdjustQuantities`` and ``inventorySetQuantities`` (atomic: any user error changes nothing).

Both take ``@idempotent(key:)``; from API version 2026-04 it is required.
Adjusting or setting ``available`` moves ``on_hand`` with it (and the reported
changes include both), as Shopify's ledger does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sandbox.shopify.context import Context, Info, context_of, version_at_least
from sandbox.shopify.errors import user_error
from sandbox.shopify.gids import InvalidGid, parse_gid
from sandbox.shopify.idempotency import run_idempotent
from sandbox.shopify.inventory import ADJUSTABLE_NAMES, Change
from sandbox.shopify.records import AdjustmentGroup, InventoryItemRef
from sandbox.shopify.resolvers._registry import TYPE_RESOLVERS, resolves
from sandbox.shopify.state import ShopState
from sandbox.shopify.webhooks.events import level_events
from sandbox.world import Location, Variant

__all__ = ["REASONS", "REQUIRED_FROM"]

TYPE_RESOLVERS[AdjustmentGroup] = "InventoryAdjustmentGroup"

Payload = dict[str, Any]

REQUIRED_FROM = "2026-04"
REASONS = frozenset(
    {
        "correction",
        "cycle_count_available",
        "damaged",
        "movement_created",
        "movement_updated",
        "movement_received",
        "movement_canceled",
        "other",
        "promotion",
        "quality_control",
        "received",
        "reservation_created",
        "reservation_deleted",
        "reservation_updated",
        "restock",
        "safety_stock",
        "shrinkage",
    }
)


def _refuse(error: Payload) -> Payload:
    return {"inventoryAdjustmentGroup": None, "userErrors": [error]}


def _resolve_pair(
    state: ShopState, raw: dict[str, Any], path: list[str], errors: list[Payload]
) -> tuple[Variant, Location] | None:
    def number(value: str, resource: str) -> int | None:
        try:
            return parse_gid(value, resource)
        except InvalidGid:
            return None

    item_no, location_no = (
        number(raw["inventoryItemId"], "InventoryItem"),
        number(raw["locationId"], "Location"),
    )
    variant = state.items_by_id.get(item_no) if item_no is not None else None
    location = state.locations_by_id.get(location_no) if location_no is not None else None
    if variant is None:
        errors.append(
            user_error(
                [*path, "inventoryItemId"],
                "The specified inventory item could not be found.",
                "INVALID_INVENTORY_ITEM",
            )
        )
    elif location is None:
        errors.append(
            user_error(
                [*path, "locationId"], "The specified location could not be found.", "INVALID_LOCATION"
            )
        )
    elif not state.inventory.stocked(variant.sku, location.code):
        errors.append(
            user_error(
                [*path, "locationId"],
                "The specified inventory item is not stocked at the location.",
                "ITEM_NOT_STOCKED_AT_LOCATION",
            )
        )
    else:
        return variant, location
    return None


def _record_group(state: ShopState, data: dict[str, Any], changes: list[Change]) -> AdjustmentGroup:
    rows = [
        (
            c.name,
            c.delta,
            c.quantity_after_change,
            state.world.variants_by_sku[c.sku],
            state.locations_by_code[c.location_code],
        )
        for c in changes
    ]
    group = AdjustmentGroup(
        state.next_group_id, datetime.now(UTC), data["reason"], data.get("referenceDocumentUri"), rows
    )
    state.next_group_id += 1
    state.adjustment_groups[group.id] = group
    level_events(state, changes)
    return group


def _run(info: Info, ctx: Context, data: dict[str, Any], action: Any) -> Payload:
    required = version_at_least(ctx.api_version, REQUIRED_FROM)
    return run_idempotent(info, ctx.idempotency, {"input": data}, action, _refuse, required=required)


@resolves("Mutation", "inventoryAdjustQuantities")
def _adjust(_: None, info: Info, input: dict[str, Any]) -> Payload:
    ctx = context_of(info)
    return _run(info, ctx, input, lambda: _do_adjust(ctx.state, input))


def _do_adjust(state: ShopState, data: dict[str, Any]) -> Payload:
    errors: list[Payload] = []
    name = data["name"]
    if name not in ADJUSTABLE_NAMES:
        errors.append(
            user_error(
                ["input", "name"],
                f"The quantity name must be one of: {', '.join(ADJUSTABLE_NAMES)}.",
                "INVALID_QUANTITY_NAME",
            )
        )
    if data["reason"] not in REASONS:
        errors.append(user_error(["input", "reason"], "The specified reason is invalid.", "INVALID_REASON"))
    pairs = [
        _resolve_pair(state, raw, ["input", "changes", str(i)], errors)
        for i, raw in enumerate(data["changes"])
    ]
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    changes: list[Change] = []
    for pair, raw in zip(pairs, data["changes"], strict=True):
        assert pair is not None
        changes += state.inventory.adjust(pair[0].sku, pair[1].code, name, raw["delta"])
    return {"inventoryAdjustmentGroup": _record_group(state, data, changes), "userErrors": []}


@resolves("Mutation", "inventorySetQuantities")
def _set(_: None, info: Info, input: dict[str, Any]) -> Payload:
    ctx = context_of(info)
    return _run(info, ctx, input, lambda: _do_set(ctx.state, input))


def _do_set(state: ShopState, data: dict[str, Any]) -> Payload:
    errors: list[Payload] = []
    name = data["name"]
    if name not in ("available", "on_hand"):
        errors.append(
            user_error(["input", "name"], "The quantity name must be available or on_hand.", "INVALID_NAME")
        )
    if data["reason"] not in REASONS:
        errors.append(user_error(["input", "reason"], "The specified reason is invalid.", "INVALID_REASON"))
    seen: set[tuple[str, str]] = set()
    targets: list[tuple[Variant, Location, int]] = []
    for i, raw in enumerate(data["quantities"]):
        path = ["input", "quantities", str(i)]
        pair = _resolve_pair(state, raw, path, errors)
        if pair is None:
            continue
        variant, location = pair
        if (variant.sku, location.code) in seen:
            errors.append(
                user_error(
                    path,
                    "The same item and location appear twice.",
                    "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR",
                )
            )
            continue
        seen.add((variant.sku, location.code))
        if name == "on_hand" and raw["quantity"] < 0:
            errors.append(
                user_error(
                    [*path, "quantity"], "The quantity can't be negative.", "INVALID_QUANTITY_NEGATIVE"
                )
            )
            continue
        current = state.inventory.quantities(variant.sku, location.code).get(name, 0)
        compare = raw.get("compareQuantity")
        if not data.get("ignoreCompareQuantity"):
            if compare is None:
                errors.append(
                    user_error(
                        [*path, "compareQuantity"],
                        "The compareQuantity argument is required.",
                        "COMPARE_QUANTITY_REQUIRED",
                    )
                )
                continue
            if compare != current:
                errors.append(
                    user_error(
                        [*path, "compareQuantity"],
                        "The compareQuantity argument no longer matches the persisted quantity.",
                        "COMPARE_QUANTITY_STALE",
                    )
                )
                continue
        targets.append((variant, location, raw["quantity"] - current))
    if errors:
        return {"inventoryAdjustmentGroup": None, "userErrors": errors}
    changes: list[Change] = []
    for variant, location, delta in targets:
        if delta:
            changes += state.inventory.adjust(variant.sku, location.code, "available", delta)
    return {"inventoryAdjustmentGroup": _record_group(state, data, changes), "userErrors": []}


@resolves("InventoryAdjustmentGroup", "id")
def _group_id(group: AdjustmentGroup, info: Info) -> str:
    return f"gid://shopify/InventoryAdjustmentGroup/{group.id}"


@resolves("InventoryAdjustmentGroup", "changes")
def _group_changes(group: AdjustmentGroup, info: Info, **args: Any) -> list[Payload]:
    items, locations, names = args.get("inventoryItemIds"), args.get("locationIds"), args.get("quantityNames")
    out = []
    for name, delta, after, variant, location in group.changes:
        if names is not None and name not in names:
            continue
        if (
            items is not None
            and f"gid://shopify/InventoryItem/{variant.shopify_inventory_item_id}" not in items
        ):
            continue
        if (
            locations is not None
            and f"gid://shopify/Location/{location.shopify_location_id}" not in locations
        ):
            continue
        out.append(
            {
                "name": name,
                "delta": delta,
                "quantityAfterChange": after,
                "ledgerDocumentUri": None,
                "item": InventoryItemRef(variant),
                "location": location,
            }
        )
    return out
