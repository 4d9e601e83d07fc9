"""The shop's mutable state: indexes over the world, Shopify's own records and the inventory overlay.

One :class:`ShopState` per start or reset. Lookups by Shopify id are dicts
built once; orders, returns and customers created at run time are indexed as
they are added. Events for webhooks go out through ``publish`` (a no-op until
the system wires in its dispatcher).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sandbox.shopify.inventory import Inventory
from sandbox.shopify.records import (
    AdjustmentGroup,
    CustomerRecord,
    FulfillmentLineRecord,
    FulfillmentOrderRecord,
    FulfillmentRecord,
    Job,
    LineItemRecord,
    OrderRecord,
    ReturnRecord,
)
from sandbox.shopify.seed import build_customers, build_orders
from sandbox.shopify.webhooks.subscriptions import TOPICS, Subscription
from sandbox.world import Location, Product, Variant, World

__all__ = ["Publish", "ShopState"]

Publish = Callable[[str, dict[str, Any], str | None], None]
"""(topic name, REST-style payload, admin_graphql_api_id of the subject) -> None."""


def _no_publish(topic: str, payload: dict[str, Any], subject: str | None) -> None:
    return None


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Building ~100k linked records next to a large world triggers costly full collections; skip them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ShopState:
    """Everything the resolvers read and the mutations change."""

    def __init__(self, world: World, *, webhook_url: str | None = None, api_version: str = "2025-01") -> None:
        self.world = world
        self.publish: Publish = _no_publish
        self.inventory = Inventory(world)
        # catalog (read-only, from the world)
        self.products: list[Product] = list(world.products)
        self.products_by_id = {p.shopify_product_id: p for p in world.products}
        self.variants: list[Variant] = list(world.variants)
        self.variants_by_id = {v.shopify_variant_id: v for v in self.variants}
        self.items_by_id = {v.shopify_inventory_item_id: v for v in self.variants}
        by_product_id = {p.id: p for p in world.products}
        self.product_of: dict[str, Product] = {v.sku: by_product_id[v.product_id] for v in self.variants}
        self.locations: list[Location] = [loc for loc in world.locations if loc.shopify_location_id]
        self.locations_by_id = {loc.shopify_location_id: loc for loc in self.locations}
        self.locations_by_code = {loc.code: loc for loc in self.locations}
        # Shopify's own records
        with _gc_paused():
            self.customers = build_customers(world)
        self.customers_by_id = {c.id: c for c in self.customers}
        by_world = {c.world.id: c for c in self.customers if c.world is not None}
        self.customers_by_email = {c.email.lower(): c for c in self.customers if c.email}
        self.orders: list[OrderRecord] = []
        self.orders_by_id: dict[int, OrderRecord] = {}
        self.orders_by_name: dict[str, OrderRecord] = {}
        self.line_items: dict[int, LineItemRecord] = {}
        self.fulfillments: dict[int, FulfillmentRecord] = {}
        self.fulfillment_lines: dict[int, FulfillmentLineRecord] = {}
        self.fulfillment_orders: dict[int, FulfillmentOrderRecord] = {}
        self.returns: dict[int, ReturnRecord] = {}
        with _gc_paused():
            for order in build_orders(world, by_world):
                self.add_order(order)
        self.adjustment_groups: dict[int, AdjustmentGroup] = {}
        self.jobs: dict[str, Job] = {}
        self.subscriptions: dict[int, Subscription] = {}
        # counters for what is created at run time
        self.next_order_seq = len(world.orders) + 1
        self.next_order_number = 100_000 + len(world.orders) + 1
        self.next_customer_id = 7_200_000_001
        self.next_return_number = 1
        self.next_group_id = 30_000_000_001
        self.next_subscription_id = 1_100_000_001
        if webhook_url:
            for topic in TOPICS:
                self.add_subscription(topic, webhook_url, api_version)

    # ------------------------------------------------------------ registration

    def add_order(self, order: OrderRecord) -> None:
        self.orders.append(order)
        self.orders_by_id[order.id] = order
        self.orders_by_name[order.name.lower()] = order
        for line in order.lines:
            self.line_items[line.id] = line
        for fulfillment in order.fulfillments:
            self.fulfillments[fulfillment.id] = fulfillment
            for fl in fulfillment.lines:
                self.fulfillment_lines[fl.id] = fl
        for fo in order.fulfillment_orders:
            self.fulfillment_orders[fo.id] = fo
        for ret in order.returns:
            self.returns[ret.id] = ret

    def add_customer(self, customer: CustomerRecord) -> None:
        self.customers.append(customer)
        self.customers_by_id[customer.id] = customer
        if customer.email:
            self.customers_by_email[customer.email.lower()] = customer

    def add_subscription(self, topic: str, url: str, api_version: str) -> Subscription:
        now = datetime.now(UTC)
        sub = Subscription(self.next_subscription_id, topic, url, api_version, now, now)
        self.next_subscription_id += 1
        self.subscriptions[sub.id] = sub
        return sub

    # ------------------------------------------------------------ lookups

    def product_of_variant(self, variant: Variant) -> Product:
        return self.product_of[variant.sku]

    def location_by_code(self, code: str) -> Location | None:
        return self.locations_by_code.get(code)
