"""The catalog subgraph over the sandboxes: products, variants and locations, batched per request."""

from __future__ import annotations

from decimal import Decimal

from sandbox.world import World
from tests.subgraphs.conftest import Sandboxes, ServeSubgraph


async def test_a_variant_by_sku_has_its_catalog_price_title_and_product(
    serve_subgraph: ServeSubgraph, world: World
) -> None:
    product = world.products[0]
    variant = product.variants[0]
    async with serve_subgraph("catalog") as client:
        body = await client.gql(
            "query($sku: ID!) { variant(sku: $sku) { sku gtin title price { amount currencyCode }"
            " product { id title brand variants { sku } } } }",
            {"sku": variant.sku},
        )
    assert "errors" not in body, body
    got = body["data"]["variant"]
    assert got["sku"] == variant.sku
    assert got["title"] == variant.title
    assert got["gtin"] == variant.gtin
    assert Decimal(got["price"]["amount"]) == Decimal(variant.price_cents) / 100
    assert got["price"]["currencyCode"] == "USD"
    assert got["product"]["id"] == product.id
    assert got["product"]["brand"] == product.brand
    assert [v["sku"] for v in got["product"]["variants"]] == [v.sku for v in product.variants]


async def test_variants_answers_null_for_an_unknown_sku_and_costs_one_shopify_call(
    serve_subgraph: ServeSubgraph, sandboxes: Sandboxes, world: World
) -> None:
    skus = [v.sku for v in list(world.variants)[:20]] + ["NO-SUCH-SKU"]
    async with serve_subgraph("catalog") as client:
        before = sandboxes.calls("shopify")
        body = await client.gql("query($s: [ID!]!) { variants(skus: $s) { sku } }", {"s": skus})
        assert sandboxes.calls("shopify") - before == 1
    assert [v and v["sku"] for v in body["data"]["variants"]] == [*skus[:20], None]


async def test_more_than_a_hundred_skus_is_bad_user_input(serve_subgraph: ServeSubgraph) -> None:
    async with serve_subgraph("catalog") as client:
        body = await client.gql("query($s: [ID!]!) { variants(skus: $s) { sku } }", {"s": ["X"] * 101})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_products_page_through_with_cursors_without_gaps_or_repeats(
    serve_subgraph: ServeSubgraph,
) -> None:
    query = (
        "query($after: String) { products(first: 7, after: $after) {"
        " edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"
    )
    seen: list[str] = []
    after = None
    async with serve_subgraph("catalog") as client:
        for _ in range(3):
            page = (await client.gql(query, {"after": after}))["data"]["products"]
            seen += [edge["node"]["id"] for edge in page["edges"]]
            assert page["pageInfo"]["hasNextPage"]
            after = page["pageInfo"]["endCursor"]
        whole = (await client.gql("{ products(first: 21) { edges { node { id } } } }"))["data"]["products"]
    assert seen == [edge["node"]["id"] for edge in whole["edges"]]
    assert len(set(seen)) == 21


async def test_a_junk_cursor_and_a_page_over_a_hundred_are_bad_user_input(
    serve_subgraph: ServeSubgraph,
) -> None:
    async with serve_subgraph("catalog") as client:
        junk = await client.gql('{ products(after: "%%%") { edges { cursor } } }')
        big = await client.gql("{ products(first: 101) { edges { cursor } } }")
    assert junk["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert big["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_locations_come_from_the_oms_facility_master_and_filter_by_type(
    serve_subgraph: ServeSubgraph, world: World
) -> None:
    async with serve_subgraph("catalog") as client:
        every = (await client.gql("{ locations { id name type fulfillsOnlineOrders pickupEnabled } }"))[
            "data"
        ]
        stores = (await client.gql("{ locations(type: STORE) { id } }"))["data"]
        one = (await client.gql('{ location(id: "DC01") { id address { city countryCode } } }'))["data"]
        none = (await client.gql('{ location(id: "NOPE") { id } }'))["data"]
    assert {loc["id"] for loc in every["locations"]} == {loc.code for loc in world.locations}
    assert {loc["id"] for loc in stores["locations"]} == {
        loc.code for loc in world.locations if loc.type == "STORE"
    }
    dc = world.locations_by_code["DC01"]
    assert one["location"]["address"] == {"city": dc.address.city, "countryCode": dc.address.country_code}
    assert none["location"] is None


async def test_entities_resolve_variants_products_and_locations_by_key(
    serve_subgraph: ServeSubgraph, world: World
) -> None:
    variant = world.products[1].variants[0]
    representations = [
        {"__typename": "Variant", "sku": variant.sku},
        {"__typename": "Product", "id": world.products[1].id},
        {"__typename": "Location", "id": "DC01"},
        {"__typename": "Variant", "sku": "NO-SUCH-SKU"},
    ]
    query = (
        "query($r: [_Any!]!) { _entities(representations: $r) {"
        " ... on Variant { title } ... on Product { title } ... on Location { name } } }"
    )
    async with serve_subgraph("catalog") as client:
        body = await client.gql(query, {"r": representations})
    assert "errors" not in body, body
    assert body["data"]["_entities"] == [
        {"title": variant.title},
        {"title": world.products[1].title},
        {"name": world.locations_by_code["DC01"].name},
        None,
    ]


async def test_a_blank_or_quoted_sku_or_id_is_no_variant_and_costs_no_shopify_call(
    serve_subgraph: ServeSubgraph, sandboxes: Sandboxes, world: World
) -> None:
    # Found by fuzzing: Shopify's search refused sku:"" (UPSTREAM_REJECTED) and a double quote could
    # not be searched at all (UPSTREAM_REQUEST_INVALID), failing the whole batch.
    async with serve_subgraph("catalog") as client:
        before = sandboxes.calls("shopify")
        blank = await client.gql(
            "query($k: ID!) { variant(sku: $k) { sku } product(id: $k) { id }"
            ' q: variant(sku: "a\\"b") { sku } }',
            {"k": ""},
        )
        assert sandboxes.calls("shopify") == before
        sku = next(iter(world.variants)).sku
        many = await client.gql("query($s: [ID!]!) { variants(skus: $s) { sku } }", {"s": ["", '"', sku]})
    assert blank == {"data": {"variant": None, "product": None, "q": None}}
    assert many == {"data": {"variants": [None, None, {"sku": sku}]}}


async def test_a_search_with_a_double_quote_is_bad_user_input(serve_subgraph: ServeSubgraph) -> None:
    async with serve_subgraph("catalog") as client:
        body = await client.gql('{ products(query: "a \\"b") { edges { cursor } } }')
    assert [(e["extensions"]["code"], e["extensions"]["argument"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", "query")
    ]
