"""Node reference tools for the federation tests: composition and Apollo Gateway, installed on demand.

The npm packages are installed into ``tests/federation/node/node_modules``
the first time a test needs them (and again when package.json changes).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = ["NODE_DIR", "apollo_gateway", "compose", "ensure_node_modules"]

NODE_DIR = Path(__file__).parent / "node"
_lock = threading.Lock()


def ensure_node_modules() -> None:
    """Install the reference packages once (npm, from the registry); raise with npm's output on failure."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError("Node.js and npm are needed for the federation tests (apt-get install nodejs npm)")
    package = (NODE_DIR / "package.json").read_bytes()
    stamp = NODE_DIR / "node_modules" / ".retail-stamp"
    digest = hashlib.sha256(package).hexdigest()
    with _lock:
        if stamp.exists() and stamp.read_text() == digest:
            return
        result = subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"],
            cwd=NODE_DIR,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"npm install failed:\n{result.stdout}\n{result.stderr}")
        stamp.write_text(digest)


def compose(services: list[dict[str, str]]) -> str:
    """The supergraph for ``[{"name", "url", "sdl"}, ...]``, by @theguild/federation-composition."""
    ensure_node_modules()
    result = subprocess.run(
        ["node", str(NODE_DIR / "compose.mjs")],
        input=json.dumps(services),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"composition failed: {result.stderr}")
    return result.stdout


@contextlib.contextmanager
def apollo_gateway(supergraph_file: Path, port: int) -> Iterator[str]:
    """Run @apollo/gateway on ``port`` for ``supergraph_file``; yield its URL; stop it by PID."""
    ensure_node_modules()
    process = subprocess.Popen(
        ["node", str(NODE_DIR / "apollo_gateway.mjs"), str(supergraph_file), str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        line = process.stdout.readline()
        if not line.startswith("ready") or time.monotonic() > deadline:
            stderr = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"Apollo Gateway did not start: {line}{stderr}")
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
