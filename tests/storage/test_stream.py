"""Contract tests for ``storage.stream.DurableStream``, run against every implementation."""

from __future__ import annotations

import asyncio
import time

import pytest

from storage.errors import StreamEntryNotFound
from storage.stream import DurableStream, StreamEntry
from tests.storage.conftest import Backend


def _summary(entries: list[StreamEntry]) -> list[tuple[bytes, int]]:
    return [(entry.payload, entry.delivery_count) for entry in entries]


async def test_appended_entries_are_read_in_order_and_only_once(
    stream_backend: Backend[DurableStream],
) -> None:
    stream = stream_backend.store
    ids = [await stream.append("outbox", payload) for payload in (b"a", b"\x00\xff", b"")]
    assert len(set(ids)) == 3
    entries = await stream.read("outbox", "erp", "worker-1", count=10)
    assert [entry.id for entry in entries] == ids
    assert _summary(entries) == [(b"a", 1), (b"\x00\xff", 1), (b"", 1)]
    assert await stream.read("outbox", "erp", "worker-1") == []
    assert await stream.read("outbox", "erp", "worker-2") == []


async def test_read_hands_out_at_most_count_entries(stream_backend: Backend[DurableStream]) -> None:
    stream = stream_backend.store
    ids = [await stream.append("outbox", b"x") for _ in range(5)]
    first = await stream.read("outbox", "erp", "w", count=2)
    rest = await stream.read("outbox", "erp", "w", count=10)
    assert [e.id for e in first] == ids[:2]
    assert [e.id for e in rest] == ids[2:]


async def test_ack_says_whether_the_entry_was_pending(stream_backend: Backend[DurableStream]) -> None:
    stream = stream_backend.store
    entry_id = await stream.append("outbox", b"x")
    assert await stream.ack("outbox", "erp", entry_id) is False  # not delivered yet
    await stream.read("outbox", "erp", "w")
    assert await stream.ack("outbox", "erp", entry_id) is True
    assert await stream.ack("outbox", "erp", entry_id) is False
    assert await stream.ack("outbox", "erp", "not-an-id") is False
    assert await stream.ack("outbox", "no-such-group", entry_id) is False


async def test_a_new_group_starts_at_the_beginning_and_each_group_gets_every_entry(
    stream_backend: Backend[DurableStream],
) -> None:
    stream = stream_backend.store
    ids = [await stream.append("outbox", b"x") for _ in range(3)]
    erp = await stream.read("outbox", "erp", "w")
    await stream.ack("outbox", "erp", erp[0].id)
    audit = await stream.read("outbox", "audit", "w")
    assert [e.id for e in erp] == ids
    assert [e.id for e in audit] == ids


async def test_streams_are_independent(stream_backend: Backend[DurableStream]) -> None:
    stream = stream_backend.store
    await stream.append("orders", b"order")
    await stream.append("returns", b"return")
    assert _summary(await stream.read("returns", "erp", "w")) == [(b"return", 1)]
    assert _summary(await stream.read("orders", "erp", "w")) == [(b"order", 1)]


async def test_two_consumers_reading_concurrently_get_disjoint_entries_covering_everything(
    stream_backend: Backend[DurableStream],
) -> None:
    producer = stream_backend.store
    appended = {await producer.append("outbox", f"order-{i}".encode()) for i in range(60)}
    workers = [await stream_backend.peer(), await stream_backend.peer()]

    async def drain(worker: DurableStream, name: str) -> list[str]:
        received: list[str] = []
        while batch := await worker.read("outbox", "erp", name, count=3):
            received.extend(entry.id for entry in batch)
            await asyncio.sleep(0)
        return received

    first, second = await asyncio.gather(drain(workers[0], "w1"), drain(workers[1], "w2"))
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(appended)
    assert len(first) + len(second) == 60


async def test_an_unacked_entry_is_redelivered_after_the_idle_timeout(
    stream_backend: Backend[DurableStream],
) -> None:
    stream = stream_backend.store
    entry_id = await stream.append("outbox", b"order-1")
    await stream.read("outbox", "erp", "crashed-worker")
    assert await stream.claim_stale("outbox", "erp", "rescuer", min_idle_seconds=0.2) == []
    await stream_backend.advance(0.3)
    [claimed] = await stream.claim_stale("outbox", "erp", "rescuer", min_idle_seconds=0.2)
    assert (claimed.id, claimed.payload, claimed.delivery_count) == (entry_id, b"order-1", 2)
    assert await stream.read("outbox", "erp", "crashed-worker") == []


async def test_a_claimed_entry_is_not_claimed_again_until_it_idles_again(
    stream_backend: Backend[DurableStream],
) -> None:
    stream = stream_backend.store
    await stream.append("outbox", b"order-1")
    await stream.read("outbox", "erp", "w1")
    await stream_backend.advance(0.3)
    assert len(await stream.claim_stale("outbox", "erp", "w2", min_idle_seconds=0.2)) == 1
    assert await stream.claim_stale("outbox", "erp", "w3", min_idle_seconds=0.2) == []
    await stream_backend.advance(0.3)
    [third] = await stream.claim_stale("outbox", "erp", "w3", min_idle_seconds=0.2)
    assert third.delivery_count == 3


