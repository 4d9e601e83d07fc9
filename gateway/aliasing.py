"""Keep a subgraph selection valid when fields of one response key have different types.

``... on User { id } ... on Admin { id }`` is invalid in a subgraph where
``User.id`` is ``ID!`` and ``Admin.id`` is ``ID`` (fields that share a
response key must have the same shape). Before a fetch is printed, such
fields get aliases of their own (``id__alias_0``), and the fetch carries a
:data:`Renames` tree so that the executor puts each value back under the
client's key before merging.
"""

from __future__ import annotations

from typing import Any

from gateway.federation import Federation
from gateway.selection import FieldBuilder, SelectionBuilder

__all__ = ["Renames", "apply_renames", "dealias"]

Renames = dict[str, Any]
"""``{"": {alias: key}, subgraph_key: Renames}``: renames at this level, and below each field."""


def dealias(federation: Federation, builder: SelectionBuilder, type_name: str, graph: str) -> Renames:
    """Alias fields whose types clash with an earlier one of the same key; the renames to undo it."""
    renames: Renames = {}
    seen: dict[str, str] = {}
    levels: list[tuple[dict[str, FieldBuilder], str]] = [(builder.fields, type_name)]
    levels += [(fragment.fields, fragment_type) for fragment_type, fragment in builder.fragments.items()]
    for fields, parent in levels:
        for key in list(fields):
            field = fields[key]
            shape = federation.subgraph_type(parent, field.name, graph)
            previous = seen.setdefault(key, shape)
            if previous != shape:
                alias = _free_alias(key, builder)
                del fields[key]
                field.alias = alias
                fields[alias] = field
                renames.setdefault("", {})[alias] = key
                key = alias
            if field.child is not None:
                child_type = federation.subgraph_named_type(parent, field.name, graph)
                below = dealias(federation, field.child, child_type, graph)
                if below:
                    renames[key] = below
    return renames


def _free_alias(key: str, builder: SelectionBuilder) -> str:
    taken = set(builder.fields)
    for fragment in builder.fragments.values():
        taken |= set(fragment.fields)
    n = 0
    while f"{key}__alias_{n}" in taken:
        n += 1
    return f"{key}__alias_{n}"


def apply_renames(value: Any, renames: Renames) -> None:
    """Undo :func:`dealias` on a subgraph's response data, in place."""
    if isinstance(value, list):
        for item in value:
            apply_renames(item, renames)
        return
    if not isinstance(value, dict):
        return
    for key, below in renames.items():
        if key and key in value:
            apply_renames(value[key], below)
    for alias, key in renames.get("", {}).items():
        if alias in value:
            value[key] = value.pop(alias)
