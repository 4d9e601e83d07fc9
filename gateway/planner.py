"""The query planner: a client operation -> fetch groups with dependencies -> a :class:`QueryPlan`.

Planning walks the operation once. Each field goes to the fetch group of
the subgraph that is already fetching its parent when that subgraph can
resolve it (including through ``@provides``); otherwise the planner *jumps*:
it adds ``__typename`` and the key fields of a key the next subgraph can be
entered by to the current fetch, and plans the field in an entity fetch
(``_entities``) of that subgraph at the same response path. A jump may take
two hops when no key is shared directly. ``@requires`` fields are planned
first, wherever they can be fetched, and the entity fetch that needs them
depends on every fetch that provides them. Entity fetches of one subgraph
at one path are merged unless that would create a cycle.

Abstract types are planned per concrete type the subgraph can return
(``... on Book``), always with ``__typename`` so the response can be shaped.
An ``@interfaceObject`` subgraph returns the interface's name as
``__typename``; when the query needs the concrete type, the planner first
asks a subgraph that has the real interface.

Mutations: each root field is planned after everything the previous one
needs has run, so they execute one after another, in order.

Errors: :class:`PlanningError` (``QUERY_PLANNING_FAILED``) when no subgraph
can reach a field (a supergraph that composition would have rejected).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Literal

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    OperationDefinitionNode,
    OperationType,
    print_ast,
)

from gateway.aliasing import dealias
from gateway.errors import GatewayError
from gateway.federation import Federation, parse_field_set, unwrap
from gateway.operation import Field, Fragment, Selection
from gateway.plan import Fetch, QueryPlan, Rep
from gateway.selection import SelectionBuilder, collect, merged, provided_child

__all__ = ["Planner", "PlanningError"]

OperationKind = Literal["query", "mutation", "subscription"]

_NOT_NAME = re.compile(r"[^_0-9A-Za-z]")
_KINDS = {
    "query": OperationType.QUERY,
    "mutation": OperationType.MUTATION,
    "subscription": OperationType.SUBSCRIPTION,
}


class PlanningError(GatewayError):
    code = "QUERY_PLANNING_FAILED"


@dataclass(eq=False)
class _Group:
    id: int
    graph: str
    path: tuple[str, ...]
    entity: bool
    selection: SelectionBuilder = field(default_factory=SelectionBuilder)
    reps: dict[str, Rep] = field(default_factory=dict)
    send_typename: dict[str, str] = field(default_factory=dict)
    depends_on: set[_Group] = field(default_factory=set)
    as_interface: bool = False
    """Sends objects as their @interfaceObject interface: kept apart from fetches that send concrete types,
    since one object can only be sent under one ``__typename`` per fetch."""

    def depends_transitively(self, other: _Group) -> bool:
        stack, seen = list(self.depends_on), set()
        while stack:
            group = stack.pop()
            if group is other:
                return True
            if group.id not in seen:
                seen.add(group.id)
                stack.extend(group.depends_on)
        return False


@dataclass(frozen=True)
class _Frame:
    """A composite field being planned: where to go back to when something below it cannot be reached."""

    group: _Group
    builder: SelectionBuilder
    parent: str
    field: Field
    path: tuple[str, ...]
    provided: tuple[Selection, ...] | None
    siblings: dict[str, list[Field]] | None


@dataclass(frozen=True)
class _Hop:
    graph: str
    via: str
    key: str


def _merge_rep(into: Rep, more: Rep) -> None:
    for name, (data_key, child) in more.items():
        existing = into.get(name)
        if existing is None:
            into[name] = (data_key, child)
        elif child is not None:
            if existing[1] is None:
                into[name] = (existing[0], child)
            else:
                _merge_rep(existing[1], child)


class _Planning:
    """The state of planning one operation."""

    def __init__(self, federation: Federation, kind: str = "query", root_type: str = "Query") -> None:
        self.fed = federation
        self.kind = kind
        self.root_type = root_type
        self.root_groups: dict[str, _Group] = {}
        self.frames: list[_Frame] = []
        self._climbs: set[tuple[int, str, str]] = set()
        self._assembling: set[tuple[str, str, str, tuple[str, ...]]] = set()
        self.groups: list[_Group] = []
        self.by_path: dict[tuple[str, tuple[str, ...]], list[_Group]] = {}
        self._ids = itertools.count()
        self._recorders: list[set[_Group]] = []

    # ------------------------------------------------------------ groups

    def new_group(self, graph: str, path: tuple[str, ...], entity: bool) -> _Group:
        group = _Group(next(self._ids), graph, path, entity)
        self.groups.append(group)
        if entity:
            self.by_path.setdefault((graph, path), []).append(group)
        return group

    def entity_group(
        self, graph: str, path: tuple[str, ...], deps: set[_Group], as_interface: bool = False
    ) -> _Group:
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

    def note(self, group: _Group) -> None:
        for recorder in self._recorders:
            recorder.add(group)

    # ------------------------------------------------------------ fields

    def plan_selections(
        self,
        group: _Group,
        builder: SelectionBuilder,
        type_name: str,
        selections: tuple[Selection, ...],
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
    ) -> None:
        if self.fed.is_abstract(type_name):
            self.plan_abstract(group, builder, type_name, selections, path, provided)
            return
        level = collect(self.fed, selections, type_name)
        for fields in level.values():
            self.plan_field(group, builder, type_name, merged(fields), path, provided, level)

    def plan_field(
        self,
        group: _Group,
        builder: SelectionBuilder,
        parent: str,
        field: Field,
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
        siblings: dict[str, list[Field]] | None = None,
        requires_met: bool = False,
    ) -> None:
        """Plan ``field`` into ``group``, or into an entity fetch where ``group`` cannot resolve it.

        ``siblings`` are the client's fields at this position (by response key), so that fields the plan adds
        for itself (keys, requirements) never take a response key the client uses for something else.
        """
        fed = self.fed
        if field.name == "__typename":
            builder.add(field)
            self.note(group)
            return
        local, child_provided = provided_child(fed, provided, parent, field.name)
        if local and not fed.resolvable(parent, field.name, group.graph) and field.selections:
            # Provided here, but only partly: if what is asked below cannot be reached from this subgraph
            # (a value type has no key to jump by), fetch the whole field where it is resolvable.
            named, _ = unwrap(fed.field_type(parent, field.name))
            local = self.reachable(group.graph, named.name, field.selections, child_provided)
        if not local and fed.resolvable(parent, field.name, group.graph):
            local = requires_met or not fed.requires(parent, field.name, group.graph)
            provides = fed.provides(parent, field.name, group.graph)
            child_provided = parse_field_set(provides) if provides else None
        if not local:
            if not (self.jump(group, builder, parent, field, path, provided, siblings) or self.climb(field)):
                raise PlanningError(
                    f"no subgraph can resolve {parent}.{field.name} when coming from subgraph "
                    f"{fed.supergraph.subgraphs[group.graph].name}"
                )
            return
        field_builder = builder.add(field)
        self.note(group)
        named, lists = unwrap(fed.field_type(parent, field.name))
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            # The subgraph may declare a narrower type (an object where the supergraph has a union).
            narrower = fed.subgraph_named_type(parent, field.name, group.graph)
            if narrower != named.name and fed.schema.get_type(narrower) is not None:
                named = fed.named_type(narrower)
            child_path = (*path, field.response_key, *(["@"] * lists))
            self.frames.append(_Frame(group, builder, parent, field, path, provided, siblings))
            try:
                self.plan_selections(
                    group, field_builder.sub(), named.name, field.selections, child_path, child_provided
                )
            finally:
                self.frames.pop()

    def plan_abstract(
        self,
        group: _Group,
        builder: SelectionBuilder,
        type_name: str,
        selections: tuple[Selection, ...],
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
    ) -> None:
        fed, graph = self.fed, group.graph
        if fed.is_interface_object(type_name, graph):
            # The subgraph sees the interface as an object: it resolves its own fields of it, but cannot tell
            # the concrete type; whatever needs that goes to a subgraph where the interface is an interface.
            local = {
                key
                for key, fs in collect(fed, selections, type_name).items()
                if fs[0].name != "__typename" and fed.resolvable(type_name, fs[0].name, graph)
            }
            level = collect(fed, selections, type_name)
            for key, same_key in level.items():
                if key in local:
                    self.plan_field(group, builder, type_name, merged(same_key), path, provided, level)
            rest = _without(selections, local, type_name)
            if rest:
                target, fragment = self.jump_to_interface(group, builder, type_name, path, provided)
                self.plan_abstract(target, fragment, type_name, rest, path, None)
            return
        builder.add_internal("__typename")
        self.note(group)
        if isinstance(fed.named_type(type_name), GraphQLInterfaceType):
            selections = self.plan_interface_object_fields(
                group, builder, type_name, selections, path, provided
            )
        for concrete in fed.possible_types_in(type_name, graph):
            fields = collect(fed, selections, concrete)
            if all(fs[0].name == "__typename" for fs in fields.values()):
                continue
            fragment = builder.fragment(concrete)
            for same_key in fields.values():
                self.plan_field(group, fragment, concrete, merged(same_key), path, provided, fields)

    def plan_interface_object_fields(
        self,
        group: _Group,
        builder: SelectionBuilder,
        interface: str,
        selections: tuple[Selection, ...],
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
    ) -> tuple[Selection, ...]:
        """Plan the interface's own fields that only an @interfaceObject subgraph resolves (for every
        implementation at once, by the interface's key); return the selections left to plan per type."""
        fed, graph = self.fed, group.graph
        level = collect(fed, selections, interface)
        handled: set[str] = set()
        for key, same_key in level.items():
            name = same_key[0].name
            if name == "__typename" or fed.resolvable(interface, name, graph):
                continue
            elsewhere = any(
                fed.is_interface_object(interface, g) and fed.resolvable(interface, name, g)
                for g in fed.graphs
            )
            if elsewhere and self.jump(group, builder, interface, merged(same_key), path, provided, level):
                handled.add(key)
        return _without(selections, handled, interface) if handled else selections

    # ------------------------------------------------------------ jumps

    def jump(
        self,
        group: _Group,
        builder: SelectionBuilder,
        parent: str,
        field: Field,
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
        siblings: dict[str, list[Field]] | None = None,
        exclude: str | None = None,
    ) -> bool:
        """Plan ``field`` in an entity fetch of a subgraph that resolves it; False when none can be reached.

        The entity fetch is entered by a key the current subgraph can produce (directly or over further
        hops); failing that, by a key whose fields are gathered from several subgraphs first.
        """
        fed = self.fed
        options: list[tuple[str, str]] = [
            (g, parent) for g in fed.resolving_graphs(parent, field.name) if g != exclude
        ]
        for interface in fed.interfaces_of(parent):
            for graph in fed.graphs:
                if fed.is_interface_object(interface, graph) and fed.resolvable(interface, field.name, graph):
                    options.append((graph, interface))
        if not options:
            return False
        costs = {option: self.cost(option[0], option[1], field) for option in options}
        options.sort(key=lambda o: (not self.by_path.get((o[0], path)), costs[o]))
        known = group.reps.get(parent) if group.entity and path == group.path else None
        found = None
        for graph, via in options:
            route = self.route(group.graph, parent, graph, via, provided, known)
            if route is not None:
                found = (graph, via, route)
                break
        extra_deps: set[_Group] = set()
        extra_rep: Rep = {}
        if found is None or costs[(found[0], found[1])] > min(costs.values()):
            # No direct route, or only to a subgraph that resolves less of what is asked below: enter the
            # best one by a key gathered from several subgraphs (its fields are then already in the data).
            cheaper = [o for o in options if found is None or costs[o] < costs[(found[0], found[1])]]
            assembled = self.assembled_key(group, builder, parent, cheaper, path, provided, siblings)
            if assembled is not None:
                graph, via, key, extra_rep, extra_deps = assembled
                route, known = [_Hop(graph, via, key)], dict(extra_rep)
                found = (graph, via, route)
        if found is None:
            return False
        graph, via, route = found
        requires = fed.requires(via, field.name, graph)
        if requires:
            requirement_rep, requirement_deps = self.plan_requirements(
                group, builder, parent, requires, path, provided, siblings
            )
            _merge_rep(extra_rep, requirement_rep)
            extra_deps |= requirement_deps
        target, fragment = self.follow(
            group, builder, parent, route, path, provided, extra_deps, extra_rep, siblings, known
        )
        self.plan_field(target, fragment, via, field, path, None, siblings, requires_met=True)
        return True

    def assembled_key(
        self,
        group: _Group,
        builder: SelectionBuilder,
        parent: str,
        options: list[tuple[str, str]],
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
        siblings: dict[str, list[Field]] | None,
    ) -> tuple[str, str, str, Rep, set[_Group]] | None:
        """Enter a subgraph by a key no single subgraph can produce: fetch its fields wherever they resolve
        (as for ``@requires``), then send them together."""
        fed = self.fed
        if not fed.is_entity(parent):
            return None
        for graph, via in options:
            for key in fed.keys(via, graph):
                guard = (parent, key, group.graph, path)
                fields = collect(fed, parse_field_set(key), parent)
                if guard in self._assembling or not all(
                    fs[0].name == "__typename" or fed.resolving_graphs(parent, fs[0].name)
                    for fs in fields.values()
                ):
                    continue
                self._assembling.add(guard)
                try:
                    rep, deps = self.plan_requirements(group, builder, parent, key, path, provided, siblings)
                except PlanningError:
                    continue
                finally:
                    self._assembling.discard(guard)
                return graph, via, key, rep, deps
        return None

    def climb(self, field: Field) -> bool:
        """Fetch ``field`` by going back to the nearest ancestor another subgraph can be asked from.

        A value type (no key) cannot be jumped into. The field is then asked again together with the
        fields leading down to it: from an entity ancestor by its key, or from the root by a shareable
        root field of another subgraph (queries only: a mutation is never sent twice).
        """
        fed = self.fed
        chain = field
        for depth in range(len(self.frames) - 1, -1, -1):
            frame = self.frames[depth]
            anchor = Field(
                frame.field.response_key,
                frame.field.name,
                frame.field.arguments,
                (chain,),
                frame.field.directives,
            )
            guard = (depth, frame.group.graph, frame.field.response_key)
            if guard not in self._climbs:
                self._climbs.add(guard)
                try:
                    if frame.parent == self.root_type and not frame.path:
                        if self.kind == "query" and self.reissue_root(frame, anchor):
                            return True
                    elif fed.is_entity(frame.parent) and self.jump(
                        frame.group,
                        frame.builder,
                        frame.parent,
                        anchor,
                        frame.path,
                        frame.provided,
                        frame.siblings,
                        exclude=frame.group.graph,
                    ):
                        return True
                finally:
                    self._climbs.discard(guard)
            chain = anchor
        return False

    def reissue_root(self, frame: _Frame, anchor: Field) -> bool:
        graphs = [g for g in self.fed.resolving_graphs(self.root_type, anchor.name) if g != frame.group.graph]
        if not graphs:
            return False
        graph = min(graphs, key=lambda g: self.cost(g, self.root_type, anchor))
        group = self.root_groups.get(graph)
        if group is None:
            group = self.root_groups[graph] = self.new_group(graph, (), False)
        self.plan_field(group, group.selection, self.root_type, anchor, (), None)
        return True

    def jump_to_interface(
        self,
        group: _Group,
        builder: SelectionBuilder,
        interface: str,
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
    ) -> tuple[_Group, SelectionBuilder]:
        fed = self.fed
        for graph in fed.graphs:
            if fed.defines(interface, graph) and not fed.is_interface_object(interface, graph):
                route = self.route(group.graph, interface, graph, interface, provided)
                if route is not None:
                    target, fragment = self.follow(
                        group, builder, interface, route, path, provided, set(), {}
                    )
                    fragment.add_internal("__typename")
                    return target, fragment
        raise PlanningError(f"no subgraph can tell the concrete type of {interface} objects")

    def route(
        self,
        source: str,
        parent: str,
        target: str,
        via: str,
        provided: tuple[Selection, ...] | None,
        known: Rep | None = None,
    ) -> list[_Hop] | None:
        """The shortest chain of key hops from ``source`` to ``target`` (breadth first over subgraphs).

        ``known`` are fields the objects here already carry (the representation that brought them into
        ``source``): they count as producible there, even when ``source`` marks them ``@external``.
        """
        fed = self.fed
        target_keys = [parse_field_set(key) for key in fed.keys(via, target)]
        if not target_keys:
            return None
        frontier: list[tuple[str, list[_Hop]]] = [(source, [])]
        seen = {source}
        while frontier:
            next_frontier: list[tuple[str, list[_Hop]]] = []
            for graph, hops in frontier:
                graph_provided = provided if not hops else None
                graph_known = known if not hops else None
                for key, parsed in zip(fed.keys(via, target), target_keys, strict=True):
                    if self.producible(parent, parsed, graph, graph_provided, graph_known):
                        return [*hops, _Hop(target, via, key)]
                for middle in fed.graphs:
                    if middle in seen or middle == target or not fed.defines(parent, middle):
                        continue
                    for key in fed.keys(parent, middle):
                        if self.producible(parent, parse_field_set(key), graph, graph_provided, graph_known):
                            seen.add(middle)
                            next_frontier.append((middle, [*hops, _Hop(middle, parent, key)]))
                            break
            frontier = next_frontier
        return None

    def producible(
        self,
        parent: str,
        key: tuple[Selection, ...],
        graph: str,
        provided: tuple[Selection, ...] | None,
        known: Rep | None,
    ) -> bool:
        if not known:
            return self.fed.key_fields_resolvable(parent, key, graph, provided)
        rest = tuple(s for s in key if not (isinstance(s, Field) and s.name in known and not s.selections))
        return not rest or self.fed.key_fields_resolvable(parent, rest, graph, provided)

    def follow(
        self,
        group: _Group,
        builder: SelectionBuilder,
        parent: str,
        route: list[_Hop],
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
        extra_deps: set[_Group],
        extra_rep: Rep,
        siblings: dict[str, list[Field]] | None = None,
        known: Rep | None = None,
    ) -> tuple[_Group, SelectionBuilder]:
        current, current_builder, current_provided = group, builder, provided
        for index, hop in enumerate(route):
            last = index == len(route) - 1
            current_builder.add_internal("__typename")
            key = parse_field_set(hop.key)
            rep: Rep = {}
            if known:
                # Key fields the objects already carry come from the data, not from this fetch.
                rep = {s.name: known[s.name] for s in key if isinstance(s, Field) and s.name in known}
                key = tuple(s for s in key if not (isinstance(s, Field) and s.name in rep))
                known = None
            if key:
                _merge_rep(
                    rep,
                    self.add_key_fields(current, current_builder, parent, key, current_provided, siblings),
                )
            deps = {current} | (extra_deps if last else set())
            as_interface = hop.via != parent or self.fed.is_interface_object(hop.via, hop.graph)
            target = self.entity_group(hop.graph, path, deps, as_interface)
            _merge_rep(target.reps.setdefault(parent, {}), rep)
            if last:
                _merge_rep(target.reps[parent], extra_rep)
            if hop.via != parent:
                target.send_typename[parent] = hop.via
            current, current_builder, current_provided = target, target.selection.fragment(hop.via), None
            siblings = None
        return current, current_builder

    def add_key_fields(
        self,
        group: _Group,
        builder: SelectionBuilder,
        type_name: str,
        key: tuple[Selection, ...],
        provided: tuple[Selection, ...] | None,
        siblings: dict[str, list[Field]] | None = None,
    ) -> Rep:
        """Select ``key``'s fields in ``group`` (which can resolve them) and say where they land."""
        self.note(group)
        return self._add_keyed(builder, type_name, self._internal_keys(builder, type_name, key, siblings))

    def _add_keyed(self, builder: SelectionBuilder, type_name: str, keyed: tuple[Selection, ...]) -> Rep:
        rep: Rep = {}
        for fields in collect(self.fed, keyed, type_name).values():
            field = merged(fields)
            field_builder = builder.add(field)
            child: Rep | None = None
            if field.selections:
                named, _ = unwrap(self.fed.field_type(type_name, field.name))
                child = self._add_keyed(field_builder.sub(), named.name, field.selections)
            rep[field.name] = (field.response_key, child)
        return rep

    def plan_requirements(
        self,
        group: _Group,
        builder: SelectionBuilder,
        parent: str,
        requires: str,
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
        siblings: dict[str, list[Field]] | None = None,
    ) -> tuple[Rep, set[_Group]]:
        """Plan a ``@requires`` field set as if the client asked for it; the rep and the fetches it needs."""
        selections = parse_field_set(requires)
        recorder: set[_Group] = set()
        self._recorders.append(recorder)
        try:
            keyed = self._internal_keys(builder, parent, selections, siblings)
            self.plan_selections(group, builder, parent, keyed, path, provided)
        finally:
            self._recorders.pop()
        return self._rep_of(parent, keyed), recorder

    def _internal_keys(
        self,
        builder: SelectionBuilder,
        type_name: str,
        selections: tuple[Selection, ...],
        siblings: dict[str, list[Field]] | None,
    ) -> tuple[Selection, ...]:
        """``selections`` under response keys that neither the fetch nor the client uses for another field."""
        out: list[Selection] = []
        for selection in selections:
            if isinstance(selection, Fragment):
                inner = self._internal_keys(builder, type_name, selection.selections, siblings)
                out.append(Fragment(selection.type_condition, inner))
                continue
            key = selection.name
            while True:
                existing = builder.fields.get(key)
                client = (siblings or {}).get(key)
                if (existing is None or existing.same_field(selection.name, selection.arguments)) and (
                    client is None or _same_field(client[0], selection)
                ):
                    break
                key = f"_fed_{key}"
            children = selection.selections
            if children:
                named, _ = unwrap(self.fed.field_type(type_name, selection.name))
                sub = (
                    existing.child
                    if existing is not None and existing.child is not None
                    else SelectionBuilder()
                )
                child_siblings = (
                    collect(self.fed, merged(client).selections, named.name) if client is not None else None
                )
                children = self._internal_keys(sub, named.name, children, child_siblings)
            out.append(Field(key, selection.name, selection.arguments, children))
        return tuple(out)

    def _rep_of(self, type_name: str, selections: tuple[Selection, ...]) -> Rep:
        rep: Rep = {}
        for fields in collect(self.fed, selections, type_name).values():
            field = merged(fields)
            child: Rep | None = None
            if field.selections:
                named, _ = unwrap(self.fed.field_type(type_name, field.name))
                child = self._rep_of(named.name, field.selections)
            rep[field.name] = (field.response_key, child)
        return rep

    def reachable(
        self,
        graph: str,
        type_name: str,
        selections: tuple[Selection, ...],
        provided: tuple[Selection, ...] | None,
    ) -> bool:
        """Whether planning ``selections`` in ``graph`` never needs to jump away from a value type."""
        fed = self.fed
        for concrete in fed.possible_types_in(type_name, graph) or [type_name]:
            for fields in collect(fed, selections, concrete).values():
                field = merged(fields)
                if field.name == "__typename":
                    continue
                local, child_provided = provided_child(fed, provided, concrete, field.name)
                if not local and not fed.resolvable(concrete, field.name, graph):
                    if not fed.is_entity(concrete):
                        return False
                    continue
                if field.selections:
                    named, _ = unwrap(fed.field_type(concrete, field.name))
                    if not local:
                        provides = fed.provides(concrete, field.name, graph)
                        child_provided = parse_field_set(provides) if provides else None
                    if not self.reachable(graph, named.name, field.selections, child_provided):
                        return False
        return True

    def cost(
        self,
        graph: str,
        type_name: str,
        field: Field,
        depth: int = 3,
        provided: tuple[Selection, ...] | None = None,
    ) -> int:
        """How many fields under ``field`` ``graph`` could not resolve itself (a cheap lookahead)."""
        fed = self.fed
        local, child_provided = provided_child(fed, provided, type_name, field.name)
        if not local:
            if field.name != "__typename" and not fed.resolvable(type_name, field.name, graph):
                return 1 + len(field.selections)
            if field.selections:
                provides = fed.provides(type_name, field.name, graph)
                child_provided = parse_field_set(provides) if provides else None
        if depth == 0 or not field.selections:
            return 0
        named, _ = unwrap(fed.field_type(type_name, field.name))
        targets = fed.possible_types_in(named.name, graph) or [named.name]
        total = 0
        for target in targets:
            for fields in collect(fed, field.selections, target).values():
                total += self.cost(graph, target, merged(fields), depth - 1, child_provided)
        return total


