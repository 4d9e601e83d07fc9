"""The ERP's mutable state: sales orders and customer returns, seeded from the world.

Seeding (canonical -> SAP):

* every world order with ``erp_posted`` becomes sales order ``erp_sales_order``
  (type OR, sales area 1000/<channel>/00, ``PurchaseOrderByCustomer`` = the
  order number, items 10, 20, ... with the fulfilled quantity as delivered;
  cancelled orders have every undelivered item rejected with reason ``10``);
* every world return with ``in_erp`` becomes customer return ``6000xxxx``
  (type CBAR, ``PurchaseOrderByCustomer`` = the RMA number, referencing the
  sales order), with ``OverallSDProcessStatus`` APPROVED -> A, RECEIVED and
  INSPECTED -> B, REFUNDED and CLOSED -> C; items record receipt and inspection.

Stock is not state: the ERP's figures come from the world as they are
(a sales order does not move stock until a goods issue, which the sandbox
does not model).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal

from sandbox.erp.catalog import BASE_UNIT, Catalog
from sandbox.erp.documents import (
    CHANNEL_CODES,
    ONE_TIME_CUSTOMER,
    RETURN_REASON_CODES,
    CustomerReturn,
    ReturnItem,
    SalesItem,
    SalesOrder,
)
from sandbox.erp.odata.values import day
from sandbox.world import Order, Return

__all__ = ["RETURN_PROCESS_STATUS", "ErpState"]

RETURN_PROCESS_STATUS = {"APPROVED": "A", "RECEIVED": "B", "INSPECTED": "B", "REFUNDED": "C", "CLOSED": "C"}
"""Canonical return status (of returns the ERP holds) -> OverallSDProcessStatus."""

_SEEDED_BY = "RFC_RETAIL"


@dataclass
class ErpState:
    sales_orders: dict[str, SalesOrder]
    returns: dict[str, CustomerReturn]
    next_sales_order: int
    next_return: int

    @classmethod
    def seeded(cls, catalog: Catalog) -> ErpState:
        world = catalog.world
        orders = {}
        returns = {}
        for order in world.orders:
            if order.erp_posted and order.erp_sales_order:
                orders[order.erp_sales_order] = _sales_order(order, catalog)
            for ret in order.returns:
                if ret.in_erp:
                    doc = _customer_return(order, ret, catalog)
                    returns[doc.number] = doc
        next_order = max([1_000_000 + len(world.orders), *map(int, orders)]) + 1
        next_return = max([60_000_000, *map(int, returns)]) + 1
        return cls(orders, returns, next_order, next_return)

    def snapshot(self) -> ErpState:
        return replace(self, sales_orders=dict(self.sales_orders), returns=dict(self.returns))

    def restore(self, snapshot: ErpState) -> None:
        self.sales_orders = dict(snapshot.sales_orders)
        self.returns = dict(snapshot.returns)
        self.next_sales_order = snapshot.next_sales_order
        self.next_return = snapshot.next_return

    def take_sales_order_number(self) -> str:
        number = str(self.next_sales_order)
        self.next_sales_order += 1
        return number

    def take_return_number(self) -> str:
        number = str(self.next_return)
        self.next_return += 1
        return number

    def returned_quantity(self, sales_order: str, item: str) -> Decimal:
        """Units of a sales order item already on customer returns."""
        return sum(
            (
                ri.quantity
                for ret in self.returns.values()
                for ri in ret.items
                if ri.reference_document == sales_order and ri.reference_item == item
            ),
            Decimal(0),
        )


def _sold_to(order: Order, catalog: Catalog) -> str:
    if order.customer_id is None:
        return ONE_TIME_CUSTOMER
    return catalog.partner_by_customer_id.get(order.customer_id, ONE_TIME_CUSTOMER)


def _sales_order(order: Order, catalog: Catalog) -> SalesOrder:
    assert order.erp_sales_order is not None
    items = []
    for line in order.lines:
        location = catalog.world.locations_by_code[line.location_code]
        delivered = Decimal(line.quantity_fulfilled)
        items.append(
            SalesItem(
                item=str(line.line_no * 10),
                material=line.sku,
                text=catalog.description(line.sku),
                quantity=Decimal(line.quantity),
                unit=BASE_UNIT,
                net_price=Decimal(line.unit_price_cents) / 100,
                plant=location.erp_plant,
                storage_location=location.erp_storage_location,
                delivered=delivered,
                rejection_reason="10" if order.status == "CANCELLED" and delivered == 0 else "",
            )
        )
    posted_at = order.placed_at + timedelta(minutes=30)
    return SalesOrder(
        sales_order=order.erp_sales_order,
        order_type="OR",
        sales_organization="1000",
        distribution_channel=CHANNEL_CODES[order.channel],
        division="00",
        sold_to=_sold_to(order, catalog),
        purchase_order=order.number,
        purchase_order_date=day(order.placed_at),
        external_document_id="",
        requested_delivery_date=day(order.placed_at),
        created_at=posted_at,
        changed_at=max(order.updated_at, posted_at),
        created_by=_SEEDED_BY,
        currency=order.currency,
        billing_block="",
        delivery_block="",
        released=True,
        items=tuple(items),
    )


def _customer_return(order: Order, ret: Return, catalog: Catalog) -> CustomerReturn:
    lines = {line.line_no: line for line in order.lines}
    sales_order = order.erp_sales_order or ""
    drop_off = catalog.world.locations_by_code.get(ret.drop_off_location_code or "")
    received = ret.status in ("RECEIVED", "INSPECTED", "REFUNDED", "CLOSED")
    items = []
    for position, return_line in enumerate(ret.lines, start=1):
        line = lines[return_line.line_no]
        plant = (drop_off or catalog.world.locations_by_code[line.location_code]).erp_plant
        items.append(
            ReturnItem(
                item=str(position * 10),
                material=line.sku,
                text=catalog.description(line.sku),
                quantity=Decimal(return_line.quantity),
                unit=BASE_UNIT,
                net_price=Decimal(line.unit_price_cents) / 100,
                plant=plant,
                reason=RETURN_REASON_CODES[return_line.reason],
                reference_document=sales_order,
                reference_item=str(line.line_no * 10) if sales_order else "",
                received=received,
                inspected=received and ret.status != "RECEIVED",
            )
        )
    return CustomerReturn(
        number=str(60_000_000 + int(ret.id.removeprefix("RET")) - 10_000),
        return_type="CBAR",
        sales_organization="1000",
        distribution_channel=CHANNEL_CODES[order.channel],
        division="00",
        sold_to=_sold_to(order, catalog),
        purchase_order=ret.rma_number,
        reference_document=sales_order,
        reason=items[0].reason if items else "",
        created_at=ret.created_at,
        changed_at=ret.updated_at,
        currency=order.currency,
        process_status=RETURN_PROCESS_STATUS[ret.status],
        items=tuple(items),
    )
