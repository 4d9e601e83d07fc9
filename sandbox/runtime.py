"""The run-time state of one sandbox system: its knobs, request statistics and world."""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sandbox.knobs import Knobs
from sandbox.world import World

__all__ = ["RateLimiter", "Runtime", "Stats"]


@dataclass
class Stats:
    """What a system has been asked, so that tests can count calls (batching, retries)."""

    requests: int = 0
    by_route: Counter[str] = field(default_factory=Counter)
    by_status: Counter[int] = field(default_factory=Counter)

    def record(self, method: str, path: str) -> None:
        self.requests += 1
        self.by_route[f"{method} {path}"] += 1

    def record_status(self, status: int) -> None:
        self.by_status[status] += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "by_route": dict(self.by_route),
            "by_status": {str(k): v for k, v in self.by_status.items()},
        }


@dataclass
class RateLimiter:
    """A token bucket in requests per second; ``take`` answers the wait before a retry."""

    tokens: float = 0.0
    updated: float = 0.0
    _initialised: bool = False

    def take(self, rate: float, burst: int, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        if not self._initialised:
            self.tokens, self.updated, self._initialised = float(burst), now, True
        self.tokens = min(float(burst), self.tokens + (now - self.updated) * rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / rate


@dataclass
class Runtime:
    """Everything a system's handlers and the fault middleware share."""

    system: str
    world: World
    knobs: Knobs
    rng: random.Random
    stats: Stats = field(default_factory=Stats)
    limiter: RateLimiter = field(default_factory=RateLimiter)
