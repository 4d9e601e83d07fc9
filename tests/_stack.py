"""Run `retail-gateway stack` (what `make run` starts) on a free block of ports, for tests over real HTTP."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from gateway.launcher import (
    ALL_PORTS,
    GATEWAY_PORT,
    SANDBOX_PORTS,
    SUBGRAPH_PORTS,
    free_port_offset,
    port_is_free,
)

__all__ = ["ALL_PORTS", "RunningStack", "port_is_free", "running_stack"]

BIN = Path(sys.executable).parent


class RunningStack:
    def __init__(self, process: subprocess.Popen[str], offset: int) -> None:
        self.process = process
        self.offset = offset
        self.output: list[str] = []

    def url(self, system: str) -> str:
        """Base URL of a sandbox system (erp, oms, pos, shopify)."""
        return f"http://127.0.0.1:{SANDBOX_PORTS[system] + self.offset}"

    def subgraph_url(self, name: str) -> str:
        return f"http://127.0.0.1:{SUBGRAPH_PORTS[name] + self.offset}/graphql"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{GATEWAY_PORT + self.offset}/graphql"


@contextlib.contextmanager
def running_stack(state_dir: Path, startup_timeout: float = 120.0) -> Iterator[RunningStack]:
    """The stack with its subgraphs' state in ``state_dir``; stopped with Ctrl-C (SIGINT) afterwards."""
    offset = free_port_offset()
    env = {**os.environ, "RETAIL_SUBGRAPH_STORAGE_URL": f"sqlite:///{state_dir / 'state.sqlite3'}"}
    process = subprocess.Popen(
        [str(BIN / "retail-gateway"), "stack", "--port-offset", str(offset), "--startup-timeout", "90"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    running = RunningStack(process, offset)
    ready = threading.Event()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            running.output.append(line)
            if "Press Ctrl-C" in line:
                ready.set()

    pumper = threading.Thread(target=pump, daemon=True)
    pumper.start()
    try:
        if not ready.wait(startup_timeout):
            raise AssertionError("the stack did not come up:\n" + "".join(running.output))
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(20)
        if process.poll() is None:
            process.kill()
            process.wait()
        pumper.join(10)
        if process.stdout is not None:
            process.stdout.close()