async def test_concurrent_claimers_never_get_the_same_entry(stream_backend: Backend[DurableStream]) -> None:
    stream = stream_backend.store
    appended = {await stream.append("outbox", b"x") for _ in range(20)}
    await stream.read("outbox", "erp", "crashed", count=20)
    await stream_backend.advance(0.3)
    rescuers = [await stream_backend.peer() for _ in range(3)]
    claims = await asyncio.gather(
        *(
            r.claim_stale("outbox", "erp", f"r{i}", min_idle_seconds=0.2, count=20)
            for i, r in enumerate(rescuers)
        )
    )
    claimed = [entry.id for batch in claims for entry in batch]
    assert sorted(claimed) == sorted(appended)


async def test_an_acked_entry_is_never_redelivered(stream_backend: Backend[DurableStream]) -> None:
    stream = stream_backend.store
    await stream.append("outbox", b"order-1")
    [entry] = await stream.read("outbox", "erp", "w1")
    assert await stream.ack("outbox", "erp", entry.id)
    await stream_backend.advance(0.3)
    assert await stream.claim_stale("outbox", "erp", "w2", min_idle_seconds=0.2) == []


async def test_a_dead_lettered_entry_is_listed_with_its_reason_and_no_longer_pending(
    stream_backend: Backend[DurableStream],
) -> None:
    stream = stream_backend.store
    entry_id = await stream.append("outbox", b"order-1")
    await stream.read("outbox", "erp", "w1")
    await stream_backend.advance(0.3)
    await stream.claim_stale("outbox", "erp", "w2", min_idle_seconds=0.2)
    dead_id = await stream.dead_letter("outbox", "erp", entry_id, "ERP said 400: bad plant")
    [letter] = await stream.dead_letters("outbox")
    assert letter.id == dead_id
    assert (letter.entry_id, letter.group, letter.payload) == (entry_id, "erp", b"order-1")
    assert (letter.reason, letter.delivery_count) == ("ERP said 400: bad plant", 2)
    if stream_backend.uses_real_time:
        assert abs(letter.dead_at - time.time()) < 2
    assert await stream.ack("outbox", "erp", entry_id) is False
    await stream_backend.advance(0.3)
    assert await stream.claim_stale("outbox", "erp", "w3", min_idle_seconds=0.2) == []
    assert await stream.dead_letters("other-stream") == []


async def test_replaying_a_dead_letter_appends_it_as_a_new_entry_and_removes_it(
    stream_backend: Backend[DurableStream],
) -> None:
    stream = stream_backend.store
    entry_id = await stream.append("outbox", b"order-1")
    await stream.read("outbox", "erp", "w1")
    dead_id = await stream.dead_letter("outbox", "erp", entry_id, "gave up")
    new_id = await stream.replay("outbox", dead_id)
    assert new_id != entry_id
    assert await stream.dead_letters("outbox") == []
    [again] = await stream.read("outbox", "erp", "w1")
    assert (again.id, again.payload, again.delivery_count) == (new_id, b"order-1", 1)
    with pytest.raises(StreamEntryNotFound):
        await stream.replay("outbox", dead_id)


async def test_dead_letters_come_back_oldest_first_up_to_count(
    stream_backend: Backend[DurableStream],
) -> None:
    stream = stream_backend.store
    ids = [await stream.append("outbox", f"{i}".encode()) for i in range(3)]
    await stream.read("outbox", "erp", "w", count=3)
    for entry_id in ids:
        await stream.dead_letter("outbox", "erp", entry_id, "no")
    assert [letter.payload for letter in await stream.dead_letters("outbox", count=2)] == [b"0", b"1"]


async def test_only_a_pending_entry_can_be_dead_lettered(stream_backend: Backend[DurableStream]) -> None:
    stream = stream_backend.store
    entry_id = await stream.append("outbox", b"x")
    with pytest.raises(StreamEntryNotFound) as caught:
        await stream.dead_letter("outbox", "erp", entry_id, "not delivered yet")
    assert caught.value.code == "STREAM_ENTRY_NOT_FOUND"
    await stream.read("outbox", "erp", "w")
    await stream.dead_letter("outbox", "erp", entry_id, "first time")
    with pytest.raises(StreamEntryNotFound):
        await stream.dead_letter("outbox", "erp", entry_id, "second time")
    with pytest.raises(StreamEntryNotFound):
        await stream.dead_letter("outbox", "erp", "garbage", "bad id")
    with pytest.raises(StreamEntryNotFound):
        await stream.replay("outbox", "garbage")
    assert len(await stream.dead_letters("outbox")) == 1


async def test_a_blocking_read_returns_an_entry_appended_while_it_waits(
    stream_backend: Backend[DurableStream],
) -> None:
    stream = stream_backend.store
    producer = await stream_backend.peer()
    await stream.read("outbox", "erp", "w")  # make the group exist before blocking on it

    async def append_later() -> str:
        await asyncio.sleep(0.1)
        return await producer.append("outbox", b"late")

    started = time.monotonic()
    entries, appended_id = await asyncio.gather(
        stream.read("outbox", "erp", "w", block_seconds=2.0), append_later()
    )
    assert [(e.id, e.payload) for e in entries] == [(appended_id, b"late")]
    assert time.monotonic() - started < 1.5


async def test_a_blocking_read_on_an_empty_stream_gives_up_after_the_timeout(
    stream_backend: Backend[DurableStream],
) -> None:
    started = time.monotonic()
    assert await stream_backend.store.read("outbox", "erp", "w", block_seconds=0.2) == []
    assert 0.15 <= time.monotonic() - started < 1.5
