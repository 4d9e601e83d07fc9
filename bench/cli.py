"""``python -m bench``: run the benchmark, recompose a scenario's supergraph, or serve its subgraphs.

``make bench`` runs ``python -m bench run`` with BENCH_DURATION, BENCH_WARMUP,
BENCH_VUS and BENCH_ARGS from make's command line or the environment: the
gateways side by side, then the retail scenario (``--no-retail`` skips it;
``--scenario retail`` runs it alone).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from bench.gateways import GATEWAYS, MODES
from bench.loadgen import parse_duration
from bench.paths import RESULTS_DIR

__all__ = ["main"]


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _duration(text: str) -> str:
    parse_duration(text or "0")
    return text


def _run(args: argparse.Namespace) -> int:
    from bench import report, tools
    from bench.runner import RunConfig, run

    config = RunConfig(
        scenario=args.scenario,
        gateways=args.gateways,
        modes=args.modes,
        shapes=args.shapes,
        vus=args.vus,
        duration=args.duration,
        warmup=args.warmup,
        subgraph_workers=args.subgraph_workers,
        hive_fork=args.hive_fork,
        capacity="" if parse_duration(args.capacity or "0") == 0 else args.capacity,
        profile="" if parse_duration(args.profile or "0") == 0 else args.profile,
        plot=not args.no_plot,
        loadgen=args.loadgen,
        out_dir=args.out,
        retail=args.retail,
        retail_latency_ms=args.retail_latency_ms,
        retail_sets=args.retail_sets,
        retail_think_ms=args.retail_think_ms,
    )
    result = run(config)
    plot_python = None
    if config.plot:
        try:
            plot_python = tools.ensure_python_tool("matplotlib") / "python"
        except tools.ToolError as exc:
            print(f"bench: no plot: {exc}", file=sys.stderr)
    path = report.write(result, config.out_dir, plot_python)
    print(report.markdown(result, None, with_profiles=False))
    print(f"\nreport: {path}")
    return 1 if result.errors else 0


def _report(args: argparse.Namespace) -> int:
    from bench import report, tools
    from bench.runner import load_report

    result = load_report(args.results)
    plot_python = None
    if not args.no_plot:
        plot_python = tools.ensure_python_tool("matplotlib") / "python"
    path = report.write(result, args.out, plot_python)
    print(report.markdown(result, None, with_profiles=False))
    print(f"\nreport: {path}")
    return 0


def _compose(args: argparse.Namespace) -> int:
    from bench import tools
    from bench.compose import write_supergraph
    from bench.scenarios import get

    scenario = get(args.scenario)
    changed = write_supergraph(scenario, tools.ensure_node())
    print(f"{scenario.supergraph_file()}: {'updated' if changed else 'unchanged'}")
    return 0


def _subgraphs(args: argparse.Namespace) -> int:
    from bench import procs
    from bench.scenarios import get

    scenario = get(args.scenario)
    ports = {name: args.port_base + i for i, name in enumerate(scenario.subgraph_names)}
    process = scenario.start_subgraphs("127.0.0.1", ports, args.workers)
    with procs.running(process):
        for name, port in ports.items():
            print(f"{name}: http://127.0.0.1:{port}/graphql")
        with contextlib.suppress(KeyboardInterrupt):
            process.wait()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="Benchmark our gateway against peers."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the benchmark and write the report")
    run.add_argument(
        "--scenario",
        default="gateways-benchmark",
        help="gateways-benchmark (then the retail scenario, unless --no-retail), or retail alone",
    )
    run.add_argument(
        "--gateways", type=_names, default=list(GATEWAYS), help="comma-separated: ours,apollo,hive"
    )
    run.add_argument("--modes", type=_names, default=list(MODES), help="comma-separated: " + ",".join(MODES))
    run.add_argument("--shapes", type=_names, default=[], help="comma-separated load shapes (default: all)")
    run.add_argument("--vus", type=int, default=50)
    run.add_argument("--duration", type=_duration, default="60s")
    run.add_argument("--warmup", type=_duration, default="10s")
    run.add_argument("--subgraph-workers", type=int, default=2)
    run.add_argument("--hive-fork", type=int, default=1, help="Hive Gateway's worker processes")
    run.add_argument("--capacity", type=_duration, default="10s", help="subgraph capacity run (0: skip)")
    run.add_argument("--profile", type=_duration, default="20s", help="py-spy per profiled shape (0: skip)")
    run.add_argument("--no-plot", action="store_true")
    run.add_argument("--loadgen", choices=("auto", "k6", "python"), default="auto")
    run.add_argument("--out", type=Path, default=RESULTS_DIR, help="where the report goes")
    run.add_argument(
        "--retail",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="after the gateways, the retail scenario (our stack on the apps' operations; bench/README.md)",
    )
    run.add_argument("--retail-latency-ms", type=float, default=20.0, help="every system's fixed latency")
    run.add_argument("--retail-sets", type=int, default=10, help="variable sets per retail read operation")
    run.add_argument(
        "--retail-think-ms",
        type=float,
        default=1000.0,
        help="the paced retail run: each virtual user's pause after an answer, on average (0: no paced run)",
    )
    run.set_defaults(handler=_run)

    rebuild = commands.add_parser("report", help="write the report again from a run's results.json")
    rebuild.add_argument("results", type=Path, help="bench/results/raw/<run>/results.json")
    rebuild.add_argument("--out", type=Path, default=RESULTS_DIR)
    rebuild.add_argument("--no-plot", action="store_true")
    rebuild.set_defaults(handler=_report)

    compose = commands.add_parser("compose", help="recompose a scenario's committed supergraph")
    compose.add_argument("--scenario", default="gateways-benchmark")
    compose.set_defaults(handler=_compose)

    subgraphs = commands.add_parser("subgraphs", help="serve a scenario's subgraphs in the foreground")
    subgraphs.add_argument("--scenario", default="gateways-benchmark")
    subgraphs.add_argument("--port-base", type=int, default=4201)
    subgraphs.add_argument("--workers", type=int, default=2)
    subgraphs.set_defaults(handler=_subgraphs)

    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
