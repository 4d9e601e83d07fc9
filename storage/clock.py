"""The clock the embedded backends read, injectable so tests need not sleep.

A clock is any zero-argument callable returning wall-clock seconds since the
epoch as a float (``time.time`` by default). Wall-clock rather than monotonic
time, because the values are stored (``stored_at``, expiry) and compared by
other processes that share a SQLite file. The Redis backends never use it:
they read the server's ``TIME`` so that every gateway instance shares one
clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeAlias

__all__ = ["Clock", "system_clock"]

Clock: TypeAlias = Callable[[], float]


def system_clock() -> float:
    """Wall-clock seconds since the epoch (``time.time``)."""
    return time.time()
