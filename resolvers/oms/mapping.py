"""Pure functions from the OMS's wire payloads (:mod:`resolvers.oms.wire`) to the canonical records.

What stays as the OMS spells it: order, item, shipment and return status ids
(``ORDER_APPROVED``, ``SHIPMENT_PACKED``, ``RETURN_ACCEPTED``; the subgraphs
map them), the financial status (the first payment preference's status id),
carrier party ids (``UPS``, ``FEDEX``) and return reason ids where the OMS
has no canonical reason for one. What is translated:

- sales channel enum -> our Channel (ONLINE, STORE, CLIENTELING, CALL_CENTER);
- facility type -> LocationType; ``Y``/``N`` flags -> bools; ISO-3 -> ISO-2 countries;
- ``STANDARD``/``STOREPICKUP`` -> SHIP/PICKUP; return types -> ORIGINAL_PAYMENT/STORE_CREDIT;
- reservation status ids lose their ``RESERVATION_`` prefix (ACTIVE, CONFIRMED, RELEASED,
  EXPIRED, as :class:`~resolvers.domain.Reservation` documents).

Stock: the OMS reports ``reservedQuantity`` as units committed to open order
items *plus* units held by soft reservations, with no split on the wire, so
the whole of it is ``reserved`` and ``committed`` stays 0 (never counted
twice); ``available`` is the OMS's signed ATP.

Line numbers: an order line's ``line_no`` is its position among the order's
items; shipments and returns name order items by ``orderItemSeqId``, mapped
through the order's items when known, else by HotWax's convention
(``00101`` is line 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal

from resolvers.domain import (
    Address,
    ExternalRef,
    FulfilmentType,
    Location,
    LocationType,
    Money,
    OrderEventRecord,
    OrderLineRecord,
    OrderRecord,
    Reservation,
    ReservationLine,
    ReturnLineRecord,
    ReturnRecord,
    ShipmentRecord,
    StockLevel,
)
from resolvers.oms import wire

__all__ = [
    "CHANNELS",
    "COUNTRIES",
    "address",
    "channel",
    "events",
    "line_no_of",
    "location",
    "money",
    "order",
    "reservation",
    "reservation_status",
    "return_",
    "shipment",
    "stock_level",
]

CHANNELS: Mapping[str, str] = {
    "WEB_SALES_CHANNEL": "ONLINE",
    "POS_SALES_CHANNEL": "STORE",
    "CLIENTELING_CHANNEL": "CLIENTELING",
    "PHONE_SALES_CHANNEL": "CALL_CENTER",
}
"""OMS salesChannelEnumId -> our Channel."""

COUNTRIES: Mapping[str, str] = {"USA": "US", "CAN": "CA", "GBR": "GB", "DEU": "DE", "FRA": "FR", "MEX": "MX"}
"""OFBiz countryGeoId (ISO 3166 alpha-3) -> alpha-2, for the countries the estate trades in."""

_LOCATION_TYPES: Mapping[str, LocationType] = {
    "RETAIL_STORE": "STORE",
    "WAREHOUSE": "WAREHOUSE",
    "DISTRIBUTION_CENTER": "DISTRIBUTION_CENTER",
}
_FULFILMENT: Mapping[str, FulfilmentType] = {"STANDARD": "SHIP", "STOREPICKUP": "PICKUP"}
_REFUND_METHODS = {"RTN_REFUND": "ORIGINAL_PAYMENT", "RTN_CREDIT": "STORE_CREDIT"}
_IDENTIFICATIONS = {"SQUARE_LOCATION_ID": "POS", "SHOPIFY_LOCATION_ID": "SHOPIFY"}
_NO_PARTY = "_NA_"
_CENTS = Decimal("0.01")


def money(amount: Decimal | None, currency: str) -> Money | None:
    return None if amount is None else Money(amount.quantize(_CENTS), currency)


def channel(enum_id: str | None) -> str | None:
    """Our Channel for an OMS sales channel; None when the OMS names none we know."""
    return CHANNELS.get(enum_id or "")


def address(postal: wire.PostalAddress | None) -> Address | None:
    if postal is None:
        return None
    country = postal.countryGeoId
    return Address(
        line1=postal.address1,
        line2=postal.address2 or None,
        city=postal.city,
        region=postal.stateProvinceGeoId,
        postal_code=postal.postalCode,
        country_code=COUNTRIES.get(country, country),
    )


def location(facility: wire.Facility) -> Location:
    refs = [ExternalRef("OMS", facility.facilityId)]
    if facility.externalId:
        refs.append(ExternalRef("ERP", facility.externalId))
    for ident in facility.identifications:
        system = _IDENTIFICATIONS.get(ident.facilityIdenTypeId)
        if system == "POS":
            refs.append(ExternalRef("POS", ident.idValue))
        elif system == "SHOPIFY":
            refs.append(ExternalRef("SHOPIFY", ident.idValue))
    return Location(
        id=facility.facilityId,
        name=facility.facilityName,
        type=_LOCATION_TYPES.get(facility.facilityTypeId, "WAREHOUSE"),
        address=address(facility.postalAddress),
        fulfills_online=facility.fulfillsOnlineOrders == "Y",
        pickup_enabled=facility.allowPickup == "Y",
        refs=tuple(refs),
    )


def stock_level(position: wire.Position, *, as_of: datetime, stale: bool = False) -> StockLevel:
    return StockLevel(
        system="OMS",
        sku=position.productId,
        location_id=position.facilityId,
        on_hand=position.quantityOnHandTotal,
        committed=0,
        reserved=position.reservedQuantity,
        safety_stock=position.safetyStock,
        unavailable=position.unavailableQuantity,
        incoming=position.incomingQuantity,
        available=position.availableToPromiseTotal,
        as_of=as_of,
        stale=stale,
    )


def reservation_status(status_id: str) -> str:
    return status_id.removeprefix("RESERVATION_")


def reservation(parts: Iterable[wire.OmsReservation]) -> Reservation:
    """One reservation from the OMS's per-facility ones (ids joined with ``+``)."""
    found = list(parts)
    if not found:
        raise ValueError("a reservation needs at least one OMS reservation")
    statuses = [reservation_status(part.statusId) for part in found]
    # The least advanced part speaks for the whole: one expired part means the hold is gone.
    status = next((s for s in ("EXPIRED", "RELEASED", "ACTIVE") if s in statuses), statuses[0])
    expiries = [part.expiresAt for part in found if part.expiresAt is not None]
    return Reservation(
        id="+".join(part.reservationId for part in found),
        lines=tuple(
            ReservationLine(item.productId, part.facilityId, item.quantity)
            for part in found
            for item in part.items
        ),
        expires_at=min(expiries) if expiries else None,
        status=status,
    )


