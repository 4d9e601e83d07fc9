"""The status tables behind :mod:`subgraphs.domain.status`: each system's word -> the contract's value.

Keys are upper case (lookups upper-case the raw word). Where a word is
coarser than the contract, the value is the earliest status it is consistent
with. The vocabularies, per system:

* **OMS** (OFBiz status ids, ``sandbox/oms/statuses.py``): ORDER_*, SHIPMENT_*,
  RETURN_*, PAYMENT_* (PAYMENT_SETTLED also covers a partial refund, which the
  OMS only shows as ``refundedAmount``: read as PAID).
* **POS** (Square): ``order.state``; fulfillment ``state`` (PROPOSED, RESERVED,
  PREPARED, COMPLETED, CANCELED, FAILED); payment ``status`` (APPROVED,
  PENDING, COMPLETED, CANCELED, FAILED) and ``card_details.status``
  (AUTHORIZED, CAPTURED, VOIDED, FAILED) for the financial status, plus
  PARTIALLY_REFUNDED and REFUNDED, which Square has no word for (the
  connector's reading of completed refunds against ``total_money``); a
  PaymentRefund ``status`` (PENDING, COMPLETED, REJECTED, FAILED; the legacy
  order ``refunds[].status`` APPROVED) for a till return.
* **SHOPIFY**: ``displayFulfillmentStatus`` (+ CANCELLED from ``cancelledAt``),
  ``displayFinancialStatus``, fulfillment ``displayStatus`` and ``status``,
  return ``status``; every value of those enums in the Admin API.
* **ERP** (SAP): composite ``Field=Code;...`` values parsed here (see
  :mod:`subgraphs.domain.status`); billing status A/B/C as the financial
  status; an outbound delivery's goods movement status A/B/C as a shipment.
"""

from __future__ import annotations

from collections.abc import Mapping

from subgraphs.domain.enums import FinancialStatus as F
from subgraphs.domain.enums import OrderStatus as O
from subgraphs.domain.enums import ReturnStatus as R
from subgraphs.domain.enums import ShipmentStatus as S
from subgraphs.domain.errors import UnknownStatus

__all__ = ["FINANCIAL", "ORDER", "RETURN", "SHIPMENT", "erp_order_status", "erp_return_status"]

ORDER: Mapping[str, Mapping[str, O]] = {
    "OMS": {
        "ORDER_CREATED": O.PENDING,
        "ORDER_HOLD": O.ON_HOLD,
        "ORDER_APPROVED": O.IN_PROGRESS,
        "ORDER_COMPLETED": O.FULFILLED,
        "ORDER_CANCELLED": O.CANCELLED,
    },
    "POS": {"DRAFT": O.PENDING, "OPEN": O.IN_PROGRESS, "COMPLETED": O.FULFILLED, "CANCELED": O.CANCELLED},
    "SHOPIFY": {
        "UNFULFILLED": O.PENDING,
        "OPEN": O.PENDING,
        "PENDING_FULFILLMENT": O.PENDING,
        "SCHEDULED": O.PENDING,  # fulfilment scheduled for a later date
        "ON_HOLD": O.ON_HOLD,
        "REQUEST_DECLINED": O.ON_HOLD,  # a fulfilment service declined: someone must act
        "IN_PROGRESS": O.IN_PROGRESS,
        "PARTIALLY_FULFILLED": O.PARTIALLY_FULFILLED,
        "PARTIAL": O.PARTIALLY_FULFILLED,  # REST / webhook spelling
        "FULFILLED": O.FULFILLED,
        "RESTOCKED": O.CANCELLED,  # cancelled with its stock put back
        "CANCELLED": O.CANCELLED,  # cancelledAt set (the connector's word; Shopify's order search says so)
        "CANCELED": O.CANCELLED,
    },
}

