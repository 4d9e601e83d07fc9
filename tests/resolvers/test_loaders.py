"""Per-request stock loaders: one call per tick over the union of what was asked, each key its own answer."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from resolvers.domain import StockLevel, System
from resolvers.loaders import sku_stock_loader, stock_loader


class Figures:
    """A stock source over fixed figures that records every call (the port, not a system)."""

    system: System = "OMS"

    def __init__(self, levels: list[StockLevel]) -> None:
        self.levels = levels
        self.calls: list[tuple[list[str], list[str]]] = []

    async def stock(self, skus: Sequence[str], location_ids: Sequence[str]) -> list[StockLevel]:
        self.calls.append((list(skus), list(location_ids)))
        return [lv for lv in self.levels if lv.sku in skus and lv.location_id in location_ids]


def _level(sku: str, location: str, on_hand: int) -> StockLevel:
    return StockLevel(system="OMS", sku=sku, location_id=location, on_hand=on_hand)


FIGURES = [_level("A", "W1", 1), _level("A", "W2", 2), _level("A", "S1", 3), _level("B", "W1", 4)]


async def test_keys_of_one_tick_are_one_call_and_each_gets_its_skus_levels_at_its_locations() -> None:
    source = Figures(FIGURES)
    loader = sku_stock_loader(source)
    a, b, a_store = await asyncio.gather(
        loader.load(("A", ("W1", "W2"))), loader.load(("B", ("W1", "W2"))), loader.load(("A", ("S1",)))
    )
    assert source.calls == [(["A", "B"], ["W1", "W2", "S1"])]
    assert [(lv.location_id, lv.on_hand) for lv in a] == [("W1", 1), ("W2", 2)]
    assert [(lv.location_id, lv.on_hand) for lv in b] == [("W1", 4)]
    assert [(lv.location_id, lv.on_hand) for lv in a_store] == [("S1", 3)]


async def test_a_sku_the_system_does_not_carry_has_no_levels() -> None:
    assert await sku_stock_loader(Figures(FIGURES)).load(("Z", ("W1",))) == []


async def test_the_pair_loader_answers_none_where_the_system_holds_no_figure() -> None:
    source = Figures(FIGURES)
    loader = stock_loader(source)
    found = await loader.load_many([("A", "W1"), ("B", "W2")])
    assert [lv.on_hand if lv else None for lv in found] == [1, None]
    assert len(source.calls) == 1
