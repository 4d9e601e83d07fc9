"""Pure functions from our drafts to the OMS's request bodies (orders, returns, reservations).

- An order becomes one ship group per run of consecutive lines at the same
  facility (the pickup store for a PICKUP order), so the OMS numbers its
  items in the draft's line order and line ``n`` is item ``n`` again when read
  back. ``orderName`` is our order number: the OMS refuses a second order with
  the same name (409 ``ORDER_EXISTS``), which is what makes a retried create safe.
- A return names order items by ``orderItemSeqId`` and carries our RMA
  number as ``externalId`` (the OMS refuses a second return with it, 409
  ``RETURN_EXISTS``); our ReturnReason becomes the OMS reason id.
- Amounts go as decimal strings (exact; the OMS parses them like numbers).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from resolvers.domain import Address, Money, OrderDraft, OrderDraftLine, ReturnDraft
from resolvers.oms.mapping import CHANNELS, COUNTRIES

__all__ = [
    "CHANNEL_ENUMS",
    "item_seq_id",
    "order_body",
    "postal_address",
    "reservation_body",
    "return_body",
]

CHANNEL_ENUMS: Mapping[str, str] = {ours: enum_id for enum_id, ours in CHANNELS.items()}
"""Our Channel -> OMS salesChannelEnumId."""

_ISO3 = {alpha2: alpha3 for alpha3, alpha2 in COUNTRIES.items()}
_CENTS = Decimal("0.01")


def _amount(money: Money) -> str:
    return str(money.amount.quantize(_CENTS))


def item_seq_id(line_no: int) -> str:
    """HotWax's item sequence id for line ``line_no`` of an order it numbered itself (1 -> ``00101``)."""
    return f"{100 + line_no:05d}"


def postal_address(address: Address) -> dict[str, Any]:
    return {
        "address1": address.line1,
        "address2": address.line2,
        "city": address.city,
        "stateProvinceGeoId": address.region,
        "postalCode": address.postal_code,
        "countryGeoId": _ISO3.get(address.country_code, address.country_code),
    }


def _runs(draft: OrderDraft) -> list[tuple[str, list[OrderDraftLine]]]:
    runs: list[tuple[str, list[OrderDraftLine]]] = []
    pickup = draft.fulfilment_type == "PICKUP"
    for line in sorted(draft.lines, key=lambda candidate: candidate.line_no):
        facility = (draft.pickup_location_id or line.location_id) if pickup else line.location_id
        if runs and runs[-1][0] == facility:
            runs[-1][1].append(line)
        else:
            runs.append((facility, [line]))
    return runs


def order_body(draft: OrderDraft) -> dict[str, Any]:
    """``POST /orders`` for ``draft`` (raises ValueError for a channel the OMS has no enum for)."""
    enum_id = CHANNEL_ENUMS.get(draft.channel)
    if enum_id is None:
        raise ValueError(f"channel {draft.channel!r} has no OMS sales channel")
    pickup = draft.fulfilment_type == "PICKUP"
    groups = []
    for facility, lines in _runs(draft):
        group: dict[str, Any] = {
            "facilityId": facility,
            "shipmentMethodTypeId": "STOREPICKUP" if pickup else "STANDARD",
            "items": [
                {"productId": line.sku, "quantity": line.quantity, "unitPrice": _amount(line.unit_price)}
                for line in lines
            ],
        }
        if not pickup and draft.shipping_address is not None:
            group["postalAddress"] = postal_address(draft.shipping_address)
        groups.append(group)
    body: dict[str, Any] = {
        "orderName": draft.number,
        "salesChannelEnumId": enum_id,
        "orderDate": draft.placed_at.isoformat(),
        "currencyUom": draft.currency,
        "customerPartyId": draft.customer_id or "_NA_",
        "shipGroups": groups,
        "paymentPreferences": [
            {
                "paymentMethodTypeId": "CREDIT_CARD",
                "statusId": "PAYMENT_AUTHORIZED",
                "manualRefNum": draft.payment_reference,
            }
        ],
    }
    if draft.email:
        body["emailAddress"] = draft.email
    return body


def return_body(
    draft: ReturnDraft,
    *,
    order_id: str,
    seq_ids: Mapping[int, str],
    reason_ids: Mapping[str, str],
) -> dict[str, Any]:
    """``POST /returns`` for ``draft``.

    ``seq_ids``: line_no -> orderItemSeqId; ``reason_ids``: our ReturnReason -> OMS reason id.
    """
    return_type = "RTN_CREDIT" if draft.refund_method == "STORE_CREDIT" else "RTN_REFUND"
    body: dict[str, Any] = {
        "orderId": order_id,
        "externalId": draft.rma_number,
        "returnChannel": "POS_RTN_CHANNEL" if draft.drop_off_location_id else "ECOM_RTN_CHANNEL",
        "items": [
            {
                "orderItemSeqId": seq_ids.get(line.line_no) or item_seq_id(line.line_no),
                "returnQuantity": line.quantity,
                "returnReasonId": reason_ids.get(line.reason, line.reason),
                "returnTypeId": return_type,
            }
            for line in draft.lines
        ],
    }
    if draft.drop_off_location_id:
        body["destinationFacilityId"] = draft.drop_off_location_id
    return body


def reservation_body(
    facility_id: str, items: Mapping[str, int], *, ttl_seconds: int, external_id: str
) -> dict[str, Any]:
    """``POST /reservations`` holding ``items`` (sku -> units) at one facility."""
    return {
        "facilityId": facility_id,
        "items": [{"productId": sku, "quantity": quantity} for sku, quantity in items.items()],
        "expiresInSeconds": ttl_seconds,
        "externalId": external_id,
    }
