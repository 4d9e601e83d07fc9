"""The layering rule of DESIGN.md: imports only point down the table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("gateway", "subgraphs", "resolvers", "storage", "sandbox")

# What each package may import of ours (besides itself).
ALLOWED: dict[str, set[str]] = {
    "gateway": {"storage"},
    "subgraphs": {"resolvers", "storage"},
    "resolvers": {"storage"},
    "storage": set(),
    "sandbox": set(),
}


def _our_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.partition(".")[0])
    return found & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(bad)
        for path in sorted((ROOT / package).rglob("*.py"))
        if (bad := _our_imports(path) - ALLOWED[package] - {package})
    }
    assert offenders == {}


def test_the_launcher_spawns_parts_by_module_name_without_importing_them() -> None:
    imports = _our_imports(ROOT / "gateway" / "launcher.py")
    assert imports <= {"gateway"}
