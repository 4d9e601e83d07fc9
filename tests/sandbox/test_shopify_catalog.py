"""Products, variants and inventory items: ids, search syntax, sorting and relay paging."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from sandbox.world import World
from tests.sandbox._shopify import Shop, open_shop

Clients = Callable[..., httpx.AsyncClient]


@pytest.fixture
def shop(client_for: Clients) -> Shop:
    return open_shop(client_for)


async def test_a_product_reads_with_the_worlds_ids_and_fields(shop: Shop, world: World) -> None:
    product = world.products[3]
    data = await shop.gql(
        """query($id: ID!) { product(id: $id) {
           id legacyResourceId title vendor productType tags status handle
           description descriptionHtml createdAt metafield(namespace: "custom", key: "product_id") { value }
           options { name values } variants(first: 10) { nodes { id sku barcode price title
           selectedOptions { name value } product { id } inventoryItem { id sku tracked } } } } }""",
        {"id": f"gid://shopify/Product/{product.shopify_product_id}"},
    )
    got = data["product"]
    assert got["id"] == f"gid://shopify/Product/{product.shopify_product_id}"
    assert got["legacyResourceId"] == str(product.shopify_product_id)
    assert (got["title"], got["vendor"], got["productType"]) == (
        product.title,
        product.brand,
        product.product_type,
    )
    assert got["tags"] == list(product.tags)
    assert got["status"] == "ACTIVE"
    assert got["metafield"] == {"value": product.id}
    assert got["descriptionHtml"].startswith("<p>")
    assert got["createdAt"].endswith("Z")
    variants = got["variants"]["nodes"]
    assert [v["sku"] for v in variants] == [v.sku for v in product.variants]
    first, source = variants[0], product.variants[0]
    assert first["barcode"] == source.gtin
    assert first["price"] == f"{source.price_cents // 100}.{source.price_cents % 100:02d}"
    assert first["inventoryItem"] == {
        "id": f"gid://shopify/InventoryItem/{source.shopify_inventory_item_id}",
        "sku": source.sku,
        "tracked": True,
    }
    assert first["selectedOptions"] == [{"name": n, "value": v} for n, v in source.options]
    assert first["product"]["id"] == got["id"]


async def test_an_unknown_product_is_null_and_a_malformed_id_is_an_error(shop: Shop) -> None:
    data = await shop.gql('{ product(id: "gid://shopify/Product/1") { id } }')
    assert data == {"product": None}
    other_type = await shop.gql('{ product(id: "gid://shopify/Order/5500000001") { id } }')
    assert other_type == {"product": None}
    body = await shop.raw('{ product(id: "8000000001") { id } }')
    (error,) = body["errors"]
    assert error["message"] == "Invalid global id '8000000001'"
    assert error["path"] == ["product"]
    assert body["data"] == {"product": None}


async def test_paging_forward_visits_every_product_once(shop: Shop, world: World) -> None:
    seen: list[str] = []
    after = None
    while True:
        data = await shop.gql(
            "query($after: String) { products(first: 7, after: $after) { edges { cursor node { id } } "
            "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }",
            {"after": after},
        )
        page = data["products"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"gid://shopify/Product/{p.shopify_product_id}" for p in world.products]


async def test_paging_backward_with_last_and_before_mirrors_forward_paging(shop: Shop) -> None:
    forward = await shop.gql("{ products(first: 10) { nodes { id } pageInfo { endCursor } } }")
    ids = [n["id"] for n in forward["products"]["nodes"]]
    cursor = forward["products"]["pageInfo"]["endCursor"]
    back = await shop.gql(
        """query($c: String) { products(last: 4, before: $c) {
             nodes { id } pageInfo { hasPreviousPage hasNextPage } } }""",
        {"c": cursor},
    )
    assert [n["id"] for n in back["products"]["nodes"]] == ids[5:9]
    assert back["products"]["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": True}


async def test_reverse_sorting_by_title_pages_through_titles_descending(shop: Shop, world: World) -> None:
    nodes = await shop.every("products", "title", None, sortKey="TITLE", reverse="true")
    titles = [n["title"] for n in nodes]
    assert titles == sorted((p.title for p in world.products), key=str.lower, reverse=True)


async def test_a_connection_needs_first_or_last_within_250(shop: Shop) -> None:
    missing = await shop.raw("{ products { nodes { id } } }")
    assert missing["errors"][0]["message"] == "you must provide one of first or last"
    too_many = await shop.raw("{ products(first: 251) { nodes { id } } }")
    assert "250" in too_many["errors"][0]["message"]
    bad_cursor = await shop.raw('{ products(first: 2, after: "!!nonsense") { nodes { id } } }')
    assert bad_cursor["errors"][0]["message"].startswith("Invalid cursor")
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_products_search_by_title_vendor_type_tag_and_sku(shop: Shop, world: World) -> None:
    hoodies = await shop.every("products", "productType", "product_type:Hoodie")
    assert hoodies
    assert {n["productType"] for n in hoodies} == {"Hoodie"}
    assert len(hoodies) == sum(1 for p in world.products if p.product_type == "Hoodie")
    sku = world.products[5].variants[0].sku
    by_sku = await shop.every("products", "id", f"sku:{sku}")
    assert by_sku == [{"id": f"gid://shopify/Product/{world.products[5].shopify_product_id}"}]
    vendor = world.products[0].brand
    by_vendor = await shop.every("products", "vendor", f'vendor:"{vendor}"')
    assert by_vendor
    assert {n["vendor"] for n in by_vendor} == {vendor}
    not_black = await shop.every("products", "tags", "-tag:black")
    assert all("black" not in n["tags"] for n in not_black)
    either = await shop.every("products", "productType", "product_type:Tee OR product_type:Beanie")
    assert {n["productType"] for n in either} == {"Tee", "Beanie"}


async def test_products_search_compares_dates_and_matches_prefixes(shop: Shop, world: World) -> None:
    recent = await shop.every("products", "createdAt", "created_at:>=2025-10-20")
    expected = [p for p in world.products if p.created_at.isoformat() >= "2025-10-20"]
    assert len(recent) == len(expected) > 0
    assert len(expected) < len(world.products)
    same_day = await shop.every("products", "createdAt", f"created_at:{expected[0].created_at.date()}")
    assert {n["createdAt"][:10] for n in same_day} == {str(expected[0].created_at.date())}
    tees = await shop.every("products", "productType", "sku:TEE-*")
    assert tees
    assert {n["productType"] for n in tees} == {"Tee"}


async def test_a_malformed_search_query_is_a_graphql_error(shop: Shop) -> None:
    for query in ('title:"unclosed', "(title:a OR title:b", "title:", "created_at:>yesterday-ish"):
        body = await shop.raw(
            "query($q: String) { products(first: 5, query: $q) { nodes { id } } }", {"q": query}
        )
        (error,) = body["errors"]
        assert error["message"].startswith("Invalid search query"), query
        assert error["extensions"]["code"] == "BAD_REQUEST"
        assert error["path"] == ["products"]


async def test_an_unknown_search_field_matches_everything_and_is_reported(shop: Shop, world: World) -> None:
    body = await shop.raw('{ products(first: 250, query: "colour:red") { nodes { id } } }')
    assert len(body["data"]["products"]["nodes"]) == len(world.products)
    (search,) = body["extensions"]["search"]
    assert search["path"] == ["products"]
    assert search["warnings"] == [{"field": "colour", "message": "Invalid search field for this query."}]


async def test_product_variants_search_by_sku_barcode_and_product_id(shop: Shop, world: World) -> None:
    variant = world.products[2].variants[1]
    for query in (f"sku:{variant.sku}", f"barcode:{variant.gtin}"):
        nodes = await shop.every("productVariants", "id sku", query)
        assert nodes == [
            {"id": f"gid://shopify/ProductVariant/{variant.shopify_variant_id}", "sku": variant.sku}
        ]
    siblings = await shop.every(
        "productVariants", "sku", f"product_id:{world.products[2].shopify_product_id}"
    )
    assert [n["sku"] for n in siblings] == [v.sku for v in world.products[2].variants]


async def test_product_variant_and_inventory_item_lookups_agree(shop: Shop, world: World) -> None:
    variant = world.products[1].variants[0]
    data = await shop.gql(
        """query($v: ID!, $i: ID!) {
             productVariant(id: $v) { sku displayName inventoryItem { id } }
             inventoryItem(id: $i) { sku variant { id } locationsCount { count } } }""",
        {
            "v": f"gid://shopify/ProductVariant/{variant.shopify_variant_id}",
            "i": f"gid://shopify/InventoryItem/{variant.shopify_inventory_item_id}",
        },
    )
    assert data["productVariant"]["sku"] == data["inventoryItem"]["sku"] == variant.sku
    assert data["productVariant"]["displayName"].endswith(variant.title)
    assert (
        data["inventoryItem"]["variant"]["id"] == f"gid://shopify/ProductVariant/{variant.shopify_variant_id}"
    )
    stocking = [
        loc for loc in world.locations if loc.shopify_location_id and world.stock(variant.sku, loc.code)
    ]
    assert data["inventoryItem"]["locationsCount"]["count"] == len(stocking)


async def test_inventory_items_search_by_sku(shop: Shop, world: World) -> None:
    variant = world.products[7].variants[0]
    nodes = await shop.every("inventoryItems", "id sku", f"sku:{variant.sku}")
    assert nodes == [
        {"id": f"gid://shopify/InventoryItem/{variant.shopify_inventory_item_id}", "sku": variant.sku}
    ]
    everything = await shop.every("inventoryItems", "id")
    assert len(everything) == sum(len(p.variants) for p in world.products)


async def test_node_and_nodes_resolve_any_supported_gid(shop: Shop, world: World) -> None:
    product, variant = world.products[0], world.products[0].variants[0]
    ids = [
        f"gid://shopify/Product/{product.shopify_product_id}",
        f"gid://shopify/ProductVariant/{variant.shopify_variant_id}",
        f"gid://shopify/InventoryItem/{variant.shopify_inventory_item_id}",
        "gid://shopify/Product/1",
    ]
    data = await shop.gql(
        """query($ids: [ID!]!) { nodes(ids: $ids) {
             __typename id ... on Product { title } ... on ProductVariant { sku } } }""",
        {"ids": ids},
    )
    typed = [(n["__typename"], n["id"]) if n else None for n in data["nodes"]]
    assert typed == [("Product", ids[0]), ("ProductVariant", ids[1]), ("InventoryItem", ids[2]), None]
    assert data["nodes"][0]["title"] == product.title
    single = await shop.gql("query($id: ID!) { node(id: $id) { id } }", {"id": ids[1]})
    assert single["node"]["id"] == ids[1]
