"""The gateways under test and their de-duplication modes, and how to start each on a port.

Modes (like for like across gateways):

- ``none``: no de-duplication at all;
- ``subgraph``: identical in-flight subgraph requests share one fetch (Hive Gateway's default);
- ``inbound+subgraph``: identical in-flight client queries also share one execution.

Ours takes them from ``RETAIL_GATEWAY_DEDUPE_SUBGRAPH_REQUESTS`` and
``RETAIL_GATEWAY_DEDUPE_INBOUND``; Hive Gateway from its transport option
``deduplicateInflightRequests`` and its ``inboundInflightRequestDeduplication``
option (``bench/node/hive.config.mjs``); Apollo Gateway has neither, so it
runs once and its figure stands against every mode.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.paths import ROOT
from bench.tools import NodeTools

__all__ = ["GATEWAYS", "MODES", "GatewayRun", "plan_runs"]

MODES = ("none", "subgraph", "inbound+subgraph")
GATEWAYS = ("ours", "apollo", "hive")
TITLES = {"ours": "ours (Python)", "apollo": "Apollo Gateway", "hive": "Hive Gateway"}


@dataclass(frozen=True)
class GatewayRun:
    gateway: str
    mode: str
    """One of :data:`MODES`; Apollo Gateway's one run is ``none``."""

    @property
    def label(self) -> str:
        return f"{self.gateway}/{self.mode}"

    @property
    def title(self) -> str:
        return TITLES[self.gateway]

    def path(self) -> str:
        return "/" if self.gateway == "apollo" else "/graphql"

    def start(
        self, supergraph: Path, port: int, node: NodeTools | None, log: Path, hive_fork: int = 1
    ) -> subprocess.Popen[bytes]:
        """Start the gateway on 127.0.0.1:``port`` (its output goes to ``log``); stop it with procs.stop."""
        env = dict(os.environ)
        if self.gateway == "ours":
            env["RETAIL_GATEWAY_DEDUPE_SUBGRAPH_REQUESTS"] = str(self.mode != "none").lower()
            env["RETAIL_GATEWAY_DEDUPE_INBOUND"] = str(self.mode == "inbound+subgraph").lower()
            command = [sys.executable, "-m", "gateway", "serve", "--supergraph", str(supergraph)]
            command += ["--host", "127.0.0.1", "--port", str(port)]
        else:
            if node is None:
                raise RuntimeError(f"{self.title} needs the Node tools")
            env["NODE_ENV"] = "production"
            if self.gateway == "apollo":
                command = [str(node.node), str(node.script("apollo.mjs")), str(supergraph), str(port)]
            else:
                env["BENCH_HIVE_SUBGRAPH_DEDUPE"] = str(self.mode != "none").lower()
                env["BENCH_HIVE_INBOUND_DEDUPE"] = str(self.mode == "inbound+subgraph").lower()
                command = [str(node.node), str(node.hive_gateway), "supergraph", str(supergraph)]
                command += ["--host", "127.0.0.1", "--port", str(port), "--fork", str(hive_fork)]
                command += ["--config-path", str(node.script("hive.config.mjs"))]
        with log.open("ab") as out:
            return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def plan_runs(gateways: Sequence[str], modes: Sequence[str]) -> list[GatewayRun]:
    """The runs for one load shape: each gateway in each mode (Apollo Gateway once)."""
    runs: list[GatewayRun] = []
    for gateway in gateways:
        if gateway not in GATEWAYS:
            raise ValueError(f"unknown gateway {gateway!r}; known: {', '.join(GATEWAYS)}")
        if gateway == "apollo":
            runs.append(GatewayRun("apollo", "none"))
            continue
        runs.extend(GatewayRun(gateway, mode) for mode in modes)
    return runs
