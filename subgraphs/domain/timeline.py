"""One timeline from the events every system recorded about an order or a return.

The rule:

* oldest first, by the event's ``at``;
* events at the same instant keep a fixed system order: GATEWAY (we accepted
  it), OMS (it orchestrates), SHOPIFY, POS (the channels), ERP (it posts last);
  a system outside that list comes after them, and events of one system at
  one instant keep the order they were given in (the sort is stable);
* exact duplicates, the same ``(at, system, type)``, are dropped: the first
  one seen stays (with its message). Two systems reporting the same thing
  (ORDER_CANCELLED from Shopify and from the OMS) are not duplicates: each is
  a fact about its own system.

Times must be aware datetimes (every connector gives UTC), so instants from
different systems compare as instants.
"""

from __future__ import annotations

from collections.abc import Iterable

from resolvers.domain import OrderEventRecord

__all__ = ["SYSTEM_ORDER", "merge_timeline"]

SYSTEM_ORDER: tuple[str, ...] = ("GATEWAY", "OMS", "SHOPIFY", "POS", "ERP")
"""The order of events at one instant, by the system that recorded them."""

_RANK = {system: rank for rank, system in enumerate(SYSTEM_ORDER)}


def merge_timeline(*event_lists: Iterable[OrderEventRecord]) -> list[OrderEventRecord]:
    """Every event of ``event_lists`` once, oldest first (see the module's rule)."""
    seen: set[tuple[object, str, str]] = set()
    unique: list[OrderEventRecord] = []
    for events in event_lists:
        for event in events:
            key = (event.at, event.system, event.type)
            if key not in seen:
                seen.add(key)
                unique.append(event)
    unique.sort(key=lambda event: (event.at, _RANK.get(event.system, len(SYSTEM_ORDER))))
    return unique
