"""``retail-subgraph NAME [--host H] [--port P] [--storage-url URL]``: run one subgraph."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from subgraphs.common.cli import run_subgraph
from subgraphs.common.settings import DEFAULT_PORTS

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="retail-subgraph", description=__doc__, add_help=not args[:1])
    parser.add_argument("name", choices=sorted(DEFAULT_PORTS))
    known, rest = parser.parse_known_args(args[:1])
    module = importlib.import_module(f"subgraphs.{known.name}")
    return run_subgraph(known.name, module.create_app, [*rest, *args[1:]])


if __name__ == "__main__":
    sys.exit(main())
