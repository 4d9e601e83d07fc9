"""Profile our gateway under the benchmark's load with py-spy, and summarise where its CPU goes.

Each target (load shape, de-duplication mode) gets a fresh gateway, the
warm-up, then py-spy samples it (100 Hz, idle time excluded) while the load
runs. The collapsed stacks are kept in the raw directory; the summary has
the functions with the most samples on top of the stack (self), the most
samples anywhere on the stack (inclusive), and self samples by package.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import procs, tools
from bench.gateways import GatewayRun
from bench.loadgen import parse_duration
from bench.scenario import LoadShape

if TYPE_CHECKING:
    from bench.runner import _Bench

__all__ = ["TARGETS", "profile_ours", "summarise"]

TARGETS = (("deep", "subgraph"), ("varied", "none"))
_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*)\)$")


def _package(file: str) -> str:
    """A group for a source file as py-spy names it: each module of ours, else the top-level package."""
    if file.startswith(("gateway/", "bench/")):
        return file
    if file.startswith("<"):  # <frozen runpy>, <string>
        return file
    return file.split("/", 1)[0].removesuffix(".py")


def summarise(collapsed: str, top: int = 40) -> dict[str, Any]:
    """Self, inclusive and per-package sample counts from py-spy's raw (collapsed) output."""
    self_counts: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if f]
        if not frames:
            continue
        total += count
        leaf = frames[-1]
        self_counts[leaf] += count
        match = _FRAME.match(leaf)
        packages[_package(match.group("file")) if match else leaf] += count
        for frame in set(frames):
            inclusive[frame] += count

    def rows(counter: Counter[str]) -> list[dict[str, Any]]:
        return [
            {"frame": frame, "samples": n, "percent": 100 * n / total if total else 0.0}
            for frame, n in counter.most_common(top)
        ]

    return {
        "samples": total,
        "self": rows(self_counts),
        "inclusive": rows(inclusive),
        "packages": rows(packages),
    }


def profile_ours(
    bench: _Bench, supergraph: Path, request_files: dict[str, Path], shapes: Sequence[LoadShape]
) -> dict[str, Any]:
    """Profile our gateway for each of :data:`TARGETS` whose shape was run; return the summaries."""
    seconds = parse_duration(bench.config.profile)
    try:
        py_spy = tools.ensure_python_tool("py-spy") / "py-spy"
    except tools.ToolError as exc:
        print(f"bench: no profile: {exc}")
        return {}
    names = {s.name for s in shapes}
    results: dict[str, Any] = {}
    for shape, mode in TARGETS:
        if shape not in names:
            continue
        print(f"bench: profiling ours on {shape}, mode {mode}, for {bench.config.profile}", flush=True)
        run = GatewayRun("ours", mode)
        port = procs.free_port()
        label = f"profile-{shape}-{mode}"
        process = run.start(supergraph, port, None, bench.raw / f"{label}.gateway.log")
        url = f"http://127.0.0.1:{port}{run.path()}"
        collapsed = bench.raw / f"{label}.collapsed.txt"
        with procs.running(process):
            procs.wait_until_answers(url, process, b'{"query":"{ __typename }"}')
            bench.load(url, request_files[shape], bench.config.warmup, f"{label}.warmup")
            loader = threading.Thread(
                target=bench.load, args=(url, request_files[shape], f"{seconds + 6:g}s", label), daemon=True
            )
            loader.start()
            subprocess.run(
                [
                    *(str(py_spy), "record", "--pid", str(process.pid), "--duration", f"{seconds:g}"),
                    *("--rate", "100", "--format", "raw", "--nolineno", "--output", str(collapsed)),
                ],
                capture_output=True,
                timeout=seconds + 60,
                check=False,
            )
            loader.join()
        if collapsed.exists():
            results[f"{shape}/{mode}"] = summarise(collapsed.read_text())
            (bench.raw / f"{label}.summary.json").write_text(json.dumps(results[f"{shape}/{mode}"], indent=1))
    return results
