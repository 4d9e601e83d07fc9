"""Selections: collecting fields per concrete type, and building subgraph selection sets.

:func:`collect` merges a selection tree's fields for one concrete type (the
GraphQL spec's CollectFields, with fragments applied by type).
:class:`SelectionBuilder` accumulates what one subgraph fetch selects and
prints it as GraphQL; planning adds client fields, key fields and required
fields to it. Internal fields whose name a client alias already uses get an
alias of their own, so a client's ``id: name`` never hides the real ``id``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from graphql import ArgumentNode, DirectiveNode, VariableNode, print_ast
from graphql.language import ListValueNode, ObjectValueNode, ValueNode

from gateway.operation import Field, Selection

if TYPE_CHECKING:
    from gateway.federation import Federation

__all__ = [
    "FieldBuilder",
    "SelectionBuilder",
    "arguments_key",
    "collect",
    "merged",
    "provided_child",
    "variables_in",
]


def collect(
    federation: Federation, selections: tuple[Selection, ...], type_name: str
) -> dict[str, list[Field]]:
    """The fields of ``selections`` that apply to objects of concrete type ``type_name``, by response key."""
    out: dict[str, list[Field]] = {}
    _collect_into(federation, selections, type_name, out)
    return out


def _collect_into(
    federation: Federation, selections: tuple[Selection, ...], type_name: str, out: dict[str, list[Field]]
) -> None:
    for selection in selections:
        if isinstance(selection, Field):
            out.setdefault(selection.response_key, []).append(selection)
        elif federation.runtime_types(type_name, selection.type_condition):
            _collect_into(federation, selection.selections, type_name, out)


def merged(fields: list[Field]) -> Field:
    """One field with the sub-selections of every same-keyed field (validation made them compatible)."""
    if len(fields) == 1:
        return fields[0]
    first = fields[0]
    children: tuple[Selection, ...] = ()
    for field in fields:
        children += field.selections
    return Field(first.response_key, first.name, first.arguments, children, first.directives)


def provided_child(
    federation: Federation, provided: tuple[Selection, ...] | None, type_name: str, field_name: str
) -> tuple[bool, tuple[Selection, ...] | None]:
    """Whether ``@provides`` makes ``type_name.field_name`` local here, and what it provides below it."""
    if not provided:
        return False, None
    found = False
    children: tuple[Selection, ...] = ()
    for fields in collect(federation, provided, type_name).values():
        for field in fields:
            if field.name == field_name:
                found = True
                children += field.selections
    return found, (children or None)


def variables_in(arguments: tuple[ArgumentNode, ...], directives: tuple[DirectiveNode, ...]) -> Iterator[str]:
    stack: list[ValueNode] = [a.value for a in arguments]
    stack += [a.value for d in directives for a in d.arguments or ()]
    while stack:
        value = stack.pop()
        if isinstance(value, VariableNode):
            yield value.name.value
        elif isinstance(value, ListValueNode):
            stack.extend(value.values)
        elif isinstance(value, ObjectValueNode):
            stack.extend(f.value for f in value.fields)


class FieldBuilder:
    __slots__ = ("alias", "arguments", "child", "directives", "name")

    def __init__(
        self,
        name: str,
        alias: str | None,
        arguments: tuple[ArgumentNode, ...],
        directives: tuple[DirectiveNode, ...],
    ) -> None:
        self.name = name
        self.alias = alias
        self.arguments = arguments
        self.directives = directives
        self.child: SelectionBuilder | None = None

    def same_field(self, name: str, arguments: tuple[ArgumentNode, ...]) -> bool:
        return self.name == name and arguments_key(self.arguments) == arguments_key(arguments)

    def sub(self) -> SelectionBuilder:
        if self.child is None:
            self.child = SelectionBuilder()
        return self.child


def arguments_key(arguments: tuple[ArgumentNode, ...]) -> tuple[tuple[str, str], ...]:
    """Arguments in a comparable form (order-independent)."""
    return tuple(sorted((a.name.value, print_ast(a.value)) for a in arguments))


class SelectionBuilder:
    """The selection set one fetch sends, built up field by field; printed once at plan time."""

    __slots__ = ("fields", "fragments")

    def __init__(self) -> None:
        self.fields: dict[str, FieldBuilder] = {}
        self.fragments: dict[str, SelectionBuilder] = {}

    def add(self, field: Field) -> FieldBuilder:
        """Add a client field under its own response key (validation rules out clashes among them)."""
        existing = self.fields.get(field.response_key)
        if existing is not None:
            return existing
        alias = field.response_key if field.response_key != field.name else None
        builder = FieldBuilder(field.name, alias, field.arguments, field.directives)
        self.fields[field.response_key] = builder
        return builder

    def add_internal(self, name: str, arguments: tuple[ArgumentNode, ...] = ()) -> tuple[str, FieldBuilder]:
        """Add a field the plan needs (a key, a requirement); returns the response key it landed under."""
        key = name
        while True:
            existing = self.fields.get(key)
            if existing is None:
                alias = None if key == name else key
                builder = FieldBuilder(name, alias, arguments, ())
                self.fields[key] = builder
                return key, builder
            if existing.same_field(name, arguments):
                return key, existing
            key = f"_fed_{key}"

    def fragment(self, type_name: str) -> SelectionBuilder:
        found = self.fragments.get(type_name)
        if found is None:
            found = self.fragments[type_name] = SelectionBuilder()
        return found

    def is_empty(self) -> bool:
        return not self.fields and not any(not f.is_empty() for f in self.fragments.values())

    def variables(self) -> set[str]:
        found: set[str] = set()
        for field in self.fields.values():
            found.update(variables_in(field.arguments, field.directives))
            if field.child is not None:
                found |= field.child.variables()
        for fragment in self.fragments.values():
            found |= fragment.variables()
        return found

    def print(self, indent: str = "") -> str:
        """``{ ... }`` with two-space indentation, fields in insertion order."""
        inner = indent + "  "
        lines = ["{"]
        for field in self.fields.values():
            text = inner + (f"{field.alias}: " if field.alias else "") + field.name
            if field.arguments:
                text += "(" + ", ".join(print_ast(a) for a in field.arguments) + ")"
            for directive in field.directives:
                text += " " + print_ast(directive)
            if field.child is not None and not field.child.is_empty():
                text += " " + field.child.print(inner)
            elif field.child is not None:
                text += " { __typename }"
            lines.append(text)
        for type_name, fragment in self.fragments.items():
            if not fragment.is_empty():
                lines.append(f"{inner}... on {type_name} " + fragment.print(inner))
        lines.append(indent + "}")
        return "\n".join(lines)
