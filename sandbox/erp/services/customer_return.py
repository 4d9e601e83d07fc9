"""``API_CUSTOMER_RETURN_SRV``: ``A_CustomerReturn`` with ``to_Item``, ``A_CustomerReturnItem``.

Seeded from the world's returns the ERP holds (approved and later); created
with a deep-insert POST (:mod:`sandbox.erp.services.customer_return_writes`).
Callers find a return by ``PurchaseOrderByCustomer`` (the RMA number) or by
``ReferenceSDDocument`` (the sales order). Status as the ERP shows it::

    canonical               OverallSDProcessStatus  item ReturnsMaterialHasBeenReceived  RetMatlInspResultCode
    APPROVED                A                       ""                                   ""
    RECEIVED                B                       X                                    ""
    INSPECTED               B                       X                                    A
    REFUNDED, CLOSED        C                       X                                    A
    (created by the API)    A                       ""                                   ""
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from sandbox.erp.catalog import Catalog
from sandbox.erp.documents import CustomerReturn, ReturnItem
from sandbox.erp.odata.bodies import creatable
from sandbox.erp.odata.edm import EntityType, Nav, Row, date, decimal, string, timestamp
from sandbox.erp.odata.entityset import EntitySet, Navigated
from sandbox.erp.odata.filter import Hints
from sandbox.erp.odata.service import Service
from sandbox.erp.odata.values import day
from sandbox.erp.services.customer_return_writes import ReturnIn, ReturnItemIn, new_return
from sandbox.erp.state import ErpState

__all__ = ["customer_return_service"]

CUSTOMER_RETURN = EntityType(
    "A_CustomerReturnType",
    "A_CustomerReturn",
    ("CustomerReturn",),
    (
        string("CustomerReturn", 10, label="Customer Return"),
        string("CustomerReturnType", 4),
        string("SalesOrganization", 4),
        string("DistributionChannel", 2),
        string("OrganizationDivision", 2),
        string("SoldToParty", 10),
        date("CreationDate"),
        date("LastChangeDate"),
        timestamp("LastChangeDateTime"),
        string("PurchaseOrderByCustomer", 35, label="Customer Reference"),
        date("CustomerReturnDate"),
        decimal("TotalNetAmount", 16, 3, wire_scale=2),
        string("TransactionCurrency", 5),
        string("SDDocumentReason", 3),
        string("ReferenceSDDocument", 10),
        string("ReferenceSDDocumentCategory", 4),
        string("OverallSDProcessStatus", 1),
    ),
    (Nav("to_Item", "A_CustomerReturnItem", many=True),),
    label="Customer Return",
)

CUSTOMER_RETURN_ITEM = EntityType(
    "A_CustomerReturnItemType",
    "A_CustomerReturnItem",
    ("CustomerReturn", "CustomerReturnItem"),
    (
        string("CustomerReturn", 10),
        string("CustomerReturnItem", 6),
        string("HigherLevelItem", 6),
        string("CustomerReturnItemCategory", 4),
        string("CustomerReturnItemText", 40),
        string("Material", 40),
        decimal("RequestedQuantity", 15, 3),
        string("RequestedQuantityUnit", 3),
        decimal("NetAmount", 16, 3, wire_scale=2),
        string("TransactionCurrency", 5),
        string("ProductionPlant", 4),
        string("ReturnReason", 3),
        string("ReferenceSDDocument", 10),
        string("ReferenceSDDocumentItem", 6),
        string("SDProcessStatus", 1),
        string("ReturnsMaterialHasBeenReceived", 1),
        string("RetMatlInspResultCode", 2),
    ),
    (Nav("to_CustomerReturn", "A_CustomerReturn", many=False),),
    label="Customer Return Item",
)


def return_row(ret: CustomerReturn) -> Row:
    return {
        "CustomerReturn": ret.number,
        "CustomerReturnType": ret.return_type,
        "SalesOrganization": ret.sales_organization,
        "DistributionChannel": ret.distribution_channel,
        "OrganizationDivision": ret.division,
        "SoldToParty": ret.sold_to,
        "CreationDate": day(ret.created_at),
        "LastChangeDate": day(ret.changed_at),
        "LastChangeDateTime": ret.changed_at,
        "PurchaseOrderByCustomer": ret.purchase_order,
        "CustomerReturnDate": day(ret.created_at),
        "TotalNetAmount": sum((i.net_amount for i in ret.items), Decimal(0)),
        "TransactionCurrency": ret.currency,
        "SDDocumentReason": ret.reason,
        "ReferenceSDDocument": ret.reference_document,
        "ReferenceSDDocumentCategory": "C" if ret.reference_document else "",
        "OverallSDProcessStatus": ret.process_status,
    }


def item_row(ret: CustomerReturn, item: ReturnItem) -> Row:
    return {
        "CustomerReturn": ret.number,
        "CustomerReturnItem": item.item,
        "HigherLevelItem": "0",
        "CustomerReturnItemCategory": "REN",
        "CustomerReturnItemText": item.text,
        "Material": item.material,
        "RequestedQuantity": item.quantity,
        "RequestedQuantityUnit": item.unit,
        "NetAmount": item.net_amount,
        "TransactionCurrency": ret.currency,
        "ProductionPlant": item.plant,
        "ReturnReason": item.reason,
        "ReferenceSDDocument": item.reference_document,
        "ReferenceSDDocumentItem": item.reference_item,
        "SDProcessStatus": ret.process_status,
        "ReturnsMaterialHasBeenReceived": "X" if item.received else "",
        "RetMatlInspResultCode": "A" if item.inspected else "",
    }


_HEADER_INDEXES = (
    ("PurchaseOrderByCustomer", "purchase_order"),
    ("ReferenceSDDocument", "reference_document"),
)


def _returns(state: ErpState, hints: Hints, *, header: bool) -> Iterator[CustomerReturn]:
    """Returns in number order, narrowed by hints on the key or (for headers) the references."""
    if "CustomerReturn" in hints:
        yield from (state.returns[n] for n in sorted(hints["CustomerReturn"]) if n in state.returns)
        return
    for field, attribute in _HEADER_INDEXES if header else ():
        if field in hints:
            yield from (r for r in state.returns.values() if getattr(r, attribute) in hints[field])
            return
    yield from state.returns.values()


class _CustomerReturns(EntitySet):
    def __init__(self, state: ErpState, catalog: Catalog) -> None:
        super().__init__(CUSTOMER_RETURN)
        self.state, self.catalog = state, catalog

    def get(self, key: dict[str, Any]) -> Row | None:
        ret = self.state.returns.get(key["CustomerReturn"])
        return return_row(ret) if ret else None

    def scan(self, hints: Hints) -> Iterable[Row]:
        return (return_row(ret) for ret in _returns(self.state, hints, header=True))

    def navigate(self, row: Row, nav: str) -> Navigated:
        ret = self.state.returns[row["CustomerReturn"]]
        return [item_row(ret, item) for item in ret.items]

    def create(self, body: dict[str, Any]) -> Row:
        clean = creatable(body, CUSTOMER_RETURN, ReturnIn)
        items = clean.get("to_Item")
        if isinstance(items, dict) and isinstance(items.get("results"), list):
            items = items["results"]
        if isinstance(items, list):
            clean["to_Item"] = [
                creatable(i, CUSTOMER_RETURN_ITEM, ReturnItemIn) if isinstance(i, dict) else i for i in items
            ]
        return return_row(new_return(clean, CUSTOMER_RETURN, self.state, self.catalog))


class _CustomerReturnItems(EntitySet):
    def __init__(self, state: ErpState) -> None:
        super().__init__(CUSTOMER_RETURN_ITEM)
        self.state = state

    def get(self, key: dict[str, Any]) -> Row | None:
        ret = self.state.returns.get(key["CustomerReturn"])
        item = next((i for i in ret.items if i.item == key["CustomerReturnItem"]), None) if ret else None
        return item_row(ret, item) if ret and item else None

    def scan(self, hints: Hints) -> Iterable[Row]:
        return (
            item_row(ret, item) for ret in _returns(self.state, hints, header=False) for item in ret.items
        )

    def navigate(self, row: Row, nav: str) -> Navigated:
        return return_row(self.state.returns[row["CustomerReturn"]])


def customer_return_service(state: ErpState, catalog: Catalog) -> Service:
    return Service.of(
        "API_CUSTOMER_RETURN_SRV",
        "SD-SLS-RE-2CL",
        [_CustomerReturns(state, catalog), _CustomerReturnItems(state)],
    )
