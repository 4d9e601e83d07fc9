"""The state of planning one operation: fetch groups, their dependencies, and the frames walked.

A :class:`FetchGroup` is one subgraph request being built (a root fetch or an
``_entities`` fetch at a response path) with the fetches it must wait for.
:class:`GroupBook` keeps them for one planning run and decides when a new
entity fetch can join an existing one.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from gateway.errors import GatewayError
from gateway.federation import Federation
from gateway.operation import Field, Fragment, Selection
from gateway.plan import Rep
from gateway.selection import SelectionBuilder, arguments_key

__all__ = [
    "FetchGroup",
    "Frame",
    "GroupBook",
    "Hop",
    "PlanningError",
    "merge_rep",
    "same_field",
    "topological",
    "without",
]


class PlanningError(GatewayError):
    code = "QUERY_PLANNING_FAILED"


@dataclass(eq=False)
class FetchGroup:
    id: int
    graph: str
    path: tuple[str, ...]
    entity: bool
    selection: SelectionBuilder = field(default_factory=SelectionBuilder)
    reps: dict[str, Rep] = field(default_factory=dict)
    send_typename: dict[str, str] = field(default_factory=dict)
    depends_on: set[FetchGroup] = field(default_factory=set)
    as_interface: bool = False
    """Sends objects as their @interfaceObject interface: kept apart from fetches that send concrete types,
    since one object can only be sent under one ``__typename`` per fetch."""


@dataclass(frozen=True)
class Frame:
    """A composite field being planned: where to go back to when something below it cannot be reached."""

    group: FetchGroup
    builder: SelectionBuilder
    parent: str
    field: Field
    path: tuple[str, ...]
    provided: tuple[Selection, ...] | None
    siblings: dict[str, list[Field]] | None


@dataclass(frozen=True)
class Hop:
    graph: str
    via: str
    key: str


def merge_rep(into: Rep, more: Rep) -> None:
    for name, (data_key, child) in more.items():
        existing = into.get(name)
        if existing is None:
            into[name] = (data_key, child)
        elif child is not None:
            if existing[1] is None:
                into[name] = (existing[0], child)
            else:
                merge_rep(existing[1], child)


class GroupBook:
    """The fetch groups of one planning run, and what planning walks through."""

    def __init__(self, federation: Federation, kind: str = "query", root_type: str = "Query") -> None:
        self.fed = federation
        self.kind = kind
        self.root_type = root_type
        self.root_groups: dict[str, FetchGroup] = {}
        self.frames: list[Frame] = []
        self._climbs: set[tuple[int, str, str]] = set()
        self._assembling: set[tuple[str, str, str, tuple[str, ...]]] = set()
        self.groups: list[FetchGroup] = []
        self.by_path: dict[tuple[str, tuple[str, ...]], list[FetchGroup]] = {}
        self._ids = itertools.count()
        self._recorders: list[set[FetchGroup]] = []

    # ------------------------------------------------------------ groups

    def new_group(self, graph: str, path: tuple[str, ...], entity: bool) -> FetchGroup:
        group = FetchGroup(next(self._ids), graph, path, entity)
        self.groups.append(group)
        if entity:
            self.by_path.setdefault((graph, path), []).append(group)
        return group

    def entity_group(
        self, graph: str, path: tuple[str, ...], deps: set[FetchGroup], as_interface: bool = False
    ) -> FetchGroup:
        """An entity fetch of ``graph`` at ``path`` after exactly ``deps``: an existing one, else a new one.

        Fetches that wait for different fetches stay apart (as Apollo's do): an object whose inputs from
        one of them are missing is left out of a fetch, and that must not cost it the fields that only
        needed the others.
        """
        for group in self.by_path.get((graph, path), ()):
            if group.depends_on == deps and group.as_interface == as_interface:
                return group
        group = self.new_group(graph, path, entity=True)
        group.depends_on |= deps
        group.as_interface = as_interface
        return group

    def note(self, group: FetchGroup) -> None:
        for recorder in self._recorders:
            recorder.add(group)

    # ------------------------------------------------------------ fields


def same_field(a: Field, b: Field) -> bool:
    return a.name == b.name and arguments_key(a.arguments) == arguments_key(b.arguments)


def without(selections: tuple[Selection, ...], keys: set[str], type_name: str) -> tuple[Selection, ...]:
    """``selections`` less the fields under ``keys`` at this level (fragments on other types stay whole)."""
    out: list[Selection] = []
    for selection in selections:
        if isinstance(selection, Field):
            if selection.response_key not in keys:
                out.append(selection)
        elif selection.type_condition in (None, type_name):
            inner = without(selection.selections, keys, type_name)
            if inner:
                out.append(Fragment(selection.type_condition, inner))
        else:
            out.append(selection)
    return tuple(out)


def topological(groups: list[FetchGroup]) -> list[FetchGroup]:
    out: list[FetchGroup] = []
    seen: set[int] = set()

    def visit(group: FetchGroup) -> None:
        if group.id in seen:
            return
        seen.add(group.id)
        for dep in sorted(group.depends_on, key=lambda g: g.id):
            visit(dep)
        out.append(group)

    for group in groups:
        visit(group)
    return out
