"""POS customers and loyalty: profiles linked by reference_id, search filters, creation, points."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from sandbox.world import Customer, World


@pytest.fixture
def pos(client_for: Callable[..., httpx.AsyncClient]) -> httpx.AsyncClient:
    client = client_for("pos")
    client.headers.update({"Authorization": "Bearer sandbox-token"})
    return client


def in_pos(world: World) -> list[Customer]:
    return [c for c in world.customers if c.square_customer_id]


async def search(pos: httpx.AsyncClient, filter_: dict[str, Any], **extra: Any) -> httpx.Response:
    return await pos.post("/v2/customers/search", json={"query": {"filter": filter_}, **extra})


async def test_listing_pages_through_every_profile(pos: httpx.AsyncClient, world: World) -> None:
    seen: list[str] = []
    params: dict[str, str] = {"limit": "100", "count": "true"}
    while True:
        page = (await pos.get("/v2/customers", params=params)).json()
        assert page["count"] == len(in_pos(world))
        seen += [c["id"] for c in page["customers"]]
        if "cursor" not in page:
            break
        params["cursor"] = page["cursor"]
    assert sorted(seen) == sorted(c.square_customer_id or "" for c in in_pos(world))


async def test_listing_sorts_by_creation_when_asked(pos: httpx.AsyncClient) -> None:
    params = {"sort_field": "CREATED_AT", "sort_order": "DESC", "limit": "50"}
    created = [c["created_at"] for c in (await pos.get("/v2/customers", params=params)).json()["customers"]]
    assert created == sorted(created, reverse=True)
    bad = await pos.get("/v2/customers", params={"sort_field": "AGE"})
    assert bad.json()["errors"][0]["code"] == "INVALID_ENUM_VALUE"
    assert (await pos.get("/v2/customers", params={"limit": "101"})).json()["errors"][0][
        "code"
    ] == "VALUE_TOO_HIGH"


async def test_a_profile_carries_the_retailers_customer_number(pos: httpx.AsyncClient, world: World) -> None:
    customer = next(c for c in in_pos(world) if c.addresses and c.phone)
    profile = (await pos.get(f"/v2/customers/{customer.square_customer_id}")).json()["customer"]
    assert profile["reference_id"] == customer.id
    assert (profile["given_name"], profile["family_name"]) == (customer.first_name, customer.last_name)
    assert (profile["email_address"], profile["phone_number"]) == (customer.email, customer.phone)
    assert profile["address"]["postal_code"] == customer.addresses[0].postal_code
    assert profile["creation_source"] in ("LOYALTY", "DIRECTORY")
    assert "email_unsubscribed" in profile["preferences"]
    assert (await pos.get("/v2/customers/NOPE")).status_code == 404


async def test_search_by_reference_id_links_a_profile(pos: httpx.AsyncClient, world: World) -> None:
    customer = in_pos(world)[3]
    found = (await search(pos, {"reference_id": {"exact": customer.id}})).json()["customers"]
    assert [c["id"] for c in found] == [customer.square_customer_id]
    assert (await search(pos, {"reference_id": {"exact": customer.id.lower()}})).json() == {}


async def test_search_by_email_is_case_insensitive_and_fuzzy_matches_tokens(
    pos: httpx.AsyncClient, world: World
) -> None:
    customer = in_pos(world)[5]
    exact = (await search(pos, {"email_address": {"exact": customer.email.upper()}})).json()["customers"]
    assert [c["id"] for c in exact] == [customer.square_customer_id]
    token = customer.email.split("@")[0].split(".")[0]
    fuzzy = (await search(pos, {"email_address": {"fuzzy": token}}, limit=100)).json()["customers"]
    assert customer.square_customer_id in {c["id"] for c in fuzzy}
    assert all(token in c["email_address"] for c in fuzzy)


async def test_search_by_phone_ignores_formatting(pos: httpx.AsyncClient, world: World) -> None:
    customer = next(c for c in in_pos(world) if c.phone)
    assert customer.phone is not None
    digits = customer.phone[2:]
    formatted = f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    found = (await search(pos, {"phone_number": {"exact": formatted}})).json()["customers"]
    assert [c["id"] for c in found] == [customer.square_customer_id]


async def test_search_by_creation_window_and_source(pos: httpx.AsyncClient, world: World) -> None:
    window = {"start_at": "2025-01-01T00:00:00Z", "end_at": "2025-07-01T00:00:00Z"}
    body = {"created_at": window, "creation_source": {"values": ["LOYALTY"], "rule": "INCLUDE"}}
    found = (await search(pos, body, limit=100)).json()["customers"]
    assert found
    assert all("2025-01-01" <= c["created_at"] < "2025-07-01" for c in found)
    assert {c["creation_source"] for c in found} == {"LOYALTY"}


async def test_exact_and_fuzzy_together_are_refused(pos: httpx.AsyncClient) -> None:
    response = await search(pos, {"email_address": {"exact": "a@b.c", "fuzzy": "a"}})
    error = response.json()["errors"][0]
    assert (response.status_code, error["code"], error["field"]) == (
        400,
        "INVALID_VALUE",
        "query.filter.email_address",
    )


async def test_search_pages_with_a_cursor(pos: httpx.AsyncClient, world: World) -> None:
    body: dict[str, Any] = {"limit": 60, "query": {"sort": {"field": "CREATED_AT", "order": "ASC"}}}
    seen: list[str] = []
    while True:
        page = (await pos.post("/v2/customers/search", json=body)).json()
        seen += [c["id"] for c in page["customers"]]
        if "cursor" not in page:
            break
        body["cursor"] = page["cursor"]
    assert len(seen) == len(set(seen)) == len(in_pos(world))


async def test_a_created_profile_is_third_party_and_can_be_found(pos: httpx.AsyncClient) -> None:
    body = {
        "idempotency_key": "c1",
        "given_name": "Dana",
        "email_address": "dana@example.org",
        "reference_id": "C999",
    }
    created = (await pos.post("/v2/customers", json=body)).json()["customer"]
    assert created["creation_source"] == "THIRD_PARTY"
    assert (await pos.post("/v2/customers", json=body)).json()["customer"] == created
    found = (await search(pos, {"reference_id": {"exact": "C999"}})).json()["customers"]
    assert [c["id"] for c in found] == [created["id"]]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"note": "nothing else"}, "BAD_REQUEST"),
        ({"email_address": "not-an-email"}, "INVALID_EMAIL_ADDRESS"),
        ({"phone_number": "call me"}, "INVALID_PHONE_NUMBER"),
        ({"given_name": 42}, "EXPECTED_STRING"),
    ],
)
async def test_bad_profiles_are_refused(pos: httpx.AsyncClient, body: dict[str, Any], code: str) -> None:
    response = await pos.post("/v2/customers", json=body)
    assert (response.status_code, response.json()["errors"][0]["code"]) == (400, code)


async def test_the_loyalty_program_is_active_with_a_spend_rule(pos: httpx.AsyncClient) -> None:
    program = (await pos.get("/v2/loyalty/programs/main")).json()["program"]
    assert program["status"] == "ACTIVE"
    assert program["terminology"] == {"one": "Point", "other": "Points"}
    assert [t["points"] for t in program["reward_tiers"]] == [100, 250, 500]
    assert program["accrual_rules"][0]["accrual_type"] == "SPEND"
    by_id = (await pos.get(f"/v2/loyalty/programs/{program['id']}")).json()["program"]
    assert by_id == program
    assert (await pos.get("/v2/loyalty/programs")).json()["programs"] == [program]
    assert (await pos.get("/v2/loyalty/programs/other")).status_code == 404


async def test_loyalty_accounts_exist_for_customers_with_points(pos: httpx.AsyncClient, world: World) -> None:
    members = [c for c in in_pos(world) if c.loyalty_lifetime_points > 0]
    body: dict[str, Any] = {"limit": 200}
    accounts: list[dict[str, Any]] = []
    while True:
        page = (await pos.post("/v2/loyalty/accounts/search", json=body)).json()
        accounts += page["loyalty_accounts"]
        if "cursor" not in page:
            break
        body["cursor"] = page["cursor"]
    assert {a["customer_id"] for a in accounts} == {c.square_customer_id for c in members}


async def test_an_account_is_found_by_customer_or_phone(pos: httpx.AsyncClient, world: World) -> None:
    member = next(c for c in in_pos(world) if c.loyalty_lifetime_points > 0 and c.phone)
    by_customer = {"query": {"customer_ids": [member.square_customer_id]}}
    [account] = (await pos.post("/v2/loyalty/accounts/search", json=by_customer)).json()["loyalty_accounts"]
    assert (account["balance"], account["lifetime_points"]) == (
        member.loyalty_balance,
        member.loyalty_lifetime_points,
    )
    assert account["mapping"]["phone_number"] == member.phone
    by_phone = {"query": {"mappings": [{"phone_number": member.phone}]}}
    assert (await pos.post("/v2/loyalty/accounts/search", json=by_phone)).json()["loyalty_accounts"] == [
        account
    ]
    assert (await pos.get(f"/v2/loyalty/accounts/{account['id']}")).json()["loyalty_account"] == account
    both = {"query": {"customer_ids": ["x"], "mappings": [{"phone_number": "+15550000000"}]}}
    assert (await pos.post("/v2/loyalty/accounts/search", json=both)).status_code == 400
    assert (await pos.get("/v2/loyalty/accounts/NOPE")).status_code == 404


async def test_a_completed_sale_accrues_a_point_per_whole_dollar(
    pos: httpx.AsyncClient, world: World
) -> None:
    member = next(c for c in in_pos(world) if c.loyalty_lifetime_points > 0)
    store = next(loc for loc in world.locations if loc.square_location_id)
    variant = next(iter(world.variants))
    order = {
        "location_id": store.square_location_id,
        "customer_id": member.square_customer_id,
        "line_items": [{"catalog_object_id": variant.square_variation_id, "quantity": "3"}],
    }
    created = (await pos.post("/v2/orders", json={"idempotency_key": "o", "order": order})).json()["order"]
    await pos.post(f"/v2/orders/{created['id']}/pay", json={"idempotency_key": "p"})
    query = {"query": {"customer_ids": [member.square_customer_id]}}
    [account] = (await pos.post("/v2/loyalty/accounts/search", json=query)).json()["loyalty_accounts"]
    points = 3 * variant.price_cents // 100
    assert account["balance"] == member.loyalty_balance + points
    assert account["lifetime_points"] == member.loyalty_lifetime_points + points
