"""Available-to-sell per location and over a channel's network."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from resolvers.domain import Location, StockLevel
from sandbox.world import build_world
from subgraphs.domain.errors import RecordsMismatch
from subgraphs.domain.status import Channel, StockStatus
from subgraphs.domain.stock import (
    ChannelRules,
    LocationStock,
    eligible_locations,
    network_availability,
    pick_location_stock,
    stock_status,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def level(system: str, **kw: object) -> StockLevel:
    base: dict[str, object] = {
        "system": system,
        "sku": "SKU-1",
        "location_id": "WH1",
        "on_hand": 10,
        "as_of": T0,
    }
    return StockLevel(**(base | kw))  # type: ignore[arg-type]


def stock(location_id: str = "WH1", *, on_hand: int = 10, **kw: object) -> LocationStock:
    base: dict[str, object] = {
        "sku": "SKU-1",
        "location_id": location_id,
        "on_hand": on_hand,
        "committed": 0,
        "reserved": 0,
        "safety_stock": 0,
        "unavailable": 0,
        "incoming": 0,
        "as_of": T0,
        "stale": False,
        "system": "OMS",
    }
    return LocationStock(**(base | kw))  # type: ignore[arg-type]


def location(id: str, type: str = "STORE", *, online: bool = False, pickup: bool = False) -> Location:
    return Location(id, id, type, None, online, pickup)  # type: ignore[arg-type]


# ---------------------------------------------------------------- per location


def test_ats_subtracts_every_component_once_and_ignores_incoming() -> None:
    s = stock(on_hand=20, committed=3, reserved=2, safety_stock=4, unavailable=1, incoming=50)
    assert s.ats_signed == 10
    assert s.ats == 10


def test_ats_is_signed_internally_and_floored_for_display() -> None:
    s = stock(on_hand=2, committed=3, reserved=1, safety_stock=1)
    assert s.ats_signed == -3
    assert s.ats == 0


def test_a_shopify_figure_is_never_netted_twice() -> None:
    # Shopify: on_hand = available + committed + reserved + damaged + safety_stock + quality_control
    shopify = level(
        "SHOPIFY", on_hand=20, committed=4, reserved=1, safety_stock=2, unavailable=3, available=10
    )
    picked = pick_location_stock([shopify])
    assert picked is not None
    assert picked.ats == 10 == picked.reported_available


def test_the_oms_figure_wins_over_every_other_system() -> None:
    levels = [
        level("ERP", on_hand=50),
        level("SHOPIFY", on_hand=40, committed=1),
        level("OMS", on_hand=30, reserved=5, safety_stock=1, unavailable=2, available=22),
        level("POS", on_hand=35),
    ]
    picked = pick_location_stock(levels)
    assert picked is not None
    assert (picked.system, picked.on_hand, picked.reserved, picked.ats) == ("OMS", 30, 5, 22)


def test_without_the_oms_the_pos_then_shopify_then_the_erp_answer() -> None:
    pos, shopify, erp = level("POS", on_hand=7), level("SHOPIFY", on_hand=8), level("ERP", on_hand=9)
    assert pick_location_stock([erp, shopify, pos]).system == "POS"  # type: ignore[union-attr]
    assert pick_location_stock([erp, shopify]).system == "SHOPIFY"  # type: ignore[union-attr]
    assert pick_location_stock([erp]).system == "ERP"  # type: ignore[union-attr]


def test_the_precedence_is_configurable() -> None:
    picked = pick_location_stock([level("OMS"), level("ERP", on_hand=3)], precedence=("ERP", "OMS"))
    assert picked is not None
    assert picked.on_hand == 3


def test_a_stale_figure_of_the_authority_beats_a_fresh_lower_one_and_is_flagged() -> None:
    old = T0 - timedelta(minutes=5)
    picked = pick_location_stock([level("POS", on_hand=1), level("OMS", on_hand=9, stale=True, as_of=old)])
    assert picked is not None
    assert (picked.system, picked.on_hand, picked.stale, picked.as_of) == ("OMS", 9, True, old)


def test_incoming_is_the_largest_any_system_reports() -> None:
    picked = pick_location_stock(
        [level("OMS", incoming=0), level("ERP", incoming=12), level("SHOPIFY", incoming=4)]
    )
    assert picked is not None
    assert picked.incoming == 12


def test_no_figure_is_no_stock_and_mixed_pairs_are_refused() -> None:
    assert pick_location_stock([]) is None
    with pytest.raises(RecordsMismatch):
        pick_location_stock([level("OMS"), level("ERP", location_id="WH2")])


# ---------------------------------------------------------------- eligible locations


STORE_PICKUP = location("S1", pickup=True)
STORE_ONLINE = location("S2", online=True)
STORE_PLAIN = location("S3")
WAREHOUSE = location("W1", "WAREHOUSE", online=True)
DC = location("D1", "DISTRIBUTION_CENTER")
ALL = [STORE_PICKUP, STORE_ONLINE, STORE_PLAIN, WAREHOUSE, DC]


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (Channel.ONLINE, ["S2", "W1"]),
        (Channel.CALL_CENTER, ["S2", "W1"]),
        (Channel.STORE, ["S1"]),
        (Channel.CLIENTELING, ["S1"]),
    ],
)
def test_each_channel_is_served_by_its_locations(channel: Channel, expected: list[str]) -> None:
    assert [loc.id for loc in eligible_locations(ALL, channel, ChannelRules())] == expected


def test_a_pickup_flag_on_a_warehouse_does_not_make_it_a_pickup_store() -> None:
    odd = location("W2", "WAREHOUSE", pickup=True)
    assert eligible_locations([odd], Channel.STORE, ChannelRules()) == []


def test_which_channels_use_which_locations_is_configurable() -> None:
    rules = ChannelRules(
        online_channels=frozenset({Channel.ONLINE, Channel.CLIENTELING}), pickup_channels=frozenset()
    )
    assert [loc.id for loc in eligible_locations(ALL, Channel.CLIENTELING, rules)] == ["S2", "W1"]
    assert eligible_locations(ALL, Channel.STORE, rules) == []


def test_named_locations_are_used_as_named_in_order_once_and_unknown_ones_dropped() -> None:
    got = eligible_locations(ALL, Channel.ONLINE, ChannelRules(), ["D1", "nope", "S1", "D1"])
    assert [loc.id for loc in got] == ["D1", "S1"]
    assert eligible_locations(ALL, Channel.ONLINE, ChannelRules(), []) == []


def test_the_worlds_locations_split_into_online_and_pickup_networks() -> None:
    world = build_world(42, "small")
    locations = [
        Location(loc.code, loc.name, loc.type, None, loc.fulfills_online, loc.pickup_enabled)
        for loc in world.locations
    ]
    online = eligible_locations(locations, Channel.ONLINE, ChannelRules())
    pickup = eligible_locations(locations, Channel.STORE, ChannelRules())
    assert online
    assert pickup
    assert all(loc.fulfills_online for loc in online)
    assert all(loc.type == "STORE" and loc.pickup_enabled for loc in pickup)


# ---------------------------------------------------------------- the network


def test_network_ats_is_the_sum_of_floored_location_ats_minus_the_channel_buffer() -> None:
    figures = [stock("A", on_hand=10), stock("B", on_hand=1, committed=4), stock("C", on_hand=3)]
    online = network_availability("SKU-1", Channel.ONLINE, figures, ChannelRules())
    assert online.available_to_sell == 11  # 10 + 0 (not -3) + 3 - buffer 2
    store = network_availability("SKU-1", Channel.STORE, figures, ChannelRules())
    assert store.available_to_sell == 13
    assert store.locations == tuple(figures)


def test_the_buffer_never_makes_network_ats_negative() -> None:
    got = network_availability("SKU-1", Channel.ONLINE, [stock(on_hand=1)], ChannelRules())
    assert (got.available_to_sell, got.status) == (0, StockStatus.OUT_OF_STOCK)


def test_buffers_are_configurable_per_channel() -> None:
    rules = ChannelRules(buffers=((Channel.CALL_CENTER, 4),))
    assert rules.buffer(Channel.ONLINE) == 0
    got = network_availability("SKU-1", Channel.CALL_CENTER, [stock(on_hand=10)], rules)
    assert got.available_to_sell == 6


@pytest.mark.parametrize(
    ("units", "status"),
    [
        (0, StockStatus.OUT_OF_STOCK),
        (1, StockStatus.LOW_STOCK),
        (5, StockStatus.LOW_STOCK),
        (6, StockStatus.IN_STOCK),
    ],
)
def test_stock_status_is_out_at_zero_low_up_to_the_threshold_and_in_above(
    units: int, status: StockStatus
) -> None:
    assert stock_status(units, 5) is status
    got = network_availability("SKU-1", Channel.STORE, [stock(on_hand=units)], ChannelRules())
    assert got.status is status


def test_the_low_stock_threshold_is_configurable() -> None:
    got = network_availability(
        "SKU-1", Channel.STORE, [stock(on_hand=8)], ChannelRules(low_stock_threshold=10)
    )
    assert got.status is StockStatus.LOW_STOCK


def test_as_of_is_the_oldest_figure_and_stale_is_any_figure_stale() -> None:
    figures = [
        stock("A", as_of=T0),
        stock("B", as_of=T0 - timedelta(seconds=30), stale=True),
        stock("C", as_of=None),
    ]
    got = network_availability("SKU-1", Channel.STORE, figures, ChannelRules())
    assert got.as_of == T0 - timedelta(seconds=30)
    assert got.stale is True


def test_all_stale_figures_make_a_stale_answer_still_counted() -> None:
    figures = [stock("A", stale=True), stock("B", stale=True)]
    got = network_availability("SKU-1", Channel.STORE, figures, ChannelRules())
    assert (got.available_to_sell, got.stale) == (20, True)


def test_no_locations_is_out_of_stock_with_no_time_and_not_stale() -> None:
    got = network_availability("SKU-1", Channel.ONLINE, [], ChannelRules())
    assert (got.available_to_sell, got.status, got.as_of, got.stale, got.locations) == (
        0,
        StockStatus.OUT_OF_STOCK,
        None,
        False,
        (),
    )


def test_a_location_twice_or_another_sku_is_refused_rather_than_double_counted() -> None:
    with pytest.raises(RecordsMismatch):
        network_availability("SKU-1", Channel.ONLINE, [stock("A"), stock("A")], ChannelRules())
    with pytest.raises(RecordsMismatch):
        network_availability("SKU-1", Channel.ONLINE, [replace(stock("A"), sku="SKU-2")], ChannelRules())


def test_channel_rules_are_frozen_and_hashable() -> None:
    rules = ChannelRules()
    assert hash(rules) == hash(ChannelRules())
    with pytest.raises(AttributeError):
        rules.low_stock_threshold = 1  # type: ignore[misc]
