"""Start-up settings of a sandbox system (flags or RETAIL_SANDBOX_* environment variables)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_PORTS", "SandboxSettings", "SystemName"]

SystemName = Literal["erp", "oms", "pos", "shopify"]

DEFAULT_PORTS: dict[str, int] = {"erp": 4101, "oms": 4102, "pos": 4103, "shopify": 4104}


class SandboxSettings(BaseSettings):
    """One settings object, built once at start-up; nothing else reads the environment."""

    model_config = SettingsConfigDict(env_prefix="RETAIL_SANDBOX_", extra="forbid")

    host: str = "127.0.0.1"
    port: int | None = Field(None, description="Defaults to the system's port in DEFAULT_PORTS.")
    seed: int = 42
    size: Literal["small", "large"] = "small"
    knobs: dict[str, Any] = Field(default_factory=dict, description="Initial knobs, as JSON.")
    access_token: str | None = Field(
        None, description="When set, requests must carry it (each system in its own way)."
    )
    shopify_api_version: str = "2025-01"
    shopify_shop_domain: str = "retail-sandbox.myshopify.com"
    shopify_webhook_url: str | None = None
    shopify_webhook_secret: str = "sandbox-webhook-secret"
    log_level: str = "warning"

    def port_for(self, system: str) -> int:
        return self.port if self.port is not None else DEFAULT_PORTS[system]
