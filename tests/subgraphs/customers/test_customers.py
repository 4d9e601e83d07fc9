"""The customers subgraph against the sandboxes over real HTTP: profiles by id, by e-mail, via _entities."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from resolvers.pos import PosConnector
from sandbox.world import World
from subgraphs.customers import lookup
from tests.subgraphs.conftest import Sandboxes, ServeSubgraph
from tests.subgraphs.customers._expected import PROFILE, expected_profile

BY_ID = f"query($id: ID!) {{ customer(id: $id) {{ {PROFILE} }} }}"
BY_EMAIL = f"query($email: String!) {{ customerByEmail(email: $email) {{ {PROFILE} }} }}"
ENTITIES = f"query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on Customer {{ {PROFILE} }} }} }}"

PRESENCE = [f"C{i:06d}" for i in range(1, 11)]
"""The first customer of each of the world's ten presence patterns (all three systems, Shopify only, ...)."""


def calls(sandboxes: Sandboxes) -> dict[str, int]:
    return {system: sandboxes.calls(system) for system in ("erp", "pos", "shopify")}


async def test_seeded_customers_are_merged_from_every_system_that_knows_them(
    serve_subgraph: ServeSubgraph, world: World
) -> None:
    async with serve_subgraph("customers") as client:
        for customer_id in PRESENCE:
            body = await client.gql(BY_ID, {"id": customer_id})
            assert body == {"data": {"customer": expected_profile(world, customer_id)}}, customer_id


async def test_the_first_customer_has_all_three_systems_ids_and_loyalty_from_the_pos(
    serve_subgraph: ServeSubgraph,
) -> None:
    async with serve_subgraph("customers") as client:
        body = await client.gql(BY_ID, {"id": "C000001"})
    customer = body["data"]["customer"]
    assert (customer["firstName"], customer["lastName"], customer["email"]) == (
        "Ava",
        "Cohen",
        "ava.cohen.1@example.com",
    )
    assert customer["loyalty"] == {"tier": "$35 off entire sale", "points": 2275}
    assert customer["externalRefs"] == [
        {"system": "ERP", "id": "1000001"},
        {"system": "POS", "id": "X901JXJYQRE0SCRTEBPNV91MNZ"},
        {"system": "SHOPIFY", "id": "7100000001"},
    ]


