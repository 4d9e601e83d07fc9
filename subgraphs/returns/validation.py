"""The checks on an ``authorizeReturn`` request, before anything is created: every problem at once.

Codes and fields (the ``UserError`` s), request-wide first:

==============================  ============================  ==========================================
code                            field                         when
==============================  ============================  ==========================================
UNKNOWN_ORDER                   ``orderId``                   no system holds the order
UNKNOWN_LOCATION                ``dropOffLocationId``         not a store of the location directory
TOO_MANY_LINES                  ``lines``                     more than ``orders.max_lines`` lines
NO_LINES                        ``lines``                     (domain rule)
RETURN_WINDOW_EXPIRED           ``orderId``                   (domain rule) see below
UNKNOWN_ORDER_LINE              ``lines.i.orderLineId``       (domain rule) not ``<order>-<line no>``
DUPLICATE_LINE                  ``lines.i.orderLineId``       (domain rule) the same line twice
QUANTITY_NOT_POSITIVE           ``lines.i.quantity``          (domain rule) below 1
QUANTITY_EXCEEDS_RETURNABLE     ``lines.i.quantity``          (domain rule) over fulfilled - returned
==============================  ============================  ==========================================

The return window (``orders.return_window_days``) is counted from the order's
**last fulfilment**: the latest update of a shipment that left (shipped,
delivered, picked up: a delivered parcel's last update is its delivery), and
from the **placement date** when no shipment tells (store sales handed over at
the till). Returnable quantities are :func:`~subgraphs.domain.returns.returnable_quantities`
over every system's copies of the order's returns, grouped by RMA number.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from resolvers.domain import ReturnRecord
from subgraphs.domain.enums import ShipmentStatus
from subgraphs.domain.grouping import group_copies
from subgraphs.domain.problems import Problem, field_path
from subgraphs.domain.returns import RequestedReturnLine, check_return_request, returnable_quantities
from subgraphs.domain.views import OrderView

__all__ = ["RequestLine", "ReturnRequest", "check_request", "fulfilled_at", "line_number"]

_LEFT = frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED, ShipmentStatus.PICKED_UP})
_LINE_ID = re.compile(r"^(?P<order>.+)-(?P<no>\d{1,6})$")


@dataclass(frozen=True, slots=True)
class RequestLine:
    order_line_id: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class ReturnRequest:
    """``AuthorizeReturnInput`` as plain values."""

    order_id: str
    lines: tuple[RequestLine, ...]
    refund_method: str
    drop_off_location_id: str | None = None

    def canonical(self) -> dict[str, object]:
        """The input as the idempotency fingerprint hashes it."""
        return {
            "orderId": self.order_id,
            "lines": [[ln.order_line_id, ln.quantity, ln.reason] for ln in self.lines],
            "refundMethod": self.refund_method,
            "dropOffLocationId": self.drop_off_location_id,
        }


def line_number(order_number: str, order_line_id: str) -> int | None:
    """``line_number("R100001", "R100001-2")`` -> 2; None for a line id of another order or form."""
    found = _LINE_ID.match(order_line_id.strip())
    if found is None or found["order"] != order_number or int(found["no"]) < 1:
        return None
    return int(found["no"])


def fulfilled_at(order: OrderView) -> datetime | None:
    """When the order's goods last left: the latest update of a shipment that left, else None."""
    moments = [shipment.updated_at for shipment in order.shipments if shipment.status in _LEFT]
    return max(moments) if moments else None


def _request_wide(request: ReturnRequest, stores: Collection[str], max_lines: int) -> list[Problem]:
    problems: list[Problem] = []
    location = request.drop_off_location_id
    if location is not None and location not in stores:
        problems.append(
            Problem("UNKNOWN_LOCATION", field_path("dropOffLocationId"), f"{location} is not a store.")
        )
    if len(request.lines) > max_lines:
        message = f"A return may have at most {max_lines} lines."
        problems.append(Problem("TOO_MANY_LINES", field_path("lines"), message))
    return problems


def check_request(
    request: ReturnRequest,
    order: OrderView | None,
    existing: Sequence[ReturnRecord],
    *,
    stores: Collection[str],
    now: datetime,
    window_days: int,
    max_lines: int,
    mine: str | None = None,
) -> list[Problem]:
    """Every problem with ``request`` (see the module's table).

    ``existing``: every system's copies of the order's returns; ``mine``: the RMA
    an earlier try of this very request already created (its units are not
    counted against it).
    """
    if order is None:
        unknown = Problem("UNKNOWN_ORDER", field_path("orderId"), f"No order {request.order_id}.")
        return [unknown, *_request_wide(request, stores, max_lines)]
    problems = _request_wide(request, stores, max_lines)
    if any(p.code == "TOO_MANY_LINES" for p in problems):
        return problems
    others = [copy for group in group_copies(existing) for copy in group if copy.rma_number != mine]
    returnable = returnable_quantities(order.lines, others)
    lines = [
        RequestedReturnLine(line_number(order.number, line.order_line_id), line.quantity)
        for line in request.lines
    ]
    domain = check_return_request(
        lines,
        returnable,
        placed_at=order.placed_at,
        now=now,
        fulfilled_at=fulfilled_at(order),
        window_days=window_days,
    )
    return [*problems, *domain]
