"""Derive the API schema document from a supergraph document.

Removes the join/link machinery (the spec types and directive definitions,
and every use of a spec directive on a schema element) and every element
marked ``@inaccessible`` (types, fields, arguments, enum values, input
fields, union members and implemented interfaces that name an inaccessible
type). What remains is the schema clients see and operations validate
against.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphql import DocumentNode
from graphql.language import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    NamedTypeNode,
    Node,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
)

__all__ = ["api_document"]

_SPEC_TYPE_PREFIXES = ("join__", "link__", "core__", "inaccessible__", "tag__")


def _is_spec_name(name: str, removed: set[str]) -> bool:
    return name.startswith(_SPEC_TYPE_PREFIXES) or any(name.startswith(f"{p}__") for p in removed)


def _has(directives: Any, name: str) -> bool:
    return any(d.name.value == name for d in directives or ())


def _kept_directives(
    directives: tuple[DirectiveNode, ...] | None, removed: set[str]
) -> tuple[DirectiveNode, ...]:
    return tuple(
        d
        for d in directives or ()
        if d.name.value not in removed and not _is_spec_name(d.name.value, removed)
    )


def _clean(node: Node, inaccessible: str, removed: set[str], hidden_types: set[str]) -> Node | None:
    """``node`` without inaccessible children and spec directives; None when it is itself hidden."""
    directives = getattr(node, "directives", None)
    if directives is not None and _has(directives, inaccessible):
        return None
    changes: dict[str, Any] = {}
    if directives is not None:
        changes["directives"] = _kept_directives(directives, removed)
    for attr in ("fields", "values", "arguments"):
        children = getattr(node, attr, None)
        if children is None or isinstance(node, DirectiveNode):
            continue
        kept = [_clean(child, inaccessible, removed, hidden_types) for child in children]
        changes[attr] = tuple(child for child in kept if child is not None)
    for attr in ("interfaces", "types"):
        refs = getattr(node, attr, None)
        if refs is not None:
            changes[attr] = tuple(
                r for r in refs if isinstance(r, NamedTypeNode) and r.name.value not in hidden_types
            )
    return replace(node, **changes) if changes else node


def api_document(document: DocumentNode, inaccessible: str, removed: set[str]) -> DocumentNode:
    """The API schema's document for a supergraph ``document``."""
    removed = {*removed, inaccessible, "link", "core"}
    hidden_types = {
        d.name.value
        for d in document.definitions
        if isinstance(d, TypeDefinitionNode) and _has(d.directives, inaccessible)
    }
    definitions: list[DefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, DirectiveDefinitionNode):
            if definition.name.value in removed or _is_spec_name(definition.name.value, removed):
                continue
            definitions.append(definition)
        elif isinstance(definition, TypeDefinitionNode | TypeExtensionNode):
            name = definition.name.value
            if _is_spec_name(name, removed) or name in hidden_types:
                continue
            cleaned = _clean(definition, inaccessible, removed, hidden_types)
            if isinstance(cleaned, DefinitionNode):
                definitions.append(cleaned)
        elif isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            definitions.append(replace(definition, directives=()))
        else:
            definitions.append(definition)
    return DocumentNode(definitions=tuple(definitions))
