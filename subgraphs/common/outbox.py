"""A durable outbox: work for another system, queued before the client is answered, done once in effect.

**Shared** by the subgraphs: orders posts accepted orders to the ERP with it
(:mod:`subgraphs.orders.posting`), returns posts the RMAs the ERP could not
take at once (:mod:`subgraphs.returns.postings`). Nothing here knows either:
a producer :func:`enqueue` s a payload on a named stream of
:class:`storage.DurableStream` *before* it answers; an :class:`OutboxWorker`
(a subgraph's background task, or a process of its own) reads the stream in
a consumer group and hands each payload to the stream's
:class:`OutboxHandler`, which names the payload's business key and delivers
it, as often and as patiently as its :class:`OutboxPolicy` says.

What makes it safe, with ``<stream>:<key>`` markers in the
:class:`storage.IdempotencyStore` (durable on SQLite and Redis):

* **one delivery at a time per key**: a worker takes a *lease* (an in-progress
  record, ``lease_s`` long, longer than one delivery can take) before it
  delivers; a worker that finds the lease taken leaves the entry for later. A
  worker killed mid-delivery holds its lease until it expires, then another
  takes over (``claim_stale`` after ``takeover_s`` idle) and delivers again,
  which the handler must make harmless (the ERP connector looks an order or
  return up by its number before creating it);
* **done once**: a delivered key's lease becomes a *done marker* holding the
  handler's result (:func:`delivered`); a duplicate entry, or a replay after
  success, is acknowledged without a second delivery;
* **retries with exponential backoff**: a failed entry stays pending and is
  tried again after ``backoff_base_s * 2**(attempts - 1)`` (capped, jittered);
  after ``attempts`` tries it is dead-lettered with the last error, and
  :func:`replay_dead_letters` queues it again. While the target is down (the
  handler says the error is an *outage*), the worker stops taking entries and
  probes the target at the same growing intervals, so an outage does not use
  up every entry's tries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from storage import (
    DeadLetter,
    DurableStream,
    IdempotencyStore,
    StartStatus,
    StreamEntry,
    StreamEntryNotFound,
)

__all__ = [
    "OutboxHandler",
    "OutboxPolicy",
    "OutboxWorker",
    "dead_letters_by_key",
    "delivered",
    "enqueue",
    "replay_dead_letters",
]

_log = logging.getLogger(__name__)


class OutboxHandler(Protocol):
    """What an outbox delivers and how (one per stream)."""

    def key(self, payload: bytes) -> str:
        """The payload's business key (an order or RMA number): one delivery at a time, done once."""
        ...

    async def deliver(self, payload: bytes) -> bytes:
        """Do the work (idempotent by key); the answer is kept in the key's done marker."""
        ...

    async def probe(self) -> None:
        """Raise if the target does not answer (called while it is down, before taking entries)."""
        ...

    def is_outage(self, error: Exception) -> bool:
        """Whether ``error`` says the target is down (rather than this payload being at fault)."""
        ...


@dataclass(frozen=True, slots=True)
class OutboxPolicy:
    """How a worker delivers: tries, batches, waits, leases and backoff."""

    attempts: int = 8
    """Tries of one entry before it is dead-lettered."""
    batch: int = 10
    """Entries taken (and delivered concurrently) per round."""
    block_s: float = 1.0
    """How long a round waits for a new entry when there is nothing to do."""
    takeover_s: float = 60.0
    """Idle time after which a pending entry is taken from its (presumably dead) worker."""
    lease_s: float = 120.0
    """How long one delivery may take; a dead worker's lease blocks its key this long."""
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    done_ttl_s: float = 90 * 86_400.0
    """How long done markers are kept (a replay within that time is recognised)."""


def _marker(stream: str, key: str) -> str:
    return f"outbox:{stream}:{key}"


async def enqueue(streams: DurableStream, stream: str, payload: bytes) -> str:
    """Append ``payload`` to the outbox ``stream`` (durably, before answering); its entry id."""
    return await streams.append(stream, payload)


async def delivered(markers: IdempotencyStore, stream: str, key: str) -> bytes | None:
    """The handler's answer if ``key`` was delivered through ``stream`` (None if not, or not yet)."""
    record = await markers.get(_marker(stream, key))
    return record.result if record is not None and record.result is not None else None


async def dead_letters_by_key(
    streams: DurableStream, stream: str, key_of: Callable[[bytes], str], *, count: int = 10_000
) -> dict[str, DeadLetter]:
    """The stream's dead letters by business key (the newest per key)."""
    found: dict[str, DeadLetter] = {}
    for letter in await streams.dead_letters(stream, count):
        try:
            found[key_of(letter.payload)] = letter
        except ValueError:
            _log.warning("dead letter %s of %s has an unreadable payload", letter.id, stream)
    return found


async def replay_dead_letters(
    streams: DurableStream, stream: str, key_of: Callable[[bytes], str], keys: Iterable[str] | None = None
) -> list[str]:
    """Queue the dead letters of ``keys`` (all when None) again; the new entry ids."""
    wanted = set(keys) if keys is not None else None
    letters = await dead_letters_by_key(streams, stream, key_of)
    return [
        await streams.replay(stream, letter.id)
        for key, letter in letters.items()
        if wanted is None or key in wanted
    ]


@dataclass
class _Retry:
    entry: StreamEntry
    attempts: int
    due: float


