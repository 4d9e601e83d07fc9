"""The gateway's settings: one object built at start-up from flags and RETAIL_GATEWAY_* variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["GatewaySettings"]


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RETAIL_GATEWAY_", extra="forbid")

    supergraph: Path | None = Field(None, description="The supergraph SDL file to serve.")
    host: str = "127.0.0.1"
    port: int = 4000
    dedupe_subgraph_requests: bool = Field(True, description="Share identical in-flight subgraph fetches.")
    dedupe_inbound: bool = Field(True, description="Share identical in-flight client queries.")
    batch_entity_fetches: bool = Field(
        True, description="Send the entity fetches to one subgraph that are ready together as one request."
    )
    subgraph_timeout_s: float = Field(30.0, gt=0)
    subgraph_keepalive_s: float = Field(4.0, gt=0, description="Shorter than the subgraphs' idle timeout.")
    max_body_bytes: int = Field(2_000_000, gt=0)
    plan_cache_size: int = Field(2_000, gt=0)
    override_labels: frozenset[str] = Field(
        frozenset(), description="Progressive @override labels to treat as on (JSON list in the environment)."
    )
    subgraph_urls: dict[str, str] = Field(
        default_factory=dict,
        description="Route subgraphs by name to other URLs than the supergraph's (JSON in the environment).",
    )
    log_level: str = "warning"
