"""A batch read sent in parts that fit the query limit and what the bucket holds now."""

from __future__ import annotations

import asyncio

import pytest

from resolvers.kit.parts import fit, load_in_parts, split


def _price(n: int) -> float:
    return 2 + 123 * n  # Shopify's requested cost of n orders at the connector's page sizes


class _Metered:
    """A system that admits a request only when its price is in the bucket, then refunds to the
    actual cost on answer (Shopify's rule); no refill, so only refunds make room."""

    def __init__(self, tokens: float, actual_per_key: float) -> None:
        self.tokens = tokens
        self.actual = actual_per_key
        self.sizes: list[int] = []
        self.in_flight = 0
        self.most_in_flight = 0

    def room(self) -> float:
        return self.tokens

    async def send(self, part: list[int]) -> dict[int, str]:
        price = _price(len(part))
        assert price <= self.tokens, f"THROTTLED: {len(part)} keys cost {price}, bucket {self.tokens}"
        self.tokens -= price
        self.sizes.append(len(part))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.001)
        self.in_flight -= 1
        self.tokens += price - self.actual * len(part)
        return {key: f"order {key}" for key in part}


def test_split_gives_the_fewest_balanced_parts() -> None:
    assert [len(part) for part in split(list(range(50)), 20)] == [17, 17, 16]
    assert split([1, 2, 3], 10) == [[1, 2, 3]]
    assert split([], 10) == []


def test_fit_is_the_largest_count_within_the_budget() -> None:
    assert fit(_price, 1000, 8) == 8
    assert fit(_price, 1000, 250) == 8
    assert fit(_price, 775, 8) == 6
    assert fit(_price, 124, 8) == 0
    assert fit(_price, 10_000, 3) == 3


async def test_parts_follow_the_refunds_so_none_waits_for_a_full_bucket() -> None:
    """26 orders priced 123 each from a bucket of 1000: the refunds (to ~28 each) make room for
    the next parts; parts sized by the query limit alone (8, 986 points) would each need a refill."""
    system = _Metered(tokens=1000, actual_per_key=28)
    found = await load_in_parts(list(range(26)), 8, _price, system.room, system.send)
    assert found == {key: f"order {key}" for key in range(26)}
    assert sum(system.sizes) == 26
    assert system.sizes[0] == 8
    assert max(system.sizes) <= 8
    assert system.tokens == 1000 - 28 * 26


async def test_what_fits_at_once_goes_at_once_in_balanced_parts() -> None:
    system = _Metered(tokens=10_000, actual_per_key=28)
    found = await load_in_parts(list(range(26)), 9, _price, system.room, system.send)
    assert len(found) == 26
    assert sorted(system.sizes) == [8, 9, 9]
    assert system.most_in_flight == 3


async def test_an_unpaced_system_gets_balanced_parts_at_once() -> None:
    sent: list[list[int]] = []

    async def send(part: list[int]) -> dict[int, int]:
        sent.append(part)
        return {key: key for key in part}

    found = await load_in_parts(list(range(10)), 4, _price, lambda: None, send)
    assert found == {key: key for key in range(10)}
    assert [len(part) for part in sent] == [4, 3, 3]


async def test_with_no_room_and_nothing_running_one_key_goes_and_waits_in_the_limiter() -> None:
    sent: list[list[int]] = []

    async def send(part: list[int]) -> dict[int, int]:
        sent.append(part)
        return {key: key for key in part}

    found = await load_in_parts([1, 2], 8, _price, lambda: 0.0, send)
    assert found == {1: 1, 2: 2}
    assert sent == [[1], [2]]


async def test_a_failing_part_fails_the_read_and_the_running_parts_are_cancelled() -> None:
    cancelled: list[int] = []

    async def send(part: list[int]) -> dict[int, int]:
        if part[0] == 0:
            await asyncio.sleep(0.001)
            raise RuntimeError("upstream said no")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(part[0])
            raise
        return {}

    with pytest.raises(RuntimeError, match="upstream said no"):
        await load_in_parts(list(range(3)), 1, _price, lambda: 250.0, send)
    await asyncio.sleep(0)
    assert cancelled == [1]
