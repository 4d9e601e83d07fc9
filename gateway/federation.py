"""What the planner asks of a supergraph: who resolves a field, by which keys, with what types.

:class:`Federation` wraps a :class:`~gateway.supergraph.Supergraph` with the
questions the planner asks again and again, answered from indexes built
once:

- can graph G resolve field T.f (``@join__field``, ``@external``,
  ``@override``/``usedOverridden``; a field with no ``@join__field`` lives in
  every graph that defines its type)? with which ``@requires``/``@provides``?
- which keys does T have in G, and which of them can G be entered by
  (``resolvable: true``)?
- which concrete types can G return for an abstract type (``@join__implements``,
  ``@join__unionMember``)? Is T an ``@interfaceObject`` in G?
"""

from __future__ import annotations

from functools import cache
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLUnionType,
    parse,
)

from gateway.operation import Field, Selection, normalize
from gateway.supergraph import FieldInGraph, Supergraph, TypeInGraph

__all__ = ["Federation", "parse_field_set", "unwrap"]


@cache
def parse_field_set(field_set: str) -> tuple[Selection, ...]:
    """A ``join__FieldSet`` string (``"id org { id }"``) as normalised selections."""
    document = parse("{" + field_set + "}", no_location=True)
    operation = document.definitions[0]
    return normalize(operation.selection_set, {}, {})  # type: ignore[attr-defined]


def unwrap(type_: Any) -> tuple[GraphQLNamedType, int]:
    """The named type under list and non-null wrappers, and how many lists wrap it."""
    lists = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        if isinstance(type_, GraphQLList):
            lists += 1
        type_ = type_.of_type
    return type_, lists


