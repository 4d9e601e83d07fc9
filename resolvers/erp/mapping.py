"""Pure functions from the ERP's wire models to the canonical records of :mod:`resolvers.domain`.

Stock (``A_MatlStkInAcctMod``): the rows of one (material, plant) are summed
over storage locations and stock types. ``on_hand`` counts every physical
unit the ERP books at the plant; ``unavailable`` is quality inspection
(``02``) plus blocked (``07``); the ERP reports no net figure, so
``available`` stays None, and nothing else (committed, reservations, safety
stock) comes from this API. The ERP learns of till sales late, so at stores it
may show more than the shelf holds: reported as it is, the subgraph's
precedence decides.

Statuses stay as SAP spells them, but one SD field cannot say what an order
is in (an order on hold and a new one both read ``A``), so ``status`` holds
the fields that decide it, in a fixed order, as ``Field=Value`` pairs joined
by ``;`` (:func:`order_status`, :func:`return_status`; :func:`parse_status`
splits them again)::

    OverallSDProcessStatus=B;OverallDeliveryStatus=A;OverallSDDocumentRejectionSts=A;DeliveryBlockReason=
    OverallSDProcessStatus=B;ReturnsMaterialHasBeenReceived=X;RetMatlInspResultCode=A

Order lines are numbered by their position in the order (items 10, 20, ...
are lines 1, 2, ...); a return line names the order line its reference item
is. Dates come from ``/Date(ms)/`` (SAP's ``Edm.DateTime`` dates are days:
``placed_at`` is midnight UTC of the customer's purchase order date).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from resolvers.domain import (
    Address,
    CustomerRecord,
    Money,
    OrderLineRecord,
    OrderRecord,
    ReturnLineRecord,
    ReturnRecord,
    StockLevel,
)
from resolvers.erp.wire import (
    BusinessPartner,
    BusinessPartnerAddress,
    CustomerReturn,
    ReturnWithOrder,
    SalesOrder,
    SalesOrderItem,
    StockRow,
)

__all__ = [
    "UNAVAILABLE_STOCK_TYPES",
    "customer_record",
    "order_record",
    "order_status",
    "parse_status",
    "return_record",
    "return_status",
    "stock_levels",
]

UNAVAILABLE_STOCK_TYPES = frozenset({"02", "07"})
"""InventoryStockType quality inspection and blocked: on hand, but not to be sold."""
_DELIVERED = "C"
_NOT_DELIVERED = "A"


def _units(quantity: Decimal) -> int:
    return int(quantity.to_integral_value())


def stock_levels(
    rows: Iterable[StockRow],
    plant_locations: Mapping[str, Sequence[str]],
    *,
    as_of: datetime | None,
    stale: bool = False,
) -> list[StockLevel]:
    """One level per (SKU, location) that has rows; ``plant_locations``: plant -> our location ids."""
    totals: dict[tuple[str, str], list[Decimal]] = {}
    for row in rows:
        if row.Plant not in plant_locations:
            continue
        figures = totals.setdefault((row.Material, row.Plant), [Decimal(0), Decimal(0)])
        figures[0] += row.MatlWrhsStkQtyInMatlBaseUnit
        if row.InventoryStockType in UNAVAILABLE_STOCK_TYPES:
            figures[1] += row.MatlWrhsStkQtyInMatlBaseUnit
    return [
        StockLevel(
            system="ERP",
            sku=sku,
            location_id=location_id,
            on_hand=_units(on_hand),
            unavailable=_units(unavailable),
            as_of=as_of,
            stale=stale,
        )
        for (sku, plant), (on_hand, unavailable) in totals.items()
        for location_id in plant_locations[plant]
    ]


def _pairs(fields: Iterable[tuple[str, str]]) -> str:
    return ";".join(f"{name}={value}" for name, value in fields)


def parse_status(text: str) -> dict[str, str]:
    """``"A=1;B="`` -> ``{"A": "1", "B": ""}``: the inverse of :func:`order_status`, :func:`return_status`."""
    return dict(pair.partition("=")[::2] for pair in text.split(";") if pair)


def order_status(order: SalesOrder) -> str:
    return _pairs(
        (
            ("OverallSDProcessStatus", order.OverallSDProcessStatus),
            ("OverallDeliveryStatus", order.OverallDeliveryStatus),
            ("OverallSDDocumentRejectionSts", order.OverallSDDocumentRejectionSts),
            ("DeliveryBlockReason", order.DeliveryBlockReason),
        )
    )


def return_status(ret: CustomerReturn) -> str:
    items = ret.to_Item
    received = bool(items) and all(i.ReturnsMaterialHasBeenReceived for i in items)
    codes = {i.RetMatlInspResultCode for i in items}
    inspection = codes.pop() if len(codes) == 1 else ""
    return _pairs(
        (
            ("OverallSDProcessStatus", ret.OverallSDProcessStatus),
            ("ReturnsMaterialHasBeenReceived", "X" if received else ""),
            ("RetMatlInspResultCode", inspection),
        )
    )


def _item_order(number: str) -> tuple[int, str]:
    return (int(number), number) if number.isdigit() else (1 << 30, number)


def _unit_price(item: SalesOrderItem) -> Decimal:
    if item.RequestedQuantity <= 0:
        return item.NetAmount
    exponent = item.NetAmount.as_tuple().exponent
    step = Decimal(1).scaleb(exponent if isinstance(exponent, int) else -2)
    return (item.NetAmount / item.RequestedQuantity).quantize(step)


def _fulfilled(item: SalesOrderItem, quantity: int) -> int | None:
    if item.DeliveryStatus == _DELIVERED:
        return quantity
    if item.DeliveryStatus == _NOT_DELIVERED:
        return 0
    return None  # partly delivered: the item does not say how much


def order_record(
    order: SalesOrder,
    *,
    plant_locations: Mapping[str, str],
    channels: Mapping[str, str],
    customer_id: str | None = None,
    stale: bool = False,
) -> OrderRecord:
    """A sales order as an :class:`OrderRecord`; ``plant_locations``: plant -> our location id,
    ``channels``: DistributionChannel -> our Channel."""
    currency = order.TransactionCurrency
    lines = []
    for position, item in enumerate(sorted(order.to_Item, key=lambda i: _item_order(i.SalesOrderItem)), 1):
        quantity = _units(item.RequestedQuantity)
        lines.append(
            OrderLineRecord(
                line_no=position,
                sku=item.Material,
                quantity=quantity,
                unit_price=Money(_unit_price(item), item.TransactionCurrency or currency),
                quantity_fulfilled=_fulfilled(item, quantity),
                location_id=plant_locations.get(item.ProductionPlant),
                system_line_id=item.SalesOrderItem,
            )
        )
    placed = order.CustomerPurchaseOrderDate or order.SalesOrderDate or order.CreationDate
    return OrderRecord(
        system="ERP",
        system_id=order.SalesOrder,
        number=order.PurchaseOrderByCustomer,
        placed_at=placed,
        status=order_status(order),
        lines=tuple(lines),
        currency=currency,
        channel=channels.get(order.DistributionChannel),
        customer_id=customer_id,
        total=Money(order.TotalNetAmount, currency),
        updated_at=order.LastChangeDateTime,
        stale=stale,
    )


def _line_no(reference_item: str, order_items: Sequence[str], fallback: int) -> int:
    if reference_item in order_items:
        return order_items.index(reference_item) + 1
    return fallback


def return_record(found: ReturnWithOrder, *, reasons: Mapping[str, str]) -> ReturnRecord:
    """A customer return as a :class:`ReturnRecord`; ``reasons``: SAP return reason -> our ReturnReason."""
    ret = found.ret
    order_items = sorted(found.order_items, key=_item_order)
    lines = tuple(
        ReturnLineRecord(
            line_no=_line_no(item.ReferenceSDDocumentItem, order_items, position),
            quantity=_units(item.RequestedQuantity),
            reason=reasons.get(item.ReturnReason, item.ReturnReason),
            sku=item.Material,
        )
        for position, item in enumerate(
            sorted(ret.to_Item, key=lambda i: _item_order(i.CustomerReturnItem)), 1
        )
    )
    return ReturnRecord(
        system="ERP",
        system_id=ret.CustomerReturn,
        rma_number=ret.PurchaseOrderByCustomer or None,
        order_number=found.order_number,
        status=return_status(ret),
        lines=lines,
        created_at=ret.CreationDate,
        updated_at=ret.LastChangeDateTime,
    )


def _address(address: BusinessPartnerAddress) -> Address | None:
    if not (address.StreetName or address.CityName or address.PostalCode):
        return None  # the country-only address SAP keeps to hold a partner's email and phone
    return Address(
        line1=f"{address.HouseNumber} {address.StreetName}".strip(),
        line2=address.HouseNumberSupplementText or None,
        city=address.CityName,
        region=address.Region or None,
        postal_code=address.PostalCode,
        country_code=address.Country,
    )


def customer_record(partner: BusinessPartner) -> CustomerRecord:
    """A business partner as a :class:`CustomerRecord` (our id is ``BusinessPartnerIDByExtSystem``)."""
    addresses = partner.to_BusinessPartnerAddress
    emails = sorted(
        (e for a in addresses for e in a.to_EmailAddress if e.EmailAddress),
        key=lambda e: not e.IsDefaultEmailAddress,
    )
    phones = sorted(
        (p for a in addresses for p in a.to_PhoneNumber if p.InternationalPhoneNumber or p.PhoneNumber),
        key=lambda p: not p.IsDefaultPhoneNumber,
    )
    return CustomerRecord(
        system="ERP",
        system_id=partner.BusinessPartner,
        customer_id=partner.BusinessPartnerIDByExtSystem or None,
        email=emails[0].EmailAddress if emails else None,
        phone=(phones[0].InternationalPhoneNumber or phones[0].PhoneNumber) if phones else None,
        first_name=partner.FirstName or None,
        last_name=partner.LastName or None,
        addresses=tuple(a for a in map(_address, addresses) if a is not None),
        created_at=partner.CreationDate,
    )
