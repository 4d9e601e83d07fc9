"""Subgraph sets for the differential tests: each module has ``subgraphs()`` and ``QUERIES``."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Any

__all__ = ["LINK", "Query", "load_set", "set_names"]

LINK = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", '
    '"@external", "@requires", "@provides", "@inaccessible", "@override", "@interfaceObject", "@tag"])\n'
)


@dataclass(frozen=True)
class Query:
    """One differential case. ``expected`` overrides Apollo's answer where Apollo is wrong per the spec
    (``why`` says how); ``xfail`` names a known gap of ours (a strict xfail: it must fail until fixed)."""

    name: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    expected: dict[str, Any] | None = None
    why: str | None = None
    xfail: str | None = None


def set_names() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def load_set(name: str) -> Any:
    return importlib.import_module(f"{__name__}.{name}")
