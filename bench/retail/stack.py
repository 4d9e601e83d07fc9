"""The retail stack as ``make run`` starts it, on a free block of ports, for the benchmark.

The topology is the launcher's own (:func:`gateway.launcher.default_services`:
the four sandbox systems, the five subgraphs, the gateway on the committed
supergraph; ports, connector URLs and the webhook URL are its), with what the
benchmark changes:

- every sandbox system has a fixed ``latency_ms`` (no p99 spread:
  ``latency_p99_ms`` is null), so that each request to a system costs exactly
  that long, and Shopify's cost bucket is out of the way;
- the subgraphs keep their state in a SQLite file of a temporary directory,
  and the connectors' client-side pacing (the rate limits of real plans: POS
  10 requests/s, Shopify 50 cost points/s, ...) is lifted: a rate limit is a
  property of a system's plan, and at 50 virtual users it, not our software,
  would set every figure (:func:`unpaced_policies`). Caching, timeouts,
  retries and breakers are the connectors' defaults;
- each subgraph runs through :mod:`bench.retail.subgraph` (the same
  ``run_subgraph``), which records the CLIENT spans of traced requests.

Every process logs to ``<raw>/retail-<name>.log`` and is stopped by PID.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from bench import procs
from bench.paths import ROOT
from bench.retail.spans import SPANS_ENV

__all__ = ["RetailStack", "unpaced_policies"]

_UNLIMITED = 1e9
SANDBOX_SYSTEMS = ("erp", "oms", "pos", "shopify")


def unpaced_policies() -> dict[str, Any]:
    """Each connector's default policy (``RETAIL_SUBGRAPH_POLICIES``), its pacing lifted, as JSON data."""
    from resolvers.policy import RatePolicy
    from subgraphs.common.settings import SubgraphSettings

    unlimited = RatePolicy(rate=_UNLIMITED, burst=_UNLIMITED, max_wait=0)
    policies: dict[str, Any] = {}
    for system, policy in SubgraphSettings().connector_policies().systems.items():
        operations = {name: op.model_copy(update={"rate": None}) for name, op in policy.operations.items()}
        lifted = policy.model_copy(update={"rate": unlimited, "operations": operations})
        policies[system] = lifted.model_dump(mode="json")
    return policies


class RetailStack:
    """Start with :meth:`start`, stop with :meth:`stop` (every process, by PID)."""

    def __init__(
        self, raw: Path, state_dir: Path, latency_ms: float, seed: int = 42, size: str = "small"
    ) -> None:
        self.raw = raw
        self.state_dir = state_dir
        self.spans_dir = state_dir / "spans"
        self.latency_ms = latency_ms
        self.seed = seed
        self.size = size
        self.host = "127.0.0.1"
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.gateway_url = ""
        self.sandbox_urls: dict[str, str] = {}

    def _services(self) -> list[Any]:
        from gateway.launcher import default_services, free_port_offset

        offset = free_port_offset()
        services = default_services(self.host, self.seed, self.size, offset)
        knobs: dict[str, Any] = {"latency_ms": self.latency_ms, "latency_p99_ms": None}
        subgraph_env = {
            "RETAIL_SUBGRAPH_STORAGE_URL": f"sqlite:///{self.state_dir / 'state.sqlite3'}",
            "RETAIL_SUBGRAPH_POLICIES": json.dumps(unpaced_policies()),
            "RETAIL_SUBGRAPH_SHOPIFY__BUCKET_SIZE": str(_UNLIMITED),
            "RETAIL_SUBGRAPH_SHOPIFY__RESTORE_RATE": str(_UNLIMITED),
            SPANS_ENV: str(self.spans_dir),
        }
        changed = []
        for service in services:
            if service.module == "sandbox":
                system = service.args[0]
                own = dict(knobs)
                if system == "shopify":
                    own.update(cost_bucket_size=_UNLIMITED, cost_restore_rate=_UNLIMITED)
                service = dataclasses.replace(service, args=(*service.args, "--knobs", json.dumps(own)))
            elif service.module.startswith("subgraphs."):
                name = service.module.partition(".")[2]
                service = dataclasses.replace(
                    service,
                    module="bench.retail.subgraph",
                    args=(name, *service.args),
                    env={**service.env, **subgraph_env},
                )
            changed.append(service)
        return changed

    def start(self, timeout: float = 120) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        services = self._services()
        names = [s.name for s in services]
        if "gateway" not in names or sum(n.startswith("subgraph-") for n in names) == 0:
            raise RuntimeError(f"the retail stack is incomplete: {names}")
        try:
            for service in services:
                log = self.raw / f"retail-{service.name}.log"
                with log.open("ab") as out:
                    self.processes[service.name] = subprocess.Popen(
                        [sys.executable, "-m", service.module, *service.args],
                        cwd=ROOT,
                        env={**os.environ, **service.env},
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
                self.ports[service.name] = service.port
            for service in services:
                url = f"http://{self.host}:{service.port}{service.health_path}"
                procs.wait_until_answers(url, self.processes[service.name], timeout=timeout)
        except BaseException:
            self.stop()
            raise
        self.gateway_url = f"http://{self.host}:{self.ports['gateway']}/graphql"
        self.sandbox_urls = {
            system: f"http://{self.host}:{self.ports[f'sandbox-{system}']}" for system in SANDBOX_SYSTEMS
        }

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            procs.stop(self.processes[name])

    def pids(self, prefix: str) -> list[int]:
        """The process trees of the parts whose name starts with ``prefix`` (sandbox, subgraph, gateway)."""
        found: list[int] = []
        for name, process in self.processes.items():
            if name.startswith(prefix) and process.poll() is None:
                found += procs.tree(process.pid)
        return found

    def exited(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def sandbox_requests(self) -> dict[str, int]:
        """Requests each sandbox system has seen since its statistics were last zeroed."""
        counts = {}
        for system, base in self.sandbox_urls.items():
            with urllib.request.urlopen(f"{base}/_admin/stats", timeout=10) as response:
                counts[system] = int(json.loads(response.read())["requests"])
        return counts

    def zero_sandbox_stats(self) -> None:
        for base in self.sandbox_urls.values():
            request = urllib.request.Request(f"{base}/_admin/stats", method="DELETE")
            with urllib.request.urlopen(request, timeout=10):
                pass