FINANCIAL: Mapping[str, Mapping[str, F]] = {
    "OMS": {
        "PAYMENT_NOT_AUTH": F.PENDING,
        "PAYMENT_AUTHORIZED": F.AUTHORIZED,
        "PAYMENT_SETTLED": F.PAID,
        "PAYMENT_REFUNDED": F.REFUNDED,
        "PAYMENT_CANCELLED": F.VOIDED,
    },
    "POS": {
        "PENDING": F.PENDING,
        "UNPAID": F.PENDING,
        "PARTIALLY_PAID": F.PENDING,  # not paid in full: the rest is still due
        "PAYMENT_PENDING": F.AUTHORIZED,  # a card tender authorised, not captured
        "PAID": F.PAID,
        "FAILED": F.PENDING,  # the payment failed: the money is still due
        "APPROVED": F.AUTHORIZED,
        "AUTHORIZED": F.AUTHORIZED,
        "COMPLETED": F.PAID,
        "CAPTURED": F.PAID,
        "CANCELED": F.VOIDED,
        "VOIDED": F.VOIDED,
        "PARTIALLY_REFUNDED": F.PARTIALLY_REFUNDED,
        "REFUNDED": F.REFUNDED,
    },
    "SHOPIFY": {
        "PENDING": F.PENDING,
        "PARTIALLY_PAID": F.PENDING,  # not paid in full: the rest is still due
        "AUTHORIZED": F.AUTHORIZED,
        "PAID": F.PAID,
        "PARTIALLY_REFUNDED": F.PARTIALLY_REFUNDED,
        "REFUNDED": F.REFUNDED,
        "VOIDED": F.VOIDED,
        "EXPIRED": F.VOIDED,  # the authorisation lapsed uncaptured
    },
    # SAP billing status: an order reaches the ERP with the channel's payment authorisation;
    # it is captured as it is billed.
    "ERP": {"A": F.AUTHORIZED, "B": F.AUTHORIZED, "C": F.PAID},
}

SHIPMENT: Mapping[str, Mapping[str, tuple[S, S]]] = {
    # (shipped to an address, collected in store)
    "OMS": {
        "SHIPMENT_INPUT": (S.PENDING, S.PENDING),
        "SHIPMENT_APPROVED": (S.PENDING, S.PENDING),
        "SHIPMENT_PACKED": (S.PENDING, S.READY_FOR_PICKUP),
        "SHIPMENT_SHIPPED": (S.SHIPPED, S.PICKED_UP),
        "SHIPMENT_DELIVERED": (S.DELIVERED, S.PICKED_UP),
        "SHIPMENT_CANCELLED": (S.CANCELLED, S.CANCELLED),
    },
    "POS": {
        "PROPOSED": (S.PENDING, S.PENDING),
        "RESERVED": (S.PENDING, S.PENDING),
        "PREPARED": (S.PENDING, S.READY_FOR_PICKUP),
        "COMPLETED": (S.SHIPPED, S.PICKED_UP),
        "CANCELED": (S.CANCELLED, S.CANCELLED),
        "FAILED": (S.CANCELLED, S.CANCELLED),
    },
    "SHOPIFY": {
        # FulfillmentStatus
        "PENDING": (S.PENDING, S.PENDING),
        "OPEN": (S.PENDING, S.READY_FOR_PICKUP),
        "ERROR": (S.PENDING, S.PENDING),  # the request errored: still to be fulfilled
        "SUCCESS": (S.SHIPPED, S.PICKED_UP),
        "CANCELLED": (S.CANCELLED, S.CANCELLED),
        "FAILURE": (S.CANCELLED, S.CANCELLED),
        # FulfillmentDisplayStatus
        "SUBMITTED": (S.PENDING, S.PENDING),
        "CONFIRMED": (S.PENDING, S.PENDING),
        "LABEL_PURCHASED": (S.PENDING, S.PENDING),
        "LABEL_PRINTED": (S.PENDING, S.PENDING),
        "LABEL_VOIDED": (S.CANCELLED, S.CANCELLED),
        "READY_FOR_DELIVERY": (S.SHIPPED, S.SHIPPED),
        "IN_TRANSIT": (S.SHIPPED, S.SHIPPED),
        "OUT_FOR_DELIVERY": (S.SHIPPED, S.SHIPPED),
        "ATTEMPTED_DELIVERY": (S.SHIPPED, S.SHIPPED),
        "NOT_DELIVERED": (S.SHIPPED, S.SHIPPED),  # it left; it did not arrive (yet)
        "FULFILLED": (S.SHIPPED, S.PICKED_UP),
        "MARKED_AS_FULFILLED": (S.SHIPPED, S.PICKED_UP),
        "DELIVERED": (S.DELIVERED, S.PICKED_UP),
        "READY_FOR_PICKUP": (S.READY_FOR_PICKUP, S.READY_FOR_PICKUP),
        "PICKED_UP": (S.PICKED_UP, S.PICKED_UP),
        "CANCELED": (S.CANCELLED, S.CANCELLED),
    },
    # SAP outbound delivery, OverallGoodsMovementStatus
    "ERP": {"A": (S.PENDING, S.PENDING), "B": (S.PENDING, S.PENDING), "C": (S.SHIPPED, S.PICKED_UP)},
}

