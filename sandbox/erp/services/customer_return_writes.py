"""Creating customer returns (POST ``A_CustomerReturn`` with ``to_Item``) and SD's checks.

Header: CustomerReturnType ``CBAR``, the sales area as for sales orders,
SoldToParty (a business partner or ``ONETIME``), PurchaseOrderByCustomer (the
RMA number; no idempotency: a repeated POST creates another return),
ReferenceSDDocument (the sales order, must exist), SDDocumentReason (a code
of :data:`~sandbox.erp.documents.RETURN_REASON_CODES`), TransactionCurrency.

Items: Material (must exist), RequestedQuantity > 0 in ``EA``, ReturnReason,
ReferenceSDDocument (defaults to the header's) and ReferenceSDDocumentItem.
With a reference item, the material must be that item's and the quantity at
most its delivered quantity less what earlier returns took; the net price
and plant then come from the reference. A new return is not yet processed
(A) and moves no stock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sandbox.erp.catalog import BASE_UNIT, Catalog
from sandbox.erp.documents import (
    RETURN_REASON_CODES,
    CustomerReturn,
    ReturnItem,
)
from sandbox.erp.odata.bodies import JsonQuantity, collection, validate
from sandbox.erp.odata.edm import EntityType
from sandbox.erp.odata.errors import ErrorDetail
from sandbox.erp.services.sd_checks import (
    BAD_ITEM,
    TOO_MUCH,
    UNKNOWN_MATERIAL,
    UNKNOWN_PLANT,
    UNKNOWN_REASON,
    UNKNOWN_REFERENCE,
    fail,
    header_problems,
    quantity_problems,
)
from sandbox.erp.state import ErpState

__all__ = ["ReturnIn", "ReturnItemIn", "new_return"]


class ReturnItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    CustomerReturnItem: str | None = Field(None, pattern=r"^\d{1,6}$")
    CustomerReturnItemCategory: str | None = Field(None, max_length=4)
    CustomerReturnItemText: str | None = Field(None, max_length=40)
    Material: str = Field(min_length=1, max_length=40)
    RequestedQuantity: JsonQuantity
    RequestedQuantityUnit: str = Field(BASE_UNIT, max_length=3)
    ProductionPlant: str | None = Field(None, max_length=4)
    ReturnReason: str = Field("", max_length=3)
    ReferenceSDDocument: str | None = Field(None, max_length=10)
    ReferenceSDDocumentItem: str | None = Field(None, max_length=6)


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    CustomerReturn: str | None = Field(None, max_length=10)
    CustomerReturnType: str = Field(max_length=4)
    SalesOrganization: str = Field(max_length=4)
    DistributionChannel: str = Field(max_length=2)
    OrganizationDivision: str = Field(max_length=2)
    SoldToParty: str = Field(min_length=1, max_length=10)
    PurchaseOrderByCustomer: str = Field("", max_length=35)
    ReferenceSDDocument: str = Field("", max_length=10)
    SDDocumentReason: str = Field("", max_length=3)
    TransactionCurrency: str = Field("USD", min_length=3, max_length=5)
    to_Item: Annotated[list[ReturnItemIn], BeforeValidator(collection)] = Field(min_length=1)


def _header_problems(body: ReturnIn, state: ErpState, catalog: Catalog) -> list[ErrorDetail]:
    area = (body.SalesOrganization, body.DistributionChannel, body.OrganizationDivision)
    problems = header_problems(
        "CustomerReturnType", body.CustomerReturnType, "CBAR", area, body.SoldToParty, catalog
    )
    if body.SDDocumentReason and body.SDDocumentReason not in RETURN_REASON_CODES.values():
        message = f"Order reason {body.SDDocumentReason} is not defined"
        problems.append(ErrorDetail(UNKNOWN_REASON, message, "SDDocumentReason"))
    if body.ReferenceSDDocument and body.ReferenceSDDocument not in state.sales_orders:
        message = f"Reference document {body.ReferenceSDDocument} does not exist"
        problems.append(ErrorDetail(UNKNOWN_REFERENCE, message, "ReferenceSDDocument"))
    return problems


def _item(
    index: int, item: ReturnItemIn, header_reference: str, state: ErpState, catalog: Catalog
) -> tuple[ReturnItem | None, list[ErrorDetail]]:
    target = f"to_Item/{index - 1}"
    number = str(int(item.CustomerReturnItem)) if item.CustomerReturnItem else str(index * 10)
    problems: list[ErrorDetail] = []

    def problem(code: str, message: str) -> None:
        problems.append(ErrorDetail(code, message, target))

    variant = catalog.variant(item.Material)
    if variant is None:
        problem(UNKNOWN_MATERIAL, f"Material {item.Material} does not exist")
    problems.extend(quantity_problems(number, item.RequestedQuantity, item.RequestedQuantityUnit, target))
    if item.ReturnReason and item.ReturnReason not in RETURN_REASON_CODES.values():
        problem(UNKNOWN_REASON, f"Return reason {item.ReturnReason} is not defined")
    reference = item.ReferenceSDDocument or header_reference
    reference_item = item.ReferenceSDDocumentItem or ""
    price = Decimal(variant.price_cents) / 100 if variant else Decimal(0)
    location = catalog.by_plant.get(item.ProductionPlant) if item.ProductionPlant else None
    if item.ProductionPlant and location is None:
        problem(UNKNOWN_PLANT, f"Plant {item.ProductionPlant} does not exist")
    plant = location.erp_plant if location else catalog.default_plant().erp_plant
    order = state.sales_orders.get(reference) if reference else None
    if reference and order is None:
        problem(UNKNOWN_REFERENCE, f"Reference document {reference} does not exist")
    if reference_item and order is not None:
        ordered = order.item(reference_item)
        if ordered is None:
            problem(UNKNOWN_REFERENCE, f"Item {reference_item} does not exist in sales order {reference}")
        else:
            open_quantity = ordered.delivered - state.returned_quantity(reference, reference_item)
            if ordered.material != item.Material:
                problem(
                    UNKNOWN_REFERENCE, f"Material {item.Material} is not the material of the reference item"
                )
            elif item.RequestedQuantity > open_quantity:
                problem(
                    TOO_MUCH,
                    f"Return quantity exceeds the open quantity {open_quantity:.3f} of item "
                    f"{reference}/{reference_item}",
                )
            price = ordered.net_price
            plant = location.erp_plant if location else ordered.plant
    elif reference_item:
        problem(UNKNOWN_REFERENCE, "ReferenceSDDocumentItem needs a ReferenceSDDocument")
    if problems or variant is None:
        return None, problems
    returned = ReturnItem(
        item=number,
        material=item.Material,
        text=item.CustomerReturnItemText or catalog.description(item.Material),
        quantity=item.RequestedQuantity,
        unit=BASE_UNIT,
        net_price=price,
        plant=plant,
        reason=item.ReturnReason,
        reference_document=reference if order is not None else "",
        reference_item=reference_item,
    )
    return returned, []


def new_return(raw: dict[str, Any], etype: EntityType, state: ErpState, catalog: Catalog) -> CustomerReturn:
    """Validate a create body and book the new customer return in ``state``."""
    body = validate(ReturnIn, raw, etype)
    problems = _header_problems(body, state, catalog)
    items: list[ReturnItem] = []
    for index, item in enumerate(body.to_Item, start=1):
        built, item_problems = _item(index, item, body.ReferenceSDDocument, state, catalog)
        problems.extend(item_problems)
        if built is not None:
            if any(i.item == built.item for i in items):
                problems.append(
                    ErrorDetail(BAD_ITEM, f"Item {built.item} exists more than once", f"to_Item/{index - 1}")
                )
            items.append(built)
    if problems:
        raise fail(problems)
    now = datetime.now(UTC)
    ret = CustomerReturn(
        number=state.take_return_number(),
        return_type="CBAR",
        sales_organization=body.SalesOrganization,
        distribution_channel=body.DistributionChannel,
        division=body.OrganizationDivision,
        sold_to=body.SoldToParty,
        purchase_order=body.PurchaseOrderByCustomer,
        reference_document=body.ReferenceSDDocument,
        reason=body.SDDocumentReason,
        created_at=now,
        changed_at=now,
        currency=body.TransactionCurrency,
        process_status="A",
        items=tuple(items),
    )
    state.returns[ret.number] = ret
    return ret
