"""authorizeReturn against the four sandboxes: creation in every system, read-back, idempotency."""

from __future__ import annotations

import asyncio

from sandbox.world import Order
from tests.subgraphs.conftest import Sandboxes, ServeSubgraph
from tests.subgraphs.returns._gql import AUTHORIZE, ORDER_RETURNS, RETURN, authorize_vars
from tests.subgraphs.returns._world import oms_returns, shopify_returns
from tests.subgraphs.returns.conftest import settings_for


async def test_a_delivered_online_orders_return_is_created_in_every_system_and_readable_after(
    online_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    number = online_order.number
    sku = online_order.lines[1].sku
    variables = authorize_vars(number, [(2, 1, "SIZE_OR_FIT")], "k-1", dropOffLocationId="ST003")
    async with serve_subgraph("returns", settings_for(sandboxes, online_order)) as client:
        body = await client.gql(AUTHORIZE, variables)
        payload = body["data"]["authorizeReturn"]
        assert payload["userErrors"] == []
        assert payload["replayed"] is False
        created = payload["return"]
        rma = created["id"]
        assert rma == created["rmaNumber"] == f"RMA-{number[1:]}-01"
        assert created["order"] == {"id": number}
        assert created["status"] in ("REQUESTED", "APPROVED")
        assert created["refundMethod"] == "ORIGINAL_PAYMENT"
        assert created["lines"] == [
            {"orderLineId": f"{number}-2", "variant": {"sku": sku}, "quantity": 1, "reason": "SIZE_OR_FIT"}
        ]
        assert {ref["system"] for ref in created["externalRefs"]} == {"OMS", "ERP", "SHOPIFY"}
        assert [event["type"] for event in created["timeline"]][:1] == ["RETURN_REQUESTED"]

        read = (await client.gql(RETURN, {"id": rma}))["data"]["returnAuthorization"]
        listed = await client.gql(ORDER_RETURNS, {"r": [{"__typename": "Order", "id": number}]})

    assert read["id"] == rma
    assert read["lines"] == created["lines"]
    assert read["status"] == created["status"]
    assert [r["id"] for r in listed["data"]["_entities"][0]["returns"]] == [rma]
    assert oms_returns(sandboxes, number) == [rma]
    assert shopify_returns(sandboxes, number) == 1


async def test_a_call_centre_orders_return_is_not_sent_to_shopify(
    call_center_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    variables = authorize_vars(
        call_center_order.number, [(1, 1, "DEFECTIVE")], "k-cc", refundMethod="STORE_CREDIT"
    )
    async with serve_subgraph("returns", settings_for(sandboxes, call_center_order)) as client:
        payload = (await client.gql(AUTHORIZE, variables))["data"]["authorizeReturn"]
    assert payload["userErrors"] == []
    assert {ref["system"] for ref in payload["return"]["externalRefs"]} == {"OMS", "ERP"}
    assert payload["return"]["refundMethod"] == "STORE_CREDIT"
    assert oms_returns(sandboxes, call_center_order.number) == [payload["return"]["id"]]


async def test_the_same_key_twice_replays_the_first_result_and_makes_one_rma(
    online_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    variables = authorize_vars(online_order.number, [(1, 1, "DAMAGED")], "same-key")
    async with serve_subgraph("returns", settings_for(sandboxes, online_order)) as client:
        first = (await client.gql(AUTHORIZE, variables))["data"]["authorizeReturn"]
        oms_calls = sandboxes.calls("oms")
        second = (await client.gql(AUTHORIZE, variables))["data"]["authorizeReturn"]
    assert (first["replayed"], second["replayed"]) == (False, True)
    assert second["return"] == first["return"]
    assert second["userErrors"] == []
    assert sandboxes.calls("oms") == oms_calls  # a replay asks no system anything
    assert oms_returns(sandboxes, online_order.number) == [first["return"]["id"]]


async def test_the_same_key_with_another_input_is_idempotency_key_reused(
    online_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    number = online_order.number
    async with serve_subgraph("returns", settings_for(sandboxes, online_order)) as client:
        first = await client.gql(AUTHORIZE, authorize_vars(number, [(1, 1, "DAMAGED")], "k"))
        other = await client.gql(AUTHORIZE, authorize_vars(number, [(1, 1, "DEFECTIVE")], "k"))
    payload = other["data"]["authorizeReturn"]
    assert payload["return"] is None
    assert payload["replayed"] is False
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("IDEMPOTENCY_KEY_REUSED", ["idempotencyKey"])
    ]
    assert oms_returns(sandboxes, number) == [first["data"]["authorizeReturn"]["return"]["id"]]


async def test_ten_concurrent_identical_calls_make_one_rma_and_nine_replays(
    online_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    variables = authorize_vars(online_order.number, [(1, 1, "CHANGED_MIND")], "burst")
    async with serve_subgraph("returns", settings_for(sandboxes, online_order)) as client:
        bodies = await asyncio.gather(*(client.gql(AUTHORIZE, variables) for _ in range(10)))
    payloads = [body["data"]["authorizeReturn"] for body in bodies]
    assert sorted(p["replayed"] for p in payloads) == [False] + [True] * 9
    assert {p["return"]["id"] for p in payloads} == {f"RMA-{online_order.number[1:]}-01"}
    assert oms_returns(sandboxes, online_order.number) == [payloads[0]["return"]["id"]]


async def test_two_clients_with_one_key_get_two_returns(
    online_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    variables = authorize_vars(online_order.number, [(1, 1, "OTHER")], "shared-key")
    async with serve_subgraph("returns", settings_for(sandboxes, online_order)) as client:
        client.headers["X-Client-Id"] = "store-app"
        first = (await client.gql(AUTHORIZE, variables))["data"]["authorizeReturn"]
        client.headers["X-Client-Id"] = "service-desk"
        second = await client.gql(
            AUTHORIZE, authorize_vars(online_order.number, [(2, 1, "OTHER")], "shared-key")
        )
    payload = second["data"]["authorizeReturn"]
    assert payload["userErrors"] == []
    assert payload["replayed"] is False
    assert payload["return"]["id"] != first["return"]["id"]
    assert len(oms_returns(sandboxes, online_order.number)) == 2


async def test_a_duplicate_past_the_wait_bound_is_idempotency_key_in_progress(
    online_order: Order, sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    settings = settings_for(sandboxes, online_order, idempotency_wait_s=0.2)
    variables = authorize_vars(online_order.number, [(1, 1, "OTHER")], "slow")
    async with serve_subgraph("returns", settings) as client:
        sandboxes.apps["oms"].state.runtime.knobs.latency_ms = 400.0
        first = asyncio.create_task(client.gql(AUTHORIZE, variables))
        await asyncio.sleep(0.1)
        second = await client.gql(AUTHORIZE, variables)
        done = await first
    assert done["data"]["authorizeReturn"]["userErrors"] == []
    errors = second["data"]["authorizeReturn"]["userErrors"]
    assert [(e["code"], e["field"]) for e in errors] == [("IDEMPOTENCY_KEY_IN_PROGRESS", ["idempotencyKey"])]