class Planner:
    """Plans operations against one supergraph."""

    def __init__(self, federation: Federation) -> None:
        self.federation = federation

    def plan(
        self, operation: OperationDefinitionNode, selections: tuple[Selection, ...], name: str | None = None
    ) -> QueryPlan:
        fed = self.federation
        kind: OperationKind = operation.operation.value
        root_type = fed.schema.get_root_type(operation.operation)
        if root_type is None:
            raise PlanningError(f"the supergraph has no {kind} type")
        planning = _Planning(fed, kind, root_type.name)
        root_groups = planning.root_groups
        done: list[_Group] = []
        for response_key, fields in collect(fed, selections, root_type.name).items():
            field = merged(fields)
            if field.name.startswith("__"):
                continue  # __typename, __schema and __type are answered by the gateway itself
            del response_key
            graphs = fed.resolving_graphs(root_type.name, field.name)
            if not graphs:
                raise PlanningError(f"no subgraph resolves {root_type.name}.{field.name}")
            if kind == "mutation":
                group = planning.new_group(
                    min(graphs, key=lambda g: planning.cost(g, root_type.name, field)), (), False
                )
                group.depends_on |= set(done)
            else:
                reusable = [g for g in graphs if g in root_groups]
                graph = (
                    reusable[0]
                    if reusable
                    else min(graphs, key=lambda g: planning.cost(g, root_type.name, field))
                )
                group = root_groups.get(graph) or planning.new_group(graph, (), False)
                root_groups[graph] = group
            planning.plan_field(group, group.selection, root_type.name, field, (), None)
            if kind == "mutation":
                done = list(planning.groups)
        variable_definitions = {
            d.variable.name.value: print_ast(d) for d in operation.variable_definitions or ()
        }
        fetches = [
            self._fetch(planning, group, kind, variable_definitions, name)
            for group in _topological(planning.groups)
        ]
        return QueryPlan(kind=kind, root_type=root_type.name, selections=selections, fetches=fetches)

    def _root_name(self, kind: OperationKind) -> str:
        root = self.federation.schema.get_root_type(_KINDS[kind])
        return root.name if root is not None else "Query"

    def _concrete_reps(self, group: _Group) -> tuple[dict[str, Rep], dict[str, str]]:
        """Representations by data ``__typename``; an interface's also under each implementation, since an
        earlier fetch may have replaced the interface's name with the concrete type's."""
        fed = self.federation
        reps, send_typename = dict(group.reps), dict(group.send_typename)
        for type_name, rep in group.reps.items():
            if not fed.is_abstract(type_name):
                continue
            send = send_typename.get(type_name, type_name)
            as_interface = fed.is_interface_object(send, group.graph)
            for concrete in fed.possible_types(type_name):
                if concrete not in reps:
                    reps[concrete] = rep
                    if as_interface:
                        send_typename[concrete] = send
        return reps, send_typename

    def _fetch(
        self,
        planning: _Planning,
        group: _Group,
        kind: OperationKind,
        variable_definitions: dict[str, str],
        name: str | None,
    ) -> Fetch:
        subgraph = self.federation.supergraph.subgraphs[group.graph]
        reps, send_typename = self._concrete_reps(group)
        variables = sorted(v for v in group.selection.variables() if v in variable_definitions)
        definitions = [variable_definitions[v] for v in variables]
        operation_name = f"{name}__{_NOT_NAME.sub('_', subgraph.name)}__{group.id}" if name else None
        # Fields of one response key with different types get aliases (undone on the response).
        parent = "_Entity" if group.entity else self._root_name(kind)
        renames = dealias(self.federation, group.selection, parent, group.graph)
        if group.entity:
            definitions.insert(0, "$representations: [_Any!]!")
            selection = (
                "{\n  _entities(representations: $representations) " + group.selection.print("  ") + "\n}"
            )
            keyword = "query"
        else:
            selection = group.selection.print()
            keyword = kind
        header = keyword + (f" {operation_name}" if operation_name else "")
        if definitions:
            header += "(" + ", ".join(definitions) + ")"
        return Fetch(
            id=group.id,
            graph=group.graph,
            service=subgraph.name,
            url=subgraph.url,
            path=group.path,
            entity=group.entity,
            operation=f"{header} {selection}",
            operation_name=operation_name,
            variables=tuple(variables),
            reps=dict(group.reps),
            reps_by_typename=reps,
            send_typename=send_typename,
            depends_on=tuple(sorted(g.id for g in group.depends_on)),
            root_keys=() if group.entity else tuple(group.selection.fields),
            renames=renames,
        )


def _same_field(a: Field, b: Field) -> bool:
    return a.name == b.name and sorted(map(print_ast, a.arguments)) == sorted(map(print_ast, b.arguments))


def _without(selections: tuple[Selection, ...], keys: set[str], type_name: str) -> tuple[Selection, ...]:
    """``selections`` less the fields under ``keys`` at this level (fragments on other types stay whole)."""
    out: list[Selection] = []
    for selection in selections:
        if isinstance(selection, Field):
            if selection.response_key not in keys:
                out.append(selection)
        elif selection.type_condition in (None, type_name):
            inner = _without(selection.selections, keys, type_name)
            if inner:
                out.append(Fragment(selection.type_condition, inner))
        else:
            out.append(selection)
    return tuple(out)


def _topological(groups: list[_Group]) -> list[_Group]:
    out: list[_Group] = []
    seen: set[int] = set()

    def visit(group: _Group) -> None:
        if group.id in seen:
            return
        seen.add(group.id)
        for dep in sorted(group.depends_on, key=lambda g: g.id):
            visit(dep)
        out.append(group)

    for group in groups:
        visit(group)
    return out
