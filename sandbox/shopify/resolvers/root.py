"""Resolvers of the query root: single lookups by GID, searchable lists, ``node`` and ``nodes``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sandbox.shopify.context import Info, context_of
from sandbox.shopify.errors import bad_request
from sandbox.shopify.gids import InvalidGid, gid, parse_any, parse_gid, parse_level_gid
from sandbox.shopify.paging import Connection, PageArgs, paginate
from sandbox.shopify.records import InventoryItemRef, InventoryLevelRef, Job
from sandbox.shopify.resolvers import filters as f
from sandbox.shopify.resolvers._registry import TYPE_RESOLVERS, resolves
from sandbox.shopify.state import ShopState
from sandbox.shopify.webhooks.subscriptions import Subscription
from sandbox.world import Location

__all__ = ["find_node", "number_of"]

TYPE_RESOLVERS[Job] = "Job"

T = TypeVar("T")

_NODE_LOOKUPS: dict[str, Callable[[ShopState, int], Any]] = {
    "Product": lambda s, n: s.products_by_id.get(n),
    "ProductVariant": lambda s, n: s.variants_by_id.get(n),
    "InventoryItem": lambda s, n: InventoryItemRef(s.items_by_id[n]) if n in s.items_by_id else None,
    "Location": lambda s, n: s.locations_by_id.get(n),
    "Order": lambda s, n: s.orders_by_id.get(n),
    "Customer": lambda s, n: s.customers_by_id.get(n),
    "Return": lambda s, n: s.returns.get(n),
    "LineItem": lambda s, n: s.line_items.get(n),
    "Fulfillment": lambda s, n: s.fulfillments.get(n),
    "FulfillmentLineItem": lambda s, n: s.fulfillment_lines.get(n),
    "FulfillmentOrder": lambda s, n: s.fulfillment_orders.get(n),
    "WebhookSubscription": lambda s, n: s.subscriptions.get(n),
    "InventoryAdjustmentGroup": lambda s, n: s.adjustment_groups.get(n),
}


def number_of(value: str, resource: str) -> int | None:
    """The number of a GID of ``resource`` (None for another resource); BAD_REQUEST if not a GID."""
    try:
        return parse_gid(value, resource)
    except InvalidGid as exc:
        raise bad_request(str(exc)) from exc


def find_node(state: ShopState, value: str) -> Any:
    """The object behind any supported GID, or None."""
    if value.startswith("gid://shopify/Job/"):
        return state.jobs.get(value)
    try:
        kind, number, _ = parse_any(value)
        if kind == "InventoryLevel":
            pair = parse_level_gid(value)
            variant = state.items_by_id.get(pair[1]) if pair else None
            location = state.locations_by_id.get(pair[0]) if pair else None
            if variant is None or location is None or not state.inventory.stocked(variant.sku, location.code):
                return None
            return InventoryLevelRef(variant, location)
    except InvalidGid as exc:
        raise bad_request(str(exc)) from exc
    lookup = _NODE_LOOKUPS.get(kind)
    return lookup(state, number) if lookup else None


def _list(
    info: Info,
    items: Sequence[T],
    args: dict[str, Any],
    fields: dict[str, Any],
    defaults: tuple[str, ...],
    sorts: Mapping[str, Callable[[Any], tuple[Any, ...]]],
    default_key: Callable[[Any], tuple[Any, ...]],
) -> Connection[T]:
    page = PageArgs.from_args(args)
    chosen = f.filter_list(info, items, args.get("query"), fields, defaults)
    key = sorts.get(args.get("sortKey") or "ID", default_key)
    ordered = chosen if key is default_key else sorted(chosen, key=key)
    return paginate(ordered, key, page)


@resolves("QueryRoot", "shop")
def _shop(_: None, info: Info) -> dict[str, Any]:
    ctx = context_of(info)
    return {
        "id": gid("Shop", 60_000_000_001),
        "name": "Retail Sandbox",
        "email": "ops@retail-sandbox.example",
        "myshopifyDomain": ctx.shop_domain,
        "currencyCode": "USD",
        "ianaTimezone": "America/New_York",
        "orderNumberFormatPrefix": "R",
        "orderNumberFormatSuffix": "",
    }


@resolves("QueryRoot", "node")
def _node(_: None, info: Info, id: str) -> Any:
    return find_node(context_of(info).state, id)


@resolves("QueryRoot", "nodes")
def _nodes(_: None, info: Info, ids: list[str]) -> list[Any]:
    state = context_of(info).state
    if len(ids) > 250:
        raise bad_request("The ids argument accepts at most 250 ids")
    return [find_node(state, value) for value in ids]


def _by(resource: str, lookup: Callable[[ShopState, int], Any]) -> Callable[..., Any]:
    def resolve(_: None, info: Info, id: str) -> Any:
        number = number_of(id, resource)
        return None if number is None else lookup(context_of(info).state, number)

    return resolve


for _field, _resource in (
    ("product", "Product"),
    ("productVariant", "ProductVariant"),
    ("inventoryItem", "InventoryItem"),
    ("order", "Order"),
    ("customer", "Customer"),
    ("return", "Return"),
    ("webhookSubscription", "WebhookSubscription"),
):
    resolves("QueryRoot", _field)(_by(_resource, _NODE_LOOKUPS[_resource]))


@resolves("QueryRoot", "inventoryLevel")
def _inventory_level(_: None, info: Info, id: str) -> InventoryLevelRef | None:
    node = find_node(context_of(info).state, id)
    return node if isinstance(node, InventoryLevelRef) else None


@resolves("QueryRoot", "location")
def _location(_: None, info: Info, id: str | None = None) -> Location | None:
    state = context_of(info).state
    if id is None:
        return state.locations[0] if state.locations else None
    number = number_of(id, "Location")
    return state.locations_by_id.get(number) if number is not None else None


@resolves("QueryRoot", "job")
def _job(_: None, info: Info, id: str) -> Job | None:
    return context_of(info).state.jobs.get(id)


@resolves("QueryRoot", "products")
def _products(_: None, info: Info, **args: Any) -> Connection[Any]:
    state = context_of(info).state
    defaults = ("title", "vendor", "product_type", "tag", "sku")
    return _list(info, state.products, args, f.PRODUCT_FIELDS, defaults, f.PRODUCT_SORT, f.product_key)


@resolves("QueryRoot", "productVariants")
def _variants(_: None, info: Info, **args: Any) -> Connection[Any]:
    state = context_of(info).state
    fields, sorts = f.variant_fields(state), f.variant_sort(state)
    return _list(info, state.variants, args, fields, ("sku", "title", "barcode"), sorts, f.variant_key)


@resolves("QueryRoot", "inventoryItems")
def _items(_: None, info: Info, **args: Any) -> Connection[Any]:
    state = context_of(info).state
    args = {**args, "sortKey": "ID"}
    conn = _list(info, state.variants, args, f.item_fields(state), ("sku",), {}, f.variant_key)
    return conn.map(InventoryItemRef)


@resolves("QueryRoot", "locations")
def _locations(_: None, info: Info, **args: Any) -> Connection[Any]:
    state = context_of(info).state
    sorts = {"NAME": f.location_key}
    id_key: Callable[[Location], tuple[int]] = lambda loc: (loc.shopify_location_id or 0,)  # noqa: E731
    return _list(info, state.locations, args, f.LOCATION_FIELDS, ("name",), sorts, id_key)


@resolves("QueryRoot", "orders")
def _orders(_: None, info: Info, **args: Any) -> Connection[Any]:
    state = context_of(info).state
    return _list(info, state.orders, args, f.ORDER_FIELDS, ("name", "email"), f.ORDER_SORT, _order_key)


def _order_key(order: Any) -> tuple[int]:
    return (order.id,)


@resolves("QueryRoot", "customers")
def _customers(_: None, info: Info, **args: Any) -> Connection[Any]:
    state = context_of(info).state
    defaults = ("first_name", "last_name", "email", "phone")
    return _list(info, state.customers, args, f.CUSTOMER_FIELDS, defaults, f.CUSTOMER_SORT, f.customer_key)


@resolves("QueryRoot", "webhookSubscriptions")
def _subscriptions(_: None, info: Info, **args: Any) -> Connection[Subscription]:
    page = PageArgs.from_args(args)
    subs = list(context_of(info).state.subscriptions.values())
    topics, url, fmt = args.get("topics"), args.get("callbackUrl"), args.get("format")
    chosen = [
        s
        for s in subs
        if (not topics or s.topic in topics)
        and (url is None or s.callback_url == url)
        and (fmt is None or s.format == fmt)
    ]
    return paginate(chosen, lambda s: (s.id,), page)


@dataclass(frozen=True, slots=True)
class HttpEndpoint:
    callback_url: str


TYPE_RESOLVERS.update({Subscription: "WebhookSubscription", HttpEndpoint: "WebhookHttpEndpoint"})


@resolves("WebhookSubscription", "id")
def _sub_id(s: Subscription, info: Info) -> str:
    return gid("WebhookSubscription", s.id)


@resolves("WebhookSubscription", "legacyResourceId")
def _sub_legacy(s: Subscription, info: Info) -> str:
    return str(s.id)


@resolves("WebhookSubscription", "uri")
def _sub_uri(s: Subscription, info: Info) -> str:
    return s.callback_url


@resolves("WebhookSubscription", "endpoint")
def _sub_endpoint(s: Subscription, info: Info) -> HttpEndpoint:
    return HttpEndpoint(s.callback_url)


@resolves("WebhookSubscription", "apiVersion")
def _sub_version(s: Subscription, info: Info) -> dict[str, Any]:
    return {"handle": s.api_version, "displayName": s.api_version, "supported": True}
