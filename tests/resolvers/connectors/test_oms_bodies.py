"""Units: our drafts -> the OMS's request bodies, and the connector's settings and default policy."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from resolvers.domain import Address, Money, OrderDraft, OrderDraftLine, ReturnDraft, ReturnDraftLine
from resolvers.oms import bodies
from resolvers.oms.settings import OmsSettings

WHEN = datetime(2026, 10, 1, 12, tzinfo=UTC)


def _draft(**overrides: Any) -> OrderDraft:
    price = Money(Decimal("24.9"), "USD")
    fields: dict[str, Any] = {
        "number": "R900001",
        "channel": "ONLINE",
        "placed_at": WHEN,
        "lines": (
            OrderDraftLine(2, "B", 1, price, "WH02"),
            OrderDraftLine(1, "A", 2, price, "WH01"),
            OrderDraftLine(3, "C", 1, price, "WH01"),
        ),
        "currency": "USD",
        "payment_reference": "pay_1",
        "fulfilment_type": "SHIP",
        "idempotency_key": "k",
        "shipping_address": Address("1 Main St", None, "Toronto", "ON", "M5V", "CA"),
    }
    return OrderDraft(**(fields | overrides))


def test_an_order_body_keeps_line_order_in_runs_of_one_facility() -> None:
    body = bodies.order_body(_draft())

    assert body["orderName"] == "R900001"
    assert body["salesChannelEnumId"] == "WEB_SALES_CHANNEL"
    assert body["customerPartyId"] == "_NA_"
    assert [(g["facilityId"], [i["productId"] for i in g["items"]]) for g in body["shipGroups"]] == [
        ("WH01", ["A"]),
        ("WH02", ["B"]),
        ("WH01", ["C"]),
    ]
    assert body["shipGroups"][0]["items"][0] == {"productId": "A", "quantity": 2, "unitPrice": "24.90"}
    assert body["shipGroups"][0]["postalAddress"]["countryGeoId"] == "CAN"
    assert body["paymentPreferences"][0]["manualRefNum"] == "pay_1"


def test_a_pickup_order_body_collects_everything_at_the_pickup_store() -> None:
    body = bodies.order_body(
        _draft(fulfilment_type="PICKUP", pickup_location_id="ST001", shipping_address=None)
    )

    assert [(g["facilityId"], g["shipmentMethodTypeId"]) for g in body["shipGroups"]] == [
        ("ST001", "STOREPICKUP")
    ]
    assert "postalAddress" not in body["shipGroups"][0]


def test_a_channel_the_oms_has_no_enum_for_is_a_bug_not_a_request() -> None:
    with pytest.raises(ValueError, match="MARKETPLACE"):
        bodies.order_body(_draft(channel="MARKETPLACE"))


def test_a_return_body_carries_our_rma_number_and_the_oms_reason_ids() -> None:
    draft = ReturnDraft(
        rma_number="RMA-900001-01",
        order_number="R900001",
        lines=(ReturnDraftLine(1, "A", 1, "DAMAGED"), ReturnDraftLine(2, "B", 1, "OTHER")),
        refund_method="ORIGINAL_PAYMENT",
        created_at=WHEN,
        idempotency_key="k",
    )

    body = bodies.return_body(
        draft, order_id="OMS1", seq_ids={1: "00201"}, reason_ids={"DAMAGED": "RTN_DAMAGED"}
    )

    assert body["externalId"] == "RMA-900001-01"
    assert body["returnChannel"] == "ECOM_RTN_CHANNEL"
    assert "destinationFacilityId" not in body
    assert [(i["orderItemSeqId"], i["returnReasonId"], i["returnTypeId"]) for i in body["items"]] == [
        ("00201", "RTN_DAMAGED", "RTN_REFUND"),
        ("00102", "OTHER", "RTN_REFUND"),
    ]


def test_settings_carry_the_token_as_bearer_or_api_key_and_forbid_typos() -> None:
    assert OmsSettings().auth_headers() == {}
    assert OmsSettings(access_token="t").auth_headers() == {"Authorization": "Bearer t"}
    assert OmsSettings(access_token="t", auth_header="api_key").auth_headers() == {"api_key": "t"}
    assert "s3cret-token" not in repr(OmsSettings(access_token="s3cret-token"))
    with pytest.raises(ValueError, match="extra"):
        OmsSettings.model_validate({"base_ur": "http://x"})


def test_the_default_policy_caches_master_data_long_and_stock_briefly() -> None:
    policy = OmsSettings().default_policy()
    locations, stock = policy.operations["locations"].cache, policy.operations["stock"].cache
    assert locations is not None
    assert stock is not None
    assert locations.ttl >= 60
    assert locations.stale_ttl >= 3600
    assert 2 <= stock.ttl <= 5
    assert stock.stale_ttl >= 60
