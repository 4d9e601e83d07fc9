"""Request bodies the connector writes to SAP: deep inserts of sales orders and customer returns.

Pure functions from our drafts to ``API_SALES_ORDER_SRV`` / ``API_CUSTOMER_RETURN_SRV``
JSON, in the wire formats SAP reads (decimals as strings, dates as
``/Date(ms)/``). SAP has no idempotency key: our order number goes in
``PurchaseOrderByCustomer`` (the RMA number, for a return), the business key
the connector searches by before creating and after a write that may have
landed; the draft's idempotency key goes in ``ExternalDocumentID`` (cut to
its 40 characters by hashing) for the audit trail.

Items are numbered ``10 * line_no`` (SAP's usual step), so an order line's
number reads back from the item number; prices are not sent: SD prices the
items itself from the condition records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from resolvers.domain import OrderDraft, ReturnDraft
from resolvers.erp.settings import ErpSettings
from resolvers.erp.wire import SalesOrder

__all__ = ["delivery_block_body", "external_document_id", "odata_date", "order_body", "return_body"]

_EXTERNAL_ID_LENGTH = 40
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def odata_date(moment: datetime) -> str:
    """``/Date(ms)/`` (a naive datetime is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    millis = int((aware - _EPOCH).total_seconds() * 1000)
    return f"/Date({millis})/"


def external_document_id(key: str) -> str:
    """The idempotency key if it fits ``ExternalDocumentID`` (40 characters), else a 40-hex digest of it."""
    if len(key) <= _EXTERNAL_ID_LENGTH:
        return key
    return hashlib.blake2b(key.encode(), digest_size=_EXTERNAL_ID_LENGTH // 2).hexdigest()


def _quantity(value: int | Decimal) -> str:
    return str(value)


def order_body(
    draft: OrderDraft, *, sold_to: str, plants: Mapping[str, str], settings: ErpSettings
) -> dict[str, Any]:
    """The deep insert for ``draft``; ``plants``: our location id -> ERP plant (else SAP's default plant)."""
    items: list[dict[str, Any]] = []
    for line in sorted(draft.lines, key=lambda line: line.line_no):
        item: dict[str, Any] = {
            "SalesOrderItem": str(line.line_no * 10),
            "Material": line.sku,
            "RequestedQuantity": _quantity(line.quantity),
            "RequestedQuantityUnit": settings.base_unit,
        }
        plant = plants.get(line.location_id)
        if plant:
            item["ProductionPlant"] = plant
        items.append(item)
    channel = settings.channel_codes.get(draft.channel)
    if channel is None:
        raise ValueError(f"no DistributionChannel configured for channel {draft.channel!r}")
    return {
        "SalesOrderType": settings.order_type,
        "SalesOrganization": settings.sales_organization,
        "DistributionChannel": channel,
        "OrganizationDivision": settings.division,
        "SoldToParty": sold_to,
        "PurchaseOrderByCustomer": draft.number,
        "CustomerPurchaseOrderDate": odata_date(draft.placed_at),
        "ExternalDocumentID": external_document_id(draft.idempotency_key),
        "TransactionCurrency": draft.currency,
        "to_Item": items,
    }


def return_body(
    draft: ReturnDraft, order: SalesOrder, *, drop_off_plant: str | None, settings: ErpSettings
) -> dict[str, Any]:
    """The deep insert for ``draft`` against the sales order ``order`` (read with its items)."""
    order_items = sorted(
        order.to_Item, key=lambda i: int(i.SalesOrderItem) if i.SalesOrderItem.isdigit() else 0
    )
    items: list[dict[str, Any]] = []
    for position, line in enumerate(sorted(draft.lines, key=lambda line: line.line_no), start=1):
        item: dict[str, Any] = {
            "CustomerReturnItem": str(position * 10),
            "Material": line.sku,
            "RequestedQuantity": _quantity(line.quantity),
            "RequestedQuantityUnit": settings.base_unit,
            "ReturnReason": settings.return_reason_codes.get(line.reason, ""),
        }
        if 0 < line.line_no <= len(order_items):
            item["ReferenceSDDocumentItem"] = order_items[line.line_no - 1].SalesOrderItem
        if drop_off_plant:
            item["ProductionPlant"] = drop_off_plant
        items.append(item)
    first_reason = min(draft.lines, key=lambda line: line.line_no).reason if draft.lines else ""
    return {
        "CustomerReturnType": settings.return_type,
        "SalesOrganization": order.SalesOrganization or settings.sales_organization,
        "DistributionChannel": order.DistributionChannel,
        "OrganizationDivision": order.OrganizationDivision or settings.division,
        "SoldToParty": order.SoldToParty or settings.one_time_customer,
        "PurchaseOrderByCustomer": draft.rma_number,
        "ReferenceSDDocument": order.SalesOrder,
        "SDDocumentReason": settings.return_reason_codes.get(first_reason, ""),
        "TransactionCurrency": draft.currency,
        "to_Item": items,
    }


def delivery_block_body(reason: str) -> dict[str, str]:
    """The PATCH of a sales order header's delivery block ("" lifts it)."""
    return {"DeliveryBlockReason": reason}
