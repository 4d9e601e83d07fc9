"""The POS connector's pure mappings: Square wire payloads -> canonical records."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from resolvers.domain import Address, Loyalty, Money
from resolvers.pos.mapping import (
    NO_REWARD_TIER,
    address,
    customer_record,
    loyalty,
    minor_units,
    money,
    quantity,
    stock_levels,
)
from resolvers.pos.mapping_orders import financial_status, line_no_of, line_uid, order_record
from resolvers.pos.mapping_returns import return_records
from resolvers.pos.wire import (
    CountsAnswer,
    LoyaltyAccount,
    LoyaltyProgram,
    SquareAddress,
    SquareCustomer,
    SquareMoney,
)
from resolvers.pos.wire_orders import LineItem, SquareOrder


def usd(cents: int) -> dict[str, Any]:
    return {"amount": cents, "currency": "USD"}


def count(variation: str, location: str, state: str, qty: str) -> dict[str, Any]:
    return {
        "catalog_object_id": variation,
        "catalog_object_type": "ITEM_VARIATION",
        "state": state,
        "location_id": location,
        "quantity": qty,
        "calculated_at": "2026-10-30T08:00:00.000Z",
        "is_estimated": False,
    }


def an_order(**fields: Any) -> SquareOrder:
    payload: dict[str, Any] = {
        "id": "ORDER1",
        "location_id": "LSQ1",
        "reference_id": "R100001",
        "state": "COMPLETED",
        "created_at": "2026-10-01T10:00:00.000Z",
        "updated_at": "2026-10-01T10:05:00.000Z",
        "line_items": [
            {"uid": "u1", "catalog_object_id": "V1", "quantity": "2", "base_price_money": usd(1999)},
            {"uid": "u2", "catalog_object_id": "V2", "quantity": "1", "base_price_money": usd(500)},
        ],
        "total_money": usd(4498),
        "tenders": [
            {
                "id": "P1",
                "type": "CARD",
                "amount_money": usd(4498),
                "created_at": "2026-10-01T10:00:30.000Z",
                "card_details": {"status": "CAPTURED"},
            }
        ],
        "some_field_square_added_later": {"x": 1},
    }
    payload.update(fields)
    return SquareOrder.model_validate(payload)


SKUS = {"V1": "SKU-1", "V2": "SKU-2"}
LOCATIONS = {"LSQ1": "ST001"}


def test_square_money_in_cents_becomes_a_decimal_amount_and_back() -> None:
    assert money(SquareMoney(amount=1999, currency="USD")) == Money(Decimal("19.99"), "USD")
    assert money(SquareMoney(amount=500, currency="JPY")) == Money(Decimal(500), "JPY")
    assert minor_units(Money(Decimal("19.99"), "USD")) == 1999
    assert minor_units(Money(Decimal("1.005"), "USD")) == 101
    assert minor_units(Money(Decimal(500), "JPY")) == 500


def test_decimal_string_quantities_become_ints() -> None:
    assert quantity("5") == 5
    assert quantity("-3") == -3
    assert quantity("2.000") == 2


def test_a_count_with_a_quantity_that_is_not_a_decimal_is_refused_at_the_edge() -> None:
    with pytest.raises(ValidationError):
        CountsAnswer.model_validate({"counts": [count("V1", "LSQ1", "IN_STOCK", "lots")]})


def test_stock_states_add_up_to_on_hand_with_reserved_and_waste_apart() -> None:
    answer = CountsAnswer.model_validate(
        {
            "counts": [
                count("V1", "LSQ1", "IN_STOCK", "5"),
                count("V1", "LSQ1", "RESERVED_FOR_SALE", "2"),
                count("V1", "LSQ1", "WASTE", "1"),
                count("V2", "LSQ1", "IN_STOCK", "-1"),
                count("V9", "LSQ1", "IN_STOCK", "7"),  # not asked about
                count("V1", "LSQ9", "IN_STOCK", "7"),  # not a location asked about
            ]
        }
    )
    as_of = datetime(2026, 11, 1, tzinfo=UTC)
    levels = stock_levels(answer.counts, SKUS, LOCATIONS, as_of=as_of)
    by_sku = {level.sku: level for level in levels}
    assert set(by_sku) == {"SKU-1", "SKU-2"}
    first = by_sku["SKU-1"]
    assert (first.system, first.location_id, first.on_hand) == ("POS", "ST001", 8)
    assert (first.reserved, first.unavailable, first.committed, first.available) == (2, 1, 0, None)
    assert first.as_of == as_of
    assert first.stale is False
    assert by_sku["SKU-2"].on_hand == -1


def test_a_till_sale_is_mapped_with_positions_as_line_numbers_and_everything_handed_over() -> None:
    record = order_record(an_order(), skus=SKUS, locations=LOCATIONS)
    assert (record.system, record.system_id, record.number, record.status) == (
        "POS",
        "ORDER1",
        "R100001",
        "COMPLETED",
    )
    assert record.placed_at == datetime(2026, 10, 1, 10, tzinfo=UTC)
    assert [(line.line_no, line.sku, line.quantity) for line in record.lines] == [
        (1, "SKU-1", 2),
        (2, "SKU-2", 1),
    ]
    assert record.lines[0].unit_price == Money(Decimal("19.99"), "USD")
    assert [line.quantity_fulfilled for line in record.lines] == [2, 1]
    assert [line.location_id for line in record.lines] == ["ST001", "ST001"]
    assert record.total == Money(Decimal("44.98"), "USD")
    assert record.financial_status == "PAID"
    assert record.fulfilment_type is None
    assert record.shipments == ()
    assert [event.type for event in record.events] == ["ORDER_PLACED", "ORDER_PAID"]


def test_lines_this_connector_created_keep_their_line_numbers_from_the_uid() -> None:
    assert line_uid(7) == "line-7"
    assert line_no_of(LineItem(uid="line-7", quantity="1"), 1) == 7
    assert line_no_of(LineItem(uid="XYZ", quantity="1"), 3) == 3


def test_returns_count_against_their_source_lines_and_refunds_make_the_financial_status() -> None:
    order = an_order(
        returns=[
            {"uid": "r1", "return_line_items": [{"source_line_item_uid": "u1", "quantity": "1"}]},
        ],
        refunds=[
            {
                "id": "F1",
                "status": "APPROVED",
                "amount_money": usd(1999),
                "created_at": "2026-10-02T00:00:00Z",
            },
            {"id": "F2", "status": "PENDING", "amount_money": usd(500), "created_at": "2026-10-03T00:00:00Z"},
        ],
    )
    record = order_record(order, skus=SKUS, locations=LOCATIONS)
    assert [line.quantity_returned for line in record.lines] == [1, 0]
    assert record.financial_status == "PARTIALLY_REFUNDED"
    assert [event.type for event in record.events][-2:] == ["REFUND_APPROVED", "REFUND_PENDING"]


def test_refunds_are_returns_paired_with_the_goods_they_pay_for_and_an_exchange_stands_alone() -> None:
    order = an_order(
        returns=[
            {"uid": "r1", "return_line_items": [{"source_line_item_uid": "u2", "quantity": "1"}]},
            {"uid": "r2", "return_line_items": [{"source_line_item_uid": "u1", "quantity": "1"}]},
        ],
        refunds=[
            {  # pays one unit of line 1 (19.99): the second entry's goods, not the first's
                "id": "F1",
                "status": "PENDING",
                "amount_money": usd(1999),
                "reason": "Size or fit",
                "created_at": "2026-10-02T00:00:00Z",
            },
            {  # goods not back: the line it pays a whole number of units of
                "id": "F2",
                "status": "APPROVED",
                "amount_money": usd(3998),
                "reason": "Damaged item",
                "created_at": "2026-10-03T00:00:00Z",
            },
        ],
    )
    returns = return_records(order, order_record(order, skus=SKUS, locations=LOCATIONS))
    assert [(r.system_id, r.status, r.refund) for r in returns] == [
        ("F1", "PENDING+RETURNED", None),
        ("F2", "APPROVED", Money(Decimal("39.98"), "USD")),
        ("r1", "RETURNED", None),  # goods back, nothing refunded: an exchange
    ]
    assert [[(ln.line_no, ln.quantity, ln.reason, ln.sku) for ln in r.lines] for r in returns] == [
        [(1, 1, "SIZE_OR_FIT", "SKU-1")],
        [(1, 2, "DAMAGED", "SKU-1")],
        [(2, 1, "OTHER", "SKU-2")],
    ]
    assert {(r.rma_number, r.order_number, r.drop_off_location_id) for r in returns} == {
        (None, "R100001", "ST001")
    }


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "PAID"),
        ({"tenders": []}, "UNPAID"),
        ({"tenders": [], "state": "CANCELED"}, "CANCELED"),
        ({"refunds": [{"id": "F", "status": "APPROVED", "amount_money": usd(4498)}]}, "REFUNDED"),
        ({"refunds": [{"id": "F", "status": "REJECTED", "amount_money": usd(4498)}]}, "PAID"),
        (
            {"tenders": [{"id": "P", "type": "CARD", "amount_money": usd(1000), "card_details": {}}]},
            "PARTIALLY_PAID",
        ),
        (
            {
                "tenders": [
                    {
                        "id": "P",
                        "type": "CARD",
                        "amount_money": usd(4498),
                        "card_details": {"status": "FAILED"},
                    }
                ]
            },
            "FAILED",
        ),
        (
            {
                "state": "OPEN",
                "tenders": [
                    {
                        "id": "P",
                        "type": "CARD",
                        "amount_money": usd(4498),
                        "card_details": {"status": "AUTHORIZED"},
                    }
                ],
            },
            "PAYMENT_PENDING",
        ),
    ],
)
def test_financial_status_is_spelt_in_squares_invoice_status_words(
    fields: dict[str, Any], expected: str
) -> None:
    assert financial_status(an_order(**fields)) == expected


def test_fulfillments_become_shipments_and_drive_quantity_fulfilled() -> None:
    order = an_order(
        state="OPEN",
        fulfillments=[
            {
                "uid": "F1",
                "type": "SHIPMENT",
                "state": "COMPLETED",
                "line_item_application": "ENTRY_LIST",
                "entries": [{"line_item_uid": "u1", "quantity": "1"}],
                "shipment_details": {
                    "carrier": "UPS",
                    "tracking_number": "1Z999",
                    "recipient": {
                        "display_name": "Ava",
                        "address": {
                            "address_line_1": "1 Main St",
                            "locality": "Austin",
                            "administrative_district_level_1": "TX",
                            "postal_code": "73301",
                            "country": "US",
                        },
                    },
                },
            },
            {"uid": "F2", "type": "SHIPMENT", "state": "PROPOSED"},
        ],
    )
    record = order_record(order, skus=SKUS, locations=LOCATIONS)
    assert [line.quantity_fulfilled for line in record.lines] == [1, 0]
    assert record.fulfilment_type == "SHIP"
    assert record.shipping_address == Address("1 Main St", None, "Austin", "TX", "73301", "US")
    first, second = record.shipments
    assert (first.system, first.id, first.status, first.carrier, first.tracking_number) == (
        "POS",
        "F1",
        "COMPLETED",
        "UPS",
        "1Z999",
    )
    assert first.lines == ((1, 1),)
    assert first.location_id == "ST001"
    assert second.lines == ((1, 2), (2, 1))


def test_a_pickup_fulfillment_makes_a_pickup_order_at_its_store() -> None:
    order = an_order(state="OPEN", fulfillments=[{"uid": "F1", "type": "PICKUP", "state": "PREPARED"}])
    record = order_record(order, skus=SKUS, locations=LOCATIONS)
    assert (record.fulfilment_type, record.pickup_location_id) == ("PICKUP", "ST001")


def test_the_orders_customer_gives_our_customer_id_and_email() -> None:
    customer = SquareCustomer(id="SQC", reference_id="C000001", email_address="a@example.com")
    record = order_record(an_order(customer_id="SQC"), skus=SKUS, locations=LOCATIONS, customer=customer)
    assert (record.customer_id, record.email) == ("C000001", "a@example.com")


def test_a_customer_profile_maps_with_our_id_from_reference_id() -> None:
    profile = SquareCustomer.model_validate(
        {
            "id": "SQC",
            "reference_id": "C000042",
            "given_name": "Ava",
            "family_name": "Okafor",
            "email_address": "ava@example.com",
            "phone_number": "+15550100",
            "address": {
                "address_line_1": "1 Main St",
                "locality": "Austin",
                "postal_code": "73301",
                "country": "US",
            },
            "created_at": "2025-01-01T00:00:00.000Z",
            "updated_at": "2025-02-01T00:00:00+01:00",
            "creation_source": "DIRECTORY",
        }
    )
    record = customer_record(profile, Loyalty("Gold", 10))
    assert (record.system, record.system_id, record.customer_id) == ("POS", "SQC", "C000042")
    assert (record.first_name, record.last_name, record.email, record.phone) == (
        "Ava",
        "Okafor",
        "ava@example.com",
        "+15550100",
    )
    assert record.addresses == (Address("1 Main St", None, "Austin", None, "73301", "US"),)
    assert record.loyalty == Loyalty("Gold", 10)
    assert record.updated_at == datetime(2025, 1, 31, 23, tzinfo=UTC)


def test_an_address_without_a_street_is_left_out() -> None:
    assert address(SquareAddress(locality="Austin", postal_code="73301", country="US")) is None


PROGRAM = LoyaltyProgram.model_validate(
    {
        "id": "P",
        "reward_tiers": [
            {"id": "t2", "points": 250, "name": "$15 off entire sale"},
            {"id": "t1", "points": 100, "name": "$5 off entire sale"},
            {"id": "t3", "points": 500, "name": "$35 off entire sale"},
        ],
    }
)


@pytest.mark.parametrize(
    ("balance", "tier"),
    [
        (0, NO_REWARD_TIER),
        (99, NO_REWARD_TIER),
        (100, "$5 off entire sale"),
        (499, "$15 off entire sale"),
        (5000, "$35 off entire sale"),
    ],
)
def test_the_loyalty_tier_is_the_best_reward_tier_the_balance_reaches(balance: int, tier: str) -> None:
    account = LoyaltyAccount(id="A", customer_id="SQC", balance=balance, lifetime_points=balance * 2)
    assert loyalty(account, PROGRAM) == Loyalty(tier, balance)
    assert loyalty(account, None) == Loyalty(NO_REWARD_TIER, balance)
