"""Reading returns: returnAuthorization, Order.returns and Customer.returns, merged across the systems."""

from __future__ import annotations

from sandbox.world import Order, Return, World
from tests.subgraphs.conftest import Sandboxes, ServeSubgraph
from tests.subgraphs.returns._gql import CUSTOMER_RETURNS, ORDER_RETURNS, RETURN


def _seeded(world: World, channel: str) -> dict[str, tuple[Order, Return]]:
    """One seeded return of ``channel`` orders per return status."""
    found: dict[str, tuple[Order, Return]] = {}
    for order in world.orders:
        for ret in order.returns:
            if order.channel == channel:
                found.setdefault(ret.status, (order, ret))
    return found


async def test_a_seeded_return_reads_with_its_status_lines_and_every_systems_copy(
    world: World, serve_subgraph: ServeSubgraph
) -> None:
    seeded = _seeded(world, "ONLINE")
    assert len(seeded) == 8  # every return status
    async with serve_subgraph("returns") as client:
        for status, (order, ret) in seeded.items():
            read = (await client.gql(RETURN, {"id": ret.rma_number}))["data"]["returnAuthorization"]
            assert read["status"] == status, ret.rma_number
            assert read["order"] == {"id": order.number}
            assert read["refundMethod"] == ret.refund_method
            assert [(ln["orderLineId"], ln["quantity"], ln["reason"]) for ln in read["lines"]] == [
                (f"{order.number}-{rl.line_no}", rl.quantity, rl.reason) for rl in ret.lines
            ]
            systems = {ref["system"] for ref in read["externalRefs"]}
            assert systems == {"OMS", "SHOPIFY"} | ({"ERP"} if ret.in_erp else set()), ret.rma_number
            times = [event["at"] for event in read["timeline"]]
            assert times == sorted(times)


async def test_a_store_sales_return_reads_from_the_erp_with_the_tills_refund_as_one_return(
    world: World, serve_subgraph: ServeSubgraph
) -> None:
    order, ret = next(
        (o, r) for o in world.orders if o.channel == "STORE" and o.erp_posted for r in o.returns if r.in_erp
    )
    async with serve_subgraph("returns") as client:
        read = (await client.gql(RETURN, {"id": ret.rma_number}))["data"]["returnAuthorization"]
        listed = await client.gql(ORDER_RETURNS, {"r": [{"__typename": "Order", "id": order.number}]})
    assert read["status"] == ret.status
    assert read["order"] == {"id": order.number}
    assert sorted(ref["system"] for ref in read["externalRefs"]) == ["ERP", "POS"]
    assert [r["rmaNumber"] for r in listed["data"]["_entities"][0]["returns"]] == [
        r.rma_number for r in order.returns
    ]


async def test_a_store_sales_return_only_the_till_knows_reads_through_its_order_and_by_its_pos_name(
    world: World, serve_subgraph: ServeSubgraph
) -> None:
    """No system holds an RMA number for it: it is named after its refund (``POS-<refund id>``)."""
    only_pos = [
        (o, r)
        for o in world.orders
        if o.in_pos and not o.in_oms
        for r in o.returns
        if not (r.in_erp and o.erp_posted)
    ]
    assert len(only_pos) > 50
    async with serve_subgraph("returns") as client:
        for order, ret in only_pos[:8]:
            body = await client.gql(ORDER_RETURNS, {"r": [{"__typename": "Order", "id": order.number}]})
            [listed] = body["data"]["_entities"][0]["returns"]
            assert listed["id"] == listed["rmaNumber"]
            assert listed["rmaNumber"].startswith("POS-")
            assert [ref["system"] for ref in listed["externalRefs"]] == ["POS"]
            assert [(ln["orderLineId"], ln["quantity"]) for ln in listed["lines"]] == [
                (f"{order.number}-{rl.line_no}", rl.quantity) for rl in ret.lines
            ], (order.number, ret.status)
            read = (await client.gql(RETURN, {"id": listed["id"]}))["data"]["returnAuthorization"]
            assert read == listed


async def test_unknown_rma_numbers_read_as_null(serve_subgraph: ServeSubgraph) -> None:
    async with serve_subgraph("returns") as client:
        for rma in ("RMA-999999-01", "RMA-100015-77", "nonsense", "POS-", "POS-no-such-refund", "POS-a/../b"):
            body = await client.gql(RETURN, {"id": rma})
            assert body == {"data": {"returnAuthorization": None}}, rma


