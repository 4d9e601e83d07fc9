"""The catalog port over Shopify: products (a page, or by our ids) and variants by SKU.

=====================  ===================================================  ===============================
method                 request                                              cache (operation)
=====================  ===================================================  ===============================
variants_by_skus       ``productVariants(query: "sku:A OR sku:B", first)``  per SKU (``variants``)
                       100 SKUs per call (302 points)
products               ``products(first, after, query)``; our query is      per page (``products_page``)
                       ``title:/vendor:/sku:`` terms (search.product_search)
products_by_ids        ``nodes(ids:)`` of the Shopify ids the id index      per id (``products``)
                       gives for ours (resolvers.shopify.ids)
=====================  ===================================================  ===============================

A product is read with its first ``variants_per_product`` variants; the rest
of a bigger one come from one follow-up ``productVariants(query:
"product_id:...")`` read (``product_variants``). Every answer teaches the id
index our product id (the ``custom.product_id`` metafield).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import Field

from resolvers.domain import Page, Product, Variant
from resolvers.kit.call import ConnectorKit
from resolvers.kit.upstream import UpstreamHttp
from resolvers.shopify.batches import read_batches
from resolvers.shopify.cost import largest_batch, requested_cost
from resolvers.shopify.documents import PRODUCTS_BY_IDS, PRODUCTS_PAGE, VARIANTS
from resolvers.shopify.exchange import ShopifyGraphQL, parse
from resolvers.shopify.ids import IdIndex
from resolvers.shopify.mapping import metafield_value, to_product, to_variant
from resolvers.shopify.search import any_of, gid, product_search
from resolvers.shopify.settings import SYSTEM, ShopifySettings
from resolvers.shopify.wire import PageInfo, ProductNode, VariantNode, Wire

__all__ = ["ShopifyCatalog"]

_MAX_SKUS = 100
_MAX_PAGE = 250


class _ProductPage(Wire):
    nodes: list[ProductNode] = Field(default_factory=list)
    pageInfo: PageInfo = PageInfo()


class _VariantPage(Wire):
    nodes: list[VariantNode] = Field(default_factory=list)
    pageInfo: PageInfo = PageInfo()


class ShopifyCatalog:
    """:class:`~resolvers.ports.CatalogSource` over the Admin API (module docstring)."""

    def __init__(
        self, kit: ConnectorKit, graphql: ShopifyGraphQL, settings: ShopifySettings, products: IdIndex
    ) -> None:
        self._kit = kit
        self._graphql = graphql
        self._settings = settings
        self._index = products
        self.product_of_sku: dict[str, str] = {}
        """Our product id of every SKU seen (to evict a product when its variant changes)."""
        limit = settings.max_query_cost
        v = settings.variants_per_product
        self._skus_per_call = largest_batch(lambda n: requested_cost(VARIANTS, {"n": n}), limit, _MAX_SKUS)
        self._page_most = largest_batch(
            lambda n: requested_cost(PRODUCTS_PAGE, {"n": n, "v": v}), limit, _MAX_PAGE
        )
        self._ids_most = largest_batch(
            lambda n: requested_cost(PRODUCTS_BY_IDS, {"ids": [""] * n, "v": v}), limit, _MAX_PAGE
        )

    # ------------------------------------------------------------ variants

    async def variants_by_skus(self, skus: Sequence[str]) -> list[Variant | None]:
        async def fetch(http: UpstreamHttp, missing: list[str]) -> dict[str, Any]:
            variables = {"q": any_of("sku", missing, operation="variants"), "n": len(missing)}
            page = self._variant_page(await self._graphql.query(http, VARIANTS, variables))
            wanted = set(missing)
            return {n.sku: n.model_dump(mode="json") for n in page.nodes if n.sku in wanted}

        batch = await read_batches(
            self._kit,
            "variants",
            skus,
            most=self._skus_per_call,
            fetch=fetch,
            cost=lambda n: requested_cost(VARIANTS, {"n": n}),
        )
        found: dict[str, Variant] = {}
        for sku, raw in batch.values.items():
            node = parse(VariantNode, raw, operation="variants")
            if node.product is not None:
                self._index.learn(metafield_value(node.product.metafield), node.product.legacyResourceId)
            variant = to_variant(node, self._settings.currency)
            if variant is not None:
                found[sku] = variant
                self.product_of_sku[sku] = variant.product_id
        return [found.get(sku) for sku in skus]

    # ------------------------------------------------------------ products

    async def products(self, first: int, after: str | None, query: str | None) -> Page[Product]:
        """A page of at most ``first`` products (fewer when a page that big would pass the cost limit)."""
        if first <= 0:
            return Page((), False, after)
        v = self._settings.variants_per_product
        variables = {"n": min(first, self._page_most), "after": after, "q": product_search(query), "v": v}

        async def fetch(http: UpstreamHttp) -> Any:
            data = await self._graphql.query(http, PRODUCTS_PAGE, variables)
            parse(_ProductPage, data.get("products"), operation="products_page")
            return data["products"]

        result = await self._kit.read(
            SYSTEM, "products_page", fetch, cache_key=variables, cost=requested_cost(PRODUCTS_PAGE, variables)
        )
        page = parse(_ProductPage, result.value, operation="products_page")
        products = await self._complete(page.nodes)
        return Page(tuple(products), page.pageInfo.hasNextPage, page.pageInfo.endCursor)

    async def products_by_ids(self, ids: Sequence[str]) -> list[Product | None]:
        resolved = await self._index.resolve(list(dict.fromkeys(ids)))
        ours = {shopify_id: our_id for our_id, shopify_id in resolved.items()}
        v = self._settings.variants_per_product

        async def fetch(http: UpstreamHttp, missing: list[str]) -> dict[str, Any]:
            variables = {"ids": [gid("Product", resolved[i]) for i in missing], "v": v}
            data = await self._graphql.query(http, PRODUCTS_BY_IDS, variables)
            out: dict[str, Any] = {}
            for raw in data.get("nodes") or []:
                if raw:
                    node = parse(ProductNode, raw, operation="products")
                    our_id = ours.get(node.legacyResourceId)
                    if our_id is not None:
                        out[our_id] = raw
            return out

        batch = await read_batches(
            self._kit,
            "products",
            list(resolved),
            most=self._ids_most,
            fetch=fetch,
            cost=lambda n: requested_cost(PRODUCTS_BY_IDS, {"ids": [""] * n, "v": v}),
        )
        nodes = [parse(ProductNode, raw, operation="products") for raw in batch.values.values()]
        by_id = {product.id: product for product in await self._complete(nodes)}
        return [by_id.get(our_id) for our_id in ids]

    async def _complete(self, nodes: list[ProductNode]) -> list[Product]:
        """The products, with the variants past the first page of those that have more."""
        truncated = [n.legacyResourceId for n in nodes if n.variants.pageInfo.hasNextPage]
        extra = await self._variants_of(truncated) if truncated else {}
        products = []
        for node in nodes:
            self._index.learn(metafield_value(node.metafield), node.legacyResourceId)
            product = to_product(node, self._settings.currency, extra.get(node.legacyResourceId, ()))
            for variant in product.variants:
                self.product_of_sku[variant.sku] = product.id
            products.append(product)
        return products

    async def _variants_of(self, product_ids: list[str]) -> dict[str, list[VariantNode]]:
        """Every variant of these Shopify products, by product (following pages)."""
        out: dict[str, list[VariantNode]] = {}
        after: str | None = None
        query = " OR ".join(f"product_id:{number}" for number in product_ids)
        while True:
            variables = {"q": query, "n": self._skus_per_call, "after": after}

            async def fetch(http: UpstreamHttp, variables: dict[str, Any] = variables) -> Any:
                data = await self._graphql.query(http, VARIANTS, variables)
                return self._variant_page(data).model_dump(mode="json")

            result = await self._kit.read(
                SYSTEM,
                "product_variants",
                fetch,
                cache_key=variables,
                cost=requested_cost(VARIANTS, variables),
            )
            page = parse(_VariantPage, result.value, operation="product_variants")
            for node in page.nodes:
                if node.product is not None:
                    out.setdefault(node.product.legacyResourceId, []).append(node)
            if not page.pageInfo.hasNextPage or not page.pageInfo.endCursor:
                return out
            after = page.pageInfo.endCursor

    @staticmethod
    def _variant_page(data: dict[str, Any]) -> _VariantPage:
        return parse(_VariantPage, data.get("productVariants"), operation="variants")
