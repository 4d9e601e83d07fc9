"""Grouping every system's copies of an order's returns into one return each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from resolvers.domain import ReturnLineRecord, ReturnRecord, System
from subgraphs.domain.grouping import group_copies

T0 = datetime(2026, 10, 3, 2, 42, tzinfo=UTC)


def copy(
    system: System,
    rma: str | None,
    units: tuple[tuple[int, int], ...] = ((1, 1),),
    at: datetime = T0,
    sid: str = "1",
) -> ReturnRecord:
    lines = tuple(ReturnLineRecord(line_no=no, quantity=qty, reason="DAMAGED") for no, qty in units)
    return ReturnRecord(system, sid, rma, "R100015", "X", lines, at)


def test_copies_with_one_rma_number_are_one_return() -> None:
    groups = group_copies(
        [copy("OMS", "RMA-100015-01"), copy("ERP", "RMA-100015-01"), copy("OMS", "RMA-100015-02")]
    )
    assert [[c.system for c in g] for g in groups] == [["OMS", "ERP"], ["OMS"]]


def test_a_copy_without_rma_joins_the_return_with_its_units_created_within_a_day() -> None:
    shopify = copy("SHOPIFY", None, at=T0 + timedelta(hours=5), sid="970")
    groups = group_copies([shopify, copy("OMS", "RMA-100015-01"), copy("OMS", "RMA-100015-02", ((2, 1),))])
    assert [(c.system, c.rma_number) for c in groups[0]] == [
        ("OMS", "RMA-100015-01"),
        ("SHOPIFY", "RMA-100015-01"),
    ]


def test_a_copy_without_rma_that_matches_nothing_stands_alone_named_after_its_system() -> None:
    groups = group_copies(
        [
            copy("OMS", "RMA-100015-01"),
            copy("SHOPIFY", None, units=((1, 2),), sid="971"),
            copy("SHOPIFY", None, at=T0 + timedelta(days=3), sid="972"),
        ]
    )
    assert [g[0].rma_number for g in groups] == ["RMA-100015-01", "SHOPIFY-971", "SHOPIFY-972"]


def test_two_copies_from_one_system_are_never_one_return() -> None:
    first, second = copy("SHOPIFY", None, sid="1"), copy("SHOPIFY", None, sid="2")
    groups = group_copies([copy("OMS", "RMA-1-01"), first, second])
    assert sorted(len(g) for g in groups) == [1, 2]


def test_returns_come_oldest_first() -> None:
    groups = group_copies([copy("OMS", "RMA-1-02", at=T0 + timedelta(days=2)), copy("OMS", "RMA-1-01")])
    assert [g[0].rma_number for g in groups] == ["RMA-1-01", "RMA-1-02"]
