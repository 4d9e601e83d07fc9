"""The Square catalog of the retailer: one ITEM per product, one ITEM_VARIATION per SKU.

Ids come from the world (``variant.square_variation_id``,
``variant.square_item_id``); the SKU is ``item_variation_data.sku`` and the
GTIN is ``upc``. Variations use FIXED_PRICING and track inventory. The
catalog is read-only in this mimic.

Queries (``SearchCatalogObjects``) match case-insensitively:

* ``exact_query`` / ``set_query``: the attribute equals the value (any of the values);
* ``prefix_query``: the attribute starts with the prefix;
* ``text_query``: every keyword of 3+ characters starts a word of name, description or SKU.

Searchable attributes: ``name``, ``sku``, ``upc`` on both types (an ITEM
matches on any of its variations' SKUs and UPCs), ``description`` on items
and ``item_id`` on variations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sandbox.pos.wire import compact, money, timestamp
from sandbox.world import Product, Variant, World

__all__ = ["ITEM", "VARIATION", "Catalog", "CatalogQuery", "ObjectRef"]

ITEM = "ITEM"
VARIATION = "ITEM_VARIATION"
ObjectRef = tuple[str, str]
"""(object type, object id)."""

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class CatalogQuery:
    kind: Literal["exact", "set", "prefix", "text"]
    attribute: str
    values: tuple[str, ...]


class Catalog:
    """Index of the world's products for Square's catalog endpoints."""

    def __init__(self, world: World) -> None:
        self.products: dict[str, Product] = {p.id: p for p in world.products}
        self.items: dict[str, Product] = {
            p.variants[0].square_item_id: p for p in world.products if p.variants
        }
        self.variants: tuple[Variant, ...] = tuple(world.variants)
        self.variations: dict[str, Variant] = {v.square_variation_id: v for v in self.variants}
        self._by_sku = {v.sku.lower(): v for v in self.variants}
        self._by_upc = {v.gtin: v for v in self.variants}
        self.objects: list[ObjectRef] = []
        for product in world.products:
            if product.variants:
                self.objects.append((ITEM, product.variants[0].square_item_id))
                self.objects.extend((VARIATION, v.square_variation_id) for v in product.variants)
        self._position = {ref: i for i, ref in enumerate(self.objects)}

    # ------------------------------------------------------------ lookups

    def product_of(self, variant: Variant) -> Product:
        return self.products[variant.product_id]

    def ref(self, object_id: str) -> ObjectRef | None:
        if object_id in self.variations:
            return (VARIATION, object_id)
        if object_id in self.items:
            return (ITEM, object_id)
        return None

    def updated_at(self, ref: ObjectRef) -> datetime:
        if ref[0] == ITEM:
            return self.items[ref[1]].created_at
        return self.product_of(self.variations[ref[1]]).created_at

    # ------------------------------------------------------------ wire shapes

    def object_json(self, ref: ObjectRef) -> dict[str, Any]:
        if ref[0] == ITEM:
            return self.item_json(self.items[ref[1]])
        return self.variation_json(self.variations[ref[1]])

    def item_json(self, product: Product) -> dict[str, Any]:
        return {
            **self._envelope(ITEM, product.variants[0].square_item_id, product.created_at),
            "item_data": compact(
                {
                    "name": product.title,
                    "description": product.description,
                    "is_taxable": True,
                    "variations": [self.variation_json(v) for v in product.variants],
                    "product_type": "REGULAR",
                    "is_archived": False,
                }
            ),
        }

    def variation_json(self, variant: Variant) -> dict[str, Any]:
        product = self.product_of(variant)
        ordinal = next(i for i, v in enumerate(product.variants) if v.sku == variant.sku)
        return {
            **self._envelope(VARIATION, variant.square_variation_id, product.created_at),
            "item_variation_data": {
                "item_id": variant.square_item_id,
                "name": variant.title,
                "sku": variant.sku,
                "upc": variant.gtin,
                "ordinal": ordinal,
                "pricing_type": "FIXED_PRICING",
                "price_money": money(variant.price_cents),
                "track_inventory": True,
                "sellable": True,
                "stockable": True,
            },
        }

    @staticmethod
    def _envelope(kind: str, object_id: str, updated: datetime) -> dict[str, Any]:
        return {
            "type": kind,
            "id": object_id,
            "updated_at": timestamp(updated),
            "created_at": timestamp(updated),
            "version": int(updated.timestamp() * 1000),
            "is_deleted": False,
            "present_at_all_locations": True,
        }

    def related_items(self, refs: Iterable[ObjectRef]) -> list[dict[str, Any]]:
        """The parent ITEMs of the variations among ``refs`` (Square's ``related_objects``)."""
        parents = dict.fromkeys(
            self.variations[oid].square_item_id for kind, oid in refs if kind == VARIATION
        )
        return [self.item_json(self.items[item_id]) for item_id in parents]

    # ------------------------------------------------------------ search

    def search(self, types: frozenset[str], queries: tuple[CatalogQuery, ...]) -> list[ObjectRef]:
        """Objects matching every query, in catalog order."""
        if not queries:
            return [ref for ref in self.objects if ref[0] in types]
        first, *rest = queries
        if first.kind in ("exact", "set") and first.attribute in ("sku", "upc"):
            candidates = self._indexed(types, first)
        else:
            candidates = [ref for ref in self.objects if ref[0] in types and self._matches(ref, first)]
        return [ref for ref in candidates if all(self._matches(ref, q) for q in rest)]

    def _indexed(self, types: frozenset[str], query: CatalogQuery) -> list[ObjectRef]:
        index = self._by_sku if query.attribute == "sku" else self._by_upc
        found: set[ObjectRef] = set()
        for value in query.values:
            variant = index.get(value.lower() if query.attribute == "sku" else value)
            if variant is None:
                continue
            if VARIATION in types:
                found.add((VARIATION, variant.square_variation_id))
            if ITEM in types:
                found.add((ITEM, variant.square_item_id))
        return sorted(found, key=self._position.__getitem__)

    def _matches(self, ref: ObjectRef, query: CatalogQuery) -> bool:
        if query.kind == "text":
            words = {w for text in self._attribute(ref, "text") for w in _WORD.findall(text.lower())}
            keywords = [k.lower() for k in query.values if len(k) >= 3]
            return bool(keywords) and all(any(w.startswith(k) for w in words) for k in keywords)
        values = [v.lower() for v in self._attribute(ref, query.attribute)]
        wanted = [v.lower() for v in query.values]
        if query.kind == "prefix":
            return any(v.startswith(w) for v in values for w in wanted)
        return any(v in wanted for v in values)

    def _attribute(self, ref: ObjectRef, attribute: str) -> list[str]:
        if ref[0] == VARIATION:
            v = self.variations[ref[1]]
            fields = {"name": [v.title], "sku": [v.sku], "upc": [v.gtin], "item_id": [v.square_item_id]}
            fields["text"] = [v.title, v.sku, self.product_of(v).title]
            return fields.get(attribute, [])
        p = self.items[ref[1]]
        skus = [v.sku for v in p.variants]
        fields = {"name": [p.title], "description": [p.description], "sku": skus}
        fields["upc"] = [v.gtin for v in p.variants]
        fields["text"] = [p.title, p.description, *skus]
        return fields.get(attribute, [])
