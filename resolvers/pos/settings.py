"""Settings of the POS connector (Square API v2) and its default call policy.

:class:`PosSettings` is built once at start-up (it may be a field of the
process's settings object; nothing here reads the environment). The defaults
talk to the local sandbox: ``http://127.0.0.1:4103`` (``sandbox.settings.DEFAULT_PORTS``)
with a bearer token the sandbox accepts when it has none configured.

:meth:`PosSettings.default_policy` is the :class:`~resolvers.policy.SystemPolicy`
to register under ``"pos"``; the operation names are the connector's
(:mod:`resolvers.pos.client`):

=======================  ==========  ===========  =====================================================
operation                ttl (s)     stale (s)    why
=======================  ==========  ===========  =====================================================
stock                    3           600          counts move with every sale; stale beats nothing
catalog_by_skus/_ids     3600        86400        master data (SKU <-> variation id)
orders_search            0           0            the order-number index scan: never cached
orders_by_ids            2           600          orders change slowly; a few seconds is fine
orders_for_customer      5           600
refund                   3600        86400        refund id -> its order (never changes)
customers_by_reference   60          3600         profiles; also resolves our id -> Square id
customers_by_email       60          3600
customer_by_id           3600        86400        Square id -> our id (reference_id) for orders
loyalty_accounts         30          3600
loyalty_program          3600        86400        the reward tiers
create_order             -           -            a write (idempotent via ``idempotency_key``)
=======================  ==========  ===========  =====================================================
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from resolvers.policy import (
    BreakerPolicy,
    CachePolicy,
    OperationPolicy,
    RatePolicy,
    RetryPolicy,
    SystemPolicy,
)

__all__ = ["PosSettings"]


def _cached(ttl: float, stale_ttl: float, timeout: float | None = None) -> OperationPolicy:
    return OperationPolicy(cache=CachePolicy(ttl=ttl, stale_ttl=stale_ttl), timeout=timeout)


class PosSettings(BaseModel):
    """Where the POS (Square) is and how the connector talks to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = "http://127.0.0.1:4103"
    """Square's API host (``https://connect.squareup.com`` in production); ``/v2`` is appended."""
    access_token: SecretStr = SecretStr("sandbox-token")
    """Sent as ``Authorization: Bearer ...``; the sandbox takes any token unless it was started with one."""
    square_version: str = Field("2025-01-23", pattern=r"^\d{4}-\d{2}-\d{2}$")
    """The ``Square-Version`` header: the API version this connector was written against."""
    source_name: str = "Retail Gateway"
    """``order.source.name`` on the orders this connector creates."""
    catalog_ttl: float = Field(3600.0, gt=0)
    """Seconds a SKU <-> variation id pair is kept in process (master data)."""
    catalog_miss_ttl: float = Field(60.0, ge=0)
    """Seconds a SKU the catalog does not know is remembered as unknown."""
    order_index_refresh: float = Field(2.0, ge=0)
    """A number missing from the order index rescans recent orders at most this often."""
    order_index_overlap: float = Field(300.0, ge=0)
    """Incremental rescans start this many seconds before the newest ``updated_at`` already seen."""

    @property
    def api_url(self) -> str:
        return self.base_url.rstrip("/") + "/v2"

    def default_policy(self) -> SystemPolicy:
        """Timeouts, caching, pacing, retries and breaker for ``"pos"`` (module docstring)."""
        return SystemPolicy(
            timeout=5.0,
            rate=RatePolicy(rate=10.0, burst=20.0, max_wait=2.0),
            retry=RetryPolicy(attempts=3, base_delay=0.1, max_delay=1.0, max_retry_after=10.0),
            breaker=BreakerPolicy(window_size=20, min_calls=10, failure_rate=0.5, open_seconds=30.0),
            operations={
                "stock": _cached(3.0, 600.0, timeout=3.0),
                "catalog_by_skus": _cached(3600.0, 86400.0),
                "catalog_by_ids": _cached(3600.0, 86400.0),
                "orders_search": OperationPolicy(timeout=10.0),
                "orders_by_ids": _cached(2.0, 600.0),
                "orders_for_customer": _cached(5.0, 600.0),
                "orders_listing": _cached(2.0, 600.0),  # the orders subgraph's SearchOrders pages
                "refund": _cached(3600.0, 86400.0),
                "customers_by_reference": _cached(60.0, 3600.0),
                "customers_by_email": _cached(60.0, 3600.0),
                "customer_by_id": _cached(3600.0, 86400.0),
                "loyalty_accounts": _cached(30.0, 3600.0),
                "loyalty_program": _cached(3600.0, 86400.0),
                "create_order": OperationPolicy(timeout=10.0),
            },
        )
