"""The subgraphs' CLIENT spans as the retail benchmark records them, and the chain of system calls they show.

**Recording** (in a subgraph process, :mod:`bench.retail.subgraph`): a global
OpenTelemetry SDK tracer provider whose sampler is
``ParentBased(root=ALWAYS_OFF)``, so that a span is recorded only when the
request that caused it came with a *sampled* W3C ``traceparent``. The gateway
forwards ``traceparent`` to every subgraph fetch; an ASGI middleware in front
of the subgraph makes the incoming one the current context, so the kit's
CLIENT spans (:mod:`resolvers.kit.tracing`, one per request to a system)
become its children and carry the client's trace id. Work without one (the
orders subgraph's ERP outbox worker posting in the background, a client that
sends none) records nothing. Each recorded span is one JSON line in
``<dir>/<subgraph>.jsonl``, written when the span ends.

**Reading**: :func:`read_spans` groups the lines by trace id; :func:`chain`
gives the calls of one request per system and the depth of their longest
chain (a call is after another when it started once the other had ended), the
number of system round trips the request had to wait for one after the other.
"""

from __future__ import annotations

import heapq
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = [
    "SPANS_ENV",
    "Call",
    "Chain",
    "TraceContextMiddleware",
    "chain",
    "install",
    "read_spans",
    "traceparent",
]

SPANS_ENV = "BENCH_RETAIL_SPANS_DIR"
"""Set in a subgraph process's environment: the directory its span file goes to (unset: no hook)."""


@dataclass(frozen=True)
class Call:
    """One request to a system of record, as one CLIENT span recorded it."""

    system: str
    operation: str
    start_ns: int
    end_ns: int
    subgraph: str
    status: int | None = None

    @property
    def ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6


@dataclass(frozen=True)
class Chain:
    """What one request asked of the systems."""

    calls: int
    by_system: dict[str, int]
    depth: int
    """Calls in the longest chain of calls each started after the previous one ended."""
    chain_ms: float
    """The summed durations of the calls along that chain (the slowest such chain)."""


def chain(calls: Sequence[Call]) -> Chain:
    """Calls per system and the longest sequential chain among ``calls``."""
    # In order of start: a call ended before this one started was started earlier, so it has been seen;
    # the ended ones leave a heap (by end) once and for all, keeping the best chain that ends before.
    ordered = sorted(calls, key=lambda c: (c.start_ns, c.end_ns))
    running: list[tuple[int, int, float]] = []  # (end, depth, weight) of calls not yet known to be over
    ended_depth, ended_weight = 0, 0.0
    best_depth, best_weight = 0, 0.0
    for call in ordered:
        while running and running[0][0] <= call.start_ns:
            _, depth, weight = heapq.heappop(running)
            ended_depth, ended_weight = max(ended_depth, depth), max(ended_weight, weight)
        depth, weight = ended_depth + 1, ended_weight + call.ms
        heapq.heappush(running, (call.end_ns, depth, weight))
        best_depth, best_weight = max(best_depth, depth), max(best_weight, weight)
    by_system: dict[str, int] = {}
    for call in ordered:
        by_system[call.system] = by_system.get(call.system, 0) + 1
    return Chain(len(ordered), by_system, best_depth, best_weight)


def read_spans(directory: Path) -> dict[str, list[Call]]:
    """Every recorded call under ``directory``, by trace id (32 hex digits)."""
    found: dict[str, list[Call]] = {}
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            found.setdefault(row["trace"], []).append(
                Call(
                    row["system"],
                    row["operation"],
                    int(row["start"]),
                    int(row["end"]),
                    row["subgraph"],
                    row.get("status"),
                )
            )
    return found


# ------------------------------------------------------------------ recording (in a subgraph process)


def _exporter(out: IO[str], subgraph: str) -> Any:
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
    from opentelemetry.trace import SpanKind

    class FileExporter(SpanExporter):
        """One JSON line per finished CLIENT span."""

        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            for span in spans:
                if span.kind != SpanKind.CLIENT or span.context is None:
                    continue
                attributes: Mapping[str, Any] = span.attributes or {}
                row = {
                    "trace": format(span.context.trace_id, "032x"),
                    "subgraph": subgraph,
                    "system": attributes.get("retail.system", "?"),
                    "operation": attributes.get("retail.operation", span.name),
                    "start": span.start_time,
                    "end": span.end_time,
                    "status": attributes.get("http.response.status_code"),
                    "wait_ms": attributes.get("retail.rate_limit_wait_ms", 0),
                    "cache": attributes.get("retail.cache"),
                }
                out.write(json.dumps(row) + "\n")
            out.flush()
            return SpanExportResult.SUCCESS

        def shutdown(self) -> None:
            out.close()

    return FileExporter()


class TraceContextMiddleware:
    """Makes an incoming ``traceparent`` the current OpenTelemetry context for the request (ASGI)."""

    def __init__(self, app: Any) -> None:
        from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

        self.app = app
        self._propagator = TraceContextTextMapPropagator()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        carrier = {
            key.decode("latin-1"): value.decode("latin-1")
            for key, value in scope.get("headers", ())
            if key in (b"traceparent", b"tracestate")
        }
        if scope["type"] != "http" or "traceparent" not in carrier:
            await self.app(scope, receive, send)
            return
        from opentelemetry import context

        token = context.attach(self._propagator.extract(carrier))
        try:
            await self.app(scope, receive, send)
        finally:
            context.detach(token)


def install(subgraph: str, directory: Path) -> None:
    """Set the global tracer provider of this process: record sampled children only, to the span file."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased

    directory.mkdir(parents=True, exist_ok=True)
    out = (directory / f"{subgraph}.jsonl").open("a", encoding="utf-8")
    provider = TracerProvider(sampler=ParentBased(root=ALWAYS_OFF))
    provider.add_span_processor(SimpleSpanProcessor(_exporter(out, subgraph)))
    trace.set_tracer_provider(provider)


def traceparent(trace_id: str) -> str:
    """A sampled W3C ``traceparent`` for ``trace_id`` (32 hex digits) and a fresh parent span id."""
    return f"00-{trace_id}-{os.urandom(8).hex()}-01"
