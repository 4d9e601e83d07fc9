"""Client operations: parse and validate once per document, then normalise per request.

Parse and validation results are cached by the document's hash (they cost
more than the rest of a request). Normalising turns an operation into a
small tree of :class:`Field` and :class:`Fragment` nodes: fragment spreads
inlined, ``@skip``/``@include`` decided with the request's variables. The
planner works on that tree; the plan cache key therefore includes the
values of the variables those two directives use.

Errors (each a :class:`OperationError` with a stable code): the document
does not parse (``GRAPHQL_PARSE_FAILED``), does not validate
(``GRAPHQL_VALIDATION_FAILED``), names no or an unknown operation
(``OPERATION_RESOLUTION_FAILURE``), or variables do not coerce
(``BAD_USER_INPUT``).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    parse,
    validate,
    value_from_ast,
)
from graphql.execution.values import get_variable_values
from graphql.type import GraphQLBoolean

from gateway.errors import GatewayError

__all__ = [
    "Field",
    "Fragment",
    "OperationCache",
    "OperationError",
    "PreparedDocument",
    "Selection",
    "coerce_variables",
    "normalize",
]


class OperationError(GatewayError):
    """A client operation that cannot run; ``code`` says why, ``errors`` carries the details."""

    def __init__(self, code: str, errors: list[GraphQLError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.code = code
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Field:
    response_key: str
    name: str
    arguments: tuple[ArgumentNode, ...] = ()
    selections: tuple[Selection, ...] = ()
    directives: tuple[DirectiveNode, ...] = ()


@dataclass(frozen=True, slots=True)
class Fragment:
    type_condition: str | None
    selections: tuple[Selection, ...]


Selection = Field | Fragment


@dataclass
class PreparedDocument:
    """A parsed and validated document, with what each operation needs to be planned."""

    hash: str
    document: DocumentNode
    operations: dict[str | None, OperationDefinitionNode]
    fragments: dict[str, FragmentDefinitionNode]
    condition_variables: dict[str | None, tuple[str, ...]] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationDefinitionNode:
        if name:
            found = self.operations.get(name)
            if found is None:
                raise OperationError(
                    "OPERATION_RESOLUTION_FAILURE", [GraphQLError(f"Unknown operation named '{name}'.")]
                )
            return found
        if len(self.operations) == 1:
            return next(iter(self.operations.values()))
        raise OperationError(
            "OPERATION_RESOLUTION_FAILURE",
            [GraphQLError("Must provide operation name if query contains multiple operations.")],
        )


def _condition_variables(node: Any, fragments: dict[str, FragmentDefinitionNode], seen: set[str]) -> set[str]:
    found: set[str] = set()
    selection_set = getattr(node, "selection_set", None)
    for selection in selection_set.selections if selection_set else ():
        for directive in selection.directives or ():
            if directive.name.value in ("skip", "include"):
                for arg in directive.arguments:
                    if isinstance(arg.value, VariableNode):
                        found.add(arg.value.name.value)
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                found |= _condition_variables(fragments[name], fragments, seen)
        else:
            found |= _condition_variables(selection, fragments, seen)
    return found


class OperationCache:
    """Parse + validate, cached by document hash (bounded, least recently used out first)."""

    def __init__(self, schema: GraphQLSchema, max_size: int = 2_000) -> None:
        self.schema = schema
        self.max_size = max_size
        self._cache: OrderedDict[str, PreparedDocument | OperationError] = OrderedDict()

    def prepare(self, query: str) -> PreparedDocument:
        key = hashlib.sha256(query.encode()).hexdigest()
        cached = self._cache.get(key)
        if cached is None:
            cached = self._prepare(key, query)
            self._cache[key] = cached
            if len(self._cache) > self.max_size:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        if isinstance(cached, OperationError):
            raise cached
        return cached

    def _prepare(self, key: str, query: str) -> PreparedDocument | OperationError:
        try:
            document = parse(query)
        except GraphQLError as exc:
            return OperationError("GRAPHQL_PARSE_FAILED", [exc])
        errors = validate(self.schema, document)
        if errors:
            return OperationError("GRAPHQL_VALIDATION_FAILED", list(errors))
        operations: dict[str | None, OperationDefinitionNode] = {}
        fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                operations[definition.name.value if definition.name else None] = definition
            elif isinstance(definition, FragmentDefinitionNode):
                fragments[definition.name.value] = definition
        prepared = PreparedDocument(key, document, operations, fragments)
        for name, operation in operations.items():
            prepared.condition_variables[name] = tuple(
                sorted(_condition_variables(operation, fragments, set()))
            )
        return prepared


def coerce_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, raw: dict[str, Any] | None
) -> dict[str, Any]:
    """The operation's variables coerced per their definitions; ``BAD_USER_INPUT`` otherwise."""
    result = get_variable_values(schema, operation.variable_definitions or (), raw or {})
    if isinstance(result, list):
        raise OperationError("BAD_USER_INPUT", result)
    return result.coerced


def _included(directives: tuple[DirectiveNode, ...] | None, variables: dict[str, Any]) -> bool:
    for directive in directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
        value = bool(value_from_ast(condition, GraphQLBoolean, variables)) if condition is not None else False
        if (name == "skip" and value) or (name == "include" and not value):
            return False
    return True


def _forwarded(directives: tuple[DirectiveNode, ...] | None) -> tuple[DirectiveNode, ...]:
    return tuple(d for d in directives or () if d.name.value not in ("skip", "include"))


def normalize(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
) -> tuple[Selection, ...]:
    """The selection set as :class:`Field`/:class:`Fragment` nodes, spreads inlined, skip/include applied."""
    if selection_set is None:
        return ()
    out: list[Selection] = []
    for selection in selection_set.selections:
        if not _included(selection.directives, variables):
            continue
        if isinstance(selection, FieldNode):
            out.append(
                Field(
                    response_key=selection.alias.value if selection.alias else selection.name.value,
                    name=selection.name.value,
                    arguments=tuple(selection.arguments or ()),
                    selections=normalize(selection.selection_set, fragments, variables),
                    directives=_forwarded(selection.directives),
                )
            )
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else None
            out.append(Fragment(condition, normalize(selection.selection_set, fragments, variables)))
        elif isinstance(selection, FragmentSpreadNode):
            definition = fragments[selection.name.value]
            out.append(
                Fragment(
                    definition.type_condition.name.value,
                    normalize(definition.selection_set, fragments, variables),
                )
            )
    return tuple(out)