class Federation:
    """Indexes over a supergraph for the planner. Read-only after construction."""

    def __init__(self, supergraph: Supergraph, override_labels: frozenset[str] = frozenset()) -> None:
        self.supergraph = supergraph
        self.override_labels = override_labels
        self.schema = supergraph.schema
        self.graphs = list(supergraph.subgraphs)
        self._types: dict[str, dict[str, list[TypeInGraph]]] = {}
        for type_name, entries in supergraph.types.items():
            by_graph: dict[str, list[TypeInGraph]] = {}
            for entry in entries:
                by_graph.setdefault(entry.graph, []).append(entry)
            self._types[type_name] = by_graph
        self._fields: dict[tuple[str, str], dict[str, FieldInGraph]] = {
            key: {entry.graph: entry for entry in entries} for key, entries in supergraph.fields.items()
        }

    # ------------------------------------------------------------ types

    def named_type(self, name: str) -> GraphQLNamedType:
        type_ = self.schema.get_type(name)
        if type_ is None:
            raise KeyError(name)
        return type_

    def is_abstract(self, name: str) -> bool:
        return isinstance(self.schema.get_type(name), GraphQLInterfaceType | GraphQLUnionType)

    def field_def(self, type_name: str, field_name: str) -> GraphQLField:
        type_ = self.schema.get_type(type_name)
        fields = getattr(type_, "fields", None)
        if not fields or field_name not in fields:
            raise KeyError(f"{type_name}.{field_name}")
        field: GraphQLField = fields[field_name]
        return field

    def has_field(self, type_name: str, field_name: str) -> bool:
        return field_name in (getattr(self.schema.get_type(type_name), "fields", None) or {})

    def is_entity(self, type_name: str) -> bool:
        """Whether any subgraph can be entered at ``type_name`` by a key."""
        return any(self.keys(type_name, graph) for graph in self._types.get(type_name, {}))

    def field_type(self, type_name: str, field_name: str) -> GraphQLOutputType:
        return self.field_def(type_name, field_name).type

    def defines(self, type_name: str, graph: str) -> bool:
        return graph in self._types.get(type_name, {})

    def is_interface_object(self, type_name: str, graph: str) -> bool:
        return any(e.is_interface_object for e in self._types.get(type_name, {}).get(graph, ()))

    def keys(self, type_name: str, graph: str, resolvable_only: bool = True) -> list[str]:
        """Key field sets of ``type_name`` in ``graph`` (by default only those it can be entered by)."""
        return [
            e.key
            for e in self._types.get(type_name, {}).get(graph, ())
            if e.key is not None and (e.resolvable or not resolvable_only)
        ]

    def possible_types(self, abstract: str) -> list[str]:
        type_ = self.named_type(abstract)
        if isinstance(type_, GraphQLObjectType):
            return [type_.name]
        assert isinstance(type_, GraphQLInterfaceType | GraphQLUnionType)
        return [t.name for t in self.schema.get_possible_types(type_)]

    def possible_types_in(self, abstract: str, graph: str) -> list[str]:
        """The concrete types that ``graph`` may return where it returns ``abstract``."""
        type_ = self.named_type(abstract)
        if isinstance(type_, GraphQLObjectType):
            return [type_.name]
        candidates = self.possible_types(abstract)
        if isinstance(type_, GraphQLUnionType):
            members = self.supergraph.union_members.get(abstract)
            if members is None:
                return [t for t in candidates if self.defines(t, graph)]
            return [t for t in candidates if t in members.get(graph, set())]
        found = []
        for candidate in candidates:
            implements = self.supergraph.implements.get(candidate)
            if implements is None:
                if self.defines(candidate, graph):
                    found.append(candidate)
            elif abstract in implements.get(graph, set()):
                found.append(candidate)
        return found

    def runtime_types(self, type_name: str, condition: str | None) -> bool:
        """Whether a fragment on ``condition`` applies to objects of concrete type ``type_name``."""
        if condition is None or condition == type_name:
            return True
        if not self.is_abstract(condition):
            return False
        return type_name in self._possible_set(condition)

    @cache  # noqa: B019 (one Federation per supergraph, kept for the process)
    def _possible_set(self, abstract: str) -> frozenset[str]:
        return frozenset(self.possible_types(abstract))

    def interfaces_of(self, type_name: str) -> list[str]:
        type_ = self.schema.get_type(type_name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            return [i.name for i in type_.interfaces]
        return []

    # ------------------------------------------------------------ fields

    def field_entry(self, type_name: str, field_name: str, graph: str) -> FieldInGraph | None:
        entries = self._fields.get((type_name, field_name))
        return None if entries is None else entries.get(graph)

    def resolvable(self, type_name: str, field_name: str, graph: str) -> bool:
        """Whether ``graph`` resolves ``type_name.field_name`` by itself (not external, not overridden)."""
        if field_name == "__typename":
            return True
        entries = self._fields.get((type_name, field_name))
        if entries is None:
            return self.defines(type_name, graph) and self.has_field(type_name, field_name)
        entry = entries.get(graph)
        if entry is None or entry.external or entry.used_overridden:
            return False
        if entry.override_label is not None:
            # Progressive override: the field moves to the overriding graph only while its label is on.
            active = self.label_active(entry.override_label)
            return active if entry.override is not None else not active
        return True

    def label_active(self, label: str) -> bool:
        """Whether an override label is on: ``percent(100)`` always, ``percent(0)`` never, others if enabled.

        A percentage between is treated as off (every request plans the same way) unless the label is
        listed in the gateway's ``override_labels`` setting.
        """
        if label in self.override_labels:
            return True
        if label.startswith("percent(") and label.endswith(")"):
            try:
                return float(label[len("percent(") : -1]) >= 100
            except ValueError:
                return False
        return False

    def resolving_graphs(self, type_name: str, field_name: str) -> list[str]:
        return [g for g in self.graphs if self.resolvable(type_name, field_name, g)]

    def subgraph_type(self, type_name: str, field_name: str, graph: str) -> str:
        """The field's type as ``graph`` declares it (``@join__field(type:)`` when it differs), printed."""
        if field_name == "__typename":
            return "String!"
        entry = self.field_entry(type_name, field_name, graph)
        if entry is not None and entry.type:
            return entry.type
        return str(self.field_type(type_name, field_name))

    def subgraph_named_type(self, type_name: str, field_name: str, graph: str) -> str:
        """The named type under the field's wrappers, as ``graph`` declares it."""
        return self.subgraph_type(type_name, field_name, graph).strip("[]!")

    def requires(self, type_name: str, field_name: str, graph: str) -> str | None:
        entry = self.field_entry(type_name, field_name, graph)
        return entry.requires if entry is not None else None

    def provides(self, type_name: str, field_name: str, graph: str) -> str | None:
        entry = self.field_entry(type_name, field_name, graph)
        return entry.provides if entry is not None else None

    def key_fields_resolvable(
        self, type_name: str, key: tuple[Selection, ...], graph: str, provided: tuple[Selection, ...] | None
    ) -> bool:
        """Whether ``graph`` can produce every field of ``key`` on ``type_name`` at this point."""
        from gateway.selection import collect, provided_child

        for response_key, fields in collect(self, key, type_name).items():
            field: Field = fields[0]
            local, child_provided = provided_child(self, provided, type_name, field.name)
            if not (local or self.resolvable(type_name, field.name, graph)):
                return False
            del response_key
            if field.selections:
                child_type, _ = unwrap(self.field_type(type_name, field.name))
                targets = self.possible_types_in(child_type.name, graph) or [child_type.name]
                for target in targets:
                    if not self.key_fields_resolvable(target, field.selections, graph, child_provided):
                        return False
        return True
