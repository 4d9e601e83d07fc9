"""Search fields and sort keys of each searchable list (products, variants, orders, ...).

``filter_list`` applies a ``query`` argument to a list of records and reports
unknown fields in ``extensions.search`` as Shopify does; a malformed query is a
``BAD_REQUEST`` GraphQL error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from graphql import GraphQLResolveInfo

from sandbox.shopify._util import iso
from sandbox.shopify.context import context_of
from sandbox.shopify.errors import bad_request
from sandbox.shopify.records import CustomerRecord, OrderRecord
from sandbox.shopify.resolvers.catalog import product_handle, product_updated_at
from sandbox.shopify.search import Field, SearchSyntaxError, compile_query
from sandbox.shopify.state import ShopState
from sandbox.world import Location, Product, Variant

__all__ = [
    "CUSTOMER_FIELDS",
    "CUSTOMER_SORT",
    "LOCATION_FIELDS",
    "ORDER_FIELDS",
    "ORDER_SORT",
    "PRODUCT_FIELDS",
    "PRODUCT_SORT",
    "customer_key",
    "filter_list",
    "item_fields",
    "location_key",
    "product_key",
    "variant_fields",
    "variant_key",
    "variant_sort",
]

T = TypeVar("T")
SortKey = Callable[[Any], tuple[Any, ...]]


def filter_list(
    info: GraphQLResolveInfo[Any],
    items: Sequence[T],
    query: str | None,
    fields: dict[str, Field],
    defaults: tuple[str, ...],
) -> Sequence[T]:
    try:
        predicate, unknown = compile_query(query, fields, defaults)
    except SearchSyntaxError as exc:
        raise bad_request(f"Invalid search query '{query}': {exc}") from exc
    if unknown:
        warnings = [{"field": name, "message": "Invalid search field for this query."} for name in unknown]
        context_of(info).search.append(
            {"path": list(info.path.as_list()), "query": query, "warnings": warnings}
        )
    return items if predicate is None else [item for item in items if predicate(item)]


# ---------------------------------------------------------------- products and variants

PRODUCT_FIELDS: dict[str, Field] = {
    "title": Field("text", lambda p: p.title),
    "vendor": Field("text", lambda p: p.brand),
    "product_type": Field("exact", lambda p: p.product_type),
    "status": Field("exact", lambda p: "active"),
    "tag": Field("exact", lambda p: p.tags),
    "sku": Field("exact", lambda p: [v.sku for v in p.variants]),
    "barcode": Field("exact", lambda p: [v.gtin for v in p.variants]),
    "handle": Field("exact", product_handle),
    "id": Field("number", lambda p: p.shopify_product_id),
    "created_at": Field("date", lambda p: p.created_at),
    "updated_at": Field("date", product_updated_at),
}

PRODUCT_SORT: dict[str, SortKey] = {
    "TITLE": lambda p: (p.title.lower(), p.shopify_product_id),
    "CREATED_AT": lambda p: (iso(p.created_at), p.shopify_product_id),
    "PUBLISHED_AT": lambda p: (iso(p.created_at), p.shopify_product_id),
    "UPDATED_AT": lambda p: (iso(product_updated_at(p)), p.shopify_product_id),
    "PRODUCT_TYPE": lambda p: (p.product_type.lower(), p.shopify_product_id),
    "VENDOR": lambda p: (p.brand.lower(), p.shopify_product_id),
}


def variant_fields(state: ShopState) -> dict[str, Field]:
    product = state.product_of
    return {
        "sku": Field("exact", lambda v: v.sku),
        "barcode": Field("exact", lambda v: v.gtin),
        "title": Field("text", lambda v: v.title),
        "product_id": Field("number", lambda v: product[v.sku].shopify_product_id),
        "product_type": Field("exact", lambda v: product[v.sku].product_type),
        "vendor": Field("text", lambda v: product[v.sku].brand),
        "id": Field("number", lambda v: v.shopify_variant_id),
        "updated_at": Field("date", lambda v: product_updated_at(product[v.sku])),
    }


def variant_sort(state: ShopState) -> dict[str, SortKey]:
    product = state.product_of
    return {
        "SKU": lambda v: (v.sku.lower(), v.shopify_variant_id),
        "TITLE": lambda v: (v.title.lower(), v.shopify_variant_id),
        "NAME": lambda v: (f"{product[v.sku].title} - {v.title}".lower(), v.shopify_variant_id),
        "POSITION": lambda v: (f"{product[v.sku].shopify_product_id}:{v.index:08d}", v.shopify_variant_id),
    }


def item_fields(state: ShopState) -> dict[str, Field]:
    product = state.product_of
    return {
        "sku": Field("exact", lambda v: v.sku),
        "id": Field("number", lambda v: v.shopify_inventory_item_id),
        "created_at": Field("date", lambda v: product[v.sku].created_at),
        "updated_at": Field("date", lambda v: product[v.sku].created_at),
    }


# ---------------------------------------------------------------- locations

LOCATION_FIELDS: dict[str, Field] = {
    "name": Field("text", lambda loc: loc.name),
    "id": Field("number", lambda loc: loc.shopify_location_id),
    "location_id": Field("number", lambda loc: loc.shopify_location_id),
    "pickup_in_store": Field("exact", lambda loc: "enabled" if loc.pickup_enabled else "disabled"),
}


def location_key(loc: Location) -> tuple[str, int]:
    return (loc.name.lower(), loc.shopify_location_id or 0)


# ---------------------------------------------------------------- orders


def _status_match(order: OrderRecord, op: str, value: str) -> bool:
    if value == "any":
        return True
    if value == "open":
        return order.closed_at is None
    if value == "closed":
        return order.closed_at is not None
    if value in ("cancelled", "canceled"):
        return order.cancelled_at is not None
    return False


_FULFILLMENT_FILTER = {
    "shipped": {"FULFILLED"},
    "fulfilled": {"FULFILLED"},
    "partial": {"PARTIALLY_FULFILLED"},
    "unshipped": {"UNFULFILLED"},
    "unfulfilled": {"UNFULFILLED", "PARTIALLY_FULFILLED"},
}


def _fulfillment_match(order: OrderRecord, op: str, value: str) -> bool:
    if value == "any":
        return True
    wanted = _FULFILLMENT_FILTER.get(value, {value.upper()})
    return order.fulfillment_display in wanted


ORDER_FIELDS: dict[str, Field] = {
    "name": Field("custom", lambda o: o.name, lambda o, op, v: o.name.lower() == v.lstrip("#")),
    "email": Field("exact", lambda o: o.email),
    "status": Field("custom", lambda o: None, _status_match),
    "financial_status": Field("exact", lambda o: o.financial_status.lower()),
    "fulfillment_status": Field("custom", lambda o: None, _fulfillment_match),
    "customer_id": Field("number", lambda o: o.customer.id if o.customer else None),
    "id": Field("number", lambda o: o.id),
    "sku": Field("exact", lambda o: [line.sku for line in o.lines]),
    "tag": Field("exact", lambda o: o.tags),
    "source_name": Field("exact", lambda o: o.source_name),
    "created_at": Field("date", lambda o: o.created_at),
    "processed_at": Field("date", lambda o: o.processed_at or o.created_at),
    "updated_at": Field("date", lambda o: o.updated_at),
}

ORDER_SORT: dict[str, SortKey] = {
    "CREATED_AT": lambda o: (iso(o.created_at), o.id),
    "PROCESSED_AT": lambda o: (iso(o.processed_at or o.created_at), o.id),
    "UPDATED_AT": lambda o: (iso(o.updated_at), o.id),
    "ORDER_NUMBER": lambda o: (o.name, o.id),
    "TOTAL_PRICE": lambda o: (o.total_cents, o.id),
    "CUSTOMER_NAME": lambda o: ((o.customer.display_name if o.customer else "").lower(), o.id),
    "FINANCIAL_STATUS": lambda o: (o.financial_status, o.id),
    "FULFILLMENT_STATUS": lambda o: (o.fulfillment_display, o.id),
}

# ---------------------------------------------------------------- customers

CUSTOMER_FIELDS: dict[str, Field] = {
    "email": Field("exact", lambda c: c.email),
    "phone": Field("exact", lambda c: c.phone),
    "first_name": Field("text", lambda c: c.first_name),
    "last_name": Field("text", lambda c: c.last_name),
    "tag": Field("exact", lambda c: c.tags),
    "id": Field("number", lambda c: c.id),
    "customer_id": Field("number", lambda c: c.id),
    "created_at": Field("date", lambda c: c.created_at),
    "updated_at": Field("date", lambda c: c.updated_at),
}

CUSTOMER_SORT: dict[str, SortKey] = {
    "CREATED_AT": lambda c: (iso(c.created_at), c.id),
    "UPDATED_AT": lambda c: (iso(c.updated_at), c.id),
    "NAME": lambda c: (c.display_name.lower(), c.id),
}


def customer_key(c: CustomerRecord) -> tuple[int]:
    return (c.id,)


def variant_key(v: Variant) -> tuple[int]:
    return (v.shopify_variant_id,)


def product_key(p: Product) -> tuple[int]:
    return (p.shopify_product_id,)
