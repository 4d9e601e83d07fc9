"""Two counters over a rolling time window, kept in a ring of time slots (no per-event memory).

Used by the retry budget (calls, retries) and by a time-window circuit
breaker (calls, failures). Events older than the window fall out a slot at
a time, so the window is exact to within one slot (``window / slots``).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["RollingCounts"]


class RollingCounts:
    """``(total, marked)`` counts over the last ``window`` seconds of ``clock``."""

    def __init__(self, window: float, clock: Callable[[], float], slots: int = 10) -> None:
        if window <= 0 or slots < 1:
            raise ValueError("window must be positive and slots at least 1")
        self._width = window / slots
        self._clock = clock
        self._epochs = [-1] * slots
        self._totals = [0] * slots
        self._marked = [0] * slots

    def _slot(self) -> tuple[int, int]:
        epoch = int(self._clock() // self._width)
        index = epoch % len(self._epochs)
        if self._epochs[index] != epoch:
            self._epochs[index] = epoch
            self._totals[index] = 0
            self._marked[index] = 0
        return index, epoch

    def add(self, total: int = 1, marked: int = 0) -> None:
        """Count ``total`` events, ``marked`` of which are failures (or retries)."""
        index, _ = self._slot()
        self._totals[index] += total
        self._marked[index] += marked

    def totals(self) -> tuple[int, int]:
        """``(total, marked)`` within the window."""
        _, now = self._slot()
        oldest = now - len(self._epochs) + 1
        total = marked = 0
        for epoch, t, m in zip(self._epochs, self._totals, self._marked, strict=True):
            if epoch >= oldest:
                total += t
                marked += m
        return total, marked

    def reset(self) -> None:
        self._epochs = [-1] * len(self._epochs)
