"""The retail scenario's run: stack up, the availability check, a dry run, the load, and the per-request join.

1. :class:`~bench.retail.stack.RetailStack` up (``make run``'s topology, every
   system at a fixed latency, pacing lifted, state in a temporary SQLite file).
2. **50 SKUs x 30 locations**: StoreAvailability of 50 SKUs at every
   location, the sandboxes' request counters zeroed before and read after
   (``/_admin/stats``), and the same calls read from that request's spans:
   once as the stack's very first request (everything cold, the location
   directory included), and once for 50 other SKUs after the dry run's reads
   (master data warm, those SKUs never asked together): the check.
3. **Dry run**: every distinct read asked twice, one at a time (answers
   checked), then one SubmitOrder and one AuthorizeReturn: each request's
   system calls from its spans (what an operation asks on first use), and its
   overhead with nothing else running.
4. Warm-up (no AuthorizeReturn), then the measured load: constant virtual
   users, one record per request (trace id, operation, latency, right
   answer), CPU of the gateway, subgraphs, sandboxes and load generator.
   First closed-loop (each user sends its next request as soon as the answer
   is in: the most load 50 users can make, which on a small machine measures
   its CPU more than any overhead), then *paced* (each user pauses
   ``think_ms`` on average after an answer, as people using the apps do; no
   AuthorizeReturn: its pool of returnable orders went to the first run).
5. The join: each measured request's CLIENT spans (by its trace id) give its
   system calls and their slowest chain (calls each started after the
   previous one ended); its **critical path** is that chain's calls as they
   took (the spans' durations), its **overhead** latency - critical path. The
   *nominal* figures take each call on the chain at exactly the systems'
   latency instead (depth x latency), so the sandboxes' own processing and
   queueing count as overhead there.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.loadgen import LoadResult, parse_duration
from bench.retail.load import Record, ask, percentile_of, run_load
from bench.retail.spans import Call, chain, read_spans
from bench.retail.stack import RetailStack
from bench.retail.workload import (
    KEY_PLACEHOLDER,
    RetailRequest,
    Workload,
    availability_50x30,
    build_workload,
)

__all__ = ["TARGET_P50_MS", "TARGET_P99_MS", "RetailConfig", "run_retail", "summarise"]

TARGET_P50_MS = 2.0
TARGET_P99_MS = 10.0


@dataclass
class RetailConfig:
    vus: int = 50
    duration: str = "60s"
    warmup: str = "10s"
    latency_ms: float = 20.0
    """Every sandbox system's fixed latency per request."""
    sets: int = 10
    """Variable sets per read operation."""
    writes: bool = True
    submit_share: float = 0.02
    return_share: float = 0.01
    think_ms: float = 1000.0
    """The paced run after the closed-loop one: each virtual user pauses this long on average after an
    answer (as people using the apps do); 0: no paced run."""
    seed: int = 42
    size: str = "small"


def _log(message: str) -> None:
    print(f"bench: retail: {message}", file=sys.stderr, flush=True)


