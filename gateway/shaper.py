"""Shape the client's response straight from the merged subgraph JSON (no second GraphQL execution).

Walks the client's normalised selections over the merged data: picks the
requested fields in the requested order under their aliases, resolves
``__typename`` and type conditions from the data's ``__typename``, drops
what the plan fetched only for itself (keys, requirements), and propagates
nulls as the GraphQL spec says: a null in a non-null position nulls the
nearest nullable parent, with an error at the field's path unless a
subgraph already reported one there (or the data is missing because a
fetch failed, which has its own error). Enum values the API schema does not
have (e.g. ``@inaccessible`` ones) become null with an error.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
)

from gateway.federation import Federation
from gateway.operation import Field, Selection
from gateway.plan import QueryPlan
from gateway.selection import collect, merged

__all__ = ["Shaper"]


class _Null(Exception):
    """A non-null position came out null: its parent must become null."""


_ABSENT = object()

_Path = tuple[Any, str | int] | None
"""A response path as a chain of (parent, key) pairs: built per value without copying, read only on errors."""


def _materialise(path: _Path) -> tuple[str | int, ...]:
    keys: list[str | int] = []
    while path is not None:
        path, key = path
        keys.append(key)
    return tuple(reversed(keys))


_LEAF, _LEAF_NON_NULL, _TYPENAME, _OTHER = range(4)


class Shaper:
    """Shapes responses for one API schema."""

    def __init__(self, api_schema: GraphQLSchema, federation: Federation) -> None:
        self.schema = api_schema
        self.federation = federation
        self._enum_values: dict[str, frozenset[str]] = {}

    def shape(
        self,
        plan: QueryPlan,
        data: dict[str, Any],
        errors: list[dict[str, Any]],
        failed: list[tuple[str | int, ...]] | None = None,
    ) -> dict[str, Any] | None:
        """The response's ``data`` for ``plan`` (None when a null reached the root); errors are appended.

        ``failed`` are the response paths whose data a failed fetch should have brought: nulls there
        are that fetch's (already reported) failure, not new errors.
        """
        root = self.schema.get_type(plan.root_type)
        assert isinstance(root, GraphQLObjectType)
        memo: dict[tuple[int, str], list[tuple[str, Field, int, Any]]] = plan.cache.setdefault("shape", {})
        state = _State(errors, memo, failed or [])
        try:
            return self._object(root, plan.selections, data, None, state)
        except _Null:
            return None

    def _slots(
        self,
        selections: tuple[Selection, ...],
        type_: GraphQLObjectType | GraphQLInterfaceType,
        state: _State,
    ) -> list[tuple[str, Field, int, Any]]:
        """What to produce for objects of ``type_``: (key, field, kind, type), compiled once per plan."""
        # Keyed by identity: the plan that owns the memo keeps every selection tuple alive.
        memo_key = (id(selections), type_.name)
        found = state.memo.get(memo_key)
        if found is None:
            found = []
            for key, fields in collect(self.federation, selections, type_.name).items():
                field = merged(fields)
                if field.name == "__typename":
                    found.append((key, field, _TYPENAME, None))
                    continue
                definition = type_.fields.get(field.name)
                if definition is None:
                    continue  # only introspection fields, answered elsewhere
                field_type = definition.type
                non_null = isinstance(field_type, GraphQLNonNull)
                inner = field_type.of_type if non_null else field_type
                kind = (
                    (_LEAF_NON_NULL if non_null else _LEAF)
                    if isinstance(inner, GraphQLScalarType)
                    else _OTHER
                )
                found.append((key, field, kind, field_type))
            state.memo[memo_key] = found
        return found

    def _object(
        self,
        type_: GraphQLObjectType | GraphQLInterfaceType,
        selections: tuple[Selection, ...],
        data: dict[str, Any],
        path: _Path,
        state: _State,
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, field, kind, field_type in self._slots(selections, type_, state):
            if kind == _LEAF:  # the common case, kept free of calls
                out[key] = data.get(key)
            elif kind == _TYPENAME:
                out[key] = type_.name
            elif kind == _LEAF_NON_NULL:
                value = data.get(key)
                if value is None:
                    message = f"Cannot return null for non-nullable field {type_.name}.{field.name}."
                    state.null_error((path, key), message)
                    raise _Null
                out[key] = value
            else:
                value = data.get(key, _ABSENT)
                out[key] = self._value(field_type, field, value, (path, key), state, type_.name)
        return out

    def _value(
        self,
        type_: GraphQLOutputType,
        field: Field,
        value: Any,
        path: _Path,
        state: _State,
        parent: str,
    ) -> Any:
        """The completed value; raises :class:`_Null` when a non-null position ends up null.

        The error goes where the null arose (the innermost non-null field), as the spec says; the
        positions a null propagates through get none of their own.
        """
        if isinstance(type_, GraphQLNonNull):
            if value is None or value is _ABSENT:
                state.null_error(path, f"Cannot return null for non-nullable field {parent}.{field.name}.")
                raise _Null
            return self._nullable(type_.of_type, field, value, path, state, parent)
        if value is None or value is _ABSENT:
            return None
        try:
            return self._nullable(type_, field, value, path, state, parent)
        except _Null:
            return None

    def _nullable(
        self,
        type_: GraphQLOutputType,
        field: Field,
        value: Any,
        path: _Path,
        state: _State,
        parent: str,
    ) -> Any:
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list):
                state.null_error(path, f"Expected a list for field {parent}.{field.name}.")
                raise _Null
            item_type = type_.of_type
            return [
                self._value(item_type, field, item, (path, i), state, parent) for i, item in enumerate(value)
            ]
        if isinstance(type_, GraphQLObjectType):
            if not isinstance(value, dict):
                state.null_error(path, f"Expected an object for field {parent}.{field.name}.")
                raise _Null
            return self._object(type_, field.selections, value, path, state)
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            if not isinstance(value, dict):
                state.null_error(path, f"Expected an object for field {parent}.{field.name}.")
                raise _Null
            typename = value.get("__typename")
            if isinstance(type_, GraphQLInterfaceType) and typename in (None, type_.name):
                if _asks_concrete_type(field.selections, type_.name):
                    # An @interfaceObject's object that no subgraph could name: null, as Apollo answers.
                    raise _Null
                # From an @interfaceObject subgraph, and nothing needs the concrete type: interface fields.
                return self._object(type_, field.selections, value, path, state)
            runtime = self.schema.get_type(typename) if isinstance(typename, str) else None
            if not isinstance(runtime, GraphQLObjectType) or not self.schema.is_sub_type(type_, runtime):
                state.null_error(
                    path, f"Abstract type {type_.name} resolved to an unknown type {typename!r}."
                )
                raise _Null
            return self._object(runtime, field.selections, value, path, state)
        if isinstance(type_, GraphQLEnumType):
            allowed = self._enum_values.get(type_.name)
            if allowed is None:
                allowed = self._enum_values[type_.name] = frozenset(type_.values)
            if value not in allowed:
                state.null_error(path, f'Enum "{type_.name}" cannot represent value: {value!r}')
                raise _Null
        return value


def _asks_concrete_type(selections: tuple[Selection, ...], interface: str) -> bool:
    """Whether the selection asks for ``__typename`` at the interface's level (fragments on concrete
    types simply do not apply to an object whose type is unknown)."""
    for selection in selections:
        if isinstance(selection, Field):
            if selection.name == "__typename":
                return True
        elif selection.type_condition in (None, interface) and _asks_concrete_type(
            selection.selections, interface
        ):
            return True
    return False


class _State:
    __slots__ = ("errors", "failed", "memo", "paths")

    def __init__(
        self,
        errors: list[dict[str, Any]],
        memo: dict[tuple[int, str], list[tuple[str, Field, int, Any]]],
        failed: list[tuple[str | int, ...]],
    ) -> None:
        self.errors = errors
        self.memo = memo
        self.failed = failed
        self.paths: list[tuple[str | int, ...]] | None = None

    def null_error(self, path: _Path, message: str) -> None:
        """Report a null at ``path`` unless an error or a failed fetch already accounts for it."""
        here = _materialise(path)
        if any(here[: len(p)] == p for p in self.failed):
            return
        if self.paths is None:
            self.paths = [tuple(e["path"]) for e in self.errors if isinstance(e.get("path"), list)]
        if any(here[: len(p)] == p or p[: len(here)] == here for p in self.paths):
            return
        self.paths.append(here)
        self.errors.append({"message": message, "path": list(here)})
