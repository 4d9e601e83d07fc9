"""OMS soft reservations: all-or-nothing holds against ATP, expiry, release, confirmation, concurrency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.cli import create_app
from sandbox.oms.state import OmsState
from sandbox.settings import SandboxSettings
from sandbox.world import World


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def app(world: World) -> Starlette:
    return create_app("oms", SandboxSettings(), world=world)


@pytest.fixture
def clock(app: Starlette) -> FakeClock:
    fake = FakeClock()
    state: OmsState = app.state.system.state
    state.clock = fake
    return fake


@pytest.fixture
async def oms(app: Starlette, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox/rest/s1/oms") as client:
        yield client


def _stocked(world: World, minimum: int = 10, count: int = 1) -> tuple[str, list[str]]:
    """A warehouse and ``count`` SKUs with at least ``minimum`` units to promise there."""
    warehouse = next(loc.code for loc in world.locations if loc.type == "WAREHOUSE")
    skus = []
    for variant in world.variants:
        stock = world.stock(variant.sku, warehouse)
        if stock is None:
            continue
        atp = stock.on_hand - world.committed(variant.sku, warehouse) - stock.damaged - stock.quality_control
        if atp - stock.safety_stock >= minimum:
            skus.append(variant.sku)
        if len(skus) == count:
            return warehouse, skus
    raise AssertionError("no stocked SKUs")


async def _atp(oms: httpx.AsyncClient, sku: str, facility: str) -> int:
    rows = (await oms.get("/inventory", params={"productId": sku, "facilityId": facility})).json()[
        "inventory"
    ]
    return int(rows[0]["availableToPromiseTotal"])


async def _reserve(
    oms: httpx.AsyncClient, facility: str, items: dict[str, int], **extra: Any
) -> httpx.Response:
    body = {
        "facilityId": facility,
        "items": [{"productId": s, "quantity": q} for s, q in items.items()],
        **extra,
    }
    return await oms.post("/reservations", json=body)


async def test_a_reservation_holds_units_until_it_expires(
    oms: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    facility, (sku,) = _stocked(world)
    before = await _atp(oms, sku, facility)
    response = await _reserve(oms, facility, {sku: 3}, expiresInSeconds=60)
    assert response.status_code == 201
    reservation = response.json()
    assert reservation["statusId"] == "RESERVATION_ACTIVE"
    assert reservation["expiresAt"] == "2026-11-20T12:01:00.000Z"
    assert reservation["items"] == [{"productId": sku, "quantity": 3}]
    assert await _atp(oms, sku, facility) == before - 3
    clock.advance(59)
    assert await _atp(oms, sku, facility) == before - 3
    clock.advance(1)
    assert await _atp(oms, sku, facility) == before
    expired = (await oms.get(f"/reservations/{reservation['reservationId']}")).json()
    assert expired["statusId"] == "RESERVATION_EXPIRED"


async def test_the_default_expiry_is_the_reservation_ttl_knob(oms: httpx.AsyncClient, world: World) -> None:
    facility, (sku,) = _stocked(world)
    assert (
        await oms.patch("http://sandbox/_admin/knobs", json={"reservation_ttl_s": 120})
    ).status_code == 200
    reservation = (await _reserve(oms, facility, {sku: 1})).json()
    assert reservation["expiresAt"] == "2026-11-20T12:02:00.000Z"


async def test_a_short_item_fails_the_whole_reservation_listing_every_short_product(
    oms: httpx.AsyncClient, world: World
) -> None:
    facility, (plenty, other) = _stocked(world, count=2)
    atp_plenty, atp_other = await _atp(oms, plenty, facility), await _atp(oms, other, facility)
    response = await _reserve(oms, facility, {plenty: 1, other: atp_other + 1})
    assert response.status_code == 409
    body = response.json()
    assert body["errorId"] == "INSUFFICIENT_INVENTORY"
    assert body["details"] == [
        {"productId": other, "facilityId": facility, "requested": atp_other + 1, "available": atp_other}
    ]
    assert await _atp(oms, plenty, facility) == atp_plenty
    both = await _reserve(oms, facility, {plenty: atp_plenty + 5, other: atp_other + 1})
    assert [d["productId"] for d in both.json()["details"]] == [plenty, other]


async def test_a_product_not_carried_at_the_facility_is_short(oms: httpx.AsyncClient, world: World) -> None:
    store = next(loc.code for loc in world.locations if loc.type == "STORE")
    sku = next(v.sku for v in world.variants if not world.carries(v.sku, store))
    response = await _reserve(oms, store, {sku: 1})
    assert response.status_code == 409
    assert response.json()["details"][0]["available"] == 0


async def test_the_same_external_id_returns_the_existing_reservation(
    oms: httpx.AsyncClient, world: World
) -> None:
    facility, (sku,) = _stocked(world)
    before = await _atp(oms, sku, facility)
    first = await _reserve(oms, facility, {sku: 2}, externalId="cart-1")
    again = await _reserve(oms, facility, {sku: 2}, externalId="cart-1")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert await _atp(oms, sku, facility) == before - 2


async def test_releasing_a_reservation_gives_the_units_back(oms: httpx.AsyncClient, world: World) -> None:
    facility, (sku,) = _stocked(world)
    before = await _atp(oms, sku, facility)
    reservation_id = (await _reserve(oms, facility, {sku: 4})).json()["reservationId"]
    released = await oms.delete(f"/reservations/{reservation_id}")
    assert released.status_code == 200
    assert released.json()["statusId"] == "RESERVATION_RELEASED"
    assert await _atp(oms, sku, facility) == before
    assert (await oms.delete(f"/reservations/{reservation_id}")).json()["statusId"] == "RESERVATION_RELEASED"


async def test_a_confirmed_reservation_no_longer_expires(
    oms: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    facility, (sku,) = _stocked(world)
    before = await _atp(oms, sku, facility)
    reservation_id = (await _reserve(oms, facility, {sku: 2}, expiresInSeconds=10)).json()["reservationId"]
    confirmed = await oms.post(f"/reservations/{reservation_id}/confirm", json={"orderId": "R999999"})
    assert confirmed.status_code == 200
    assert confirmed.json()["statusId"] == "RESERVATION_CONFIRMED"
    assert confirmed.json()["expiresAt"] is None
    clock.advance(3600)
    assert await _atp(oms, sku, facility) == before - 2
    again = await oms.post(f"/reservations/{reservation_id}/confirm", json={"orderId": "R999999"})
    assert again.status_code == 200
    other = await oms.post(f"/reservations/{reservation_id}/confirm", json={"orderId": "R888888"})
    assert other.status_code == 409
    assert other.json()["errorId"] == "RESERVATION_NOT_ACTIVE"


async def test_a_confirmed_reservation_hands_over_to_its_order_without_double_counting(
    oms: httpx.AsyncClient, world: World
) -> None:
    facility, (sku,) = _stocked(world)
    before = await _atp(oms, sku, facility)
    reservation_id = (await _reserve(oms, facility, {sku: 2})).json()["reservationId"]
    await oms.post(f"/reservations/{reservation_id}/confirm", json={"orderId": "R999999"})
    order = {
        "orderName": "R999999",
        "shipGroups": [
            {
                "facilityId": facility,
                "postalAddress": {"address1": "1 Main St", "city": "Austin", "postalCode": "78701"},
                "items": [{"productId": sku, "quantity": 2, "unitPrice": 10}],
            }
        ],
    }
    assert (await oms.post("/orders", json=order)).status_code == 201
    assert await _atp(oms, sku, facility) == before - 2


async def test_an_expired_reservation_cannot_be_confirmed(
    oms: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    facility, (sku,) = _stocked(world)
    reservation_id = (await _reserve(oms, facility, {sku: 1}, expiresInSeconds=5)).json()["reservationId"]
    clock.advance(5)
    response = await oms.post(f"/reservations/{reservation_id}/confirm", json={"orderId": "R1"})
    assert response.status_code == 409
    assert response.json()["errorId"] == "RESERVATION_EXPIRED"


async def test_fifty_concurrent_reservations_of_the_last_ten_units_never_over_reserve(
    oms: httpx.AsyncClient, world: World
) -> None:
    facility, (sku,) = _stocked(world, minimum=12)
    atp = await _atp(oms, sku, facility)
    assert (await _reserve(oms, facility, {sku: atp - 10})).status_code == 201
    assert await _atp(oms, sku, facility) == 10
    responses = await asyncio.gather(*(_reserve(oms, facility, {sku: 1}) for _ in range(50)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(201) == 10
    assert statuses.count(409) == 40
    assert await _atp(oms, sku, facility) == 0
    position = (await oms.get("/inventory", params={"productId": sku, "facilityId": facility})).json()
    assert position["inventory"][0]["availableToPromiseTotal"] == 0


async def test_reservations_are_idempotent_under_concurrent_retries(
    oms: httpx.AsyncClient, world: World
) -> None:
    facility, (sku,) = _stocked(world)
    before = await _atp(oms, sku, facility)
    responses = await asyncio.gather(*(_reserve(oms, facility, {sku: 1}, externalId="k") for _ in range(10)))
    assert sorted(r.status_code for r in responses) == [200] * 9 + [201]
    assert len({r.json()["reservationId"] for r in responses}) == 1
    assert await _atp(oms, sku, facility) == before - 1


@pytest.mark.parametrize(
    ("body", "error_id", "field"),
    [
        (
            {"facilityId": "NOPE", "items": [{"productId": "X", "quantity": 1}]},
            "UNKNOWN_FACILITY",
            "facilityId",
        ),
        (
            {"facilityId": "WH01", "items": [{"productId": "NOPE", "quantity": 1}]},
            "UNKNOWN_PRODUCT",
            "items.0.productId",
        ),
        (
            {"facilityId": "WH01", "items": [{"productId": "X", "quantity": 0}]},
            "VALIDATION_ERROR",
            "items.0.quantity",
        ),
        ({"facilityId": "WH01", "items": []}, "VALIDATION_ERROR", "items"),
        ({"items": [{"productId": "X", "quantity": 1}]}, "VALIDATION_ERROR", "facilityId"),
        (
            {"facilityId": "WH01", "items": [{"productId": "X", "quantity": 1}], "expiresInSeconds": 999_999},
            "VALIDATION_ERROR",
            "expiresInSeconds",
        ),
    ],
)
async def test_an_invalid_reservation_is_a_400(
    oms: httpx.AsyncClient, body: dict[str, Any], error_id: str, field: str
) -> None:
    response = await oms.post("/reservations", json=body)
    assert response.status_code == 400
    assert response.json()["errorId"] == error_id
    assert response.json()["details"][0]["field"] == field


async def test_an_unknown_reservation_is_a_404_everywhere(oms: httpx.AsyncClient) -> None:
    assert (await oms.get("/reservations/RSV0")).status_code == 404
    assert (await oms.delete("/reservations/RSV0")).status_code == 404
    response = await oms.post("/reservations/RSV0/confirm", json={"orderId": "R1"})
    assert response.status_code == 404
    assert response.json()["errorId"] == "RESERVATION_NOT_FOUND"
