"""``python -m subgraphs.<name>``: run one subgraph with uvicorn (flags or RETAIL_SUBGRAPH_* variables)."""

from __future__ import annotations

import argparse
import gc
import logging
from collections.abc import Callable, Sequence

import uvicorn
from starlette.applications import Starlette

from subgraphs.common.settings import SubgraphSettings

__all__ = ["run_subgraph"]


def run_subgraph(
    name: str, create_app: Callable[[SubgraphSettings], Starlette], argv: Sequence[str] | None
) -> int:
    """Parse flags, build the settings and the app, and serve it until stopped."""
    parser = argparse.ArgumentParser(prog=f"python -m subgraphs.{name}", description=f"The {name} subgraph.")
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument(
        "--storage-url", default=None, help="memory://, sqlite:///PATH or redis://HOST:PORT/DB"
    )
    args = parser.parse_args(argv)
    overrides = {
        key: value
        for key, value in {"host": args.host, "port": args.port, "storage_url": args.storage_url}.items()
        if value is not None
    }
    settings = SubgraphSettings(**overrides)
    logging.basicConfig(
        level=settings.log_level.upper(), format=f"%(asctime)s {name} %(levelname)s %(message)s"
    )
    app = create_app(settings)
    # Start-up garbage is long-lived: move it out of the collector's way, and collect less often
    # (as the gateway does: a request allocates thousands of short-lived objects).
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port_for(name),
        log_level=settings.log_level,
        access_log=False,
        timeout_keep_alive=5,
    )
    return 0
