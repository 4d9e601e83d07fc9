"""Which return records are copies of one return: the step before ``merge_return``.

The OMS, the ERP, Shopify and the POS each hold a copy of a return; the RMA
number is the key across them. Not every copy carries it: a return opened in
Shopify's admin (or seeded there) has no note with our RMA number, and the till
keeps none at all (a refund on the sale). Such a copy joins the
return of the same order whose copies hold the same units (the same
``(line, quantity)`` pairs) and were created within a day of it (the ERP keeps
dates only); when nothing matches it stands alone, named after its system and
id (``SHOPIFY-9700010002``, ``POS-<refund id>``), since a return must have an id.

:func:`group_copies` answers the groups, each copy stamped with its group's RMA
number, so both the merge and :func:`~subgraphs.domain.returns.returnable_quantities`
(which counts each RMA once) see one return per group.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import timedelta

from resolvers.domain import ReturnRecord

__all__ = ["MATCH_WINDOW", "group_copies", "local_name"]

MATCH_WINDOW = timedelta(days=1)
"""How far apart the creation times of two copies of one return may lie."""


def local_name(record: ReturnRecord) -> str:
    """The name of a copy no RMA number could be found for: ``<SYSTEM>-<its id there>``."""
    return f"{record.system}-{record.system_id}"


def _units(record: ReturnRecord) -> tuple[tuple[int, int], ...]:
    totals: dict[int, int] = {}
    for line in record.lines:
        totals[line.line_no] = totals.get(line.line_no, 0) + line.quantity
    return tuple(sorted(totals.items()))


def _matches(orphan: ReturnRecord, group: Sequence[ReturnRecord]) -> bool:
    head = group[0]
    if orphan.order_number and head.order_number and orphan.order_number != head.order_number:
        return False
    if any(copy.system == orphan.system for copy in group):
        return False
    close = any(abs(copy.created_at - orphan.created_at) <= MATCH_WINDOW for copy in group)
    return close and any(_units(copy) == _units(orphan) for copy in group)


def group_copies(records: Iterable[ReturnRecord]) -> list[list[ReturnRecord]]:
    """The copies of each return together, oldest return first; every copy carries its group's RMA.

    Copies with an RMA number are grouped by it; each copy without one joins the
    first group it matches (see the module's rule), else forms a group named by
    :func:`local_name`.
    """
    by_rma: dict[str, list[ReturnRecord]] = {}
    orphans: list[ReturnRecord] = []
    for record in records:
        if record.rma_number:
            by_rma.setdefault(record.rma_number, []).append(record)
        else:
            orphans.append(record)
    for orphan in orphans:
        home = next((rma for rma, group in by_rma.items() if _matches(orphan, group)), None)
        if home is None:
            home = local_name(orphan)
            by_rma[home] = []
        by_rma[home].append(dataclasses.replace(orphan, rma_number=home))
    return sorted(
        by_rma.values(), key=lambda group: (min(c.created_at for c in group), group[0].rma_number or "")
    )
