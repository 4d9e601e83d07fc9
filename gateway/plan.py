"""Query plans: the fetches an operation needs, their order, and a readable rendering.

A plan is a DAG of :class:`Fetch` nodes (each knows the fetches it waits
for); the executor runs each as soon as its dependencies are done. For
people and snapshot tests, :meth:`QueryPlan.render` prints it the way
Apollo's tools do: ``Sequence`` and ``Parallel`` stages of ``Fetch`` nodes,
entity fetches under ``Flatten(path: ...)`` with their representation
requirements before ``=>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gateway.operation import Selection

__all__ = ["Fetch", "QueryPlan", "Rep"]

Rep = dict[str, tuple[str, "Rep | None"]]
"""A representation's fields: field name -> (response key to read it from, sub-fields)."""


@dataclass(frozen=True)
class Fetch:
    id: int
    graph: str
    service: str
    url: str
    path: tuple[str, ...]
    entity: bool
    operation: str
    operation_name: str | None
    variables: tuple[str, ...]
    reps: dict[str, Rep]
    """Type -> what its representation carries (entity fetches only), as planned."""
    reps_by_typename: dict[str, Rep]
    """Data ``__typename`` -> its representation: ``reps`` plus an interface's under each implementation."""
    send_typename: dict[str, str]
    """Data ``__typename`` -> the ``__typename`` to send instead (an @interfaceObject's interface)."""
    depends_on: tuple[int, ...]
    root_keys: tuple[str, ...] = ()
    """The response keys a root fetch fills (its fields at the top of the response)."""
    renames: dict[str, Any] = field(default_factory=dict)
    """Aliases the plan gave clashing fields, to undo on the response (gateway.aliasing)."""
    definitions: tuple[str, ...] = ()
    """The operation's variable definitions (``$first: Int``), but an entity fetch's representations."""
    entity_selection: str = ""
    """An entity fetch's selection on ``_entities`` (``{ ... on Product { inStock } }``): for batching."""


@dataclass
class QueryPlan:
    kind: str
    root_type: str
    selections: tuple[Selection, ...]
    fetches: list[Fetch]
    cache: dict[str, Any] = field(default_factory=dict)
    """Per-plan memo for the executor and the response shaper."""

    def stages(self) -> list[list[Fetch]]:
        """Fetches grouped by depth: each stage needs only fetches of earlier stages."""
        depth: dict[int, int] = {}
        for fetch in self.fetches:  # topologically ordered
            depth[fetch.id] = 1 + max((depth[d] for d in fetch.depends_on if d in depth), default=-1)
        stages: list[list[Fetch]] = []
        for fetch in self.fetches:
            while len(stages) <= depth[fetch.id]:
                stages.append([])
            stages[depth[fetch.id]].append(fetch)
        return stages

    def render(self) -> str:
        """A readable plan (the form ``retail-gateway plan`` prints and the snapshot tests hold)."""
        stages = [[_render_fetch(f, "") for f in stage] for stage in self.stages()]
        if not stages:
            return "QueryPlan {}"
        parts = [
            stage[0] if len(stage) == 1 else "Parallel {\n" + ",\n".join(_indent(s) for s in stage) + ",\n}"
            for stage in stages
        ]
        body = (
            parts[0] if len(parts) == 1 else "Sequence {\n" + ",\n".join(_indent(p) for p in parts) + ",\n}"
        )
        return "QueryPlan {\n" + _indent(body) + ",\n}"


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.splitlines())


def _render_rep(rep: Rep) -> str:
    parts = []
    for name, (key, child) in rep.items():
        text = name if key == name else f"{key}: {name}"
        if child:
            text += " { " + _render_rep(child) + " }"
        parts.append(text)
    return " ".join(parts)


def _render_fetch(fetch: Fetch, indent: str) -> str:
    operation = fetch.operation[fetch.operation.index("{") :]
    if fetch.entity:
        requires = "\n".join(
            dict.fromkeys(
                f"  ... on {fetch.send_typename.get(t, t)} {{ __typename {_render_rep(rep)} }}"
                for t, rep in fetch.reps.items()
            )
        )
        body = "{\n" + requires + "\n} =>\n" + operation
    else:
        body = operation
    text = f'Fetch(service: "{fetch.service}") {{\n' + _indent(body) + "\n}"
    if fetch.entity:
        text = f'Flatten(path: "{".".join(fetch.path)}") {{\n' + _indent(text) + ",\n}"
    return text
