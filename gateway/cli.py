"""``retail-gateway``: the command line of the gateway.

Subcommands:

- ``serve --supergraph FILE``: serve a supergraph on ``/graphql`` (health at ``/health``).
- ``plan --supergraph FILE QUERY``: print the query plan of an operation.
- ``stack``: run the whole local stack (sandbox systems, subgraphs, gateway) in the foreground.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gateway.errors import GatewayError
from gateway.launcher import Stack, default_services

__all__ = ["main"]


def _stack(args: argparse.Namespace) -> int:
    services = default_services(args.host, args.seed, args.size, args.port_offset)
    return Stack(services, args.host, startup_timeout=args.startup_timeout).run()


def _serve(args: argparse.Namespace) -> int:
    import gc

    import uvicorn

    from gateway.server import create_app
    from gateway.settings import GatewaySettings
    from gateway.supergraph import load_supergraph

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    settings = GatewaySettings(supergraph=args.supergraph, **overrides)
    supergraph = load_supergraph(args.supergraph)
    supergraph.override_urls(settings.subgraph_urls)
    app = create_app(supergraph, settings)
    # Start-up garbage is long-lived: move it out of the collector's way, and collect less often.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        loop="auto",
        http="auto",
    )
    return 0


def _plan(args: argparse.Namespace) -> int:
    import json

    from gateway.service import Gateway, GraphQLRequest
    from gateway.supergraph import load_supergraph

    query = Path(args.query[1:]).read_text() if args.query.startswith("@") else args.query
    gateway = Gateway(load_supergraph(args.supergraph))
    variables = json.loads(args.variables) if args.variables else {}
    prepared, operation = gateway.prepare(GraphQLRequest(query, variables, args.operation_name))
    print(gateway.plan(prepared, operation, variables).render())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="retail-gateway", description="A retail GraphQL federation gateway."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve a supergraph")
    serve.add_argument("--supergraph", required=True, type=Path, help="supergraph SDL file")
    serve.add_argument("--host", default=None, help="default 127.0.0.1")
    serve.add_argument("--port", type=int, default=None, help="default 4000")
    serve.set_defaults(handler=_serve)

    plan = commands.add_parser("plan", help="print the query plan of an operation")
    plan.add_argument("--supergraph", required=True, type=Path)
    plan.add_argument("query", help="the operation, or @FILE")
    plan.add_argument("--variables", default=None, help="variables as JSON (for @skip/@include)")
    plan.add_argument("--operation-name", default=None)
    plan.set_defaults(handler=_plan)

    stack = commands.add_parser("stack", help="run the whole local stack in the foreground")
    stack.add_argument("--host", default="127.0.0.1")
    stack.add_argument("--seed", type=int, default=42, help="sandbox seed data (default 42)")
    stack.add_argument("--size", choices=("small", "large"), default="small")
    stack.add_argument("--port-offset", type=int, default=0, help="added to every default port")
    stack.add_argument("--startup-timeout", type=float, default=60.0)
    stack.set_defaults(handler=_stack)

    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
    except GatewayError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
