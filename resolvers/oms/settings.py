"""How the OMS connector reaches its system, and the policy it is called under by default.

:class:`OmsSettings` is built once at start-up (a field of the process's
settings); nothing here reads the environment. The defaults talk to the
sandbox OMS on its default port without a token (the sandbox asks for one
only when started with ``access_token``).

:meth:`OmsSettings.default_policy` gives the per-operation timeouts, cache
TTLs, pacing, retries and breaker the connector was designed for; a
deployment may override any of it in its :class:`~resolvers.policy.ConnectorPolicies`
under the system name ``"oms"``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from resolvers.policy import (
    BreakerPolicy,
    CachePolicy,
    OperationPolicy,
    RatePolicy,
    RetryPolicy,
    SystemPolicy,
)

__all__ = ["SYSTEM", "OmsSettings"]

SYSTEM = "oms"
"""The system's name in policies, cache keys and spans."""

_MAX_PAGE_SIZE = 250
"""The OMS's (Moqui's) largest ``pageSize``."""
_MAX_SEARCH_IDS = 500
"""The most ``productIds`` (and ``facilityIds``) one ``POST /inventory/search`` takes."""


class OmsSettings(BaseModel):
    """Base URL, credentials and request sizing of the OMS connector."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = "http://127.0.0.1:4102"
    """Scheme, host and port of the OMS (the sandbox's default port)."""
    base_path: str = "/rest/s1/oms"
    """The REST API's root under ``base_url``."""
    access_token: SecretStr | None = None
    """Sent on every request when set; None for an OMS that asks for no credentials."""
    auth_header: Literal["bearer", "api_key"] = "bearer"
    """How the token travels: ``Authorization: Bearer <token>`` or an ``api_key`` header."""
    page_size: int = Field(_MAX_PAGE_SIZE, ge=1, le=_MAX_PAGE_SIZE)
    """``pageSize`` of listings (facilities, orders, returns): the largest, so one page is the usual case."""
    search_batch: int = Field(_MAX_SEARCH_IDS, ge=1, le=_MAX_SEARCH_IDS)
    """SKUs (and facilities) per ``POST /inventory/search``; more are split into concurrent calls."""
    concurrency: int = Field(8, ge=1, le=64)
    """Calls in flight at once for lookups the OMS only answers one key at a time (orders, returns)."""

    @property
    def api_root(self) -> str:
        return self.base_url.rstrip("/") + "/" + self.base_path.strip("/")

    def auth_headers(self) -> dict[str, str]:
        """The credential headers every request carries (none without a token)."""
        if self.access_token is None:
            return {}
        token = self.access_token.get_secret_value()
        if self.auth_header == "api_key":
            return {"api_key": token}
        return {"Authorization": f"Bearer {token}"}

    def default_policy(self) -> SystemPolicy:
        """Timeouts, caching, pacing, retries and breaking per operation (see the package docstring)."""
        master = CachePolicy(ttl=300.0, stale_ttl=86_400.0)
        live = CachePolicy(ttl=2.0, stale_ttl=600.0)
        return SystemPolicy(
            timeout=5.0,
            cache=CachePolicy(),
            rate=RatePolicy(rate=50.0, burst=100.0, max_wait=2.0),
            retry=RetryPolicy(attempts=3, base_delay=0.05, max_delay=1.0, max_retry_after=5.0),
            breaker=BreakerPolicy(window_size=20, min_calls=10, failure_rate=0.5, open_seconds=15.0),
            operations={
                # master data: long, and served stale for a day when the OMS is down
                "locations": OperationPolicy(cache=master),
                "return_reasons": OperationPolicy(cache=CachePolicy(ttl=3_600.0, stale_ttl=86_400.0)),
                # stock moves with every sale: seconds fresh, minutes stale-if-error
                "stock": OperationPolicy(timeout=3.0, cache=CachePolicy(ttl=3.0, stale_ttl=300.0)),
                # orders and returns: a short fresh window (writes here invalidate it), stale on outages
                "orders_by_number": OperationPolicy(cache=live),
                "order_shipments": OperationPolicy(cache=live),
                "orders_for_customer": OperationPolicy(cache=CachePolicy(ttl=5.0, stale_ttl=600.0)),
                "orders_listing": OperationPolicy(cache=live),  # the orders subgraph's GET /orders pages
                "returns_for_order": OperationPolicy(cache=live),
                # writes: longer timeouts; every one is safe to retry (see the package docstring)
                "create_order": OperationPolicy(timeout=10.0),
                "create_return": OperationPolicy(timeout=10.0),
                "reserve": OperationPolicy(timeout=5.0),
            },
        )
