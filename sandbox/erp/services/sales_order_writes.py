"""Creating and changing sales orders: the request bodies and SD's checks.

Create (POST ``A_SalesOrder``, deep insert of ``to_Item``):

* header: SalesOrderType ``OR``; sales area SalesOrganization ``1000`` /
  DistributionChannel ``10`` online, ``20`` store, ``30`` clienteling, ``40``
  call centre / OrganizationDivision ``00``; SoldToParty an existing business
  partner or ``ONETIME``; optional PurchaseOrderByCustomer (the business key
  callers dedupe by: a second POST with the same value creates a second
  order, as in SAP), CustomerPurchaseOrderDate, ExternalDocumentID,
  RequestedDeliveryDate, TransactionCurrency (USD), HeaderBillingBlockReason,
  DeliveryBlockReason (a non-blank block puts the order on hold);
* items: Material (must exist), RequestedQuantity > 0, RequestedQuantityUnit
  ``EA``, optional SalesOrderItem (else 10, 20, ...), ProductionPlant (must
  exist; default the first distribution centre), StorageLocation (default the
  plant's), SalesOrderItemText, ItemBillingBlockReason. The net price is the
  list price.

A new order is not yet processed (status A) and moves no stock. Change
(PATCH/MERGE/PUT ``A_SalesOrder``): PurchaseOrderByCustomer,
CustomerPurchaseOrderDate, RequestedDeliveryDate, ExternalDocumentID,
HeaderBillingBlockReason, DeliveryBlockReason. Cancel: PATCH
``A_SalesOrderItem`` with a ``SalesDocumentRjcnReason`` (see
:data:`~sandbox.erp.documents.REJECTION_REASONS`) on every item; a delivered
item cannot be rejected; ``""`` lifts a rejection.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sandbox.erp.catalog import BASE_UNIT, Catalog
from sandbox.erp.documents import REJECTION_REASONS, SalesItem, SalesOrder, bumped
from sandbox.erp.odata.bodies import JsonDay, JsonQuantity, collection, validate
from sandbox.erp.odata.edm import EntityType
from sandbox.erp.odata.errors import ErrorDetail, ODataError
from sandbox.erp.services.sd_checks import (
    BAD_ITEM,
    NOT_REJECTABLE,
    UNKNOWN_MATERIAL,
    UNKNOWN_PLANT,
    fail,
    header_problems,
    quantity_problems,
)
from sandbox.erp.state import ErpState

__all__ = ["ItemPatch", "OrderIn", "OrderPatch", "change_item", "change_order", "new_order"]

_Code2 = Annotated[str, Field(max_length=2)]


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    SalesOrderItem: str | None = Field(None, pattern=r"^\d{1,6}$")
    Material: str = Field(min_length=1, max_length=40)
    RequestedQuantity: JsonQuantity
    RequestedQuantityUnit: str = Field(BASE_UNIT, max_length=3)
    SalesOrderItemText: str | None = Field(None, max_length=40)
    SalesOrderItemCategory: str | None = Field(None, max_length=4)
    PurchaseOrderByCustomer: str | None = Field(None, max_length=35)
    ProductionPlant: str | None = Field(None, max_length=4)
    StorageLocation: str | None = Field(None, max_length=4)
    ItemBillingBlockReason: _Code2 = ""


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    SalesOrder: str | None = Field(None, max_length=10)
    SalesOrderType: str = Field(max_length=4)
    SalesOrganization: str = Field(max_length=4)
    DistributionChannel: str = Field(max_length=2)
    OrganizationDivision: str = Field(max_length=2)
    SoldToParty: str = Field(min_length=1, max_length=10)
    PurchaseOrderByCustomer: str = Field("", max_length=35)
    CustomerPurchaseOrderDate: JsonDay | None = None
    ExternalDocumentID: str = Field("", max_length=40)
    RequestedDeliveryDate: JsonDay | None = None
    TransactionCurrency: str = Field("USD", min_length=3, max_length=5)
    HeaderBillingBlockReason: _Code2 = ""
    DeliveryBlockReason: _Code2 = ""
    to_Item: Annotated[list[ItemIn], BeforeValidator(collection)] = Field(min_length=1)


class OrderPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    PurchaseOrderByCustomer: str | None = Field(None, max_length=35)
    CustomerPurchaseOrderDate: JsonDay | None = None
    RequestedDeliveryDate: JsonDay | None = None
    ExternalDocumentID: str | None = Field(None, max_length=40)
    HeaderBillingBlockReason: _Code2 | None = None
    DeliveryBlockReason: _Code2 | None = None


class ItemPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    SalesDocumentRjcnReason: _Code2 | None = None
    ItemBillingBlockReason: _Code2 | None = None


def _items(body: OrderIn, catalog: Catalog) -> tuple[list[SalesItem], list[ErrorDetail]]:
    problems: list[ErrorDetail] = []
    items: list[SalesItem] = []
    seen: set[str] = set()
    for index, item in enumerate(body.to_Item, start=1):
        number = str(int(item.SalesOrderItem)) if item.SalesOrderItem else str(index * 10)
        target = f"to_Item/{index - 1}"
        variant = catalog.variant(item.Material)
        location = (
            catalog.by_plant.get(item.ProductionPlant) if item.ProductionPlant else catalog.default_plant()
        )
        if number in seen:
            problems.append(ErrorDetail(BAD_ITEM, f"Item {number} exists more than once", target))
        if variant is None:
            problems.append(ErrorDetail(UNKNOWN_MATERIAL, f"Material {item.Material} does not exist", target))
        if location is None:
            problems.append(
                ErrorDetail(UNKNOWN_PLANT, f"Plant {item.ProductionPlant} does not exist", target)
            )
        problems.extend(quantity_problems(number, item.RequestedQuantity, item.RequestedQuantityUnit, target))
        seen.add(number)
        if variant is None or location is None:
            continue
        items.append(
            SalesItem(
                item=number,
                material=item.Material,
                text=item.SalesOrderItemText or catalog.description(item.Material),
                quantity=item.RequestedQuantity,
                unit=BASE_UNIT,
                net_price=Decimal(variant.price_cents) / 100,
                plant=location.erp_plant,
                storage_location=item.StorageLocation or location.erp_storage_location,
                billing_block=item.ItemBillingBlockReason,
            )
        )
    return items, problems


def new_order(raw: dict[str, Any], etype: EntityType, state: ErpState, catalog: Catalog) -> SalesOrder:
    """Validate a create body and book the new order in ``state``."""
    body = validate(OrderIn, raw, etype)
    area = (body.SalesOrganization, body.DistributionChannel, body.OrganizationDivision)
    problems = header_problems("SalesOrderType", body.SalesOrderType, "OR", area, body.SoldToParty, catalog)
    items, item_problems = _items(body, catalog)
    problems.extend(item_problems)
    if problems:
        raise fail(problems)
    now = datetime.now(UTC)
    order = SalesOrder(
        sales_order=state.take_sales_order_number(),
        order_type="OR",
        sales_organization=area[0],
        distribution_channel=area[1],
        division=area[2],
        sold_to=body.SoldToParty,
        purchase_order=body.PurchaseOrderByCustomer,
        purchase_order_date=body.CustomerPurchaseOrderDate,
        external_document_id=body.ExternalDocumentID,
        requested_delivery_date=body.RequestedDeliveryDate,
        created_at=now,
        changed_at=now,
        created_by="API_USER",
        currency=body.TransactionCurrency,
        billing_block=body.HeaderBillingBlockReason,
        delivery_block=body.DeliveryBlockReason,
        released=False,
        items=tuple(items),
    )
    state.sales_orders[order.sales_order] = order
    return order


_HEADER_FIELDS = {
    "PurchaseOrderByCustomer": "purchase_order",
    "CustomerPurchaseOrderDate": "purchase_order_date",
    "RequestedDeliveryDate": "requested_delivery_date",
    "ExternalDocumentID": "external_document_id",
    "HeaderBillingBlockReason": "billing_block",
    "DeliveryBlockReason": "delivery_block",
}


def change_order(order: SalesOrder, raw: dict[str, Any], etype: EntityType) -> SalesOrder:
    patch = validate(OrderPatch, raw, etype)
    changes = {_HEADER_FIELDS[name]: getattr(patch, name) for name in patch.model_fields_set}
    for name in ("purchase_order", "external_document_id", "billing_block", "delivery_block"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    return replace(order, **changes, changed_at=bumped(order.changed_at, datetime.now(UTC)))


def _not_rejectable(message: str) -> ODataError:
    return ODataError(
        400,
        NOT_REJECTABLE,
        message,
        details=[ErrorDetail(NOT_REJECTABLE, message, "SalesDocumentRjcnReason")],
    )


def change_item(order: SalesOrder, item: SalesItem, raw: dict[str, Any], etype: EntityType) -> SalesOrder:
    patch = validate(ItemPatch, raw, etype)
    reason, block = item.rejection_reason, item.billing_block
    if "SalesDocumentRjcnReason" in patch.model_fields_set:
        reason = patch.SalesDocumentRjcnReason or ""
        if reason and reason not in REJECTION_REASONS:
            raise _not_rejectable(f"Reason for rejection {reason} is not defined")
        if reason and item.delivered > 0:
            raise _not_rejectable(f"Item {item.item} has already been delivered and cannot be rejected")
    if "ItemBillingBlockReason" in patch.model_fields_set:
        block = patch.ItemBillingBlockReason or ""
    changed = replace(item, rejection_reason=reason, billing_block=block)
    items = tuple(changed if i.item == item.item else i for i in order.items)
    return replace(order, items=items, changed_at=bumped(order.changed_at, datetime.now(UTC)))
