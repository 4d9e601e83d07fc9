"""Customers over the Shopify sandbox: by email, and by our id through the metafield index."""

from __future__ import annotations

from resolvers.domain import Address, CustomerRecord
from sandbox.world import Customer, World
from tests.resolvers.connectors.conftest import LiveKitFactory, RunSystem
from tests.resolvers.connectors.test_shopify_support import shop


def assert_customer(got: CustomerRecord | None, customer: Customer) -> None:
    assert got is not None
    assert (got.system, got.system_id, got.customer_id, got.email, got.phone) == (
        "SHOPIFY",
        str(customer.shopify_customer_id),
        customer.id,
        customer.email,
        customer.phone,
    )
    assert (got.first_name, got.last_name, got.created_at) == (
        customer.first_name,
        customer.last_name,
        customer.created_at,
    )
    assert got.addresses == tuple(
        Address(a.line1, a.line2, a.city, a.region, a.postal_code, a.country_code) for a in customer.addresses
    )
    assert got.loyalty is None


async def test_customers_by_email_match_case_insensitively_in_one_cached_call(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    customer = next(c for c in world.customers if c.shopify_customer_id and c.addresses and c.phone)
    async with shop(run_system, make_live_kit, world) as s:
        got = await s.connector.customers_by_email(customer.email.upper())
        again = await s.connector.customers_by_email(f" {customer.email} ")
        nobody = await s.connector.customers_by_email("nobody@example.com")
        assert s.graphql_calls() == 2
    assert len(got) == 1
    assert_customer(got[0], customer)
    assert again == got
    assert nobody == []


async def test_customers_by_our_ids_scan_the_index_once_then_read_every_id_in_one_call(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    inside = [c for c in world.customers if c.shopify_customer_id][:3]
    outside = next(c for c in world.customers if c.shopify_customer_id is None)
    ids = [inside[2].id, outside.id, inside[0].id, "C999999", inside[1].id]
    async with shop(run_system, make_live_kit, world) as s:
        got = await s.connector.customers_by_ids(ids)
        assert s.graphql_calls() == 3, "two index pages (450 customers at 250) and one nodes(ids:) read"
        assert s.connector.graphql.last_cost["customer_index"] == 2 + 2 * 250
        again = await s.connector.customers_by_ids(ids)
        assert s.graphql_calls() == 3, "cached per id"
    assert [g.customer_id if g else None for g in got] == [
        inside[2].id,
        None,
        inside[0].id,
        None,
        inside[1].id,
    ]
    for record, customer in zip((got[2], got[4], got[0]), inside, strict=True):
        assert_customer(record, customer)
    assert again == got


async def test_a_scan_stops_at_the_page_that_holds_every_id_asked(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    first = next(c for c in world.customers if c.shopify_customer_id)  # on the index's first page
    async with shop(run_system, make_live_kit, world) as s:
        (got,) = await s.connector.customers_by_ids([first.id])
        assert s.graphql_calls() == 2, "one index page (of two) and one nodes(ids:) read"
    assert got is not None
    assert_customer(got, first)


async def test_a_customer_found_by_email_needs_no_index_scan(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    customer = next(c for c in world.customers if c.shopify_customer_id)
    async with shop(run_system, make_live_kit, world) as s:
        assert not s.connector.finds_customer_directly(customer.id)
        await s.connector.customers_by_email(customer.email)
        assert s.connector.finds_customer_directly(customer.id)
        (got,) = await s.connector.customers_by_ids([customer.id])
        assert s.graphql_calls() == 2
    assert_customer(got, customer)


async def test_an_id_shopify_does_not_hold_is_not_scanned_for_again_at_once(
    run_system: RunSystem, make_live_kit: LiveKitFactory, world: World
) -> None:
    outside = next(c for c in world.customers if c.shopify_customer_id is None)
    no_cache = {op: {"cache": {"ttl": 0.0, "stale_ttl": 0.0}} for op in ("customer_index", "customers_by_id")}
    async with shop(run_system, make_live_kit, world, operations=no_cache) as s:
        assert not s.connector.finds_customer_directly(outside.id)
        assert await s.connector.customers_by_ids([outside.id]) == [None]
        assert s.graphql_calls() == 2, "the two index pages"
        assert s.connector.finds_customer_directly(outside.id), "a miss is settled for a minute"
        other = next(c for c in world.customers if c.shopify_customer_id is None and c.id != outside.id)
        assert s.connector.finds_customer_directly(other.id), "so is every id after a scan to the end"
        assert await s.connector.customers_by_ids([other.id]) == [None]
        assert s.graphql_calls() == 2
        assert await s.connector.customers_by_ids([outside.id]) == [None]
        assert s.graphql_calls() == 2
