"""``submitOrder``'s refusals: every problem a caller can fix is a userError with its code and field path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.world import World
from tests.subgraphs.conftest import GraphQLClient, Sandboxes
from tests.subgraphs.orders._helpers import (
    Books,
    pickup_input,
    pickup_pair,
    ship_input,
    shippable_skus,
    store_without_pickup,
    submit,
)

Case = Callable[[World], dict[str, Any]]


def _ship(world: World) -> dict[str, Any]:
    return ship_input(shippable_skus(world, at_least=3, count=2))


def _with(change: Callable[[dict[str, Any], World], None], base: Case = _ship) -> Case:
    def build(world: World) -> dict[str, Any]:
        given = base(world)
        change(given, world)
        return given

    return build


def _pickup(world: World) -> dict[str, Any]:
    store, sku = pickup_pair(world, at_least=1)
    return pickup_input(store, sku)


def _set(**values: Any) -> Callable[[dict[str, Any], World], None]:
    return lambda given, _: given.update(values)


def _line(index: int, **values: Any) -> Callable[[dict[str, Any], World], None]:
    return lambda given, _: given["lines"][index].update(values)


def _fulfilment(**values: Any) -> Callable[[dict[str, Any], World], None]:
    def change(given: dict[str, Any], _: World) -> None:
        for key, value in values.items():
            if value is None:
                given["fulfilment"].pop(key, None)
            else:
                given["fulfilment"][key] = value

    return change


def _many_lines(given: dict[str, Any], world: World) -> None:
    given["lines"] = [{"sku": v.sku, "quantity": 1} for v in list(world.variants)[:51]]


def _no_email(given: dict[str, Any], _: World) -> None:
    del given["email"]


def _twice(given: dict[str, Any], _: World) -> None:
    given["lines"][1]["sku"] = given["lines"][0]["sku"]


CASES: dict[str, tuple[Case, str, list[str] | None]] = {
    "no lines": (_with(_set(lines=[])), "NO_LINES", ["lines"]),
    "too many lines": (_with(_many_lines), "TOO_MANY_LINES", ["lines"]),
    "a zero quantity": (_with(_line(1, quantity=0)), "QUANTITY_NOT_POSITIVE", ["lines", "1", "quantity"]),
    "a negative quantity": (
        _with(_line(0, quantity=-2)),
        "QUANTITY_NOT_POSITIVE",
        ["lines", "0", "quantity"],
    ),
    "a huge quantity": (_with(_line(0, quantity=1000)), "QUANTITY_TOO_LARGE", ["lines", "0", "quantity"]),
    "an unknown sku": (_with(_line(1, sku="NOPE-0000")), "UNKNOWN_SKU", ["lines", "1", "sku"]),
    "a sku on two lines": (_with(_twice), "DUPLICATE_SKU", ["lines", "1", "sku"]),
    "ship without an address": (
        _with(_fulfilment(shippingAddress=None)),
        "MISSING_SHIPPING_ADDRESS",
        ["fulfilment", "shippingAddress"],
    ),
    "a three-letter country": (
        _with(
            _fulfilment(
                shippingAddress={"line1": "1 A St", "city": "X", "postalCode": "1", "countryCode": "USA"}
            )
        ),
        "INVALID_COUNTRY_CODE",
        ["fulfilment", "shippingAddress", "countryCode"],
    ),
    "pickup without a store": (
        _with(_fulfilment(pickupLocationId=None), _pickup),
        "MISSING_PICKUP_LOCATION",
        ["fulfilment", "pickupLocationId"],
    ),
    "pickup at a store without pickup": (
        _with(
            lambda given, world: given["fulfilment"].update(pickupLocationId=store_without_pickup(world)),
            _pickup,
        ),
        "PICKUP_NOT_AVAILABLE",
        ["fulfilment", "pickupLocationId"],
    ),
    "pickup at no such location": (
        _with(_fulfilment(pickupLocationId="XX99"), _pickup),
        "UNKNOWN_LOCATION",
        ["fulfilment", "pickupLocationId"],
    ),
    "a guest without email": (_with(_no_email), "MISSING_EMAIL", ["email"]),
    "a malformed email": (_with(_set(email="shopper.example.com")), "INVALID_EMAIL", ["email"]),
    "an unknown customer": (_with(_set(customerId="C999999")), "UNKNOWN_CUSTOMER", ["customerId"]),
    "a blank payment reference": (
        _with(_set(paymentReference="  ")),
        "MISSING_PAYMENT_REFERENCE",
        ["paymentReference"],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_a_fixable_problem_is_a_user_error_with_its_field_path_and_nothing_is_created(
    orders: GraphQLClient, world: World, books: Books, case: str
) -> None:
    build, code, field = CASES[case]
    count = books.oms_orders()
    payload = await submit(orders, build(world), f"invalid-{case}")
    assert payload["order"] is None
    assert payload["replayed"] is False
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert all(e["message"] for e in payload["userErrors"])
    assert books.oms_orders() == count


async def test_every_problem_of_a_request_is_answered_at_once(orders: GraphQLClient, world: World) -> None:
    given = ship_input(["NOPE-0001"], quantity=0)
    given["email"] = "bad"
    given["fulfilment"] = {"type": "SHIP"}
    payload = await submit(orders, given, "everything-wrong")
    assert sorted(e["code"] for e in payload["userErrors"]) == [
        "INVALID_EMAIL",
        "MISSING_SHIPPING_ADDRESS",
        "QUANTITY_NOT_POSITIVE",
        "UNKNOWN_SKU",
    ]


async def test_a_blank_idempotency_key_is_a_user_error(orders: GraphQLClient, world: World) -> None:
    payload = await submit(orders, _ship(world), " ")
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("INVALID_IDEMPOTENCY_KEY", ["idempotencyKey"])
    ]


async def test_ten_thousand_lines_are_too_many_lines_alone_and_nothing_is_looked_up(
    orders: GraphQLClient, world: World, sandboxes: Sandboxes
) -> None:
    # Found by fuzzing: every line was still looked up in the catalog and answered UNKNOWN_SKU
    # (10,001 userErrors, seconds of Shopify calls).
    given = _ship(world)
    given["lines"] = [{"sku": f"SKU-{i:05d}", "quantity": 0} for i in range(10_000)]
    before = sandboxes.calls("shopify")
    payload = await submit(orders, given, "ten-thousand-lines")
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("TOO_MANY_LINES", ["lines"])]
    assert sandboxes.calls("shopify") == before


async def test_a_blank_or_quoted_sku_or_customer_id_is_unknown_not_an_upstream_error(
    orders: GraphQLClient, world: World
) -> None:
    # Found by fuzzing: a SKU with a double quote could not be searched in Shopify
    # (UPSTREAM_REQUEST_INVALID for the whole submission).
    given = _ship(world)
    given["lines"][0]["sku"] = 'TEE-"1'
    given["customerId"] = ""
    payload = await submit(orders, given, "quoted-sku")
    assert sorted((e["code"], e["field"]) for e in payload["userErrors"]) == [
        ("UNKNOWN_CUSTOMER", ["customerId"]),
        ("UNKNOWN_SKU", ["lines", "0", "sku"]),
    ]
