"""One benchmark run: a scenario's subgraphs up once, then each gateway in each mode, one at a time.

For every load shape and gateway run: start the gateway on a free port,
ask it every distinct request once (its answers are checked, and caches
warm), load it for the warm-up, then measure a run of constant virtual
users while sampling the gateway's process tree (CPU seconds from
``/proc/<pid>/stat`` before and after, peak RSS), the subgraph server's
CPU, the load generator's CPU and the subgraph requests made; stop the
gateway by PID. Then measure the subgraphs' own capacity (the load
generator straight at them, with the request mix the gateways sent), and
optionally profile our gateway with py-spy. Then, unless told not to, the
retail scenario (:mod:`bench.retail`: our whole stack on the apps'
operations, ours only), whose figures go to the report's ``retail`` section;
``--scenario retail`` runs that alone. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench import procs, tools
from bench.gateways import GATEWAYS, MODES, GatewayRun, plan_runs
from bench.loadgen import LoadResult, parse_duration, run_k6, run_python
from bench.paths import RESULTS_DIR
from bench.scenario import Scenario
from bench.scenarios import get

__all__ = ["Measurement", "RunConfig", "RunReport", "load_report", "run"]

_PROBE = b'{"query":"{ __typename }"}'


@dataclass
class RunConfig:
    scenario: str = "gateways-benchmark"
    gateways: Sequence[str] = GATEWAYS
    modes: Sequence[str] = MODES
    shapes: Sequence[str] = ()
    """Names of the load shapes to run; empty: all of the scenario's."""
    vus: int = 50
    duration: str = "60s"
    warmup: str = "10s"
    subgraph_workers: int = 2
    hive_fork: int = 1
    capacity: str = "10s"
    """How long to load the subgraphs directly; empty: skip."""
    profile: str = "20s"
    """How long py-spy samples our gateway per profiled shape; empty: skip."""
    plot: bool = True
    loadgen: str = "auto"
    """``k6``, ``python`` (the fallback loop), or ``auto`` (k6 unless it cannot be installed)."""
    out_dir: Path = RESULTS_DIR
    retail: bool = True
    """Run the retail scenario after the gateways (our stack only); ``scenario="retail"`` runs it alone."""
    retail_latency_ms: float = 20.0
    retail_sets: int = 10
    retail_think_ms: float = 1000.0
    """The paced retail run's pause per virtual user after an answer (0: no paced run)."""
    """Variable sets per read operation of the retail scenario."""


RETAIL = "retail"
"""The scenario name that runs the retail scenario alone (it is not a :class:`Scenario`: see bench.retail)."""


@dataclass
class Measurement:
    shape: str
    gateway: str
    mode: str
    load: LoadResult
    cpu_s: float
    """Gateway process tree, user + system, over the measured run."""
    peak_rss: int
    """Bytes, summed over the gateway's process tree, sampled during warm-up and run."""
    subgraph_requests: int
    subgraph_cpu_s: float
    loadgen_cpu_s: float
    preflight_wrong: int
    """Distinct requests answered wrongly when asked one at a time before the load."""

    @property
    def cpu_per_1k(self) -> float:
        return self.cpu_s / self.load.requests * 1000 if self.load.requests else float("nan")

    @property
    def fetches_per_request(self) -> float:
        return self.subgraph_requests / self.load.requests if self.load.requests else float("nan")

    @property
    def errors(self) -> int:
        return self.load.failed + self.preflight_wrong

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Measurement:
        load = dict(data["load"])
        load.pop("rps", None)
        fields = {k: v for k, v in data.items() if k not in ("cpu_per_1k", "fetches_per_request", "load")}
        return cls(load=LoadResult(**load), **fields)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["load"] = self.load.as_dict()
        data["cpu_per_1k"] = self.cpu_per_1k
        data["fetches_per_request"] = self.fetches_per_request
        return data


@dataclass
class RunReport:
    config: dict[str, Any]
    environment: dict[str, str]
    scenario: str
    scenario_title: str
    shapes: dict[str, str]
    measurements: list[Measurement] = field(default_factory=list)
    capacity: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, Any] = field(default_factory=dict)
    started: str = ""
    finished: str = ""
    retail: dict[str, Any] = field(default_factory=dict)
    """The retail scenario's figures (:func:`bench.retail.run.run_retail`); empty when not run."""

    @property
    def errors(self) -> int:
        """Wrong answers in every run, plus one for a retail run that failed."""
        retail = int(self.retail.get("errors", 0)) + (1 if "failed" in self.retail else 0)
        return sum(m.errors for m in self.measurements) + retail

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunReport:
        fields = dict(data)
        fields["measurements"] = [Measurement.from_dict(m) for m in data.get("measurements", [])]
        return cls(**fields)

    def as_dict(self) -> dict[str, Any]:
        return {
            "config": self.config,
            "environment": self.environment,
            "scenario": self.scenario,
            "scenario_title": self.scenario_title,
            "shapes": self.shapes,
            "measurements": [m.as_dict() for m in self.measurements],
            "capacity": self.capacity,
            "profiles": self.profiles,
            "started": self.started,
            "finished": self.finished,
            "retail": self.retail,
        }


