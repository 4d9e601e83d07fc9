"""What a benchmark scenario is, so that new ones (our retail graph) plug into the same harness.

A :class:`Scenario` brings four things:

- **subgraphs**: their names and SDLs, and how to start them on given ports
  (by default with the benchmark's own fast server, :mod:`bench.httpserver`,
  from a factory named in :attr:`Scenario.subgraph_app`; a scenario may
  instead start any processes it likes by overriding
  :meth:`Scenario.start_subgraphs`);
- **a supergraph**: committed, composed with canonical URLs
  (``python -m bench compose`` regenerates it), and pointed at the ports of
  a run by :meth:`Scenario.supergraph`;
- **load shapes**: each a list of GraphQL requests, each with the answer a
  correct gateway must give (the **checks**: k6 fails any answer that is
  not that JSON, or has ``errors``);
- **a k6 script**: the generic :data:`GENERIC_K6_SCRIPT` (requests from a
  JSON file, constant VUs, checks against the expected answers) unless the
  scenario names its own.

Register a scenario in :mod:`bench.scenarios`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import orjson

from bench.paths import BENCH_DIR, ROOT

__all__ = ["GENERIC_K6_SCRIPT", "BenchRequest", "LoadShape", "Scenario", "canonical_url"]

GENERIC_K6_SCRIPT = BENCH_DIR / "k6" / "graphql.js"
_GRAPH = re.compile(r'(@join__graph\(name: "(?P<name>[^"]+)", url: ")(?P<url>[^"]*)(")')


def canonical_url(name: str, index: int) -> str:
    """The URL a committed supergraph names for the ``index``-th subgraph (rewritten at run time)."""
    return f"http://127.0.0.1:{4201 + index}/graphql"


@dataclass(frozen=True)
class BenchRequest:
    """One GraphQL request of a load shape and the answer a correct gateway gives (None: no errors only)."""

    body: Mapping[str, Any]
    expected: Any = None

    def encoded(self) -> dict[str, Any]:
        """The form the k6 script reads: the body and the expected answer as compact JSON text."""
        return {
            "body": orjson.dumps(self.body).decode(),
            "expected": None if self.expected is None else orjson.dumps(self.expected).decode(),
        }


@dataclass(frozen=True)
class LoadShape:
    """A named load: the requests the virtual users pick from (at random, or the only one)."""

    name: str
    title: str
    requests: Callable[[], list[BenchRequest]]


class Scenario(ABC):
    """A graph to benchmark gateways on: subgraphs, supergraph, load shapes and their checks."""

    name: ClassVar[str]
    title: ClassVar[str]
    subgraph_names: ClassVar[tuple[str, ...]]
    subgraph_app: ClassVar[str] = ""
    """``module:function`` returning ``{name: answerer}`` for :mod:`bench.httpserver`."""
    k6_script: ClassVar[Path] = GENERIC_K6_SCRIPT

    @abstractmethod
    def subgraph_sdl(self, name: str) -> str:
        """The SDL of subgraph ``name`` (as its authors write it)."""

    @abstractmethod
    def supergraph_file(self) -> Path:
        """The committed supergraph, composed with :func:`canonical_url` URLs."""

    @abstractmethod
    def shapes(self) -> Sequence[LoadShape]:
        """The load shapes, the first being the headline one."""

    def supergraph(self, urls: Mapping[str, str]) -> str:
        """The committed supergraph with each subgraph's URL replaced by ``urls[name]``."""
        text = self.supergraph_file().read_text()
        found: set[str] = set()

        def replace(match: re.Match[str]) -> str:
            name = match.group("name")
            found.add(name)
            return f"{match.group(1)}{urls.get(name, match.group('url'))}{match.group(4)}"

        text = _GRAPH.sub(replace, text)
        if found != set(self.subgraph_names):
            raise ValueError(f"{self.supergraph_file()} names {sorted(found)}, not {self.subgraph_names}")
        return text

    def start_subgraphs(self, host: str, ports: Mapping[str, int], workers: int) -> subprocess.Popen[bytes]:
        """Start every subgraph (one process; its workers are its children). Stopped by PID by the caller."""
        if not self.subgraph_app:
            raise NotImplementedError(f"scenario {self.name} must set subgraph_app or start its subgraphs")
        command = [sys.executable, "-m", "bench.httpserver", "--app", self.subgraph_app]
        command += ["--workers", str(workers)]
        for name in self.subgraph_names:
            command += ["--listen", f"{name}={host}:{ports[name]}"]
        return subprocess.Popen(command, cwd=ROOT)