RETURN: Mapping[str, Mapping[str, R]] = {
    "OMS": {
        "RETURN_REQUESTED": R.REQUESTED,
        "RETURN_ACCEPTED": R.APPROVED,
        "RETURN_REJECTED": R.DECLINED,
        "RETURN_RECEIVED": R.RECEIVED,
        "RETURN_INSPECTED": R.INSPECTED,
        "RETURN_COMPLETED": R.REFUNDED,
        "RETURN_CLOSED": R.CLOSED,
        "RETURN_CANCELLED": R.CANCELLED,
    },
    "SHOPIFY": {
        "REQUESTED": R.REQUESTED,
        "OPEN": R.APPROVED,  # approved, received or inspected: Shopify does not say which
        "DECLINED": R.DECLINED,
        "CLOSED": R.CLOSED,
        "CANCELED": R.CANCELLED,
        "CANCELLED": R.CANCELLED,
    },
    "POS": {
        "PENDING": R.REQUESTED,  # a refund not yet done, goods not back
        "PENDING+RETURNED": R.RECEIVED,  # refund not yet done, goods back at the till (the connector's word)
        "RETURNED": R.RECEIVED,  # goods back, no refund (an exchange; the connector's word)
        "COMPLETED": R.REFUNDED,
        "APPROVED": R.REFUNDED,  # the legacy order.refunds[] word for COMPLETED
        "REJECTED": R.DECLINED,
        "FAILED": R.CANCELLED,
    },
}

# ---------------------------------------------------------------- the ERP's composite values

_ORDER_FIELDS = {
    "OVERALLSDPROCESSSTATUS": "process",
    "OVERALLDELIVERYSTATUS": "delivery",
    "OVERALLTOTALDELIVERYSTATUS": "delivery",
    "OVERALLSDDOCUMENTREJECTIONSTS": "rejection",
    "DELIVERYBLOCKREASON": "block",
}
_RETURN_FIELDS = {
    "OVERALLSDPROCESSSTATUS": "process",
    "RETURNSMATERIALHASBEENRECEIVED": "received",
    "RETMATLINSPRESULTCODE": "inspection",
}
_CODES = frozenset({"", "A", "B", "C"})
_CODED = frozenset({"process", "delivery", "rejection"})


def _erp_fields(raw: str | None, kind: str, names: Mapping[str, str]) -> dict[str, str]:
    """``Field=Code;...`` (or a bare OverallSDProcessStatus code) -> {role: code}, every code checked."""
    if raw is None or not raw.strip():
        raise UnknownStatus("ERP", kind, raw)
    text = raw.strip().upper()
    if "=" not in text:
        found = {"process": text}
    else:
        found = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            name, _, code = part.partition("=")
            role = names.get(name.strip())
            if role is None:
                raise UnknownStatus("ERP", kind, raw)
            found[role] = code.strip()
    if found.get("process", "") not in _CODES - {""}:
        raise UnknownStatus("ERP", kind, raw)
    if any(role in _CODED and code not in _CODES for role, code in found.items()):
        raise UnknownStatus("ERP", kind, raw)
    if found.get("received", "") not in ("", "X"):
        raise UnknownStatus("ERP", kind, raw)
    return found


def erp_order_status(raw: str | None) -> O:
    """A sales order's header statuses -> OrderStatus (rejection, then delivery, block, process)."""
    f = _erp_fields(raw, "order", _ORDER_FIELDS)
    process, delivery = f["process"], f.get("delivery", "")
    if f.get("rejection") == "C":
        return O.CANCELLED
    if delivery == "C" or (process == "C" and delivery == ""):
        return O.FULFILLED
    if f.get("block"):
        return O.ON_HOLD
    if delivery == "B":
        return O.PARTIALLY_FULFILLED
    return O.IN_PROGRESS if process == "B" else O.PENDING


def erp_return_status(raw: str | None) -> R:
    """A customer return's process status and its items' receipt and inspection -> ReturnStatus."""
    f = _erp_fields(raw, "return", _RETURN_FIELDS)
    if f["process"] == "C":
        return R.REFUNDED
    if f["process"] == "B":
        return R.INSPECTED if f.get("inspection") else R.RECEIVED
    return R.RECEIVED if f.get("received") == "X" else R.APPROVED
