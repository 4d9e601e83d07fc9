"""The registry of benchmark scenarios: add a new one to :data:`SCENARIOS`."""

from __future__ import annotations

from collections.abc import Callable

from bench.scenario import Scenario

__all__ = ["SCENARIOS", "get"]


def _gateways_benchmark() -> Scenario:
    from bench.scenarios.gateways_benchmark import GatewaysBenchmark

    return GatewaysBenchmark()


SCENARIOS: dict[str, Callable[[], Scenario]] = {"gateways-benchmark": _gateways_benchmark}


def get(name: str) -> Scenario:
    try:
        return SCENARIOS[name]()
    except KeyError:
        raise SystemExit(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None
