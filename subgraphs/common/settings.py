"""Settings of a subgraph process: one object built at start-up (flags and RETAIL_SUBGRAPH_* variables).

Every subgraph reads the same settings class (one deployment configures them
all alike); each uses the parts it needs. Nested values come from the
environment as JSON or with ``__`` (``RETAIL_SUBGRAPH_ERP__BASE_URL``).

State (idempotency records, the ERP outbox, caches, pacing buckets) lives in
``storage_url``: SQLite by default, one file that every subgraph process of
this machine shares; ``redis://`` when several machines run the stack.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from resolvers.erp import ErpSettings
from resolvers.oms import OmsSettings
from resolvers.policy import ConnectorPolicies, SystemPolicy
from resolvers.pos import PosSettings
from resolvers.shopify import ShopifySettings

__all__ = ["DEFAULT_PORTS", "OrderRules", "SubgraphSettings"]

DEFAULT_PORTS: dict[str, int] = {
    "catalog": 4001,
    "inventory": 4002,
    "orders": 4003,
    "returns": 4004,
    "customers": 4005,
}


class OrderRules(BaseModel):
    """Business limits of order submission and return authorisation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_lines: int = Field(50, ge=1)
    max_quantity_per_line: int = Field(999, ge=1)
    reservation_ttl_s: int = Field(900, ge=1)
    return_window_days: int = Field(30, ge=0)
    idempotency_ttl_s: float = Field(86_400.0, gt=0)
    """How long an idempotency key is remembered."""
    idempotency_wait_s: float = Field(10.0, ge=0)
    """How long a concurrent duplicate waits for the first to finish before IDEMPOTENCY_KEY_IN_PROGRESS."""
    erp_posting_attempts: int = Field(8, ge=1)
    """Tries of one ERP posting before it is dead-lettered (erpPosting FAILED)."""
    currency: str = "USD"


class SubgraphSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RETAIL_SUBGRAPH_", env_nested_delimiter="__", extra="forbid"
    )

    host: str = "127.0.0.1"
    port: int | None = Field(None, description="Defaults to the subgraph's port in DEFAULT_PORTS.")
    storage_url: str = Field(
        "sqlite:///.retail/state.sqlite3", description="memory://, sqlite:///PATH, redis://"
    )
    erp: ErpSettings = ErpSettings()
    oms: OmsSettings = OmsSettings()
    pos: PosSettings = PosSettings()
    shopify: ShopifySettings = ShopifySettings()
    policies: dict[str, SystemPolicy] = Field(
        default_factory=dict, description="Per-system policy overrides (defaults: each connector's)."
    )
    orders: OrderRules = OrderRules()
    shopify_webhook_secret: str = Field(
        "sandbox-webhook-secret", description="Shared secret of the webhooks."
    )
    run_outbox_worker: bool = Field(True, description="orders: post the ERP outbox in this process.")
    log_level: str = "warning"

    def port_for(self, name: str) -> int:
        return self.port if self.port is not None else DEFAULT_PORTS[name]

    def connector_policies(self) -> ConnectorPolicies:
        """Each connector's default policy, replaced by a configured one where given."""
        systems = {
            "erp": self.erp.default_policy(),
            "oms": self.oms.default_policy(),
            "pos": self.pos.default_policy(),
            "shopify": self.shopify.default_policy(),
        }
        systems.update(self.policies)
        return ConnectorPolicies(systems=systems)
