"""Parsed and validated documents, cached by query text, with their requested costs.

Parsing and validation happen once per distinct query string; the requested
cost once per (query, operation, values of the variables that can change it).
Errors are shaped as Shopify shows them: ``message``, ``locations`` and an
``extensions.code`` in graphql-ruby's vocabulary where one is known.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
    validate,
)

from sandbox.shopify.cost import cost_variables, requested_cost

__all__ = ["DocumentCache", "Prepared", "format_error"]

_CODES = (
    (
        re.compile(
            r"^Variable '\$.*' (?:got|has) invalid value|^Variable '\$.*' of (?:required|non-null) type"
        ),
        "INVALID_VARIABLE",
    ),
    (re.compile(r"^Cannot query field"), "undefinedField"),
    (re.compile(r"^Unknown argument"), "argumentNotAccepted"),
    (re.compile(r"argument '.*' of type '.*' is required"), "missingRequiredArguments"),
    (re.compile(r"^Field '.*' argument .* is required"), "missingRequiredArguments"),
    (re.compile(r"^Unknown type"), "undefinedType"),
    (re.compile(r"^Unknown directive"), "undefinedDirective"),
    (re.compile(r"^Unknown fragment"), "undefinedFragment"),
    (re.compile(r"is never used"), "useAndDefineFragment"),
    (re.compile(r"^Variable '.*' is not defined"), "undefinedVariable"),
    (re.compile(r"^Variable '.*' of type .* used in position"), "variableMismatch"),
    (re.compile(r"must have a selection of subfields|must not have a selection"), "selectionMismatch"),
    (re.compile(r"cannot represent|Expected value of type"), "argumentLiteralsIncompatible"),
)


def format_error(error: GraphQLError, default_code: str = "GRAPHQL_VALIDATION_FAILED") -> dict[str, Any]:
    out: dict[str, Any] = {"message": error.message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        out["path"] = list(error.path)
    code = (error.extensions or {}).get("code")
    if code is None:
        code = next((c for pattern, c in _CODES if pattern.search(error.message)), default_code)
    out["extensions"] = {**(error.extensions or {}), "code": code}
    return out


@dataclass
class Prepared:
    query: str
    document: DocumentNode | None
    errors: list[dict[str, Any]]
    cost_variables: frozenset[str] = frozenset()
    _costs: dict[tuple[str | None, bytes], int] = field(default_factory=dict)

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        assert self.document is not None
        return get_operation_ast(self.document, name)


class DocumentCache:
    """An LRU of prepared documents; one per process is enough (the schema never changes)."""

    def __init__(self, schema: GraphQLSchema, size: int = 1024) -> None:
        self.schema = schema
        self.size = size
        self._entries: OrderedDict[str, Prepared] = OrderedDict()

    def get(self, query: str) -> Prepared:
        prepared = self._entries.get(query)
        if prepared is not None:
            self._entries.move_to_end(query)
            return prepared
        prepared = self._prepare(query)
        self._entries[query] = prepared
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
        return prepared

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse(query)
        except GraphQLError as exc:
            return Prepared(query, None, [format_error(exc, "GRAPHQL_PARSE_FAILED")])
        errors = validate(self.schema, document)
        if errors:
            return Prepared(query, None, [format_error(e) for e in errors])
        return Prepared(query, document, [], cost_variables(document))

    def requested_cost(
        self, prepared: Prepared, operation: OperationDefinitionNode, variables: dict[str, Any]
    ) -> int:
        assert prepared.document is not None
        relevant = {name: variables.get(name) for name in prepared.cost_variables}
        key = (
            operation.name.value if operation.name else None,
            orjson.dumps(relevant, option=orjson.OPT_SORT_KEYS),
        )
        cost = prepared._costs.get(key)
        if cost is None:
            cost = prepared._costs[key] = requested_cost(self.schema, prepared.document, operation, variables)
        return cost
