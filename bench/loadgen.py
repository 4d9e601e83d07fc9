"""Load generators: k6 (what the field uses), and a small pure-Python loop for when k6 cannot be installed.

Both take a requests file (see :meth:`bench.scenario.BenchRequest.encoded`),
run constant virtual users for a duration, check every answer, and return
a :class:`LoadResult`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import random
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["PERCENTILES", "LoadResult", "parse_duration", "run_k6", "run_python"]

PERCENTILES = (1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 97.5, 99.0, 99.5, 99.9)


def parse_duration(text: str) -> float:
    """Seconds in a k6-style duration: ``60s``, ``2m``, ``1m30s``, ``500ms``, or a bare number of seconds."""
    text = text.strip()
    if text.replace(".", "", 1).isdigit():
        return float(text)
    total, number = 0.0, ""
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    i = 0
    while i < len(text):
        char = text[i]
        if char.isdigit() or char == ".":
            number += char
            i += 1
            continue
        unit = "ms" if text.startswith("ms", i) else char
        if unit not in units or not number:
            raise ValueError(f"not a duration: {text!r}")
        total += float(number) * units[unit]
        number = ""
        i += len(unit)
    if number:
        raise ValueError(f"not a duration: {text!r}")
    return total


@dataclass
class LoadResult:
    requests: int
    duration_s: float
    failed: int
    """Requests whose answer was wrong, incomplete, had errors, or never came."""
    latency_ms: dict[str, float] = field(default_factory=dict)
    """avg, max and p(N) for N in :data:`PERCENTILES`, of the time from sending to the last byte."""
    tool: str = "k6"
    cpu_s: dict[str, float] = field(default_factory=dict)
    """CPU seconds over the measured window: ``loadgen`` (k6 itself) and each watched process tree."""

    @property
    def rps(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    def p(self, percentile: float) -> float:
        return self.latency_ms.get(f"p({percentile:g})", float("nan"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "duration_s": self.duration_s,
            "failed": self.failed,
            "rps": self.rps,
            "latency_ms": self.latency_ms,
            "tool": self.tool,
            "cpu_s": self.cpu_s,
        }


def run_k6(
    k6: Path,
    script: Path,
    url: str,
    requests_file: Path,
    vus: int,
    duration: str,
    summary_file: Path,
    log_file: Path,
    watch: dict[str, list[int]] | None = None,
    extra_env: dict[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
) -> LoadResult:
    """Run the k6 script; ``watch`` names process trees whose CPU over the measured window is wanted.

    ``extra_env`` and ``extra_args`` (before the script) are for scripts that read more than the
    generic one (``bench/k6/retail.js``).
    """
    env = {
        **os.environ,
        **(extra_env or {}),
        "BENCH_URL": url,
        "BENCH_REQUESTS": str(requests_file),
        "BENCH_VUS": str(vus),
        "BENCH_DURATION": duration,
        "BENCH_SUMMARY": str(summary_file),
        "K6_NO_USAGE_REPORT": "true",
    }
    summary_file.unlink(missing_ok=True)
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            [str(k6), "run", "--quiet", "--no-color", "--no-usage-report", *extra_args, str(script)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        samples = _sample_cpu(process, parse_duration(duration) + 180, watch or {})
    if not summary_file.exists():
        raise RuntimeError(f"k6 exited with {process.returncode} and no summary; see {log_file}")
    data = json.loads(summary_file.read_text())
    metrics = data["metrics"]
    count = int(metrics.get("http_reqs", {}).get("values", {}).get("count", 0))
    wrong = int(metrics.get("bench_wrong_answers", {}).get("values", {}).get("count", 0))
    duration_s = float(data["state"]["testRunDurationMs"]) / 1000
    values = metrics.get("http_req_duration", {}).get("values", {})
    latency = {
        key: float(value) for key, value in values.items() if key in ("avg", "max", "min") or "(" in key
    }
    if "med" in values and "p(50)" not in latency:
        latency["p(50)"] = float(values["med"])
    return LoadResult(count, duration_s, wrong, latency, "k6", _window_cpu(samples, duration_s))


_Sample = tuple[float, dict[str, float]]


def _sample_cpu(
    process: subprocess.Popen[bytes], timeout: float, watch: dict[str, list[int]]
) -> list[_Sample]:
    """(time, CPU seconds of k6 and of each watched tree) every 0.2 s until k6 exits (or ``timeout``)."""
    from bench.procs import cpu_seconds

    samples: list[_Sample] = []
    deadline = time.monotonic() + timeout
    while process.poll() is None:
        now = time.monotonic()
        cpu = {name: cpu_seconds(pids) for name, pids in watch.items()}
        cpu["loadgen"] = cpu_seconds([process.pid])
        if process.poll() is None:  # a reaped k6 has no /proc entry: keep only live readings
            samples.append((now, cpu))
        if now > deadline:
            process.kill()
            process.wait()
            raise RuntimeError("k6 did not finish in time")
        time.sleep(0.2)
    return samples


def _window_cpu(samples: list[_Sample], seconds: float) -> dict[str, float]:
    """CPU over the last ``seconds`` of the samples (the test's run, before k6's short teardown)."""
    if len(samples) < 2:
        return {}
    end_time, end_cpu = samples[-1]
    start = max(samples[0][0], end_time - seconds)
    for (t0, c0), (t1, c1) in itertools.pairwise(samples):
        if t0 <= start <= t1:
            share = (start - t0) / (t1 - t0) if t1 > t0 else 0.0
            return {name: end_cpu[name] - (c0[name] + (c1[name] - c0[name]) * share) for name in end_cpu}
    return {}


# ------------------------------------------------------------------ the fallback: pure Python


async def _python_load(
    url: str, requests: list[dict[str, Any]], vus: int, duration_s: float
) -> tuple[list[float], int, float]:
    import aiohttp

    latencies: list[float] = []
    failed = 0
    parsed: dict[int, Any] = {}
    deadline = time.monotonic() + duration_s
    headers = {"Content-Type": "application/json", "Accept": "application/json"}

    async def user(session: aiohttp.ClientSession) -> None:
        nonlocal failed
        while time.monotonic() < deadline:
            index = 0 if len(requests) == 1 else random.randrange(len(requests))
            request = requests[index]
            started = time.perf_counter()
            try:
                target = request.get("url") or url
                async with session.post(target, data=request["body"], headers=headers) as response:
                    body = await response.text()
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                failed += 1
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            expected = request["expected"]
            ok = status == 200 and expected is not None and body == expected
            if status == 200 and not ok:
                try:
                    answer = json.loads(body)
                except ValueError:
                    answer = None
                if expected is not None and index not in parsed:
                    parsed[index] = json.loads(expected)
                ok = (
                    isinstance(answer, dict)
                    and "errors" not in answer
                    and (expected is None or answer == parsed[index])
                )
            if not ok:
                failed += 1

    started = time.monotonic()
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=vus)) as session:
        await asyncio.gather(*(user(session) for _ in range(vus)))
    return latencies, failed, time.monotonic() - started


def run_python(url: str, requests_file: Path, vus: int, duration: str) -> LoadResult:
    """The same load and checks as the k6 script, from a Python asyncio loop (slower; a fallback)."""
    requests = json.loads(requests_file.read_text())
    latencies, failed, elapsed = asyncio.run(_python_load(url, requests, vus, parse_duration(duration)))
    latencies.sort()
    summary: dict[str, float] = {}
    if latencies:
        summary["avg"] = sum(latencies) / len(latencies)
        summary["max"] = latencies[-1]
        summary["min"] = latencies[0]
        for percentile in PERCENTILES:
            index = min(len(latencies) - 1, round(percentile / 100 * (len(latencies) - 1)))
            summary[f"p({percentile:g})"] = latencies[index]
    return LoadResult(len(latencies) + failed, elapsed, failed, summary, "python")
