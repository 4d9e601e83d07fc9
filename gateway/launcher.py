"""Run the whole local stack, one process per part, in the foreground.

``retail-gateway stack`` starts the four sandbox systems, then every
subgraph and the gateway that exist, each as its own process spawned by
module name (this module imports none of them, as docker-compose.yml runs
them). It waits until each answers its health check, prints the URLs, and
on Ctrl-C or SIGTERM stops every process it started, by PID. If one part
exits on its own, the rest are stopped too and the exit code says so.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

__all__ = ["ALL_PORTS", "Service", "Stack", "default_services", "free_port_offset", "port_is_free"]


@dataclass(frozen=True)
class Service:
    """One process of the stack: how to start it and how to tell that it is up."""

    name: str
    module: str
    args: tuple[str, ...]
    port: int
    health_path: str
    url_path: str = ""
    env: dict[str, str] = field(default_factory=dict)

    def url(self, host: str) -> str:
        return f"http://{host}:{self.port}{self.url_path}"

    def available(self) -> bool:
        """Whether the module this service runs is installed (and the gateway's supergraph exists)."""
        if "--supergraph" in self.args and not Path(self.args[self.args.index("--supergraph") + 1]).exists():
            return False
        return importlib.util.find_spec(self.module.partition(".")[0]) is not None and (
            importlib.util.find_spec(self.module) is not None
        )


SANDBOX_PORTS = {"erp": 4101, "oms": 4102, "pos": 4103, "shopify": 4104}
SANDBOX_URL_PATHS = {
    "erp": "/sap/opu/odata/sap/",
    "oms": "/rest/s1/oms/",
    "pos": "/v2/",
    "shopify": "/admin/api/2025-01/graphql.json",
}


SUBGRAPH_PORTS = {"catalog": 4001, "inventory": 4002, "orders": 4003, "returns": 4004, "customers": 4005}
GATEWAY_PORT = 4000
SUPERGRAPH = Path(__file__).resolve().parent.parent / "schema" / "supergraph.graphql"
SHOPIFY_WEBHOOK_PATH = "/webhooks/shopify"
"""Where the inventory subgraph takes Shopify's webhooks (the sandbox Shopify delivers there)."""
ALL_PORTS = [GATEWAY_PORT, *SUBGRAPH_PORTS.values(), *SANDBOX_PORTS.values()]


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """No process listens on ``port`` (connections lingering in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def free_port_offset(tries: int = 100) -> int:
    """An offset (a multiple of 10) at which every port of the stack is free: for a second stack
    beside ``make run``'s (tests, the benchmark)."""
    for _ in range(tries):
        offset = random.randrange(20_000, 50_000, 10)
        if all(port_is_free(port + offset) for port in ALL_PORTS):
            return offset
    raise RuntimeError("no free block of ports for the stack")


def default_services(host: str, seed: int, size: str, port_offset: int = 0) -> list[Service]:
    """The stack in start order: sandbox systems, subgraphs, the gateway (those that exist)."""
    sandbox_ports = {name: port + port_offset for name, port in SANDBOX_PORTS.items()}
    subgraph_ports = {name: port + port_offset for name, port in SUBGRAPH_PORTS.items()}
    webhook_url = f"http://{host}:{subgraph_ports['inventory']}{SHOPIFY_WEBHOOK_PATH}"
    services = [
        Service(
            name=f"sandbox-{name}",
            module="sandbox",
            args=(name, "--host", host, "--port", str(port), "--seed", str(seed), "--size", size)
            + (("--webhook-url", webhook_url) if name == "shopify" else ()),
            port=port,
            health_path="/_admin/health",
            url_path=SANDBOX_URL_PATHS[name],
        )
        for name, port in sandbox_ports.items()
    ]
    connector_env = {
        f"RETAIL_SUBGRAPH_{name.upper()}__BASE_URL": f"http://{host}:{port}"
        for name, port in sandbox_ports.items()
    }
    services += [
        Service(
            name=f"subgraph-{name}",
            module=f"subgraphs.{name}",
            args=("--host", host, "--port", str(port)),
            port=port,
            health_path="/health",
            url_path="/graphql",
            env=connector_env,
        )
        for name, port in subgraph_ports.items()
    ]
    gateway_port = GATEWAY_PORT + port_offset
    urls = {name: f"http://{host}:{port}/graphql" for name, port in subgraph_ports.items()}
    services.append(
        Service(
            name="gateway",
            module="gateway",
            args=("serve", "--supergraph", str(SUPERGRAPH), "--host", host, "--port", str(gateway_port)),
            port=gateway_port,
            health_path="/health",
            url_path="/graphql",
            env={"RETAIL_GATEWAY_SUBGRAPH_URLS": json.dumps(urls)},
        )
    )
    return [s for s in services if s.available()]


def _healthy(url: str) -> bool:
    with (
        contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError),
        urllib.request.urlopen(url, timeout=1) as response,
    ):
        return bool(response.status == 200)
    return False


class Stack:
    """Starts services, waits for their health checks, and stops them all by PID."""

    def __init__(self, services: Sequence[Service], host: str, startup_timeout: float = 60.0) -> None:
        self.services = list(services)
        self.host = host
        self.startup_timeout = startup_timeout
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._stopping = False

    def start(self) -> None:
        for service in self.services:
            env = {**os.environ, **service.env}
            self.processes[service.name] = subprocess.Popen(
                [sys.executable, "-m", service.module, *service.args], env=env
            )
        deadline = time.monotonic() + self.startup_timeout
        for service in self.services:
            self._wait_healthy(service, deadline)

    def _wait_healthy(self, service: Service, deadline: float) -> None:
        url = f"http://{self.host}:{service.port}{service.health_path}"
        process = self.processes[service.name]
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{service.name} exited with code {process.returncode} during start-up")
            if _healthy(url):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{service.name} did not answer {url} within {self.startup_timeout:.0f}s")
            time.sleep(0.1)

    def print_urls(self) -> None:
        width = max(len(s.name) for s in self.services)
        print("retail stack is up:", flush=True)
        for service in self.services:
            print(f"  {service.name:<{width}}  {service.url(self.host)}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)

    def wait(self) -> int:
        """Block until a signal arrives (0) or a process exits by itself (its exit code, or 1)."""
        while not self._stopping:
            for name, process in self.processes.items():
                code = process.poll()
                if code is not None:
                    print(f"{name} exited with code {code}; stopping the stack", file=sys.stderr, flush=True)
                    return code or 1
            time.sleep(0.2)
        return 0

    def request_stop(self, signum: int, _frame: FrameType | None) -> None:
        self._stopping = True

    def stop(self, timeout: float = 10.0) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def run(self) -> int:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        try:
            self.start()
            self.print_urls()
            return self.wait()
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return 1
        finally:
            self.stop()
