"""``API_SALES_ORDER_SRV``: ``A_SalesOrder`` with ``to_Item``; ``A_SalesOrderItem`` with ``to_SalesOrder``.

Reading: by key, or with $filter, typically ``PurchaseOrderByCustomer eq
'R100001'`` (or an ``or`` chain of many), which is answered from an index.
``A_SalesOrder`` is versioned by ``LastChangeDateTime`` (``__metadata.etag`` and
the ``ETag`` header); items carry no ETag of their own and changing one bumps
the order's. Writing: see :mod:`sandbox.erp.services.sales_order_writes`.

Canonical order status as the ERP shows it (statuses derive from the items,
see :mod:`sandbox.erp.documents`)::

    canonical            OverallSDProcessStatus  OverallDeliveryStatus  other
    PENDING              A                       A                      (created through the API)
    ON_HOLD              A                       A                      DeliveryBlockReason set
    IN_PROGRESS          B                       A
    PARTIALLY_FULFILLED  B                       B
    FULFILLED            C                       C
    CANCELLED            C                       blank                  OverallSDDocumentRejectionSts C
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sandbox.erp.catalog import Catalog
from sandbox.erp.documents import SalesItem, SalesOrder, delivery_status, header_status, item_process_status
from sandbox.erp.odata.bodies import creatable, updatable
from sandbox.erp.odata.edm import EntityType, Nav, Row, date, decimal, string, timestamp
from sandbox.erp.odata.entityset import EntitySet, Navigated
from sandbox.erp.odata.filter import Hints
from sandbox.erp.odata.service import Service
from sandbox.erp.odata.values import day
from sandbox.erp.services.sales_order_writes import (
    ItemIn,
    ItemPatch,
    OrderIn,
    OrderPatch,
    change_item,
    change_order,
    new_order,
)
from sandbox.erp.state import ErpState

__all__ = ["sales_order_service"]

SALES_ORDER = EntityType(
    "A_SalesOrderType",
    "A_SalesOrder",
    ("SalesOrder",),
    (
        string("SalesOrder", 10, label="Sales Order"),
        string("SalesOrderType", 4, label="Sales Order Type"),
        string("SalesOrganization", 4),
        string("DistributionChannel", 2),
        string("OrganizationDivision", 2),
        string("SoldToParty", 10, label="Sold-To Party"),
        date("CreationDate"),
        string("CreatedByUser", 12),
        date("LastChangeDate"),
        string("ExternalDocumentID", 40),
        timestamp("LastChangeDateTime"),
        string("PurchaseOrderByCustomer", 35, label="Customer Reference"),
        date("CustomerPurchaseOrderDate"),
        date("SalesOrderDate"),
        decimal("TotalNetAmount", 16, 3, wire_scale=2),
        string("TransactionCurrency", 5),
        date("RequestedDeliveryDate"),
        string("HeaderBillingBlockReason", 2),
        string("DeliveryBlockReason", 2),
        string("OverallSDProcessStatus", 1),
        string("OverallTotalDeliveryStatus", 1),
        string("OverallDeliveryStatus", 1),
        string("OverallSDDocumentRejectionSts", 1),
    ),
    (Nav("to_Item", "A_SalesOrderItem", many=True),),
    etag="LastChangeDateTime",
    label="Sales Order",
)

SALES_ORDER_ITEM = EntityType(
    "A_SalesOrderItemType",
    "A_SalesOrderItem",
    ("SalesOrder", "SalesOrderItem"),
    (
        string("SalesOrder", 10),
        string("SalesOrderItem", 6),
        string("HigherLevelItem", 6),
        string("SalesOrderItemCategory", 4),
        string("SalesOrderItemText", 40),
        string("PurchaseOrderByCustomer", 35),
        string("Material", 40),
        decimal("RequestedQuantity", 15, 3),
        string("RequestedQuantityUnit", 3),
        string("TransactionCurrency", 5),
        decimal("NetAmount", 16, 3, wire_scale=2),
        string("ProductionPlant", 4),
        string("StorageLocation", 4),
        string("SalesDocumentRjcnReason", 2),
        string("ItemBillingBlockReason", 2),
        string("SDProcessStatus", 1),
        string("DeliveryStatus", 1),
    ),
    (Nav("to_SalesOrder", "A_SalesOrder", many=False),),
    label="Sales Order Item",
)


def order_row(order: SalesOrder) -> Row:
    status = header_status(order)
    return {
        "SalesOrder": order.sales_order,
        "SalesOrderType": order.order_type,
        "SalesOrganization": order.sales_organization,
        "DistributionChannel": order.distribution_channel,
        "OrganizationDivision": order.division,
        "SoldToParty": order.sold_to,
        "CreationDate": day(order.created_at),
        "CreatedByUser": order.created_by,
        "LastChangeDate": day(order.changed_at),
        "ExternalDocumentID": order.external_document_id,
        "LastChangeDateTime": order.changed_at,
        "PurchaseOrderByCustomer": order.purchase_order,
        "CustomerPurchaseOrderDate": order.purchase_order_date,
        "SalesOrderDate": day(order.created_at),
        "TotalNetAmount": status.net_amount,
        "TransactionCurrency": order.currency,
        "RequestedDeliveryDate": order.requested_delivery_date,
        "HeaderBillingBlockReason": order.billing_block,
        "DeliveryBlockReason": order.delivery_block,
        "OverallSDProcessStatus": status.process,
        "OverallTotalDeliveryStatus": status.delivery,
        "OverallDeliveryStatus": status.delivery,
        "OverallSDDocumentRejectionSts": status.rejection,
    }


def item_row(order: SalesOrder, item: SalesItem) -> Row:
    return {
        "SalesOrder": order.sales_order,
        "SalesOrderItem": item.item,
        "HigherLevelItem": "0",
        "SalesOrderItemCategory": "TAN",
        "SalesOrderItemText": item.text,
        "PurchaseOrderByCustomer": order.purchase_order,
        "Material": item.material,
        "RequestedQuantity": item.quantity,
        "RequestedQuantityUnit": item.unit,
        "TransactionCurrency": order.currency,
        "NetAmount": item.net_amount,
        "ProductionPlant": item.plant,
        "StorageLocation": item.storage_location,
        "SalesDocumentRjcnReason": item.rejection_reason,
        "ItemBillingBlockReason": item.billing_block,
        "SDProcessStatus": item_process_status(order, item),
        "DeliveryStatus": delivery_status(item.delivered, item.quantity),
    }


def _orders(state: ErpState, hints: Hints) -> Iterator[SalesOrder]:
    """Orders in number order (the dict's insertion order), narrowed by a hint on a business key."""
    if "SalesOrder" in hints:
        numbers = sorted(n for n in hints["SalesOrder"] if n in state.sales_orders)
        yield from (state.sales_orders[n] for n in numbers)
        return
    orders = state.sales_orders.values()
    for field, attribute in (
        ("PurchaseOrderByCustomer", "purchase_order"),
        ("ExternalDocumentID", "external_document_id"),
    ):
        if field in hints:
            yield from (o for o in orders if getattr(o, attribute) in hints[field])
            return
    yield from orders


class _SalesOrders(EntitySet):
    def __init__(self, state: ErpState, catalog: Catalog) -> None:
        super().__init__(SALES_ORDER)
        self.state, self.catalog = state, catalog

    def get(self, key: dict[str, Any]) -> Row | None:
        order = self.state.sales_orders.get(key["SalesOrder"])
        return order_row(order) if order else None

    def scan(self, hints: Hints) -> Iterable[Row]:
        return (order_row(order) for order in _orders(self.state, hints))

    def navigate(self, row: Row, nav: str) -> Navigated:
        order = self.state.sales_orders[row["SalesOrder"]]
        return [item_row(order, item) for item in order.items]

    def create(self, body: dict[str, Any]) -> Row:
        clean = creatable(body, SALES_ORDER, OrderIn)
        items = clean.get("to_Item")
        if isinstance(items, dict) and isinstance(items.get("results"), list):
            items = items["results"]
        if isinstance(items, list):
            clean["to_Item"] = [
                creatable(i, SALES_ORDER_ITEM, ItemIn) if isinstance(i, dict) else i for i in items
            ]
        return order_row(new_order(clean, SALES_ORDER, self.state, self.catalog))

    def update(self, row: Row, body: dict[str, Any]) -> Row:
        order = self.state.sales_orders[row["SalesOrder"]]
        changed = change_order(order, updatable(body, SALES_ORDER, row, OrderPatch), SALES_ORDER)
        self.state.sales_orders[changed.sales_order] = changed
        return order_row(changed)


class _SalesOrderItems(EntitySet):
    def __init__(self, state: ErpState) -> None:
        super().__init__(SALES_ORDER_ITEM)
        self.state = state

    def get(self, key: dict[str, Any]) -> Row | None:
        order = self.state.sales_orders.get(key["SalesOrder"])
        item = order.item(key["SalesOrderItem"]) if order else None
        return item_row(order, item) if order and item else None

    def scan(self, hints: Hints) -> Iterable[Row]:
        return (item_row(order, item) for order in _orders(self.state, hints) for item in order.items)

    def navigate(self, row: Row, nav: str) -> Navigated:
        return order_row(self.state.sales_orders[row["SalesOrder"]])

    def update(self, row: Row, body: dict[str, Any]) -> Row:
        order = self.state.sales_orders[row["SalesOrder"]]
        item = order.item(row["SalesOrderItem"])
        assert item is not None
        raw = updatable(body, SALES_ORDER_ITEM, row, ItemPatch)
        changed = change_item(order, item, raw, SALES_ORDER_ITEM)
        self.state.sales_orders[changed.sales_order] = changed
        changed_item = changed.item(item.item)
        assert changed_item is not None
        return item_row(changed, changed_item)


def sales_order_service(state: ErpState, catalog: Catalog) -> Service:
    return Service.of(
        "API_SALES_ORDER_SRV", "SD-SLS-API", [_SalesOrders(state, catalog), _SalesOrderItems(state)]
    )
