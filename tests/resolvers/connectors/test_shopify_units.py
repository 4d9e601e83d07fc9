"""Pure parts of the Shopify connector: cost estimates (checked against the sandbox), search, mapping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from graphql import parse

from resolvers.domain import Address, ExternalRef, Money
from resolvers.errors import UpstreamRequestInvalid
from resolvers.ports import (
    CatalogSource,
    CustomerSource,
    OrderSink,
    OrderSource,
    ReturnSink,
    ReturnSource,
    StockSource,
)
from resolvers.shopify import ShopifyConnector, ShopifySettings, documents
from resolvers.shopify.bucket import StoreBucket
from resolvers.shopify.cost import largest_batch, requested_cost
from resolvers.shopify.mapping import to_address, to_product, to_stock_level, to_variant
from resolvers.shopify.mapping_orders import order_input, parse_note, return_note, tag_value, to_order
from resolvers.shopify.search import any_of, gid_number, product_search
from resolvers.shopify.wire import MailingAddress, ProductNode, VariantNode
from resolvers.shopify.wire_orders import OrderNode
from sandbox.shopify.cost import requested_cost as sandbox_cost
from sandbox.shopify.schema import build_schema
from sandbox.world import World
from tests.resolvers.connectors.conftest import LiveKitFactory
from tests.resolvers.connectors.test_shopify_support import directory_of, draft

LOCATIONS = {f"l{i}": f"gid://shopify/Location/{i}" for i in range(40)}
SIZES = {"lines": 10, "fulfillments": 3, "returns": 5, "v": 10}
CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("variants", documents.VARIANTS, {"q": "sku:x", "n": 100}),
    ("products page", documents.PRODUCTS_PAGE, {"n": 71, **SIZES}),
    ("products by ids", documents.PRODUCTS_BY_IDS, {"ids": ["gid://shopify/Product/1"] * 9, **SIZES}),
    ("product index", documents.PRODUCT_INDEX, {"n": 250}),
    ("item sku", documents.INVENTORY_ITEM_SKU, {"id": "gid://shopify/InventoryItem/1"}),
    ("stock 24", documents.stock_document(24), {"q": "sku:x", "n": 17, **LOCATIONS}),
    ("stock 9", documents.stock_document(9), {"q": "sku:x", "n": 50, **LOCATIONS}),
    ("stock 1", documents.stock_document(1), {"q": "sku:x", "n": 1, **LOCATIONS}),
    ("customers", documents.CUSTOMERS_BY_QUERY, {"q": "email:x", "n": 10}),
    ("customers by ids", documents.CUSTOMERS_BY_IDS, {"ids": ["gid://shopify/Customer/1"] * 142}),
    ("customer index", documents.CUSTOMER_INDEX, {"n": 250}),
    ("orders", documents.ORDERS, {"q": "name:x", "n": 8, "reverse": True, **SIZES}),
    ("create order", documents.CREATE_ORDER, {"order": {}, "key": "k", **SIZES}),
    ("returns", documents.RETURNS_BY_ORDER, {"q": "name:x", "n": 4, **SIZES}),
    ("create return", documents.CREATE_RETURN, {"input": {}, "key": "k", **SIZES}),
]


@pytest.mark.parametrize(("name", "document", "variables"), CASES, ids=[case[0] for case in CASES])
def test_the_cost_estimate_equals_the_sandboxs_calculated_cost(
    name: str, document: str, variables: dict[str, Any]
) -> None:
    schema = build_schema()
    parsed = parse(document)
    operation = parsed.definitions[0]
    expected = sandbox_cost(schema, parsed, operation, variables)  # type: ignore[arg-type]
    assert requested_cost(document, variables) == expected
    assert expected <= 1000, f"{name} is sized to fit one query"


def test_the_stock_cost_is_one_point_per_item_and_two_per_item_and_location() -> None:
    assert requested_cost(documents.stock_document(24), {"n": 17}) == 2 + 17 * (1 + 2 * 24)
    assert requested_cost(documents.stock_document(24), {"n": 20}) == 982
    assert requested_cost(documents.stock_document(24), {"n": 21}) > 1000


def test_the_largest_batch_fits_under_the_limit() -> None:
    def stock(n: int) -> int:
        return requested_cost(documents.stock_document(24), {"n": n})

    assert largest_batch(stock, 1000, 250) == 20
    assert largest_batch(stock, 1000, 5) == 5
    assert largest_batch(stock, 10, 250) == 0


def test_search_values_are_quoted_and_a_quote_is_refused() -> None:
    assert any_of("sku", ["A-1", "B 2", "A-1"]) == 'sku:"A-1" OR sku:"B 2"'
    with pytest.raises(UpstreamRequestInvalid):
        any_of("sku", ['bad"sku'])
    assert product_search("  Storm   Tee ") == 'title:"Storm Tee" OR vendor:"Storm Tee" OR sku:"Storm Tee"'
    assert (
        product_search("TEE-00001")
        == 'title:"TEE-00001" OR vendor:"TEE-00001" OR sku:"TEE-00001" OR sku:TEE-00001*'
    )
    assert product_search(" ") is None
    assert gid_number("gid://shopify/InventoryLevel/70000001?inventory_item_id=4") == "70000001"
    assert gid_number("not a gid") is None


def test_a_stock_level_keeps_shopifys_available_and_sums_damaged_and_quality_control() -> None:
    quantities = {
        "available": -2,
        "committed": 5,
        "reserved": 1,
        "on_hand": 8,
        "damaged": 1,
        "safety_stock": 2,
        "quality_control": 1,
        "incoming": 7,
    }
    level = to_stock_level("SKU-1", "ST001", quantities, as_of=None)
    assert (level.on_hand, level.committed, level.reserved, level.safety_stock) == (8, 5, 1, 2)
    assert (level.unavailable, level.incoming, level.available) == (2, 7, -2)
    assert to_stock_level("SKU-1", "ST001", {}, as_of=None).available == 0


def test_variants_and_products_take_our_ids_from_the_metafield_or_fall_back_to_shopifys() -> None:
    variant = VariantNode.model_validate(
        {
            "legacyResourceId": "44",
            "sku": "S-1",
            "barcode": "",
            "title": "S",
            "price": "9.90",
            "product": {"legacyResourceId": "8", "title": "P", "metafield": None},
            "newField": "ignored",
        }
    )
    got = to_variant(variant, "EUR")
    assert got is not None
    assert (got.product_id, got.price, got.gtin, got.refs) == (
        "8",
        Money(Decimal("9.90"), "EUR"),
        None,
        (ExternalRef("SHOPIFY", "44"),),
    )
    assert to_variant(variant.model_copy(update={"sku": None}), "EUR") is None
    product = ProductNode.model_validate(
        {
            "legacyResourceId": "8",
            "title": "P",
            "description": "",
            "vendor": "V",
            "metafield": {"value": "P00008"},
            "variants": {"nodes": [variant.model_dump(mode="json")]},
        }
    )
    mapped = to_product(product, "EUR", [variant])
    assert (mapped.id, mapped.brand, mapped.description) == ("P00008", "V", None)
    assert [v.product_id for v in mapped.variants] == ["P00008"], (
        "the duplicate from the follow-up is dropped"
    )


def test_an_address_without_street_city_or_zip_is_none() -> None:
    assert to_address(MailingAddress()) is None
    full = MailingAddress(
        address1="1 Main St", city="Austin", provinceCode="TX", zip="73301", countryCodeV2="US"
    )
    assert to_address(full) == Address("1 Main St", None, "Austin", "TX", "73301", "US")


def order_node(**changes: Any) -> OrderNode:
    base: dict[str, Any] = {
        "id": "gid://shopify/Order/1",
        "legacyResourceId": "1",
        "name": "R900001",
        "createdAt": "2026-10-01T10:00:00Z",
        "processedAt": "2026-10-01T09:00:00Z",
        "displayFulfillmentStatus": "UNFULFILLED",
        "displayFinancialStatus": "PAID",
        "currencyCode": "USD",
        "sourceName": "retail-gateway",
        "tags": ["channel:CLIENTELING", "customer:C000042", "pickup", "pickup_location:ST004"],
        "lineItems": {
            "nodes": [
                {
                    "id": "gid://shopify/LineItem/11",
                    "sku": "S-1",
                    "quantity": 3,
                    "currentQuantity": 3,
                    "unfulfilledQuantity": 3,
                    "originalUnitPriceSet": {"shopMoney": {"amount": "5.00", "currencyCode": "USD"}},
                }
            ]
        },
    }
    return OrderNode.model_validate({**base, **changes})


def test_an_order_created_through_us_reads_our_keys_back_from_its_tags() -> None:
    order = to_order(order_node(), lambda _: None)
    assert (order.status, order.channel, order.customer_id) == ("UNFULFILLED", "CLIENTELING", "C000042")
    assert (order.fulfilment_type, order.pickup_location_id) == ("PICKUP", "ST004")
    assert order.placed_at == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    assert order.lines[0].quantity_fulfilled == 0
    assert order.total is None


def test_a_cancelled_order_reads_cancelled_and_counts_only_shipped_units_as_fulfilled() -> None:
    lines = order_node().lineItems.model_dump(mode="json")
    lines["nodes"][0].update(currentQuantity=1, unfulfilledQuantity=0)
    shipped = {
        "legacyResourceId": "59",
        "status": "SUCCESS",
        "displayStatus": "DELIVERED",
        "updatedAt": "2026-10-02T10:00:00Z",
        "fulfillmentLineItems": {
            "nodes": [{"id": "f1", "quantity": 1, "lineItem": {"id": "gid://shopify/LineItem/11"}}]
        },
    }
    order = to_order(
        order_node(
            cancelledAt="2026-10-03T10:00:00Z",
            cancelReason="CUSTOMER",
            lineItems=lines,
            fulfillments=[shipped],
            tags=[],
            sourceName="web",
        ),
        lambda _: None,
    )
    assert (order.status, order.channel, order.fulfilment_type) == ("CANCELLED", "ONLINE", "SHIP")
    assert (order.lines[0].quantity_fulfilled, order.lines[0].quantity_returned) == (1, 0)
    assert [e.type for e in order.events] == ["ORDER_PLACED", "FULFILLMENT_DELIVERED", "ORDER_CANCELLED"]
    assert order.shipments[0].lines == ((1, 1),)


def test_our_rma_and_reason_survive_the_return_note() -> None:
    assert parse_note(return_note("RMA-100017-02", "SIZE_OR_FIT")) == ("RMA-100017-02", "SIZE_OR_FIT")
    assert parse_note("Arrived damaged") == (None, None)
    assert parse_note(None) == (None, None)
    assert tag_value(["a", "customer:C1", "customer:"], "customer") == "C1"
    assert ShopifySettings().order_number_of_rma("RMA-100017-02") == "R100017"
    assert ShopifySettings().order_number_of_rma("RMA-17") is None


def test_an_order_input_names_the_order_with_our_number_and_tags_our_keys(world: World) -> None:
    built = order_input(draft(world, "R900009", key="k", customer="C000001"), "gid://shopify/Customer/7")
    assert (built["name"], built["customerId"], built["financialStatus"]) == (
        "R900009",
        "gid://shopify/Customer/7",
        "PAID",
    )
    assert built["tags"] == ["channel:ONLINE", "customer:C000001"]
    assert built["processedAt"] == "2026-10-30T12:00:00Z"
    assert [line["priceSet"]["shopMoney"]["amount"] for line in built["lineItems"]] == [
        str(line.unit_price.amount) for line in draft(world, "R900009", key="k").lines
    ]


async def test_the_store_bucket_owes_points_and_wakes_its_waiters_when_an_answer_resets_it() -> None:
    bucket = StoreBucket(10.0, 1.0)
    assert await bucket.take(10.0, max_wait=0.0) is not None
    bucket.set(-1000.0, 10.0, 1.0)
    assert bucket.wait_for(5.0) == pytest.approx(1005.0, rel=0.01)
    assert await bucket.take(5.0, max_wait=1.0) is None, "past the bound it is not taken"
    waiter = asyncio.create_task(bucket.take(5.0, max_wait=2000.0))
    await asyncio.sleep(0)
    bucket.set(10.0, 10.0, 1.0)
    assert await asyncio.wait_for(waiter, 5.0) is not None
    assert bucket.wait_for(50.0) == pytest.approx(5.0, rel=0.01), (
        "a cost above capacity waits for a full bucket"
    )


def test_the_default_policy_paces_by_cost_and_covers_every_operation() -> None:
    settings = ShopifySettings(bucket_size=2000.0, restore_rate=100.0)
    policy = settings.default_policy()
    assert policy.rate is not None
    assert (policy.rate.burst, policy.rate.rate) == (2000.0, 100.0)
    stock = policy.operations["stock"].cache
    assert stock is not None
    assert stock.ttl <= 5 < stock.stale_ttl
    reads = {"stock", "variants", "products", "products_page", "product_variants", "product_index"}
    reads |= {"customer_index", "customers_by_id", "customers_by_email", "inventory_item_sku"}
    reads |= {"orders_by_number", "orders_for_customer", "returns_for_order", "returns_presence"}
    assert reads <= set(policy.operations)
    assert all((policy.operations[op].cache or policy.cache).ttl > 0 for op in reads)


def test_the_connector_implements_every_port_shopify_serves(
    make_live_kit: LiveKitFactory, world: World
) -> None:
    connector = ShopifyConnector(make_live_kit(), ShopifySettings(), directory_of(world))
    for port in (
        CatalogSource,
        StockSource,
        OrderSource,
        OrderSink,
        CustomerSource,
        ReturnSource,
        ReturnSink,
    ):
        assert isinstance(connector, port), port.__name__
    assert connector.system == "SHOPIFY"
