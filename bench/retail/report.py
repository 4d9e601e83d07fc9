"""The retail scenario's section of the benchmark report (markdown), from the run's ``retail`` figures."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["DEEP_CHAIN", "TITLE", "markdown", "table"]

TITLE = "retail scenario: the apps' operations through our gateway, subgraphs and the sandbox"
DEEP_CHAIN = 5
"""A request whose calls chain deeper than this is listed: the subgraphs made them one after another."""


def _f(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def _split(cores: dict[str, float], prefix: str) -> str:
    return ", ".join(
        f"{name[len(prefix) :]} {_f(value, 2)}" for name, value in cores.items() if name.startswith(prefix)
    )


def _percent(share: float) -> str:
    return "n/a" if math.isnan(share) else f"{100 * share:.0f} %"


def _check(ok: bool, text: str) -> str:
    return f"- [{'x' if ok else ' '}] {text}"


def _calls(check: dict[str, Any]) -> str:
    """``oms 3 (locations 2, stock 1), shopify 1 (variants 1)``: the sandboxes' counts, the spans' split."""
    parts = []
    for system, count in check["sandbox_requests"].items():
        split = check.get("span_calls", {}).get(system, {})
        detail = ", ".join(f"{op} {n}" for op, n in sorted(split.items()))
        parts.append(f"{system} {count}" + (f" ({detail})" if detail else ""))
    return ", ".join(parts)


def table(section: dict[str, Any]) -> list[str]:
    """Per operation (and all together): calls, critical path, latency and overhead."""
    lines = [
        "| operation | requests | system calls / req | req. with calls | critical path ms p50 (max) "
        "| latency p50 ms | latency p99 ms | overhead p50 ms | overhead p99 ms | unloaded overhead p50 ms "
        "| nominal overhead p50 / p99 ms | first ask: calls (chain) | errors |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for name, op in section["operations"].items():
        first = op.get("first_ask", {})
        cells = [
            name,
            str(op["requests"]),
            _f(op["calls_per_request"], 2),
            _percent(op["with_calls"]),
            f"{_f(op['critical_ms']['p50'], 0)} ({_f(op['critical_ms']['max'], 0)})",
            _f(op["latency_ms"]["p50"]),
            _f(op["latency_ms"]["p99"]),
            _f(op["overhead_ms"]["p50"]),
            _f(op["overhead_ms"]["p99"]),
            _f(op["unloaded"]["overhead_ms"]["p50"]),
            f"{_f(op['nominal_overhead_ms']['p50'])} / {_f(op['nominal_overhead_ms']['p99'])}",
            f"{first['calls_max']} ({first['depth_max']})" if "calls_max" in first else "",
            str(op["wrong"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    o = section["overall"]
    cells = [
        "**all**",
        str(o["requests"]),
        "",
        _percent(o["with_calls"]),
        _f(o["critical_ms"]["p50"], 0),
        _f(o["latency_ms"]["p50"]),
        _f(o["latency_ms"]["p99"]),
        f"**{_f(o['overhead_ms']['p50'])}**",
        f"**{_f(o['overhead_ms']['p99'])}**",
        _f(o["unloaded_overhead_ms"]["p50"]),
        f"{_f(o['nominal_overhead_ms']['p50'])} / {_f(o['nominal_overhead_ms']['p99'])}",
        "",
        str(o["wrong"]),
    ]
    lines.append("| " + " | ".join(cells) + " |")
    return lines


def markdown(section: dict[str, Any]) -> list[str]:
    """The section's lines (empty when the run had none)."""
    if not section:
        return []
    if "failed" in section:
        return ["## Retail scenario", "", f"**The retail run failed**: {section['failed']}", ""]
    cfg, load = section["config"], section["load"]
    latency = cfg["latency_ms"]
    cores = section.get("cores", {})
    a = section["availability_50x30"]
    o = section["overall"]
    fresh, first_request = a["fresh_skus"], a["first_request"]
    deep = {
        name: op["depth_max"] for name, op in section["operations"].items() if op["depth_max"] > DEEP_CHAIN
    }
    lines = [
        f"## Retail scenario: {cfg['vus']} virtual users, every system at {latency:g} ms",
        "",
        "The apps' operations (`schema/operations/`), variables from the seeded world "
        f"(seed {cfg['seed']}, {cfg['size']}), through the stack `make run` starts: the four sandbox "
        f"systems at a fixed {latency:g} ms per request (no spread), the five subgraphs (state in a "
        "temporary SQLite file, the connectors' caching as configured, their pacing lifted), our gateway "
        f"(its defaults). Load: {section['loadgen']}, {cfg['vus']} virtual users, {cfg['duration']} "
        f"measured after a {cfg['warmup']} warm-up; reads picked evenly by operation, "
        f"{_f(100 * cfg['submit_share'], 0)} % SubmitOrder and {_f(100 * cfg['return_share'], 0)} % "
        f"AuthorizeReturn (fresh idempotency keys). {load['requests']:,} requests, "
        f"{_f(load['rps'])} req/s, {section['errors']} errors. CPU in cores (the machine has "
        f"{section.get('machine_cores', '?')}): gateway {_f(cores.get('gateway'), 2)}, subgraphs "
        f"{_f(cores.get('subgraphs'), 2)} ({_split(cores, 'subgraph-')}), sandboxes "
        f"{_f(cores.get('sandboxes'), 2)} ({_split(cores, 'sandbox-')}), load generator "
        f"{_f(cores.get('loadgen'), 2)}.",
        "",
        "A request's **critical path** is the slowest chain of its own system calls (each started after "
        "the previous one ended; from the subgraphs' CLIENT spans, matched by its traceparent), each call "
        "as long as it took; its **overhead** is its latency minus that. A call's span holds the system's "
        f"{latency:g} ms, the sandbox's own processing and queueing on the shared cores, and the time our "
        "HTTP client and the subgraph's event loop took to send it and notice the answer, so the last two "
        "hide some of our overhead under load. *Nominal overhead* takes each call on the chain at exactly "
        f"{latency:g} ms instead (all the rest is overhead there). *Unloaded*: every distinct read asked "
        "twice one at a time before the load. *First ask*: the most calls (and the deepest chain) one "
        "request of the operation made in the dry run, the first time it was asked.",
        "",
        *table(section),
        "",
        f"Of the overhead of requests that called a system, the calls themselves took p50 "
        f"{_f(o['in_calls_ms']['p50'])} ms (p99 {_f(o['in_calls_ms']['p99'])} ms) beyond their "
        f"{latency:g} ms along the chain (sandbox processing, HTTP client, queueing on the shared cores).",
        "",
        "Targets of issue 6:",
        "",
        _check(
            o["target_p50_met"],
            f"overhead above the critical path under 2 ms at p50: {_f(o['overhead_ms']['p50'], 2)} ms",
        ),
        _check(
            o["target_p99_met"],
            f"overhead above the critical path under 10 ms at p99: {_f(o['overhead_ms']['p99'], 2)} ms",
        ),
        _check(
            a["met"],
            f"availability of {a['skus']} SKUs across {a['locations']} locations with at most one call per "
            f"system (50 SKUs never asked together, the location directory warm): {_calls(fresh)}, "
            f"{_f(fresh['latency_ms'])} ms. As the stack's very first request (everything cold): "
            f"{_calls(first_request)}, {_f(first_request['latency_ms'])} ms",
        ),
        "",
    ]
    if deep:
        listed = ", ".join(f"{name} ({depth})" for name, depth in sorted(deep.items(), key=lambda kv: -kv[1]))
        lines += [
            f"Chains deeper than {DEEP_CHAIN} calls under load (calls the subgraphs made one after another; "
            f"they count as critical path here, so any that the data does not require hides overhead): "
            f"{listed}.",
            "",
        ]
    lines += _paced(section)
    if section.get("exited"):
        lines += [f"**Processes that exited during the run**: {', '.join(section['exited'])}.", ""]
    return lines


