"""``Query.orders`` (newest first over the OMS and the POS, cursor paging) and ``Customer.orders``."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from resolvers.oms.settings import OmsSettings
from resolvers.policy import CachePolicy
from sandbox.world import Order, World
from subgraphs.orders import listing
from tests.subgraphs.conftest import GraphQLClient, Sandboxes
from tests.subgraphs.orders._helpers import ship_input, shippable_skus, submit

LIST = """
query($first: Int, $after: String, $status: OrderStatus, $channel: Channel) {
  orders(first: $first, after: $after, status: $status, channel: $channel) {
    edges { cursor node { number channel status placedAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
CUSTOMER_ORDERS = """
query($r: [_Any!]!, $first: Int) {
  _entities(representations: $r) { ... on Customer { id orders(first: $first) { number placedAt } } }
}
"""


def _newest(orders: list[Order]) -> list[str]:
    return [o.number for o in sorted(orders, key=lambda o: (o.placed_at, o.number), reverse=True)]


async def _page(client: GraphQLClient, **variables: Any) -> dict[str, Any]:
    body = await client.gql(LIST, variables)
    assert "errors" not in body, body
    page: dict[str, Any] = body["data"]["orders"]
    return page


def _numbers(page: dict[str, Any]) -> list[str]:
    return [edge["node"]["number"] for edge in page["edges"]]


async def test_the_newest_orders_of_every_channel_come_first(orders: GraphQLClient, world: World) -> None:
    page = await _page(orders, first=4)
    assert _numbers(page) == _newest(list(world.orders))[:4]
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]


async def test_pages_follow_each_other_without_gaps_or_repeats(orders: GraphQLClient, world: World) -> None:
    expected = _newest([o for o in world.orders if o.channel == "CALL_CENTER"])
    seen: list[str] = []
    after = None
    for _ in range(3):
        page = await _page(orders, first=7, after=after, channel="CALL_CENTER")
        seen += _numbers(page)
        after = page["pageInfo"]["endCursor"]
    assert seen == expected[:21]


async def test_a_listed_oms_order_is_not_read_again_only_its_shipments_are(
    orders: GraphQLClient, world: World, sandboxes: Sandboxes
) -> None:
    """The listing already holds the order (items, status history): what is left is its shipments."""
    read = _newest([o for o in world.orders if o.channel == "CALL_CENTER"])[:8]  # a page of 7, and one more
    with_shipments = sum(bool(world.orders_by_number[number].shipments) for number in read)
    before = sandboxes.calls("oms")
    page = await _page(orders, first=7, channel="CALL_CENTER")
    assert _numbers(page) == read[:7]
    listing_and_directory = 3  # the listing page, and the location directory (facilities) once
    assert sandboxes.calls("oms") - before <= listing_and_directory + with_shipments


async def test_the_channel_filter_lists_store_sales_from_the_pos(orders: GraphQLClient, world: World) -> None:
    page = await _page(orders, first=3, channel="STORE")
    assert _numbers(page) == _newest([o for o in world.orders if o.channel == "STORE"])[:3]
    assert {edge["node"]["channel"] for edge in page["edges"]} == {"STORE"}


async def test_the_status_filter_keeps_only_orders_of_that_merged_status(
    orders: GraphQLClient, world: World
) -> None:
    page = await _page(orders, first=5, status="ON_HOLD", channel="CLIENTELING")
    expected = [o for o in world.orders if o.channel == "CLIENTELING" and o.status == "ON_HOLD"]
    assert _numbers(page) == _newest(expected)[:5]
    assert {edge["node"]["status"] for edge in page["edges"]} == {"ON_HOLD"}


@pytest.mark.parametrize("status", ["PENDING", "ON_HOLD"])
async def test_a_status_listing_followed_to_its_end_holds_every_order_of_that_status_once(
    orders: GraphQLClient, world: World, status: str
) -> None:
    """The systems are asked only for the words such an order can carry there; none is missed."""
    seen: list[str] = []
    after = None
    for _ in range(100):
        page = await _page(orders, first=50, after=after, status=status)
        seen += _numbers(page)
        assert {edge["node"]["status"] for edge in page["edges"]} <= {status}
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == _newest([o for o in world.orders if o.status == status])


@pytest.fixture
def lasting_oms_cache(sandboxes: Sandboxes) -> None:
    """The OMS's cached reads stay fresh for a minute (2 s by default: a busy machine outlasts that)."""
    policy = OmsSettings().default_policy()
    lasting = CachePolicy(ttl=60.0, stale_ttl=600.0)
    operations = {
        name: op.model_copy(update={"cache": lasting}) if op.cache is not None and op.cache.ttl else op
        for name, op in policy.operations.items()
    }
    sandboxes.overrides["policies"] = {"oms": policy.model_copy(update={"operations": operations})}


async def test_a_repeated_page_is_read_from_the_cache_and_an_order_we_accept_shows_at_once(
    lasting_oms_cache: None, orders: GraphQLClient, world: World, sandboxes: Sandboxes
) -> None:
    first = await _page(orders, first=3, channel="ONLINE")
    before = sandboxes.calls("oms")
    assert await _page(orders, first=3, channel="ONLINE") == first
    assert sandboxes.calls("oms") == before  # the listing pages (and the orders) came from the cache
    payload = await submit(orders, ship_input(shippable_skus(world, at_least=2, count=1)), "listed-at-once")
    assert payload["userErrors"] == []
    page = await _page(orders, first=3, channel="ONLINE")
    assert _numbers(page) == [payload["order"]["number"], *_numbers(first)[:2]]


async def test_the_last_page_says_there_is_no_next_one(orders: GraphQLClient, world: World) -> None:
    wanted = [o for o in world.orders if o.channel == "CALL_CENTER" and o.status == "ON_HOLD"]
    page = await _page(orders, first=100, status="ON_HOLD", channel="CALL_CENTER")
    assert _numbers(page) == _newest(wanted)
    assert page["pageInfo"]["hasNextPage"] is False


async def test_a_scan_out_of_time_answers_a_short_page_whose_cursor_goes_on_without_gaps(
    orders: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no time to spare every page is one round (``ROUND_OFFLINE`` orders looked at); following the
    cursors still finds every order of the status, each once, newest first. (A status the systems
    cannot filter by: every order of the channel is looked at.)"""
    monkeypatch.setattr(listing, "SCAN_BUDGET", 0.0)
    wanted = _newest(
        [o for o in world.orders if o.channel == "CLIENTELING" and o.status == "PARTIALLY_FULFILLED"]
    )
    assert wanted
    seen: list[str] = []
    after, pages = None, 0
    while True:
        page = await _page(orders, first=5, status="PARTIALLY_FULFILLED", channel="CLIENTELING", after=after)
        seen += _numbers(page)
        pages += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after is not None
    assert seen == wanted
    clienteling = sum(o.channel == "CLIENTELING" for o in world.orders)
    assert pages >= -(-clienteling // listing.ROUND_OFFLINE)  # no page looked at more than one round


async def test_a_later_round_still_loading_when_time_is_up_is_left_for_the_next_page(
    orders: GraphQLClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of time while a later round's orders load (Shopify's bucket spent): the page ends where
    the first round did, and its cursor goes on from there without gaps."""
    rounds = 0
    load_orders = listing.load_orders

    async def slow_after_the_first(ctx: Any, numbers: Any) -> Any:
        nonlocal rounds
        rounds += 1
        if rounds == 2:
            await asyncio.sleep(5.0)
        return await load_orders(ctx, numbers)

    monkeypatch.setattr(listing, "SCAN_BUDGET", 3.0)  # the first round takes a fraction of it
    monkeypatch.setattr(listing, "load_orders", slow_after_the_first)
    online = [o for o in world.orders if o.channel == "ONLINE"]
    wanted = [n for n in _newest(online) if next(o for o in online if o.number == n).status == "FULFILLED"]
    in_first_round = [n for n in _newest(online)[: listing.ROUND] if n in wanted]
    first = len(in_first_round) + 3
    page = await _page(orders, first=first, status="FULFILLED", channel="ONLINE")
    assert rounds == 2, "the first round, and the second cut short"
    assert _numbers(page) == in_first_round
    assert page["pageInfo"]["hasNextPage"] is True
    after = page["pageInfo"]["endCursor"]
    rest = await _page(orders, first=first, status="FULFILLED", channel="ONLINE", after=after)
    assert _numbers(rest), "every page makes progress"
    assert _numbers(page) + _numbers(rest) == wanted[: len(in_first_round) + len(rest["edges"])]


@pytest.mark.parametrize("first", [101, -1])
async def test_first_out_of_range_is_bad_user_input(orders: GraphQLClient, first: int) -> None:
    body = await orders.gql(LIST, {"first": first})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_cursor_this_api_did_not_give_out_is_bad_user_input(orders: GraphQLClient) -> None:
    body = await orders.gql(LIST, {"first": 2, "after": "not-a-cursor"})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.slow  # Shopify's customer-id index is scanned once per process (about 10 s)
async def test_a_customers_orders_come_from_every_system_newest_first(
    orders: GraphQLClient, world: World
) -> None:
    customer = "C000370"
    body = await orders.gql(CUSTOMER_ORDERS, {"r": [{"__typename": "Customer", "id": customer}], "first": 5})
    assert "errors" not in body, body
    [found] = body["data"]["_entities"]
    expected = _newest([o for o in world.orders if o.customer_id == customer])
    assert [o["number"] for o in found["orders"]] == expected[:5]


async def test_a_customers_orders_take_shopifys_id_from_the_external_refs_the_gateway_passes(
    orders: GraphQLClient, world: World, sandboxes: Sandboxes
) -> None:
    """``orders`` requires the customer's ``externalRefs``: with Shopify's id among them, this process
    needs no scan of Shopify's customers (two index pages before; now the names and the orders)."""
    customer = next(
        c
        for c in world.customers
        if c.shopify_customer_id and any(o.customer_id == c.id for o in world.orders)
    )
    refs = [{"system": "ERP", "id": "1"}, {"system": "SHOPIFY", "id": str(customer.shopify_customer_id)}]
    before = sandboxes.calls("shopify")
    body = await orders.gql(
        CUSTOMER_ORDERS,
        {"r": [{"__typename": "Customer", "id": customer.id, "externalRefs": refs}], "first": 5},
    )
    assert "errors" not in body, body
    [found] = body["data"]["_entities"]
    expected = _newest([o for o in world.orders if o.customer_id == customer.id])
    assert [o["number"] for o in found["orders"]] == expected[:5]
    online = [o for o in world.orders if o.customer_id == customer.id and o.in_shopify]
    assert sandboxes.calls("shopify") - before <= 1 + len(online), (
        "the names, then the orders (no index page)"
    )


async def test_external_refs_without_shopify_tell_that_shopify_need_not_be_scanned_for_the_customer(
    orders: GraphQLClient, world: World, sandboxes: Sandboxes
) -> None:
    customer = next(
        c
        for c in world.customers
        if not c.shopify_customer_id and any(o.customer_id == c.id for o in world.orders)
    )
    before = sandboxes.calls("shopify")
    representation = {
        "__typename": "Customer",
        "id": customer.id,
        "externalRefs": [{"system": "POS", "id": "x"}],
    }
    body = await orders.gql(CUSTOMER_ORDERS, {"r": [representation], "first": 5})
    assert "errors" not in body, body
    [found] = body["data"]["_entities"]
    expected = _newest([o for o in world.orders if o.customer_id == customer.id])
    assert [o["number"] for o in found["orders"]] == expected[:5]
    assert sandboxes.calls("shopify") - before <= 1, "only the names of the orders we tagged for them"


@pytest.mark.parametrize("refs", [None, "SHOPIFY", [1, {"system": "SHOPIFY"}, {"system": 2, "id": "3"}]])
async def test_malformed_external_refs_in_a_representation_are_ignored(
    orders: GraphQLClient, refs: object
) -> None:
    body = await orders.gql(
        CUSTOMER_ORDERS, {"r": [{"__typename": "Customer", "id": "", "externalRefs": refs}], "first": 5}
    )
    assert body == {"data": {"_entities": [{"id": "", "orders": []}]}}


@pytest.mark.slow  # a customer Shopify does not know costs a whole scan of its customer-id index
async def test_a_customer_with_no_orders_has_an_empty_list(orders: GraphQLClient) -> None:
    body = await orders.gql(CUSTOMER_ORDERS, {"r": [{"__typename": "Customer", "id": "C999999"}]})
    assert body == {"data": {"_entities": [{"id": "C999999", "orders": []}]}}


async def test_a_customers_orders_of_other_channels_are_not_looked_for_at_the_tills(
    orders: GraphQLClient, world: World, pos_numbers_asked: list[str]
) -> None:
    """The POS holds store sales alone: an order another system places in another channel is not
    asked of it (finding a number it does not hold costs a rescan of the tills' orders)."""
    by_customer: dict[str, list[Order]] = {}
    for order in world.orders:
        if order.customer_id:
            by_customer.setdefault(order.customer_id, []).append(order)
    customer, theirs = next(
        (c, found)
        for c, found in sorted(by_customer.items())
        if len(found) >= 3 and all(o.channel != "STORE" for o in found)
    )
    body = await orders.gql(CUSTOMER_ORDERS, {"r": [{"__typename": "Customer", "id": customer}], "first": 5})
    assert "errors" not in body, body
    [found] = body["data"]["_entities"]
    assert [o["number"] for o in found["orders"]] == _newest(theirs)[:5]
    assert not set(pos_numbers_asked) & {o.number for o in theirs}
