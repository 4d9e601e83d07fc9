"""A small Federation 2 subgraph on graphql-core, for benchmark scenarios.

A :class:`FederatedSubgraph` is an SDL as a subgraph author writes it
(``extend schema @link(...)``, ``@key``, ``@external``, ``@requires``,
``@provides``), field resolvers keyed ``"Type.field"`` and one reference
resolver per entity type. It implements the subgraph specification:
``_service { sdl }``, ``_entities(representations:)`` and ``_Any``.

:meth:`FederatedSubgraph.answer` maps a raw POST body to the encoded
response body. It is the slow path of the benchmark's subgraph server,
which memoizes its answers by request body (see :mod:`bench.httpserver`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_ast_schema,
    execute,
    parse,
    validate,
)
from graphql.language import (
    DirectiveNode,
    DocumentNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
)

__all__ = ["FederatedSubgraph", "FieldResolver", "ReferenceResolver"]

FieldResolver = Callable[[dict[str, Any], dict[str, Any]], Any]
"""``(parent object, arguments) -> value``."""

ReferenceResolver = Callable[[dict[str, Any]], dict[str, Any] | None]
"""``(representation) -> object`` (or None when the entity is unknown)."""

_FEDERATION_SDL = """
scalar _Any
scalar FieldSet
scalar link__Import
type _Service { sdl: String! }
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @external on OBJECT | FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @link(url: String!, as: String, import: [link__Import]) repeatable on SCHEMA
"""


def _has_key(directives: tuple[DirectiveNode, ...] | None) -> bool:
    return any(d.name.value == "key" for d in directives or ())


class FederatedSubgraph:
    """One subgraph: schema, resolvers, and the GraphQL-over-HTTP answer for a request body."""

    def __init__(
        self,
        name: str,
        sdl: str,
        resolvers: Mapping[str, FieldResolver] | None = None,
        references: Mapping[str, ReferenceResolver] | None = None,
    ) -> None:
        self.name = name
        self.sdl = sdl
        self.resolvers = dict(resolvers or {})
        self.references = dict(references or {})
        self.schema = self._build()

    def _build(self) -> GraphQLSchema:
        document = parse(self.sdl)
        definitions = []
        entities: list[str] = []
        has_query = False
        for definition in document.definitions:
            if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
                continue
            if isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
                has_query = has_query or definition.name.value == "Query"
                if _has_key(definition.directives) and definition.name.value not in entities:
                    entities.append(definition.name.value)
            definitions.append(definition)
        missing = set(entities) - set(self.references)
        if missing:
            raise ValueError(f"subgraph {self.name}: no reference resolver for {sorted(missing)}")
        root = "extend type Query" if has_query else "type Query"
        extra = _FEDERATION_SDL + f"\n{root} {{\n  _service: _Service!\n"
        if entities:
            extra += "  _entities(representations: [_Any!]!): [_Entity]!\n}\n"
            extra += "union _Entity = " + " | ".join(entities) + "\n"
        else:
            extra += "}\n"
        full = DocumentNode(definitions=(*definitions, *parse(extra).definitions))
        return build_ast_schema(full, assume_valid_sdl=True)

    # ------------------------------------------------------------------ resolution

    def _resolve(self, source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        parent, field = info.parent_type.name, info.field_name
        resolver = self.resolvers.get(f"{parent}.{field}")
        if resolver is not None:
            return resolver(source if isinstance(source, dict) else {}, args)
        if parent == "Query":
            if field == "_entities":
                return [self._entity(rep) for rep in args["representations"]]
            if field == "_service":
                return {"sdl": self.sdl}
        return source.get(field) if isinstance(source, dict) else None

    def _entity(self, representation: Any) -> dict[str, Any] | None:
        if not isinstance(representation, dict) or not isinstance(representation.get("__typename"), str):
            raise GraphQLError("a representation must be an object with a __typename")
        typename = representation["__typename"]
        reference = self.references.get(typename)
        if reference is None:
            raise GraphQLError(f"{typename} is not an entity of subgraph {self.name}")
        found = reference(representation)
        return None if found is None else {**found, "__typename": typename}

    @staticmethod
    def _type_of(value: Any, info: GraphQLResolveInfo[Any], abstract: Any) -> str | None:
        typename = value.get("__typename") if isinstance(value, dict) else None
        return typename if isinstance(typename, str) else None

    # ------------------------------------------------------------------ HTTP payloads

    def answer(self, body: bytes) -> tuple[int, bytes]:
        """``(status, encoded response)`` for a GraphQL-over-HTTP POST body."""
        try:
            request = orjson.loads(body)
            query = request["query"]
            document = parse(query)
        except (orjson.JSONDecodeError, KeyError, TypeError, GraphQLError) as exc:
            message = exc.message if isinstance(exc, GraphQLError) else f"bad request: {exc}"
            return 400, orjson.dumps({"errors": [{"message": message}]})
        errors = validate(self.schema, document)
        if errors:
            return 400, orjson.dumps({"errors": [e.formatted for e in errors]})
        result = execute(
            self.schema,
            document,
            variable_values=request.get("variables"),
            operation_name=request.get("operationName"),
            field_resolver=self._resolve,
            type_resolver=self._type_of,
        )
        if not isinstance(result, ExecutionResult):  # pragma: no cover - resolvers here are synchronous
            raise TypeError("asynchronous resolvers are not supported")
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return 200, orjson.dumps(payload)
