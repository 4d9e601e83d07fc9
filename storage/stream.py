"""A durable stream with consumer groups: the interface behind the outbox.

Producers ``append`` payloads; workers in a consumer group ``read`` new
entries, ``ack`` the ones they finished, and periodically ``claim_stale``
entries another worker took but never acknowledged (it crashed or hung).
An entry is handed to one consumer at a time: two workers never both get
it from ``read`` or ``claim_stale``. Every hand-out counts as a delivery::

    append ──► read (delivery 1) ──ack──► done
                 │
                 └─ idle > timeout ──► claim_stale (delivery 2, 3, ...) ──ack──► done
                                          │
                                          └─ too many tries ──► dead_letter ──► replay ──► new entry

A group is created on first use and starts at the *beginning* of the
stream, so entries appended before the first worker started are not lost.
Dead letters belong to the stream (not the group); ``replay`` removes the
dead letter and appends its payload again as a new entry, which every group
then sees. Entry ids are opaque strings, increasing in append order within
one stream. Implementations: ``storage.sqlite.SqliteStream`` (durable, safe
across processes on one file) and ``storage.redis.RedisStream`` (Redis Streams).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

__all__ = ["DeadLetter", "DurableStream", "StreamEntry"]


@dataclass(frozen=True, slots=True)
class StreamEntry:
    """One entry as handed to a consumer."""

    id: str
    payload: bytes
    delivery_count: int
    """How many times the entry has been handed out in this group, this time included."""


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An entry set aside after failing too often, with why."""

    id: str
    """The dead letter's own id (pass it to ``replay``)."""
    entry_id: str
    """The id the entry had in the stream."""
    group: str
    payload: bytes
    reason: str
    delivery_count: int
    dead_at: float
    """Wall-clock seconds since the epoch when it was dead-lettered."""


@runtime_checkable
class DurableStream(Protocol):
    """Named append-only streams read through consumer groups, with redelivery and dead letters."""

    async def append(self, stream: str, payload: bytes) -> str:
        """Append ``payload``; returns the new entry's id."""
        ...

    async def read(
        self, stream: str, group: str, consumer: str, count: int = 10, block_seconds: float = 0.0
    ) -> list[StreamEntry]:
        """Hand up to ``count`` never-delivered entries to ``consumer``, oldest first.

        Waits up to ``block_seconds`` for one to arrive when there are none
        (0 = do not wait). The entries stay pending until acknowledged.
        """
        ...

    async def ack(self, stream: str, group: str, entry_id: str) -> bool:
        """Mark the entry done for ``group``; True if it was pending."""
        ...

    async def claim_stale(
        self, stream: str, group: str, consumer: str, min_idle_seconds: float, count: int = 10
    ) -> list[StreamEntry]:
        """Take over up to ``count`` pending entries idle for ``min_idle_seconds`` or more.

        Each claimed entry's delivery count goes up by one and its idle time
        restarts, so a second claimer does not get it too.
        """
        ...

    async def dead_letter(self, stream: str, group: str, entry_id: str, reason: str) -> str:
        """Move a pending entry to the stream's dead letters and ack it; returns the dead letter id.

        Raises ``StreamEntryNotFound`` if the entry is not pending in ``group``.
        """
        ...

    async def dead_letters(self, stream: str, count: int = 100) -> list[DeadLetter]:
        """Up to ``count`` dead letters of ``stream``, oldest first."""
        ...

    async def replay(self, stream: str, dead_letter_id: str) -> str:
        """Re-append a dead letter's payload as a new entry and remove the dead letter.

        Returns the new entry id; raises ``StreamEntryNotFound`` if there is no such dead letter.
        """
        ...
