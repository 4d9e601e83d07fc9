"""``retail-gateway``: the command line of the gateway.

Subcommands:

- ``stack``: run the whole local stack (sandbox systems, subgraphs, gateway) in the foreground.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from gateway.launcher import Stack, default_services

__all__ = ["main"]


def _stack(args: argparse.Namespace) -> int:
    services = default_services(args.host, args.seed, args.size, args.port_offset)
    return Stack(services, args.host, startup_timeout=args.startup_timeout).run()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="retail-gateway", description="A retail GraphQL federation gateway."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    stack = commands.add_parser("stack", help="run the whole local stack in the foreground")
    stack.add_argument("--host", default="127.0.0.1")
    stack.add_argument("--seed", type=int, default=42, help="sandbox seed data (default 42)")
    stack.add_argument("--size", choices=("small", "large"), default="small")
    stack.add_argument("--port-offset", type=int, default=0, help="added to every default port")
    stack.add_argument("--startup-timeout", type=float, default=60.0)
    stack.set_defaults(handler=_stack)

    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
