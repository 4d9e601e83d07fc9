"""Export every subgraph's SDL to ``schema/subgraphs/`` and compose ``schema/supergraph.graphql``.

``python -m subgraphs.export`` writes both; ``--check`` writes nothing and
exits 1 (naming the files) when either is out of date, which a test runs.
Composition uses ``@theguild/federation-composition`` (MIT) from npm until we
compose in Python: ``schema/compose/`` holds its package.json, installed into
``schema/compose/node_modules`` on first use (Node.js 18+ and npm needed).

Routing URLs in the supergraph are the local stack's (``127.0.0.1:4001-4005``);
a deployment points the gateway elsewhere with its subgraph URL overrides.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from strawberry.federation import Schema

__all__ = ["SUBGRAPHS", "compose", "exported_sdls", "main"]

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
COMPOSE_DIR = SCHEMA_DIR / "compose"
SUBGRAPHS: tuple[str, ...] = ("catalog", "inventory", "orders", "returns", "customers")


def _schemas() -> dict[str, Schema]:
    from subgraphs.catalog.schema import schema as catalog
    from subgraphs.customers.schema import schema as customers
    from subgraphs.inventory.schema import schema as inventory
    from subgraphs.orders.schema import schema as orders
    from subgraphs.returns.schema import schema as returns

    found = {
        "catalog": catalog,
        "inventory": inventory,
        "orders": orders,
        "returns": returns,
        "customers": customers,
    }
    return {name: found[name] for name in SUBGRAPHS}


def exported_sdls() -> dict[str, str]:
    """Each subgraph's federation SDL, as its ``_service { sdl }`` answers it."""
    return {name: schema.as_str().rstrip() + "\n" for name, schema in _schemas().items()}


def _ensure_node_modules() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError("composition needs Node.js and npm (apt-get install nodejs npm)")
    digest = hashlib.sha256((COMPOSE_DIR / "package.json").read_bytes()).hexdigest()
    stamp = COMPOSE_DIR / "node_modules" / ".retail-stamp"
    if stamp.exists() and stamp.read_text() == digest:
        return
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--no-package-lock", "--loglevel=error"],
        cwd=COMPOSE_DIR,
        check=True,
        capture_output=True,
        timeout=600,
    )
    stamp.write_text(digest)


def compose(sdls: dict[str, str], *, host: str = "127.0.0.1") -> str:
    """The supergraph of ``sdls`` with the local stack's routing URLs."""
    from subgraphs.common.settings import DEFAULT_PORTS

    _ensure_node_modules()
    services = [
        {"name": name, "url": f"http://{host}:{DEFAULT_PORTS[name]}/graphql", "sdl": sdl}
        for name, sdl in sdls.items()
    ]
    result = subprocess.run(
        ["node", str(COMPOSE_DIR / "compose.mjs")],
        input=json.dumps(services),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"composition failed: {result.stderr}")
    return result.stdout.rstrip() + "\n"


def expected_files() -> dict[Path, str]:
    """Every file the export writes, with its content."""
    sdls = exported_sdls()
    files = {SCHEMA_DIR / "subgraphs" / f"{name}.graphql": sdl for name, sdl in sdls.items()}
    files[SCHEMA_DIR / "supergraph.graphql"] = compose(sdls)
    return files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m subgraphs.export", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is out of date; write nothing")
    args = parser.parse_args(argv)
    files = expected_files()
    stale = [path for path, text in files.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)} (run python -m subgraphs.export)", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