async def test_orders_returns_are_read_in_one_erp_batch_for_the_whole_request(
    world: World, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    orders = [o for o in world.orders if o.channel == "ONLINE" and o.returns][:4]
    representations = [{"__typename": "Order", "id": o.number} for o in orders]
    async with serve_subgraph("returns") as client:
        before = {system: sandboxes.calls(system) for system in ("erp", "oms", "shopify")}
        body = await client.gql(ORDER_RETURNS, {"r": representations})
        calls = {system: sandboxes.calls(system) - n for system, n in before.items()}
    listed = body["data"]["_entities"]
    assert [[r["id"] for r in entity["returns"]] for entity in listed] == [
        sorted(
            (r.rma_number for r in o.returns),
            key=lambda rma: next(r.created_at for r in o.returns if r.rma_number == rma),
        )
        for o in orders
    ]
    assert calls["erp"] == 2  # the customer returns of every order, then their sales orders
    assert calls["shopify"] == 2  # which of them have returns, then those returns (4 orders a request)
    assert calls["oms"] <= len(orders) + 2  # one per order, the return reasons, the POS's store map


async def test_a_shopify_outage_still_answers_an_orders_returns_from_the_oms_and_erp(
    world: World, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    order = next(o for o in world.orders if o.channel == "ONLINE" and any(r.in_erp for r in o.returns))
    async with serve_subgraph("returns") as client:
        sandboxes.apps["shopify"].state.runtime.knobs.outage = True
        body = await client.gql(ORDER_RETURNS, {"r": [{"__typename": "Order", "id": order.number}]})
    returns = body["data"]["_entities"][0]["returns"]
    assert "errors" not in body
    assert sorted(r["id"] for r in returns) == sorted(r.rma_number for r in order.returns)
    assert all("SHOPIFY" not in {ref["system"] for ref in r["externalRefs"]} for r in returns)


async def test_a_customers_returns_are_newest_first_and_bounded_by_first(
    world: World, serve_subgraph: ServeSubgraph
) -> None:
    counts: dict[str, int] = {}
    for order in world.orders:
        if order.customer_id and order.channel != "STORE":
            counts[order.customer_id] = counts.get(order.customer_id, 0) + len(order.returns)
    customer = max(counts, key=lambda c: counts[c])
    expected = sorted(
        (r for o in world.orders if o.customer_id == customer and o.channel != "STORE" for r in o.returns),
        key=lambda r: r.created_at,
        reverse=True,
    )
    representation = [{"__typename": "Customer", "id": customer}]
    async with serve_subgraph("returns") as client:
        every = await client.gql(CUSTOMER_RETURNS, {"r": representation, "first": 50})
        two = await client.gql(CUSTOMER_RETURNS, {"r": representation, "first": 2})
        too_many = await client.gql(CUSTOMER_RETURNS, {"r": representation, "first": 101})
    ids = [r["id"] for r in every["data"]["_entities"][0]["returns"]]
    assert ids == [r.rma_number for r in expected]
    assert [r["id"] for r in two["data"]["_entities"][0]["returns"]] == ids[:2]
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_return_resolves_as_an_entity_by_its_rma_number(
    world: World, serve_subgraph: ServeSubgraph
) -> None:
    order, ret = next((o, r) for o in world.orders if o.channel == "ONLINE" for r in o.returns)
    query = (
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Return { id status order { id } } } }"
    )
    representations = [
        {"__typename": "Return", "id": ret.rma_number},
        {"__typename": "Return", "id": "RMA-1-01"},
    ]
    async with serve_subgraph("returns") as client:
        body = await client.gql(query, {"r": representations})
    assert body["data"]["_entities"] == [
        {"id": ret.rma_number, "status": ret.status, "order": {"id": order.number}},
        None,
    ]


async def test_several_customers_returns_are_one_erp_batch_and_shopify_is_not_asked_about_offline_orders(
    world: World, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    online = {o.customer_id for o in world.orders if o.channel == "ONLINE"}
    customers = list(
        dict.fromkeys(
            o.customer_id
            for o in world.orders
            if o.returns and o.channel in ("CLIENTELING", "CALL_CENTER") and o.customer_id not in online
        )
    )[:3]
    representations = [{"__typename": "Customer", "id": customer} for customer in customers]
    stats = sandboxes.apps["erp"].state.runtime.stats.by_route
    route = "GET /sap/opu/odata/sap/API_CUSTOMER_RETURN_SRV/A_CustomerReturn"
    async with serve_subgraph("returns") as client:
        before, shopify = stats[route], sandboxes.calls("shopify")
        body = await client.gql(CUSTOMER_RETURNS, {"r": representations, "first": 20})
        after = stats[route]
    assert "errors" not in body
    assert all(entity["returns"] for entity in body["data"]["_entities"])
    assert after - before == 1
    assert sandboxes.calls("shopify") == shopify


async def test_a_customers_orders_of_other_channels_are_not_looked_for_at_the_tills(
    world: World, serve_subgraph: ServeSubgraph, pos_numbers_asked: list[str]
) -> None:
    """The tills hold store sales alone: the POS is asked about none of a customer's other orders
    (a number it does not hold costs a rescan of its orders)."""
    store = {o.customer_id for o in world.orders if o.channel == "STORE"}
    customer = next(o.customer_id for o in world.orders if o.returns and o.customer_id not in store)
    theirs = {o.number for o in world.orders if o.customer_id == customer}
    async with serve_subgraph("returns") as client:
        body = await client.gql(
            CUSTOMER_RETURNS, {"r": [{"__typename": "Customer", "id": customer}], "first": 20}
        )
    assert "errors" not in body
    assert body["data"]["_entities"][0]["returns"]
    assert not set(pos_numbers_asked) & theirs
