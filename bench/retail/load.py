"""Loading the retail stack: k6 (``bench/k6/retail.js``) or a pure-Python fallback; one request at a time.

Every request carries its own sampled ``traceparent``; each returns a
:class:`Record` (its trace id, operation, latency and whether the answer was
right) so that its system calls can be read from the subgraphs' spans.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.loadgen import PERCENTILES, LoadResult, parse_duration, run_k6
from bench.paths import BENCH_DIR
from bench.retail.spans import traceparent

__all__ = ["K6_SCRIPT", "Record", "ask", "percentile_of", "right_answer", "run_load"]

K6_SCRIPT = BENCH_DIR / "k6" / "retail.js"
_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


@dataclass(frozen=True)
class Record:
    trace: str
    operation: str
    latency_ms: float
    ok: bool


def right_answer(status: int, body: bytes | str, kind: str) -> bool:
    """The k6 script's check: 200, no ``errors``, no null root field, a write's ``userErrors`` empty."""
    if status != 200:
        return False
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    if not isinstance(answer, dict) or "errors" in answer or not isinstance(answer.get("data"), dict):
        return False
    roots = list(answer["data"].values())
    if not roots or any(value is None for value in roots):
        return False
    if kind == "submit":
        return roots[0].get("order") is not None and not roots[0].get("userErrors")
    if kind == "return":
        return roots[0].get("return") is not None and not roots[0].get("userErrors")
    return True


def fresh(body: str, placeholder: str) -> str:
    return body.replace(placeholder, os.urandom(8).hex())


def ask(url: str, body: str, operation: str, kind: str = "read") -> tuple[Record, bytes]:
    """One request, traced, from this thread (the dry run and the checks)."""
    trace = os.urandom(16).hex()
    request = urllib.request.Request(
        url, data=body.encode(), headers={**_HEADERS, "traceparent": traceparent(trace)}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, answer = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, answer = exc.code, exc.read()
    latency = (time.perf_counter() - started) * 1000
    return Record(trace, operation, latency, right_answer(status, answer, kind)), answer


def _read_console(console: Path, log: Path) -> list[Record]:
    """The records k6 printed; any other line (a wrong answer's warning) goes to the k6 log."""
    records: list[Record] = []
    if not console.exists():
        return records
    with log.open("a") as out:
        for line in console.read_text().splitlines():
            if line.startswith("["):
                trace, operation, latency, ok = json.loads(line)
                records.append(Record(trace, operation, float(latency), bool(ok)))
            elif line.strip():
                out.write(line + "\n")
    return records


def run_load(
    k6: Path | None,
    url: str,
    requests_file: Path,
    vus: int,
    duration: str,
    name: str,
    raw: Path,
    *,
    returns: bool,
    records: bool,
    watch: dict[str, list[int]] | None = None,
    think_ms: float = 0.0,
) -> tuple[LoadResult, list[Record]]:
    """Constant ``vus`` for ``duration``: k6 when there is one, else the Python loop. ``think_ms``: each
    virtual user's pause after an answer, on average (uniform over half to one and a half times it)."""
    if k6 is None:
        from bench import procs

        before = {key: procs.cpu_seconds(pids) for key, pids in (watch or {}).items()}
        result, found = _python_load(url, requests_file, vus, parse_duration(duration), returns, think_ms)
        result.cpu_s = {key: procs.cpu_seconds(pids) - before[key] for key, pids in (watch or {}).items()}
        return result, found if records else []
    console = raw / f"{name}.console.txt"
    console.unlink(missing_ok=True)
    args: tuple[str, ...] = ("--log-format", "raw", "--console-output", str(console))
    result = run_k6(
        k6,
        K6_SCRIPT,
        url,
        requests_file,
        vus,
        duration,
        raw / f"{name}.summary.json",
        raw / f"{name}.k6.log",
        watch,
        extra_env={
            "BENCH_RECORDS": "1" if records else "0",
            "BENCH_RETAIL_RETURNS": "1" if returns else "0",
            "BENCH_THINK_MS": f"{think_ms:g}",
        },
        extra_args=args,
    )
    found = _read_console(console, raw / f"{name}.k6.log")
    console.unlink(missing_ok=True)
    return result, found


# ------------------------------------------------------------------ the fallback: pure Python


def _python_load(
    url: str, requests_file: Path, vus: int, seconds: float, returns_on: bool, think_ms: float = 0.0
) -> tuple[LoadResult, list[Record]]:
    data = json.loads(requests_file.read_text())
    by_operation: dict[str, list[str]] = {}
    for operation, body in data["reads"]:
        by_operation.setdefault(operation, []).append(body)
    operations = sorted(by_operation)
    pool: list[str] = list(data["returns"])
    found: list[Record] = []

    async def main() -> float:
        import aiohttp

        deadline = time.monotonic() + seconds

        async def user(session: aiohttp.ClientSession, vu: int) -> None:
            next_return = vu
            while time.monotonic() < deadline:
                roll = random.random()
                kind = "read"
                if roll < data["submitShare"]:
                    kind, operation = "submit", "storefront/SubmitOrder"
                    body = fresh(random.choice(data["submits"]), data["placeholder"])
                elif (
                    returns_on
                    and roll < data["submitShare"] + data["returnShare"]
                    and next_return < len(pool)
                ):
                    kind, operation = "return", "cs-portal/AuthorizeReturn"
                    body = fresh(pool[next_return], data["placeholder"])
                    next_return += vus
                else:
                    operation = random.choice(operations)
                    body = random.choice(by_operation[operation])
                trace = os.urandom(16).hex()
                headers = {**_HEADERS, "traceparent": traceparent(trace)}
                started = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        answer, status = await response.read(), response.status
                except (aiohttp.ClientError, TimeoutError):
                    answer, status = b"", 0
                latency = (time.perf_counter() - started) * 1000
                found.append(Record(trace, operation, latency, right_answer(status, answer, kind)))
                if think_ms > 0:
                    await asyncio.sleep(think_ms / 1000 * (0.5 + random.random()))

        started = time.monotonic()
        timeout = aiohttp.ClientTimeout(total=60)
        connector = aiohttp.TCPConnector(limit=vus)
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            await asyncio.gather(*(user(session, vu) for vu in range(vus)))
        return time.monotonic() - started

    elapsed = asyncio.run(main())
    latencies = sorted(r.latency_ms for r in found)
    summary: dict[str, float] = {}
    if latencies:
        summary = {"avg": sum(latencies) / len(latencies), "max": latencies[-1], "min": latencies[0]}
        for percentile in PERCENTILES:
            summary[f"p({percentile:g})"] = percentile_of(latencies, percentile)
    failed = sum(not r.ok for r in found)
    return LoadResult(len(found), elapsed, failed, summary, "python"), found


def percentile_of(ordered: list[float], percentile: float) -> float:
    """Nearest rank on a sorted list (as the Python load loop reports them); NaN when empty."""
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(percentile / 100 * (len(ordered) - 1)))]
