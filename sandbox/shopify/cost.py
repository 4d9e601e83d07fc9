"""Shopify's calculated query cost: requested (static, before running) and actual (from the result).

Rules (Shopify's "cost calculation", as documented):

* scalars and enums cost 0; an object costs 1 plus its selections;
* a connection (a ``...Connection`` type) costs 2 plus ``first``/``last`` times the cost
  of one node (1 plus the node's selections); ``edges``, ``cursor`` and ``pageInfo`` are free;
* a list of objects costs its size (``first``, or the number of ``ids``, else 1) times one item;
* an interface or union costs the most expensive of its possible selections;
* each mutation field costs 10, plus the connections inside its payload (payload objects are free).

The actual cost applies the same rules to the returned data: connections count the
nodes that came back, and nulls cost nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    value_from_ast,
    visit,
)

__all__ = ["MUTATION_COST", "actual_cost", "cost_variables", "requested_cost"]

MUTATION_COST = 10
_SIZE_ARGS = ("first", "last")


Fields = dict[str, tuple[GraphQLNamedType, list[FieldNode]]]


@dataclass(frozen=True)
class _Ctx:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: dict[str, Any]
    memo: dict[tuple[int, str, str | None], Fields] = field(default_factory=dict)
    merges: dict[tuple[int, ...], SelectionSetNode | None] = field(default_factory=dict)

    def merged(self, nodes: list[FieldNode]) -> SelectionSetNode | None:
        """One selection set for a response key selected several times (kept, so its id stays unique)."""
        key = tuple(map(id, nodes))
        if key not in self.merges:
            self.merges[key] = _merged(nodes)
        return self.merges[key]

    def fields(
        self, parent: GraphQLNamedType, runtime: GraphQLObjectType | None, sub: SelectionSetNode
    ) -> Fields:
        """The collected fields of ``sub`` (memoised: the same selection repeats for every item of a list)."""
        key = (id(sub), parent.name, runtime.name if runtime else None)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = {}
            _collect(parent, runtime, sub, self, found)
        return found


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def cost_variables(document: DocumentNode) -> frozenset[str]:
    """Variables whose values can change the requested cost (sizes, ids, @skip/@include)."""
    names: set[str] = set()

    class _Collect(Visitor):
        def enter_argument(self, node: Any, *_: Any) -> None:
            if node.name.value in ("first", "last", "ids", "if"):
                for found in _variables_in(node.value):
                    names.add(found)

    visit(document, _Collect())
    return frozenset(names)


def _variables_in(node: Any) -> Iterable[str]:
    if isinstance(node, VariableNode):
        yield node.name.value
    for item in getattr(node, "values", ()) or ():
        yield from _variables_in(item)


# ---------------------------------------------------------------- selection helpers


def _included(node: Any, ctx: _Ctx) -> bool:
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        arg = next((a for a in directive.arguments or () if a.name.value == "if"), None)
        if arg is None:
            continue
        flag = value_from_ast(arg.value, GraphQLBoolean, ctx.variables)
        if (name == "skip" and flag is True) or (name == "include" and flag is False):
            return False
    return True


def _applies(condition: GraphQLNamedType, runtime: GraphQLObjectType | None, ctx: _Ctx) -> bool:
    if runtime is None or condition is runtime:
        return True
    if is_abstract_type(condition):
        return ctx.schema.is_sub_type(condition, runtime)
    return False


def _collect(
    parent: GraphQLNamedType,
    runtime: GraphQLObjectType | None,
    selection_set: SelectionSetNode,
    ctx: _Ctx,
    out: dict[str, tuple[GraphQLNamedType, list[FieldNode]]],
) -> None:
    """Fields by response key, each with the type that defines it; ``runtime`` None takes every fragment."""
    for selection in selection_set.selections:
        if not _included(selection, ctx):
            continue
        if isinstance(selection, FieldNode):
            key = selection.alias.value if selection.alias else selection.name.value
            out.setdefault(key, (parent, []))[1].append(selection)
            continue
        if isinstance(selection, FragmentSpreadNode):
            fragment = ctx.fragments.get(selection.name.value)
            if fragment is None:
                continue
            condition: NamedTypeNode | None = fragment.type_condition
            sub = fragment.selection_set
        else:
            assert isinstance(selection, InlineFragmentNode)
            condition, sub = selection.type_condition, selection.selection_set
        target = ctx.schema.get_type(condition.name.value) if condition else parent
        if target is not None and _applies(target, runtime, ctx):
            _collect(target, runtime, sub, ctx, out)


def _merged(nodes: list[FieldNode]) -> SelectionSetNode | None:
    sets = [n.selection_set for n in nodes if n.selection_set is not None]
    if not sets:
        return None
    if len(sets) == 1:
        return sets[0]
    return SelectionSetNode(selections=tuple(s for ss in sets for s in ss.selections))


def _size(node: FieldNode, ctx: _Ctx) -> int | None:
    """The page size (first/last) or the number of ids a field asks for; None if it names none."""
    for arg in node.arguments or ():
        name = arg.name.value
        if name in _SIZE_ARGS:
            value = value_from_ast(arg.value, GraphQLInt, ctx.variables)
            return value if isinstance(value, int) and value > 0 else 0
        if name == "ids":
            if isinstance(arg.value, VariableNode):
                raw = ctx.variables.get(arg.value.name.value)
                return len(raw) if isinstance(raw, list) else 1
            return len(getattr(arg.value, "values", ()) or ()) or 1
    return None


def _field_type(parent: GraphQLNamedType, node: FieldNode) -> Any:
    if not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
        return None
    field = parent.fields.get(node.name.value)
    return field.type if field is not None else None


# ---------------------------------------------------------------- requested


def _selection_cost(
    named: GraphQLNamedType, selection_set: SelectionSetNode | None, ctx: _Ctx, free: bool
) -> int:
    if selection_set is None:
        return 0
    runtimes: list[GraphQLObjectType] = (
        list(ctx.schema.get_possible_types(named)) if is_abstract_type(named) else [named]  # type: ignore[list-item]
    )
    best = 0
    for runtime in runtimes:
        fields = ctx.fields(named, runtime, selection_set)
        best = max(best, sum(_field_cost(parent, nodes, ctx, free) for parent, nodes in fields.values()))
    return best


def _node_cost(connection: GraphQLNamedType, sub: SelectionSetNode | None, ctx: _Ctx) -> int:
    """The cost of one node of a connection, from ``edges { node }`` and ``nodes``."""
    if sub is None:
        return 0
    fields = ctx.fields(connection, None, sub)
    best = 0
    for parent, nodes in fields.values():
        name = nodes[0].name.value
        field_type = _field_type(parent, nodes[0])
        if field_type is None:
            continue
        if name == "nodes":
            best = max(best, 1 + _selection_cost(get_named_type(field_type), ctx.merged(nodes), ctx, False))
        elif name == "edges":
            edge_type = get_named_type(field_type)
            merged = ctx.merged(nodes)
            edge_fields = ctx.fields(edge_type, None, merged) if merged is not None else {}
            for edge_parent, edge_nodes in edge_fields.values():
                if edge_nodes[0].name.value == "node":
                    node_type = get_named_type(_field_type(edge_parent, edge_nodes[0]))
                    best = max(best, 1 + _selection_cost(node_type, ctx.merged(edge_nodes), ctx, False))
    return best


def _field_cost(parent: GraphQLNamedType, nodes: list[FieldNode], ctx: _Ctx, free: bool) -> int:
    node = nodes[0]
    field_type = _field_type(parent, node)
    if field_type is None or node.name.value.startswith("__"):
        return 0
    named = get_named_type(field_type)
    if is_leaf_type(named):
        return 0
    sub = ctx.merged(nodes)
    if named.name.endswith("Connection"):
        return 2 + (_size(node, ctx) or 0) * _node_cost(named, sub, ctx)
    per_item = (0 if free else 1) + _selection_cost(named, sub, ctx, free)
    if isinstance(get_nullable_type(field_type), GraphQLList):
        size = _size(node, ctx)
        return (1 if size is None else size) * per_item
    return per_item


def requested_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: dict[str, Any],
) -> int:
    ctx = _Ctx(schema, _fragments(document), variables)
    is_mutation = operation.operation == OperationType.MUTATION
    root = schema.mutation_type if is_mutation else schema.query_type
    assert root is not None
    fields = ctx.fields(root, root, operation.selection_set)
    total = 0
    for parent, nodes in fields.values():
        if nodes[0].name.value.startswith("__"):
            continue
        if is_mutation:
            payload = get_named_type(_field_type(parent, nodes[0]))
            total += MUTATION_COST + _selection_cost(payload, ctx.merged(nodes), ctx, True)
        else:
            total += _field_cost(parent, nodes, ctx, False)
    return total


# ---------------------------------------------------------------- actual


def _actual_selection(
    named: GraphQLNamedType, sub: SelectionSetNode | None, value: Any, ctx: _Ctx, free: bool
) -> int:
    if sub is None or not isinstance(value, dict):
        return 0
    fields = ctx.fields(named, None, sub)
    return sum(
        _actual_field(parent, nodes, value[key], ctx, free)
        for key, (parent, nodes) in fields.items()
        if key in value
    )


def _actual_nodes(
    connection: GraphQLNamedType, sub: SelectionSetNode | None, value: dict[str, Any], ctx: _Ctx
) -> int:
    if sub is None:
        return 0
    fields = ctx.fields(connection, None, sub)
    best = 0
    for key, (parent, nodes) in fields.items():
        items = value.get(key)
        field_type = _field_type(parent, nodes[0])
        if not isinstance(items, list) or field_type is None:
            continue
        item_type = get_named_type(field_type)
        merged = ctx.merged(nodes)
        if nodes[0].name.value == "nodes":
            best = max(
                best,
                sum(1 + _actual_selection(item_type, merged, item, ctx, False) for item in items if item),
            )
        elif nodes[0].name.value == "edges" and merged is not None:
            edge_fields = ctx.fields(item_type, None, merged)
            for edge_key, (edge_parent, edge_nodes) in edge_fields.items():
                if edge_nodes[0].name.value != "node":
                    continue
                node_type = get_named_type(_field_type(edge_parent, edge_nodes[0]))
                node_sub = ctx.merged(edge_nodes)
                total = sum(
                    1 + _actual_selection(node_type, node_sub, edge.get(edge_key), ctx, False)
                    for edge in items
                    if isinstance(edge, dict) and edge.get(edge_key) is not None
                )
                best = max(best, total)
    return best


def _actual_field(parent: GraphQLNamedType, nodes: list[FieldNode], value: Any, ctx: _Ctx, free: bool) -> int:
    field_type = _field_type(parent, nodes[0])
    if value is None or field_type is None or nodes[0].name.value.startswith("__"):
        return 0
    named = get_named_type(field_type)
    if is_leaf_type(named):
        return 0
    sub = ctx.merged(nodes)
    if named.name.endswith("Connection"):
        return 2 + (_actual_nodes(named, sub, value, ctx) if isinstance(value, dict) else 0)
    own = 0 if free else 1
    if isinstance(value, list):
        return sum(own + _actual_selection(named, sub, item, ctx, free) for item in value if item is not None)
    return own + _actual_selection(named, sub, value, ctx, free)


def actual_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: dict[str, Any],
    data: dict[str, Any] | None,
) -> int:
    if not data:
        return 0
    ctx = _Ctx(schema, _fragments(document), variables)
    is_mutation = operation.operation == OperationType.MUTATION
    root = schema.mutation_type if is_mutation else schema.query_type
    assert root is not None
    fields = ctx.fields(root, root, operation.selection_set)
    total = 0
    for key, (parent, nodes) in fields.items():
        if nodes[0].name.value.startswith("__"):
            continue
        if is_mutation:
            payload = get_named_type(_field_type(parent, nodes[0]))
            total += MUTATION_COST + _actual_selection(payload, ctx.merged(nodes), data.get(key), ctx, True)
        elif key in data:
            total += _actual_field(parent, nodes, data[key], ctx, False)
    return total
