"""Resolvers of Product, ProductVariant, InventoryItem and InventoryLevel (world objects, read-only)."""

from __future__ import annotations

import html
from datetime import datetime, timedelta
from typing import Any

from sandbox.shopify._util import money, slug, stable_int
from sandbox.shopify.context import Info, context_of
from sandbox.shopify.errors import bad_request
from sandbox.shopify.gids import gid, level_gid, parse_gid
from sandbox.shopify.inventory import QUANTITY_NAMES
from sandbox.shopify.paging import Connection, PageArgs, paginate, paginate_indexed
from sandbox.shopify.records import InventoryItemRef, InventoryLevelRef
from sandbox.shopify.resolvers._registry import TYPE_RESOLVERS, resolves
from sandbox.world import EPOCH, Location, Product, Variant

__all__ = ["product_handle", "product_updated_at", "variant_level"]

TYPE_RESOLVERS.update({Product: "Product", Variant: "ProductVariant"})
TYPE_RESOLVERS.update({InventoryItemRef: "InventoryItem", InventoryLevelRef: "InventoryLevel"})


def product_updated_at(product: Product) -> datetime:
    span = max(1, (EPOCH - product.created_at).days)
    return product.created_at + timedelta(days=stable_int("p-upd", product.id) % span, hours=3)


def product_handle(product: Product) -> str:
    return f"{slug(product.title)}-{product.id.lower()}"


def variant_level(info: Info, variant: Variant, location: Location | None) -> InventoryLevelRef | None:
    if location is None or not context_of(info).state.inventory.stocked(variant.sku, location.code):
        return None
    return InventoryLevelRef(variant, location)


# ---------------------------------------------------------------- Product


@resolves("Product", "id")
def _product_id(p: Product, info: Info) -> str:
    return gid("Product", p.shopify_product_id)


@resolves("Product", "legacyResourceId")
def _product_legacy(p: Product, info: Info) -> str:
    return str(p.shopify_product_id)


@resolves("Product", "description")
def _description(p: Product, info: Info, truncateAt: int | None = None) -> str:
    return p.description if truncateAt is None else p.description[:truncateAt]


@resolves("Product", "descriptionHtml")
def _description_html(p: Product, info: Info) -> str:
    return f"<p>{html.escape(p.description)}</p>"


@resolves("Product", "vendor")
def _vendor(p: Product, info: Info) -> str:
    return p.brand


@resolves("Product", "status")
def _status(p: Product, info: Info) -> str:
    return "ACTIVE"


@resolves("Product", "handle")
def _handle(p: Product, info: Info) -> str:
    return product_handle(p)


@resolves("Product", "updatedAt")
def _product_updated(p: Product, info: Info) -> datetime:
    return product_updated_at(p)


@resolves("Product", "publishedAt")
def _published(p: Product, info: Info) -> datetime:
    return p.created_at


@resolves("Product", "options")
def _options(p: Product, info: Info, first: int | None = None) -> list[dict[str, Any]]:
    names = [name for name, _ in p.variants[0].options]
    out = []
    for i, name in enumerate(names):
        values = list(dict.fromkeys(dict(v.options)[name] for v in p.variants))
        out.append(
            {
                "id": gid("ProductOption", p.shopify_product_id * 10 + i),
                "name": name,
                "position": i + 1,
                "values": values,
            }
        )
    return out[:first] if first is not None else out


@resolves("Product", "variants")
def _variants(p: Product, info: Info, **args: Any) -> Connection[Variant]:
    return paginate(p.variants, lambda v: (v.shopify_variant_id,), PageArgs.from_args(args))


@resolves("Product", "variantsCount")
def _variants_count(p: Product, info: Info) -> dict[str, Any]:
    return {"count": len(p.variants), "precision": "EXACT"}


@resolves("Product", "metafield")
def _product_metafield(
    p: Product, info: Info, key: str, namespace: str | None = None
) -> dict[str, Any] | None:
    if (namespace or "custom", key) != ("custom", "product_id"):
        return None
    moment = p.created_at
    return {
        "id": gid("Metafield", 26_000_000_000 + p.index),
        "namespace": "custom",
        "key": "product_id",
        "value": p.id,
        "type": "single_line_text_field",
        "createdAt": moment,
        "updatedAt": moment,
    }


# ---------------------------------------------------------------- ProductVariant


@resolves("ProductVariant", "id")
def _variant_id(v: Variant, info: Info) -> str:
    return gid("ProductVariant", v.shopify_variant_id)


@resolves("ProductVariant", "legacyResourceId")
def _variant_legacy(v: Variant, info: Info) -> str:
    return str(v.shopify_variant_id)


@resolves("ProductVariant", "barcode")
def _barcode(v: Variant, info: Info) -> str:
    return v.gtin


@resolves("ProductVariant", "displayName")
def _display_name(v: Variant, info: Info) -> str:
    return f"{context_of(info).state.product_of_variant(v).title} - {v.title}"


@resolves("ProductVariant", "position")
def _position(v: Variant, info: Info) -> int:
    return context_of(info).state.product_of_variant(v).variants.index(v) + 1


@resolves("ProductVariant", "price")
def _price(v: Variant, info: Info) -> str:
    return money(v.price_cents)


