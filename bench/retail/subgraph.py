"""``python -m bench.retail.subgraph NAME [flags]``: run one subgraph as ``python -m subgraphs.NAME`` does.

The same ``run_subgraph`` with the same flags and ``RETAIL_SUBGRAPH_*``
settings; when ``BENCH_RETAIL_SPANS_DIR`` is set, the benchmark's span hook
(:mod:`bench.retail.spans`) is installed first: a tracer provider that records
the CLIENT spans of requests that came with a sampled ``traceparent``, and the
middleware that makes that ``traceparent`` the request's context. Nothing in
``subgraphs/`` changes: this wraps the process start.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.retail.spans import SPANS_ENV, TraceContextMiddleware, install

__all__ = ["main"]


def main(argv: Sequence[str]) -> int:
    from starlette.applications import Starlette

    from subgraphs.common.cli import run_subgraph
    from subgraphs.common.settings import SubgraphSettings

    name, *rest = argv
    create_app: Callable[[SubgraphSettings], Starlette] = importlib.import_module(
        f"subgraphs.{name}"
    ).create_app
    directory = os.environ.get(SPANS_ENV)
    if not directory:
        return run_subgraph(name, create_app, rest)
    install(name, Path(directory))

    def traced(settings: SubgraphSettings) -> Starlette:
        app = create_app(settings)
        app.add_middleware(TraceContextMiddleware)
        return app

    return run_subgraph(name, traced, rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
