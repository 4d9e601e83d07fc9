"""The report of a run: a markdown file with the tables and ratios, a latency plot (PNG) and the JSON.

Files in the output directory, named after the scenario:
``<scenario>.md``, ``<scenario>-latency.png``, ``<scenario>.json``. The
retail scenario's section (:mod:`bench.retail.report`) is appended to the
markdown when the run had one, and is the JSON's ``retail``; run alone
(``--scenario retail``) it makes ``retail.md`` and ``retail.json``.
"""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.gateways import MODES, TITLES
from bench.loadgen import PERCENTILES
from bench.retail.report import markdown as retail_markdown
from bench.runner import Measurement, RunReport

__all__ = ["markdown", "plot", "write"]

_MODE_TITLES = {
    "none": "no de-duplication",
    "subgraph": "subgraph-request de-duplication",
    "inbound+subgraph": "inbound + subgraph de-duplication",
}


def _f(value: float, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _ratio(a: float, b: float) -> float:
    return a / b if b and not math.isnan(a) and not math.isnan(b) else float("nan")


def _find(ms: Iterable[Measurement], shape: str, gateway: str, mode: str) -> Measurement | None:
    for m in ms:
        if m.shape == shape and m.gateway == gateway and (m.mode == mode or gateway == "apollo"):
            return m
    return None


def _table(report: RunReport, shape: str) -> list[str]:
    lines = [
        "| gateway | mode | req/s | p50 ms | p95 ms | p99 ms | errors | peak RSS MiB | CPU s / 1k req "
        "| gateway cores | subgraph fetches / req | subgraph cores | load-gen cores |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for m in report.measurements:
        if m.shape != shape:
            continue
        seconds = m.load.duration_s or float("nan")
        mode = "(has none)" if m.gateway == "apollo" else m.mode
        lines.append(
            f"| {TITLES[m.gateway]} | {mode} | {_f(m.load.rps)} | {_f(m.load.p(50), 2)} | "
            f"{_f(m.load.p(95), 2)} | {_f(m.load.p(99), 2)} | {m.errors} | {_f(m.peak_rss / 2**20, 0)} | "
            f"{_f(m.cpu_per_1k, 2)} | {_f(m.cpu_s / seconds, 2)} | {_f(m.fetches_per_request, 2)} | "
            f"{_f(m.subgraph_cpu_s / seconds, 2)} | {_f(m.loadgen_cpu_s / seconds, 2)} |"
        )
    return lines


def _ratios(report: RunReport, shape: str) -> tuple[list[str], list[str]]:
    """The ratio table and the targets of issue 4 for one shape."""
    lines = [
        "| mode | req/s ours÷Apollo | req/s ours÷Hive | CPU/req ours÷Apollo | CPU/req ours÷Hive "
        "| p99 ours÷Apollo | p99 ours÷Hive |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    checks: list[str] = []
    ms = report.measurements
    for mode in MODES:
        ours = _find(ms, shape, "ours", mode)
        if ours is None:
            continue
        apollo, hive = _find(ms, shape, "apollo", mode), _find(ms, shape, "hive", mode)

        def r(peer: Measurement | None, attr: str, ours: Measurement = ours) -> float:
            if peer is None:
                return float("nan")
            if attr == "rps":
                return _ratio(ours.load.rps, peer.load.rps)
            if attr == "cpu":
                return _ratio(ours.cpu_per_1k, peer.cpu_per_1k)
            return _ratio(ours.load.p(99), peer.load.p(99))

        lines.append(
            f"| {_MODE_TITLES[mode]} | {_f(r(apollo, 'rps'), 2)}x | {_f(r(hive, 'rps'), 2)}x | "
            f"{_f(r(apollo, 'cpu'), 2)}x | {_f(r(hive, 'cpu'), 2)}x | {_f(r(apollo, 'p99'), 2)}x | "
            f"{_f(r(hive, 'p99'), 2)}x |"
        )

        def check(label: str, value: float, ok: bool) -> None:
            if not math.isnan(value):
                checks.append(f"- [{'x' if ok else ' '}] {label}: {_f(value, 2)}x")

        if mode == "subgraph":
            check("subgraph de-dup: req/s at least 2.5x Hive's", r(hive, "rps"), r(hive, "rps") >= 2.5)
            check("subgraph de-dup: req/s at least 3x Apollo's", r(apollo, "rps"), r(apollo, "rps") >= 3)
        if mode == "inbound+subgraph":
            check(
                "inbound + subgraph de-dup: req/s at least 1.2x Hive's", r(hive, "rps"), r(hive, "rps") >= 1.2
            )
        for peer, name in ((apollo, "Apollo"), (hive, "Hive")):
            check(f"{mode}: CPU per request at most 0.4x {name}'s", r(peer, "cpu"), r(peer, "cpu") <= 0.4)
            check(f"{mode}: p99 lower than {name}'s", r(peer, "p99"), r(peer, "p99") < 1)
    return lines, checks


def _capacity(report: RunReport) -> list[str]:
    c = report.capacity
    if not c or not c.get("requests"):
        return []
    busiest = max(
        (
            (m.load.rps * m.fetches_per_request, m)
            for m in report.measurements
            if not math.isnan(m.fetches_per_request)
        ),
        key=lambda pair: pair[0],
        default=(0.0, None),
    )
    seconds = c.get("duration_s") or float("nan")
    us_per_request = 1e6 * c.get("cpu_s", float("nan")) / c["requests"]
    cores_needed = busiest[0] * us_per_request / 1e6
    busiest_run = (
        f" ({TITLES[busiest[1].gateway]}, {busiest[1].shape}, {busiest[1].mode})" if busiest[1] else ""
    )
    return [
        "## The subgraphs' own capacity",
        "",
        f"Loaded directly by the same load generator ({report.config['vus']} VUs, the request mix the "
        f"gateways sent: {c.get('distinct_requests')} distinct requests), the subgraph server "
        f"({c.get('workers')} worker processes) answered **{_f(c['rps'], 0)} req/s** "
        f"(p50 {_f(c.get('p50_ms', float('nan')), 2)} ms, p99 {_f(c.get('p99_ms', float('nan')), 2)} ms, "
        f"{c.get('failed')} errors) on {_f(c.get('cpu_s', 0) / seconds, 2)} cores while the load generator "
        f"took {_f(c.get('loadgen_cpu_s', 0) / seconds, 2)}: that rate is the load generator's limit, "
        f"not the subgraphs'. They spend **{_f(us_per_request, 0)} µs of CPU per request**. The busiest "
        f"gateway run{busiest_run} asked them for {_f(busiest[0], 0)} req/s, about "
        f"{_f(cores_needed, 2)} cores' worth: "
        + (
            "the subgraphs were not the bottleneck of any run above."
            if cores_needed < 0.5 and busiest[0] < 0.5 * c["rps"]
            else "**the subgraphs may have limited the busiest runs** (add workers: --subgraph-workers)."
        ),
        "",
    ]


def _profiles(report: RunReport) -> list[str]:
    if not report.profiles:
        return []
    lines = ["## Where our gateway's CPU goes (py-spy, 100 Hz, idle excluded)", ""]
    for target, summary in report.profiles.items():
        lines += [
            f"### {target} ({summary['samples']} samples)",
            "",
            "| self % | function (file) |",
            "|--:|---|",
        ]
        lines += [f"| {row['percent']:.1f} | `{row['frame']}` |" for row in summary["self"][:15]]
        lines += ["", "| self % by package | package or module |", "|--:|---|"]
        lines += [f"| {row['percent']:.1f} | {row['frame']} |" for row in summary["packages"][:12]]
        lines += ["", "| inclusive % | our function (file) |", "|--:|---|"]
        ours = [row for row in summary["inclusive"] if "(gateway/" in row["frame"] and row["percent"] < 99]
        lines += [f"| {row['percent']:.1f} | `{row['frame']}` |" for row in ours[:15]]
        lines.append("")
    return lines


def _retail_alone(report: RunReport) -> str:
    env = report.environment
    lines = [
        f"# Benchmark: {report.scenario_title}",
        "",
        f"Run {report.started} to {report.finished}. Machine: {env.get('cores')} cores ({env.get('cpu')}), "
        f"Linux {env.get('kernel')}, Python {env.get('python')}. Load: {env.get('loadgen')}.",
        "",
        *retail_markdown(report.retail),
    ]
    return "\n".join(lines)


def markdown(report: RunReport, plot_name: str | None, with_profiles: bool = True) -> str:
    if not report.measurements and report.retail:
        return _retail_alone(report)
    cfg, env = report.config, report.environment
    lines = [
        f"# Benchmark: {report.scenario_title}",
        "",
        f"Run {report.started} to {report.finished}. Machine: {env.get('cores')} cores ({env.get('cpu')}), "
        f"Linux {env.get('kernel')}. Load: {env.get('loadgen')}, {cfg['vus']} virtual users, "
        f"{cfg['duration']} measured after a {cfg['warmup']} warm-up, per gateway and mode, one at a time, "
        "against the same subgraphs, all on 127.0.0.1.",
        "",
        f"Gateways: ours (Python {env.get('python')}, one process: uvicorn), Apollo Gateway "
        f"{env.get('@apollo/gateway', '?')} on Apollo Server {env.get('@apollo/server', '?')}, Hive Gateway "
        f"{env.get('@graphql-hive/gateway', '?')} (--fork {cfg['hive_fork']}), both on Node "
        f"{env.get('node', '?')}.",
        "",
        "Columns: req/s and latency (time to the last byte) from the load generator; errors = answers that "
        "were not exactly the expected JSON, had `errors`, or failed (during the load, plus the one-by-one "
        "check before it); CPU and peak RSS of the gateway's whole process tree from /proc; "
        "*cores* = CPU seconds per second of the run (gateway, subgraph server, load generator: all share "
        "the machine); subgraph fetches per request as counted by the subgraphs.",
        "",
    ]
    all_checks: list[str] = []
    for shape, title in report.shapes.items():
        ratios, checks = _ratios(report, shape)
        lines += [
            f"## Load shape `{shape}`: {title}",
            "",
            *_table(report, shape),
            "",
            "Ratios:",
            "",
            *ratios,
            "",
        ]
        if checks:
            all_checks += [f"- **{shape}**", *("  " + c for c in checks)]
    if all_checks:
        lines += ["## Targets of issue 4", "", *all_checks, ""]
    if plot_name:
        lines += [f"![latency]({plot_name})", ""]
    lines += _capacity(report)
    lines += retail_markdown(report.retail)
    if with_profiles:
        lines += _profiles(report)
    return "\n".join(lines)


def plot(report: RunReport, path: Path, python: Path) -> bool:
    """Latency percentiles and req/s per gateway and mode, drawn by matplotlib in the bench venv."""
    series: dict[str, Any] = {}
    for shape in report.shapes:
        series[shape] = [
            {
                "label": f"{TITLES[m.gateway]}" + ("" if m.gateway == "apollo" else f" / {m.mode}"),
                "gateway": m.gateway,
                "mode": m.mode,
                "rps": m.load.rps,
                "percentiles": [m.load.p(p) for p in PERCENTILES],
            }
            for m in report.measurements
            if m.shape == shape
        ]
    script = Path(__file__).with_name("_plot.py")
    result = subprocess.run(
        [str(python), str(script), str(path)],
        input=json.dumps({"percentiles": PERCENTILES, "shapes": series, "title": report.scenario_title}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        print(f"bench: no plot: {result.stderr[-2000:]}")
    return result.returncode == 0


def write(report: RunReport, out_dir: Path, plot_python: Path | None) -> Path:
    """Write ``<scenario>.md``, ``<scenario>.json`` and (with matplotlib) ``<scenario>-latency.png``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_name = f"{report.scenario}-latency.png"
    has_plot = (
        plot_python is not None
        and bool(report.measurements)
        and plot(report, out_dir / plot_name, plot_python)
    )
    path = out_dir / f"{report.scenario}.md"
    path.write_text(markdown(report, plot_name if has_plot else None) + "\n")
    (out_dir / f"{report.scenario}.json").write_text(json.dumps(report.as_dict(), indent=1) + "\n")
    return path
