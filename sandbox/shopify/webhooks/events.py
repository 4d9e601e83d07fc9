"""Turning state changes into webhook events (through ``ShopState.publish``)."""

from __future__ import annotations

from collections.abc import Iterable

from sandbox.shopify.gids import gid
from sandbox.shopify.inventory import Change
from sandbox.shopify.records import OrderRecord, ReturnRecord
from sandbox.shopify.state import ShopState
from sandbox.shopify.webhooks.payloads import inventory_level_payload, order_payload, return_payload

__all__ = ["level_events", "order_event", "return_event"]


def order_event(state: ShopState, topic: str, order: OrderRecord) -> None:
    state.publish(topic, order_payload(order), gid("Order", order.id))


def return_event(state: ShopState, topic: str, ret: ReturnRecord) -> None:
    state.publish(topic, return_payload(ret), gid("Return", ret.id))


def level_events(state: ShopState, changes: Iterable[Change]) -> None:
    """One ``inventory_levels/update`` per (item, location) that changed."""
    seen: set[tuple[str, str]] = set()
    for change in changes:
        key = (change.sku, change.location_code)
        if key in seen:
            continue
        seen.add(key)
        variant = state.world.variants_by_sku[change.sku]
        location = state.locations_by_code[change.location_code]
        available = state.inventory.available(*key)
        payload = inventory_level_payload(variant, location, available, state.inventory.updated_at(*key))
        state.publish("inventory_levels/update", payload, payload["admin_graphql_api_id"])