async def test_a_customer_only_the_pos_knows_is_answered_from_the_pos(
    sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    new = {
        "given_name": "Pia",
        "family_name": "Till",
        "email_address": "pia.till@example.com",
        "phone_number": "+15559990001",
        "reference_id": "C900001",
        "address": {
            "address_line_1": "1 Counter Rd",
            "locality": "Denver",
            "administrative_district_level_1": "CO",
            "postal_code": "80202",
            "country": "US",
        },
    }
    headers = {"Authorization": "Bearer sandbox-token", "Square-Version": "2025-01-23"}
    async with httpx.AsyncClient(base_url=sandboxes.urls["pos"], headers=headers) as pos:
        created = await pos.post("/v2/customers", json=new)
    assert created.status_code == 200, created.text
    square_id = created.json()["customer"]["id"]
    async with serve_subgraph("customers") as client:
        by_id = await client.gql(BY_ID, {"id": "C900001"})
        by_email = await client.gql(BY_EMAIL, {"email": "Pia.Till@example.com"})
    expected = {
        "id": "C900001",
        "email": "pia.till@example.com",
        "phone": "+15559990001",
        "firstName": "Pia",
        "lastName": "Till",
        "addresses": [
            {
                "line1": "1 Counter Rd",
                "line2": None,
                "city": "Denver",
                "region": "CO",
                "postalCode": "80202",
                "countryCode": "US",
            }
        ],
        "loyalty": None,
        "externalRefs": [{"system": "POS", "id": square_id}],
    }
    assert by_id == {"data": {"customer": expected}}
    assert by_email == {"data": {"customerByEmail": expected}}


async def test_an_id_no_system_knows_is_null(serve_subgraph: ServeSubgraph) -> None:
    async with serve_subgraph("customers") as client:
        assert await client.gql(BY_ID, {"id": "C999999"}) == {"data": {"customer": None}}


@pytest.mark.parametrize("customer_id", ["", "   ", "C 000001"])
async def test_a_blank_or_malformed_id_is_bad_user_input(
    serve_subgraph: ServeSubgraph, customer_id: str
) -> None:
    async with serve_subgraph("customers") as client:
        body = await client.gql(BY_ID, {"id": customer_id})
    assert body["data"] == {"customer": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]


async def test_with_the_pos_down_the_profile_comes_from_shopify_and_the_erp(
    sandboxes: Sandboxes, serve_subgraph: ServeSubgraph, world: World
) -> None:
    sandboxes.apps["pos"].state.runtime.knobs.outage = True
    async with serve_subgraph("customers") as client:
        body = await client.gql(BY_ID, {"id": "C000001"})
    expected = expected_profile(world, "C000001")
    expected["loyalty"] = None
    expected["externalRefs"] = [ref for ref in expected["externalRefs"] if ref["system"] != "POS"]
    assert body == {"data": {"customer": expected}}


async def test_with_shopify_down_the_answer_does_not_wait_for_its_retries(
    sandboxes: Sandboxes, serve_subgraph: ServeSubgraph, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lookup, "PATIENCE_S", 2.0)  # time enough for the POS and the ERP on a busy machine
    sandboxes.apps["shopify"].state.runtime.knobs.outage = True
    async with serve_subgraph("customers") as client:
        started = time.monotonic()
        body = await client.gql(BY_ID, {"id": "C000001"})
        elapsed = time.monotonic() - started
    expected = expected_profile(world, "C000001")
    expected["externalRefs"] = [ref for ref in expected["externalRefs"] if ref["system"] != "SHOPIFY"]
    assert body == {"data": {"customer": expected}}
    assert elapsed < 5.0


async def test_with_every_system_that_knows_a_customer_down_the_failure_is_reported(
    sandboxes: Sandboxes, serve_subgraph: ServeSubgraph
) -> None:
    for system in ("pos", "erp"):  # C000010 is in the POS and the ERP, not in Shopify
        sandboxes.apps[system].state.runtime.knobs.outage = True
    async with serve_subgraph("customers") as client:
        body = await client.gql(BY_ID, {"id": "C000010"})
    assert body["data"] == {"customer": None}
    [error] = body["errors"]
    assert error["path"] == ["customer"]
    assert error["extensions"]["code"] in {"UPSTREAM_UNAVAILABLE", "CIRCUIT_OPEN"}
    assert error["extensions"]["system"] == "pos"  # the first failure in precedence order


async def test_twenty_entities_cost_one_batch_per_system(
    sandboxes: Sandboxes, serve_subgraph: ServeSubgraph, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[list[str]] = []
    original = PosConnector.customers_by_ids

    async def counted(self: PosConnector, customer_ids: Any) -> Any:
        batches.append(list(customer_ids))
        return await original(self, customer_ids)

    monkeypatch.setattr(PosConnector, "customers_by_ids", counted)
    wanted = [f"C{i:06d}" for i in range(101, 121)]
    async with serve_subgraph("customers") as client:
        absent = next(c for c in world.customers if not c.shopify_customer_id).id  # not in Shopify:
        await client.gql(BY_ID, {"id": absent})  # learns Shopify's whole id index and the loyalty programme
        before = calls(sandboxes)
        pos_routes = dict(sandboxes.apps["pos"].state.runtime.stats.by_route)
        body = await client.gql(
            ENTITIES, {"r": [{"__typename": "Customer", "id": customer_id} for customer_id in wanted]}
        )
        after = calls(sandboxes)
    assert body == {"data": {"_entities": [expected_profile(world, customer_id) for customer_id in wanted]}}
    assert after["erp"] - before["erp"] == 1
    assert after["shopify"] - before["shopify"] == 1
    assert batches[-1] == wanted  # one POS batch; Square cannot or its filters, so the connector
    by_route = sandboxes.apps["pos"].state.runtime.stats.by_route  # searches once per id within it
    pos_searches = by_route["POST /v2/customers/search"] - pos_routes.get("POST /v2/customers/search", 0)
    loyalty = by_route["POST /v2/loyalty/accounts/search"] - pos_routes.get(
        "POST /v2/loyalty/accounts/search", 0
    )
    assert (len(batches), pos_searches, loyalty) == (2, 20, 1)


async def test_an_entity_reference_to_no_one_resolves_to_null(serve_subgraph: ServeSubgraph) -> None:
    representations = [{"__typename": "Customer", "id": i} for i in ("C999999", " ", "C000002")]
    async with serve_subgraph("customers") as client:
        body = await client.gql(ENTITIES, {"r": representations})
    assert [e and e["id"] for e in body["data"]["_entities"]] == [None, None, "C000002"]
    assert "errors" not in body


async def test_a_customer_is_found_by_email_whatever_its_case_and_blanks(
    serve_subgraph: ServeSubgraph, world: World
) -> None:
    async with serve_subgraph("customers") as client:
        for customer_id in PRESENCE:
            email = world.customers_by_id[customer_id].email
            body = await client.gql(BY_EMAIL, {"email": f"  {email.upper()} "})
            assert body == {"data": {"customerByEmail": expected_profile(world, customer_id)}}, customer_id


async def test_an_email_nobody_has_is_null(serve_subgraph: ServeSubgraph) -> None:
    async with serve_subgraph("customers") as client:
        body = await client.gql(BY_EMAIL, {"email": "nobody.here@example.com"})
    assert body == {"data": {"customerByEmail": None}}


@pytest.mark.parametrize("email", ["", "not-an-email", "ava@", "ava cohen@example.com", "ava@example"])
async def test_an_invalid_email_is_bad_user_input(serve_subgraph: ServeSubgraph, email: str) -> None:
    async with serve_subgraph("customers") as client:
        body = await client.gql(BY_EMAIL, {"email": email})
    assert body["data"] == {"customerByEmail": None}
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "email"}
    assert error["path"] == ["customerByEmail"]


async def test_by_email_with_the_erp_down_answers_from_shopify_and_the_pos(
    sandboxes: Sandboxes, serve_subgraph: ServeSubgraph, world: World
) -> None:
    sandboxes.apps["erp"].state.runtime.knobs.outage = True
    async with serve_subgraph("customers") as client:
        body = await client.gql(BY_EMAIL, {"email": "ava.cohen.1@example.com"})
    expected = expected_profile(world, "C000001")
    expected["externalRefs"] = [ref for ref in expected["externalRefs"] if ref["system"] != "ERP"]
    assert body == {"data": {"customerByEmail": expected}}
