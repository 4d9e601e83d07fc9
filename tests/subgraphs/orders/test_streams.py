"""The merge of the order listings on its own, over listings held in memory (the systems' own are
covered through the subgraph in test_listing.py)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from resolvers.domain import OrderRecord
from subgraphs.orders.sources import Position, Slice
from subgraphs.orders.streams import Merged

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


class Listed:
    """A listing of fixed positions that answers exactly ``want`` (the real ones may answer more)."""

    def __init__(self, positions: Sequence[Position], *, gate: asyncio.Event | None = None) -> None:
        self.positions = sorted(positions, reverse=True)
        self.asked: list[Position | None] = []
        self.gate = gate

    async def below(self, before: Position | None, want: int) -> Slice:
        self.asked.append(before)
        if self.gate is not None:
            await self.gate.wait()
        rest = [p for p in self.positions if before is None or p < before]
        return Slice(rest[:want], len(rest) <= want)

    async def records(self, numbers: Sequence[str]) -> list[OrderRecord]:
        return []


def _at(minutes: int, number: str) -> Position:
    return Position(T0 - timedelta(minutes=minutes), number)


async def _drain(merged: Merged, want: int) -> list[Position]:
    taken: list[Position] = []
    while True:
        positions, done = await merged.take(want)
        taken += positions
        if done:
            return taken
        assert positions, "a round that is not the last takes something"


@pytest.mark.parametrize("want", [1, 3, 7, 25])
async def test_every_position_of_every_listing_comes_once_newest_first(want: int) -> None:
    rng = random.Random(want)
    numbers = iter(range(10_000))
    listings = [
        Listed([_at(rng.randrange(minutes), f"N{next(numbers)}") for _ in range(count)])
        for minutes, count in ((600, 40), (60, 30), (6000, 5), (1, 3))  # dense, denser, sparse, one instant
    ]
    taken = await _drain(Merged(listings, None), want)
    every = sorted((p for listing in listings for p in listing.positions), reverse=True)
    assert taken == every


async def test_a_sparse_listing_is_not_read_again_while_a_dense_one_is_paged() -> None:
    dense = Listed([_at(i, f"D{i}") for i in range(100)])
    sparse = Listed([_at(1000 * i, f"S{i}") for i in range(10)])
    merged = Merged([dense, sparse], None)
    for _ in range(4):
        await merged.take(20)
    assert len(dense.asked) == 4
    assert sparse.asked == [None]  # its second position is older than all 80 dense ones taken


async def test_nothing_is_taken_below_what_a_listing_has_not_read_yet() -> None:
    first = Listed([_at(i, f"A{i}") for i in range(10)])
    second = Listed([_at(i, f"B{i}") for i in range(5, 15)])
    merged = Merged([first, second], None)
    positions, done = await merged.take(4)  # each listing read four: A0-A3, B5-B8
    assert [p.number for p in positions] == ["A0", "A1", "A2", "A3"]  # not B5: A4 (unread) is newer
    assert not done
    assert first.asked == [None]  # dry at A3, but not read again until the merge needs it
    positions, _ = await merged.take(4)
    assert [p.number for p in positions] == ["A4", "B5", "A5", "B6"]  # a tie of times: by number
    assert first.asked == [None, _at(3, "A3")]
    assert second.asked == [None]


async def test_a_number_two_listings_hold_is_taken_once_at_its_newest_position() -> None:
    oms = Listed([_at(5, "R1"), _at(9, "R2")])
    pos = Listed([_at(3, "R1"), _at(7, "S1")])
    taken = await _drain(Merged([oms, pos], None), 10)
    assert taken == [_at(3, "R1"), _at(7, "S1"), _at(9, "R2")]


async def test_the_merge_starts_strictly_below_the_cursor() -> None:
    listing = Listed([_at(i, f"N{i}") for i in range(6)])
    taken = await _drain(Merged([listing], _at(2, "N2")), 10)
    assert [p.number for p in taken] == ["N3", "N4", "N5"]


async def test_a_slice_with_nothing_ends_its_listing_even_if_it_says_there_is_more() -> None:
    class Stuck(Listed):
        async def below(self, before: Position | None, want: int) -> Slice:
            self.asked.append(before)
            return Slice([], False)

    stuck = Stuck([])
    taken = await _drain(Merged([stuck, Listed([_at(1, "N1")])], None), 5)
    assert taken == [_at(1, "N1")]
    assert len(stuck.asked) == 1


async def test_reading_ahead_reads_the_listings_the_next_round_would_run_dry_and_close_cancels_it() -> None:
    gate = asyncio.Event()
    gate.set()
    dense = Listed([_at(i, f"D{i}") for i in range(10)], gate=gate)
    sparse = Listed([_at(100 * i, f"S{i}") for i in range(3)])
    merged = Merged([dense, sparse], None)
    assert [p.number for p in (await merged.take(3))[0]] == ["S0", "D0", "D1"]
    assert [p.number for p in (await merged.take(1))[0]] == ["D2"]  # dense ran dry at D2
    gate.clear()
    merged.read_ahead(3)
    await asyncio.sleep(0)
    assert dense.asked == [None, _at(2, "D2")]  # started, waiting on the gate
    assert sparse.asked == [None]
    merged.close()
    gate.set()
    await asyncio.sleep(0)
    assert not merged.streams[0].buffer  # the cancelled read added nothing


async def test_a_read_ahead_is_awaited_by_the_next_round_not_repeated() -> None:
    dense = Listed([_at(i, f"D{i}") for i in range(10)])
    merged = Merged([dense], None)
    await merged.take(2)
    merged.read_ahead(2)
    positions, _ = await merged.take(2)
    assert [p.number for p in positions] == ["D2", "D3"]
    assert dense.asked == [None, _at(1, "D1")]
    merged.read_ahead(2)  # dry again: this read is never awaited, and close cancels it quietly
    merged.close()


async def test_the_listings_a_round_would_run_dry_are_read_together_before_it_takes_anything() -> None:
    in_flight, most = 0, 0

    class Counted(Listed):
        async def below(self, before: Position | None, want: int) -> Slice:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            return await super().below(before, want)

    even = Counted([_at(i, f"E{i}") for i in range(0, 40, 2)])
    odd = Counted([_at(i, f"O{i}") for i in range(1, 40, 2)])
    merged = Merged([even, odd], None)
    assert [p.number for p in (await merged.take(4))[0]] == ["E0", "O1", "E2", "O3"]
    positions, _ = await merged.take(10)  # four read, ten wanted: both listings would run dry
    assert [p.number for p in positions] == [f"{'E' if i % 2 == 0 else 'O'}{i}" for i in range(4, 14)]
    assert len(even.asked) == len(odd.asked) == 2  # one more read each, no read on the way
    assert most == 2