def _log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _post(url: str, body: bytes) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _subgraph_requests(stats_url: str) -> int:
    return sum(int(s["requests"]) for s in _get_json(stats_url).values())


def _preflight(url: str, requests: list[dict[str, Any]], log: Path) -> int:
    """Ask every distinct request once; count (and log) wrong answers."""
    wrong = 0
    with log.open("a") as out:
        for request in requests:
            status, body = _post(url, request["body"].encode())
            try:
                answer = json.loads(body)
            except ValueError:
                answer = None
            expected = None if request["expected"] is None else json.loads(request["expected"])
            ok = status == 200 and isinstance(answer, dict) and "errors" not in answer
            ok = ok and (expected is None or answer == expected)
            if not ok:
                wrong += 1
                if wrong <= 3:
                    out.write(
                        f"preflight: wrong answer ({status}) to {request['body'][:200]}:\n{body[:800]!r}\n"
                    )
    return wrong


class _Bench:
    def __init__(self, config: RunConfig, scenario: Scenario | None) -> None:
        self.config = config
        self._scenario = scenario
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.raw = config.out_dir / "raw" / f"{scenario.name if scenario else RETAIL}-{stamp}"
        self.raw.mkdir(parents=True, exist_ok=True)
        self.node: tools.NodeTools | None = None
        self.k6: Path | None = None

    @property
    def scenario(self) -> Scenario:
        if self._scenario is None:
            raise RuntimeError("the retail scenario alone has no gateway scenario")
        return self._scenario

    def save(self, report: RunReport) -> None:
        """Write what was measured so far (``python -m bench report`` rebuilds a report from it)."""
        (self.raw / "results.json").write_text(json.dumps(report.as_dict(), indent=1))

    # ------------------------------------------------------------------ tools

    def prepare_tools(self) -> None:
        if self.config.loadgen in ("k6", "auto"):
            try:
                self.k6 = tools.k6_binary()
            except (tools.ToolError, OSError, subprocess.SubprocessError) as exc:
                if self.config.loadgen == "k6":
                    raise
                _log(f"k6 could not be installed ({str(exc).splitlines()[0]}); using the Python load loop")
        if self._scenario is not None and any(g != "ours" for g in self.config.gateways):
            self.node = tools.ensure_node()

    def environment(self) -> dict[str, str]:
        cpu = ""
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        env = {
            "cpu": cpu,
            "cores": str(os.cpu_count()),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "loadgen": "k6 " + self._k6_version() if self.k6 else "python asyncio loop (k6 unavailable)",
        }
        if self.node is not None:
            env["node"] = tools.node_version(self.node)
            for package in ("@apollo/gateway", "@apollo/server", "@graphql-hive/gateway"):
                manifest = self.node.directory / "node_modules" / package / "package.json"
                env[package] = json.loads(manifest.read_text())["version"]
        return env

    def _k6_version(self) -> str:
        assert self.k6 is not None
        out = subprocess.run([str(self.k6), "version"], capture_output=True, text=True, check=False).stdout
        return out.split()[1] if len(out.split()) > 1 else out.strip()

    # ------------------------------------------------------------------ load

    def load(
        self,
        url: str,
        requests_file: Path,
        duration: str,
        name: str,
        watch: dict[str, list[int]] | None = None,
    ) -> LoadResult:
        """Run the load generator (CPU of ``watch``'s process trees sampled over the measured window)."""
        if self.k6 is None:
            return _python_load_with_cpu(url, requests_file, self.config.vus, duration, watch or {})
        return run_k6(
            self.k6,
            self.scenario.k6_script,
            url,
            requests_file,
            self.config.vus,
            duration,
            self.raw / f"{name}.summary.json",
            self.raw / f"{name}.k6.log",
            watch,
        )

    # ------------------------------------------------------------------ one gateway run

    def measure(
        self,
        run: GatewayRun,
        shape: str,
        supergraph: Path,
        requests_file: Path,
        stats_url: str,
        subgraph_pid: int,
    ) -> Measurement:
        port = procs.free_port()
        name = f"{shape}-{run.gateway}-{run.mode.replace('+', '-')}"
        log = self.raw / f"{name}.gateway.log"
        process = run.start(supergraph, port, self.node, log, self.config.hive_fork)
        url = f"http://127.0.0.1:{port}{run.path()}"
        with procs.running(process):
            procs.wait_until_answers(url, process, _PROBE)
            wrong = _preflight(url, json.loads(requests_file.read_text()), log)
            with procs.RssSampler(process.pid) as rss:
                if parse_duration(self.config.warmup) > 0:
                    self.load(url, requests_file, self.config.warmup, f"{name}.warmup")
                watch = {"gateway": procs.tree(process.pid), "subgraphs": procs.tree(subgraph_pid)}
                sub0 = _subgraph_requests(stats_url)
                result = self.load(url, requests_file, self.config.duration, name, watch)
                sub = _subgraph_requests(stats_url) - sub0
            if process.poll() is not None:
                raise RuntimeError(f"{run.label} exited during the run; see {log}")
        cpu = result.cpu_s
        return Measurement(
            shape,
            run.gateway,
            run.mode,
            result,
            cpu.get("gateway", float("nan")),
            rss.peak,
            sub,
            cpu.get("subgraphs", float("nan")),
            cpu.get("loadgen", float("nan")),
            wrong,
        )

    # ------------------------------------------------------------------ subgraph capacity

    def subgraph_capacity(self, ports: dict[str, int], subgraph_pid: int) -> dict[str, Any]:
        """Load the subgraphs directly with the request mix the gateways sent (weighted by count)."""
        entries: list[dict[str, Any]] = []
        for port in ports.values():
            base = f"http://127.0.0.1:{port}"
            bodies = _get_json(f"{base}/_bodies")
            total = sum(b["count"] for b in bodies) or 1
            for item in bodies:
                status, answer = _post(f"{base}/graphql", item["body"].encode())
                if status != 200:
                    continue
                weight = max(1, round(2000 * item["count"] / total / len(ports)))
                entries.extend(
                    {"url": f"{base}/graphql", "body": item["body"], "expected": answer.decode()}
                    for _ in range(weight)
                )
        if not entries:
            return {}
        requests_file = self.raw / "subgraphs.requests.json"
        requests_file.write_text(json.dumps(entries))
        watch = {"subgraphs": procs.tree(subgraph_pid)}
        result = self.load("", requests_file, self.config.capacity, "subgraphs-direct", watch)
        return {
            "rps": result.rps,
            "requests": result.requests,
            "failed": result.failed,
            "p50_ms": result.p(50),
            "p99_ms": result.p(99),
            "cpu_s": result.cpu_s.get("subgraphs", float("nan")),
            "loadgen_cpu_s": result.cpu_s.get("loadgen", float("nan")),
            "duration_s": result.duration_s,
            "distinct_requests": len({e["body"] for e in entries}),
            "workers": self.config.subgraph_workers,
        }

    # ------------------------------------------------------------------ the retail scenario

    def retail(self) -> dict[str, Any]:
        """Run the retail scenario (its own stack); a failure is reported in the section, not raised."""
        from bench.retail.run import RetailConfig, run_retail

        config = RetailConfig(
            vus=self.config.vus,
            duration=self.config.duration,
            warmup=self.config.warmup,
            latency_ms=self.config.retail_latency_ms,
            sets=self.config.retail_sets,
            think_ms=self.config.retail_think_ms,
        )
        started = time.monotonic()
        try:
            section = run_retail(config, self.raw, self.k6)
        except Exception as exc:  # the measurements so far must survive a failure here
            _log(f"  the retail run failed: {exc!r}")
            return {"failed": repr(exc)}
        overall = section["overall"]
        _log(
            f"  retail: {section['load']['rps']:.1f} req/s, overhead above the critical path "
            f"p50 {overall['overhead_ms']['p50']:.1f} ms, p99 {overall['overhead_ms']['p99']:.1f} ms, "
            f"errors {section['errors']} ({time.monotonic() - started:.0f} s)"
        )
        return section


