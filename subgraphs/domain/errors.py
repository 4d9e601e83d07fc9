"""The exception tree of the domain rules: bad input to a rule, never a system fault.

Every class is a :class:`ValueError` (the rules are pure functions over
values) with a stable ``code`` (SHOUTY_SNAKE_CASE) that a subgraph may put in
``extensions.code``::

    DomainError                 DOMAIN_ERROR                base
    ├── UnknownStatus           UNKNOWN_STATUS              a system spelled a status no table knows
    ├── InvalidReturnTransition INVALID_RETURN_TRANSITION   a return may not move from one status to another
    └── RecordsMismatch         RECORDS_MISMATCH            records to merge are missing or not of one entity

Problems a caller can fix in its own input (a return line over the returnable
quantity, say) are not exceptions: they are :class:`~subgraphs.domain.problems.Problem`
values, collected and answered as ``userErrors``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

__all__ = ["DomainError", "InvalidReturnTransition", "RecordsMismatch", "UnknownStatus"]


class DomainError(ValueError):
    """Base of every error a domain rule raises on purpose."""

    code: ClassVar[str] = "DOMAIN_ERROR"


class UnknownStatus(DomainError):
    """``raw`` is not a ``kind`` status (order, financial, shipment, return, channel) of ``system``.

    Raised instead of guessing: a status a system starts to emit must be added
    to its table (and a test iterates every status each sandbox emits).
    """

    code: ClassVar[str] = "UNKNOWN_STATUS"

    def __init__(self, system: str, kind: str, raw: str | None) -> None:
        self.system = system
        self.kind = kind
        self.raw = raw
        super().__init__(f"{system} {kind} status {raw!r} is not known")


class InvalidReturnTransition(DomainError):
    """A return in ``current`` may not move to ``target``; ``allowed`` lists where it may go."""

    code: ClassVar[str] = "INVALID_RETURN_TRANSITION"

    def __init__(self, current: str, target: str, allowed: Iterable[str]) -> None:
        self.current = current
        self.target = target
        self.allowed = tuple(sorted(allowed))
        where = ", ".join(self.allowed) or "nowhere (final)"
        super().__init__(f"a return cannot go from {current} to {target}; {current} may go to {where}")


class RecordsMismatch(DomainError):
    """Records handed to a merge are empty, or belong to different orders, returns, customers or SKUs."""

    code: ClassVar[str] = "RECORDS_MISMATCH"
