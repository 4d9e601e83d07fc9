"""Shopify's own knobs: the query-cost bucket and webhook delivery behaviour."""

from __future__ import annotations

from pydantic import Field

from sandbox.knobs import Knobs

__all__ = ["ShopifyKnobs"]


class ShopifyKnobs(Knobs):
    """The generic knobs plus Shopify's leaky bucket and webhook delivery."""

    cost_bucket_size: float = Field(
        1000.0, gt=0, description="Points the bucket holds (standard plan: 1000)."
    )
    cost_restore_rate: float = Field(
        50.0, ge=0, description="Points restored per second (standard plan: 50)."
    )
    max_query_cost: int = Field(1000, ge=1, description="A single query's requested cost limit.")
    webhook_retry_base_s: float = Field(1.0, ge=0, description="First retry delay; doubles per attempt.")
    webhook_max_attempts: int = Field(8, ge=1, le=50, description="Attempts before a delivery is given up.")
    webhook_timeout_s: float = Field(5.0, gt=0, description="How long a receiver may take to answer.")
    webhook_duplicate_rate: float = Field(
        0.0, ge=0, le=1, description="Share of delivered webhooks sent once more with the same webhook id."
    )
