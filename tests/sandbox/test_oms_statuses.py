"""OMS status ids, the StatusValidChange table, and every status occurring in the seed."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.cli import create_app
from sandbox.oms.canonical import ORDER_STATUS_IDS, RETURN_REASONS, RETURN_STATUS_IDS, SEED_REASON_IDS
from sandbox.oms.state import OmsState
from sandbox.oms.statuses import STATUS_ITEMS, VALID_CHANGES
from sandbox.settings import SandboxSettings
from sandbox.world import ORDER_STATUSES, RETURN_STATUSES, World
from sandbox.world import RETURN_REASONS as CANONICAL_REASONS


@pytest.fixture(scope="module")
def app(world: World) -> Starlette:
    return create_app("oms", SandboxSettings(), world=world)


@pytest.fixture
async def oms(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/rest/s1/oms") as client:
        yield client


@pytest.fixture(scope="module")
def state(app: Starlette) -> OmsState:
    return app.state.system.state  # type: ignore[no-any-return]


def _ids(status_type: str) -> set[str]:
    return {i.status_id for i in STATUS_ITEMS if i.status_type_id == status_type}


async def test_the_order_status_table_is_served_with_its_valid_changes(oms: httpx.AsyncClient) -> None:
    response = await oms.get("/statuses", params={"statusTypeId": "ORDER_STATUS"})
    assert response.status_code == 200
    body = response.json()
    assert {i["statusId"] for i in body["statusItems"]} == {
        "ORDER_CREATED",
        "ORDER_APPROVED",
        "ORDER_HOLD",
        "ORDER_COMPLETED",
        "ORDER_CANCELLED",
    }
    changes = {(c["statusId"], c["statusIdTo"]) for c in body["statusValidChanges"]}
    assert changes == {
        ("ORDER_CREATED", "ORDER_APPROVED"),
        ("ORDER_CREATED", "ORDER_HOLD"),
        ("ORDER_CREATED", "ORDER_CANCELLED"),
        ("ORDER_HOLD", "ORDER_APPROVED"),
        ("ORDER_HOLD", "ORDER_CANCELLED"),
        ("ORDER_APPROVED", "ORDER_HOLD"),
        ("ORDER_APPROVED", "ORDER_COMPLETED"),
        ("ORDER_APPROVED", "ORDER_CANCELLED"),
    }


async def test_the_return_status_table_follows_the_return_lifecycle(oms: httpx.AsyncClient) -> None:
    body = (await oms.get("/statuses", params={"statusTypeId": "ORDER_RETURN_STTS"})).json()
    changes = {(c["statusId"], c["statusIdTo"]) for c in body["statusValidChanges"]}
    assert ("RETURN_REQUESTED", "RETURN_ACCEPTED") in changes
    assert ("RETURN_INSPECTED", "RETURN_COMPLETED") in changes
    assert ("RETURN_COMPLETED", "RETURN_CLOSED") in changes
    assert ("RETURN_REQUESTED", "RETURN_RECEIVED") not in changes
    assert not any(src == "RETURN_CLOSED" for src, _ in changes)


async def test_shipment_changes_not_open_to_store_pickup_carry_a_condition(oms: httpx.AsyncClient) -> None:
    body = (await oms.get("/statuses", params={"statusTypeId": "SHIPMENT_STATUS"})).json()
    conditioned = {
        (c["statusId"], c["statusIdTo"]) for c in body["statusValidChanges"] if c["conditionExpression"]
    }
    assert conditioned == {
        ("SHIPMENT_APPROVED", "SHIPMENT_SHIPPED"),
        ("SHIPMENT_SHIPPED", "SHIPMENT_DELIVERED"),
    }


async def test_all_status_types_are_served_without_a_filter(oms: httpx.AsyncClient) -> None:
    body = (await oms.get("/statuses")).json()
    assert {i["statusTypeId"] for i in body["statusItems"]} == {
        "ORDER_STATUS",
        "ORDER_ITEM_STATUS",
        "SHIPMENT_STATUS",
        "ORDER_RETURN_STTS",
        "PAYMENT_PREF_STATUS",
    }
    assert len(body["statusValidChanges"]) == sum(len(v) for v in VALID_CHANGES.values())


async def test_an_unknown_status_type_is_a_400_naming_the_valid_ones(oms: httpx.AsyncClient) -> None:
    response = await oms.get("/statuses", params={"statusTypeId": "NOPE"})
    assert response.status_code == 400
    body = response.json()
    assert body["errorId"] == "INVALID_PARAMETER"
    assert "ORDER_STATUS" in body["details"][0]["valid"]


def test_every_canonical_order_and_return_status_has_an_oms_status() -> None:
    assert set(ORDER_STATUS_IDS) == set(ORDER_STATUSES)
    assert set(RETURN_STATUS_IDS) == set(RETURN_STATUSES)
    assert set(ORDER_STATUS_IDS.values()) == _ids("ORDER_STATUS")
    assert set(RETURN_STATUS_IDS.values()) == _ids("ORDER_RETURN_STTS")


def test_every_canonical_return_reason_has_a_seed_reason_id() -> None:
    assert set(SEED_REASON_IDS) == set(CANONICAL_REASONS)
    assert all(RETURN_REASONS[reason_id][0] == canonical for canonical, reason_id in SEED_REASON_IDS.items())


def test_every_order_item_shipment_and_payment_status_occurs_in_the_seed(
    world: World, state: OmsState
) -> None:
    orders = [state.orders.get(o.id) for o in world.orders if o.in_oms]
    assert {o.status_id for o in orders} == _ids("ORDER_STATUS")
    assert {i.status_id for o in orders for i in o.items} == _ids("ORDER_ITEM_STATUS")
    assert {s.status_id for o in orders for s in o.shipments} == _ids("SHIPMENT_STATUS")
    assert {p.status_id for o in orders for p in o.payments} == _ids("PAYMENT_PREF_STATUS")
    pickup = {s.status_id for o in orders for s in o.shipments if s.method == "STOREPICKUP"}
    assert {"SHIPMENT_PACKED", "SHIPMENT_SHIPPED"} <= pickup
    assert "SHIPMENT_DELIVERED" not in pickup


def test_every_return_status_occurs_in_the_seed(state: OmsState) -> None:
    returns = state.returns.search(None, None, None)
    assert {r.status_id for r in returns} == _ids("ORDER_RETURN_STTS")


def test_seeded_status_histories_only_take_valid_steps(world: World, state: OmsState) -> None:
    for order in (state.orders.get(o.id) for o in world.orders if o.in_oms):
        steps = [row.status_id for row in order.statuses]
        assert steps[0] == "ORDER_CREATED"
        assert steps[-1] == order.status_id
        for src, dst in itertools.pairwise(steps):
            assert dst in VALID_CHANGES[src], (order.order_id, steps)
        for shipment in order.shipments:
            ship_steps = [row.status_id for row in shipment.statuses]
            assert ship_steps[-1] == shipment.status_id
            for src, dst in itertools.pairwise(ship_steps):
                assert dst in VALID_CHANGES[src], (shipment.shipment_id, ship_steps)
    for ret in state.returns.search(None, None, None):
        steps = [row.status_id for row in ret.statuses]
        for src, dst in itertools.pairwise(steps):
            assert dst in VALID_CHANGES[src], (ret.return_id, steps)


def test_canonical_order_statuses_map_to_the_oms_statuses_of_the_seed(world: World, state: OmsState) -> None:
    for order in (o for o in world.orders if o.in_oms):
        assert state.orders.get(order.id).status_id == ORDER_STATUS_IDS[order.status]


def test_open_items_of_seeded_orders_add_up_to_the_worlds_committed_units(
    world: World, state: OmsState
) -> None:
    committed: Counter[tuple[str, str]] = Counter()
    for order in (state.orders.get(o.id) for o in world.orders if o.in_oms):
        committed.update(order.open_commitments())
    assert committed
    assert all(world.committed(sku, facility) == units for (sku, facility), units in committed.items())
    open_units = sum(
        line.quantity - line.quantity_fulfilled
        for o in world.orders
        if o.status != "CANCELLED"
        for line in o.lines
    )
    assert sum(committed.values()) == open_units
