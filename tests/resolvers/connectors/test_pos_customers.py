"""The POS connector's CustomerSource against the Square sandbox: profiles by our id and e-mail, loyalty."""

from __future__ import annotations

from resolvers.http import HttpClient
from resolvers.pos import PosConnector
from resolvers.pos.mapping import NO_REWARD_TIER
from sandbox.world import World
from tests.resolvers.connectors.conftest import RunningSystem

SANDBOX_REWARD_TIERS = (
    (100, "$5 off entire sale"),
    (250, "$15 off entire sale"),
    (500, "$35 off entire sale"),
)
"""``sandbox/pos/loyalty.py``'s program, as its names read."""


def expected_tier(balance: int) -> str:
    reached = [name for points, name in SANDBOX_REWARD_TIERS if balance >= points]
    return reached[-1] if reached else NO_REWARD_TIER


async def test_customers_by_ids_find_profiles_by_reference_id_with_their_loyalty(
    pos: PosConnector, pos_system: RunningSystem, world: World, http: HttpClient
) -> None:
    in_pos = sorted((c for c in world.customers if c.square_customer_id), key=lambda c: c.loyalty_balance)
    loyal = [next(c for c in in_pos if c.loyalty_balance >= floor) for floor in (0, 100, 250, 500)]
    assert [expected_tier(c.loyalty_balance) for c in loyal] == [
        NO_REWARD_TIER,
        *(name for _, name in SANDBOX_REWARD_TIERS),
    ]
    created = await http.request(
        "POST",
        f"{pos_system.url}/v2/customers",
        headers={"Authorization": "Bearer t"},
        json={"given_name": "Noor", "email_address": "noor@example.org", "reference_id": "C999999"},
    )
    assert created.status == 200
    absent = next(c for c in world.customers if c.square_customer_id is None)
    ids = [c.id for c in loyal] + ["C999999", absent.id, loyal[0].id]
    records = await pos.customers_by_ids(ids)
    assert records[5] is None
    assert records[6] == records[0]
    for customer, record in zip(loyal, records, strict=False):
        assert record is not None
        assert (record.system, record.system_id, record.customer_id) == (
            "POS",
            customer.square_customer_id,
            customer.id,
        )
        assert (record.email, record.first_name, record.last_name) == (
            customer.email,
            customer.first_name,
            customer.last_name,
        )
        assert record.loyalty is not None
        assert record.loyalty.points == customer.loyalty_balance
        assert record.loyalty.tier == expected_tier(customer.loyalty_balance)
    plain = records[4]
    assert plain is not None
    assert (plain.customer_id, plain.email, plain.loyalty) == ("C999999", "noor@example.org", None)
    assert pos_system.calls("/v2/customers/search") == 6  # Square cannot or its filters: one per id
    assert pos_system.calls("/v2/loyalty/accounts/search") == 1
    assert pos_system.calls("/v2/loyalty/programs") == 1


async def test_customers_by_email_match_whatever_the_case(pos: PosConnector, world: World) -> None:
    customer = next(c for c in world.customers if c.square_customer_id and c.loyalty_balance > 0)
    [record] = await pos.customers_by_email(customer.email.upper())
    assert record.customer_id == customer.id
    assert record.loyalty is not None
    assert record.loyalty.points == customer.loyalty_balance
    assert await pos.customers_by_email("nobody@example.org") == []