def line_no_of(seq_id: str, line_nos: Mapping[str, int] | None = None) -> int:
    """The line number of an order item: its position when the order is known, else HotWax's ``00101`` = 1."""
    if line_nos is not None and seq_id in line_nos:
        return line_nos[seq_id]
    number = int(seq_id) if seq_id.isdigit() else 0
    return number - 100 if number > 100 else number


def events(rows: Iterable[wire.StatusRow]) -> tuple[OrderEventRecord, ...]:
    """A status history as timeline events (type = the status id, message = the change reason)."""
    return tuple(OrderEventRecord(row.statusDatetime, "OMS", row.statusId, row.changeReason) for row in rows)


def shipment(ship: wire.Shipment, line_nos: Mapping[str, int] | None = None) -> ShipmentRecord:
    carrier = ship.carrierPartyId if ship.carrierPartyId not in (None, "", _NO_PARTY) else None
    return ShipmentRecord(
        system="OMS",
        id=ship.shipmentId,
        status=ship.statusId,
        location_id=ship.originFacilityId,
        carrier=carrier,
        tracking_number=ship.trackingIdNumber,
        lines=tuple((line_no_of(item.orderItemSeqId, line_nos), item.quantity) for item in ship.items),
        updated_at=ship.lastUpdatedStamp,
    )


def order(head: wire.Order, shipments: Iterable[wire.Shipment] = (), *, stale: bool = False) -> OrderRecord:
    currency = head.currencyUom
    line_nos = {item.orderItemSeqId: n for n, item in enumerate(head.items, start=1)}
    groups = {group.shipGroupSeqId: group for group in head.shipGroups}
    lines = tuple(
        OrderLineRecord(
            line_no=line_nos[item.orderItemSeqId],
            sku=item.productId,
            quantity=item.quantity,
            unit_price=Money(item.unitPrice.quantize(_CENTS), currency),
            quantity_fulfilled=item.shippedQuantity,
            location_id=group.facilityId if (group := groups.get(item.shipGroupSeqId)) else None,
            system_line_id=item.orderItemSeqId,
        )
        for item in head.items
    )
    first_group = head.shipGroups[0] if head.shipGroups else None
    shipping = next((g.postalAddress for g in head.shipGroups if g.postalAddress is not None), None)
    pickup = next((g.pickupFacilityId for g in head.shipGroups if g.pickupFacilityId), None)
    payment = head.paymentPreferences[0].statusId if head.paymentPreferences else None
    return OrderRecord(
        system="OMS",
        system_id=head.orderId,
        number=head.orderName or head.orderId,
        placed_at=head.orderDate.astimezone(UTC),
        status=head.statusId,
        lines=lines,
        currency=currency,
        channel=channel(head.salesChannelEnumId),
        financial_status=payment,
        customer_id=head.partyId if head.partyId not in (None, "", _NO_PARTY) else None,
        email=head.emailAddress,
        total=money(head.grandTotal, currency),
        fulfilment_type=_FULFILMENT.get(first_group.shipmentMethodTypeId) if first_group else None,
        shipping_address=address(shipping),
        pickup_location_id=pickup,
        shipments=tuple(shipment(s, line_nos) for s in shipments),
        events=events(head.statuses),
        updated_at=head.lastUpdatedStamp,
        stale=stale,
    )


def return_(
    ret: wire.Return,
    *,
    order_number: str | None,
    reasons: Mapping[str, str],
    line_nos: Mapping[str, int] | None = None,
) -> ReturnRecord:
    """A return; ``reasons`` maps OMS returnReasonId -> our ReturnReason (unknown ids stay as they are)."""
    currency = ret.currencyUomId
    types = {item.returnTypeId for item in ret.items if item.returnTypeId}
    drop_off = ret.destinationFacilityId if ret.returnChannelEnumId == "POS_RTN_CHANNEL" else None
    return ReturnRecord(
        system="OMS",
        system_id=ret.returnId,
        rma_number=ret.externalId or ret.returnName,
        order_number=order_number,
        status=ret.statusId,
        lines=tuple(
            ReturnLineRecord(
                line_no=line_no_of(item.orderItemSeqId, line_nos),
                quantity=item.returnQuantity,
                reason=reasons.get(item.returnReasonId, item.returnReasonId),
                sku=item.productId,
            )
            for item in ret.items
        ),
        created_at=ret.entryDate,
        refund_method=_REFUND_METHODS.get(types.pop()) if len(types) == 1 else None,
        refund=money(ret.refundAmount, currency),
        drop_off_location_id=drop_off,
        events=events(ret.statuses),
        updated_at=ret.lastUpdatedStamp,
    )
