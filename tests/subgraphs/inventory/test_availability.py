"""The inventory subgraph over the sandboxes: ATS per location and per channel, one OMS call per request."""

from __future__ import annotations

from typing import Any

from sandbox.world import World
from tests.subgraphs.conftest import Sandboxes, ServeSubgraph

QUERY = """
query($r: [_Any!]!, $channel: Channel!, $ids: [ID!]) {
  _entities(representations: $r) {
    ... on Variant {
      sku
      availability(channel: $channel, locationIds: $ids) {
        sku channel availableToSell status asOf stale
        locations {
          location { id } availableToSell onHand committed reserved safetyStock unavailable incoming
        }
      }
    }
  }
}
"""


def _expected_ats(world: World, sku: str, code: str) -> int | None:
    stock = world.stock(sku, code)
    if stock is None:
        return None
    committed = world.committed(sku, code)
    signed = stock.on_hand - committed - stock.safety_stock - stock.damaged - stock.quality_control
    return max(0, signed)


async def _availability(client: Any, skus: list[str], channel: str, ids: list[str] | None = None) -> Any:
    body = await client.gql(
        QUERY, {"r": [{"__typename": "Variant", "sku": s} for s in skus], "channel": channel, "ids": ids}
    )
    assert "errors" not in body, body
    return [entity["availability"] for entity in body["data"]["_entities"]]


async def test_online_availability_sums_the_locations_that_fulfil_online_minus_the_buffer(
    serve_subgraph: ServeSubgraph, world: World
) -> None:
    sku = list(world.variants)[3].sku
    online = [loc.code for loc in world.locations if loc.fulfills_online]
    async with serve_subgraph("inventory") as client:
        [got] = await _availability(client, [sku], "ONLINE")
    per_location = {row["location"]["id"]: row["availableToSell"] for row in got["locations"]}
    expected = {code: ats for code in online if (ats := _expected_ats(world, sku, code)) is not None}
    assert per_location == expected
    assert got["availableToSell"] == max(0, sum(expected.values()) - 2)
    assert got["status"] in {"IN_STOCK", "LOW_STOCK", "OUT_OF_STOCK"}
    assert got["stale"] is False
    assert got["asOf"].endswith("+00:00")


async def test_named_locations_are_used_as_given_and_an_unknown_one_is_bad_user_input(
    serve_subgraph: ServeSubgraph, world: World
) -> None:
    sku = next(iter(world.variants)).sku
    carried = [loc.code for loc in world.locations if world.stock(sku, loc.code) is not None][:3]
    async with serve_subgraph("inventory") as client:
        [got] = await _availability(client, [sku], "STORE", carried)
        bad = await client.gql(
            QUERY, {"r": [{"__typename": "Variant", "sku": sku}], "channel": "ONLINE", "ids": ["NOPE"]}
        )
    assert [row["location"]["id"] for row in got["locations"]] == carried
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_fifty_skus_at_thirty_locations_cost_one_oms_call_and_no_other_system(
    serve_subgraph: ServeSubgraph, sandboxes: Sandboxes, world: World
) -> None:
    skus = [v.sku for v in list(world.variants)[:50]]
    every = [loc.code for loc in world.locations]
    async with serve_subgraph("inventory") as client:
        await _availability(client, ["WARM-UP"], "ONLINE", every[:1])  # loads the facility list
        before = {system: sandboxes.calls(system) for system in ("erp", "oms", "pos", "shopify")}
        answers = await _availability(client, skus, "ONLINE", every)
        after = {system: sandboxes.calls(system) for system in ("erp", "oms", "pos", "shopify")}
    assert len(answers) == 50
    calls = {system: after[system] - before[system] for system in before}
    assert calls["oms"] == 1
    assert calls["erp"] == calls["pos"] == calls["shopify"] == 0


async def test_with_the_oms_down_the_stores_come_from_the_pos_and_the_rest_from_shopify(
    serve_subgraph: ServeSubgraph, sandboxes: Sandboxes, world: World
) -> None:
    sku = list(world.variants)[5].sku
    every = [loc.code for loc in world.locations]
    async with serve_subgraph("inventory") as client:
        await _availability(client, ["WARM-UP"], "ONLINE", every[:1])  # loads the facility list
        oms = sandboxes.apps["oms"].state.runtime
        oms.knobs = oms.knobs.model_copy(update={"outage": True})
        [got] = await _availability(client, [sku], "ONLINE", every)
    assert got["locations"], got
    assert sandboxes.calls("pos") >= 1
    assert sandboxes.calls("shopify") >= 1


async def test_the_shopify_webhook_endpoint_refuses_a_wrong_signature(serve_subgraph: ServeSubgraph) -> None:
    async with serve_subgraph("inventory") as client:
        response = await client.post(
            "/webhooks/shopify",
            content=b"{}",
            headers={"X-Shopify-Topic": "inventory_levels/update", "X-Shopify-Hmac-Sha256": "bad"},
        )
    assert response.status_code == 401


async def test_one_request_asking_several_channels_and_locations_counts_each_its_own_locations(
    serve_subgraph: ServeSubgraph, world: World
) -> None:
    sku = list(world.variants)[3].sku
    carried = [loc.code for loc in world.locations if world.stock(sku, loc.code) is not None]
    query = """
    query($r: [_Any!]!, $one: [ID!], $two: [ID!]) { _entities(representations: $r) { ... on Variant {
      online: availability(channel: ONLINE) { locations { location { id } } }
      store: availability(channel: STORE) { locations { location { id } } }
      one: availability(channel: STORE, locationIds: $one) { locations { location { id } } }
      two: availability(channel: STORE, locationIds: $two) { locations { location { id } } }
    } } }
    """
    variables = {"r": [{"__typename": "Variant", "sku": sku}], "one": carried[:1], "two": carried[1:3]}
    async with serve_subgraph("inventory") as client:
        body = await client.gql(query, variables)
    assert "errors" not in body, body
    [got] = body["data"]["_entities"]
    ids = {name: [row["location"]["id"] for row in got[name]["locations"]] for name in got}
    online = {loc.code for loc in world.locations if loc.fulfills_online}
    pickup = {loc.code for loc in world.locations if loc.type == "STORE" and loc.pickup_enabled}
    assert set(ids["online"]) <= online
    assert set(ids["store"]) <= pickup
    assert set(ids["online"]) != set(ids["store"])
    assert (ids["one"], ids["two"]) == (carried[:1], carried[1:3])