def _percentiles(values: Iterable[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": percentile_of(ordered, 50), "p99": percentile_of(ordered, 99)}


def _joined(records: list[Record], spans: dict[str, list[Call]], latency_ms: float) -> list[dict[str, Any]]:
    rows = []
    for record in records:
        calls = spans.get(record.trace, [])
        found = chain(calls)
        nominal = found.depth * latency_ms
        rows.append(
            {
                "operation": record.operation,
                "ok": record.ok,
                "latency_ms": record.latency_ms,
                "calls": found.calls,
                "by_system": found.by_system,
                "depth": found.depth,
                "critical_ms": found.chain_ms,
                "overhead_ms": record.latency_ms - found.chain_ms,
                "nominal_critical_ms": nominal,
                "nominal_overhead_ms": record.latency_ms - nominal,
                "in_calls_ms": found.chain_ms - nominal if found.depth else 0.0,
            }
        )
    return rows


def summarise(
    records: list[Record], spans: dict[str, list[Call]], latency_ms: float, dry: list[Record] | None = None
) -> dict[str, Any]:
    """Per operation and overall: latency, calls, critical path and overhead percentiles."""
    rows = _joined(records, spans, latency_ms)
    dry_rows = _joined(dry or [], spans, latency_ms)
    operations: dict[str, Any] = {}
    for name in sorted({row["operation"] for row in rows} | {row["operation"] for row in dry_rows}):
        mine = [row for row in rows if row["operation"] == name]
        unloaded = [row for row in dry_rows if row["operation"] == name]
        systems: dict[str, float] = {}
        for row in mine:
            for system, count in row["by_system"].items():
                systems[system] = systems.get(system, 0) + count
        operations[name] = {
            "requests": len(mine),
            "wrong": sum(not row["ok"] for row in mine),
            "latency_ms": _percentiles(row["latency_ms"] for row in mine),
            "critical_ms": {
                **_percentiles(row["critical_ms"] for row in mine),
                "max": max((row["critical_ms"] for row in mine), default=float("nan")),
            },
            "overhead_ms": _percentiles(row["overhead_ms"] for row in mine),
            "nominal_overhead_ms": _percentiles(row["nominal_overhead_ms"] for row in mine),
            "calls_per_request": sum(row["calls"] for row in mine) / len(mine) if mine else float("nan"),
            "calls_by_system_per_request": {k: v / len(mine) for k, v in sorted(systems.items())},
            "with_calls": sum(row["calls"] > 0 for row in mine) / len(mine) if mine else float("nan"),
            "depth_max": max((row["depth"] for row in mine), default=0),
            "unloaded": {
                "requests": len(unloaded),
                "overhead_ms": _percentiles(row["overhead_ms"] for row in unloaded),
                "nominal_overhead_ms": _percentiles(row["nominal_overhead_ms"] for row in unloaded),
                "latency_ms": _percentiles(row["latency_ms"] for row in unloaded),
            },
        }
    with_calls = [row for row in rows if row["depth"]]
    overall: dict[str, Any] = {
        "requests": len(rows),
        "wrong": sum(not row["ok"] for row in rows),
        "latency_ms": _percentiles(row["latency_ms"] for row in rows),
        "overhead_ms": _percentiles(row["overhead_ms"] for row in rows),
        "critical_ms": _percentiles(row["critical_ms"] for row in rows),
        "nominal_overhead_ms": _percentiles(row["nominal_overhead_ms"] for row in rows),
        "in_calls_ms": _percentiles(row["in_calls_ms"] for row in with_calls),
        "with_calls": len(with_calls) / len(rows) if rows else float("nan"),
        "unloaded_overhead_ms": _percentiles(row["overhead_ms"] for row in dry_rows),
        "unloaded_nominal_overhead_ms": _percentiles(row["nominal_overhead_ms"] for row in dry_rows),
    }
    overall["target_p50_met"] = overall["overhead_ms"]["p50"] < TARGET_P50_MS
    overall["target_p99_met"] = overall["overhead_ms"]["p99"] < TARGET_P99_MS
    return {"operations": operations, "overall": overall}


def _availability_check(stack: RetailStack, request: RetailRequest) -> tuple[dict[str, Any], Record]:
    """Ask ``request`` with nothing else running; what the sandboxes counted (their spans come later)."""
    stack.zero_sandbox_stats()
    record, _ = ask(stack.gateway_url, request.body, request.operation)
    time.sleep(0.2)  # nothing else is in flight; let a straggler land in the counters all the same
    return {
        "sandbox_requests": stack.sandbox_requests(),
        "ok": record.ok,
        "latency_ms": record.latency_ms,
        "trace": record.trace,
    }, record


def _cores(cpu_s: dict[str, float], seconds: float) -> dict[str, float]:
    """CPU seconds per second of the run: per process, and summed per part (gateway, subgraphs, ...)."""
    cores = {name: cpu / seconds for name, cpu in cpu_s.items()}
    for part, prefix in (("subgraphs", "subgraph-"), ("sandboxes", "sandbox-")):
        cores[part] = sum(value for name, value in cores.items() if name.startswith(prefix))
    return cores


def _calls_by_operation(calls: list[Call]) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for call in calls:
        mine = found.setdefault(call.system, {})
        mine[call.operation] = mine.get(call.operation, 0) + 1
    return found


@dataclass
class _Measured:
    first_request: dict[str, Any]
    fresh_skus: dict[str, Any]
    dry: list[Record]
    """Every request of the dry run (both passes over the reads, and the writes)."""
    first: list[Record]
    """The first time each of them was asked."""
    result: LoadResult
    records: list[Record]
    exited: list[str]
    paced: tuple[LoadResult, list[Record]] | None = None
    """The paced run's figures and records (None: not run)."""


def _dry_run(stack: RetailStack, workload: Workload) -> tuple[list[Record], list[Record]]:
    dry: list[Record] = []
    first: list[Record] = []
    for attempt in range(2):
        for request in workload.reads:
            record, answer = ask(stack.gateway_url, request.body, request.operation)
            dry.append(record)
            if attempt == 0:
                first.append(record)
            if not record.ok:
                _log(f"  wrong answer to {request.operation}: {answer[:300]!r}")
    return dry, first


def _measure(
    stack: RetailStack, world: Any, workload: Workload, config: RetailConfig, raw: Path, k6: Path | None
) -> _Measured:
    requests_file = raw / "retail.requests.json"
    workload.write(requests_file, config.submit_share, config.return_share)
    locations = len(world.locations)
    _log(f"50 SKUs x {locations} locations, the stack's first request")
    first_request, _ = _availability_check(stack, availability_50x30(world, 0))
    _log(f"  sandbox requests {first_request['sandbox_requests']}")
    _log(f"dry run: {len(workload.reads)} distinct reads, twice each, one at a time")
    dry, first = _dry_run(stack, workload)
    _log(f"50 other SKUs x {locations} locations (never asked together)")
    fresh_skus, _ = _availability_check(stack, availability_50x30(world, 1))
    _log(f"  sandbox requests {fresh_skus['sandbox_requests']}")
    for request in workload.dry_run_writes:
        body = request.body.replace(KEY_PLACEHOLDER, f"dry-{time.time_ns()}")
        record, answer = ask(stack.gateway_url, body, request.operation, request.kind)
        dry.append(record)
        first.append(record)
        if not record.ok:
            _log(f"  wrong answer to {request.operation}: {answer[:300]!r}")
    if parse_duration(config.warmup) > 0:
        _log(f"warm-up: {config.vus} VUs for {config.warmup}")
        run_load(
            k6,
            stack.gateway_url,
            requests_file,
            config.vus,
            config.warmup,
            "retail.warmup",
            raw,
            returns=False,
            records=False,
        )
    watch = {name: stack.pids(name) for name in stack.processes}
    _log(f"load: {config.vus} VUs for {config.duration}")
    result, records = run_load(
        k6,
        stack.gateway_url,
        requests_file,
        config.vus,
        config.duration,
        "retail",
        raw,
        returns=True,
        records=True,
        watch=watch,
    )
    paced = None
    if config.think_ms > 0:
        _log(f"paced: {config.vus} VUs, {config.think_ms:g} ms to think after each answer, {config.duration}")
        paced = run_load(
            k6,
            stack.gateway_url,
            requests_file,
            config.vus,
            config.duration,
            "retail.paced",
            raw,
            returns=False,  # the pool of returnable orders went to the closed-loop run
            records=True,
            watch=watch,
            think_ms=config.think_ms,
        )
    return _Measured(first_request, fresh_skus, dry, first, result, records, stack.exited(), paced)


def run_retail(config: RetailConfig, raw: Path, k6: Path | None) -> dict[str, Any]:
    """Run the retail scenario; raw material goes to ``raw``; returns the report's ``retail`` section."""
    from sandbox.world import build_world

    world = build_world(config.seed, "large" if config.size == "large" else "small")
    workload = build_workload(world, config.sets, config.writes)
    state = Path(tempfile.mkdtemp(prefix="bench-retail-"))
    try:
        stack = RetailStack(raw, state, config.latency_ms, config.seed, config.size)
        _log(f"starting the stack (every system at {config.latency_ms:g} ms, state in {state})")
        started = time.monotonic()
        stack.start()
        try:
            _log(f"up in {time.monotonic() - started:.0f} s")
            measured = _measure(stack, world, workload, config, raw, k6)
        finally:
            stack.stop()
        spans = read_spans(stack.spans_dir)
        shutil.copytree(stack.spans_dir, raw / "retail-spans", dirs_exist_ok=True)
    finally:
        shutil.rmtree(state, ignore_errors=True)
    return _section(config, measured, spans, len(world.locations))


def _section(
    config: RetailConfig, measured: _Measured, spans: dict[str, list[Call]], locations: int
) -> dict[str, Any]:
    first_request, fresh_skus = measured.first_request, measured.fresh_skus
    for check in (first_request, fresh_skus):
        check["span_calls"] = _calls_by_operation(spans.get(check["trace"], []))
    availability = {
        "skus": 50,
        "locations": locations,
        "first_request": first_request,
        "fresh_skus": fresh_skus,
        "met": fresh_skus["ok"] and max(fresh_skus["sandbox_requests"].values(), default=0) <= 1,
    }
    summary = summarise(measured.records, spans, config.latency_ms, measured.dry)
    for name, figures in summary["operations"].items():
        figures["first_ask"] = chain_summary(spans, [r for r in measured.first if r.operation == name])
    result = measured.result
    seconds = result.duration_s or float("nan")
    section: dict[str, Any] = {
        "config": asdict(config),
        "loadgen": result.tool,
        "load": result.as_dict(),
        "cores": _cores(result.cpu_s, seconds),
        "availability_50x30": availability,
        "dry_run": {"requests": len(measured.dry), "wrong": sum(not r.ok for r in measured.dry)},
        "exited": measured.exited,
        "machine_cores": os.cpu_count(),
        **summary,
    }
    if measured.paced is not None:
        paced_result, paced_records = measured.paced
        paced_seconds = paced_result.duration_s or float("nan")
        section["paced"] = {
            "think_ms": config.think_ms,
            "load": paced_result.as_dict(),
            "cores": _cores(paced_result.cpu_s, paced_seconds),
            **summarise(paced_records, spans, config.latency_ms),
        }
    section["errors"] = (
        section["dry_run"]["wrong"]
        + summary["overall"]["wrong"]
        + section.get("paced", {}).get("overall", {}).get("wrong", 0)
        + sum(not check["ok"] for check in (first_request, fresh_skus))
    )
    return section


def chain_summary(spans: dict[str, list[Call]], records: list[Record]) -> dict[str, Any]:
    """The calls and chain depth of ``records`` (each request's first ask in the dry run): max and mean."""
    chains = [chain(spans.get(r.trace, [])) for r in records]
    return {
        "calls_max": max((c.calls for c in chains), default=0),
        "depth_max": max((c.depth for c in chains), default=0),
        "calls_mean": sum(c.calls for c in chains) / len(chains) if chains else float("nan"),
    }
