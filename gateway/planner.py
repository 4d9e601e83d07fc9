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

The jumps live in :mod:`gateway._plan_jumps`, the fetch groups in
:mod:`gateway._plan_state`; this module plans fields in place and turns the
groups into a :class:`~gateway.plan.QueryPlan`.

Errors: :class:`PlanningError` (``QUERY_PLANNING_FAILED``) when no subgraph
can reach a field (a supergraph that composition would have rejected).
"""

from __future__ import annotations

import re
from typing import Literal

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    OperationDefinitionNode,
    OperationType,
    print_ast,
)

from gateway._plan_jumps import Jumps
from gateway._plan_state import FetchGroup, Frame, PlanningError, topological, without
from gateway.aliasing import dealias
from gateway.federation import Federation, parse_field_set, unwrap
from gateway.operation import Field, Selection
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


class _Planning(Jumps):
    """Planning one operation: fields in place (here) and jumps between subgraphs (gateway._plan_jumps)."""

    def plan_selections(
        self,
        group: FetchGroup,
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
        group: FetchGroup,
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
            self.frames.append(Frame(group, builder, parent, field, path, provided, siblings))
            try:
                self.plan_selections(
                    group, field_builder.sub(), named.name, field.selections, child_path, child_provided
                )
            finally:
                self.frames.pop()

    def plan_abstract(
        self,
        group: FetchGroup,
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
            rest = without(selections, local, type_name)
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
        group: FetchGroup,
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
        return without(selections, handled, interface) if handled else selections

    # ------------------------------------------------------------ jumps

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
        done: list[FetchGroup] = []
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
            for group in topological(planning.groups)
        ]
        return QueryPlan(kind=kind, root_type=root_type.name, selections=selections, fetches=fetches)

    def _root_name(self, kind: OperationKind) -> str:
        root = self.federation.schema.get_root_type(_KINDS[kind])
        return root.name if root is not None else "Query"

    def _concrete_reps(self, group: FetchGroup) -> tuple[dict[str, Rep], dict[str, str]]:
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
        group: FetchGroup,
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
        own_definitions = tuple(definitions)
        entity_selection = ""
        if group.entity:
            definitions.insert(0, "$representations: [_Any!]!")
            entity_selection = group.selection.print("  ")
            selection = "{\n  _entities(representations: $representations) " + entity_selection + "\n}"
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
            definitions=own_definitions,
            entity_selection=entity_selection,
        )
