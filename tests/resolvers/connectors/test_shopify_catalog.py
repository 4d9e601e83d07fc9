"""The catalog over the Shopify sandbox: variants by SKU, product pages and products by our id."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from resolvers.domain import ExternalRef, Money, Product
from sandbox.world import Product as WorldProduct
from sandbox.world import World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunSystem
from tests.resolvers.connectors.test_shopify_support import shop


def expected_variants(product: WorldProduct) -> list[tuple[str, str, str, Money, str]]:
    return [
        (v.sku, v.title, product.id, Money(Decimal(v.price_cents) / 100, "USD"), v.gtin)
        for v in product.variants
    ]


def assert_product(got: Product | None, product: WorldProduct) -> None:
    assert got is not None
    assert (got.id, got.title, got.brand, got.description) == (
        product.id,
        product.title,
        product.brand,
        product.description,
    )
    assert got.refs == (ExternalRef("SHOPIFY", str(product.shopify_product_id)),)
    assert [(v.sku, v.title, v.product_id, v.price, v.gtin) for v in got.variants] == expected_variants(
        product
    )


async def test_variants_by_skus_map_price_barcode_and_product_and_answer_none_for_unknown_skus(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    product = world.products[3]
    skus = [v.sku for v in product.variants][:3]
    async with shop(run_system, make_live_kit, world) as s:
        got = await s.connector.variants_by_skus([*skus, "NOPE-1"])
        assert s.graphql_calls() == 1
        again = await s.connector.variants_by_skus(skus)
        assert s.graphql_calls() == 1, "served from the per-SKU cache"
    assert got[-1] is None
    found = [(v.sku, v.title, v.product_id, v.price, v.gtin) for v in got[:-1] if v is not None]
    assert found == expected_variants(product)[:3]
    assert again == got[:-1]
    first = got[0]
    assert first is not None
    assert first.refs == (ExternalRef("SHOPIFY", str(product.variants[0].shopify_variant_id)),)


async def test_150_skus_are_two_balanced_calls_of_at_most_100(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    skus = [v.sku for v in world.variants][:150]
    async with shop(run_system, make_live_kit, world) as s:
        got = await s.connector.variants_by_skus(skus)
        assert s.graphql_calls() == 2
        assert s.connector.graphql.last_cost["variants"] == 2 + 3 * 75
    assert [v.sku if v else None for v in got] == skus


async def test_a_product_page_follows_cursors_and_maps_every_variant(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    async with shop(run_system, make_live_kit, world) as s:
        first = await s.connector.products(3, None, None)
        second = await s.connector.products(3, first.end_cursor, None)
    assert first.has_next_page
    for got, product in zip((*first.items, *second.items), world.products[:6], strict=True):
        assert_product(got, product)


async def test_a_catalog_query_matches_title_brand_or_sku(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    product = world.products[7]
    async with shop(run_system, make_live_kit, world) as s:
        by_sku = await s.connector.products(10, None, product.variants[0].sku)
        by_prefix = await s.connector.products(10, None, product.variants[0].sku.rsplit("-", 1)[0])
        by_title = await s.connector.products(50, None, product.title)
        by_brand = await s.connector.products(50, None, product.brand)
    assert [p.id for p in by_sku.items] == [product.id]
    assert [p.id for p in by_prefix.items] == [product.id]
    assert product.id in [p.id for p in by_title.items]
    assert {p.brand for p in by_brand.items} == {product.brand}
    assert len(by_brand.items) == sum(1 for p in world.products if p.brand == product.brand)


async def test_products_by_our_ids_scan_the_index_once_then_read_every_id_in_one_call(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    wanted = [world.products[4], world.products[0], world.products[42]]
    async with shop(run_system, make_live_kit, world) as s:
        got = await s.connector.products_by_ids([p.id for p in wanted] + ["P99999"])
        assert s.graphql_calls() == 2, "one index page (60 products) and one nodes(ids:) read"
        await s.connector.products_by_ids([world.products[9].id])
        assert s.graphql_calls() == 3, "the index is known now: only the product is read"
    assert got[-1] is None
    for product, record in zip(wanted, got, strict=False):
        assert_product(record, product)


async def test_a_product_listed_before_needs_no_index_scan(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    async with shop(run_system, make_live_kit, world) as s:
        await s.connector.products(2, None, None)
        got = await s.connector.products_by_ids([world.products[1].id])
        assert s.graphql_calls() == 2
    assert_product(got[0], world.products[1])


async def test_variants_past_the_first_page_come_from_one_follow_up_read(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    big = [p for p in world.products if len(p.variants) > 2][:2]
    async with shop(run_system, make_live_kit, world, settings={"variants_per_product": 2}) as s:
        await s.connector.variants_by_skus([p.variants[0].sku for p in big])
        got = await s.connector.products_by_ids([p.id for p in big])
        assert s.graphql_calls() == 3, "variants, products, one follow-up for both products"
    for record, product in zip(got, big, strict=True):
        assert_product(record, product)


async def test_the_loaders_gather_one_ticks_keys_into_one_call_each(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    skus = [v.sku for v in world.variants][:5]
    async with shop(run_system, make_live_kit, world) as s:
        loaders = s.connector.loaders()
        variants, levels = await asyncio.gather(
            asyncio.gather(*(loaders.variants.load(sku) for sku in skus)),
            asyncio.gather(*(loaders.stock.load((sku, "WH01")) for sku in skus)),
        )
        assert s.graphql_calls() == 2, "one variants read, one stock read"
        product = await loaders.products.load(world.products[0].id)
        assert s.graphql_calls() == 3, "its id was learned from the variants: no index scan, one read"
    assert [v.sku for v in variants] == skus
    assert [level.sku for level in levels] == skus
    assert product is not None
