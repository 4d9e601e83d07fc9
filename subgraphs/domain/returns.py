"""Returns: the state machine, what is still returnable, and the checks on a return request.

The state machine (the OMS's ``ORDER_RETURN_STTS`` changes, which the OMS
sandbox enforces with a 409)::

    REQUESTED -> APPROVED | DECLINED | CANCELLED
    APPROVED  -> RECEIVED | CANCELLED      (the OMS allows RETURN_ACCEPTED -> RETURN_CANCELLED,
                                            Shopify returnCancel an OPEN return)
    RECEIVED  -> INSPECTED -> REFUNDED -> CLOSED
    DECLINED, CANCELLED, CLOSED: final     (Shopify's returnReopen CLOSED -> OPEN is not ours)

Returnable, per order line: fulfilled units minus the units already on
returns. A return holds its units from REQUESTED on (so two requests cannot
both claim the same unit) until it ends DECLINED or CANCELLED, which free
them. The same return seen in several systems (the OMS, the ERP, Shopify
hold copies of one RMA) counts once. A line's ``quantity_returned`` (as a
system counts it) describes the same returns, so it is a floor, not a second
subtraction: consumed = max(quantity_returned, units on counted returns).
An untracked ``quantity_fulfilled`` (None) counts as nothing fulfilled.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from resolvers.domain import ReturnRecord, System
from subgraphs.domain.enums import ReturnStatus
from subgraphs.domain.errors import InvalidReturnTransition, RecordsMismatch
from subgraphs.domain.problems import Problem, field_path
from subgraphs.domain.status import return_status

__all__ = [
    "COUNTED_STATUSES",
    "FINAL_STATUSES",
    "OPEN_STATUSES",
    "RETURN_PRECEDENCE",
    "TRANSITIONS",
    "RequestedReturnLine",
    "can_transition",
    "check_return_request",
    "combined_return_status",
    "returnable_quantities",
    "transition",
]

R = ReturnStatus

TRANSITIONS: Mapping[ReturnStatus, frozenset[ReturnStatus]] = {
    R.REQUESTED: frozenset({R.APPROVED, R.DECLINED, R.CANCELLED}),
    R.APPROVED: frozenset({R.RECEIVED, R.CANCELLED}),
    R.RECEIVED: frozenset({R.INSPECTED}),
    R.INSPECTED: frozenset({R.REFUNDED}),
    R.REFUNDED: frozenset({R.CLOSED}),
    R.DECLINED: frozenset(),
    R.CANCELLED: frozenset(),
    R.CLOSED: frozenset(),
}
FINAL_STATUSES = frozenset(status for status, targets in TRANSITIONS.items() if not targets)
OPEN_STATUSES = frozenset({R.REQUESTED, R.APPROVED, R.RECEIVED, R.INSPECTED})
"""Returns still under way: their units are claimed but not yet refunded."""
COUNTED_STATUSES = frozenset(set(ReturnStatus) - {R.DECLINED, R.CANCELLED})
"""Returns whose units are no longer returnable."""

RETURN_PRECEDENCE: tuple[System, ...] = ("OMS", "SHOPIFY", "ERP", "POS")
"""Whose copy of a return is read first: the OMS runs the returns process and knows every state."""

_HAPPY_PATH = (R.REQUESTED, R.APPROVED, R.RECEIVED, R.INSPECTED, R.REFUNDED, R.CLOSED)


def can_transition(current: ReturnStatus, target: ReturnStatus) -> bool:
    """Whether a return in ``current`` may move to ``target`` (staying put is not a move)."""
    return target in TRANSITIONS[current]


def transition(current: ReturnStatus, target: ReturnStatus) -> ReturnStatus:
    """``target`` if the move is allowed, else :class:`InvalidReturnTransition`."""
    if not can_transition(current, target):
        raise InvalidReturnTransition(current, target, TRANSITIONS[current])
    return target


def combined_return_status(statuses: Sequence[tuple[System, ReturnStatus]]) -> ReturnStatus:
    """One status for one return seen by several systems.

    The OMS's, when it has the return (it runs the process; the others hold
    coarser copies). Otherwise a DECLINED or CANCELLED from any system (final
    everywhere), else the furthest along the happy path (systems lag; ERP
    and Shopify words are read as the earliest status they may mean).
    """
    if not statuses:
        raise RecordsMismatch("no system reported a status for the return")
    for system, status in statuses:
        if system == "OMS":
            return status
    for _, status in statuses:
        if status in (R.DECLINED, R.CANCELLED):
            return status
    return max((status for _, status in statuses), key=_HAPPY_PATH.index)


def _rank(system: System) -> int:
    return RETURN_PRECEDENCE.index(system) if system in RETURN_PRECEDENCE else len(RETURN_PRECEDENCE)


class _Line(Protocol):
    @property
    def line_no(self) -> int: ...

    @property
    def quantity_fulfilled(self) -> int | None: ...

    @property
    def quantity_returned(self) -> int | None: ...


def _units_on_returns(existing_returns: Sequence[ReturnRecord]) -> dict[int, int]:
    """Units per order line on counted returns, each return once however many systems hold it."""
    groups: dict[tuple[str, str], list[ReturnRecord]] = defaultdict(list)
    for record in existing_returns:
        key = ("RMA", record.rma_number) if record.rma_number else (record.system, record.system_id)
        groups[key].append(record)
    units: dict[int, int] = defaultdict(int)
    for copies in groups.values():
        status = combined_return_status([(r.system, return_status(r.system, r.status)) for r in copies])
        if status not in COUNTED_STATUSES:
            continue
        chosen = min(copies, key=lambda r: _rank(r.system))
        for line in chosen.lines:
            units[line.line_no] += line.quantity
    return units


def returnable_quantities(
    order_lines: Sequence[_Line], existing_returns: Sequence[ReturnRecord]
) -> dict[int, int]:
    """Order line number -> units still returnable (never negative); see the module's rule.

    ``existing_returns`` are the order's returns, every system's copies of them.
    """
    on_returns = _units_on_returns(existing_returns)
    out: dict[int, int] = {}
    for line in order_lines:
        consumed = max(line.quantity_returned or 0, on_returns.get(line.line_no, 0))
        out[line.line_no] = max(0, (line.quantity_fulfilled or 0) - consumed)
    return out


@dataclass(frozen=True, slots=True)
class RequestedReturnLine:
    """One line of a return request: ``line_no`` None when its orderLineId is not a line of the order."""

    line_no: int | None
    quantity: int


def check_return_request(
    lines: Sequence[RequestedReturnLine],
    returnable: Mapping[int, int],
    *,
    placed_at: datetime,
    now: datetime,
    fulfilled_at: datetime | None = None,
    window_days: int = 30,
) -> list[Problem]:
    """Every problem with a return request, request-wide first, then line by line.

    The window runs ``window_days`` from the last fulfilment (from the order
    when that is unknown) and includes its last instant. Codes: NO_LINES,
    RETURN_WINDOW_EXPIRED (field ``orderId``), UNKNOWN_ORDER_LINE and
    DUPLICATE_LINE (``lines.i.orderLineId``), QUANTITY_NOT_POSITIVE and
    QUANTITY_EXCEEDS_RETURNABLE (``lines.i.quantity``).
    """
    problems: list[Problem] = []
    if not lines:
        problems.append(Problem("NO_LINES", field_path("lines"), "A return needs at least one line."))
    start = fulfilled_at or placed_at
    if now > start + timedelta(days=window_days):
        closed = start + timedelta(days=window_days)
        message = f"The {window_days}-day return window closed on {closed:%Y-%m-%d}."
        problems.append(Problem("RETURN_WINDOW_EXPIRED", field_path("orderId"), message))
    seen: set[int] = set()
    for i, line in enumerate(lines):
        line_field, quantity_field = field_path("lines", i, "orderLineId"), field_path("lines", i, "quantity")
        no = line.line_no
        known = no is not None and no in returnable
        duplicate = known and no in seen
        if not known:
            problems.append(Problem("UNKNOWN_ORDER_LINE", line_field, "Not a line of this order."))
        elif duplicate:
            problems.append(Problem("DUPLICATE_LINE", line_field, "This order line is already requested."))
        if line.quantity <= 0:
            problems.append(Problem("QUANTITY_NOT_POSITIVE", quantity_field, "Quantity must be at least 1."))
        elif no is not None and known and not duplicate and line.quantity > returnable[no]:
            left = returnable[no]
            message = f"Only {left} unit{'s' if left != 1 else ''} of this line can be returned."
            problems.append(Problem("QUANTITY_EXCEEDS_RETURNABLE", quantity_field, message))
        if no is not None:
            seen.add(no)
    return problems
