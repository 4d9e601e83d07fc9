"""The listings' positions merged newest first, each listing read only as far as the merge needs it.

A :class:`Stream` is one listing (:mod:`subgraphs.orders.sources`) read a
slice at a time below where its last slice ended; what it has read and the
merge has not taken yet stays in its buffer for the next round, so a listing
whose orders are sparse in time is not read again while a dense one is paged
through. :class:`Merged` takes positions newest first from the heads of the
streams while every stream that is not exhausted still has something read:
the head it takes is then newer than anything unread anywhere (each stream's
unread positions are below what it has read), so each position taken is
certain and a page never has gaps.

Before taking ``n`` positions the merge looks at what is read: the ``n``-th
newest of all buffered positions is where it would stop, and a stream whose
buffer ends above that point would run dry on the way, so those streams (and
only those) are read first, all at once: one listing call on the round's
chain, as when every listing was read each round, without re-reading the
sparse ones. :meth:`Merged.read_ahead` starts those reads for the next round
early (while the caller loads the orders it just took). A number two
listings both hold is taken once, at its newest position.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from collections.abc import Sequence

from subgraphs.orders.sources import Listing, Position

__all__ = ["Merged", "Stream"]


class Stream:
    """One listing's positions below ``start``, newest first, read ``want`` at a time."""

    def __init__(self, listing: Listing, start: Position | None) -> None:
        self.listing = listing
        self._below = start
        self.buffer: deque[Position] = deque()
        """Read and not taken yet, newest first."""
        self.exhausted = False
        """The listing has nothing below what was read."""
        self._reading: asyncio.Task[None] | None = None

    @property
    def dry(self) -> bool:
        """Nothing read is left and the listing may have more."""
        return not self.buffer and not self.exhausted

    def start(self, want: int) -> None:
        """Start reading the next slice, unless a read is under way or the listing has no more."""
        if self._reading is None and not self.exhausted:
            self._reading = asyncio.ensure_future(self._read(want))

    async def settle(self) -> None:
        """Wait for the read under way, if any."""
        if self._reading is not None:
            reading, self._reading = self._reading, None
            await reading

    async def _read(self, want: int) -> None:
        piece = await self.listing.below(self._below, want)
        self.buffer.extend(piece.positions)
        if piece.positions:
            self._below = piece.positions[-1]
        # A slice that brings nothing ends the stream, whatever the listing says: no endless reads.
        self.exhausted = piece.exhausted or not piece.positions

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

    def _short(self, need: int) -> list[Stream]:
        """The streams that would run dry before ``need`` more positions are taken."""
        buffered = heapq.nlargest(need, itertools.chain.from_iterable(s.buffer for s in self.streams))
        stop = buffered[-1] if len(buffered) >= need else None
        return [
            stream
            for stream in self.streams
            if not stream.exhausted and (stop is None or not stream.buffer or stream.buffer[-1] > stop)
        ]

    async def take(self, want: int) -> tuple[list[Position], bool]:
        """The next ``want`` positions (fewer only at the end), and whether none is left after them."""
        found: list[Position] = []
        while len(found) < want:
            for stream in self._short(want - len(found)):
                stream.start(want)
            await asyncio.gather(*(stream.settle() for stream in self.streams))
            while len(found) < want and not any(stream.dry for stream in self.streams):
                heads = [(stream.buffer[0], stream) for stream in self.streams if stream.buffer]
                if not heads:
                    break
                position, newest = max(heads, key=lambda pair: pair[0])
                newest.buffer.popleft()
                if position.number not in self._taken:
                    self._taken.add(position.number)
                    found.append(position)
            if all(stream.exhausted and not stream.buffer for stream in self.streams):
                break
        return found, all(stream.exhausted and not stream.buffer for stream in self.streams)

    def read_ahead(self, want: int) -> None:
        """Start the reads the next ``want`` positions will need."""
        for stream in self._short(want):
            stream.start(want)

    def close(self) -> None:
        for stream in self.streams:
            stream.close()