def load_report(path: Path) -> RunReport:
    """A report from a ``results.json`` written by a run (complete or not)."""
    return RunReport.from_dict(json.loads(path.read_text()))


def _python_load_with_cpu(
    url: str, requests_file: Path, vus: int, duration: str, watch: dict[str, list[int]]
) -> LoadResult:
    """The fallback loop (in this process): CPU of the watched trees from before to after."""
    before = {name: procs.cpu_seconds(pids) for name, pids in watch.items()}
    result = run_python(url, requests_file, vus, duration)
    result.cpu_s = {name: procs.cpu_seconds(pids) - before[name] for name, pids in watch.items()}
    return result


def _run_retail_alone(config: RunConfig) -> RunReport:
    from bench.retail.report import TITLE

    bench = _Bench(config, None)
    bench.prepare_tools()
    report = RunReport(
        config={k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()},
        environment=bench.environment(),
        scenario=RETAIL,
        scenario_title=TITLE,
        shapes={},
        started=dt.datetime.now().isoformat(timespec="seconds"),
    )
    report.config["gateways"] = ["ours"]
    report.retail = bench.retail()
    report.finished = dt.datetime.now().isoformat(timespec="seconds")
    bench.save(report)
    return report


def run(config: RunConfig) -> RunReport:
    """Run the benchmark described by ``config``; write nothing but raw logs (see :mod:`bench.report`)."""
    if config.scenario == RETAIL:
        return _run_retail_alone(config)
    scenario = get(config.scenario)
    bench = _Bench(config, scenario)
    bench.prepare_tools()
    shapes = [s for s in scenario.shapes() if not config.shapes or s.name in config.shapes]
    if not shapes:
        raise SystemExit(f"no such load shape in {scenario.name}: {list(config.shapes)}")
    report = RunReport(
        config={k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()},
        environment=bench.environment(),
        scenario=scenario.name,
        scenario_title=scenario.title,
        shapes={s.name: s.title for s in shapes},
        started=dt.datetime.now().isoformat(timespec="seconds"),
    )
    report.config["gateways"] = list(config.gateways)
    report.config["modes"] = list(config.modes)
    ports = {name: procs.free_port() for name in scenario.subgraph_names}
    _log(f"subgraphs of {scenario.name} on ports {ports} ({config.subgraph_workers} workers)")
    subgraphs = scenario.start_subgraphs("127.0.0.1", ports, config.subgraph_workers)
    with procs.running(subgraphs):
        for port in ports.values():
            procs.wait_until_answers(f"http://127.0.0.1:{port}/health", subgraphs)
        stats_url = f"http://127.0.0.1:{next(iter(ports.values()))}/_stats"
        supergraph = bench.raw / "supergraph.graphql"
        supergraph.write_text(
            scenario.supergraph({n: f"http://127.0.0.1:{p}/graphql" for n, p in ports.items()})
        )
        request_files = {}
        for shape in shapes:
            request_files[shape.name] = bench.raw / f"{shape.name}.requests.json"
            request_files[shape.name].write_text(json.dumps([r.encoded() for r in shape.requests()]))
        runs = plan_runs(config.gateways, config.modes)
        for shape in shapes:
            for gateway_run in runs:
                _log(f"{shape.name}: {gateway_run.title}, mode {gateway_run.mode}")
                started = time.monotonic()
                measurement = bench.measure(
                    gateway_run, shape.name, supergraph, request_files[shape.name], stats_url, subgraphs.pid
                )
                report.measurements.append(measurement)
                bench.save(report)
                load = measurement.load
                _log(
                    f"  {load.rps:.1f} req/s, p50 {load.p(50):.1f} ms, p99 {load.p(99):.1f} ms, "
                    f"errors {measurement.errors}, CPU {measurement.cpu_per_1k:.2f} s/1k req, "
                    f"peak RSS {measurement.peak_rss / 2**20:.0f} MiB ({time.monotonic() - started:.0f} s)"
                )
        if config.capacity:
            _log("subgraphs' own capacity (the load generator straight at them)")
            try:
                report.capacity = bench.subgraph_capacity(ports, subgraphs.pid)
                _log(f"  {report.capacity.get('rps', 0):.0f} subgraph req/s")
            except Exception as exc:  # the measurements so far must survive a failure here
                _log(f"  the capacity run failed: {exc!r}")
        if config.profile and "ours" in config.gateways:
            from bench.profile import profile_ours

            try:
                report.profiles = profile_ours(bench, supergraph, request_files, shapes)
            except Exception as exc:
                _log(f"  the profile failed: {exc!r}")
    if config.retail and "ours" in config.gateways:
        _log("retail scenario: our gateway, subgraphs and the sandbox")
        report.retail = bench.retail()
    report.finished = dt.datetime.now().isoformat(timespec="seconds")
    bench.save(report)
    return report
