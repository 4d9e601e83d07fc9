"""Settings of the ERP connector: where SAP is, how we log on, the SD codes we post with, and its policy.

One :class:`ErpSettings` is built at start-up (a field of the process's
settings object); nothing here reads the environment. The defaults talk to
the local sandbox (``sandbox.settings.DEFAULT_PORTS["erp"]`` on 127.0.0.1,
no logon, as the sandbox runs without an access token).

:meth:`ErpSettings.default_policy` is the :class:`~resolvers.policy.SystemPolicy`
the connector is designed for: stock cached briefly (seconds) with a long
stale window so an ERP outage is answered from the last figures; master data
(business partners) cached for minutes; documents (orders, returns) for
seconds; writes never cached and given a longer timeout than reads.
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

__all__ = ["DEFAULT_CHANNEL_CODES", "DEFAULT_RETURN_REASON_CODES", "ErpSettings"]

DEFAULT_CHANNEL_CODES: dict[str, str] = {
    "ONLINE": "10",
    "STORE": "20",
    "CLIENTELING": "30",
    "CALL_CENTER": "40",
}
"""Our Channel -> SAP DistributionChannel (the retailer's sales area customising)."""

DEFAULT_RETURN_REASON_CODES: dict[str, str] = {
    "DAMAGED": "101",
    "DEFECTIVE": "102",
    "WRONG_ITEM": "103",
    "NOT_AS_DESCRIBED": "104",
    "SIZE_OR_FIT": "105",
    "CHANGED_MIND": "106",
    "OTHER": "107",
}
"""Our ReturnReason -> SAP order reason (SDDocumentReason) / item ReturnReason."""

_MASTER_DATA = CachePolicy(ttl=300.0, stale_ttl=86_400.0)
_DOCUMENTS = CachePolicy(ttl=10.0, stale_ttl=600.0)


class ErpSettings(BaseModel):
    """How to reach and talk to SAP S/4HANA (OData V2 under ``/sap/opu/odata/sap/``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = "http://127.0.0.1:4101"
    """Scheme, host and port of the SAP Gateway (the sandbox's default port)."""
    odata_root: str = "/sap/opu/odata/sap"
    user: str = "RFC_RETAIL"
    """Technical user for HTTP Basic logon (only sent with a password)."""
    password: SecretStr | None = None
    """None: no Authorization header (the sandbox without an access token)."""
    sap_client: str | None = None
    """Sent as the ``sap-client`` query option when set (e.g. "100")."""
    page_size: int = Field(1000, ge=1)
    """Rows per page the Gateway answers before ``__next``: used to size requests so they fit one page."""
    max_filter_length: int = Field(6000, ge=200)
    """Longest URL-encoded ``$filter`` sent in one request; longer key lists are split over requests."""
    sales_organization: str = "1000"
    division: str = "00"
    order_type: str = "OR"
    return_type: str = "CBAR"
    one_time_customer: str = "ONETIME"
    """SoldToParty of guests and of customers without a business partner."""
    base_unit: str = "EA"
    channel_codes: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_CHANNEL_CODES))
    return_reason_codes: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_RETURN_REASON_CODES))

    def service_url(self, service: str) -> str:
        """The root of one OData service, e.g. ``.../API_SALES_ORDER_SRV``."""
        return f"{self.base_url.rstrip('/')}{self.odata_root}/{service}"

    @staticmethod
    def default_policy() -> SystemPolicy:
        """Timeouts, caching, pacing, retries and breaker for the ERP (see the module docstring)."""
        # A create that timed out may still be posting: let it settle before looking it up.
        write_retry = RetryPolicy(attempts=3, base_delay=0.2, max_delay=2.0, landed_check_delay=2.0)
        return SystemPolicy(
            timeout=10.0,
            rate=RatePolicy(rate=20.0, burst=40.0, max_wait=2.0),
            retry=RetryPolicy(attempts=3, base_delay=0.1, max_delay=1.0),
            breaker=BreakerPolicy(window_size=20, min_calls=10, failure_rate=0.5, open_seconds=30.0),
            operations={
                "csrf_token": OperationPolicy(timeout=5.0),
                "stock": OperationPolicy(timeout=5.0, cache=CachePolicy(ttl=3.0, stale_ttl=900.0)),
                "orders_by_number": OperationPolicy(cache=_DOCUMENTS),
                "orders_for_customer": OperationPolicy(cache=_DOCUMENTS),
                "customers_by_id": OperationPolicy(cache=_MASTER_DATA),
                "customers_by_email": OperationPolicy(cache=_MASTER_DATA),
                "returns_by_rma": OperationPolicy(cache=_DOCUMENTS),
                "returns_for_orders": OperationPolicy(cache=_DOCUMENTS),
                "create_order": OperationPolicy(timeout=20.0, retry=write_retry),
                "create_return": OperationPolicy(timeout=20.0, retry=write_retry),
                "update_order": OperationPolicy(timeout=10.0, retry=write_retry),
            },
        )