@resolves("ProductVariant", "availableForSale")
def _available_for_sale(v: Variant, info: Info) -> bool:
    return True


@resolves("ProductVariant", "inventoryPolicy")
def _policy(v: Variant, info: Info) -> str:
    return "DENY"


@resolves("ProductVariant", "inventoryQuantity")
def _inventory_quantity(v: Variant, info: Info) -> int:
    state = context_of(info).state
    inventory = state.inventory
    return sum(
        inventory.available(v.sku, loc.code) for loc in state.locations if inventory.stocked(v.sku, loc.code)
    )


@resolves("ProductVariant", "inventoryItem")
def _inventory_item(v: Variant, info: Info) -> InventoryItemRef:
    return InventoryItemRef(v)


@resolves("ProductVariant", "product")
def _product(v: Variant, info: Info) -> Product:
    return context_of(info).state.product_of_variant(v)


@resolves("ProductVariant", "selectedOptions")
def _selected_options(v: Variant, info: Info) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in v.options]


@resolves("ProductVariant", "createdAt")
def _variant_created(v: Variant, info: Info) -> datetime:
    return context_of(info).state.product_of_variant(v).created_at


@resolves("ProductVariant", "updatedAt")
def _variant_updated(v: Variant, info: Info) -> datetime:
    return product_updated_at(context_of(info).state.product_of_variant(v))


# ---------------------------------------------------------------- InventoryItem


@resolves("InventoryItem", "id")
def _item_id(item: InventoryItemRef, info: Info) -> str:
    return gid("InventoryItem", item.variant.shopify_inventory_item_id)


@resolves("InventoryItem", "legacyResourceId")
def _item_legacy(item: InventoryItemRef, info: Info) -> str:
    return str(item.variant.shopify_inventory_item_id)


@resolves("InventoryItem", "sku")
def _item_sku(item: InventoryItemRef, info: Info) -> str:
    return item.variant.sku


@resolves("InventoryItem", "tracked", "requiresShipping")
def _item_true(item: InventoryItemRef, info: Info) -> bool:
    return True


@resolves("InventoryItem", "variant")
def _item_variant(item: InventoryItemRef, info: Info) -> Variant:
    return item.variant


@resolves("InventoryItem", "inventoryLevels")
def _item_levels(item: InventoryItemRef, info: Info, **args: Any) -> Connection[InventoryLevelRef]:
    locations = context_of(info).state.locations
    return paginate_indexed(
        len(locations), lambda i: variant_level(info, item.variant, locations[i]), PageArgs.from_args(args)
    )


@resolves("InventoryItem", "inventoryLevel")
def _item_level(item: InventoryItemRef, info: Info, locationId: str) -> InventoryLevelRef | None:
    number = parse_gid(locationId, "Location")
    location = context_of(info).state.locations_by_id.get(number) if number is not None else None
    return variant_level(info, item.variant, location)


@resolves("InventoryItem", "locationsCount")
def _item_locations_count(item: InventoryItemRef, info: Info) -> dict[str, Any]:
    state = context_of(info).state
    count = sum(1 for loc in state.locations if state.inventory.stocked(item.variant.sku, loc.code))
    return {"count": count, "precision": "EXACT"}


@resolves("InventoryItem", "createdAt", "updatedAt")
def _item_times(item: InventoryItemRef, info: Info) -> datetime:
    return context_of(info).state.product_of_variant(item.variant).created_at


# ---------------------------------------------------------------- InventoryLevel


@resolves("InventoryLevel", "id")
def _level_id(level: InventoryLevelRef, info: Info) -> str:
    assert level.location.shopify_location_id is not None
    return level_gid(level.location.shopify_location_id, level.variant.shopify_inventory_item_id)


@resolves("InventoryLevel", "item")
def _level_item(level: InventoryLevelRef, info: Info) -> InventoryItemRef:
    return InventoryItemRef(level.variant)


@resolves("InventoryLevel", "canDeactivate")
def _can_deactivate(level: InventoryLevelRef, info: Info) -> bool:
    return True


@resolves("InventoryLevel", "createdAt")
def _level_created(level: InventoryLevelRef, info: Info) -> datetime:
    return EPOCH - timedelta(days=400)


@resolves("InventoryLevel", "updatedAt")
def _level_updated(level: InventoryLevelRef, info: Info) -> datetime:
    return context_of(info).state.inventory.updated_at(level.variant.sku, level.location.code)


@resolves("InventoryLevel", "quantities")
def _quantities(level: InventoryLevelRef, info: Info, names: list[str]) -> list[dict[str, Any]]:
    unknown = [name for name in names if name not in QUANTITY_NAMES]
    if unknown:
        raise bad_request(
            f"The quantity name '{unknown[0]}' is not valid. Valid names are: {', '.join(QUANTITY_NAMES)}."
        )
    inventory = context_of(info).state.inventory
    sku, code = level.variant.sku, level.location.code
    values = inventory.quantities(sku, code)
    updated = inventory.updated_at(sku, code)
    item_id = level.variant.shopify_inventory_item_id
    return [
        {
            "id": f"gid://shopify/InventoryQuantity/{level.location.shopify_location_id}"
            f"?inventory_item_id={item_id}&name={name}",
            "name": name,
            "quantity": values[name],
            "updatedAt": updated,
        }
        for name in names
    ]
