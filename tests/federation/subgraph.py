"""A data-driven Federation 2 subgraph for the gateway tests (graphql-core, served over real HTTP).

A subgraph is its SDL (as a user writes it: ``extend schema @link(...)``,
``@key``, ``@external``, ...), tables of objects per type, and optional
resolvers. It implements the subgraph specification: ``_service { sdl }``,
``_entities(representations:)`` over every resolvable ``@key`` type, and
``_Any``. By default an entity is found in its type's table by matching the
representation's key fields, and the representation's fields (keys and
``@requires``) are merged over it, so computed fields can read them; an
entity missing from the table resolves to null. Objects carry
``__typename`` for abstract types. Field resolvers are ``(obj, args) ->
value`` functions keyed by ``"Type.field"``. Operations are validated first,
as a real server does: asking a subgraph for a field it lacks is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    build_ast_schema,
    execute,
    parse,
    print_ast,
    validate,
)
from graphql.language import (
    DirectiveNode,
    DocumentNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

__all__ = ["Resolver", "TestSubgraph"]

Resolver = Callable[[dict[str, Any], dict[str, Any]], Any]

_FEDERATION_DEFINITIONS = """
scalar _Any
scalar FieldSet
scalar federation__FieldSet
scalar link__Import
type _Service { sdl: String }
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @external on OBJECT | FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR
  | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @override(from: String!, label: String) on FIELD_DEFINITION
directive @interfaceObject on OBJECT
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
  | ARGUMENT_DEFINITION
  | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @extends on OBJECT | INTERFACE
directive @link(url: String!, as: String, import: [link__Import], for: String) repeatable on SCHEMA
"""


def _key_fields(directive: DirectiveNode) -> tuple[str, bool]:
    fields, resolvable = "", True
    for arg in directive.arguments or ():
        if arg.name.value == "fields" and isinstance(arg.value, StringValueNode):
            fields = arg.value.value
        if arg.name.value == "resolvable":
            resolvable = print_ast(arg.value) != "false"
    return fields, resolvable


def _top_level_names(field_set: str) -> list[str]:
    """The top-level field names of a field set (a nested selection is matched as a whole value)."""
    previous = None
    while previous != field_set:
        previous, field_set = field_set, re.sub(r"\{[^{}]*\}", " ", field_set)
    return field_set.split()


@dataclass
class TestSubgraph:
    """One subgraph of a test set."""

    __test__ = False  # not a pytest test class, despite its name

    name: str
    sdl: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    resolvers: dict[str, Resolver] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.schema, self.keys, self.interfaces = self._build()

    def _build(self) -> tuple[GraphQLSchema, dict[str, list[list[str]]], set[str]]:
        document = parse(self.sdl)
        keys: dict[str, list[list[str]]] = {}
        interfaces: set[str] = set()
        definitions = []
        has_query = False
        for definition in document.definitions:
            if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
                continue
            if isinstance(
                definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode | InterfaceTypeDefinitionNode
            ):
                if definition.name.value == "Query":
                    has_query = True
                for directive in definition.directives or ():
                    if directive.name.value == "key":
                        fields, resolvable = _key_fields(directive)
                        if resolvable:
                            keys.setdefault(definition.name.value, []).append(_top_level_names(fields))
                if isinstance(definition, InterfaceTypeDefinitionNode):
                    interfaces.add(definition.name.value)
            definitions.append(definition)
        entity_types = [name for name in keys if name not in interfaces]
        extra = _FEDERATION_DEFINITIONS
        root = "extend type Query" if has_query else "type Query"
        extra += f"\n{root} {{ _service: _Service! " + (
            "_entities(representations: [_Any!]!): [_Entity]! }" if entity_types else "}"
        )
        if entity_types:
            extra += "\nunion _Entity = " + " | ".join(entity_types)
        full = DocumentNode(definitions=(*definitions, *parse(extra).definitions))
        schema = build_ast_schema(full, assume_valid_sdl=True)
        return schema, keys, interfaces

    # ------------------------------------------------------------ resolution

    def _field_resolver(self, source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        parent = info.parent_type.name
        custom = self.resolvers.get(f"{parent}.{info.field_name}")
        if custom is not None:
            return custom(source if isinstance(source, dict) else {}, args)
        if parent == "Query" and info.field_name == "_service":
            return {"sdl": self.sdl}
        if parent == "Query" and info.field_name == "_entities":
            return [self._entity(rep) for rep in args["representations"]]
        if isinstance(source, dict):
            return source.get(info.field_name)
        return None

    def _candidates(self, typename: str) -> list[tuple[str, dict[str, Any]]]:
        if typename in self.interfaces:
            out = []
            for name, rows in self.tables.items():
                type_ = self.schema.get_type(name)
                if isinstance(type_, GraphQLObjectType) and typename in [i.name for i in type_.interfaces]:
                    out.extend((name, row) for row in rows)
            return out
        return [(typename, row) for row in self.tables.get(typename, [])]

    def _entity(self, rep: dict[str, Any]) -> dict[str, Any] | None:
        typename = rep.get("__typename")
        if not isinstance(typename, str):
            raise GraphQLError("representation without __typename")
        custom = self.resolvers.get(f"{typename}.__resolveReference")
        if custom is not None:
            found = custom(rep, {})
            return None if found is None else {"__typename": typename, **found}
        for key in self.keys.get(typename, []):
            if not all(name in rep for name in key):
                continue
            for concrete, row in self._candidates(typename):
                if all(row.get(name) == rep[name] for name in key):
                    return {
                        **row,
                        **{k: v for k, v in rep.items() if k != "__typename"},
                        "__typename": concrete,
                    }
        return None

    @staticmethod
    def _type_resolver(value: Any, info: GraphQLResolveInfo, abstract: Any) -> str | None:
        typename = value.get("__typename") if isinstance(value, dict) else None
        return typename if isinstance(typename, str) else None

    # ------------------------------------------------------------ HTTP

    def app(self) -> Starlette:
        async def graphql(request: Request) -> Response:
            body = orjson.loads(await request.body())
            self.requests.append(body)
            try:
                document = parse(body["query"])
            except GraphQLError as exc:
                return Response(orjson.dumps({"errors": [exc.formatted]}), 400, media_type="application/json")
            invalid = validate(self.schema, document)
            if invalid:
                # As a real subgraph does: an operation asking for what the subgraph lacks gets no data.
                code = {"code": "GRAPHQL_VALIDATION_FAILED"}
                errors = [{**e.formatted, "extensions": code} for e in invalid]
                return Response(orjson.dumps({"errors": errors}), 400, media_type="application/json")
            result = execute(
                self.schema,
                document,
                variable_values=body.get("variables"),
                operation_name=body.get("operationName"),
                field_resolver=self._field_resolver,
                type_resolver=self._type_resolver,
            )
            assert not hasattr(result, "__await__")
            payload: dict[str, Any] = {"data": result.data}  # type: ignore[union-attr]
            if result.errors:  # type: ignore[union-attr]
                payload["errors"] = [e.formatted for e in result.errors]  # type: ignore[union-attr]
            return Response(orjson.dumps(payload), media_type="application/json")

        return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
