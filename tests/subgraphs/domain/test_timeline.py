"""One timeline from every system's events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from resolvers.domain import OrderEventRecord
from sandbox.world import build_world
from subgraphs.domain.timeline import SYSTEM_ORDER, merge_timeline

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def ev(minutes: float, system: str, type: str, message: str | None = None) -> OrderEventRecord:
    return OrderEventRecord(T0 + timedelta(minutes=minutes), system, type, message)


def test_events_come_oldest_first_across_systems() -> None:
    shopify = [ev(0, "SHOPIFY", "ORDER_PLACED"), ev(60, "SHOPIFY", "ORDER_CANCELLED")]
    oms = [ev(1, "OMS", "ORDER_CREATED"), ev(5, "OMS", "ORDER_APPROVED")]
    erp = [ev(30, "ERP", "POSTED_TO_ERP")]
    got = merge_timeline(erp, shopify, oms)
    assert [e.type for e in got] == [
        "ORDER_PLACED",
        "ORDER_CREATED",
        "ORDER_APPROVED",
        "POSTED_TO_ERP",
        "ORDER_CANCELLED",
    ]


def test_events_at_the_same_instant_follow_the_system_order() -> None:
    same = [
        ev(0, "ERP", "E"),
        ev(0, "POS", "P"),
        ev(0, "SHOPIFY", "S"),
        ev(0, "OMS", "O"),
        ev(0, "GATEWAY", "G"),
    ]
    got = merge_timeline(same)
    assert [e.system for e in got] == list(SYSTEM_ORDER)


def test_one_systems_events_at_one_instant_keep_their_given_order_and_unknown_systems_come_last() -> None:
    got = merge_timeline([ev(0, "WMS", "W"), ev(0, "OMS", "B"), ev(0, "OMS", "A")], [ev(0, "ERP", "E")])
    assert [e.type for e in got] == ["B", "A", "E", "W"]


def test_exact_duplicates_are_dropped_and_the_first_message_stays() -> None:
    got = merge_timeline(
        [ev(0, "OMS", "SHIPPED", "SHP1")],
        [ev(0, "OMS", "SHIPPED", "again"), ev(0, "OMS", "SHIPPED", None)],
    )
    assert got == [ev(0, "OMS", "SHIPPED", "SHP1")]


def test_the_same_event_from_two_systems_or_two_times_is_kept() -> None:
    got = merge_timeline(
        [ev(60, "SHOPIFY", "ORDER_CANCELLED")],
        [ev(60, "OMS", "ORDER_CANCELLED")],
        [ev(61, "OMS", "ORDER_CANCELLED")],
    )
    assert [(e.system, e.at) for e in got] == [
        ("OMS", T0 + timedelta(minutes=60)),
        ("SHOPIFY", T0 + timedelta(minutes=60)),
        ("OMS", T0 + timedelta(minutes=61)),
    ]


def test_instants_in_other_offsets_compare_as_instants() -> None:
    paris = timezone(timedelta(hours=1))
    early = OrderEventRecord(datetime(2026, 11, 1, 12, 30, tzinfo=paris), "ERP", "EARLY")  # 11:30Z
    got = merge_timeline([ev(0, "OMS", "LATE")], [early])
    assert [e.type for e in got] == ["EARLY", "LATE"]


def test_nothing_to_merge_is_an_empty_timeline() -> None:
    assert merge_timeline() == []
    assert merge_timeline([], []) == []


def test_a_worlds_order_events_split_by_system_merge_back_into_the_worlds_timeline() -> None:
    world = build_world(42, "small")
    for order in world.orders[:200]:
        events = [OrderEventRecord(e.at, e.system, e.type, e.message) for e in order.events]
        by_system: dict[str, list[OrderEventRecord]] = {}
        for event in reversed(events):
            by_system.setdefault(event.system, []).append(event)
        merged = merge_timeline(*by_system.values(), events)  # the whole list again: all duplicates
        assert [e.at for e in merged] == sorted(e.at for e in events)
        assert sorted(merged, key=repr) == sorted(set(events), key=repr)
