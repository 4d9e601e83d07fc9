"""The shared outbox (``subgraphs.common.outbox``) with a stand-in handler: exactly-once in effect."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable

import pytest

from storage.memory import MemoryIdempotencyStore
from storage.sqlite import SqliteStream
from subgraphs.common.outbox import (
    OutboxPolicy,
    OutboxWorker,
    dead_letters_by_key,
    delivered,
    enqueue,
    replay_dead_letters,
)

STREAM = "jobs"
GROUP = "g"
POLICY = OutboxPolicy(attempts=3, batch=5, block_s=0.0, takeover_s=60.0, lease_s=30.0)


class Down(Exception):
    """The target does not answer."""


class Refused(Exception):
    """The target refuses this payload."""


class Target:
    """A handler whose answers the test decides: payload ``b"key"`` or ``b"key:refuse"``."""

    def __init__(self) -> None:
        self.delivered: Counter[str] = Counter()
        self.down = False
        self.probes = 0
        self.slow = 0.0

    def key(self, payload: bytes) -> str:
        if not payload:
            raise ValueError("empty payload")
        return payload.decode().split(":")[0]

    async def deliver(self, payload: bytes) -> bytes:
        await asyncio.sleep(self.slow)
        if self.down:
            raise Down("target down")
        if payload.endswith(b":refuse"):
            raise Refused("no")
        self.delivered[self.key(payload)] += 1
        return b"receipt-" + payload

    async def probe(self) -> None:
        self.probes += 1
        if self.down:
            raise Down("still down")

    def is_outage(self, error: Exception) -> bool:
        return isinstance(error, Down)


async def _no_wait(_: float) -> None:
    await asyncio.sleep(0)


def _fast_clock() -> Callable[[], float]:
    """A clock a minute later at every reading: every backoff is over by the next round."""
    ticks = itertools.count()
    return lambda: 60.0 * next(ticks)


@pytest.fixture
async def stream() -> AsyncIterator[SqliteStream]:
    opened = await SqliteStream.open(":memory:")
    yield opened
    await opened.close()


def _worker(
    stream: SqliteStream,
    markers: MemoryIdempotencyStore,
    target: Target,
    name: str = "w1",
    *,
    policy: OutboxPolicy = POLICY,
    clock: Callable[[], float] = time.monotonic,
) -> OutboxWorker:
    """A worker of ``GROUP`` that never sleeps."""
    return OutboxWorker(
        stream,
        markers,
        target,
        stream=STREAM,
        group=GROUP,
        consumer=name,
        policy=policy,
        clock=clock,
        sleep=_no_wait,
    )


async def _drain(worker: OutboxWorker, rounds: int = 50) -> None:
    for _ in range(rounds):
        await worker.run_once()


async def test_every_entry_is_delivered_once_and_its_result_is_kept(stream: SqliteStream) -> None:
    markers, target = MemoryIdempotencyStore(), Target()
    for key in ("a", "b", "c"):
        await enqueue(stream, STREAM, key.encode())
    assert await _worker(stream, markers, target).run_once() == 3
    assert target.delivered == {"a": 1, "b": 1, "c": 1}
    assert await delivered(markers, STREAM, "b") == b"receipt-b"
    assert await stream.claim_stale(STREAM, GROUP, "x", 0.0) == []  # every entry acknowledged


async def test_a_second_entry_for_a_delivered_key_is_acknowledged_without_delivering(
    stream: SqliteStream,
) -> None:
    markers, target = MemoryIdempotencyStore(), Target()
    worker = _worker(stream, markers, target)
    await enqueue(stream, STREAM, b"a")
    await worker.run_once()
    await enqueue(stream, STREAM, b"a")
    assert await worker.run_once() == 1
    assert target.delivered == {"a": 1}


async def test_a_refused_payload_is_retried_then_dead_lettered_with_the_reason(stream: SqliteStream) -> None:
    markers, target = MemoryIdempotencyStore(), Target()
    worker = _worker(stream, markers, target, clock=_fast_clock())
    await enqueue(stream, STREAM, b"bad:refuse")
    await enqueue(stream, STREAM, b"good")
    await _drain(worker, rounds=3)
    letters = await dead_letters_by_key(stream, STREAM, target.key)
    assert list(letters) == ["bad"]
    assert letters["bad"].reason == "Refused: no"
    assert target.delivered == {"good": 1}
    assert await delivered(markers, STREAM, "bad") is None


async def test_an_outage_pauses_delivery_and_probes_without_using_up_the_tries(stream: SqliteStream) -> None:
    markers, target = MemoryIdempotencyStore(), Target()
    worker = _worker(stream, markers, target)
    target.down = True
    for key in ("a", "b"):
        await enqueue(stream, STREAM, key.encode())
    await _drain(worker, rounds=20)  # far more rounds than the 3 tries an entry has
    assert target.probes >= 15
    assert await stream.dead_letters(STREAM) == []
    target.down = False
    await _drain(worker, rounds=3)
    assert target.delivered == {"a": 1, "b": 1}


async def test_two_workers_never_deliver_one_key_twice(stream: SqliteStream) -> None:
    markers, target = MemoryIdempotencyStore(), Target()
    target.slow = 0.01
    for i in range(20):
        await enqueue(stream, STREAM, f"k{i % 10}".encode())  # every key twice
    first, second = _worker(stream, markers, target, "w1"), _worker(stream, markers, target, "w2")
    await asyncio.gather(_drain(first, rounds=20), _drain(second, rounds=20))
    assert target.delivered == {f"k{i}": 1 for i in range(10)}


async def test_a_dead_worker_s_entries_are_taken_over(stream: SqliteStream) -> None:
    markers, target = MemoryIdempotencyStore(), Target()
    await enqueue(stream, STREAM, b"a")
    assert [e.payload for e in await stream.read(STREAM, GROUP, "dead", 10)] == [b"a"]  # then it died
    policy = OutboxPolicy(block_s=0.0, takeover_s=0.0)
    worker = _worker(stream, markers, target, "w2", policy=policy)
    assert await worker.run_once() == 1
    assert target.delivered == {"a": 1}


async def test_an_unreadable_payload_is_dead_lettered_at_once(stream: SqliteStream) -> None:
    markers, target = MemoryIdempotencyStore(), Target()
    await enqueue(stream, STREAM, b"")
    assert await _worker(stream, markers, target).run_once() == 1
    [letter] = await stream.dead_letters(STREAM)
    assert letter.reason.startswith("unreadable payload")


async def test_replayed_dead_letters_are_delivered_again(stream: SqliteStream) -> None:
    markers, target = MemoryIdempotencyStore(), Target()
    worker = _worker(stream, markers, target, clock=_fast_clock())
    await enqueue(stream, STREAM, b"x:refuse")
    await _drain(worker, rounds=3)
    assert list(await dead_letters_by_key(stream, STREAM, target.key)) == ["x"]
    await stream.append("other", b"unrelated")
    [entry_id] = await replay_dead_letters(stream, STREAM, target.key, ["x"])
    assert entry_id
    assert await stream.dead_letters(STREAM) == []