class OutboxWorker:
    """Delivers the entries of ``stream`` as ``consumer`` in the consumer ``group`` (see the module
    docstring); workers of one group share the entries, each entry going to one of them at a time."""

    def __init__(
        self,
        streams: DurableStream,
        markers: IdempotencyStore,
        handler: OutboxHandler,
        *,
        stream: str,
        group: str,
        consumer: str,
        policy: OutboxPolicy = OutboxPolicy(),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.streams, self.markers, self.handler = streams, markers, handler
        self.stream, self.group, self.consumer, self.policy = stream, group, consumer, policy
        self._clock, self._sleep = clock, sleep
        self._retries: dict[str, _Retry] = {}
        self._outages = 0
        """Consecutive rounds that found the target down (0: it answers)."""

    def _backoff(self, n: int) -> float:
        step = min(self.policy.backoff_max_s, self.policy.backoff_base_s * 2.0 ** max(0, n - 1))
        return step * (0.5 + random.random() / 2)

    async def run(self) -> None:
        """Deliver until cancelled; a failing round (storage down) backs off and tries again."""
        failures = 0
        while True:
            try:
                await self.run_once()
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception:  # broad on purpose: the worker outlives any single failure
                failures += 1
                _log.exception("outbox %s: round failed (%d in a row)", self.stream, failures)
                await self._sleep(self._backoff(failures))

    async def run_once(self) -> int:
        """One round: take due retries, stale and new entries, deliver them; how many were finished."""
        if self._outages and not await self._target_back():
            return 0
        entries = await self._take()
        finished = await asyncio.gather(*(self._attempt(entry, tries) for entry, tries in entries))
        return sum(finished)

    async def _target_back(self) -> bool:
        await self._sleep(self._backoff(self._outages))
        try:
            await self.handler.probe()
        except Exception as exc:  # the probe's failure is the outage going on
            self._outages += 1
            _log.info("outbox %s: target still down (%s)", self.stream, exc)
            return False
        self._outages = 0
        now = self._clock()
        for retry in self._retries.values():
            retry.due = min(retry.due, now)
        return True

    async def _take(self) -> list[tuple[StreamEntry, int]]:
        now, batch = self._clock(), self.policy.batch
        due = sorted((r for r in self._retries.values() if r.due <= now), key=lambda r: r.due)[:batch]
        taken = [(r.entry, r.attempts) for r in due]
        if len(taken) < batch:
            for entry in await self.streams.claim_stale(
                self.stream, self.group, self.consumer, self.policy.takeover_s, batch - len(taken)
            ):
                mine = self._retries.get(entry.id)
                if mine is None:
                    taken.append((entry, entry.delivery_count - 1))
                elif mine not in due:  # our own entry, still backing off: keep waiting
                    mine.entry = entry
        if len(taken) < batch:
            wait = 0.0 if taken else self._idle_wait(now)
            fresh = await self.streams.read(self.stream, self.group, self.consumer, batch - len(taken), wait)
            taken.extend((entry, 0) for entry in fresh)
        return taken

    def _idle_wait(self, now: float) -> float:
        nearest = min((r.due for r in self._retries.values()), default=now + self.policy.block_s)
        return max(0.0, min(self.policy.block_s, nearest - now))

    async def _attempt(self, entry: StreamEntry, tries: int) -> int:
        """Deliver one entry; 1 when it is finished with (delivered, found delivered, dead), else 0."""
        try:
            key = self.handler.key(entry.payload)
        except ValueError as exc:
            return await self._dead(entry, f"unreadable payload: {exc}")
        marker = _marker(self.stream, key)
        lease = await self.markers.start(marker, self.consumer, self.policy.lease_s)
        if lease.status is StartStatus.DONE:
            return await self._finish(entry)
        if lease.status is StartStatus.IN_PROGRESS:  # another worker delivers it right now
            self._later(entry, tries, self._backoff(1))
            return 0
        try:
            result = await self.handler.deliver(entry.payload)
        except Exception as exc:  # any failure of a delivery is retried, then dead-lettered
            await self.markers.abandon(marker)
            return await self._failed(entry, tries + 1, exc)
        await self.markers.complete(marker, result, self.policy.done_ttl_s)
        return await self._finish(entry)

    async def _finish(self, entry: StreamEntry) -> int:
        await self.streams.ack(self.stream, self.group, entry.id)
        self._retries.pop(entry.id, None)
        return 1

    def _later(self, entry: StreamEntry, tries: int, delay: float) -> None:
        self._retries[entry.id] = _Retry(entry, tries, self._clock() + delay)

    async def _failed(self, entry: StreamEntry, tries: int, error: Exception) -> int:
        outage = self.handler.is_outage(error)
        if outage:
            self._outages = max(self._outages, 1)
        if tries >= self.policy.attempts:
            return await self._dead(entry, f"{type(error).__name__}: {error}", tries)
        _log.warning("outbox %s: entry %s failed (try %d): %s", self.stream, entry.id, tries, error)
        self._later(entry, tries, self._backoff(tries))
        return 0

    async def _dead(self, entry: StreamEntry, reason: str, tries: int = 0) -> int:
        _log.error(
            "outbox %s: entry %s dead-lettered after %d tries: %s", self.stream, entry.id, tries, reason
        )
        with contextlib.suppress(StreamEntryNotFound):  # another worker took it over and finished it
            await self.streams.dead_letter(self.stream, self.group, entry.id, reason[:2000])
        self._retries.pop(entry.id, None)
        return 1
