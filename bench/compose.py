"""Compose a scenario's supergraph (``python -m bench compose``) with @theguild/federation-composition."""

from __future__ import annotations

import json
import subprocess

from bench.scenario import Scenario, canonical_url
from bench.tools import NodeTools, ToolError

__all__ = ["compose", "write_supergraph"]


def compose(scenario: Scenario, node: NodeTools) -> str:
    """The supergraph of ``scenario``'s subgraphs, with their canonical URLs."""
    services = [
        {"name": name, "url": canonical_url(name, index), "sdl": scenario.subgraph_sdl(name)}
        for index, name in enumerate(scenario.subgraph_names)
    ]
    result = subprocess.run(
        [str(node.node), str(node.script("compose.mjs"))],
        input=json.dumps(services),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise ToolError(f"composition of {scenario.name} failed:\n{result.stderr}")
    return result.stdout


def write_supergraph(scenario: Scenario, node: NodeTools) -> bool:
    """Recompose and write the committed supergraph; True when it changed."""
    text = compose(scenario, node)
    path = scenario.supergraph_file()
    changed = not path.exists() or path.read_text() != text
    if changed:
        path.write_text(text)
    return changed
