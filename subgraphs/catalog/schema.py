"""The catalog subgraph's types: Product, Variant and Location, the entities every other subgraph points at.

Sources: products and variants (titles, prices, barcodes) from Shopify, the
retailer's product information system here; locations from the OMS
facility master, whose ids are the location key across systems. Variant
and Product resolve references in batches (one Shopify call for all the
SKUs of a request); locations come from the process's location directory
(loaded once, refreshed every few minutes).
"""

from __future__ import annotations

import base64
from enum import Enum

import orjson
import strawberry
import strawberry.federation as fed
from aiodataloader import DataLoader

from resolvers import domain
from resolvers.loaders import keyed_loader
from subgraphs.common.app import RequestContext
from subgraphs.common.errors import BadUserInput
from subgraphs.common.federation import FederatedSchema
from subgraphs.common.keys import can_name_a_record
from subgraphs.common.types import Address, Money, PageInfo

__all__ = ["Location", "LocationType", "Product", "ProductConnection", "Query", "Variant", "schema"]

Info = strawberry.Info[RequestContext, None]
MAX_PAGE = 100


@strawberry.enum
class LocationType(Enum):
    STORE = "STORE"
    WAREHOUSE = "WAREHOUSE"
    DISTRIBUTION_CENTER = "DISTRIBUTION_CENTER"


@fed.type(keys=["id"])
class Location:
    id: strawberry.ID
    name: str
    type: LocationType
    address: Address | None
    fulfills_online_orders: bool
    pickup_enabled: bool

    @classmethod
    def of(cls, location: domain.Location) -> Location:
        return cls(
            id=strawberry.ID(location.id),
            name=location.name,
            type=LocationType(location.type),
            address=Address.of(location.address) if location.address else None,
            fulfills_online_orders=location.fulfills_online,
            pickup_enabled=location.pickup_enabled,
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Location | None:
        return await _location(info, str(id))


@fed.type(keys=["sku"], description="A sellable item (one SKU). The unit of price, stock and order lines.")
class Variant:
    sku: strawberry.ID
    gtin: str | None
    title: str
    price: Money
    product_id: strawberry.Private[str]

    @classmethod
    def of(cls, variant: domain.Variant) -> Variant:
        return cls(
            sku=strawberry.ID(variant.sku),
            gtin=variant.gtin,
            title=variant.title,
            price=Money.of(variant.price),
            product_id=variant.product_id,
        )

    @strawberry.field
    async def product(self, info: Info) -> Product:
        found = await _products(info).load(self.product_id)
        if found is None:
            raise LookupError(f"product {self.product_id} of variant {self.sku} is not in the catalog")
        return Product.of(found)

    @classmethod
    async def resolve_reference(cls, info: Info, sku: strawberry.ID) -> Variant | None:
        if not can_name_a_record(str(sku)):
            return None
        found = await _variants(info).load(str(sku))
        return Variant.of(found) if found else None


@fed.type(keys=["id"])
class Product:
    id: strawberry.ID
    title: str
    description: str | None
    brand: str | None
    variants: list[Variant]

    @classmethod
    def of(cls, product: domain.Product) -> Product:
        return cls(
            id=strawberry.ID(product.id),
            title=product.title,
            description=product.description,
            brand=product.brand,
            variants=[Variant.of(v) for v in product.variants],
        )

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> Product | None:
        if not can_name_a_record(str(id)):
            return None
        found = await _products(info).load(str(id))
        return Product.of(found) if found else None


@strawberry.type
class ProductEdge:
    cursor: str
    node: Product


@strawberry.type
class ProductConnection:
    edges: list[ProductEdge]
    page_info: PageInfo


def _products(info: Info) -> DataLoader[str, domain.Product | None]:
    shopify = info.context.systems.shopify
    return info.context.loader("catalog.products", lambda: keyed_loader(shopify.products_by_ids))


def _variants(info: Info) -> DataLoader[str, domain.Variant | None]:
    shopify = info.context.systems.shopify
    return info.context.loader("catalog.variants", lambda: keyed_loader(shopify.variants_by_skus))


async def _location(info: Info, location_id: str) -> Location | None:
    locations = (await info.context.systems.directory.map()).locations
    found = locations.get(location_id)
    return Location.of(found) if found else None


def _encode_cursor(after: str | None, index: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([after, index])).decode()


def _decode_cursor(cursor: str) -> tuple[str | None, int]:
    try:
        after, index = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as exc:
        raise BadUserInput("after is not a cursor this API gave out", argument="after") from exc
    if not (after is None or isinstance(after, str)) or not isinstance(index, int) or index < 0:
        raise BadUserInput("after is not a cursor this API gave out", argument="after")
    return after, index


@strawberry.type
class Query:
    @strawberry.field(description="Catalog listing; query matches title, brand or SKU. first is at most 100.")
    async def products(
        self, info: Info, first: int | None = 20, after: str | None = None, query: str | None = None
    ) -> ProductConnection:
        first = 20 if first is None else first
        if not 0 <= first <= MAX_PAGE:
            raise BadUserInput(f"first must be between 0 and {MAX_PAGE}", argument="first")
        if query is not None and '"' in query:
            raise BadUserInput("query cannot contain a double quote", argument="query")
        upstream_after, skip = _decode_cursor(after) if after else (None, -1)
        page = await info.context.systems.shopify.products(first + skip + 1, upstream_after, query)
        items = page.items[skip + 1 :]
        edges = [
            ProductEdge(cursor=_encode_cursor(upstream_after, skip + 1 + i), node=Product.of(product))
            for i, product in enumerate(items)
        ]
        more = page.has_next_page or len(items) > first
        edges = edges[:first]
        end = edges[-1].cursor if edges else None
        return ProductConnection(edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=end))

    @strawberry.field
    async def product(self, info: Info, id: strawberry.ID) -> Product | None:
        return await Product.resolve_reference(info, id)

    @strawberry.field
    async def variant(self, info: Info, sku: strawberry.ID) -> Variant | None:
        return await Variant.resolve_reference(info, sku)

    @strawberry.field(description="Up to 100 SKUs; null in place of an unknown SKU.")
    async def variants(self, info: Info, skus: list[strawberry.ID]) -> list[Variant | None]:
        if len(skus) > MAX_PAGE:
            raise BadUserInput(f"at most {MAX_PAGE} SKUs per request", argument="skus")
        wanted = [str(sku) for sku in skus if can_name_a_record(str(sku))]
        found = dict(zip(wanted, await _variants(info).load_many(wanted), strict=True))
        return [Variant.of(v) if (v := found.get(str(sku))) else None for sku in skus]

    @strawberry.field
    async def location(self, info: Info, id: strawberry.ID) -> Location | None:
        return await _location(info, str(id))

    @strawberry.field
    async def locations(self, info: Info, type: LocationType | None = None) -> list[Location]:
        locations = (await info.context.systems.directory.map()).locations
        chosen = sorted(locations.values(), key=lambda loc: loc.id)
        return [Location.of(loc) for loc in chosen if type is None or loc.type == type.value]


schema = FederatedSchema(query=Query, types=[Location, Variant, Product], federation_version="2.9")
