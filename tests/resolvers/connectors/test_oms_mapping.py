"""Units: the OMS's wire payloads -> the canonical records (resolvers.oms.mapping)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from resolvers.domain import (
    Address,
    ExternalRef,
    Money,
    ReservationLine,
)
from resolvers.oms import mapping, wire

AT = "2026-10-01T12:00:00.000Z"
WHEN = datetime(2026, 10, 1, 12, tzinfo=UTC)


def _facility(**overrides: Any) -> wire.Facility:
    payload = {
        "facilityId": "ST001",
        "facilityName": "Austin Store 1",
        "facilityTypeId": "RETAIL_STORE",
        "externalId": "1004",
        "postalAddress": {
            "address1": "1 Main St",
            "address2": "",
            "city": "Austin",
            "stateProvinceGeoId": "TX",
            "postalCode": "78701",
            "countryGeoId": "USA",
        },
        "identifications": [
            {"facilityIdenTypeId": "SHOPIFY_LOCATION_ID", "idValue": "70000004"},
            {"facilityIdenTypeId": "SQUARE_LOCATION_ID", "idValue": "LSQ1"},
            {"facilityIdenTypeId": "SOMETHING_ELSE", "idValue": "x"},
        ],
        "allowPickup": "Y",
        "fulfillsOnlineOrders": "N",
    }
    return wire.Facility.model_validate(payload | overrides)


def _order(**overrides: Any) -> wire.Order:
    payload = {
        "orderId": "OMS10001",
        "orderName": "R100001",
        "salesChannelEnumId": "PHONE_SALES_CHANNEL",
        "statusId": "ORDER_APPROVED",
        "orderDate": AT,
        "partyId": "_NA_",
        "currencyUom": "USD",
        "grandTotal": 74.97,
        "lastUpdatedStamp": AT,
        "items": [
            {
                "orderItemSeqId": "00101",
                "shipGroupSeqId": "00001",
                "productId": "A",
                "quantity": 2,
                "shippedQuantity": 1,
                "unitPrice": 24.99,
                "statusId": "ITEM_APPROVED",
            },
            {
                "orderItemSeqId": "00102",
                "shipGroupSeqId": "00001",
                "productId": "B",
                "quantity": 1,
                "shippedQuantity": 0,
                "unitPrice": 24.99,
                "statusId": "ITEM_APPROVED",
            },
        ],
        "shipGroups": [
            {
                "shipGroupSeqId": "00001",
                "facilityId": "ST001",
                "shipmentMethodTypeId": "STOREPICKUP",
                "carrierPartyId": "_NA_",
                "postalAddress": None,
                "pickupFacilityId": "ST001",
            }
        ],
        "shipments": [{"shipmentId": "SHP1", "statusId": "SHIPMENT_SHIPPED", "shipGroupSeqId": "00001"}],
        "statuses": [
            {"statusId": "ORDER_CREATED", "statusDatetime": AT, "changeReason": None},
            {"statusId": "ORDER_APPROVED", "statusDatetime": AT, "changeReason": "ok"},
        ],
        "paymentPreferences": [{"statusId": "PAYMENT_AUTHORIZED", "maxAmount": 74.97}],
        "somethingNew": {"ignored": True},
    }
    return wire.Order.model_validate(payload | overrides)


def _shipment(**overrides: Any) -> wire.Shipment:
    payload = {
        "shipmentId": "SHP1",
        "primaryOrderId": "OMS10001",
        "statusId": "SHIPMENT_SHIPPED",
        "originFacilityId": "ST001",
        "carrierPartyId": "_NA_",
        "trackingIdNumber": None,
        "items": [{"shipmentItemSeqId": "00001", "orderItemSeqId": "00101", "quantity": 1}],
        "lastUpdatedStamp": AT,
    }
    return wire.Shipment.model_validate(payload | overrides)


def test_a_facility_becomes_a_location_with_its_ids_in_every_system() -> None:
    location = mapping.location(_facility())

    assert (location.id, location.type, location.pickup_enabled, location.fulfills_online) == (
        "ST001",
        "STORE",
        True,
        False,
    )
    assert location.address == Address("1 Main St", None, "Austin", "TX", "78701", "US")
    assert location.refs == (
        ExternalRef("OMS", "ST001"),
        ExternalRef("ERP", "1004"),
        ExternalRef("SHOPIFY", "70000004"),
        ExternalRef("POS", "LSQ1"),
    )


def test_a_warehouse_without_store_ids_has_only_oms_and_erp_refs() -> None:
    location = mapping.location(_facility(facilityTypeId="DISTRIBUTION_CENTER", identifications=[]))
    assert location.type == "DISTRIBUTION_CENTER"
    assert {ref.system for ref in location.refs} == {"OMS", "ERP"}


def test_a_position_puts_every_reserved_unit_in_reserved_and_keeps_atp_signed() -> None:
    position = wire.Position.model_validate(
        {
            "productId": "A",
            "facilityId": "WH01",
            "quantityOnHandTotal": 3,
            "availableToPromiseTotal": -2,
            "reservedQuantity": 4,
            "safetyStock": 1,
            "unavailableQuantity": 0,
            "incomingQuantity": 7,
        }
    )

    level = mapping.stock_level(position, as_of=WHEN, stale=True)

    assert (level.system, level.on_hand, level.committed, level.reserved) == ("OMS", 3, 0, 4)
    assert (level.safety_stock, level.unavailable, level.incoming, level.available) == (1, 0, 7, -2)
    assert (level.as_of, level.stale) == (WHEN, True)


def _reservation(rid: str, facility: str, status: str, expires: str | None = AT) -> wire.OmsReservation:
    return wire.OmsReservation.model_validate(
        {
            "reservationId": rid,
            "externalId": f"R1@{facility}",
            "facilityId": facility,
            "statusId": status,
            "items": [{"productId": "A", "quantity": 2}],
            "expiresAt": expires,
        }
    )


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["RESERVATION_ACTIVE"], "ACTIVE"),
        (["RESERVATION_CONFIRMED", "RESERVATION_CONFIRMED"], "CONFIRMED"),
        (["RESERVATION_CONFIRMED", "RESERVATION_ACTIVE"], "ACTIVE"),
        (["RESERVATION_ACTIVE", "RESERVATION_EXPIRED"], "EXPIRED"),
        (["RESERVATION_RELEASED", "RESERVATION_ACTIVE"], "RELEASED"),
    ],
)
def test_per_facility_reservations_make_one_reservation(statuses: list[str], expected: str) -> None:
    parts = [_reservation(f"RSV{n}", f"WH0{n}", status) for n, status in enumerate(statuses, 1)]

    reservation = mapping.reservation(parts)

    assert reservation.id == "+".join(f"RSV{n}" for n in range(1, len(statuses) + 1))
    assert reservation.status == expected
    assert reservation.lines == tuple(ReservationLine("A", f"WH0{n}", 2) for n in range(1, len(statuses) + 1))
    assert reservation.expires_at == WHEN


def test_an_order_maps_lines_by_position_channel_pickup_and_its_history() -> None:
    order = mapping.order(_order(), [_shipment()])

    assert (order.system, order.system_id, order.number, order.status) == (
        "OMS",
        "OMS10001",
        "R100001",
        "ORDER_APPROVED",
    )
    assert order.channel == "CALL_CENTER"
    assert order.customer_id is None  # the OMS's "_NA_" party is no customer
    assert order.total == Money(Decimal("74.97"), "USD")
    assert [(line.line_no, line.sku, line.quantity, line.quantity_fulfilled) for line in order.lines] == [
        (1, "A", 2, 1),
        (2, "B", 1, 0),
    ]
    assert order.lines[0].unit_price == Money(Decimal("24.99"), "USD")
    assert order.lines[0].location_id == "ST001"
    assert order.lines[0].system_line_id == "00101"
    assert (order.fulfilment_type, order.pickup_location_id, order.shipping_address) == (
        "PICKUP",
        "ST001",
        None,
    )
    assert order.financial_status == "PAYMENT_AUTHORIZED"
    [shipment] = order.shipments
    assert (shipment.id, shipment.carrier, shipment.lines, shipment.updated_at) == (
        "SHP1",
        None,
        ((1, 1),),
        WHEN,
    )
    assert [(e.type, e.message, e.system) for e in order.events] == [
        ("ORDER_CREATED", None, "OMS"),
        ("ORDER_APPROVED", "ok", "OMS"),
    ]


def test_an_unknown_sales_channel_is_no_channel() -> None:
    assert mapping.order(_order(salesChannelEnumId="AMAZON_CHANNEL")).channel is None


@pytest.mark.parametrize(("seq", "line_no"), [("00101", 1), ("00112", 12), ("00003", 3)])
def test_order_item_sequence_ids_follow_hotwax_numbering_without_the_order(seq: str, line_no: int) -> None:
    assert mapping.line_no_of(seq) == line_no
    assert mapping.line_no_of(seq, {seq: 7}) == 7


def test_a_return_maps_reasons_to_ours_and_keeps_unknown_ones() -> None:
    ret = wire.Return.model_validate(
        {
            "returnId": "RET1",
            "returnName": "RMA-100001-01",
            "externalId": None,
            "statusId": "RETURN_COMPLETED",
            "orderId": "OMS10001",
            "returnChannelEnumId": "POS_RTN_CHANNEL",
            "destinationFacilityId": "ST001",
            "refundAmount": 24.99,
            "entryDate": AT,
            "items": [
                {
                    "orderItemSeqId": "00101",
                    "productId": "A",
                    "returnQuantity": 1,
                    "returnReasonId": "RTN_DAMAGED",
                    "returnTypeId": "RTN_CREDIT",
                },
                {
                    "orderItemSeqId": "00102",
                    "productId": "B",
                    "returnQuantity": 1,
                    "returnReasonId": "RTN_ODD",
                    "returnTypeId": "RTN_CREDIT",
                },
            ],
            "statuses": [{"statusId": "RETURN_REQUESTED", "statusDatetime": AT}],
        }
    )

    record = mapping.return_(ret, order_number="R100001", reasons={"RTN_DAMAGED": "DAMAGED"})

    assert (record.rma_number, record.order_number, record.status) == (
        "RMA-100001-01",
        "R100001",
        "RETURN_COMPLETED",
    )
    assert [(line.line_no, line.reason, line.sku) for line in record.lines] == [
        (1, "DAMAGED", "A"),
        (2, "RTN_ODD", "B"),
    ]
    assert record.refund_method == "STORE_CREDIT"
    assert record.refund == Money(Decimal("24.99"), "USD")
    assert record.drop_off_location_id == "ST001"
    assert mapping.return_(
        ret.model_copy(update={"externalId": "OUR-RMA"}), order_number=None, reasons={}
    ).rma_number == ("OUR-RMA")