def _paced(section: dict[str, Any]) -> list[str]:
    """The paced run's sub-section (empty when it was not run)."""
    paced = section.get("paced")
    if not paced:
        return []
    cfg, load, cores, o = section["config"], paced["load"], paced.get("cores", {}), paced["overall"]
    think = paced["think_ms"]
    return [
        f"### Paced: {cfg['vus']} virtual users, each pausing {think:g} ms on average after an answer",
        "",
        f"The same stack and workload right after, each virtual user waiting {think / 2:g} to "
        f"{think * 1.5:g} ms (uniformly) before its next request, as a person using the app does: the "
        f"overhead at a load this machine carries, where the closed-loop run above measures its CPU "
        f"(no AuthorizeReturn: the returnable orders went to the run above). "
        f"{load['requests']:,} requests, {_f(load['rps'])} req/s. CPU in cores: gateway "
        f"{_f(cores.get('gateway'), 2)}, subgraphs {_f(cores.get('subgraphs'), 2)}, sandboxes "
        f"{_f(cores.get('sandboxes'), 2)}, load generator {_f(cores.get('loadgen'), 2)}.",
        "",
        *table(paced),
        "",
        _check(
            o["target_p50_met"],
            f"paced: overhead above the critical path under 2 ms at p50: {_f(o['overhead_ms']['p50'], 2)} ms",
        ),
        _check(
            o["target_p99_met"],
            f"paced: overhead above the critical path under 10 ms at p99: "
            f"{_f(o['overhead_ms']['p99'], 2)} ms",
        ),
        "",
    ]
