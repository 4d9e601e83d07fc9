"""Shopify's calculated query cost, estimated before a document is sent, to pace and to split batches.

Shopify admits a query only when its *requested* cost (computed from the
document before it runs) is at most the single-query limit (1000:
``MAX_COST_EXCEEDED`` above it, a bug in our query that is never retried) and
at most what the store's leaky bucket holds (``THROTTLED`` otherwise). So the
connector computes that cost itself, with Shopify's documented rules (the
same ones ``sandbox/shopify/cost.py`` implements), for two uses:

- pacing: ``kit.read(..., cost=requested_cost(query, variables))`` takes that
  many points from the shared bucket before sending;
- sizing: :func:`largest_batch` finds how many keys one request can carry
  under the limit, and batches are split into the fewest requests.

The rules, applied to the document alone (no schema is needed for the
documents this connector writes, which always select ``nodes`` in a connection)::

    a field without a selection (scalar, enum)      0
    a connection (selects `nodes` or `edges`)      2 + size * (1 + cost of one node's selection)
    an object, or a list of objects                size * (1 + cost of its selection)
    size                                           `first` / `last`, the number of `ids`, else 1
    a mutation field                               10 + its payload, where objects are free
                                                   (connections inside still cost as above)
    inline fragments                               the most expensive one, plus the shared fields

Estimates are checked against the sandbox's calculator in the tests; at run
time a difference from the answer's ``requestedQueryCost`` is logged once
per operation (:class:`resolvers.shopify.exchange.ShopifyGraphQL`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    parse,
)

from resolvers.kit.parts import fit

__all__ = ["MUTATION_COST", "largest_batch", "requested_cost"]

MUTATION_COST = 10
_CONNECTION_CHILDREN = frozenset({"nodes", "edges"})
_SIZE_ARGS = ("first", "last")


@functools.lru_cache(maxsize=256)
def _document(query: str) -> DocumentNode:
    return parse(query, no_location=True)


def requested_cost(query: str, variables: Mapping[str, Any] | None = None) -> int:
    """The requested cost of ``query`` (its first operation) with ``variables``."""
    document = _document(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    values = variables or {}
    if operation.operation == OperationType.MUTATION:
        return sum(
            MUTATION_COST + _selection(field.selection_set, values, free=True)
            for field in _fields(operation.selection_set)
        )
    return _selection(operation.selection_set, values, free=False)


def largest_batch(cost_of: Callable[[int], int], limit: int, most: int) -> int:
    """The largest ``n <= most`` with ``cost_of(n) <= limit`` (cost grows with n); 0 if even 1 is over."""
    return fit(cost_of, limit, most) if most > 0 else 0


def _fields(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    if selection_set is None:
        return []
    return [s for s in selection_set.selections if isinstance(s, FieldNode)]


def _fragments(selection_set: SelectionSetNode) -> list[InlineFragmentNode]:
    return [s for s in selection_set.selections if isinstance(s, InlineFragmentNode)]


def _selection(selection_set: SelectionSetNode | None, variables: Mapping[str, Any], *, free: bool) -> int:
    if selection_set is None:
        return 0
    shared = sum(_field(field, variables, free=free) for field in _fields(selection_set))
    fragments = [_selection(f.selection_set, variables, free=free) for f in _fragments(selection_set)]
    return shared + max(fragments, default=0)


def _field(field: FieldNode, variables: Mapping[str, Any], *, free: bool) -> int:
    if field.selection_set is None or field.name.value.startswith("__"):
        return 0
    children = {child.name.value: child for child in _fields(field.selection_set)}
    if _CONNECTION_CHILDREN & children.keys():
        node = _node_selection(children)
        return 2 + _size(field, variables) * (1 + _selection(node, variables, free=False))
    return _size(field, variables) * (
        (0 if free else 1) + _selection(field.selection_set, variables, free=free)
    )


def _node_selection(children: dict[str, FieldNode]) -> SelectionSetNode | None:
    """The selection of one node of a connection: ``nodes { ... }`` or ``edges { node { ... } }``."""
    if "nodes" in children:
        return children["nodes"].selection_set
    edge = {child.name.value: child for child in _fields(children["edges"].selection_set)}
    return edge["node"].selection_set if "node" in edge else None


def _size(field: FieldNode, variables: Mapping[str, Any]) -> int:
    for argument in field.arguments or ():
        name = argument.name.value
        value = argument.value
        if name in _SIZE_ARGS:
            number = variables.get(value.name.value) if isinstance(value, VariableNode) else None
            if isinstance(value, IntValueNode):
                number = int(value.value)
            return number if isinstance(number, int) and number > 0 else 0
        if name == "ids":
            if isinstance(value, VariableNode):
                raw = variables.get(value.name.value)
                return len(raw) if isinstance(raw, list) else 1
            if isinstance(value, ListValueNode):
                return len(value.values) or 1
            return 1
    return 1
