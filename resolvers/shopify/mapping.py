"""Pure functions from Shopify's wire payloads to the canonical records: catalog, stock, customers.

- our product id is the product's ``custom.product_id`` metafield, our customer
  id the customer's ``custom.customer_id``; Shopify's numeric id
  (``legacyResourceId``) is the record's ``system_id`` / its ``ExternalRef``;
- a variant's ``price`` has no currency of its own: the shop's (settings);
  ``barcode`` is the GTIN, the product's ``vendor`` its brand;
- stock keeps Shopify's quantity names apart: ``unavailable`` = damaged +
  quality_control, and ``available`` is Shopify's own signed figure (already
  net of committed and reserved: the subgraph must not subtract them again).

Orders and returns: :mod:`resolvers.shopify.mapping_orders`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

from resolvers.domain import (
    Address,
    CustomerRecord,
    ExternalRef,
    Money,
    Product,
    StockLevel,
    System,
    Variant,
)
from resolvers.shopify.wire import CustomerNode, MailingAddress, Metafield, ProductNode, VariantNode

__all__ = [
    "aware",
    "from_epoch",
    "metafield_value",
    "to_address",
    "to_customer",
    "to_product",
    "to_stock_level",
    "to_variant",
]

SYSTEM: System = "SHOPIFY"


def aware(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC (a naive time is taken to be UTC already)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def metafield_value(field: Metafield | None) -> str | None:
    return field.value if field is not None and field.value else None


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount, currency)


def to_variant(node: VariantNode, currency: str, product_id: str | None = None) -> Variant | None:
    """The variant, or None when it has no SKU (our key for variants).

    ``product_id`` is our id of its product when the node does not carry its
    product (variants read through a product); otherwise it is the product's
    metafield, or Shopify's product id when that is unset.
    """
    if not node.sku:
        return None
    if product_id is None:
        product = node.product
        product_id = (metafield_value(product.metafield) or product.legacyResourceId) if product else ""
    return Variant(
        sku=node.sku,
        title=node.title,
        product_id=product_id,
        price=_money(node.price, currency),
        gtin=node.barcode or None,
        refs=(ExternalRef(SYSTEM, node.legacyResourceId),),
    )


def to_product(node: ProductNode, currency: str, extra: Iterable[VariantNode] = ()) -> Product:
    """The product with its variants (``extra``: the ones a follow-up read found past the first page)."""
    product_id = metafield_value(node.metafield) or node.legacyResourceId
    seen: dict[str, Variant] = {}
    for variant_node in (*node.variants.nodes, *extra):
        variant = to_variant(variant_node, currency, product_id)
        if variant is not None:
            seen.setdefault(variant.sku, variant)
    return Product(
        id=product_id,
        title=node.title,
        description=node.description or None,
        brand=node.vendor or None,
        variants=tuple(seen.values()),
        refs=(ExternalRef(SYSTEM, node.legacyResourceId),),
    )


def to_stock_level(
    sku: str, location_id: str, quantities: Mapping[str, int], *, as_of: datetime | None, stale: bool = False
) -> StockLevel:
    """One level from Shopify's quantities by name (a name Shopify left out counts 0)."""

    def q(name: str) -> int:
        return int(quantities.get(name, 0))

    return StockLevel(
        system=SYSTEM,
        sku=sku,
        location_id=location_id,
        on_hand=q("on_hand"),
        committed=q("committed"),
        reserved=q("reserved"),
        safety_stock=q("safety_stock"),
        unavailable=q("damaged") + q("quality_control"),
        incoming=q("incoming"),
        available=q("available"),
        as_of=as_of,
        stale=stale,
    )


def to_address(address: MailingAddress | None) -> Address | None:
    """A mailing address; None when it has no street, city and zip at all."""
    if address is None or not (address.address1 or address.city or address.zip):
        return None
    return Address(
        line1=address.address1 or "",
        line2=address.address2 or None,
        city=address.city or "",
        region=address.provinceCode or None,
        postal_code=address.zip or "",
        country_code=address.countryCodeV2 or "",
    )


def to_customer(node: CustomerNode) -> CustomerRecord:
    addresses = tuple(a for a in (to_address(raw) for raw in node.addresses) if a is not None)
    return CustomerRecord(
        system=SYSTEM,
        system_id=node.legacyResourceId,
        customer_id=metafield_value(node.metafield),
        email=node.email or None,
        phone=node.phone or None,
        first_name=node.firstName or None,
        last_name=node.lastName or None,
        addresses=addresses,
        created_at=aware(node.createdAt),
        updated_at=aware(node.updatedAt),
    )
