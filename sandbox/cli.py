"""``retail-sandbox SYSTEM``: run one sandbox system of record (erp, oms, pos or shopify)."""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import random
import sys
from collections.abc import Sequence
from typing import Any

from starlette.applications import Starlette

from sandbox.app import System, build_app
from sandbox.runtime import Runtime
from sandbox.settings import DEFAULT_PORTS, SandboxSettings
from sandbox.world import World, build_world

__all__ = ["create_app", "main"]

_FACTORIES = {
    "erp": "sandbox.erp.system:ErpSystem",
    "oms": "sandbox.oms.system:OmsSystem",
    "pos": "sandbox.pos.system:PosSystem",
    "shopify": "sandbox.shopify.system:ShopifySystem",
}


def _system_class(name: str) -> Any:
    module_name, _, attr = _FACTORIES[name].partition(":")
    return getattr(importlib.import_module(module_name), attr)


def create_app(name: str, settings: SandboxSettings | None = None, world: World | None = None) -> Starlette:
    """The ASGI app of sandbox system ``name`` (tests pass a prebuilt world to save time)."""
    settings = settings or SandboxSettings()
    world = world or build_world(settings.seed, settings.size)
    cls = _system_class(name)
    knobs = cls.knobs_model.model_validate(settings.knobs)
    runtime = Runtime(system=name, world=world, knobs=knobs, rng=random.Random(settings.seed))
    system: System = cls(runtime, settings)
    return build_app(system, runtime)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="retail-sandbox", description=__doc__)
    parser.add_argument("system", choices=sorted(_FACTORIES))
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None, help="default: " + str(DEFAULT_PORTS))
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--size", choices=("small", "large"), default=None)
    parser.add_argument("--knobs", default=None, help="initial knobs as JSON, e.g. '{\"latency_ms\": 20}'")
    parser.add_argument("--webhook-url", default=None, help="Shopify: where to deliver webhooks")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {
        key: value
        for key, value in (
            ("host", args.host),
            ("port", args.port),
            ("seed", args.seed),
            ("size", args.size),
            ("shopify_webhook_url", args.webhook_url),
        )
        if value is not None
    }
    if args.knobs is not None:
        try:
            overrides["knobs"] = json.loads(args.knobs)
        except json.JSONDecodeError as exc:
            parser.error(f"--knobs is not valid JSON: {exc}")
    settings = SandboxSettings(**overrides)
    import uvicorn

    app = create_app(args.system, settings)
    # The seeded world is long-lived: keep the collector from walking it again and again.
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port_for(args.system),
        log_level=settings.log_level,
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
