"""Fault-injection knobs every sandbox system has, settable at start and at run time.

A system may extend :class:`Knobs` with its own (Shopify's cost bucket, the
OMS's reservation TTL); the admin endpoint validates updates against the
system's class, so a typo is a 422, not a silent no-op.
"""

from __future__ import annotations

import math
import random
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Knobs", "sample_latency"]


class Knobs(BaseModel):
    """Latency, errors, outages and rate limits for one sandbox system."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    latency_ms: float = Field(0.0, ge=0, description="Median added latency per request.")
    latency_p99_ms: float | None = Field(
        None, ge=0, description="99th percentile latency; above the median makes the delay log-normal."
    )
    error_rate: float = Field(0.0, ge=0, le=1, description="Share of requests answered with a 500 error.")
    outage: bool = Field(False, description="While true, every request fails (see outage_mode).")
    outage_mode: Literal["unavailable", "timeout"] = Field(
        "unavailable", description="unavailable: 503 at once; timeout: hang outage_hang_s, then 504."
    )
    outage_hang_s: float = Field(30.0, ge=0)
    rate_limit_rps: float | None = Field(
        None, gt=0, description="Requests per second before 429 + Retry-After; none for no limit."
    )
    rate_limit_burst: int = Field(20, ge=1)

    @model_validator(mode="after")
    def _p99_not_below_median(self) -> Knobs:
        if self.latency_p99_ms is not None and self.latency_p99_ms < self.latency_ms:
            raise ValueError("latency_p99_ms must not be below latency_ms")
        return self


_Z99 = 2.3263478740408408  # the standard normal's 99th percentile


def sample_latency(knobs: Knobs, rng: random.Random) -> float:
    """One delay in seconds: fixed at the median, or log-normal through median and p99."""
    median = knobs.latency_ms
    if median <= 0:
        return 0.0
    p99 = knobs.latency_p99_ms
    if p99 is None or p99 <= median:
        return median / 1000.0
    sigma = math.log(p99 / median) / _Z99
    return rng.lognormvariate(math.log(median), sigma) / 1000.0
