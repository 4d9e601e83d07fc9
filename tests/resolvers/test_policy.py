"""Per-system and per-operation policies: overrides name only what differs."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from resolvers.policy import ConnectorPolicies, SystemPolicy

POLICIES = {
    "systems": {
        "erp": {
            "timeout": 8,
            "cache": {"ttl": 30, "stale_ttl": 600},
            "rate": {"rate": 10, "burst": 20},
            "retry": {"attempts": 4},
            "operations": {
                "stock": {"cache": {"ttl": 5}, "timeout": 2},
                "batch": {"rate": {"rate": 1, "burst": 2}},
                "orders": {"breaker": {"per_operation": True, "min_calls": 3}},
            },
        }
    }
}


def test_an_operation_override_changes_only_the_fields_it_names() -> None:
    stock = ConnectorPolicies.model_validate(POLICIES).resolve("erp", "stock")
    assert (stock.timeout, stock.cache.ttl, stock.cache.stale_ttl) == (2, 5, 600)
    assert stock.retry.attempts == 4
    assert stock.rate is not None
    assert (stock.rate.rate, stock.rate.burst) == (10, 20)


def test_an_operation_without_overrides_gets_the_systems_policy() -> None:
    other = ConnectorPolicies.model_validate(POLICIES).resolve("erp", "partners")
    assert (other.timeout, other.cache.ttl, other.rate_bucket, other.breaker_key) == (8, 30, "erp", "erp")


def test_an_operation_with_its_own_rate_gets_a_bucket_of_its_own() -> None:
    batch = ConnectorPolicies.model_validate(POLICIES).resolve("erp", "batch")
    assert batch.rate_bucket == "erp:batch"
    assert batch.rate is not None
    assert (batch.rate.rate, batch.rate.burst) == (1, 2)


def test_a_per_operation_breaker_is_keyed_by_the_operation() -> None:
    orders = ConnectorPolicies.model_validate(POLICIES).resolve("erp", "orders")
    assert orders.breaker_key == "erp:orders"
    assert orders.breaker.min_calls == 3


def test_a_system_not_configured_gets_the_defaults_and_no_pacing() -> None:
    policies = ConnectorPolicies()
    resolved = policies.resolve("pos", "orders")
    assert policies.system("pos") == SystemPolicy()
    assert resolved.rate is None
    assert resolved.cache.ttl == 0
    assert resolved.retry.attempts == 3


def test_resolving_twice_gives_the_same_object() -> None:
    policies = ConnectorPolicies.model_validate(POLICIES)
    assert policies.resolve("erp", "stock") is policies.resolve("erp", "stock")


@pytest.mark.parametrize(
    "bad",
    [
        {"systems": {"erp": {"timeot": 1}}},
        {"systems": {"erp": {"timeout": 0}}},
        {"systems": {"erp": {"rate": {"rate": 10}}}},
        {"systems": {"erp": {"breaker": {"failure_rate": 1.5}}}},
        {"systems": {"erp": {"operations": {"x": {"cache": {"ttl": -1}}}}}},
    ],
)
def test_nonsense_is_rejected_at_start_up(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ConnectorPolicies.model_validate(bad)
