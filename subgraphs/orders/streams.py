"""The listings' positions merged newest first, each listing read only as far as the merge has used it.

A :class:`Stream` is one listing (:mod:`subgraphs.orders.sources`) read a
slice at a time below where its last slice ended; what it has read and the
merge has not taken yet stays in its buffer for the next round, so a listing
whose orders are sparse in time is not read again while a dense one is paged
through. :class:`Merged` takes positions newest first from the heads of the
streams while every stream that is not exhausted still has something read:
the head it takes is then newer than anything unread anywhere (each stream's
unread positions are below what it has read), so each position taken is
certain and a page never has gaps. When a stream runs dry it is read again
before the merge goes on (the dry ones at once), and :meth:`Merged.read_ahead`
starts those reads early (while the caller loads the orders it just took).
A number two listings both hold is taken once, at its newest position.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence

from subgraphs.orders.sources import Listing, Position

__all__ = ["Merged", "Stream"]


class Stream:
    """One listing's positions below ``start``, newest first, read ``want`` at a time."""

    def __init__(self, listing: Listing, start: Position | None) -> None:
        self.listing = listing
        self._below = start
        self._buffer: deque[Position] = deque()
        self._exhausted = False
        self._reading: asyncio.Task[None] | None = None

    @property
    def dry(self) -> bool:
        """Nothing read is left and the listing may have more."""
        return not self._buffer and not self._exhausted

    @property
    def spent(self) -> bool:
        """Nothing read is left and the listing has no more."""
        return not self._buffer and self._exhausted

    def head(self) -> Position | None:
        return self._buffer[0] if self._buffer else None

    def take(self) -> Position:
        return self._buffer.popleft()

    def read_ahead(self, want: int) -> None:
        """Start reading the next slice now if the stream is dry."""
        if self.dry and self._reading is None:
            self._reading = asyncio.ensure_future(self._read(want))

    async def fill(self, want: int) -> None:
        """Read the next slice if the stream is dry (or finish the read already started)."""
        if self._reading is not None:
            reading, self._reading = self._reading, None
            await reading
        if self.dry:
            await self._read(want)

    async def _read(self, want: int) -> None:
        piece = await self.listing.below(self._below, want)
        self._buffer.extend(piece.positions)
        if piece.positions:
            self._below = piece.positions[-1]
        # A slice that brings nothing ends the stream, whatever the listing says: no endless reads.
        self._exhausted = piece.exhausted or not piece.positions

    def close(self) -> None:
        """Cancel a read no one will wait for (its failure, if it failed, is retrieved: no warning)."""
        reading, self._reading = self._reading, None
        if reading is None:
            return
        reading.cancel()
        if reading.done() and not reading.cancelled():
            reading.exception()


class Merged:
    """The positions of several listings below ``start``, newest first, one number once."""

    def __init__(self, listings: Sequence[Listing], start: Position | None) -> None:
        self.streams = [Stream(listing, start) for listing in listings]
        self._taken: set[str] = set()

    async def take(self, want: int) -> tuple[list[Position], bool]:
        """The next ``want`` positions (fewer only at the end), and whether none is left after them.

        When a listing runs dry before ``want`` are taken, the dry ones are read again (at once)."""
        found: list[Position] = []
        while len(found) < want:
            await asyncio.gather(*(stream.fill(want) for stream in self.streams if stream.dry))
            while len(found) < want and not any(stream.dry for stream in self.streams):
                heads = [(head, stream) for stream in self.streams if (head := stream.head()) is not None]
                if not heads:
                    break
                position, newest = max(heads, key=lambda pair: pair[0])
                newest.take()
                if position.number not in self._taken:
                    self._taken.add(position.number)
                    found.append(position)
            if all(stream.spent for stream in self.streams):
                break
        return found, all(stream.spent for stream in self.streams)

    def read_ahead(self, want: int) -> None:
        for stream in self.streams:
            stream.read_ahead(want)

    def close(self) -> None:
        for stream in self.streams:
            stream.close()
