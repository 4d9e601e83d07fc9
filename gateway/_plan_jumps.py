"""Jumps between subgraphs: entity fetches by key, requirements, and climbing back to an ancestor.

When the subgraph fetching a field's parent cannot resolve the field, the
planner *jumps*: it selects ``__typename`` and the key fields of a key the
next subgraph can be entered by, and plans the field in an ``_entities``
fetch of that subgraph at the same response path. Routes may take several
hops; a key no single subgraph can produce is assembled from several (as a
``@requires`` is); ``@requires`` fields are planned first, wherever they
resolve, and the entity fetch waits for every fetch that provides them.
Below a value type (no key), the planner climbs back to the nearest entity
ancestor, or to a shareable root field of another subgraph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway._plan_state import FetchGroup, Frame, GroupBook, Hop, PlanningError, merge_rep, same_field
from gateway.federation import parse_field_set, unwrap
from gateway.operation import Field, Fragment, Selection
from gateway.plan import Rep
from gateway.selection import SelectionBuilder, collect, merged

__all__ = ["Jumps"]


class Jumps(GroupBook):
    """The jumping half of the planner (the other half, in gateway.planner, plans fields in place)."""

    if TYPE_CHECKING:

        def plan_selections(
            self,
            group: FetchGroup,
            builder: SelectionBuilder,
            type_name: str,
            selections: tuple[Selection, ...],
            path: tuple[str, ...],
            provided: tuple[Selection, ...] | None,
        ) -> None: ...

        def plan_field(
            self,
            group: FetchGroup,
            builder: SelectionBuilder,
            parent: str,
            field: Field,
            path: tuple[str, ...],
            provided: tuple[Selection, ...] | None,
            siblings: dict[str, list[Field]] | None = None,
            requires_met: bool = False,
        ) -> None: ...

        def cost(
            self,
            graph: str,
            type_name: str,
            field: Field,
            depth: int = 3,
            provided: tuple[Selection, ...] | None = None,
        ) -> int: ...

    def jump(
        self,
        group: FetchGroup,
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
        extra_deps: set[FetchGroup] = set()
        extra_rep: Rep = {}
        if found is None or costs[(found[0], found[1])] > min(costs.values()):
            # No direct route, or only to a subgraph that resolves less of what is asked below: enter the
            # best one by a key gathered from several subgraphs (its fields are then already in the data).
            cheaper = [o for o in options if found is None or costs[o] < costs[(found[0], found[1])]]
            assembled = self.assembled_key(group, builder, parent, cheaper, path, provided, siblings)
            if assembled is not None:
                graph, via, key, extra_rep, extra_deps = assembled
                route, known = [Hop(graph, via, key)], dict(extra_rep)
                found = (graph, via, route)
        if found is None:
            return False
        graph, via, route = found
        requires = fed.requires(via, field.name, graph)
        if requires:
            requirement_rep, requirement_deps = self.plan_requirements(
                group, builder, parent, requires, path, provided, siblings
            )
            merge_rep(extra_rep, requirement_rep)
            extra_deps |= requirement_deps
        target, fragment = self.follow(
            group, builder, parent, route, path, provided, extra_deps, extra_rep, siblings, known
        )
        self.plan_field(target, fragment, via, field, path, None, siblings, requires_met=True)
        return True

    def assembled_key(
        self,
        group: FetchGroup,
        builder: SelectionBuilder,
        parent: str,
        options: list[tuple[str, str]],
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
        siblings: dict[str, list[Field]] | None,
    ) -> tuple[str, str, str, Rep, set[FetchGroup]] | None:
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
            # Objects below this frame reached through another fetch are held by this frame's fetch too,
            # which may be able to enter the subgraph that resolves the rest.
            moved = depth < len(self.frames) - 1 and self.frames[depth + 1].group is not frame.group
            if moved and self.climb_from_child(depth, chain):
                return True
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

    def climb_from_child(self, depth: int, chain: Field) -> bool:
        """Jump for ``chain`` from inside frame ``depth``'s field, in that frame's own fetch."""
        fed = self.fed
        frame = self.frames[depth]
        field_builder = frame.builder.fields.get(frame.field.response_key)
        named, lists = unwrap(fed.field_type(frame.parent, frame.field.name))
        if field_builder is None or field_builder.child is None or not fed.is_entity(named.name):
            return False
        guard = (depth, frame.group.graph, "\0child")
        if guard in self._climbs:
            return False
        self._climbs.add(guard)
        try:
            path = (*frame.path, frame.field.response_key, *(["@"] * lists))
            return self.jump(frame.group, field_builder.child, named.name, chain, path, None)
        finally:
            self._climbs.discard(guard)

    def reissue_root(self, frame: Frame, anchor: Field) -> bool:
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
        group: FetchGroup,
        builder: SelectionBuilder,
        interface: str,
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
    ) -> tuple[FetchGroup, SelectionBuilder]:
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
    ) -> list[Hop] | None:
        """The shortest chain of key hops from ``source`` to ``target`` (breadth first over subgraphs).

        ``known`` are fields the objects here already carry (the representation that brought them into
        ``source``): they count as producible there, even when ``source`` marks them ``@external``.
        """
        fed = self.fed
        target_keys = [parse_field_set(key) for key in fed.keys(via, target)]
        if not target_keys:
            return None
        frontier: list[tuple[str, list[Hop]]] = [(source, [])]
        seen = {source}
        while frontier:
            next_frontier: list[tuple[str, list[Hop]]] = []
            for graph, hops in frontier:
                graph_provided = provided if not hops else None
                graph_known = known if not hops else None
                for key, parsed in zip(fed.keys(via, target), target_keys, strict=True):
                    if self.producible(parent, parsed, graph, graph_provided, graph_known):
                        return [*hops, Hop(target, via, key)]
                for middle in fed.graphs:
                    if middle in seen or middle == target or not fed.defines(parent, middle):
                        continue
                    for key in fed.keys(parent, middle):
                        if self.producible(parent, parse_field_set(key), graph, graph_provided, graph_known):
                            seen.add(middle)
                            next_frontier.append((middle, [*hops, Hop(middle, parent, key)]))
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
        group: FetchGroup,
        builder: SelectionBuilder,
        parent: str,
        route: list[Hop],
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
        extra_deps: set[FetchGroup],
        extra_rep: Rep,
        siblings: dict[str, list[Field]] | None = None,
        known: Rep | None = None,
    ) -> tuple[FetchGroup, SelectionBuilder]:
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
                merge_rep(
                    rep,
                    self.add_key_fields(current, current_builder, parent, key, current_provided, siblings),
                )
            deps = {current} | (extra_deps if last else set())
            as_interface = hop.via != parent or self.fed.is_interface_object(hop.via, hop.graph)
            target = self.entity_group(hop.graph, path, deps, as_interface)
            merge_rep(target.reps.setdefault(parent, {}), rep)
            if last:
                merge_rep(target.reps[parent], extra_rep)
            if hop.via != parent:
                target.send_typename[parent] = hop.via
            current, current_builder, current_provided = target, target.selection.fragment(hop.via), None
            siblings = None
        return current, current_builder

    def add_key_fields(
        self,
        group: FetchGroup,
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
        group: FetchGroup,
        builder: SelectionBuilder,
        parent: str,
        requires: str,
        path: tuple[str, ...],
        provided: tuple[Selection, ...] | None,
        siblings: dict[str, list[Field]] | None = None,
    ) -> tuple[Rep, set[FetchGroup]]:
        """Plan a ``@requires`` field set as if the client asked for it; the rep and the fetches it needs."""
        selections = parse_field_set(requires)
        recorder: set[FetchGroup] = set()
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
                    client is None or same_field(client[0], selection)
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
