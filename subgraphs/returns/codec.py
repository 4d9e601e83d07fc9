"""A merged return as JSON-able data and back: what an idempotency record stores for a replay.

The replay of ``authorizeReturn`` answers the first answer, not a fresh read,
so the first answer's :class:`~subgraphs.domain.views.ReturnView` is kept as
plain JSON types (times ISO 8601, amounts decimal strings) next to the key.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from resolvers.domain import ExternalRef, Money, OrderEventRecord, ReturnLineRecord
from subgraphs.domain.enums import ReturnStatus
from subgraphs.domain.views import ReturnView

__all__ = ["view_from_json", "view_to_json"]


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Money | None) -> dict[str, str] | None:
    return {"amount": str(value.amount), "currency": value.currency} if value is not None else None


def view_to_json(view: ReturnView) -> dict[str, Any]:
    """``view`` as JSON types (see :func:`view_from_json`)."""
    return {
        "rma_number": view.rma_number,
        "order_number": view.order_number,
        "status": str(view.status),
        "lines": [[ln.line_no, ln.quantity, ln.reason, ln.sku] for ln in view.lines],
        "created_at": _time(view.created_at),
        "timeline": [[_time(e.at), e.system, e.type, e.message] for e in view.timeline],
        "external_refs": [[ref.system, ref.id] for ref in view.external_refs],
        "refund_method": view.refund_method,
        "refund": _money(view.refund),
        "drop_off_location_id": view.drop_off_location_id,
        "updated_at": _time(view.updated_at),
    }


def view_from_json(data: dict[str, Any]) -> ReturnView:
    """The view :func:`view_to_json` wrote."""
    refund = data["refund"]
    updated = data["updated_at"]
    return ReturnView(
        rma_number=data["rma_number"],
        order_number=data["order_number"],
        status=ReturnStatus(data["status"]),
        lines=tuple(
            ReturnLineRecord(line_no=no, quantity=qty, reason=reason, sku=sku)
            for no, qty, reason, sku in data["lines"]
        ),
        created_at=datetime.fromisoformat(data["created_at"]),
        timeline=tuple(
            OrderEventRecord(at=datetime.fromisoformat(at), system=system, type=kind, message=message)
            for at, system, kind, message in data["timeline"]
        ),
        external_refs=tuple(ExternalRef(system=system, id=ref) for system, ref in data["external_refs"]),
        refund_method=data["refund_method"],
        refund=Money(Decimal(refund["amount"]), refund["currency"]) if refund else None,
        drop_off_location_id=data["drop_off_location_id"],
        updated_at=datetime.fromisoformat(updated) if updated else None,
    )
